"""The check: the session's request (footprint × exactly the ticked layers and rasters, activity, answers)
through `review.run_review` in a worker (CheckTask), progress and cancel, result shown; trainer scenarios."""

from __future__ import annotations

import logging

import shapely
from PySide6.QtCore import QObject

from ..domain.errors import NingxiaGisError
from . import i18n
from .check_worker import CheckTask
from .errors import user_message
from .i18n import tr

log = logging.getLogger("ningxia_gis.app")


class CheckController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.task: CheckTask | None = None

    def running(self) -> bool:
        """A check whose result is not in yet (Esc or 取消 as it completes changes nothing)."""
        return self.task is not None and self.task.is_active

    def run_check(self, activity: str | None = "__panel__", facts: dict | None = None) -> CheckTask | None:
        """Start the check of the footprint against the checked layers (in a thread)."""
        w = self.w
        if self.task is not None and self.task.is_running:  # the thread of the last check is ending
            if self.task.is_active:
                return None
            self.task.wait(5000)
        if w.session.footprint is None:
            w.error(tr("msg.no_footprint"))
            return None
        cp = w.check_panel
        activity = cp.activity_id() if activity == "__panel__" else activity
        facts = cp.facts() if facts is None else facts
        w.session.set(activity=activity, facts=dict(facts), layers=w.layers.all_layers())
        try:
            request = w.session.request()
        except NingxiaGisError as exc:
            w.error(user_message(exc))
            return None
        w.clear_selection()
        w.session.set(result=None)
        t = CheckTask(request)
        t.progress.connect(w.show_progress)
        t.done.connect(self._done)
        t.failed.connect(lambda msg, det: w.error(tr("msg.check_failed", error=msg), det))
        t.cancelled.connect(lambda: w.statusBar().showMessage(tr("sb.cancelled"), 6000))
        t.finished.connect(self._finished)
        self.task = t
        w.track(t)
        for wid in (w.progress, w.btn_cancel_sb, cp.progress):
            wid.show()
        w.show_progress(0.0, "")
        t.start()
        w.update_enabled()
        w.statusBar().showMessage(tr("sb.checking"))
        return t

    def cancel(self) -> bool:
        if self.running():
            self.task.cancel()
            self.w.statusBar().showMessage(tr("sb.cancelling"))
            return True
        return False

    def _done(self, result) -> None:
        self.w.session.set(result=result)
        self.show_result(result)

    def show_result(self, result, announce: bool = True) -> None:
        """Show the session's result: results dock, overlap pieces on the map, the verdict in the status bar
        (a check's, a reopened case's or one restored by undo)."""
        w = self.w
        if result.epsg != w.epsg:  # the display follows the analysis CRS
            w.session.epsg = result.epsg
            w.layers.refresh_canvas()
            w.layers.load_layers()
        w.dock_results.show()
        w.dock_results.raise_()
        pieces = [shapely.from_wkt(p["geometry_wkt"]) for layer in result.data["layers"]
                  if layer["role"] != "admin_boundary" for p in layer["pieces"]]
        w.canvas.set_pieces(pieces or None)
        overall = ((result.data.get("verdicts") or {}).get("overall") or {}).get("verdict")
        if not announce:
            return
        w.statusBar().showMessage(tr("sb.check_done") + (f" — {i18n.verdict_text(overall)}" if overall else ""), 10000)
        log.info("check done: %s, %s", result.data["footprint"]["name"], overall)
        w.checkFinished.emit(result)

    def _finished(self) -> None:
        w = self.w
        for wid in (w.progress, w.btn_cancel_sb, w.check_panel.progress):
            wid.hide()
        if w.statusBar().currentMessage() == tr("sb.cancelling"):
            w.statusBar().clearMessage()
        w.update_enabled()

    def run_scenario(self, scenario) -> None:
        """Load the scenario's footprint, set its activity and answers, and run the check."""
        w = self.w
        if isinstance(scenario, str):
            from ..core.scenarios import find_scenario

            try:
                scenario = find_scenario(scenario)
            except NingxiaGisError as exc:
                w.error(user_message(exc))
                return
        if not w.cases.confirm_discard():
            return
        w.clear_selection()
        w.check_panel.set_activity(scenario.activity)
        w.check_panel.set_facts(scenario.facts)

        def go():
            w.check_panel.set_activity(scenario.activity)
            w.check_panel.set_facts(scenario.facts)
            self.run_check(activity=scenario.activity, facts=dict(scenario.facts))

        w.footprints.open_footprint(scenario.footprint, then=go, confirm=False)
