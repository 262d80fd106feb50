"""The openings page (key "openings"): the list of openings with their employer,
route, place, pay and places taken; add, edit and delete one; import and
export the Excel workbook. All checks and writes are the core's
(``cadre_desk.jobs.openings``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout,
    QGridLayout, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox, QTableView,
    QVBoxLayout, QWidget,
)

from cadre_desk import places
from cadre_desk.codes import code_list
from cadre_desk.jobs import ABLE_LABOUR, EDUCATION_ORDER, PAY_UNITS, ROUTES
from cadre_desk.jobs import openings as jo
from cadre_desk.storage import Store

from . import errors as ui_errors
from .dialog_buttons import save_cancel_buttons
from .rows_model import RowsModel

OUTSIDE = "（县外）"


class OpeningsModel(RowsModel):
    COLUMNS = (("employer", "企业"), ("title", "岗位"), ("route", "渠道"), ("place", "地点"), ("pay", "工资"),
               ("places", "名额（已招/共）"), ("valid_until", "有效期至"))

    def cell(self, o, key, role):
        if role == Qt.ItemDataRole.UserRole:
            return o["id"]
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "place":
            return jo.place_label(o)
        if key == "pay":
            return jo.pay_label(o)
        if key == "places":
            return f"{o['filled']}/{o['places'] if o.get('places') is not None else '不限'}"
        return o.get(key) or ""


class OpeningDialog(QDialog):
    """Add or edit one opening. ``saved_id`` holds the id after a save."""

    def __init__(self, store: Store, opening: dict[str, Any] | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("openingDialog")
        self.store = store
        self.opening = opening
        self.saved_id: str | None = None
        self.setWindowTitle("编辑岗位" if opening else "添加岗位")
        o = opening or {}

        self.enterprise = QComboBox()
        self.enterprise.setEditable(True)
        self.enterprise.addItems([e["name"] for e in jo.enterprises(store)])
        self.enterprise.setCurrentText(o.get("employer") or "")
        self.title = QLineEdit(o.get("title") or "")
        self.route = QComboBox()
        self.route.addItems(ROUTES)
        self.route.setCurrentText(o.get("route") or ROUTES[0])
        self.town = QComboBox()
        self.town.addItems([t["name"] for t in store.rows("SELECT name FROM towns WHERE deleted = 0 ORDER BY code")]
                           + [OUTSIDE])
        self.town.setCurrentText(o.get("town_name") or (OUTSIDE if o and not o.get("town_id") else ""))
        self.village = QLineEdit(o.get("village_name") or "")
        self.village.setPlaceholderText("村名（可空）")
        self.county_code = QLineEdit("" if o.get("town_id") else (o.get("county_code") or ""))
        self.county_code.setPlaceholderText("县外岗位：6 位县(市)代码")
        self.province = QComboBox()
        self.province.addItems(["", *jo.PROVINCES.values()])
        self.province.setCurrentText("" if o.get("town_id") else jo.PROVINCES.get(o.get("province_code") or "", ""))
        self.location = QLineEdit(o.get("location") or "")
        self.pay = QDoubleSpinBox()
        self.pay.setRange(0, 1_000_000)
        self.pay.setDecimals(0)
        self.pay.setValue(o.get("pay") or 0)
        self.pay_unit = QComboBox()
        self.pay_unit.addItems(PAY_UNITS)
        self.pay_unit.setCurrentText(o.get("pay_unit") or PAY_UNITS[0])
        self.estimate = QDoubleSpinBox()
        self.estimate.setRange(0, 1_000_000)
        self.estimate.setDecimals(0)
        self.estimate.setSpecialValueText("未估计")
        self.estimate.setValue(o.get("monthly_pay_estimate") or 0)
        self.hours = QLineEdit(o.get("hours") or "")
        self.places = QSpinBox()
        self.places.setRange(1, 100_000)
        self.places.setValue(o.get("places") or 1)
        self.education = QComboBox()
        self.education.addItems(["不限", *EDUCATION_ORDER])
        self.education.setCurrentText(o.get("min_education") or "不限")
        self.abilities = {a: QCheckBox(a) for a in ABLE_LABOUR}
        for a, box in self.abilities.items():
            box.setChecked(a in (o.get("labour_abilities") or []))
        self.age_min, self.age_max = QSpinBox(), QSpinBox()
        for box, value in ((self.age_min, o.get("age_min")), (self.age_max, o.get("age_max"))):
            box.setRange(13, 100)
            box.setSpecialValueText("不限")
            box.setValue(value or 13)
        self.skills = {s: QCheckBox(s) for s in code_list("skill").values}
        for s, box in self.skills.items():
            box.setChecked(s in (o.get("skills") or []))
        self.physical = QLineEdit(o.get("physical_demands") or "")
        self.disabled_ok = QCheckBox("适合残疾人")
        self.disabled_ok.setChecked(bool(o.get("suitable_disabled")))
        self.home_ok = QCheckBox("适合不能外出的人（居家或本村）")
        self.home_ok.setChecked(bool(o.get("suitable_home_bound")))
        self.valid_from = QLineEdit(o.get("valid_from") or dt.date.today().isoformat())
        self.valid_until = QLineEdit(o.get("valid_until") or "")
        self.valid_until.setPlaceholderText("YYYY-MM-DD，空为长期")
        self.description = QLineEdit(o.get("description") or "")

        form = QFormLayout()
        form.addRow("企业名称", self.enterprise)
        form.addRow("岗位名称", self.title)
        form.addRow("就业渠道", self.route)
        where = QHBoxLayout()
        for w in (self.town, self.village, self.county_code, self.province):
            where.addWidget(w)
        form.addRow("所在乡镇/村/县外", where)
        form.addRow("工作地点", self.location)
        pay = QHBoxLayout()
        pay.addWidget(self.pay)
        pay.addWidget(self.pay_unit)
        pay.addWidget(QLabel("计件折合月薪"))
        pay.addWidget(self.estimate)
        form.addRow("工资", pay)
        form.addRow("工作时间", self.hours)
        form.addRow("招聘人数", self.places)
        form.addRow("最低文化程度", self.education)
        form.addRow("接受的劳动技能", _row_of(self.abilities.values(), hint="都不选 = 都接受"))
        ages = QHBoxLayout()
        ages.addWidget(self.age_min)
        ages.addWidget(QLabel("至"))
        ages.addWidget(self.age_max)
        ages.addStretch(1)
        form.addRow("年龄", ages)
        grid = QGridLayout()
        for i, box in enumerate(self.skills.values()):
            grid.addWidget(box, i // 7, i % 7)
        form.addRow("技能要求", grid)
        form.addRow("体力要求", self.physical)
        form.addRow("", _row_of([self.disabled_ok, self.home_ok]))
        dates = QHBoxLayout()
        dates.addWidget(self.valid_from)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.valid_until)
        form.addRow("有效期", dates)
        form.addRow("岗位说明", self.description)
        buttons = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        town = self.town.currentText()
        inside = town and town != OUTSIDE
        return {
            "enterprise": self.enterprise.currentText(), "title": self.title.text(), "route": self.route.currentText(),
            "town": town if inside else None, "village": self.village.text() if inside else None,
            "county_code": None if inside else self.county_code.text(),
            "province": None if inside else self.province.currentText(), "location": self.location.text(),
            "pay": self.pay.value() if self.pay_unit.currentText() != "计件" or self.pay.value() else None,
            "pay_unit": self.pay_unit.currentText(), "monthly_pay_estimate": self.estimate.value() or None,
            "hours": self.hours.text(), "places": self.places.value(),
            "min_education": None if self.education.currentText() == "不限" else self.education.currentText(),
            "labour_abilities": [a for a, b in self.abilities.items() if b.isChecked()],
            "age_min": self.age_min.value() if self.age_min.value() > 13 else None,
            "age_max": self.age_max.value() if self.age_max.value() > 13 else None,
            "skills": [s for s, b in self.skills.items() if b.isChecked()],
            "physical_demands": self.physical.text(), "suitable_disabled": self.disabled_ok.isChecked(),
            "suitable_home_bound": self.home_ok.isChecked(), "valid_from": self.valid_from.text(),
            "valid_until": self.valid_until.text(), "description": self.description.text(),
        }

    def save(self) -> None:
        try:
            self.saved_id = jo.save_opening(self.store, self.values(),
                                            opening_id=self.opening["id"] if self.opening else None)
        except Exception as exc:  # noqa: BLE001 - shown in the standard dialog
            ui_errors.show_error(self, exc)
            return
        self.accept()


def _row_of(widgets, hint: str | None = None) -> QHBoxLayout:
    row = QHBoxLayout()
    for w in widgets:
        row.addWidget(w)
    if hint:
        row.addWidget(QLabel(f"（{hint}）"))
    row.addStretch(1)
    return row


class OpeningsPage(QWidget):
    """The list of openings with add / edit / delete / import / export."""

    def __init__(self, store: Store, *, on_changed: Callable[[], None] | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("openingsPage")
        self.store = store
        self.on_changed = on_changed or (lambda: None)
        self.model = OpeningsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.table = QTableView()
        self.table.setObjectName("openingsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("筛选：企业、岗位、渠道、地点")
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("岗位"))
        top.addWidget(self.filter, 1)
        for text, slot, name in (("添加岗位", self.add, "addOpening"), ("编辑", self.edit_selected, "editOpening"),
                                 ("删除", self.delete_selected, "deleteOpening"),
                                 ("导入 Excel…", self.import_excel, "importOpenings"),
                                 ("导出 Excel…", self.export_excel, "exportOpenings")):
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(slot)
            top.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.refresh()

    def refresh(self) -> None:
        rows = jo.list_openings(self.store)
        self.model.set_rows(rows)
        today = dt.date.today().isoformat()
        open_ = sum(1 for o in rows if not (o.get("valid_until") and o["valid_until"] < today)
                    and (o.get("places") is None or o["filled"] < o["places"]))
        self.count.setText(f"共 {len(rows)} 个岗位，其中 {open_} 个在招（未过期、未招满）")

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.data(rows[0], Qt.ItemDataRole.UserRole) if rows else None

    def add(self) -> None:
        if OpeningDialog(self.store, parent=self).exec():
            self._changed()

    def edit_selected(self) -> None:
        opening_id = self.selected_id()
        if not opening_id:
            QMessageBox.information(self, "岗位", "请先选中一个岗位")
            return
        if OpeningDialog(self.store, jo.get_opening(self.store, opening_id), parent=self).exec():
            self._changed()

    def delete_selected(self) -> None:
        opening_id = self.selected_id()
        if not opening_id:
            return
        o = jo.get_opening(self.store, opening_id)
        if QMessageBox.question(self, "删除岗位", f"删除岗位“{o['title']}”？已推荐的记录会保留。") \
                == QMessageBox.StandardButton.Yes:
            jo.delete_opening(self.store, opening_id)
            self._changed()

    def import_excel(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "导入岗位", "", "Excel 文件 (*.xlsx)")
        if not path:
            return
        try:
            result = jo.import_openings(self.store, path)
        except Exception as exc:  # noqa: BLE001
            problems = getattr(exc, "problems", [])
            if problems:
                QMessageBox.warning(self, "导入岗位", "没有导入任何岗位，请改正以下问题后重新导入：\n"
                                    + "\n".join(problems[:30]) + ("\n……" if len(problems) > 30 else ""))
            else:
                ui_errors.show_error(self, exc)
            return
        QMessageBox.information(self, "导入岗位", f"新增 {result['added']} 个岗位，更新 {result['updated']} 个岗位")
        self._changed()

    def export_excel(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出岗位", "岗位.xlsx", "Excel 文件 (*.xlsx)")
        if not path:
            return
        try:
            n = jo.export_openings(self.store, path)
        except Exception as exc:  # noqa: BLE001
            ui_errors.show_error(self, exc)
            return
        QMessageBox.information(self, "导出岗位", f"已导出 {n} 个岗位")

    def _changed(self) -> None:
        self.refresh()
        self.on_changed()


def town_names(store: Store) -> list[str]:
    places.ensure_county(store)
    return [t["name"] for t in store.rows("SELECT name FROM towns WHERE deleted = 0 ORDER BY code")]
