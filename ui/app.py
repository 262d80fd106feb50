"""Starting the desktop app: QApplication, the bundled font and Qt's Chinese
strings, then either the main window on the user's database or, when that
database has no households yet, the first-start page (``ui.first_start``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from cadre_desk import first_start, places, search
from cadre_desk.errors import CadreDeskError
from cadre_desk.paths import DB_ENV
from cadre_desk.paths import default_db_path
from cadre_desk.storage import Store

from . import errors as ui_errors
from .fonts import apply_app_font
from .screen import fit


def application(argv: list[str] | None = None) -> QApplication:
    """The one QApplication, with the app's name and font."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("CadreDesk")
    app.setApplicationDisplayName("帮扶工作台")
    app.setOrganizationName("CadreDesk")
    apply_app_font(app)
    _install_qt_translations(app)
    return app


def _install_qt_translations(app: QApplication) -> None:
    """Qt's own Chinese strings (file dialogs, standard buttons): ``ui.translations``."""
    from .translations import install

    install(app)


def database_path(db_path: str | None) -> str | None:
    """``--db`` wins, then CADRE_DESK_DB, then the location chosen in 设置,
    then the default (``open_store`` decides that one)."""
    if db_path or os.environ.get(DB_ENV):
        return db_path
    from .settings_dialog import chosen_db_path

    return chosen_db_path()


def open_database(db_path: str | None, store: Store | None = None) -> Store | None:
    """Open the store for the window (unless ``store`` is it, already open)
    and make sure the county exists: through the sign-in window for an
    encrypted file (credentials from the environment for scripts and tests).
    None when the user cancelled. Never adds a demo: the demo county lives in
    its own file (``first_start.open_demo``)."""
    if store is None:
        from .sign_in import obtain_store

        store = obtain_store(db_path or default_db_path())
    if store is None:
        return None
    for notice in store.notices:
        QMessageBox(QMessageBox.Icon.Information, "帮扶工作台", notice).exec()
    places.ensure_county(store)
    return store


def create_window(store: Store):
    from .main_window import MainWindow

    window = MainWindow(store)
    ui_errors.install_excepthook(lambda: window)
    if not first_start.is_demo(store):  # the demo file has no users to unlock with
        from .sign_in import SessionLock

        window.session_lock = SessionLock(window, store)
    if search.pending_count(store):
        # New people (e.g. the demo county, or a roster imported by the
        # command) still need their pinyin: fill it quietly in the background,
        # once the register has painted (it would compete with the first paint).
        window.after_first_paint = AfterFirstPaint(window.register_view.table.viewport(), lambda: window.run_job(
            "正在建立拼音索引", lambda progress, cancelled: search.update_search_index(store, progress=progress),
            show_dialog=False))
    return window


class AfterFirstPaint(QObject):
    """Runs ``fn`` once, just after ``widget`` has first painted."""

    def __init__(self, widget, fn):
        super().__init__(widget)
        self.fn = fn
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.fn is not None:
            fn, self.fn = self.fn, None
            obj.removeEventFilter(self)
            QTimer.singleShot(0, fn)
        return False


class Launcher:
    """Which top-level window is up: the first-start page, the main window on
    the real database, or the main window on the demo's own file."""

    def __init__(self, db_path: str | None):
        self.db_path = first_start.real_path(db_path)
        self.window = None  # the MainWindow, when one is open
        self.first_start_page = None
        self.store: Store | None = None

    def start(self) -> None:
        """The user's database with households opens the main window; a
        missing or empty one opens the first-start page."""
        needed, opened = first_start.check_first_start(self.db_path)
        if needed:
            self.show_first_start()
        else:
            store = open_database(str(self.db_path), opened)
            if store is None:  # sign-in cancelled
                QTimer.singleShot(0, QApplication.quit)
                return
            self.open_main(store)

    def show_first_start(self) -> None:
        from .first_start import FirstStartPage

        page = FirstStartPage(self.db_path)
        page.chosen.connect(self._chosen)
        fit(page, 900, 700)
        page.show()  # before the old window closes, or Qt would quit
        self._replace(page)
        self.first_start_page = page

    def open_main(self, store: Store):
        window = create_window(store)
        window.reopen = self.open_main  # 文件 → 从备份恢复 opens the window again on the restored file
        if first_start.is_demo(store):
            from .first_start import install_demo_controls

            install_demo_controls(window, self.close_demo)
        window.show()
        self._replace(window, store)
        self.window, self.store = window, store
        return window

    def _replace(self, widget, store: Store | None = None) -> None:
        """Close the previous window (and its database) once ``widget`` is up."""
        for old in (self.window, self.first_start_page):
            if old is not None and old is not widget:
                old.close()
                old.deleteLater()
        self.window = self.first_start_page = None
        if self.store is not None and self.store is not store:
            self.store.db.conn.close()
        self.store = None

    def _chosen(self, store: Store, kind: str, detail) -> None:
        places.ensure_county(store)
        window = self.open_main(store)
        if kind == "roster":
            from .roster_dialogs import start_import

            start_import(window, detail)
        elif kind == "setup":
            self._import_setup(window, *detail)

    def _import_setup(self, window, path: str, code: str) -> None:
        from cadre_desk.sync.importer import import_package

        def done(result) -> None:
            window.data_changed.emit()
            try:
                from .sync_dialogs import summary_text
                text = summary_text(result)
            except ImportError:
                text = "启用包已导入"
            QMessageBox.information(window, "导入启用包", text)

        window.run_job("导入启用包", lambda progress, cancelled: import_package(window.store, path, code=code), done)

    def close_demo(self) -> None:
        """文件 → 关闭演示: back to the real database (or its first start). A
        demo opened as the user's own database goes back to the default one
        (``first_start.leave_demo``; a demo filling the default place is moved
        to its own file first)."""
        store = self.store
        if store is not None and store.path is not None and Path(store.path).resolve() == self.db_path.resolve():
            try:
                self.db_path = first_start.leave_demo(store)
            except CadreDeskError as exc:
                QMessageBox.warning(self.window, "关闭演示", exc.message)
                return
        self.start()

    def close(self) -> None:
        self._replace(None)


def run(db_path: str | None) -> int:
    app = application()
    launcher = Launcher(database_path(db_path))
    try:
        launcher.start()
    except CadreDeskError as exc:
        box = QMessageBox(QMessageBox.Icon.Critical, "帮扶工作台", f"无法打开数据库：{exc.message}")
        box.exec()
        return 1
    code = app.exec()
    # A background job (the pinyin fill after the first paint) may still be
    # writing: let it finish before the database is backed up and closed.
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone()
    if launcher.store is not None and not first_start.is_demo(launcher.store):
        try:
            from cadre_desk.backup import automatic_backup

            automatic_backup(launcher.store)  # at most daily, the newest 7 kept
        except (CadreDeskError, OSError) as exc:
            print(f"自动备份没有完成：{getattr(exc, 'message', exc)}", file=sys.stderr)
    launcher.close()
    return code
