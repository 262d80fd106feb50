"""Saving a member's survey and keeping its draft: the draft offered back on
opening, kept a second after the last edit and when the form is left, the
save through the register's one write path, and a save made elsewhere in the
meantime (a second window, a sync import) merged rather than overwritten.
A mixin of ui.survey_form.SurveyForm: it uses the form's widgets and store."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shiboken6

from cadre_desk import drafts, register
from cadre_desk.errors import CadreDeskError, DuplicateIdNumber, ValidationFailed
from cadre_desk.questionnaire import ERROR, Problem
from ui.colors import ERROR_COLOR
from ui.dialog_buttons import ask_restore_draft
from ui.field_editors import keep_newer_answers


class SurveySaving:
    """Drafts and saving of the survey form."""

    def _offer_draft(self) -> None:
        key = self.draft_key
        draft = drafts.load_draft(self.store, key) if key else None
        if draft is None:
            return
        answers = {k: v for k, v in draft.answers.items() if k in self.rows}
        if all(answers.get(k) == self._baseline.get(k) for k in self.rows):
            drafts.discard_draft(self.store, key)
            return
        if self.ask_restore(draft):
            self._set_answers(answers)
            self._touched = {k for k in self.rows if answers.get(k) != self._baseline.get(k)}
            self.status.setText(f"已恢复 {draft.saved_at_local} 的草稿，尚未保存")
        else:
            drafts.discard_draft(self.store, key)
            self.status.setText("已放弃草稿")

    def ask_restore_draft(self, draft: drafts.Draft) -> bool:
        return ask_restore_draft(self, "调查表草稿", draft.saved_at_local)

    def flush_draft(self) -> None:
        """Keep the current answers as a draft now (or drop the draft when
        nothing differs from what is saved)."""
        self._draft_timer.stop()
        key = self.draft_key
        if key is None:
            return
        try:
            if self.is_dirty():
                drafts.save_draft(self.store, key, self.answers(), household_id=self.household_id)
                self.status.setText(f"草稿已自动保存 {dt.datetime.now():%H:%M:%S}，尚未保存到花名册")
            else:
                drafts.discard_draft(self.store, key)
        except CadreDeskError as exc:
            self.status.setText(exc.message)

    def _leave(self) -> None:
        """Before another member is shown: keep unsaved work as a draft."""
        if self.draft_key is not None:
            self.flush_draft()

    def _alive(self) -> bool:
        # At interpreter exit Qt may delete the children before hiding us.
        return all(shiboken6.isValid(row.editor) for row in self.rows.values())

    def save(self) -> bool:
        """Save the member; errors are shown beside their fields and block
        saving, warnings are shown and do not. Returns True when saved."""
        if self.household_id is None:
            return False
        self._save_attempted = True
        self._server_problems = []
        for row in self.rows.values():
            if hasattr(row.editor, "complete_unique"):
                row.editor.complete_unique()
        problems = self.refresh_validation()
        errors = [p for p in problems if p.severity == ERROR]
        if errors:
            return self._refused(errors)
        try:
            answers, merged = self._merge_saved_elsewhere()
            member_id, warnings = register.save_member(
                self.store, answers, household_id=self.household_id, member_id=self.member_id)
        except ValidationFailed as exc:
            self._server_problems = list(exc.problems)
            self.refresh_validation()
            return self._refused(exc.problems)
        except DuplicateIdNumber as exc:
            self._server_problems = [Problem("id_number", exc.message, ERROR, "duplicate")]
            self.refresh_validation()
            return self._refused(self._server_problems)
        except CadreDeskError as exc:
            self.flush_draft()
            self.status.setText(exc.message)
            self.status.setStyleSheet(f"color: {ERROR_COLOR};")
            return False
        old_key = self.draft_key
        self._draft_timer.stop()
        self.member_id = member_id
        for key in {old_key, self.draft_key}:
            drafts.discard_draft(self.store, key)
        self._load_saved(warnings)
        if merged:
            self.status.setText(f"{self.status.text()}。{merged}")
        self.saved.emit(member_id)
        return True

    def _stored_values(self, record: dict[str, Any]) -> dict[str, Any]:
        return {f.key: record.get(f.key) for f in self.part.fields}

    def _merge_saved_elsewhere(self) -> tuple[dict[str, Any], str]:
        """The answers to save, taking what was saved elsewhere meanwhile
        (``keep_newer_answers``), and what to tell the user."""
        answers = self.answers()
        if not self.member_id:
            return answers, ""
        now = self._stored_values(register.member(self.store, self.member_id))
        editors = {key: (row.editor, row.field.label) for key, row in self.rows.items()}
        self._loading = True  # the editors set here are not the user's edits
        try:
            said = keep_newer_answers(answers, self._baseline, self._stored, now, editors)
        finally:
            self._loading = False
        return answers, said

    def _load_saved(self, warnings: list[Problem]) -> None:
        record = register.member(self.store, self.member_id)
        self._stored = self._stored_values(record)
        self._set_answers(self._stored)
        self._baseline = self.answers()
        self._touched, self._save_attempted = set(), False
        self.last_warnings = warnings
        self.refresh_validation()
        self._update_header()
        note = f"，有 {len(warnings)} 条提醒请核实" if warnings else ""
        self.status.setStyleSheet("color: #2e7d32;")
        self.status.setText(f"已保存 {dt.datetime.now():%H:%M:%S}{note}")

    def _refused(self, errors: list[Problem]) -> bool:
        self.flush_draft()
        self.status.setStyleSheet(f"color: {ERROR_COLOR};")
        self.status.setText(f"有 {len(errors)} 处错误，未保存（草稿已保留）：{errors[0].message}")
        if errors[0].field in self.rows:
            self.focus_field(errors[0].field)
        return False

    # ------------------------------------------------------------ navigation
