"""The first-start page: what a database with no households opens instead of
an empty register or a demo. Three choices, each one step:

- 县就业办：导入花名册 — choose the roster (or several files: the national
  system's list exports together); the page lists them, the database is then
  created and the import runs in the main window, through the menu's own
  path (``roster_dialogs.start_import``);
- 帮扶干部：导入启用包 — the package file and its 启用码 on this page, both
  checked before anything is created;
- 先看看演示 — the demo county, in its own file beside the real database.

The user's name is asked here (it is recorded with every change). The page
creates a database only through ``cadre_desk.first_start.create_database``.
``chosen(store, kind, detail)`` tells the launcher what to open next.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget,
)

from cadre_desk import first_start
from cadre_desk.errors import CadreDeskError

from . import errors as ui_errors
from .roster_dialogs import ask_roster_paths
from .colors import ERROR_STYLE

PACKAGE_FILTER = "启用包 (*.cdsync);;所有文件 (*)"


class FirstStartPage(QWidget):
    chosen = Signal(object, str, object)  # (store, "roster" | "setup" | "demo", detail)

    def __init__(self, db_path: str | Path | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("firstStartPage")
        self.setWindowTitle("帮扶工作台：开始使用")
        self.db_path = first_start.real_path(db_path)
        # Tests replace these to answer the file dialogs.
        self.ask_roster_paths = lambda: ask_roster_paths(self)
        self.ask_package_path = self._ask_package_path
        self.demo_options: dict = {}

        title = QLabel("欢迎使用帮扶工作台")
        title.setStyleSheet("font-size: 20px;")
        where = QLabel(f"您的数据库：{self.db_path}\n里面还没有任何户。请先填写您的姓名，再选择怎样开始。")
        where.setWordWrap(True)
        where.setObjectName("firstStartWhere")

        self.user_name = QLineEdit()
        self.user_name.setObjectName("firstStartUserName")
        self.user_name.setPlaceholderText("如：张明（每一次修改都会记下是谁改的）")
        self.user_name.setMaxLength(30)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("您的姓名："))
        name_row.addWidget(self.user_name, 1)

        # 1. the county office
        county = QGroupBox("县就业办")
        self.roster_button = QPushButton("导入花名册…")
        self.roster_button.setObjectName("firstStartRoster")
        self.roster_button.clicked.connect(lambda: self.choose_roster())
        county_text = QLabel("用县里的贫困户花名册（Excel）建立全县的数据库；国家系统导出的监测对象信息、户信息、"
                             "务工信息等可以一次选择多个文件，作为一次导入。导入后可以为帮扶干部生成启用包。")
        county_text.setWordWrap(True)
        self.roster_files = QLabel()  # the files chosen, while the database is being created
        self.roster_files.setObjectName("firstStartRosterFiles")
        self.roster_files.setWordWrap(True)
        self.roster_files.hide()
        c = QVBoxLayout(county)
        c.addWidget(county_text)
        c.addWidget(self.roster_button, 0, Qt.AlignmentFlag.AlignLeft)
        c.addWidget(self.roster_files)

        # 2. a cadre's laptop
        cadre = QGroupBox("帮扶干部")
        cadre_text = QLabel("用县就业办给您的启用包（.cdsync 文件）和启用码启用这台电脑，只装入您包的户。")
        cadre_text.setWordWrap(True)
        self.package_path = QLineEdit()
        self.package_path.setObjectName("firstStartPackage")
        self.package_path.setPlaceholderText("启用包文件")
        browse = QPushButton("选择文件…")
        browse.setObjectName("firstStartBrowse")
        browse.clicked.connect(self._browse_package)
        self.code = QLineEdit()
        self.code.setObjectName("firstStartCode")
        self.code.setPlaceholderText("XXXX-XXXX-XXXX-XXXX")
        self.setup_button = QPushButton("导入启用包")
        self.setup_button.setObjectName("firstStartSetup")
        self.setup_button.clicked.connect(lambda: self.choose_setup())
        # Enter moves on as in every form: the name to the first choice, the
        # file to the code, the code enrols.
        self.user_name.returnPressed.connect(lambda: self.roster_button.setFocus())
        self.package_path.returnPressed.connect(lambda: self.code.setFocus())
        self.code.returnPressed.connect(lambda: self.choose_setup())
        grid = QGridLayout()
        grid.addWidget(QLabel("启用包："), 0, 0)
        grid.addWidget(self.package_path, 0, 1)
        grid.addWidget(browse, 0, 2)
        grid.addWidget(QLabel("启用码："), 1, 0)
        grid.addWidget(self.code, 1, 1)
        grid.addWidget(self.setup_button, 1, 2)
        k = QVBoxLayout(cadre)
        k.addWidget(cadre_text)
        k.addLayout(grid)

        # 3. the demo
        demo = QGroupBox("先看看")
        demo_text = QLabel(f"打开一个虚构的演示县，保存在单独的文件 {first_start.demo_path_for(self.db_path)} 中，"
                           "不会进入您的数据库。看完后用“文件 → 关闭演示”回到这里。")
        demo_text.setWordWrap(True)
        demo_text.setObjectName("firstStartDemoText")
        self.demo_button = QPushButton("先看看演示")
        self.demo_button.setObjectName("firstStartDemo")
        self.demo_button.clicked.connect(lambda: self.choose_demo())
        d = QVBoxLayout(demo)
        d.addWidget(demo_text)
        d.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.message = QLabel()
        self.message.setObjectName("firstStartMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)

        body = QFrame()
        body.setMaximumWidth(760)
        inner = QVBoxLayout(body)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(where)
        inner.addLayout(name_row)
        inner.addWidget(county)
        inner.addWidget(cadre)
        inner.addWidget(demo)
        inner.addWidget(self.message)
        inner.addStretch(1)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(body, 3)
        outer.addStretch(1)
        self.user_name.setFocus()

    # ------------------------------------------------------------ helpers
    def _ask_package_path(self) -> str:
        return QFileDialog.getOpenFileName(self, "选择启用包", str(Path.home()), PACKAGE_FILTER)[0]

    def _browse_package(self) -> None:
        path = self.ask_package_path()
        if path:
            self.package_path.setText(path)
            self.code.setFocus()

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def _name(self) -> str | None:
        try:
            return first_start.clean_user_name(self.user_name.text())
        except CadreDeskError as exc:
            self.show_message(exc.message)
            self.user_name.setFocus()
            return None

    def _create(self, role: str):
        """The real database, created through the sign-up dialog (its first
        user and password; the data is encrypted) unless the environment
        gives credentials (scripts, tests)."""
        from cadre_desk import users
        from cadre_desk.storage import file_kind

        try:
            store = None
            if users.credentials_from_env() is None and file_kind(Path(self.db_path)) == "new":
                from .sign_in import sign_up

                store = sign_up(self, self.db_path, name=first_start.clean_user_name(self.user_name.text()),
                                role=role)
                if store is None:
                    return None
            return first_start.create_database(self.db_path, self.user_name.text(), store=store)
        except CadreDeskError as exc:
            self.show_message(exc.message)
        except Exception as exc:  # noqa: BLE001 - the standard dialog explains it
            ui_errors.show_error(self, exc)
        return None

    # ------------------------------------------------------------ the choices
    def show_roster_files(self, paths: list[str]) -> None:
        names = "\n".join(f"· {Path(p).name}" for p in paths)
        self.roster_files.setText(f"已选择 {len(paths)} 个文件，作为一次导入：\n{names}")
        self.roster_files.setToolTip("\n".join(paths))
        self.roster_files.show()

    def choose_roster(self, paths: list[str] | None = None):
        """The county office: choose the roster files, then create the
        database; the main window imports them (``chosen`` with the paths)."""
        if self._name() is None:
            return None
        paths = list(paths or self.ask_roster_paths())
        if not paths:
            return None
        self.show_roster_files(paths)
        store = self._create("admin")
        if store is not None:
            self.chosen.emit(store, "roster", paths)
        return store

    def choose_setup(self):
        """A cadre's laptop: the package and its code are checked first."""
        if self._name() is None:
            return None
        path, code = self.package_path.text().strip(), self.code.text().strip()
        try:
            first_start.check_setup_package(path, code)
        except CadreDeskError as exc:
            self.show_message(exc.message)
            (self.code if path else self.package_path).setFocus()
            return None
        store = self._create("cadre")
        if store is not None:
            self.chosen.emit(store, "setup", (path, code))
        return store

    def choose_demo(self):
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        self.show_message("")
        try:
            store = first_start.open_demo(self.db_path, user_name=self.user_name.text(), **self.demo_options)
        except CadreDeskError as exc:
            self.show_message(exc.message)
            return None
        except Exception as exc:  # noqa: BLE001
            ui_errors.show_error(self, exc)
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.chosen.emit(store, "demo", None)
        return store


def demo_banner_text(store) -> str:
    return (f"演示数据：这是虚构的演示县（文件 {store.path}），不是您的数据库。"
            "看完请用“文件 → 关闭演示”回到您的数据库")


def install_demo_controls(window, on_close) -> None:
    """In the demo's window: the banner names the demo's own file, and
    文件 → 关闭演示 (``on_close``) goes back to the real database."""
    from PySide6.QtGui import QAction

    window.banner.setText(demo_banner_text(window.store))
    window.banner.setWordWrap(True)
    menu = window.menu("文件")
    action = QAction("关闭演示，回到我的数据库", window)
    action.setObjectName("closeDemoAction")
    action.triggered.connect(on_close)
    first = menu.actions()[0] if menu.actions() else None
    if first is not None:
        menu.insertAction(first, action)
    else:
        menu.addAction(action)
    window.close_demo_action = action
