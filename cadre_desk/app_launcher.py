"""Starting the desktop app from the CLI without importing Qt into the core.

The UI lives in the top-level ``ui`` package; when PySide6 or a display is
missing, the user is told what to do instead of getting a Qt abort.
"""

from __future__ import annotations

import os
import sys


def launch(db_path: str | None) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM")
    ):
        print("错误：没有可用的显示器，无法打开窗口。请在桌面环境中运行，"
              "或设置 QT_QPA_PLATFORM=offscreen 后运行（仅用于测试）", file=sys.stderr)
        return 1
    try:
        from ui.app import run
    except ImportError as exc:
        print(f"错误：缺少界面组件（{exc.name}）。请先按 README 安装：pip install -e .", file=sys.stderr)
        return 1
    return run(db_path)
