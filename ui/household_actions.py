"""The household page's actions (the 户 menu and the page's buttons): edit a
member's survey, add, remove, move and make head of a member, a member
leaving, the change history, visits, new and edited households. A mixin of
ui.household_page.HouseholdPage: it uses the page's widgets and store."""

from __future__ import annotations


from cadre_desk import drafts, households, register
from cadre_desk.changes import Changed
from cadre_desk.errors import CadreDeskError
from ui.history_dialog import HistoryDialog
from ui.household_form import HouseholdForm, ask_member_leave, ask_member_move
from ui.colors import ERROR_COLOR, WARNING_COLOR
from ui.visit_dialog import VisitDialog
from ui.dialog_buttons import ask


class HouseholdActions:
    """What the user does to a household from its page."""

    def _household_for_action(self) -> str | None:
        """The household a menu action works on: when the window shows another
        page (the register), the one selected there; else the one shown here."""
        window = self.main_window
        if window is None:
            return self.household_id
        if window.current_page_key() != "household" or not self.household_id:
            household_id = window.current_household_id()
            if household_id:
                member_id = window.current_member_id()
                self.show_household(household_id)
                if member_id:
                    self.select_member(member_id)
                self._show_in_window()
        return self.household_id

    def _show_in_window(self) -> None:
        if self.main_window is not None:
            self.main_window.show_page("household")

    # ------------------------------------------------------------ actions
    def edit_survey(self, member_id: str | None = None) -> bool:
        """Open the survey form for ``member_id`` (default: the selected member)."""
        if not self._household_for_action():
            return False
        member_id = member_id or self.current_member_id()
        if not member_id:
            self.message.setText("请先在家庭成员表中选中一名成员")
            return False
        if member_id not in self.member_ids:
            household_id = register.member(self.store, member_id)["household_id"]
            self.show_household(household_id)
        self.stack.setCurrentWidget(self.form)
        self._show_in_window()
        self.form.open_member(member_id)
        return True

    def new_member(self) -> bool:
        if not self._household_for_action():
            return False
        self.stack.setCurrentWidget(self.form)
        self._show_in_window()
        self.form.new_member(self.household_id)
        return True

    def confirm(self, title: str, text: str) -> bool:
        return ask(self, title, text, "删除", destructive=True)

    def remove_member(self) -> bool:
        """Remove the selected member (soft; it can be undone from the history)."""
        member_id = self.current_member_id()
        if not self.household_id or not member_id:
            self.message.setText("请先在家庭成员表中选中一名成员")
            return False
        m = register.member(self.store, member_id)
        if not self.confirm("删除成员", f"确定从本户删除 {m.get('relation') or ''} {m['name']} 吗？"
                                        "删除后可在该成员的修改历史中撤销。"):
            return False
        try:
            register.remove_member(self.store, member_id)
        except CadreDeskError as exc:
            self.message.setStyleSheet(f"color: {ERROR_COLOR};")
            self.message.setText(exc.message)
            return False
        drafts.discard_draft(self.store, drafts.draft_key(member_id=member_id))
        self._written(Changed.of(members=member_id, households=self.household_id))
        self.message.setStyleSheet("")
        self.message.setText(f"已删除 {m['name']}")
        return True

    def show_history(self, member_id: str | None = None) -> HistoryDialog | None:
        if not member_id:
            self._household_for_action()
        member_id = member_id or self.current_member_id()
        if not member_id:
            self.message.setText("请先在家庭成员表中选中一名成员")
            return None
        dialog = HistoryDialog(self.store, member_id, self)
        dialog.reverted.connect(lambda _seq, mid=member_id: self._after_revert(mid))
        self.history_dialog = dialog
        dialog.exec()
        return dialog

    def _after_revert(self, member_id: str) -> None:
        if self.stack.currentWidget() is self.form:
            self.form.reload()
        self._written(Changed.of(members=member_id, households=self.household_id))

    def add_visit(self) -> str | None:
        if not self._household_for_action():
            return None
        dialog = VisitDialog(self.store, self.household_id, self)
        self.visit_dialog = dialog
        if dialog.exec() and dialog.visit_id:
            self._written(Changed.of(visits=dialog.visit_id, households=self.household_id))
            return dialog.visit_id
        return None

    # ------------------------------------------------------------ households
    def edit_household(self, *, run: bool = True):
        """编辑户信息: the generated household form. Returns the form (``run``
        False: not executed, for tests that fill it in)."""
        if not self._household_for_action():
            return None
        form = HouseholdForm(self.store, self.household_id, self)
        self.household_form = form
        if run and form.exec():
            self._after_household_form(form)
        return form

    def new_household(self, *, run: bool = True):
        """户 → 新建户: village, number, head and the household part."""
        place = register.household_place(self.store, self.household_id) if self.household_id else {}
        form = HouseholdForm(self.store, None, self, town_id=place.get("town_id"),
                             village_id=place.get("village_id"))
        self.household_form = form
        if run and form.exec():
            self._after_household_form(form)
        return form

    def _after_household_form(self, form: HouseholdForm) -> None:
        self.household_id = form.household_id
        self._written()
        self.show_overview()
        self._show_in_window()
        said = [w.message for w in form.warnings] + ([form.saved_elsewhere] if form.saved_elsewhere else [])
        self.message.setStyleSheet(f"color: {WARNING_COLOR};" if said else "")
        self.message.setText("已保存" + ("：" + "；".join(said) if said else ""))

    def show_household_history(self) -> HistoryDialog | None:
        """The household's own changes (户信息), each can be undone."""
        if not self._household_for_action():
            return None
        dialog = HistoryDialog(self.store, None, self, household_id=self.household_id)
        dialog.reverted.connect(lambda _seq: self._after_revert())
        self.history_dialog = dialog
        dialog.exec()
        return dialog

    def member_leaves(self) -> bool:
        member_id = self.current_member_id()
        if not self.household_id or not member_id:
            self.message.setText("请先在家庭成员表中选中一名成员")
            return False
        if ask_member_leave(self, self.store, member_id):
            self._written()
            return True
        return False

    def member_moves(self) -> bool:
        member_id = self.current_member_id()
        if not self.household_id or not member_id:
            self.message.setText("请先在家庭成员表中选中一名成员")
            return False
        if ask_member_move(self, self.store, member_id):
            self._written()
            return True
        return False

    def make_head(self) -> bool:
        member_id = self.current_member_id()
        if not self.household_id or not member_id:
            self.message.setText("请先在家庭成员表中选中一名成员")
            return False
        try:
            households.change_head(self.store, self.household_id, member_id)
        except CadreDeskError as exc:
            self.message.setStyleSheet(f"color: {ERROR_COLOR};")
            self.message.setText(exc.message)
            return False
        self._written()
        self.message.setStyleSheet("")
        self.message.setText("已更换户主；原户主的与户主关系改为“其他”，请在其调查表中改成实际关系")
        return True
