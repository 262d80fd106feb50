"""The county dashboard (page "dashboard"): the figures of domain.md §4 from
``cadre_desk.stats.compute_stats`` for the county, a town or a village on a
date; the employed split by route as a bar chart; the funnel applied →
placed; and the people still not employed, from where the cadre opens the
household or recommends openings. Beside the seed's figures, a row of the
monitoring figures (stats ``monitoring``: 监测户 by category, risk cleared)
and the month's people working (stats ``workers``). Also installs the
openings page, the 务工监测 page (``ui.work_monitor``) and the 岗位 menu.

In the window the figures cost a write nothing: a write only marks them out
of date, and they are computed when the page is on screen, in a worker thread
(at 100,000 members the not-employed list alone takes most of a second). The
first computation happens when the page is first shown, not at start-up
(``ui.computed_page``, shared with the 务工监测 page).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCharts import (
    QBarCategoryAxis, QBarSet, QChart, QChartView, QHorizontalBarSeries, QValueAxis,
)
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView, QDateEdit, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QLabel,
    QMessageBox, QPushButton, QTableView, QVBoxLayout,
)

from cadre_desk.idnumber import mask_id
from cadre_desk.jobs.progress import not_employed
from cadre_desk.stats import compute_stats
from cadre_desk.storage import Store

from . import errors as ui_errors
from .computed_page import ComputedPage
from .fonts import bundled_font_family
from .openings_page import OpeningsPage
from .place_choice import PlaceChoice
from .rows_model import RowsModel

if TYPE_CHECKING:
    from .recommend_dialog import RecommendDialog

# (key, caption) of the figure tiles, in reading order.
FIGURES = (
    ("working_age_able", "劳动年龄内有劳动能力"),
    ("employed", "已实现就业"),
    ("employment_rate", "就业率"),
    ("applied", "提出岗位申请"),
    ("placed_by_recommendation", "推荐就业"),
    ("self_employed", "自主创业"),
    ("driven_by_self_employed", "带动就业"),
    ("public_welfare_posts", "公益性岗位人数"),
    ("public_welfare_subsidy_yuan", "公益性岗位补贴（元）"),
)

# The monitoring figures (stats ``monitoring`` key, 防止返贫动态监测) and the
# month's people working (stats ``workers``), a second row beside the seed's:
# (path in the stats, caption).
MONITORING_FIGURES = (
    (("monitoring", "households"), "监测户"),
    (("monitoring", "people"), "监测对象人数"),
    (("monitoring", "by_category", "脱贫不稳定户"), "脱贫不稳定户"),
    (("monitoring", "by_category", "边缘易致贫户"), "边缘易致贫户"),
    (("monitoring", "by_category", "突发严重困难户"), "突发严重困难户"),
    (("monitoring", "risk_cleared_households"), "风险已消除户"),
    (("workers", "total"), "本月务工人数"),
)


def figure_at(figures: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = figures
    for key in path:
        value = (value or {}).get(key) if isinstance(value, dict) else None
    return value


def format_figure(key: str, value: Any) -> str:
    """How a figure is shown on a tile (and compared with ``stats --json`` in tests)."""
    if key == "employment_rate":
        return f"{value * 100:.1f}%"
    if key == "public_welfare_subsidy_yuan":
        return f"{value:,.2f}" if value % 1 else f"{value:,.0f}"
    return f"{value:,}"


class NotEmployedModel(RowsModel):
    COLUMNS = (("town", "乡镇（街道）"), ("village", "村"), ("household_number", "户编号"), ("name", "姓名"),
               ("id_number", "证件号码"), ("age", "年龄"), ("labour_ability", "劳动技能"),
               ("job_intention", "就业意愿"), ("last_recommended", "最近推荐"))

    def cell(self, row, key, role):
        if role == Qt.ItemDataRole.UserRole:
            return row
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        value = row.get(key)
        if key == "id_number":
            return mask_id(value or "")
        if key == "last_recommended":
            return value or "未推荐"
        return "" if value is None else str(value)


class FigureTile(QFrame):
    def __init__(self, key: str, caption: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"tile_{key}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(f"QFrame#tile_{key} {{ background: #f7fafd; border: 1px solid #c9d6e6; "
                           "border-radius: 4px; }")
        self.value = QLabel("—")
        self.value.setObjectName(f"figure_{key}")
        self.value.setStyleSheet("font-size: 18pt; color: #1f3b63;")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label = QLabel(caption)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet("color: #4a5a6a;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(0)
        layout.addWidget(self.value)
        layout.addWidget(label)


class CompactTile(QFrame):
    """A figure on one line (value, then caption): the monitoring row beside
    the seed's tiles, low enough to leave the charts their room."""

    def __init__(self, key: str, caption: str, parent=None):
        super().__init__(parent)
        self.setObjectName(f"tile_{key}")
        self.setStyleSheet(f"QFrame#tile_{key} {{ background: #f5faf4; border: 1px solid #c4dcc0; "
                           "border-radius: 4px; }")
        self.value = QLabel("—")
        self.value.setObjectName(f"figure_{key}")
        self.value.setStyleSheet("font-size: 13pt; color: #2e5d34;")
        label = QLabel(caption)
        label.setStyleSheet("color: #4a5a6a;")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 8, 1)
        layout.setSpacing(6)
        layout.addWidget(self.value)
        layout.addWidget(label)
        layout.addStretch(1)


def _bar_chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().hide()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(chart.margins() * 0)
    family = bundled_font_family()
    if family:
        chart.setTitleFont(QFont(family, 10))
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    return chart, view


def _room_for_labels(chart: QChart, categories: list[str], font: QFont) -> None:
    """Qt elides a category label to "…" when its band is lower than the
    text: give the chart's view the height every label needs (title, value
    axis and 2 lines a bar: 1.6 was too few once there were eight channels)."""
    metrics = QFontMetrics(font)
    needed = int(len(categories) * metrics.height() * 2.0) + 4 * metrics.height() + 20
    for view in (chart.scene().views() if chart.scene() else []):
        view.setMinimumHeight(max(view.minimumHeight(), needed))


class DashboardPage(ComputedPage):
    """The dashboard. ``window`` gives open_household, data_changed and run_job;
    it may be None (a standalone widget in tests)."""

    job_title = "更新就业进度"

    def __init__(self, store: Store, window=None, parent=None):
        super().__init__(window, parent)
        self.setObjectName("dashboard")
        self.store = store
        self.figures: dict[str, Any] = {}

        self.area = PlaceChoice(store, "townFilter", "villageFilter")
        self.town, self.village = self.area.town, self.area.village
        self.as_of = QDateEdit(QDate.currentDate())
        self.as_of.setObjectName("asOf")
        self.as_of.setDisplayFormat("yyyy-MM-dd")
        self.as_of.setCalendarPopup(True)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.request_refresh)
        export = QPushButton("导出 Excel…")
        export.setObjectName("exportProgress")
        export.clicked.connect(self.export_excel)
        self.scope_title = QLabel()
        self.scope_title.setObjectName("scopeTitle")
        self.scope_title.setStyleSheet("font-size: 13pt; color: #1f3b63;")
        top = QHBoxLayout()
        top.addWidget(self.scope_title, 1)
        for w in (QLabel("范围"), self.town, self.village, QLabel("截至"), self.as_of, refresh, export):
            top.addWidget(w)

        tiles = QGridLayout()
        tiles.setSpacing(6)
        self.tiles = {}
        for i, (key, caption) in enumerate(FIGURES):
            tile = FigureTile(key, caption, self)
            self.tiles[key] = tile
            tiles.addWidget(tile, 0, i)
        monitoring = QHBoxLayout()
        monitoring.setSpacing(6)
        caption = QLabel("防止返贫动态监测")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        caption.setStyleSheet("color: #2e5d34;")
        monitoring.addWidget(caption)
        self.monitoring_tiles: dict[str, FigureTile] = {}
        for path, caption_text in MONITORING_FIGURES:
            key = "_".join(path[1:]) if path[0] == "monitoring" else "_".join(path)
            tile = CompactTile(f"monitoring_{key}", caption_text, self)
            self.monitoring_tiles[caption_text] = tile
            monitoring.addWidget(tile, 1)

        self.channel_chart, self.channel_view = _bar_chart("已就业人员按渠道")
        self.channel_view.setObjectName("channelChart")
        self.funnel_chart, self.funnel_view = _bar_chart("岗位申请 → 推荐就业")
        self.funnel_view.setObjectName("funnelChart")
        charts = QHBoxLayout()
        charts.addWidget(self.channel_view, 3)
        charts.addWidget(self.funnel_view, 2)

        self.model = NotEmployedModel(self)
        self.table = QTableView()
        self.table.setObjectName("notEmployedTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.list_title = QLabel()
        open_button = QPushButton("打开户")
        open_button.setObjectName("openHousehold")
        open_button.clicked.connect(self.open_selected)
        recommend_button = QPushButton("推荐岗位…")
        recommend_button.setObjectName("recommendSelected")
        recommend_button.clicked.connect(self.recommend_selected)
        list_bar = QHBoxLayout()
        list_bar.addWidget(self.list_title, 1)
        list_bar.addWidget(open_button)
        list_bar.addWidget(recommend_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(tiles)
        layout.addLayout(monitoring)
        layout.addLayout(charts, 3)
        layout.addLayout(list_bar)
        layout.addWidget(self.table, 4)

        self.area.fill_towns()
        self.town.currentIndexChanged.connect(self._town_changed)
        self.village.currentIndexChanged.connect(lambda _i: self.request_refresh())
        self.as_of.dateChanged.connect(lambda _d: self.request_refresh())
        if not self._in_window():
            self.refresh()

    # ------------------------------------------------------------ scope
    def _town_changed(self, _index: int) -> None:
        self.area.fill_villages()
        self.request_refresh()

    def selected_town(self) -> str | None:
        return self.area.selected_town()

    def selected_village(self) -> str | None:
        return self.area.selected_village()

    def set_scope(self, town: str | None = None, village: str | None = None, as_of: dt.date | None = None) -> None:
        if as_of is not None:
            self.as_of.blockSignals(True)
            self.as_of.setDate(QDate(as_of.year, as_of.month, as_of.day))
            self.as_of.blockSignals(False)
        self.area.select(town, village)
        self.refresh()

    def as_of_date(self) -> dt.date:
        d = self.as_of.date()
        return dt.date(d.year(), d.month(), d.day())

    # ------------------------------------------------------------ figures
    def scope(self) -> tuple[str | None, str | None, dt.date]:
        """(town, village, as of), read from the widgets on the window's thread."""
        return self.selected_town(), self.selected_village(), self.as_of_date()

    def _compute(self, scope: tuple[str | None, str | None, dt.date]) -> tuple[dict[str, Any], list[dict]]:
        """The figures and the not-employed list (runs in a worker thread: reads no widget)."""
        town, village, as_of = scope
        return (compute_stats(self.store, as_of, town=town, village=village),
                not_employed(self.store, as_of, town=town, village=village))

    def _show(self, result: tuple[dict[str, Any], list[dict]]) -> None:
        self.figures = f = result[0]
        people = result[1]
        self.scope_title.setText(f"{f['county']}{f.get('town') or ''}{f.get('village') or ''} 就业帮扶进度")
        for key, tile in self.tiles.items():
            tile.value.setText(format_figure(key, f[key]))
        for path, caption in MONITORING_FIGURES:
            value = figure_at(f, path)
            self.monitoring_tiles[caption].value.setText("—" if value is None else f"{value:,}")
        self._draw_channels(f["by_channel"])
        self._draw_funnel(f["applied"], f["placed_by_recommendation"])
        self.model.set_rows(people)
        self.list_title.setText(f"尚未就业的劳动年龄内有劳动能力人员：{len(people):,} 人（双击打开户）")

    def _draw_channels(self, by_channel: dict[str, int]) -> None:
        names = list(by_channel)
        self._draw(self.channel_chart, names, [by_channel[n] for n in names], "#4f81bd")

    def _draw_funnel(self, applied: int, placed: int) -> None:
        self._draw(self.funnel_chart, ["提出岗位申请", "推荐就业"], [applied, placed], "#9bbb59")

    def _draw(self, chart: QChart, categories: list[str], values: list[int], color: str) -> None:
        """Horizontal bars, the first category at the top."""
        categories, values = categories[::-1], values[::-1]
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bars = QBarSet("人数")
        bars.append([float(v) for v in values])
        bars.setColor(QColor(color))
        bars.setLabelColor(QColor("#222222"))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value")
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsOutsideEnd)
        chart.addSeries(series)
        family = bundled_font_family()
        font = QFont(family, 9) if family else QFont()
        y = QBarCategoryAxis()
        y.append(categories)
        y.setLabelsFont(font)
        x = QValueAxis()
        top = max(values) if values else 0
        x.setRange(0, max(4, top * 1.15))
        x.applyNiceNumbers()
        x.setLabelFormat("%d")
        x.setLabelsFont(font)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(y)
        series.attachAxis(x)
        _room_for_labels(chart, categories, font)


    def shown_figures(self) -> dict[str, str]:
        """What the tiles show, by figure key."""
        return {key: tile.value.text() for key, tile in self.tiles.items()}

    def shown_monitoring(self) -> dict[str, str]:
        """What the monitoring tiles show, by caption."""
        return {caption: tile.value.text() for caption, tile in self.monitoring_tiles.items()}

    def chart_values(self) -> dict[str, int]:
        """The bars of the channel chart, by category."""
        series = self.channel_chart.series()[0]
        axis = next(a for a in self.channel_chart.axes() if isinstance(a, QBarCategoryAxis))
        bars = series.barSets()[0]
        return {name: int(bars.at(i)) for i, name in enumerate(axis.categories())}

    # ------------------------------------------------------------ drill down
    def selected_person(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.data(self.model.index(rows[0].row(), 0), Qt.ItemDataRole.UserRole) if rows else None

    def open_selected(self) -> None:
        person = self.selected_person()
        if person is None:
            QMessageBox.information(self, "就业进度", "请先在名单中选中一个人")
            return
        if self.window_ is not None:
            try:
                self.window_.open_household(person["household_id"])
            except Exception as exc:  # noqa: BLE001
                ui_errors.show_error(self, exc)

    def recommend_selected(self) -> RecommendDialog | None:
        from .recommend_dialog import RecommendDialog  # loads NumPy: on first use, not at start-up

        person = self.selected_person()
        if person is None:
            QMessageBox.information(self, "就业进度", "请先在名单中选中一个人")
            return None
        dialog = RecommendDialog(self.store, person["id"], self, as_of=self.as_of_date(), on_changed=self._changed)
        dialog.open()
        return dialog

    def _changed(self) -> None:
        if self.window_ is not None:
            self.window_.data_changed.emit()
        else:
            self.refresh()

    # ------------------------------------------------------------ export
    def export_excel(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出就业进度", f"就业进度_{self.as_of_date().isoformat()}.xlsx",
                                              "Excel 文件 (*.xlsx)")
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> None:
        from cadre_desk import exports

        from .export_options import ask_full_numbers

        town, village, as_of = self.selected_town(), self.selected_village(), self.as_of_date()
        full = ask_full_numbers(self, self.store, "就业进度表")
        if full is None:
            return

        def work(_progress, _cancelled):
            return exports.progress(self.store, path, as_of, town=town, village=village, full=full)

        def done(figures):
            QMessageBox.information(self, "导出就业进度",
                                    f"已导出：{figures['not_employed']:,} 名未就业人员和进度统计")

        if self.window_ is not None and hasattr(self.window_, "run_job"):
            self.window_.run_job("导出就业进度", work, done)
        else:
            done(work(None, None))


def install(window) -> None:
    """Add the dashboard and openings pages and the 岗位 menu to the main window."""
    dashboard = DashboardPage(window.store, window)
    openings = OpeningsPage(window.store, on_changed=window.data_changed.emit)
    window.add_page("dashboard", dashboard, "就业进度")
    window.add_page("openings", openings, "岗位")
    window.data_changed.connect(dashboard.mark_stale)
    window.rows_changed.connect(dashboard.mark_stale)
    refresh_openings = window.refresh_when_shown(openings, openings.refresh)
    window.data_changed.connect(refresh_openings)
    window.rows_changed.connect(lambda changed: refresh_openings() if changed.touches(
        "openings", "offers", "applications", "enterprises") else None)
    menu = window.menu("岗位")

    def action(text: str, slot, name: str) -> QAction:
        a = QAction(text, window)
        a.setObjectName(name)
        a.triggered.connect(slot)
        menu.addAction(a)
        return a

    def recommend_current() -> None:
        member_id = window.current_member_id()
        if not member_id:
            QMessageBox.information(window, "岗位推荐", "请先在户花名册或户页面中选中一名成员")
            return
        from .recommend_dialog import RecommendDialog

        RecommendDialog(window.store, member_id, window, on_changed=window.data_changed.emit).exec()

    action("岗位列表", lambda: window.show_page("openings"), "showOpenings")
    action("添加岗位…", openings.add, "addOpeningAction")
    action("导入岗位 Excel…", openings.import_excel, "importOpeningsAction")
    action("导出岗位 Excel…", openings.export_excel, "exportOpeningsAction")
    menu.addSeparator()
    action("为选中成员推荐岗位…", recommend_current, "recommendForMember")
    menu.addSeparator()
    action("就业进度", lambda: window.show_page("dashboard"), "showDashboard")
    action("导出就业进度 Excel…", dashboard.export_excel, "exportProgressAction")
    # The 务工监测 page belongs with the figures: installed here, so the main
    # window's module list stays as it is.
    from .work_monitor import install as install_work_monitor

    install_work_monitor(window)
