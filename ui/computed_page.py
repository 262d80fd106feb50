"""A page of figures computed from the whole register (the dashboard, the
务工监测 page): when to compute them and where.

A write marks the page out of date (``mark_stale``); it is recomputed at once
when it is on screen, else the next time it is shown, so a hidden page costs a
write nothing. In the main window the computation runs in a worker thread
(``run_job``) while the page keeps showing its last figures; a result that a
newer computation overtook is dropped. Without a window (a standalone widget
in tests and screenshots) it computes on this thread.

A subclass gives ``scope()`` (what to compute, read from its widgets on this
thread), ``_compute(scope)`` (runs in the worker: reads no widget) and
``_show(result)``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from . import errors as ui_errors


class ComputedPage(QWidget):
    job_title = "更新统计"  # the status bar's word for the background computation

    def __init__(self, window=None, parent=None):
        super().__init__(parent)
        self.window_ = window
        self._generation = 0  # bumped by every computation started; older results are dropped
        self._stale = True  # computed when first shown (off the start-up path)
        self._computing = False

    # ------------------------------------------------------------ what a subclass gives
    def scope(self) -> Any:
        return None

    def _compute(self, scope: Any) -> Any:
        raise NotImplementedError

    def _show(self, result: Any) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------ when and where
    def _in_window(self) -> bool:
        return self.window_ is not None and hasattr(self.window_, "run_job")

    def refresh(self) -> None:
        """Compute and show now, on this thread."""
        self._generation += 1
        self._stale = False
        try:
            result = self._compute(self.scope())
        except Exception as exc:  # noqa: BLE001 - the standard dialog explains it
            ui_errors.show_error(self, exc)
            return
        self._show(result)

    def mark_stale(self, *_args) -> None:
        """Something was written: recomputed when the page is on screen."""
        self._stale = True
        if self.isVisible():
            self.request_refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            ui_errors.run_guarded(self, self.request_refresh)

    def request_refresh(self) -> None:
        """Recompute in a worker thread (in the window) and show the result when
        it comes; the page keeps showing the last figures meanwhile."""
        if not self._in_window():
            self.refresh()
            return
        self._generation += 1
        generation = self._generation
        self._stale = False
        self._computing = True
        scope = self.scope()

        def done(result) -> None:
            if generation == self._generation:
                self._computing = False
                self._show(result)

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self._computing = False
                ui_errors.show_error(self, exc)

        self.window_.run_job(self.job_title, lambda _p, _c: self._compute(scope), done, on_error=failed,
                             show_dialog=False)

    @property
    def computing(self) -> bool:
        """A computation started in the background has not been shown yet."""
        return self._computing
