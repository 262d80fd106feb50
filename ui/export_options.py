"""Before a file meant for reading is written: masked ID numbers and phones,
or (for users allowed to ask, ``cadre_desk.exports``) full ones, recorded in
the audit trail. Users who may not ask are not asked."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from cadre_desk import exports

MASKED = "隐去中间数字（推荐）"
FULL = "写出完整号码"


def ask_full_numbers(parent, store, what: str) -> bool | None:
    """False for masked numbers, True for full ones, None when cancelled."""
    if not exports.may_write_full_numbers(store):
        return False
    box = QMessageBox(QMessageBox.Icon.Question, what,
                      f"{what}是给人看的文件：证件号码和电话默认只显示前 6 位和后 4 位。\n\n"
                      "确实需要完整号码时可以写出完整号码；这次导出会记入审计记录"
                      "（谁、什么时间、多少人），文件请妥善保管，用完删除。", parent=parent)
    masked = box.addButton(MASKED, QMessageBox.ButtonRole.AcceptRole)
    full = box.addButton(FULL, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(masked)
    box.exec()
    clicked = box.clickedButton()
    if clicked is masked:
        return False
    if clicked is full:
        return True
    return None
