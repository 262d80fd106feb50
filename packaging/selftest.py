"""``cadre-desk-selftest``: start the app exactly as a user does and check that
its window paints. Shipped in the bundle next to ``cadre-desk`` (build.spec),
so that a county's IT staff, and packaging/bundle-test.sh, can check a bundle
on a machine without looking at the screen.

    cadre-desk-selftest --db NEW.db [--png window.png] [--timeout 60]

It creates the QApplication, watches for the first paint of a visible
top-level window, then runs the normal start path (``cadre_desk.cli.main``
with ``--db``): whatever the user would see first (today the register with the
demo county; later the first-start page or the sign-in dialog) is what is
checked. Half a second after the first paint the window is grabbed, saved as a
PNG and its colours are counted (a blank or unpainted window has one or two).
Prints one JSON line: ``{"painted_at": unix time of the first paint, "window":
class, "title", "width", "height", "colours", "png"}``; exit code 0 when the
window painted with content, 3 on timeout, 4 when it painted blank.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="cadre-desk-selftest", description="检查帮扶工作台的窗口能否正常显示")
    ap.add_argument("--db", required=True, help="数据库文件（建议用一个新文件）")
    ap.add_argument("--png", help="把窗口截图保存到这个 PNG 文件")
    ap.add_argument("--timeout", type=float, default=60.0, help="等待窗口显示的秒数（默认 60）")
    args = ap.parse_args(argv)

    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    from ui.app import application

    app = application()
    state: dict = {}

    def check() -> None:
        windows = [w for w in app.topLevelWidgets() if w.isVisible() and w.width() > 50 and w.height() > 50]
        if not windows:
            QTimer.singleShot(200, check)
            return
        window = max(windows, key=lambda w: w.width() * w.height())
        image = window.grab().toImage()
        colours = set()
        step_x, step_y = max(1, image.width() // 60), max(1, image.height() // 60)
        for y in range(0, image.height(), step_y):
            for x in range(0, image.width(), step_x):
                colours.add(image.pixel(x, y))
        if args.png:
            image.save(args.png)
        print(json.dumps({"painted_at": state["painted_at"], "window": type(window).__name__,
                          "title": window.windowTitle(), "width": window.width(), "height": window.height(),
                          "colours": len(colours), "png": args.png}, ensure_ascii=False), flush=True)
        app.exit(0 if len(colours) > 8 else 4)

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if (event.type() == QEvent.Type.Paint and "painted_at" not in state and isinstance(obj, QWidget)
                    and obj.window().isVisible()):
                state["painted_at"] = time.time()
                QTimer.singleShot(500, check)
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)

    def give_up() -> None:
        print(json.dumps({"error": "timeout", "painted_at": state.get("painted_at")}), flush=True)
        app.exit(3)

    QTimer.singleShot(int(args.timeout * 1000), give_up)
    from cadre_desk.cli import main as cadre_desk_main

    return cadre_desk_main(["--db", args.db])


if __name__ == "__main__":
    sys.exit(main())
