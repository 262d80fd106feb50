"""Starting the desktop app: QApplication, the bundled font, the database,
the demo county when there is nothing else, and the main window."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from cadre_desk import places, search
from cadre_desk.errors import CadreDeskError
from cadre_desk.paths import DB_ENV
from cadre_desk.paths import default_db_path
from cadre_desk.storage import Store

from . import errors as ui_errors
from .fonts import apply_app_font


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
    """Qt's own Chinese strings (file dialogs, standard buttons)."""
    if getattr(app, "_cadre_translator", None) is not None:
        return
    translator = QTranslator(app)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_",
                       QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
        app._cadre_translator = translator


def database_path(db_path: str | None) -> str | None:
    """``--db`` wins, then CADRE_DESK_DB, then the location chosen in 设置,
    then the default (``open_store`` decides that one)."""
    if db_path or os.environ.get(DB_ENV):
        return db_path
    from .settings_dialog import chosen_db_path

    return chosen_db_path()


def open_database(db_path: str | None) -> Store | None:
    """Open the store, make sure the county exists, and build the demo county
    when the demo module is shipped (it decides whether the database needs it)."""
    from .sign_in import obtain_store

    store = obtain_store(db_path or default_db_path())
    if store is None:
        return None
    places.ensure_county(store)
    if importlib.util.find_spec("cadre_desk.demo") is not None:
        demo = importlib.import_module("cadre_desk.demo")
        demo.ensure_demo_county(store)
    return store


def create_window(store: Store):
    from .main_window import MainWindow

    window = MainWindow(store)
    ui_errors.install_excepthook(lambda: window)
    from .sign_in import SessionLock

    window.session_lock = SessionLock(window, store)
    if search.pending_count(store):
        # New people (e.g. the demo county, or an import by an older version)
        # still need their pinyin: fill it quietly in the background.
        QTimer.singleShot(0, lambda: window.run_job(
            "正在建立拼音索引", lambda progress, cancelled: search.update_search_index(store, progress=progress),
            show_dialog=False))
    return window


def run(db_path: str | None) -> int:
    app = application()
    try:
        store = open_database(database_path(db_path))
    except CadreDeskError as exc:
        box = QMessageBox(QMessageBox.Icon.Critical, "帮扶工作台", f"无法打开数据库：{exc.message}")
        box.exec()
        return 1
    if store is None:
        return 0  # sign-in cancelled
    for notice in store.notices:
        QMessageBox(QMessageBox.Icon.Information, "帮扶工作台", notice).exec()
    window = create_window(store)
    window.show()
    code = app.exec()
    try:
        from cadre_desk.backup import automatic_backup

        automatic_backup(store)  # at most daily, the newest 7 kept
    except (CadreDeskError, OSError) as exc:
        print(f"自动备份没有完成：{getattr(exc, 'message', exc)}", file=sys.stderr)
    store.db.conn.close()
    return code
