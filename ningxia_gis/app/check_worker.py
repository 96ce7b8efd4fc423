"""Long work off the GUI thread: a QObject worker moved to a QThread, with progress and cancel.

`Task` runs any callable; the callable gets ``progress(fraction, text)`` and ``cancelled() -> bool``
keyword arguments when it accepts them. `CheckTask` runs `ningxia_gis.core.check.run_check`.
Errors never escape: a `NingxiaGisError` is reported with its plain message, anything else is logged
with its traceback and reported in words.
"""

from __future__ import annotations

import inspect
import logging
import threading
import traceback

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..domain.errors import NingxiaGisError
from .errors import user_message

log = logging.getLogger("ningxia_gis.app")


class _Worker(QObject):
    progress = Signal(float, str)
    done = Signal(object)
    failed = Signal(str, str)  # message for the user, details (traceback) for the log / details box
    cancelled = Signal()
    finished = Signal()

    def __init__(self, fn, args, kwargs, cancel_event: threading.Event):
        super().__init__()
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self._cancel = cancel_event

    @Slot()
    def run(self) -> None:
        from ..domain.errors import Cancelled

        kwargs = dict(self.kwargs)
        try:
            params = inspect.signature(self.fn).parameters
        except (TypeError, ValueError):
            params = {}
        if "progress" in params:
            kwargs["progress"] = lambda f, text="": self.progress.emit(float(f), str(text))
        if "cancelled" in params:
            kwargs["cancelled"] = self._cancel.is_set
        try:
            result = self.fn(*self.args, **kwargs)
            if self._cancel.is_set():
                self.cancelled.emit()
            else:
                self.done.emit(result)
        except Cancelled:
            self.cancelled.emit()
        except NingxiaGisError as exc:
            log.info("task failed: %s", exc)
            self.failed.emit(user_message(exc), "")
        except Exception as exc:  # noqa: BLE001 - reported in words (errors.user_message), never a crash
            log.exception("unexpected error in a background task")
            self.failed.emit(user_message(exc), traceback.format_exc())
        finally:
            self.finished.emit()


class Task(QObject):
    """One background job. Connect to the signals, then `start()`; `cancel()` asks it to stop."""

    progress = Signal(float, str)
    done = Signal(object)
    failed = Signal(str, str)
    cancelled = Signal()
    finished = Signal()

    _running: set = set()  # keeps tasks alive until their thread ends

    def __init__(self, fn, *args, name: str = "", **kwargs):
        super().__init__()
        self.name = name or getattr(fn, "__name__", "task")
        self._cancel = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName(f"ningxia_gis:{self.name}")
        self._worker = _Worker(fn, args, kwargs, self._cancel)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.done.connect(self.done)
        self._worker.failed.connect(self.failed)
        self._worker.cancelled.connect(self.cancelled)
        self._worker.finished.connect(self._thread.quit)
        self._thread.finished.connect(self._on_thread_finished)
        self.is_running = False
        self.is_finished = False
        self.delivered = False  # done / failed / cancelled reported (the thread may still be ending)
        for sig in (self.done, self.failed, self.cancelled):
            sig.connect(self._delivered)

    def start(self) -> "Task":
        Task._running.add(self)
        self.is_running = True
        self._thread.start()
        return self

    def _delivered(self, *_):
        self.delivered = True

    @property
    def is_active(self) -> bool:
        """Running and its outcome not reported yet (cancel still means something)."""
        return self.is_running and not self.delivered

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def wait(self, ms: int = 30000) -> bool:
        return self._thread.wait(ms)

    def _on_thread_finished(self) -> None:
        self.is_running = False
        self.is_finished = True
        self.finished.emit()
        Task._running.discard(self)


class CheckTask(Task):
    """`review.run_review(request, feedback)` in a thread (progress and cancel through its Feedback)."""

    def __init__(self, request):
        super().__init__(_run_review, request, name="check")


def _run_review(request, progress=None, cancelled=None):
    from ..review import Feedback, run_review
    return run_review(request, Feedback(progress=progress, cancelled=cancelled))
