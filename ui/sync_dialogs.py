"""The 同步 menu and page: export and import packages (background jobs, with a
summary of what arrived), setup packages for cadres' laptops, the sync log
per device, and the conflict review screen (keep mine / take theirs / edit).

All work is done by ``cadre_desk.sync``; this module only asks for files and
choices and shows results.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QMessageBox, QPushButton,
    QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from cadre_desk import first_start
from cadre_desk.errors import CadreDeskError
from cadre_desk.sync import conflicts as review
from cadre_desk.sync import journal, roles
from cadre_desk.sync.export import export_package, write_setup_package
from cadre_desk.sync.importer import ImportResult, import_package, read_package_file
from cadre_desk.sync.package import KIND_SETUP, PackageRejected, read_outer

from . import errors as ui_errors

PACKAGE_FILTER = "同步数据包 (*.cdsync);;所有文件 (*)"
DEVICE_HEADERS = ["帮扶干部", "身份", "设备号", "最近导入", "最近导出", "待复核冲突", "状态"]
LOG_HEADERS = ["时间", "方向", "对方", "数据包", "内容", "文件"]
REFUSED_HEADERS = ["时间", "对方", "原因", "已告知对方"]
CONFLICT_HEADERS = ["编号", "记录", "字段", "现在的值", "由谁、何时改的", "被覆盖的值", "由谁、何时改的"]


def _table(headers: list[str], name: str) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setObjectName(name)
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(table: QTableWidget, rows: list[list[str]], keys: list | None = None) -> None:
    table.setRowCount(len(rows))
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            if keys is not None and c == 0:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)


def summary_text(result: ImportResult) -> str:
    """What arrived, in the words the summary dialog uses."""
    if result.duplicate:
        return result.summary
    c = result.counts
    lines = [result.summary, "",
             f"新增：{c.get('new', 0)} 条", f"更新：{c.get('updated', 0)} 条",
             f"冲突：{c.get('conflicts', 0)} 处（在“同步 → 冲突复核”中处理）",
             f"拒收：{c.get('rejected', 0)} 条"]
    if c.get("merged_people"):
        lines.append(f"重复录入的人已合并：{c['merged_people']} 名")
    lines += [f"提示：{n}" for n in result.notes]
    return "\n".join(lines)


class SyncPage(QWidget):
    """Devices with their log, and the conflict review."""

    def __init__(self, window):
        super().__init__()
        self.setObjectName("syncPage")
        self.window = window
        self.store = window.store
        self._retired: dict[str, bool] = {}  # device id -> stopped, of the devices listed
        self.identity = QLabel()
        self.identity.setObjectName("syncIdentity")
        self.identity.setWordWrap(True)
        self.notice = QLabel()  # what the last action on this page did
        self.notice.setObjectName("syncNotice")
        self.notice.setWordWrap(True)
        self.tabs = QTabWidget()

        log_tab = QWidget()
        self.devices = _table(DEVICE_HEADERS, "syncDevices")
        self.devices.itemSelectionChanged.connect(self.refresh_log)
        self.devices.itemSelectionChanged.connect(self._device_buttons)
        self.log = _table(LOG_HEADERS, "syncLog")
        self.retire_button = QPushButton("停用所选电脑…")
        self.retire_button.setObjectName("retireDevice")
        self.retire_button.setToolTip("电脑丢失、被盗或更换时停用：不再接受它的数据包，也不再给它导出")
        self.restore_button = QPushButton("恢复所选电脑")
        self.restore_button.setObjectName("restoreDevice")
        self.retire_button.clicked.connect(self.retire_selected)
        self.restore_button.clicked.connect(self.restore_selected)
        device_buttons = QHBoxLayout()
        device_buttons.addWidget(self.retire_button)
        device_buttons.addWidget(self.restore_button)
        device_buttons.addStretch(1)
        lay = QVBoxLayout(log_tab)
        lay.addWidget(QLabel("已登记的设备（选中一台，下面只显示它的记录）"))
        lay.addWidget(self.devices, 1)
        lay.addLayout(device_buttons)
        lay.addWidget(QLabel("同步记录"))
        lay.addWidget(self.log, 2)
        self.tabs.addTab(log_tab, "设备与记录")

        conflict_tab = QWidget()
        self.conflicts = _table(CONFLICT_HEADERS, "syncConflicts")
        self.keep_button = QPushButton("保留本机的值")
        self.keep_button.setObjectName("keepMine")
        self.take_button = QPushButton("采用对方的值")
        self.take_button.setObjectName("takeTheirs")
        self.edit_button = QPushButton("改成别的值…")
        self.edit_button.setObjectName("editValue")
        self.keep_button.clicked.connect(lambda: self.resolve_selected(keep=review.KEEP_MINE))
        self.take_button.clicked.connect(lambda: self.resolve_selected(keep=review.TAKE_THEIRS))
        self.edit_button.clicked.connect(self.edit_selected)
        buttons = QHBoxLayout()
        for b in (self.keep_button, self.take_button, self.edit_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        lay = QVBoxLayout(conflict_tab)
        lay.addWidget(QLabel("两台设备改了同一个字段时，后改的已经生效；被覆盖的值列在这里，请逐条确认。"))
        lay.addWidget(self.conflicts, 1)
        lay.addLayout(buttons)
        self.tabs.addTab(conflict_tab, "冲突复核")

        refused_tab = QWidget()
        self.refused = _table(REFUSED_HEADERS, "syncRefused")
        lay = QVBoxLayout(refused_tab)
        self.refused_help = QLabel()
        self.refused_help.setWordWrap(True)
        lay.addWidget(self.refused_help)
        lay.addWidget(self.refused, 1)
        self.tabs.addTab(refused_tab, "拒收的记录")

        layout = QVBoxLayout(self)
        layout.addWidget(self.identity)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # Packages may have been imported from the menu while another page was shown.
        self.refresh()
        super().showEvent(event)

    # ------------------------------------------------------------ contents
    def refresh(self) -> None:
        store = self.store
        role = roles.role(store)
        if role is None:
            self.identity.setText("本机还没有设置同步。县就业办：用“同步 → 为帮扶干部生成启用包”；"
                                  "帮扶干部：用“同步 → 导入数据包”导入县就业办给的启用包。")
        else:
            who = roles.ROLE_LABELS[role]
            if role == roles.LAPTOP:
                who += f"（{(roles.my_cadre(store) or {}).get('name', '')}）"
            self.identity.setText(f"本机：{who}　设备号 {store.device_id}　{roles.county_info(store).get('name', '')}")
        devices = [d for d in roles.devices(store) if d["id"] != store.device_id]
        counts = dict(store.db.execute("SELECT lost_device, count(*) FROM sync_conflicts WHERE status = 'open' "
                                       "GROUP BY lost_device").fetchall())
        _fill(self.devices, [[d["cadre_name"] or "", roles.ROLE_LABELS.get(d["role"], d["role"]), d["id"],
                              (d["last_import_at"] or "—")[:16].replace("T", " "),
                              (d["last_export_at"] or "—")[:16].replace("T", " "), str(counts.get(d["id"], 0)),
                              "已停用" if d["retired"] else "在用"]
                             for d in devices], [d["id"] for d in devices])
        self._retired = {d["id"]: bool(d["retired"]) for d in devices}
        county = role == roles.COUNTY
        self.retire_button.setVisible(county)
        self.restore_button.setVisible(county)
        self._device_buttons()
        self.refresh_log()
        self.refresh_conflicts()
        self.refresh_refused()

    def refresh_refused(self) -> None:
        if roles.role(self.store) == roles.LAPTOP:
            self.refused_help.setText("县就业办没有接收的本机改动，每条写明原因。请按原因改正后再导出数据包"
                                      "（命令行：cadre-desk sync refused）。")
        else:
            self.refused_help.setText("数据包里没有导入的记录，原样保存待复核；下次给那台电脑导出时会告诉它"
                                      "（命令行：cadre-desk sync refused）。")
        rows = journal.refused_rows(self.store)
        _fill(self.refused, [[(r["at"] or "")[:16].replace("T", " "), r["cadre_name"] or r["device_id"] or "",
                              r["reason"] or "", "是" if r["told_at"] else "否"] for r in rows])
        self.tabs.setTabText(2, f"拒收的记录（{len(rows)}）" if rows else "拒收的记录")

    def selected_device(self) -> str | None:
        rows = self.devices.selectionModel().selectedRows() if self.devices.selectionModel() else []
        if not rows:
            return None
        return self.devices.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def refresh_log(self) -> None:
        lines = journal.log_lines(self.store, self.selected_device(), newest_first=True)
        _fill(self.log, [[line.at[:16].replace("T", " "), line.direction_label, line.peer, line.package or "—",
                          line.what, line.file_name] for line in lines])

    def _device_buttons(self) -> None:
        device = self.selected_device()
        retired = self._retired.get(device)
        self.retire_button.setEnabled(device is not None and retired is False)
        self.restore_button.setEnabled(device is not None and retired is True)

    def retire_selected(self) -> None:
        device = self.selected_device()
        if device is None:
            return
        row = self.devices.selectionModel().selectedRows()[0].row()
        name = self.devices.item(row, 0).text()
        answer = QMessageBox.question(
            self, "停用电脑",
            f"停用{name}的电脑（设备号 {device}）？\n\n停用后，县就业办不再接受这台电脑的数据包（即使有人拿到了它），"
            "也不再给它导出。电脑丢失、被盗或更换时才停用；给这位帮扶干部的新电脑请重新生成启用包。\n\n"
            "误停用可以恢复。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self._set_retired(device, restore=False)

    def restore_selected(self) -> None:
        device = self.selected_device()
        if device is not None:
            self._set_retired(device, restore=True)

    def _set_retired(self, device: str, *, restore: bool) -> None:
        try:
            done = roles.retire_device(self.store, device_id=device, restore=restore)
        except Exception as exc:  # noqa: BLE001 - shown in the standard dialog
            ui_errors.show_error(self, exc)
            return
        who = f"{done['cadre_name'] or ''}的电脑（设备号 {done['id']}）"
        self.notice.setText(f"已恢复{who}：县就业办重新接受它的数据包，也可以再给它导出。" if restore else
                            f"已停用{who}：它的数据包不再导入，也不再给它导出。给这位帮扶干部的新电脑请重新生成启用包。")
        self.refresh()
        for row in range(self.devices.rowCount()):
            if self.devices.item(row, 0).data(Qt.ItemDataRole.UserRole) == device:
                self.devices.selectRow(row)

    def refresh_conflicts(self) -> None:
        rows = review.list_conflicts(self.store)
        _fill(self.conflicts, [[str(r["id"]), r["what"], r["field_label"],
                                review.shown(self.store, r["table_name"], r["field"], r["current_value"]),
                                review.set_by(r, "kept"),
                                review.shown(self.store, r["table_name"], r["field"], r["lost_value"]),
                                review.set_by(r, "lost")] for r in rows], [r["id"] for r in rows])
        for b in (self.keep_button, self.take_button, self.edit_button):
            b.setEnabled(bool(rows))
        self.tabs.setTabText(1, f"冲突复核（{len(rows)}）" if rows else "冲突复核")
        if rows and not self.conflicts.selectionModel().selectedRows():
            self.conflicts.selectRow(0)

    def selected_conflict(self) -> int | None:
        rows = self.conflicts.selectionModel().selectedRows()
        if not rows:
            return None
        return self.conflicts.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    # ------------------------------------------------------------ review
    def resolve_selected(self, *, keep: str | None = None, value: str | None = None) -> None:
        conflict_id = self.selected_conflict()
        if conflict_id is None:
            return
        try:
            review.resolve(self.store, conflict_id, keep=keep, value=value)
        except Exception as exc:  # noqa: BLE001 - shown in the standard dialog
            ui_errors.show_error(self, exc)
            return
        self.window.data_changed.emit()
        self.refresh()

    def edit_selected(self) -> None:
        conflict_id = self.selected_conflict()
        if conflict_id is None:
            return
        row = self.conflicts.selectionModel().selectedRows()[0].row()
        text, ok = QInputDialog.getText(self, "改成别的值", f"{self.conflicts.item(row, 1).text()} "
                                        f"{self.conflicts.item(row, 2).text()}：",
                                        text=self.conflicts.item(row, 3).text().replace("（空）", ""))
        if ok:
            self.resolve_selected(value=text)


class SyncActions:
    """The 同步 menu's actions; each file choice is a dialog, the work a job."""

    def __init__(self, window, page: SyncPage):
        self.window = window
        self.page = page
        self.last_result: ImportResult | None = None

    # ------------------------------------------------------------ export
    def export(self) -> None:
        store = self.window.store
        try:
            role = roles.require_role(store)
            device_id = None
            if role == roles.COUNTY:
                device_id = self._choose_laptop()
                if device_id is None:
                    return
        except Exception as exc:  # noqa: BLE001
            ui_errors.show_error(self.window, exc)
            return
        name = f"数据包-{dt.date.today():%Y%m%d}.cdsync"
        path, _ = QFileDialog.getSaveFileName(self.window, "导出数据包", str(Path.home() / name), PACKAGE_FILTER)
        if path:
            self.export_to(path, device_id=device_id)

    def _choose_laptop(self) -> str | None:
        laptops = [d for d in roles.devices(self.window.store) if d["role"] == roles.LAPTOP and not d["retired"]]
        if not laptops:
            raise roles.SyncSetupError("还没有登记帮扶干部的电脑。请先用“为帮扶干部生成启用包”")
        labels = [f"{d['cadre_name']}（设备 {d['id']}）" for d in laptops]
        choice, ok = QInputDialog.getItem(self.window, "导出数据包", "发给哪位帮扶干部的电脑：", labels, 0, False)
        return laptops[labels.index(choice)]["id"] if ok else None

    def export_to(self, path: str, *, device_id: str | None = None, full: bool = False) -> None:
        store = self.window.store

        def work(progress, cancelled):
            return export_package(store, path, device_id=device_id, full=full)

        def done(result):
            self.page.refresh()
            QMessageBox.information(self.window, "导出数据包",
                                    f"已写出发给{result.receiver_name}的第 {result.seq} 号数据包（{result.rows} 条）：\n"
                                    f"{result.path}\n\n请把这个文件交给对方，在对方的“同步 → 导入数据包”中导入。")

        self.window.run_job("导出数据包", work, done)

    # ------------------------------------------------------------ import
    def _refused_in_demo(self) -> bool:
        """Real packages never go into the demo county's file."""
        try:
            first_start.refuse_in_demo(self.window.store, "数据包和启用包")
        except CadreDeskError as exc:
            ui_errors.show_error(self.window, exc)
            return True
        return False

    def import_(self) -> None:
        if self._refused_in_demo():
            return
        path, _ = QFileDialog.getOpenFileName(self.window, "导入数据包", str(Path.home()), PACKAGE_FILTER)
        if not path:
            return
        code = None
        try:
            if read_outer(read_package_file(path)).header.get("kind") == KIND_SETUP \
                    and roles.role(self.window.store) is None:
                code, ok = QInputDialog.getText(self.window, "导入启用包",
                                                "请输入县就业办告诉您的启用码（16 个字母或数字）：")
                if not ok:
                    return
        except PackageRejected as exc:
            ui_errors.show_error(self.window, exc)
            return
        self.import_from(path, code=code)

    def import_from(self, path: str, *, code: str | None = None, show: bool = True) -> None:
        if self._refused_in_demo():
            return
        store = self.window.store

        def work(progress, cancelled):
            return import_package(store, path, code=code)

        def done(result: ImportResult):
            self.last_result = result
            self.window.data_changed.emit()
            self.page.refresh()
            if show:
                QMessageBox.information(self.window, "导入数据包", summary_text(result))

        self.window.run_job("导入数据包", work, done)

    # ------------------------------------------------------------ setup
    def setup(self) -> None:
        store = self.window.store
        names = [r["name"] for r in store.rows("SELECT DISTINCT c.name FROM cadres c JOIN pairings p "
                                               "ON p.cadre_id = c.id WHERE c.deleted = 0 AND p.deleted = 0 "
                                               "AND p.until IS NULL ORDER BY c.name")]
        if not names:
            QMessageBox.information(self.window, "生成启用包", "还没有包户的帮扶干部。请先导入含“帮扶责任人”一栏的花名册。")
            return
        name, ok = QInputDialog.getItem(self.window, "生成启用包", "为哪位帮扶干部生成启用包：", names, 0, False)
        if not ok:
            return
        path, _ = QFileDialog.getSaveFileName(self.window, "保存启用包", str(Path.home() / f"{name}-启用包.cdsync"),
                                              PACKAGE_FILTER)
        if path:
            self.setup_to(name, path)

    def setup_to(self, name: str, path: str, *, show: bool = True) -> None:
        store = self.window.store

        def work(progress, cancelled):
            return write_setup_package(store, name, path)

        def done(result):
            self.last_result = result
            self.page.refresh()
            if show:
                box = QMessageBox(QMessageBox.Icon.Information, "启用包已生成",
                                  f"已写出{result.cadre}的启用包（{result.households} 户，{result.members} 人）：\n"
                                  f"{result.path}\n\n启用码：{result.code}\n\n"
                                  "请把启用码当面或打电话告诉帮扶干部，不要和文件放在一起发送。", parent=self.window)
                box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                box.exec()

        self.window.run_job("生成启用包", work, done)


def install(window) -> None:
    page = SyncPage(window)
    window.add_page("sync", page, "同步")
    actions = SyncActions(window, page)
    window.sync_actions = actions
    menu = window.menu("同步")
    for text, slot, name in (("导出数据包…", actions.export, "syncExport"),
                             ("导入数据包或启用包…", actions.import_, "syncImport"),
                             (None, None, None),
                             ("为帮扶干部生成启用包…（县就业办）", actions.setup, "syncSetup"),
                             (None, None, None),
                             ("同步记录", lambda: (page.tabs.setCurrentIndex(0), window.show_page("sync")), "syncLog"),
                             ("冲突复核", lambda: (page.tabs.setCurrentIndex(1), window.show_page("sync")),
                              "syncConflicts")):
        if text is None:
            menu.addSeparator()
            continue
        action = QAction(text, window)
        action.setObjectName(name)
        action.triggered.connect(slot)
        menu.addAction(action)
    window.data_changed.connect(page.refresh)
