"""Background work: run a function off the UI thread with a progress dialog and
a cancel button; its result or exception comes back on the UI thread.

The function gets two callables: ``progress(done, total=0, text="")`` to
report (throttled before it reaches the UI) and ``cancelled() -> bool`` to
poll. It may raise ``JobCancelled`` to stop early. Exceptions go to the
standard error dialog unless the job was cancelled by the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from . import errors as ui_errors

PROGRESS_INTERVAL_S = 0.05
SHOW_DIALOG_AFTER_MS = 400  # quick jobs never flash a dialog


class JobCancelled(Exception):
    """Raised by a job function that noticed ``cancelled()`` and stopped."""


class _Bridge(QObject):
    """Lives in the UI thread; the worker emits, slots run on the UI thread."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, job: Job):
        super().__init__()
        self.setAutoDelete(True)
        self.job = job

    def run(self) -> None:  # worker thread
        job = self.job
        try:
            result = job.fn(job._report, job.is_cancelled)
        except BaseException as exc:  # noqa: BLE001 - delivered to the UI thread
            job.bridge.failed.emit(exc)
        else:
            job.bridge.succeeded.emit(result)


class Job(QObject):
    """One running job. ``finished``/``failed``/``was_cancelled`` fire on the UI thread."""

    finished = Signal(object)
    failed = Signal(object)
    was_cancelled = Signal()

    def __init__(self, title: str, fn: Callable[[Callable, Callable], Any], parent: QWidget | None,
                 on_done: Callable[[Any], None] | None = None,
                 on_error: Callable[[BaseException], None] | None = None,
                 show_dialog: bool = True):
        super().__init__()  # no Qt parent: the window keeps a Python reference while it runs
        self.parent_widget = parent
        self.title = title
        self.fn = fn
        self.on_done = on_done
        self.on_error = on_error
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None
        self._cancel = False
        self._last_report = 0.0
        self.bridge = _Bridge()
        self.bridge.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.bridge.succeeded.connect(self._on_success, Qt.ConnectionType.QueuedConnection)
        self.bridge.failed.connect(self._on_failure, Qt.ConnectionType.QueuedConnection)
        self.dialog: QProgressDialog | None = None
        if show_dialog:
            self.dialog = QProgressDialog(title, "取消", 0, 0, parent)
            self.dialog.setObjectName("jobProgressDialog")
            self.dialog.setWindowTitle(title)
            self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
            # Shown by our own timer: QProgressDialog only shows itself on setValue().
            self.dialog.setMinimumDuration(10 ** 9)
            self.dialog.setAutoClose(False)
            self.dialog.setAutoReset(False)
            self.dialog.setMinimumWidth(360)
            self.dialog.canceled.connect(self.cancel)

    # -- called from the worker thread
    def _report(self, done: int, total: int = 0, text: str = "") -> None:
        now = time.monotonic()
        if now - self._last_report < PROGRESS_INTERVAL_S and (not total or done < total):
            return
        self._last_report = now
        self.bridge.progressed.emit(int(done), int(total or 0), str(text or ""))

    def is_cancelled(self) -> bool:
        return self._cancel

    # -- UI thread
    def start(self) -> Job:
        QThreadPool.globalInstance().start(_Runnable(self))
        if self.dialog is not None:
            QTimer.singleShot(SHOW_DIALOG_AFTER_MS, self._show_dialog)
        return self

    def _show_dialog(self) -> None:
        if self.dialog is not None and not self.done:
            self.dialog.show()

    def cancel(self) -> None:
        self._cancel = True
        if self.dialog is not None:
            self.dialog.setLabelText(f"{self.title}：正在取消…")

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.dialog is None or self.done:
            return
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))
        if text and not self._cancel:
            self.dialog.setLabelText(f"{self.title}：{text}")

    def _close_dialog(self) -> None:
        if self.dialog is not None:
            self.dialog.canceled.disconnect(self.cancel)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _on_success(self, result: Any) -> None:
        self.done = True
        self.result = result
        self._close_dialog()
        if self._cancel:
            self.was_cancelled.emit()
        else:
            if self.on_done is not None:
                self.on_done(result)
            self.finished.emit(result)

    def _on_failure(self, exc: BaseException) -> None:
        self.done = True
        self.error = exc
        self._close_dialog()
        if self._cancel or isinstance(exc, JobCancelled):
            self.was_cancelled.emit()
        else:
            if self.on_error is not None:
                self.on_error(exc)
            else:
                ui_errors.show_error(self.parent_widget, exc)
            self.failed.emit(exc)
