"""The review the window is working on, without Qt: footprint, layers, activity and answers, result, case
details, officer conclusions and a dirty flag. Widgets subscribe to changes (``session.subscribe("result", fn)``); a change of
an input (footprint, layers, activity, answers) makes the result stale and drops it, so what is shown is
always the result of what the panels show."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable

#: inputs of a review: changing one drops the result
INPUTS = ("footprint", "layers", "activity", "facts")
#: officer conclusions (``{layer_id, zone, verdict, reason, who, at}``): set together with the result they
#: were applied to, so a change does not drop it
FIELDS = INPUTS + ("result", "case", "overrides")


class ReviewSession:
    """State of one review. ``set(**changes)`` updates fields and calls the subscribers of each changed
    field (and of ``"*"``) with the new value; ``dirty`` is True until ``mark_saved()``."""

    def __init__(self):
        self.footprint = None  # core Footprint
        self.footprint_block = None  # footprint summary (areas, counts, CRS) in the analysis CRS
        self.footprint_geom = None  # union in the display / analysis CRS
        self.epsg = 4544
        self.layers: list = []  # app.layers BaseLayer, top first (what the layer panel lists)
        self.base_catalog = None  # the catalog the layers came from (name, synthetic flag)
        self.activity: str | None = None
        self.facts: dict = {}
        self.result = None  # core CheckResult
        self.case: dict = {}
        self.overrides: list[dict] = []
        self.layer_styles: dict = {}  # layer key → style_dialog.LayerStyle (display only, not an input)
        self.dirty = False
        self._subs: dict[str, list[Callable[[Any], None]]] = defaultdict(list)
        self._batch_subs: list[Callable[[list[str]], None]] = []

    # ------------------------------------------------------------------ changes
    def subscribe(self, name: str, fn: Callable[[Any], None]) -> None:
        if name != "*" and name not in FIELDS:
            raise KeyError(name)
        self._subs[name].append(fn)

    def subscribe_changes(self, fn: Callable[[list[str]], None]) -> None:
        """``fn(names)`` once per ``set()``, after the per-field subscribers (undo records one step)."""
        self._batch_subs.append(fn)

    def _emit(self, name: str, value) -> None:
        for fn in list(self._subs.get(name, ())):
            fn(value)
        for fn in list(self._subs.get("*", ())):
            fn(name, value)

    def set(self, **changes) -> list[str]:
        """Apply changes; returns the names that changed (an input change also drops the result)."""
        changed = []
        for name, value in changes.items():
            if name not in FIELDS:
                raise KeyError(name)
            if getattr(self, name) is value or (name in ("activity", "facts", "case", "overrides")
                                                and getattr(self, name) == value):
                continue
            setattr(self, name, value)
            changed.append(name)
        if any(n in INPUTS for n in changed) and self.result is not None and "result" not in changes:
            self.result = None
            changed.append("result")
        if changed:
            self.dirty = True
        for name in changed:
            self._emit(name, getattr(self, name))
        if changed:
            for fn in list(self._batch_subs):
                fn(changed)
        return changed

    def set_footprint(self, fp, block=None, geom=None, epsg: int | None = None, **more) -> None:
        """A new footprint; the officer conclusions recorded on the previous one's zones are dropped
        unless ``more`` gives them (undo)."""
        self.footprint_block, self.footprint_geom = block, geom
        if epsg is not None:
            self.epsg = epsg
        self.set(footprint=fp, **{"overrides": [], **more})

    def layers_changed(self) -> None:
        """The layer list or a layer's role / check flag changed in place."""
        if self.result is not None:
            self.set(result=None)
        self._emit("layers", self.layers)

    def mark_saved(self) -> None:
        self.dirty = False

    # ------------------------------------------------------------------ the review
    def checked_layers(self) -> list:
        """The layers that take part in the check (as the layer panel shows them)."""
        return [lyr for lyr in self.layers if getattr(lyr, "checked", False)]

    def request(self):
        """The `ReviewRequest` of exactly this state (the panel's checked layers and rasters)."""
        from ..domain.errors import InputError
        from ..review import ReviewRequest
        from .layers import catalog_for_check

        if self.footprint is None:
            raise InputError("check.no_footprint")
        cat = catalog_for_check(self.base_catalog, self.layers)
        return ReviewRequest(self.footprint, cat, activity=self.activity or None, facts=dict(self.facts),
                             case=dict(self.case), overrides=[dict(o) for o in self.overrides])
