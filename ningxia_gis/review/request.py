"""What a review asks for (``ReviewRequest``) and how long work reports back (``Feedback``).

The GUI, the CLI and the batch build a request and call ``review.pipeline.run_review``; progress,
warnings and cancel go through one ``Feedback`` (the QGIS Processing pattern)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..core.catalog import Catalog
from ..core.footprint import Footprint
from ..domain.errors import Cancelled, InputError
from ..domain.limits import SLIVER_M2

@dataclass
class ReviewRequest:
    """One review: the footprint, exactly the layers and rasters to check, the activity and answers."""

    footprint: Footprint
    catalog: Catalog
    activity: str | None = None
    facts: dict = field(default_factory=dict)
    overrides: list[dict] = field(default_factory=list)  # officer conclusions: {zone_key, verdict, reason}
    case: dict = field(default_factory=dict)  # 案卷号, 项目名称 … (vocab.CASE_FIELDS)
    sliver_m2: float = 1.0
    vertex_area: bool = False  # also the vertex-only ellipsoidal figures (labelled, never primary)

    def __post_init__(self):
        self.sliver_m2 = SLIVER_M2.check(self.sliver_m2)


class Feedback:
    """Progress (0–1 and a step name), warnings and cancel for one piece of long work."""

    def __init__(self, progress: Callable[[float, str], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, warn: Callable[[str], None] | None = None):
        self._progress = progress
        self._cancelled = cancelled
        self._warn = warn
        self._cancel_requested = False

    def set_progress(self, fraction: float, step: str = "") -> None:
        if self._progress is not None:
            self._progress(max(0.0, min(1.0, fraction)), step)

    def cancel(self) -> None:
        self._cancel_requested = True

    def is_canceled(self) -> bool:
        return self._cancel_requested or (self._cancelled is not None and bool(self._cancelled()))

    def check_cancelled(self) -> None:
        if self.is_canceled():
            raise Cancelled("error.cancelled")

    def push_warning(self, text: str) -> None:
        if self._warn is not None:
            self._warn(text)


_TRUE = ("1", "yes", "true", "y", "是")
_FALSE = ("0", "no", "false", "n", "否")


def parse_facts(items: list[str] | None) -> dict:
    """``["unavoidable=yes", …]`` → ``{"unavoidable": True, …}`` (yes/no words become booleans)."""
    facts: dict = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError("cli.fact_syntax", item=item)
        v = value.strip().lower()
        facts[key.strip()] = True if v in _TRUE else False if v in _FALSE else value.strip()
    return facts
