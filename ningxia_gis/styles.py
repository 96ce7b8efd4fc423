"""Map styles per layer role (resources/styles/roles.toml), for the report maps and the desktop app.

Qt-free and matplotlib-free: a `Style` is plain data; `Style.mpl_patch_kwargs()` gives the keyword
arguments for matplotlib patches / GeoPandas ``plot``, and the app can read the same fields for Qt brushes.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from pathlib import Path

from .domain.errors import InputError
from .paths import STYLES_DIR

STYLE_FILE = STYLES_DIR / "roles.toml"


@dataclass(frozen=True)
class Style:
    label: str = ""
    face: str = "none"  # fill colour, "#rrggbb" or "none"
    alpha: float = 1.0  # fill opacity
    edge: str = "#000000"  # outline colour
    width: float = 0.8  # outline width, points
    linestyle: str = "-"  # "-", "--", "-.", ":"
    hatch: str = ""  # matplotlib hatch pattern
    hatch_color: str = ""  # defaults to the edge colour
    zorder: int = 5
    # extras used by some entries (labels, markers)
    color: str = "#000000"
    halo: str = "#ffffff"
    size: float = 8.0
    max_labels: int = 15

    def mpl_patch_kwargs(self) -> dict:
        """facecolor/edgecolor/linewidth/linestyle/hatch/zorder for matplotlib (fill alpha folded in)."""
        from matplotlib.colors import to_rgba

        face = "none" if self.face == "none" else to_rgba(self.face, self.alpha)
        kw = {"facecolor": face, "edgecolor": self.edge, "linewidth": self.width, "linestyle": self.linestyle,
              "zorder": self.zorder}
        if self.hatch:
            kw["hatch"] = self.hatch
            kw["hatchcolor"] = self.hatch_color or self.edge
        return kw


_FIELDS = {f.name for f in fields(Style)}


def _style(d: dict, where: str, base: Style | None = None) -> Style:
    unknown = set(d) - _FIELDS - {"zones"}
    if unknown:
        raise InputError("styles.unknown_keys", where=where, keys=", ".join(sorted(unknown)))
    return replace(base or Style(), **{k: v for k, v in d.items() if k != "zones"})


@dataclass
class StyleSet:
    footprint: Style
    piece: Style
    piece_label: Style
    location_marker: Style
    roles: dict[str, Style] = field(default_factory=dict)
    zones: dict[str, dict[str, Style]] = field(default_factory=dict)

    def role(self, role: str, zone: str | None = None) -> Style:
        """Style of a role, with the zone override when the zone has one."""
        base = self.roles.get(role) or Style(label=role, face="#cccccc", alpha=0.5, edge="#666666")
        if zone is not None and zone in self.zones.get(role, {}):
            return self.zones[role][zone]
        return base


def load_styles(path: str | Path | None = None) -> StyleSet:
    p = Path(path) if path else STYLE_FILE
    if path is None:
        return _default_styles()
    return _parse(p)


@lru_cache(maxsize=1)
def _default_styles() -> StyleSet:
    return _parse(STYLE_FILE)


def _parse(p: Path) -> StyleSet:
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError("styles.unreadable", path=p, detail=exc) from None
    roles, zones = {}, {}
    for role, d in data.get("roles", {}).items():
        roles[role] = _style(d, f"roles.{role}")
        zones[role] = {z: _style(zd, f"roles.{role}.zones.{z}", roles[role]) for z, zd in d.get("zones", {}).items()}
    return StyleSet(footprint=_style(data.get("footprint", {}), "footprint"),
                    piece=_style(data.get("piece", {}), "piece"),
                    piece_label=_style(data.get("piece_label", {}), "piece_label"),
                    location_marker=_style(data.get("location_marker", {}), "location_marker"),
                    roles=roles, zones=zones)


def role_style(role: str, zone: str | None = None) -> Style:
    """Shortcut: the default style of ``role`` (and ``zone``)."""
    return load_styles().role(role, zone)
