"""The newcomer walk on the first-start page from the keyboard: the cadre
types the package path and the 启用码 and presses Enter, as in every form."""

from __future__ import annotations

from PySide6.QtCore import Qt

from cadre_desk.sync import export as sync_export
from cadre_desk.sync import roles
from helpers_qt import type_text
from helpers_sync import county_with_households
from ui.app import Launcher, application


def test_enter_in_the_code_field_enrols_the_laptop(qtbot, tmp_path):
    application()
    county = county_with_households(tmp_path / "county.db")
    setup = sync_export.write_setup_package(county, "王芳", tmp_path / "wangfang.cdsync")
    county.db.conn.close()
    (tmp_path / "real").mkdir()
    launcher = Launcher(str(tmp_path / "real" / "cadre-desk.db"))
    launcher.start()
    try:
        page = launcher.first_start_page
        page.activateWindow()
        qtbot.waitUntil(page.isActiveWindow)  # (offscreen: focus needs the active window)
        type_text(qtbot, "王芳", page.user_name)
        qtbot.keyClick(page.user_name, Qt.Key.Key_Return)
        page.package_path.setFocus()
        type_text(qtbot, str(setup.path), page.package_path)
        qtbot.keyClick(page.package_path, Qt.Key.Key_Return)
        assert page.code.hasFocus()
        type_text(qtbot, "AAAA-BBBB-CCCC-DDDD", page.code)
        qtbot.keyClick(page.code, Qt.Key.Key_Return)
        assert "启用码不对" in page.message.text() and launcher.window is None
        page.code.clear()
        type_text(qtbot, setup.code, page.code)
        from helpers_qt import when_modal
        from PySide6.QtWidgets import QMessageBox

        when_modal(QMessageBox, lambda box: box.accept())
        qtbot.keyClick(page.code, Qt.Key.Key_Return)
        window = launcher.window
        assert window is not None
        qtbot.waitUntil(lambda: window.running_jobs() == 0 and roles.role(window.store) == roles.LAPTOP,
                        timeout=20000)
    finally:
        launcher.close()
