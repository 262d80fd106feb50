"""Issue 12 §3: the 审计记录 page — for the county office's roles only; lists
the entries (time, user, device, action, detail, people), filters them by
day, user and action, shows the chain check (the core's) and exports to
Excel; at the county it also lists what each laptop sent."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

from cadre_desk import audit, users
from ui.audit_page import COLUMNS, AuditPage, install
from ui.main_window import MainWindow


def _entries(store):
    audit.record(store, "export", {"what": "progress", "file": "进度.xlsx", "ids": "full"}, people=42,
                 at="2026-11-02T08:00:00.000+00:00")
    audit.record(store, "print", {"what": "handbook", "household": "0001"}, people=3,
                 at="2026-11-20T09:00:00.000+00:00", user="王芳")
    audit.record(store, "backup", {"file": "b.db"}, at="2026-11-25T10:00:00.000+00:00")


def _column(page, name):
    col = COLUMNS.index(name)
    return [page.table.item(r, col).text() for r in range(page.table.rowCount())]


def test_only_the_county_offices_roles_get_the_page(qtbot, file_store):
    for role, shown in (("admin", True), ("county", True), ("town", False), ("cadre", False)):
        file_store.signed_in = users.SignedIn("某人", role)
        w = MainWindow(file_store, install_features=False)
        qtbot.addWidget(w)
        install(w)
        assert (w.page("audit") is not None) == shown, role
    with pytest.raises(users.NotAllowed):
        AuditPage(file_store)


def test_the_page_lists_filters_and_checks_the_chain(qtbot, file_store):
    _entries(file_store)
    page = AuditPage(file_store)
    qtbot.addWidget(page)
    page.refresh()
    assert page.table.rowCount() == len(audit.entries(file_store))
    ops = [a for a in _column(page, "操作") if a in ("备份", "打印", "导出")]
    assert ops == ["备份", "打印", "导出"]  # newest first
    export_row = _column(page, "操作").index("导出")
    assert _column(page, "人数")[export_row] == "42"
    assert "完整" in _column(page, "内容")[export_row] and "进度.xlsx" in _column(page, "内容")[export_row]
    page.since.setText("2026-11-10")
    page.until.setText("2026-11-21")
    page.refresh()
    assert _column(page, "操作") == ["打印"] and _column(page, "用户") == ["王芳"]
    page.since.setText("")
    page.until.setText("")
    page.user.setCurrentText("王芳")
    page.refresh()
    assert _column(page, "用户") == ["王芳"]
    page.user.setCurrentIndex(0)
    page.action.setCurrentIndex(page.action.findData("backup"))
    page.refresh()
    assert _column(page, "操作") == ["备份"]
    page.verify()
    assert "完整" in page.verdict.text() and "被改动" not in page.verdict.text()
    file_store.db.execute("DROP TRIGGER audit_log_no_update")
    file_store.db.execute("UPDATE audit_log SET people = 1 WHERE action = 'export'")
    page.verify()
    assert "被改动" in page.verdict.text()


def test_a_date_it_cannot_read_is_said_in_chinese(qtbot, file_store):
    page = AuditPage(file_store)
    qtbot.addWidget(page)
    page.since.setText("11月")
    page.refresh()
    assert "看不懂" in page.message.text()


def test_export_to_excel_writes_what_is_shown_and_is_recorded(qtbot, file_store, tmp_path):
    _entries(file_store)
    page = AuditPage(file_store)
    qtbot.addWidget(page)
    page.action.setCurrentIndex(page.action.findData("export"))
    page.refresh()
    out = tmp_path / "审计.xlsx"
    page.export_to(out)
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0][:len(COLUMNS)] == COLUMNS
    assert len(rows) == 1 + page.table.rowCount()
    last = audit.entries(file_store)[-1]
    assert last["action"] == "export" and last["detail"]["what"] == "audit"


def test_the_county_sees_what_each_laptop_sent(qtbot, tmp_path):
    from helpers_sync_trust import Office
    from cadre_desk.sync.importer import import_package

    office = Office(tmp_path)
    try:
        audit.record(office.a, "export", {"what": "progress", "ids": "masked"}, people=7)
        import_package(office.county, office.package(office.a))
        page = AuditPage(office.county)
        qtbot.addWidget(page)
        page.source.setCurrentIndex(page.source.findData("remote"))
        page.refresh()
        assert "王芳" in _column(page, "设备") and "导出" in _column(page, "操作")
        page.device.setCurrentIndex(page.device.findData(office.b.device_id))
        page.refresh()
        assert set(_column(page, "设备")) <= {"李强"}
        page.verify()
        assert "完整" in page.verdict.text()
    finally:
        office.close()
