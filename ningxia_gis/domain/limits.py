"""Allowed ranges of the numeric options and settings, in one Qt-free place (CLI, batch, app).

A value outside its range is refused with a message naming the option, never clamped or used as is:
``--sliver nan`` or ``1e12`` would otherwise turn an occupation into 「相接」 silently.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from .errors import InputError


@dataclass(frozen=True)
class Limit:
    option: str          # as the user writes it ("--sliver")
    lo: float
    hi: float
    integer: bool = False
    unit: str = ""

    def check(self, value) -> float | int:
        """``value`` (a number or its text) as a number in [lo, hi]; InputError otherwise."""
        v = _number(value)
        if v is None or (self.integer and v != int(v)):
            raise InputError("limits.not_a_number", option=self.option, value=_shown(value),
                             kind="整数" if self.integer else "数值", kind_en="a whole number" if self.integer
                             else "a number", lo=_g(self.lo), hi=_g(self.hi), unit=self._unit)
        if not self.lo <= v <= self.hi:
            raise InputError("limits.out_of_range", option=self.option, value=_shown(value), lo=_g(self.lo),
                             hi=_g(self.hi), unit=self._unit)
        return int(v) if self.integer else float(v)

    @property
    def _unit(self) -> str:
        return f" {self.unit}" if self.unit else ""

    def arg_type(self):
        """An argparse ``type=``: the checked number, or argparse's usage error with our message."""
        import argparse

        def parse(text):
            try:
                return self.check(text)
            except InputError as exc:
                raise argparse.ArgumentTypeError(str(exc)) from None
        parse.__name__ = self.option.lstrip("-").replace("-", "_")
        return parse


def _number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        v = float(value)
    elif isinstance(value, str):
        t = unicodedata.normalize("NFKC", value).strip()
        if not t or len(t) > 40 or t.lower().lstrip("+-") in ("nan", "inf", "infinity") or "_" in t:
            return None
        try:
            v = float(t)
        except ValueError:
            return None
    else:
        return None
    return v if math.isfinite(v) else None


def _g(v: float) -> str:
    return f"{v:g}"


def _shown(value) -> str:
    s = str(value)
    return s if len(s) <= 24 else s[:21] + "…"


# m²: overlaps below it only "touch". Above 100 m² (0.15 亩) a threshold would hide real occupation.
SLIVER_M2 = Limit("--sliver", 0.0, 100.0, unit="m²")
WORKERS = Limit("--workers", 1, 256, integer=True)
PARTITIONS = Limit("--partitions", 1, 100_000, integer=True)
CASE_TIMEOUT_S = Limit("--case-timeout", 1, 86_400, unit="s")
CASE_MEMORY_MB = Limit("--case-memory", 256, 1_048_576, integer=True, unit="MB")
ARC_TOLERANCE_M = Limit("arc_tolerance", 1e-4, 10.0, unit="m")
GK_ZONE = Limit("zone", 25, 45, integer=True)

# bounded reads (bytes)
MAX_FOOTPRINT_FILE = 512 << 20      # a footprint file (TXT, CSV, KML, DXF …)
MAX_INFLATED = 256 << 20            # a KMZ's or XLSX's content, uncompressed
