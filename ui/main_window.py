"""The main window: menus, a left navigation list beside a stack of pages, the
demo banner, background jobs, and the plug-in point for feature modules.

Feature modules (``ui.household_page``, ``ui.print_preview``, ``ui.dashboard``,
``ui.sync_dialogs``) each define ``install(window)`` and use only this API:
``store``, ``menu(title)``, ``add_page(key, widget_or_builder, title)``, ``page(key)``, ``show_page(key)``,
``open_household(id, member_id=None)``, ``current_household_id()``, ``current_member_id()``,
``notify_changed(changed)`` after a write, ``refresh_when_shown(widget, fn)`` and
``run_job(title, fn, on_done)``.

What a write changed decides what is refreshed. ``notify_changed(changed)``
with a ``cadre_desk.changes.Changed`` (the tables and ids written: a survey
save, a visit) emits ``rows_changed(changed)``, and each page refreshes only the
rows it shows of those; without one (an import, a sync package, a setting) it
emits ``data_changed`` and every page re-reads what it shows. A page that is
not on screen does neither at once: ``refresh_when_shown`` runs its refresh
when it is shown next.

A page may be given as a function that builds it: it is then built the first
time it is shown or asked for (``page(key)``), so that the pages nobody opens
cost the start of the window nothing.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow, QMenu, QMessageBox, QScrollArea,
    QVBoxLayout, QWidget,
)

from cadre_desk import register
from cadre_desk.changes import Changed
from cadre_desk.storage import Store

from . import errors as ui_errors
from .dialog_buttons import ask
from .jobs import Job
from .register_view import RegisterView
from .screen import PageStack
from .screen import fit as fit_to_screen

MENU_ORDER = ["文件", "户", "岗位", "打印", "同步", "设置", "帮助"]
FEATURE_MODULES = ["ui.household_page", "ui.print_preview", "ui.dashboard", "ui.sync_dialogs",
                   "ui.audit_page", "ui.restore_dialog"]  # g12: issue 12
OWN_MODULES = ["ui.roster_dialogs", "ui.settings_dialog"]
DEMO_TEXT = "演示数据：这是虚构的演示县，不是真实数据"
BACK_TO_REGISTER = "Alt+Home"


class MainWindow(QMainWindow):
    data_changed = Signal()  # anything may have changed: every page re-reads what it shows
    rows_changed = Signal(object)  # a Changed: only those rows were written

    def __init__(self, store: Store, parent=None, *, install_features: bool = True):
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.store = store
        self.setWindowTitle("帮扶工作台")
        self._menus: dict[str, QMenu] = {}
        self._pages: dict[str, QWidget] = {}
        self._builders: dict[str, Callable[[], QWidget]] = {}  # pages not built yet
        self._jobs: set[Job] = set()
        self._after_unlock: list[Callable[[], None]] = []  # job endings held while locked
        self._current_household_id: str | None = None
        self._pending_member_id: str | None = None  # the person a search hit pointed at
        self._stale: dict[int, tuple[QWidget, list[Callable[[], None]]]] = {}  # page → refreshes owed

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(120)
        self.nav.setSpacing(3)
        self.nav.currentItemChanged.connect(self._nav_changed)
        self.stack = PageStack()
        self.stack.setObjectName("pages")
        # A page that needs more room than a small screen has (a 1024×600
        # netbook) scrolls instead of pushing the window off the screen.
        self.page_area = QScrollArea()
        self.page_area.setObjectName("pageArea")
        self.page_area.setWidget(self.stack)
        self.page_area.setWidgetResizable(True)
        self.page_area.setFrameShape(QFrame.Shape.NoFrame)
        self.page_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no Tab stop of its own between the pages' fields
        self.banner = QLabel(DEMO_TEXT)
        self.banner.setObjectName("demoBanner")
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setStyleSheet("QLabel#demoBanner { background: #fff3c4; color: #7a4a00; padding: 4px;"
                                  " border-bottom: 1px solid #e0c060; font-size: 11pt; }")

        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(self.page_area, 1)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.banner)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.register_view = RegisterView(store)
        self.register_view.open_requested.connect(self._open_from_register)
        self.add_page("register", self.register_view, "户花名册")
        self.data_changed.connect(self.refresh_when_shown(self.register_view, self.register_view.refresh))
        self.data_changed.connect(self.update_demo_banner)
        self.rows_changed.connect(self._after_rows_changed)
        self._build_own_menus()
        self.update_demo_banner()

        # Window context (the default): works on every page and never clashes
        # with another window's shortcut.
        back = QShortcut(QKeySequence(BACK_TO_REGISTER), self)
        back.activated.connect(self.back_to_register)
        self.statusBar().showMessage(f"Ctrl+F 搜索　{BACK_TO_REGISTER} 返回户花名册")
        fit_to_screen(self, 1366, 768)
        if install_features:
            self.install_features()

    # ------------------------------------------------------------ plug-ins
    def install_features(self) -> None:
        """Call ``install(window)`` of each feature module that exists. A module
        that exists but fails to import raises: that is a bug to see, not hide."""
        for name in [*OWN_MODULES, *FEATURE_MODULES]:
            if importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
            install = getattr(module, "install", None)
            if install is not None:
                install(self)
        self.menu("帮助")  # always last, always present

    # ------------------------------------------------------------ menus
    def menu(self, title: str) -> QMenu:
        """The menu called ``title``, created on first use in the standard order
        (文件, 户, 岗位, 打印, 同步, 设置, 帮助; others before 帮助)."""
        if title in self._menus:
            return self._menus[title]
        menu = QMenu(title, self)
        menu.setObjectName(f"menu_{title}")
        rank = self._menu_rank(title)
        before = None
        for other_title, other in self._menus.items():
            if self._menu_rank(other_title) > rank and (before is None or
                                                         self._menu_rank(other_title) < self._menu_rank(before[0])):
                before = (other_title, other)
        if before is None:
            self.menuBar().addMenu(menu)
        else:
            self.menuBar().insertMenu(before[1].menuAction(), menu)
        self._menus[title] = menu
        return menu

    @staticmethod
    def _menu_rank(title: str) -> float:
        if title in MENU_ORDER:
            return MENU_ORDER.index(title)
        return MENU_ORDER.index("帮助") - 0.5

    def menu_titles(self) -> list[str]:
        return [a.text() for a in self.menuBar().actions()]

    def _build_own_menus(self) -> None:
        file_menu = self.menu("文件")
        file_menu.addSeparator()
        quit_action = QAction("退出", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self._quit_action = quit_action

        household_menu = self.menu("户")
        find = QAction("查找（姓名、拼音、证件号码、户编号）", self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        household_menu.addAction(find)
        back = QAction("返回户花名册", self)
        back.setShortcut(QKeySequence(BACK_TO_REGISTER))
        back.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the window shortcut does the work
        back.triggered.connect(self.back_to_register)
        household_menu.addAction(back)

        help_menu = self.menu("帮助")
        keys = QAction("快捷键", self)
        keys.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys)
        about = QAction("关于帮扶工作台", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # ------------------------------------------------------------ pages
    def add_page(self, key: str, widget: QWidget | Callable[[], QWidget], title: str) -> None:
        """Add a page to the navigation. ``widget`` is the page, or a function
        that builds it when it is first shown or asked for."""
        if key in self._pages or key in self._builders:
            raise ValueError(f"page {key!r} is already registered")
        if isinstance(widget, QWidget):
            self._pages[key] = widget
            self.stack.addWidget(widget)
        else:
            self._builders[key] = widget
        item = QListWidgetItem(title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self.nav.addItem(item)
        if self.nav.count() == 1:
            self.show_page(key)

    def page(self, key: str) -> QWidget | None:
        """The page called ``key`` (built now if it was not yet), or None."""
        builder = self._builders.pop(key, None)
        if builder is not None:
            widget = builder()
            self._pages[key] = widget
            self.stack.addWidget(widget)
        return self._pages.get(key)

    def page_built(self, key: str) -> bool:
        return key in self._pages

    def show_page(self, key: str) -> QWidget:
        widget = self.page(key)
        if widget is None:
            raise KeyError(key)
        self.stack.setCurrentWidget(widget)
        self._run_owed(widget)
        for row in range(self.nav.count()):
            item = self.nav.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == key and self.nav.currentRow() != row:
                self.nav.blockSignals(True)
                self.nav.setCurrentRow(row)
                self.nav.blockSignals(False)
        return widget

    def current_page_key(self) -> str | None:
        current = self.stack.currentWidget()
        return next((k for k, w in self._pages.items() if w is current), None)

    def _nav_changed(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None:
            self.show_page(item.data(Qt.ItemDataRole.UserRole))

    def back_to_register(self) -> None:
        self.show_page("register")
        self.register_view.table.setFocus()

    def focus_search(self) -> None:
        self.show_page("register")
        self.register_view.focus_search()

    # ------------------------------------------------------------ households
    def open_household(self, household_id: str, member_id: str | None = None) -> None:
        """Show the household (with ``member_id``, that person selected)."""
        self._pending_member_id = member_id or None
        self._current_household_id = household_id
        page = self.page("household")
        if page is None:
            self._show_household_summary(household_id)
            return
        page.show_household(household_id)
        select_member = getattr(page, "select_member", None)  # optional in a household page
        if member_id and select_member is not None:
            select_member(member_id)
        self.show_page("household")

    def _open_from_register(self, household_id: str, member_id: str) -> None:
        try:
            self.open_household(household_id, member_id or None)
        except Exception as exc:  # noqa: BLE001 - shown in the standard dialog
            ui_errors.show_error(self, exc)

    def current_household_id(self) -> str | None:
        if self.current_page_key() == "register":
            return self.register_view.selected_household_id() or self._current_household_id
        page = self._pages.get("household")
        getter = getattr(page, "current_household_id", None)
        if callable(getter):
            value = getter()
            if value:
                return value
        return self._current_household_id

    def current_member_id(self) -> str | None:
        if self.current_page_key() == "register":
            return self.register_view.selected_member_id()
        page = self._pages.get("household")
        getter = getattr(page, "current_member_id", None)
        if callable(getter):
            value = getter()
            if value:
                return value
        return self._pending_member_id

    def _show_household_summary(self, household_id: str) -> None:
        """Without a household page installed, say who lives there."""
        h = register.household(self.store, household_id)
        place = register.household_place(self.store, household_id)
        members = register.members_of(self.store, household_id)
        lines = [f"{m.get('relation') or ''} {m['name']}" for m in members]
        QMessageBox.information(self, "户信息", f"户编号 {h.get('number') or ''}　{place.get('town', '')}"
                                f"{place.get('village', '')}\n\n" + "\n".join(lines))

    # ------------------------------------------------------------ writes and jobs
    def notify_changed(self, changed: Changed | None = None) -> None:
        """After a write: ``changed`` says which rows (``rows_changed``); None
        means it is not known (``data_changed``, every page re-reads)."""
        if changed is None:
            self.data_changed.emit()
        elif changed:
            self.rows_changed.emit(changed)

    def _after_rows_changed(self, changed: Changed) -> None:
        # The register shows one row per household (head, people, status, cadre):
        # the rows of the households written, or of the members written, are re-read.
        households = set(changed.ids("households"))
        members = list(changed.ids("members"))
        for i in range(0, len(members), 500):
            chunk = members[i:i + 500]
            households.update(r[0] for r in self.store.db.execute(
                f"SELECT household_id FROM members WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        if households:
            self.register_view.update_households(households)

    def refresh_when_shown(self, widget: QWidget, refresh: Callable[[], None]) -> Callable[..., None]:
        """A slot that runs ``refresh`` now if ``widget`` is the page on screen,
        else the next time it is shown (a hidden page costs a write nothing)."""
        def slot(*_args) -> None:
            if self._on_screen(widget):
                refresh()
            else:
                _w, owed = self._stale.setdefault(id(widget), (widget, []))
                if refresh not in owed:
                    owed.append(refresh)
        return slot

    def _on_screen(self, widget: QWidget) -> bool:
        page = widget
        while page is not None and page not in self._pages.values():
            page = page.parentWidget()
        return page is None or self.stack.currentWidget() is page

    def _run_owed(self, page: QWidget) -> None:
        for key, (widget, owed) in list(self._stale.items()):
            if self._on_screen(widget) and (widget is page or page.isAncestorOf(widget)):
                del self._stale[key]
                for refresh in owed:
                    refresh()

    def update_demo_banner(self) -> None:
        self.banner.setVisible(bool(self.store.get_setting("is_demo")))

    def run_job(self, title: str, fn: Callable[[Callable, Callable], Any],
                on_done: Callable[[Any], None] | None = None, *,
                on_error: Callable[[BaseException], None] | None = None, show_dialog: bool = True) -> Job:
        """Run ``fn(progress, cancelled)`` in a worker thread with a progress
        dialog and a cancel button; ``on_done(result)`` runs on the UI thread.
        An exception goes to the standard error dialog (or ``on_error``)."""
        job = Job(title, fn, self, on_done=self._when_unlocked(on_done),
                  on_error=self._when_unlocked(on_error or (lambda exc: ui_errors.show_error(self, exc))),
                  show_dialog=show_dialog)
        self._jobs.add(job)
        for signal in (job.finished, job.failed):
            signal.connect(lambda _x, j=job: self._jobs.discard(j))
        job.was_cancelled.connect(lambda j=job: self._jobs.discard(j))
        self.statusBar().showMessage(f"{title}…", 3000)
        return job.start()

    def _when_unlocked(self, fn: Callable[[Any], None] | None) -> Callable[[Any], None] | None:
        """``fn`` as a job's ending: held while the window is locked (what it
        shows may name people), run once the password unlocks it."""
        if fn is None:
            return None

        def deliver(value) -> None:
            lock = getattr(self, "session_lock", None)
            if lock is not None and lock.locked:
                self._after_unlock.append(lambda: fn(value))
            else:
                fn(value)
        return deliver

    def after_unlock(self) -> None:
        """The session lock has unlocked: what the jobs held back, now."""
        held, self._after_unlock = self._after_unlock, []
        for fn in held:
            fn()

    def running_jobs(self) -> int:
        return len(self._jobs)

    def _may_close(self) -> bool:
        """Closing cancels the running jobs: one the user started (it has its
        progress dialog) is not cancelled without asking."""
        shown = [job.title for job in self._jobs if job.dialog is not None and not job.done]
        if not shown or not self.isVisible():
            return True
        return ask(self, "帮扶工作台", f"“{'”、“'.join(shown)}”还没有完成。现在关闭窗口会取消它（取消的导入不会写入一半），"
                   "已保存的数据不受影响。\n\n要等它完成，请点“继续等待”。", "取消并关闭", "继续等待", destructive=True)

    # ------------------------------------------------------------ help
    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "快捷键", "\n".join([
            "Ctrl+F　　　搜索（姓名、两个字、拼音首字母、全拼、证件号码后几位、户编号）",
            "↓ 或 Enter　从搜索框进入结果列表",
            "Enter　　　打开选中的户（双击也可以）",
            "Esc　　　　清空搜索框",
            f"{BACK_TO_REGISTER}　　返回户花名册",
            "Ctrl+Q　　　退出",
        ]))

    def show_about(self) -> None:
        from cadre_desk import __version__

        QMessageBox.about(self, "关于帮扶工作台",
                          f"帮扶工作台 {__version__}\n建档立卡贫困户就业帮扶的离线工具。\n"
                          f"数据库：{self.store.path or '内存'}")

    def closeEvent(self, event) -> None:
        try:
            may_close = self._may_close()
        except Exception:  # noqa: BLE001 - an exception here would end the process (PySide6 6.11)
            may_close = True
        if not may_close:
            event.ignore()
            return
        for job in list(self._jobs):
            job.cancel()
        super().closeEvent(event)
        lock = getattr(self, "session_lock", None)
        if lock is not None and event.isAccepted():
            lock.stop()
