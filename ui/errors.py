"""One place that turns exceptions into the standard Chinese error dialog.

Errors a user can cause (``CadreDeskError``) show their own message; SQLite
and file errors are explained in Chinese; anything else is a program error:
its traceback goes to stderr (for the support log), the user sees a short
Chinese message, never the traceback.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from cadre_desk.errors import OS_REASONS, CadreDeskError
from cadre_desk.storage import SQLITE_ERRORS, explain_sqlite_error

TITLE = "帮扶工作台"


def message_for(exc: BaseException) -> str:
    """The one-line Chinese message a user sees for ``exc``."""
    if isinstance(exc, CadreDeskError):
        return exc.message
    if isinstance(exc, SQLITE_ERRORS):
        return explain_sqlite_error(exc)
    if isinstance(exc, OSError):
        return _file_error(exc)
    if isinstance(exc, MemoryError):
        return "内存不足，操作没有完成。请关闭其他程序后重试"
    return "程序内部出错，操作没有完成；已保存的数据不受影响。请重试，如果反复出现请联系县就业办"




def _file_error(exc: OSError) -> str:
    path = Path(exc.filename) if getattr(exc, "filename", None) else None
    if path is not None and path.name.startswith(".") and path.name.endswith(".tmp"):
        where = f"文件夹 {path.parent}"  # a hidden temporary file means nothing to the user: its folder does
    else:
        where = f"文件 {path.name}" if path is not None else "文件"
    reason, todo = OS_REASONS.get(exc.errno, (exc.strerror or str(exc), "请检查路径和权限"))
    return f"无法读写{where}：{reason}。{todo}"


def is_user_error(exc: BaseException) -> bool:
    return isinstance(exc, (CadreDeskError, *SQLITE_ERRORS, OSError, MemoryError))


def show_error(parent: QWidget | None, exc: BaseException, *, title: str = TITLE) -> None:
    """Show the standard error dialog for ``exc`` (modal, Chinese)."""
    if not is_user_error(exc):
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    box = QMessageBox(parent)
    box.setObjectName("errorDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(message_for(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    box.exec()


def run_guarded(parent: QWidget | None, action) -> None:
    """Run ``action()`` from a Python override of a Qt virtual (eventFilter,
    showEvent, keyPressEvent …): an exception leaving such an override ends
    the process (PySide6 6.11), so it is shown in the standard dialog here."""
    try:
        action()
    except Exception as exc:  # noqa: BLE001 - shown, never let through
        try:
            show_error(parent, exc)
        except Exception:  # noqa: BLE001 - the dialog itself failed: stderr
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)


def install_excepthook(parent_getter) -> None:
    """Exceptions escaping a Qt slot would otherwise print a traceback and be
    lost; show them in the standard dialog instead."""
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        try:
            show_error(parent_getter(), exc.with_traceback(tb))
        except Exception:  # the dialog itself failed: fall back to stderr
            previous(exc_type, exc, tb)

    sys.excepthook = hook
