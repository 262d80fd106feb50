"""The 范围 of a figures page (the dashboard, the 务工监测 page): a town list
with the whole county first, and the villages of the chosen town with 全部村
first (disabled while the whole county is chosen). By name, as the figures
are asked for (``stats``, ``work_stats``)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from cadre_desk import places
from cadre_desk.storage import Store

ALL_TOWNS, ALL_VILLAGES = "全市（县）", "全部村"


class PlaceChoice:
    """The two lists; the page connects their signals and lays them out."""

    def __init__(self, store: Store, town_name: str, village_name: str):
        self.store = store
        self.town = QComboBox()
        self.town.setObjectName(town_name)
        self.village = QComboBox()
        self.village.setObjectName(village_name)

    def fill_towns(self) -> None:
        """(Re)read the towns, keeping the town and village chosen."""
        places.ensure_county(self.store)
        town, village = self.town.currentText(), self.village.currentText()
        self.town.blockSignals(True)
        self.town.clear()
        self.town.addItem(ALL_TOWNS)
        self.town.addItems([t["name"] for t in self.store.rows("SELECT name FROM towns WHERE deleted = 0 ORDER BY code")])
        if town:
            self.town.setCurrentText(town)
        self.town.blockSignals(False)
        self.fill_villages()
        if village:
            self.village.blockSignals(True)
            self.village.setCurrentText(village)
            self.village.blockSignals(False)

    def fill_villages(self) -> None:
        """The villages of the chosen town (signals blocked)."""
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem(ALL_VILLAGES)
        town = self.selected_town()
        if town:
            self.village.addItems([v["name"] for v in places.find_villages(self.store, town=town)])
        self.village.setEnabled(bool(town))
        self.village.blockSignals(False)

    def select(self, town: str | None, village: str | None = None) -> None:
        """Choose ``town`` and ``village`` (None: all), without signals."""
        self.town.blockSignals(True)
        self.town.setCurrentText(town or ALL_TOWNS)
        self.town.blockSignals(False)
        self.fill_villages()
        self.village.blockSignals(True)
        self.village.setCurrentText(village or ALL_VILLAGES)
        self.village.blockSignals(False)

    def selected_town(self) -> str | None:
        text = self.town.currentText()
        return None if text in ("", ALL_TOWNS) else text

    def selected_village(self) -> str | None:
        text = self.village.currentText()
        return None if text in ("", ALL_VILLAGES) else text
