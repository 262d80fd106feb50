"""The screenshot maker for the window's roster import (docs/ui.md): the
first-start page with several files chosen and the pairing start date
dialog, at 1366x768 offscreen (run this module:
``QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.helpers_roster_ui``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The files a county clerk downloads from the national system, chosen together.
NATIONAL_FILES = ["（自定义）监测对象信息.xlsx", "（乡村建设）户信息.xlsx", "（务工月监测）已外出务工信息.xlsx",
                  "计划外出务工信息.xlsx"]


def take_screenshots(out_dir: Path) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from ui.first_start import FirstStartPage
    from ui.fonts import apply_app_font
    from ui.roster_dialogs import PairingDateDialog
    from ui.translations import install as install_translations

    app = QApplication.instance() or QApplication(sys.argv)
    apply_app_font(app)
    install_translations(app)
    out_dir.mkdir(parents=True, exist_ok=True)

    # The path the page names, as on a clerk's laptop: the page only shows it
    # (a database is created when a choice is made, never here).
    page = FirstStartPage(Path("/home/zhoumin/.local/share/cadre-desk/cadre-desk.db"))
    page.resize(1366, 768)
    page.user_name.setText("周敏")
    page.show_roster_files([f"/home/zhoumin/下载/2026年11月/{name}" for name in NATIONAL_FILES])
    shots = []
    for widget, name in ((page, "first-start-files.png"), (PairingDateDialog(), "pairing-date.png")):
        widget.show()
        app.processEvents()
        shots.append(out_dir / name)
        widget.grab().save(str(shots[-1]))
        widget.close()
    return shots

if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for shot in take_screenshots(Path(__file__).resolve().parent.parent / "docs" / "screenshots"):
        print(shot)
