"""The 务工监测 page (page "work_monitor"): the county's 务工规模 as today's
register reports it, all from ``cadre_desk.work_stats``:

- the month's figures: people working (a spell covering the month), split
  县内 / 省内县外 / 省外, the same month last year, the year's target;
- the months of the year as a chart: stacked bars by place, last year's
  months as a line, the target as a dashed line (QtCharts, from the
  PySide6-Addons package the app already depends on for the dashboard);
- a table of the towns (or, for a town, its villages) with the month's
  figures: double-click (or Enter) drills down, the 范围 boxes go back up;
- the cadre's to-do: people whose spell ended and who have no new one
  (``ended_without_new``), from where the household opens or a new spell is
  entered.

As on the dashboard, a write only marks the figures out of date; they are
computed when the page is on screen, in a worker thread.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from PySide6.QtCharts import QChart, QChartView
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QGridLayout, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
    QSpinBox, QSplitter, QTableView, QVBoxLayout, QWidget,
)

from cadre_desk import months, places, work_stats
from cadre_desk.storage import Store

from . import errors as ui_errors
from .computed_page import ComputedPage
from .dashboard import FigureTile
from .fonts import bundled_font_family
from .place_choice import PlaceChoice
from .rows_model import RowsModel
from .work_chart import SCOPES, UNKNOWN_PLACE, WorkChart

TILES = (
    ("total", "务工人数"), ("县内", "县内"), ("省内县外", "省内县外"), ("省外", "省外"),
    ("same_month_last_year", "去年同月"), ("change", "同比增减"), ("target", "年度目标"), ("progress", "完成目标"),
)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_of(year: int, today: dt.date) -> list[int]:
    """The months of ``year`` that have figures (up to this month)."""
    if year < today.year:
        return list(range(1, 13))
    if year > today.year:
        return []
    return list(range(1, today.month + 1))


def tile_texts(month: dict[str, Any] | None, target: int | None) -> dict[str, str]:
    """What the tiles show for one month of ``monthly()`` (tests compare with it)."""
    if month is None:
        return {key: "—" for key, _c in TILES}
    texts = {key: f"{month.get(key, 0):,}" for key in ("total", *SCOPES)}
    last = month.get("same_month_last_year")
    texts["same_month_last_year"] = "—" if last is None else f"{last:,}"
    if last is None:
        texts["change"] = "—"
    else:
        diff = month["total"] - last
        texts["change"] = f"{diff:+,}" + (f"（{diff / last * 100:+.1f}%）" if last else "")
    texts["target"] = "—" if target is None else f"{target:,}"
    texts["progress"] = "—" if not target else f"{month['total'] / target * 100:.1f}%"
    return texts


class PlacesModel(RowsModel):
    """The month's figures of each town (or village) of the scope."""

    COLUMNS = (("name", "乡镇（街道）"), ("total", "务工人数"), ("县内", "县内"), ("省内县外", "省内县外"),
               ("省外", "省外"), ("last_year", "去年同月"), ("change", "同比增减"))

    def cell(self, row, key, role):
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role == Qt.ItemDataRole.TextAlignmentRole and key != "name":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "change":
            diff = row["total"] - row["last_year"]
            return f"{diff:+,}" if diff else "0"
        value = row.get(key)
        return f"{value:,}" if isinstance(value, int) else (value or "")

    def set_level(self, header: str) -> None:
        self.COLUMNS = ((self.COLUMNS[0][0], header), *self.COLUMNS[1:])
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, 0)


class ToDoModel(RowsModel):
    """The people whose spell ended and who have no new one (``ended_without_new``)."""

    COLUMNS = (("town", "乡镇（街道）"), ("village", "村"), ("household_number", "户编号"), ("name", "姓名"),
               ("age", "年龄"), ("end_month", "上次务工结束"), ("idle_months", "已空闲（月）"),
               ("place", "上次务工地"), ("channel", "就业渠道"), ("cadre", "帮扶责任人"))

    def cell(self, row, key, role):
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        value = row.get(key)
        if key == "end_month":
            return months.display(value)
        return "" if value is None else str(value)


class WorkMonitorPage(WorkChart, ComputedPage):
    """``window`` gives open_household, run_job, data_changed; None for a
    standalone widget (tests, screenshots): then it computes on this thread
    (``ui.computed_page``: when and where the figures are computed)."""

    job_title = "更新务工监测"

    def __init__(self, store: Store, window=None, parent=None, *, today: dt.date | None = None):
        super().__init__(window, parent)
        self.setObjectName("workMonitor")
        self.store = store
        self._today = today  # None: the real day, read when the figures are computed
        self.result: dict[str, Any] = {}

        self.title = QLabel()
        self.title.setObjectName("workScopeTitle")
        self.title.setStyleSheet("font-size: 13pt; color: #1f3b63;")
        self.area = PlaceChoice(store, "workTown", "workVillage")
        self.town, self.village = self.area.town, self.area.village
        self.year = QSpinBox()
        self.year.setObjectName("workYear")
        self.year.setRange(2016, self.today.year)
        self.year.setValue(self.today.year)
        self.year.setSuffix(" 年")
        self.month = QComboBox()
        self.month.setObjectName("workMonth")
        self.up_button = QPushButton("上一级")
        self.up_button.setObjectName("workUp")
        self.up_button.clicked.connect(self.drill_up)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.request_refresh)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        for w in (QLabel("范围"), self.town, self.village, self.up_button, QLabel("月份"), self.year, self.month,
                  refresh):
            top.addWidget(w)

        tiles = QGridLayout()
        tiles.setSpacing(6)
        self.tiles: dict[str, FigureTile] = {}
        for i, (key, caption) in enumerate(TILES):
            tile = FigureTile(f"work_{key}", caption, self)
            self.tiles[key] = tile
            tiles.addWidget(tile, 0, i)

        self.chart = QChart()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        family = bundled_font_family()
        self.font = QFont(family, 9) if family else QFont()
        self.chart.setTitleFont(QFont(family, 10) if family else QFont())
        self.chart.legend().setFont(self.font)
        self.chart_view = QChartView(self.chart)
        self.chart_view.setObjectName("workChart")
        self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart_view.setMinimumHeight(220)

        self.places_model = PlacesModel(self)
        self.places_table = self._table(self.places_model, "workPlaces")
        self.places_table.doubleClicked.connect(lambda _i: self.drill_down())
        self.places_title = QLabel()
        places_box = QWidget()
        pl = QVBoxLayout(places_box)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.addWidget(self.places_title)
        pl.addWidget(self.places_table, 1)

        self.todo_model = ToDoModel(self)
        self.todo_table = self._table(self.todo_model, "workToDo")
        self.todo_table.doubleClicked.connect(lambda _i: self.open_selected())
        self.todo_title = QLabel()
        self.todo_title.setObjectName("workToDoTitle")
        open_button = QPushButton("打开户")
        open_button.setObjectName("workOpenHousehold")
        open_button.clicked.connect(self.open_selected)
        new_spell = QPushButton("登记新务工…")
        new_spell.setObjectName("workNewSpell")
        new_spell.clicked.connect(lambda: self.new_spell_for_selected())
        bar = QHBoxLayout()
        bar.addWidget(self.todo_title, 1)
        bar.addWidget(open_button)
        bar.addWidget(new_spell)
        todo_box = QWidget()
        tl = QVBoxLayout(todo_box)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addLayout(bar)
        tl.addWidget(self.todo_table, 1)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(places_box)
        lower.addWidget(todo_box)
        lower.setStretchFactor(0, 2)
        lower.setStretchFactor(1, 3)
        lower.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(tiles)
        layout.addWidget(self.chart_view, 3)
        layout.addWidget(lower, 3)

        self.area.fill_towns()
        self._fill_months()
        self.town.currentIndexChanged.connect(self._town_changed)
        self.village.currentIndexChanged.connect(lambda _i: self._scope_changed())
        self.year.valueChanged.connect(self._year_changed)
        self.month.currentIndexChanged.connect(lambda _i: self.request_refresh())
        self.setTabOrder(self.town, self.village)
        self.setTabOrder(self.village, self.year)
        self.setTabOrder(self.year, self.month)
        self.setTabOrder(self.month, self.places_table)
        self.setTabOrder(self.places_table, self.todo_table)
        if not self._in_window():
            self.refresh()

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    @today.setter
    def today(self, day: dt.date | None) -> None:
        self._today = day

    def _table(self, model, name: str) -> QTableView:
        table = QTableView()
        table.setObjectName(name)
        table.setModel(model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move within it)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.installEventFilter(self)
        return table

    def eventFilter(self, obj, event) -> bool:
        # The actions read the database: run_guarded keeps their errors inside this override.
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if obj is self.places_table:
                ui_errors.run_guarded(self, self.drill_down)
                return True
            if obj is self.todo_table:
                ui_errors.run_guarded(self, self.open_selected)
                return True
        if event.type() == QEvent.Type.KeyPress and event.key() == Qt.Key.Key_Backspace \
                and obj is self.places_table:
            ui_errors.run_guarded(self, self.drill_up)
            return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ scope
    def _fill_months(self) -> None:
        self.month.blockSignals(True)
        wanted = self.month.currentData()
        self.month.clear()
        numbers = months_of(self.year.value(), self.today)
        for m in numbers:
            self.month.addItem(f"{m} 月", m)
        if numbers:
            index = self.month.findData(wanted) if wanted in numbers else len(numbers) - 1
            self.month.setCurrentIndex(index)
        self.month.blockSignals(False)

    def _town_changed(self, _index: int) -> None:
        self.area.fill_villages()
        self._scope_changed()

    def _year_changed(self, _value: int) -> None:
        self._fill_months()
        self.request_refresh()

    def _scope_changed(self) -> None:
        self.up_button.setEnabled(bool(self.selected_town()))
        self.request_refresh()

    def selected_town(self) -> str | None:
        return self.area.selected_town()

    def selected_village(self) -> str | None:
        return self.area.selected_village()

    def selected_month(self) -> tuple[int, int]:
        return self.year.value(), self.month.currentData() or 1

    def set_scope(self, town: str | None = None, village: str | None = None, *, year: int | None = None,
                  month: int | None = None) -> None:
        """Show this scope and month now (tests, drill down)."""
        for w in (self.year, self.month):
            w.blockSignals(True)
        if year is not None:
            self.year.setValue(year)
            self._fill_months()
        if month is not None:
            self.month.setCurrentIndex(max(0, self.month.findData(month)))
        for w in (self.year, self.month):
            w.blockSignals(False)
        self.area.select(town, village)
        self.up_button.setEnabled(bool(self.selected_town()))
        self.request_refresh()

    def drill_down(self) -> None:
        """The selected town (or village) of the table becomes the scope."""
        rows = self.places_table.selectionModel().selectedRows()
        if not rows:
            return
        row = self.places_model.rows[rows[0].row()]
        if self.selected_town() is None:
            self.set_scope(row["name"])
        elif self.selected_village() is None:
            self.set_scope(self.selected_town(), row["name"])

    def drill_up(self) -> None:
        if self.selected_village():
            self.set_scope(self.selected_town())
        elif self.selected_town():
            self.set_scope(None)

    # ------------------------------------------------------------ figures
    def scope(self) -> dict[str, Any]:
        """What to compute, read from the widgets (on the window's thread)."""
        year, month = self.selected_month()
        return {"town": self.selected_town(), "village": self.selected_village(), "year": year, "month": month,
                "today": self.today}

    def _compute(self, scope: dict[str, Any]) -> dict[str, Any]:
        """Everything the page shows, from ``work_stats`` (runs in a worker thread: reads no widget)."""
        town, village, year, month, today = (scope[k] for k in ("town", "village", "year", "month", "today"))
        as_of = min(month_end(year, month), today)
        series = work_stats.monthly(self.store, year, town=town, village=village, today=today)
        last_year = work_stats.monthly(self.store, year - 1, town=town, village=village, today=today)
        last_as_of = month_end(year - 1, month)
        # One statement a month for every town (or every village of the town): work_stats.workers_by_area.
        key = "village" if town else "town"
        before = {r[key]: r["total"] for r in work_stats.workers_by_area(self.store, last_as_of, town=town)}
        rows = [{**r, "name": r[key], "last_year": before.get(r[key], 0)}
                for r in work_stats.workers_by_area(self.store, as_of, town=town)
                if village is None or r[key] == village]
        # The places with most people working first (ties keep the statistical code order).
        rows.sort(key=lambda r: (-r["total"], -r["last_year"]))
        todo = work_stats.ended_without_new(self.store, as_of, town=town, village=village)
        return {"town": town, "village": village, "year": year, "month": month, "as_of": as_of,
                "series": series, "last_year": last_year, "places": rows, "todo": todo}

    def month_figures(self) -> dict[str, Any] | None:
        """The selected month's entry of ``monthly()``."""
        wanted = f"{self.result['year']:04d}-{self.result['month']:02d}"
        return next((m for m in self.result["series"]["months"] if m["month"] == wanted), None)

    def _show(self, result: dict[str, Any]) -> None:
        self.result = result
        county = (places.county(self.store) or {}).get("name", "")
        scope = f"{county}{result['town'] or ''}{result['village'] or ''}"
        self.title.setText(f"{scope} 务工监测　{result['year']} 年 {result['month']} 月")
        month = self.month_figures()
        target = result["series"].get("target")
        for key, text in tile_texts(month, target).items():
            self.tiles[key].value.setText(text)
        unknown = (month or {}).get(UNKNOWN_PLACE)
        self.tiles["total"].setToolTip(f"其中{UNKNOWN_PLACE} {unknown} 人（务工所在地没有对应到县）" if unknown else "")
        self._draw_chart(result)
        level = "村" if result["town"] else "乡镇（街道）"
        self.places_model.set_level(level)
        self.places_model.set_rows(result["places"])
        self.places_title.setText(f"各{'村' if result['town'] else '乡镇'} {result['month']} 月务工人数"
                                  + ("（双击或 Enter 查看下一级）" if not result["village"] else ""))
        self.todo_model.set_rows(result["todo"])
        self.todo_title.setText(f"务工已结束、还没有新务工的人员：{len(result['todo']):,} 人（双击打开户）")

    def shown_figures(self) -> dict[str, str]:
        return {key: tile.value.text() for key, tile in self.tiles.items()}

    # ------------------------------------------------------------ to-do
    def selected_person(self) -> dict[str, Any] | None:
        rows = self.todo_table.selectionModel().selectedRows()
        return self.todo_model.rows[rows[0].row()] if rows else None

    def open_selected(self) -> None:
        person = self.selected_person()
        if person is None:
            QMessageBox.information(self, "务工监测", "请先在名单中选中一个人")
            return
        if self.window_ is not None:
            try:
                self.window_.open_household(person["household_id"], person["member_id"])
            except Exception as exc:  # noqa: BLE001
                ui_errors.show_error(self, exc)

    def new_spell_for_selected(self, *, run: bool = True):
        """登记新务工 for the selected person (the spell dialog of the household page)."""
        from .spell_dialog import SpellDialog

        person = self.selected_person()
        if person is None:
            QMessageBox.information(self, "务工监测", "请先在名单中选中一个人")
            return None
        dialog = SpellDialog(self.store, person["member_id"], None, self, member_name=person.get("name") or "")
        self.spell_dialog = dialog
        if run and dialog.exec():
            self.after_new_spell(dialog)
        return dialog

    def after_new_spell(self, dialog) -> None:
        if dialog.warnings:
            QMessageBox.information(self, "务工监测", "已保存。请核实：" + "；".join(dialog.warnings))
        if self.window_ is not None and hasattr(self.window_, "notify_changed"):
            from cadre_desk.changes import Changed

            self.window_.notify_changed(Changed.of(work_spells=list(dialog.saved_ids) or None,
                                                   members=dialog.member_id))
        self.mark_stale()
        if not self._in_window():
            self.refresh()


def install(window) -> WorkMonitorPage:
    """The 务工监测 page, and 岗位 → 务工监测 (installed with the dashboard)."""
    page = WorkMonitorPage(window.store, window)
    window.add_page("work_monitor", page, "务工监测")
    window.data_changed.connect(page.mark_stale)
    window.rows_changed.connect(lambda changed: page.mark_stale() if changed.touches(
        "work_spells", "members", "households") else None)
    window.data_changed.connect(page.area.fill_towns)
    action = window.menu("岗位").addAction("务工监测")
    action.setObjectName("showWorkMonitor")
    action.triggered.connect(lambda: window.show_page("work_monitor"))
    return page
