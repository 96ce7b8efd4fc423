"""Undo / redo of footprint changes (open, draw, clear) and of the answers (activity and facts).

`ReviewUndo` follows the session: every ``set()`` that changes the footprint or the answers becomes one
`QUndoCommand` holding the state before and after. A step restores its field and, when every other input
is as it was then, the result (and officer conclusions) that belonged to that state, so undoing a
清除 brings back the footprint with its result."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QUndoCommand, QUndoStack

from .i18n import tr


@dataclass(frozen=True)
class Snapshot:
    footprint: object
    block: object
    geom: object
    epsg: int
    activity: str | None
    facts: tuple
    result: object
    overrides: tuple
    layers: tuple  # (layer identity, in check) of the panel

    def inputs(self) -> tuple:
        """What the result depends on."""
        return (id(self.footprint), self.activity, self.facts, self.layers)


class _Step(QUndoCommand):
    def __init__(self, undo: "ReviewUndo", kind: str, before: Snapshot, after: Snapshot, text: str):
        super().__init__(text)
        self.u, self.kind, self.before, self.after = undo, kind, before, after
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:  # QUndoStack.push calls redo(): the change is already made
            self._pushed = True
            return
        self.before = self.u.snapshot()  # keeps a result computed since the undo
        self.u.restore(self.kind, self.after)

    def undo(self) -> None:
        self.after = self.u.snapshot()  # keeps a result computed since the change
        self.u.restore(self.kind, self.before)


class ReviewUndo:
    """The window's undo stack over its session (``window.session``, ``.footprints``, ``.check_panel``)."""

    def __init__(self, window, parent=None):
        self.w = window
        self.stack = QUndoStack(parent or window)
        self._busy = 0  # > 0 while restoring or while a case is opened / started: nothing recorded
        self._last = self.snapshot()
        window.session.subscribe_changes(self._changed)

    # ------------------------------------------------------------------ state
    def snapshot(self) -> Snapshot:
        s = self.w.session
        layers = tuple((id(lyr), bool(getattr(lyr, "checked", False))) for lyr in self.w.layers.all_layers())
        return Snapshot(s.footprint, s.footprint_block, s.footprint_geom, s.epsg, s.activity,
                        tuple(sorted(s.facts.items())), s.result,
                        tuple(tuple(sorted(o.items())) for o in s.overrides), layers)

    def quiet(self):
        """``with undo.quiet(): …`` — changes not recorded (opening a case, a new case)."""
        undo = self

        class _Quiet:
            def __enter__(self):
                undo._busy += 1

            def __exit__(self, *exc):
                undo._busy -= 1
                undo._last = undo.snapshot()

        return _Quiet()

    def clear(self) -> None:
        self.stack.clear()
        self._last = self.snapshot()

    # ------------------------------------------------------------------ recording
    def _changed(self, names: list[str]) -> None:
        before, now = self._last, self.snapshot()
        self._last = now
        if self._busy:
            return
        if "footprint" in names:
            self.stack.push(_Step(self, "footprint", before, now, self._footprint_text(now.footprint)))
        if "activity" in names or "facts" in names:
            if (before.activity, before.facts) != (now.activity, now.facts):
                self.stack.push(_Step(self, "answers", before, now, tr("case.undo_answers")))

    @staticmethod
    def _footprint_text(fp) -> str:
        if fp is None:
            return tr("case.undo_clear")
        if fp.source == tr("fp.drawn_source") or not fp.source:
            return tr("case.undo_draw")
        return tr("case.undo_open", name=fp.name)

    # ------------------------------------------------------------------ restoring
    def restore(self, kind: str, snap: Snapshot) -> None:
        w = self.w
        with self.quiet():
            if kind == "footprint":
                w.footprints.apply_footprint(snap.footprint, snap.block, snap.geom, snap.epsg)
            else:
                w.check_panel.set_activity(snap.activity)
                w.check_panel.set_facts(dict(snap.facts))
                w.session.set(activity=snap.activity, facts=dict(snap.facts))
            if snap.result is not None and self.snapshot().inputs() == snap.inputs():
                w.session.set(result=snap.result, overrides=[dict(o) for o in snap.overrides])
                w.checker.show_result(snap.result, announce=False)
        w.update_enabled()
