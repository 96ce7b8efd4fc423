"""The review case in the window: 新建 / 打开 / 保存 / 另存为, recent cases, the unsaved-changes prompt,
undo / redo, officer verdicts and the audit log. The case file is `review.case.ReviewCase`: the session
is the working state, and a save writes what changed since the last save into the case (each change an
audit entry, as the CLI's case commands do), then the file atomically.

``NINGXIA_GIS_UNSAVED=discard`` (or ``unsaved_policy``) answers the prompt without asking: for runs
with nobody at the screen (the screenshot script, the test suite's windows)."""

from __future__ import annotations

import copy
import dataclasses
import getpass
import logging
import os
from dataclasses import asdict
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from ..domain.errors import InputError
from ..domain.vocab import CASE_FIELDS, verdict
from .errors import guarded
from .i18n import tr, verdict_text
from .review_undo import ReviewUndo

log = logging.getLogger("ningxia_gis.app")

RECENT_KEY = "recent/cases"
#: case details that belong to one case (a new case starts without them; reviewer and office stay)
PER_CASE_META = ("project_name", "applicant", "case_number")


def ask_unsaved(parent, name: str) -> str:
    """保存 / 不保存 / 取消 → ``"save"`` / ``"discard"`` / ``"cancel"``."""
    box = QMessageBox(QMessageBox.Icon.Warning, tr("unsaved.title"), tr("unsaved.text", name=name),
                      QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                      | QMessageBox.StandardButton.Cancel, parent)
    box.setInformativeText(tr("unsaved.info"))
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    box.setEscapeButton(QMessageBox.StandardButton.Cancel)
    for b, key in ((QMessageBox.StandardButton.Save, "unsaved.save"),
                   (QMessageBox.StandardButton.Discard, "unsaved.discard"),
                   (QMessageBox.StandardButton.Cancel, "unsaved.cancel")):
        box.button(b).setText(tr(key))
    answer = box.exec()
    return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
        QMessageBox.StandardButton(answer), "cancel")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name: the officer field stays empty
        return ""


class CaseController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.case = None  # review.case.ReviewCase once saved or opened
        self.path: Path | None = None
        self.unsaved_policy = os.environ.get("NINGXIA_GIS_UNSAVED") or None
        self.undo = ReviewUndo(window, parent=self)
        self.undo_stack = self.undo.stack
        for sig in (self.undo_stack.canUndoChanged, self.undo_stack.canRedoChanged, self.undo_stack.undoTextChanged,
                    self.undo_stack.redoTextChanged):
            sig.connect(self._stack_changed)
        window.session.subscribe("*", lambda _name, _value: self.update_title())
        window.check_panel.answersEdited.connect(self.answers_edited)
        window.results.overrideRequested.connect(self.ask_override)
        window.exportFinished.connect(self.report_written)
        self.audit_dialog = None
        self._reports: list[tuple[str, str, str, object]] = []  # written, not yet in the case: path, format, sha, result

    # ------------------------------------------------------------------ title, unsaved state
    def name(self) -> str:
        return self.path.stem if self.path is not None else tr("case.untitled")

    def has_unsaved_work(self) -> bool:
        """Changes since the last save / open that a save would keep."""
        s = self.w.session
        return bool(s.dirty and (s.footprint is not None or self.case is not None))

    def update_title(self) -> None:
        from .. import __version__

        star = "*" if self.has_unsaved_work() else ""
        self.w.setWindowTitle(f"{self.name()}{star} — {tr('app.title')} {__version__}")

    def _stack_changed(self, *_):
        if shiboken6.isValid(self.undo_stack) and shiboken6.isValid(self.w):  # not while the window is destroyed
            self.w.update_enabled()
            self.update_undo_texts()

    def update_undo_texts(self) -> None:
        for act, key, text in ((self.w.act_undo, "act.undo", self.undo_stack.undoText()),
                               (self.w.act_redo, "act.redo", self.undo_stack.redoText())):
            act.setText(f"{tr(key)} {text}".strip())

    def confirm_discard(self) -> bool:
        """Before an action that replaces the review: True to go on (saved first, or discarded), False when
        the officer keeps it (取消, or a save that was cancelled or failed)."""
        if not self.has_unsaved_work():
            return True
        answer = self.unsaved_policy or ask_unsaved(self.w, self.name())
        if answer == "save":
            return bool(self.save())
        return answer == "discard"

    # ------------------------------------------------------------------ answers (undoable)
    def answers_edited(self) -> None:
        """The officer picked an activity or an answer: the session follows (its result is stale now)."""
        s, cp = self.w.session, self.w.check_panel
        activity = cp.activity_id()
        more = {"overrides": []} if activity != s.activity else {}  # conclusions belonged to that activity
        s.set(activity=activity, facts=cp.facts(), **more)

    # ------------------------------------------------------------------ new, open
    def new_case(self) -> bool:
        """新建审查案卷: footprint, activity, answers, case details and officer verdicts cleared; the undo
        history starts afresh (answers never carry over to the next case)."""
        if not self.confirm_discard():
            return False
        w = self.w
        with self.undo.quiet():
            w.footprints.apply_footprint(None, None, None, None)
            w.check_panel.set_activity(None)
            w.check_panel.set_facts({})
            w.session.set(activity=None, facts={}, case={}, overrides=[], result=None)
        for k in PER_CASE_META:
            w.settings.remove(f"meta/{k}")
        self.case, self.path = None, None
        self.undo.clear()
        w.session.mark_saved()
        self.update_title()
        w.update_enabled()
        w.statusBar().showMessage(tr("case.new_done"), 5000)
        return True

    def ask_open_case(self) -> None:
        if not self.confirm_discard():
            return
        start = str(self.w.settings.value("dir/cases", str(Path.home())))
        path, _ = QFileDialog.getOpenFileName(self.w, tr("case.dlg_open"), start,
                                              f"{tr('case.filter')} (*.gpkg);;{tr('dlg.all_files')} (*)")
        if path:
            self.open_case(path, confirm=False)

    def open_case(self, path, confirm: bool = True) -> bool:
        """Open a case file: its layers (when its catalog is not the one shown), footprint, activity,
        answers, case details, officer verdicts and stored result."""
        if confirm and not self.confirm_discard():
            return False
        return bool(self._open(Path(path)))

    @guarded("what.open_case")
    def _open(self, path: Path) -> bool:
        from ..review.case import open_case

        case = open_case(path)
        w = self.w
        warnings = []
        if case.altered:
            from ..domain.messages import text
            from . import i18n
            warnings.append(text("case.altered_warning", i18n.language(), path=path.name))
        if case.catalog is None:
            from .errors import without_paths
            warnings.append(tr("case.catalog_problem", reason=without_paths(case.catalog_problem)))
        with self.undo.quiet():
            cat = case.catalog
            base = w.session.base_catalog
            if cat is not None and cat.path and (base is None or not base.path
                                                 or Path(base.path).resolve() != Path(cat.path).resolve()):
                w.layers.open_catalog(cat.path)
            w.footprints.set_footprint(case.footprint)
            w.check_panel.set_activity(case.activity)
            w.check_panel.set_facts(case.facts)
            w.session.set(activity=case.activity, facts=dict(case.facts), case=dict(case.fields),
                          overrides=[asdict(o) for o in case.overrides], layers=w.layers.all_layers())
            if case.result is not None:
                w.session.set(result=case.result)
                w.checker.show_result(case.result, announce=False)
        for k in PER_CASE_META:  # the report's details are this case's, not the last one typed
            w.settings.setValue(f"meta/{k}", case.fields.get(k, ""))
        self.case, self.path = case, path
        self.undo.clear()
        w.session.mark_saved()
        self.w.settings.setValue("dir/cases", str(path.parent))
        self.add_recent(path)
        self.update_title()
        w.update_enabled()
        w.statusBar().showMessage(tr("case.opened", path=path.name), 6000)
        for msg in warnings:
            w.error(msg)
        return True

    # ------------------------------------------------------------------ save
    def save(self) -> bool:
        """保存 (Ctrl+S): to the case's file, or 另存为 when it has none. False when cancelled or failed."""
        if self.path is None:
            return self.save_as()
        return bool(self.save_to(self.path))

    def save_as(self) -> bool:
        fp = self.w.session.footprint
        start = Path(str(self.w.settings.value("dir/cases", str(Path.home()))))
        name = self.path.name if self.path is not None else f"{fp.name if fp is not None else self.name()}.gpkg"
        path, _ = QFileDialog.getSaveFileName(self.w, tr("case.dlg_save"), str(start / name),
                                              f"{tr('case.filter')} (*.gpkg)")
        if not path:
            return False
        if not path.lower().endswith(".gpkg"):
            path += ".gpkg"
        return bool(self.save_to(path))

    @guarded("what.save_case")
    def save_to(self, path) -> bool:
        """Write the case atomically (review/case.py); every change since the last save is in its audit log."""
        target = Path(path)
        case = self.sync_case()
        if self.path is None or target.resolve() == self.path.resolve():
            case.log("saved", {"file": target.name})  # 另存为 is logged by ReviewCase.save itself
        case.save(target)
        self.case, self.path = case, target
        self.w.session.mark_saved()
        self.w.settings.setValue("dir/cases", str(target.parent))
        self.add_recent(target)
        self.update_title()
        self.w.update_enabled()
        self.w.statusBar().showMessage(tr("case.saved", path=str(target)), 6000)
        return True

    def sync_case(self):
        """The ReviewCase with the session's state, every difference logged (a new case when none yet)."""
        from ..review.case import ReviewCase, catalog_spec

        w, s = self.w, self.w.session
        if s.footprint is None:
            raise InputError("check.no_footprint")
        s.layers = w.layers.all_layers()
        request = s.request()
        request.overrides = []  # recorded one by one below (each an audit entry)
        base = s.base_catalog
        if base is not None and base.path and (request.catalog.layers != base.layers
                                               or request.catalog.rasters != base.rasters):
            # some layers unticked, added or re-typed in the panel: the case keeps exactly the layers checked
            # (its stored specs), not the catalog file's full list
            request.catalog = dataclasses.replace(request.catalog, path=None)
        case = self.case
        if case is None:
            case = ReviewCase.new(request)
        else:
            if s.footprint is not case.footprint and s.footprint.sha256 != case.footprint.sha256:
                case.set_footprint(s.footprint)
            elif s.footprint is not case.footprint:
                case.footprint = s.footprint
            if case.catalog is None or catalog_spec(request.catalog) != case.catalog_info:
                case.set_catalog(request.catalog)
            case.set_activity(request.activity)
            case.set_answers({**{k: None for k in case.facts if k not in s.facts}, **s.facts})
            case.set_fields({k: s.case.get(k, "") for k in CASE_FIELDS if s.case.get(k) or case.fields.get(k)})
        if s.result is not case.result:
            if s.result is not None and self._derives_from(s.result, case.result):
                case.result = s.result  # only officer verdicts recorded since: logged one by one below
            elif s.result is not None:
                # the check as the machine gave it ("checked": machine verdict); the officer verdicts follow
                case.set_result(self._machine_result(s) if s.overrides else s.result)
            elif case.result is not None:  # inputs changed since the stored result: it no longer holds
                case.result, case.identity = None, []
                case.log("result_cleared", {})
        keep = {(o["layer_id"], o["zone"]): o for o in s.overrides}
        for o in list(case.overrides):
            if (o.layer_id, o.zone) not in keep:
                case.remove_override(o.layer_id, o.zone)
        have = {(o.layer_id, o.zone): asdict(o) for o in case.overrides}
        for key, o in keep.items():
            if have.get(key) != {**o}:
                case.add_override(o["layer_id"], o["zone"], o["verdict"], o["reason"], who=o.get("who") or "",
                                  at=o.get("at") or "")
        if s.result is not None:
            case.result = s.result  # the same content (rules with the same overrides): one object from now on
        from ..core.files import file_sha256
        for path, fmt, sha, result in self._reports:  # reports of this result, unchanged since written
            if result is case.result and Path(path).is_file() and file_sha256(Path(path)) == sha:
                case.record_report(path, fmt)
        self._reports = []
        return case

    @staticmethod
    def _derives_from(result, base) -> bool:
        """``result`` is ``base`` with officer verdicts applied (record_override), no new check."""
        while result is not None and base is not None:
            if result is base:
                return True
            result = getattr(result, "derived_from", None)
        return False

    @staticmethod
    def _machine_result(s):
        """The session's result with the rules applied without the officer verdicts."""
        from ..core.check import CheckResult
        from ..review.pipeline import apply_rules

        res = CheckResult(data=copy.deepcopy(s.result.data), epsg=s.result.epsg,
                          footprint_geom=s.result.footprint_geom, overlaps=s.result.overlaps)
        apply_rules(res, s.activity, s.facts, [])
        return res

    def report_written(self, path: str) -> None:
        """A report of the session's result was exported: recorded in the case (with its sha256) at the next
        save, so `case verify CASE REPORT` can tell whether it was altered."""
        from ..core.files import file_sha256

        p = Path(path)
        if self.w.session.result is not None and p.is_file():
            self._reports.append((str(p), p.suffix.lower().lstrip("."), file_sha256(p), self.w.session.result))
            self.w.session.dirty = True
            self.update_title()

    # ------------------------------------------------------------------ recent cases
    def add_recent(self, path: Path) -> None:
        items = [p for p in self.recent() if p != str(path)]
        self.w.settings.setValue(RECENT_KEY, ([str(path)] + items)[:8])
        self.fill_recent()

    def recent(self) -> list[str]:
        return self.w._recent(RECENT_KEY)

    def fill_recent(self) -> None:
        m = getattr(self.w, "menu_recent_cases", None)
        if m is None:
            return
        m.clear()
        for p in self.recent():
            m.addAction(f"{Path(p).name} — {Path(p).parent.name}", lambda p=p: self.open_recent(p)).setToolTip(p)
        m.setEnabled(bool(self.recent()))

    def open_recent(self, path: str) -> bool:
        if not Path(path).is_file():
            self.w.settings.setValue(RECENT_KEY, [p for p in self.recent() if p != path])
            self.fill_recent()
            self.w.error(tr("case.recent_missing", name=Path(path).name))
            return False
        return self.open_case(path)

    # ------------------------------------------------------------------ officer verdicts
    def ask_override(self, layer_id: str | None = None, zone: str | None = None):
        """「记录审查人员意见」 for a zone (default: the one selected in the results)."""
        from .override_dialog import OverrideDialog

        w = self.w
        if layer_id is None:
            sel = w.results.selected_zone()
            if sel is None:
                w.error(tr("ov.need_zone"))
                return None
            layer_id, zone = sel
        vz = self._zone(layer_id, zone)
        if vz is None or not vz.get("verdict"):
            w.error(tr("ov.need_activity"))
            return None
        who = w.exporter.case_meta().get("reviewer") or _user()
        dlg = OverrideDialog(vz.get("layer_name") or layer_id, zone, vz.get("verdict"), w,
                             current=vz.get("officer"), who=who)
        self.override_dialog = dlg
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        if dlg.withdrawn:
            return self.withdraw_override(layer_id, zone)
        return self.record_override(layer_id, zone, dlg.verdict(), dlg.reason(), who=dlg.who())

    def _zone(self, layer_id: str, zone: str) -> dict | None:
        r = self.w.session.result
        zones = ((r.data.get("verdicts") or {}).get("zones") or []) if r is not None else []
        return next((z for z in zones if z.get("layer_id") == layer_id and z.get("zone") == zone), None)

    @guarded("what.override")
    def record_override(self, layer_id: str, zone: str, verdict_label: str, reason: str, who: str = "") -> dict:
        """The officer's verdict and reason for a zone: into the session's request and its result (the
        pipeline's rules applied again with it); the case gets it, audit-logged, at the next save."""
        from ..core.check import created_at
        from ..review.case import CaseError

        s = self.w.session
        v = verdict(verdict_label)
        if v is None:
            raise CaseError("case.override_verdict", verdict=verdict_label)
        if not (reason or "").strip():
            raise CaseError("case.override_reason", layer=layer_id, zone=zone)
        if s.result is None or not s.activity or self._zone(layer_id, zone) is None:
            raise CaseError("case.no_result")
        o = {"layer_id": layer_id, "zone": zone, "verdict": v.zh, "reason": reason.strip(),
             "who": who or _user(), "at": created_at()}
        self._set_overrides([x for x in s.overrides if (x["layer_id"], x["zone"]) != (layer_id, zone)] + [o])
        self.w.statusBar().showMessage(tr("ov.recorded", zone=zone, verdict=verdict_text(v.zh)), 6000)
        return o

    @guarded("what.override")
    def withdraw_override(self, layer_id: str, zone: str) -> bool:
        """The machine verdict stands again for the zone (the case logs the withdrawal at the next save)."""
        s = self.w.session
        if s.result is None or not s.activity:
            from ..review.case import CaseError
            raise CaseError("case.no_result")
        self._set_overrides([x for x in s.overrides if (x["layer_id"], x["zone"]) != (layer_id, zone)])
        self.w.statusBar().showMessage(tr("ov.withdrawn", zone=zone), 6000)
        return True

    def _set_overrides(self, overrides: list[dict]) -> None:
        """The session's officer verdicts and its result with the rules applied again with them."""
        from ..core.check import CheckResult
        from ..review.pipeline import apply_rules

        s = self.w.session
        res = CheckResult(data=copy.deepcopy(s.result.data), epsg=s.result.epsg,
                          footprint_geom=s.result.footprint_geom, overlaps=s.result.overlaps)
        apply_rules(res, s.activity, s.facts, overrides)
        res.derived_from = s.result  # the same check: a save logs the verdicts, not a new check
        s.set(overrides=overrides, result=res)

    # ------------------------------------------------------------------ audit log
    def show_audit(self):
        from .audit_dialog import AuditDialog

        entries = list(self.case.audit) if self.case is not None else []
        dlg = AuditDialog(entries, self.name(), self.w)
        self.audit_dialog = dlg
        dlg.show()
        return dlg
