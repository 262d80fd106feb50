"""The household page: everything about one household on one screen (head,
address, attributes, causes, income summary, assistance cadre and earlier
cadres, members, visits, measures, consistency warnings), and the member
survey form (``ui.survey_form``) on the same page.

Plugged into the main window by ``install(window)`` (page "household", menu
"户"). Also usable on its own with a store (tests, screenshots). What the user
does from the page (the 户 menu's actions) is in ``ui.household_actions``.

Keys on the overview: Enter edits the selected member's survey, Insert adds a
member, Delete removes the selected member (after confirmation), Ctrl+H shows
the member's change history, Esc goes back to the register.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from cadre_desk import drafts, households, monitoring, register
from cadre_desk.changes import Changed
from cadre_desk.errors import NotFound
from cadre_desk.household_summary import income_summary, measures_of, member_age, yuan
from cadre_desk.questionnaire import display, household_problems, validate
from cadre_desk.storage import Store
from ui import errors as ui_errors
from ui.household_actions import HouseholdActions
from ui.screen import PageStack
from ui.section_box import SectionBox
from ui.spells_panel import SpellsPanel
from ui.colors import WARNING_COLOR
from ui.survey_form import SurveyForm

# Member roster: questionnaire fields by key plus computed columns.
ROSTER_COLUMNS = [
    ("relation", "与户主关系"), ("name", "姓名"), ("sex", "性别"), ("age", "年龄"), ("id_number", "证件号码"),
    ("health", "健康状况"), ("labour_ability", "劳动技能"), ("job_intention", "就业意愿"),
    ("employment_status", "就业状态"), ("surveyed_at", "调查日期"), ("note", "备注"),
]
VISIT_COLUMNS = ("走访日期", "帮扶责任人", "走访内容", "解决问题")
MEASURE_COLUMNS = ("类别", "项目", "成员", "开始", "结束", "完成情况")
MONITORING_SECTION = "monitoring"  # the questionnaire's 监测信息 section
# Income lines of the questionnaire shown as given, under the computed ones.
EXTRA_INCOME_FIELDS = ("medical_out_of_pocket",)  # 合规自付支出


def _table(headers) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setHighlightSections(False)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)


class HouseholdPage(HouseholdActions, QWidget):
    """``changed(Changed)`` after every write made here, with the rows it
    wrote; ``back_requested()`` when the user leaves for the register (the
    window shows it)."""

    changed = Signal(object)
    back_requested = Signal()

    def __init__(self, store: Store, window=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.main_window = window
        self.household_id: str | None = None
        self.member_ids: list[str] = []

        self.stack = PageStack()  # the overview's room or the form's, not the larger of the two
        self.overview = QWidget()
        self.form = SurveyForm(store)
        self.stack.addWidget(self.overview)
        self.stack.addWidget(self.form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self._build_overview()
        self.form.saved.connect(lambda mid: self._written(Changed.of(members=mid, households=self.household_id)))
        self.form.closed.connect(self.show_overview)
        self.form.history_requested.connect(self.show_history)

    # ------------------------------------------------------------ building
    def _build_overview(self) -> None:
        outer = QVBoxLayout(self.overview)
        outer.setContentsMargins(10, 8, 10, 8)
        outer.setSpacing(6)

        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18px;")
        self.address = QLabel()
        self.address.setStyleSheet("color: #444;")
        head.addWidget(self.title)
        head.addSpacing(16)
        head.addWidget(self.address)
        head.addStretch(1)
        self.back_button = QPushButton("返回花名册 (Esc)")
        self.new_button = QPushButton("新增成员 (Insert)")
        self.edit_button = QPushButton("编辑调查 (Enter)")
        self.remove_button = QPushButton("删除成员 (Delete)")
        self.history_button = QPushButton("修改历史 (Ctrl+H)")
        self.visit_button = QPushButton("添加走访")
        self.edit_household_button = QPushButton("编辑户信息")
        self.edit_household_button.setObjectName("editHouseholdButton")
        # The buttons get a row of their own: beside a long address they
        # would push the page wider than a 1366-pixel screen.
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for b in (self.back_button, self.edit_household_button, self.new_button, self.edit_button,
                  self.remove_button, self.history_button, self.visit_button):
            buttons.addWidget(b)
        self.back_button.clicked.connect(self.go_back)
        self.new_button.clicked.connect(self.new_member)
        self.edit_button.clicked.connect(self.edit_survey)
        self.remove_button.clicked.connect(self.remove_member)
        self.history_button.clicked.connect(self.show_history)
        self.visit_button.clicked.connect(self.add_visit)
        self.edit_household_button.clicked.connect(lambda: self.edit_household())
        outer.addLayout(head)
        outer.addLayout(buttons)

        boxes = QHBoxLayout()
        boxes.setSpacing(8)
        self.info_box, self.info = self._info_box("户基本情况", ["贫困户属性", "脱贫状态", "主要致贫原因",
                                                                "其他致贫原因", "家庭人口数", "联系电话"])
        hfields = self.store.questionnaire.household.by_key
        self.extra_income = [hfields[k] for k in EXTRA_INCOME_FIELDS if k in hfields]
        self.income_box, self.income = self._info_box("上年度家庭收入", ["年收入", "生产经营性支出", "纯收入",
                                                                    "人均纯收入", "其中转移性收入",
                                                                    *[f.label for f in self.extra_income]])
        self.cadre_box = QGroupBox("帮扶责任人")
        cadre_layout = QVBoxLayout(self.cadre_box)
        self.cadre_label = QLabel()
        self.cadre_label.setWordWrap(True)
        self.cadre_label.setTextFormat(Qt.TextFormat.PlainText)
        self.cadre_history_label = QLabel()
        self.cadre_history_label.setWordWrap(True)
        self.cadre_history_label.setStyleSheet("color: #555;")
        cadre_layout.addWidget(self.cadre_label)
        cadre_layout.addWidget(self.cadre_history_label)
        cadre_layout.addStretch(1)
        boxes.addWidget(self.info_box, 3)
        # 监测信息 (户类型, 监测对象类别, dates, risks): the questionnaire's
        # ``monitoring`` section as data, one line a field (ui.section_box).
        hpart = self.store.questionnaire.household
        self.monitoring_box = SectionBox(hpart, MONITORING_SECTION) \
            if any(s.key == MONITORING_SECTION for s in hpart.sections) else None
        if self.monitoring_box is not None:
            boxes.addWidget(self.monitoring_box, 3)
        boxes.addWidget(self.income_box, 3)
        boxes.addWidget(self.cadre_box, 3)
        outer.addLayout(boxes)

        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(f"color: {WARNING_COLOR};")
        outer.addWidget(self.warnings)

        members_box = QGroupBox("家庭成员")
        members_layout = QVBoxLayout(members_box)
        self.members = _table([h for _k, h in ROSTER_COLUMNS])
        header = self.members.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        # At least three members on screen whatever the boxes below ask for.
        row_height = self.members.verticalHeader().defaultSectionSize()
        self.members.setMinimumHeight(self.members.horizontalHeader().sizeHint().height() + 3 * row_height + 4)
        self.members.doubleClicked.connect(lambda _i: self.edit_survey())
        self.members.installEventFilter(self)
        members_layout.addWidget(self.members)
        outer.addWidget(members_box, 2)
        self.members.itemSelectionChanged.connect(self._member_selected)

        lower = QHBoxLayout()
        # The selected member's work spells (务工经历), written through cadre_desk.spells.
        self.spells = SpellsPanel(self.store)
        self.spells.changed.connect(lambda changed: self._written(changed | Changed.of(households=self.household_id)))
        lower.addWidget(self.spells, 3)
        visits_box = QGroupBox("走访记录")
        QVBoxLayout(visits_box).addWidget(visits := _table(VISIT_COLUMNS))
        self.visits = visits
        visits.setWordWrap(True)
        vh = visits.horizontalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        vh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        vh.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        measures_box = QGroupBox("帮扶措施")
        QVBoxLayout(measures_box).addWidget(measures := _table(MEASURE_COLUMNS))
        self.measures = measures
        mh = measures.horizontalHeader()
        mh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        mh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        # Visits and measures one above the other beside the spells: the spell
        # list needs the width (months, place, channel, employer, income).
        side = QVBoxLayout()
        side.addWidget(visits_box, 1)
        side.addWidget(measures_box, 1)
        lower.addLayout(side, 2)
        # Small minimums (they scroll) so that the page fits a 768-pixel screen.
        for table in (self.visits, self.measures):
            table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + row_height + 4)
        outer.addLayout(lower, 3)

        self.message = QLabel()
        self.message.setWordWrap(True)
        outer.addWidget(self.message)

        def add(keys: str, slot) -> None:
            sc = QShortcut(QKeySequence(keys), self.overview)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)
        add("Insert", self.new_member)
        add("Ctrl+N", self.new_member)
        add("Ctrl+H", self.show_history)
        add("Esc", self.go_back)

    def _info_box(self, title: str, labels: list[str]) -> tuple[QGroupBox, dict[str, QLabel]]:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setVerticalSpacing(3)
        form.setHorizontalSpacing(10)
        values = {}
        for label in labels:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label + "：", value)
            values[label] = value
        return box, values

    def eventFilter(self, obj, event) -> bool:
        if obj is self.members and event.type() == event.Type.KeyPress:
            # The actions read the database: run_guarded keeps their errors inside this override.
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                ui_errors.run_guarded(self, self.edit_survey)
                return True
            if event.key() == Qt.Key.Key_Delete:
                ui_errors.run_guarded(self, self.remove_member)
                return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ showing
    def show_household(self, household_id: str) -> None:
        """Show a household's overview (the window's ``open_household`` calls this)."""
        if self.stack.currentWidget() is self.form:
            self.form.flush_draft()
        self.household_id = household_id
        self.refresh()
        self.stack.setCurrentWidget(self.overview)
        self.members.setFocus(Qt.FocusReason.OtherFocusReason)

    def select_member(self, member_id: str) -> None:
        """Select this person in the members table (a search hit pointed at them)."""
        if member_id in self.member_ids:
            self.members.selectRow(self.member_ids.index(member_id))

    def show_overview(self) -> None:
        self.refresh()
        self.stack.setCurrentWidget(self.overview)
        if self.form.member_id in self.member_ids:
            self.members.selectRow(self.member_ids.index(self.form.member_id))
        self.members.setFocus(Qt.FocusReason.OtherFocusReason)

    def refresh(self) -> None:
        """Re-read the household from the database."""
        if not self.household_id:
            return
        try:
            h = register.household(self.store, self.household_id)
        except NotFound as exc:
            self.message.setText(exc.message)
            self.household_id = None
            return
        place = register.household_place(self.store, self.household_id)
        members = register.members_of(self.store, self.household_id)
        hpart = self.store.questionnaire.household

        def show(key: str) -> str:
            return display(hpart.by_key[key], h.get(key)) or "—"

        self.title.setText(f"户主 {h.get('head_name') or '—'}　户编号 {h.get('number') or '—'}")
        group = f" {h['group_name']}" if h.get("group_name") else ""
        self.address.setText(f"{place.get('county', '')} {place.get('town', '')} {place.get('village', '')}{group}")
        self.info["贫困户属性"].setText(show("attribute"))
        self.info["脱贫状态"].setText(show("poverty_status"))
        self.info["主要致贫原因"].setText(show("main_cause"))
        self.info["其他致贫原因"].setText(show("other_causes"))
        figure = households.family_size(self.store, self.household_id)
        size_text = f"{figure.size} 人"
        if figure.overridden and figure.size != figure.registered:
            size_text += f"（按填写的人数计，在册 {figure.registered} 人）"
        left = households.left_members(self.store, self.household_id)
        if left:
            size_text += f"（另有 {len(left)} 人已离开本户）"
        self.info["家庭人口数"].setText(size_text)
        self.info["联系电话"].setText(show("phone"))
        if households.is_provisional(h.get("number")):
            self.title.setText(self.title.text() + "（临时编号，待县里分配）")

        # One 家庭人口数 for the page, 人均纯收入 and the handbook.
        s = income_summary({**h, "size": figure.size}, figure.size)
        self.income["年收入"].setText(yuan(s.annual_income))
        self.income["生产经营性支出"].setText(yuan(s.business_expense))
        self.income["纯收入"].setText(yuan(s.net_income))
        per_head = yuan(s.per_capita)
        if s.per_capita is not None and s.size_from_members:
            per_head += f"（按在册 {s.size} 人计）"
        self.income["人均纯收入"].setText(per_head)
        parts = [(hpart.by_key[k].label.removeprefix("其中："), h.get(k)) for k in
                 ("dibao_income", "tekun_income", "pension_income", "eco_income", "other_transfer_income")]
        transfer = "、".join(f"{label} {yuan(v)}" for label, v in parts if v)
        self.income["其中转移性收入"].setText(transfer or "—")
        for fld in self.extra_income:
            value = h.get(fld.key)
            self.income[fld.label].setText("—" if value is None else yuan(value))
        if self.monitoring_box is not None:
            self.monitoring_box.show_answers(h)

        self._show_cadres()
        self._show_members(members)
        problems = [p.message for p in household_problems(
            self.store.questionnaire, [m for m in members if households.is_present(m)])]
        # The household part's own consistency rules (监测户 without its category …), as the form says them.
        rule_ids = {r.get("id") for r in hpart.rules}
        problems += [p.message for p in validate(hpart, {f.key: h.get(f.key) for f in hpart.fields})[1]
                     if p.rule in rule_ids]
        if figure.warning:
            problems.append(figure.warning)
        below = monitoring.below_line(self.store, {**h, "size": figure.size}, figure.size)  # 人均纯收入 < 监测线
        if below is not None:
            problems.append(below.message)
        self.warnings.setText("；".join(problems))
        self.warnings.setVisible(bool(problems))
        _fill(self.visits, [[v["visit_date"] or "", v["cadre_name"] or "", v["content"] or "",
                             v["problems_solved"] or ""] for v in register.visits_of(self.store, self.household_id)])
        self.visits.resizeRowsToContents()
        _fill(self.measures, [[m["kind"] or "", m["title"] or "", m["member_name"] or "（全户）",
                               m["start_date"] or "", m["end_date"] or "",
                               "已完成" if m["completed"] else "进行中"]
                              for m in measures_of(self.store, self.household_id)])
        self.message.clear()

    def _show_cadres(self) -> None:
        history = register.cadre_history(self.store, self.household_id)
        current = [c for c in history if not c["until"]]
        if current:
            c = current[0]
            lines = [c["name"] + (f"（{c['level']}）" if c.get("level") else "")]
            lines += [x for x in (c.get("unit"), c.get("phone") and f"电话 {c['phone']}") if x]
            lines.append(f"自 {c['since']} 起帮扶")
            self.cadre_label.setText("\n".join(lines))
        else:
            self.cadre_label.setText("尚未确定帮扶责任人")
        earlier = [f"{c['name']}（{c['since']} 至 {c['until']}）" for c in history if c["until"]]
        self.cadre_history_label.setText("此前：" + "；".join(earlier) if earlier else "")
        self.cadre_history_label.setVisible(bool(earlier))

    def _show_members(self, members: list[dict]) -> None:
        selected = self.current_member_id()
        mpart = self.store.questionnaire.member
        with_drafts = drafts.drafts_of_household(self.store, self.household_id)
        rows = []
        for m in members:
            row = []
            for key, _header in ROSTER_COLUMNS:
                if key == "age":
                    age = member_age(m)
                    row.append("" if age is None else str(age))
                elif key == "note":
                    notes = []
                    if m.get("left_on"):
                        notes.append(f"已{m.get('left_reason') or '离开'}（{m['left_on']}），不计入人口")
                    if m["id"] in with_drafts:
                        notes.append("有未保存的草稿")
                    row.append("；".join(notes))
                elif key in mpart.by_key:
                    row.append(display(mpart.by_key[key], m.get(key)))
                else:
                    row.append(str(m.get(key) or ""))
            rows.append(row)
        self.member_ids = [m["id"] for m in members]
        _fill(self.members, rows)
        note_col = len(ROSTER_COLUMNS) - 1
        for r in range(len(rows)):
            item = self.members.item(r, note_col)
            if item.text():
                item.setForeground(Qt.GlobalColor.darkYellow)
        if selected in self.member_ids:
            self.members.selectRow(self.member_ids.index(selected))
        elif self.member_ids:
            self.members.selectRow(0)
        self._member_selected()

    def _member_selected(self) -> None:
        """The spell list follows the member selected in the members table."""
        rows = self.members.selectionModel().selectedRows() if self.members.selectionModel() else []
        row = rows[0].row() if rows and rows[0].row() < len(self.member_ids) else None
        if row is None:
            self.spells.set_member(None)
            return
        item = self.members.item(row, [k for k, _h in ROSTER_COLUMNS].index("name"))
        self.spells.set_member(self.member_ids[row], item.text() if item is not None else "")

    # ------------------------------------------------------------ window contract
    def current_household_id(self) -> str | None:
        return self.household_id

    def current_member_id(self) -> str | None:
        if self.stack.currentWidget() is self.form:
            return self.form.member_id
        rows = self.members.selectionModel().selectedRows() if self.members.selectionModel() else []
        if rows and rows[0].row() < len(self.member_ids):
            return self.member_ids[rows[0].row()]
        return None

    def on_data_changed(self, *_args) -> None:
        """Another part of the app wrote: show what is stored now."""
        if not self.household_id:
            return
        self.refresh()
        if self.stack.currentWidget() is self.form:
            self.form.reload()

    def on_rows_changed(self, changed: Changed) -> None:
        """Rows were written elsewhere: re-read the household if it is one of them."""
        if changed is self._own_change or not self.household_id:
            return
        if self.household_id in changed.ids("households") or set(self.member_ids) & changed.ids("members"):
            self.on_data_changed()

    _own_change: Changed | None = None

    def _written(self, changed: Changed | None = None) -> None:
        """After a write made here; ``changed`` None (household moves, leaves,
        a new head) means every page re-reads (``data_changed``)."""
        self.refresh()
        self._own_change = changed
        try:
            self.changed.emit(changed)
        finally:
            self._own_change = None

    def go_back(self) -> None:
        if self.stack.currentWidget() is self.form:
            self.form.go_back()
            return
        self.back_requested.emit()
        if self.main_window is not None:
            self.main_window.show_page("register")


def install(window) -> None:
    """Add the household page and the 户 menu's member actions to the main
    window. The page (its survey form has an editor for every question) is
    built when a household is first opened, not at start-up."""
    def build() -> HouseholdPage:
        page = HouseholdPage(window.store, window)
        page.changed.connect(window.notify_changed)
        window.data_changed.connect(page.on_data_changed)
        window.rows_changed.connect(page.on_rows_changed)
        return page

    window.add_page("household", build, "户详情")
    menu = window.menu("户")
    menu.addSeparator()
    for text, slot in (("新建户…", "new_household"), ("编辑户信息…", "edit_household"),
                       ("户信息修改历史…", "show_household_history"),
                       ("新增成员", "new_member"), ("编辑调查", "edit_survey"),
                       ("迁到另一户…", "member_moves"), ("离开本户（死亡、迁出）…", "member_leaves"),
                       ("设为户主", "make_head"),
                       ("添加走访", "add_visit"), ("修改历史", "show_history")):
        action = menu.addAction(text)
        action.setObjectName(f"householdAction_{text.rstrip('…')}")
        action.triggered.connect(lambda _checked=False, s=slot: getattr(window.page("household"), s)())
