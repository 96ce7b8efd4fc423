"""Which coordinate system and axis order a footprint's coordinates are in.

Used by every coordinate-list reader (部标准 TXT, CSV/XLSX tables, DXF). The decision is made per file,
never per point, from the coordinate magnitudes (formats.md §1.9 step 4):

* X (3rd TXT field) = northing, 7 integer digits in Ningxia (≈ 3 900 000 – 4 370 000);
* Y (4th field) = easting, 8 integer digits with the zone prefix ("大数", 35 594 717) or 6 without;
* lat/lon degrees (lat first, mirroring X = north).

EPSG families (verified against the PROJ database, see docs/footprint_formats.md):

=================  =====================  ======================  =====================  ====================
datum              3° zone-prefixed        3° CM only              6° zone-prefixed        6° CM only
=================  =====================  ======================  =====================  ====================
CGCS2000           4488 + zone (25–45)     4534 + (zone − 25)      4491 + (zone − 13)      4502 + (zone − 13)
Xi'an 1980         2324 + zone             2345 + zone             2314 + zone (13–23)     2325 + zone
Beijing 1954       2376 + zone             2397 + zone             21400 + zone            21440 + zone
=================  =====================  ======================  =====================  ====================
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from pyproj import CRS

from ..core.crs import crs_label, gk_false_easting
from ..domain.errors import CRSError, FootprintError

CGCS2000 = "CGCS2000"
XIAN80 = "Xian1980"
BEIJING54 = "Beijing1954"
WGS84 = "WGS84"

DATUM_NAMES = {CGCS2000: "2000国家大地坐标系 (CGCS2000)", XIAN80: "1980西安坐标系 (Xi'an 1980)",
               BEIJING54: "1954北京坐标系 (Beijing 1954)", WGS84: "WGS 84"}

GEOGRAPHIC_EPSG = {CGCS2000: 4490, XIAN80: 4610, BEIJING54: 4214, WGS84: 4326}

# Ningxia is about 104.2–107.7°E, 35.2–39.4°N; a project a little over the border is still plausible.
NINGXIA_PLAUSIBLE_LONLAT = (103.5, 34.8, 108.5, 39.8)


def gk_epsg(datum: str, zone: int, width: int = 3, prefixed: bool = True) -> int:
    """EPSG code of a Gauss-Krüger CRS; CRSError for a zone outside China's range."""
    if width == 3:
        if not 25 <= zone <= 45:
            raise CRSError("footprint.zone_outside", width=3, zone=zone, range="25–45")
        base = {CGCS2000: (4488, 4534 - 25), XIAN80: (2324, 2345), BEIJING54: (2376, 2397)}
    elif width == 6:
        if not 13 <= zone <= 23:
            raise CRSError("footprint.zone_outside", width=6, zone=zone, range="13–23")
        base = {CGCS2000: (4491 - 13, 4502 - 13), XIAN80: (2314, 2325), BEIJING54: (21400, 21440)}
    else:
        raise CRSError("footprint.zone_width", width=width)
    if datum not in base:
        raise CRSError("footprint.no_gk_code", datum=datum)
    pre, cm = base[datum]
    return pre + zone if prefixed else cm + zone


def datum_from_text(text: str | None) -> str | None:
    """The datum named by a 坐标系 value ('2000国家大地坐标系', '1980西安坐标系' …); None if blank.

    Raises ValueError for a text that names none of them.
    """
    if text is None or not text.strip():
        return None
    t = text.strip().upper()
    if "2000" in t or "CGCS" in t or "国家2000" in t:
        return CGCS2000
    if "WGS" in t:
        return WGS84
    if "西安" in t or "XIAN" in t or "XI'AN" in t or "80" in t:
        return XIAN80
    if "北京" in t or "BEIJING" in t or "54" in t:
        return BEIJING54
    raise ValueError(text)


def width_from_text(text: str | None) -> int | None:
    """3 or 6 from a 几度分带 / 分带 value ('3', '3度', '3度带', '6°'); None if blank or unrecognised."""
    if not text:
        return None
    m = re.search(r"[36]", text)
    return int(m.group()) if m else None


def zone_from_text(text: str | None) -> int | None:
    if not text:
        return None
    m = re.search(r"\d+", text)
    return int(m.group()) if m else None


@dataclass
class AxisDecision:
    """How to turn (a, b) = (3rd, 4th field) into (easting, northing) or (lon, lat), and in which CRS."""

    crs: CRS
    swapped: bool = False          # True: a is the easting / longitude
    geographic: bool = False
    notes: list[str] = field(default_factory=list)     # how the CRS was decided (informational)
    warnings: list[str] = field(default_factory=list)  # what was assumed that the user must know

    def to_xy(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) in GIS order: (easting, northing) or (lon, lat)."""
        return (a, b) if self.swapped else (b, a)


def _kind(v: float) -> str:
    """Magnitude class of one coordinate value."""
    if not math.isfinite(v):
        return "bad"
    av = abs(v)
    if 1e6 <= av < 1e7:
        return "N7"
    if 1e7 <= av < 1e8:
        return "E8"
    if 1e5 <= av < 1e6:
        return "E6"
    if av <= 180:
        return "deg"
    return "bad"


_KINDS = ("bad", "N7", "E8", "E6", "deg")


def _kinds(v: np.ndarray) -> np.ndarray:
    """``_kind`` of every value, as indices into ``_KINDS``."""
    with np.errstate(invalid="ignore"):
        av = np.abs(v)
        return np.select([~np.isfinite(v), (av >= 1e6) & (av < 1e7), (av >= 1e7) & (av < 1e8),
                          (av >= 1e5) & (av < 1e6), av <= 180], [0, 1, 2, 3, 4], default=0).astype(np.int64)


def _majority(kinds: list[str]) -> str:
    return Counter(kinds).most_common(1)[0][0]


def decide_axes(a: np.ndarray, b: np.ndarray, locs: list[str], label: str, *,
                crs=None, datum_text: str | None = None, width_text: str | None = None,
                zone_text: str | None = None, unit_text: str | None = None,
                legacy_datum: str = "refuse", where_datum: str = "",
                columns: tuple[str, str] = ("the 3rd field", "the 4th field")) -> AxisDecision:
    """Decide axis order and CRS for one file's coordinate pairs.

    ``a``/``b``: the first/second coordinate column as written (TXT: X, Y); ``locs``: "line N" for each
    pair, used in messages. ``crs``: the user's choice, which wins over anything in the file.
    """
    if len(a) == 0:
        raise FootprintError("footprint.no_coordinates", file=label)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    pc = _kinds(a) * len(_KINDS) + _kinds(b)
    counts = np.bincount(pc, minlength=len(_KINDS) ** 2)
    tied = np.flatnonzero(counts == counts.max())
    code = int(tied[0]) if len(tied) == 1 else int(min(tied, key=lambda c: int(np.argmax(pc == c))))
    major = (_KINDS[code // len(_KINDS)], _KINDS[code % len(_KINDS)])  # the most common (first seen on ties)
    off = np.flatnonzero((pc != code) | (pc // len(_KINDS) == 0) | (pc % len(_KINDS) == 0))
    if len(off):
        i = int(off[0])
        p = (_KINDS[int(pc[i]) // len(_KINDS)], _KINDS[int(pc[i]) % len(_KINDS)])
        raise FootprintError("footprint.coords_mismatch" if p != major else "footprint.coords_kind", file=label,
                             where=locs[i], a=_num(a[i]), b=_num(b[i]), what=_describe_pair(major))

    if crs is not None:
        return _with_user_crs(a, b, major, locs, label, crs, columns)

    try:
        datum = datum_from_text(datum_text)
    except ValueError:
        raise FootprintError("footprint.datum_unknown", file=label, where=where_datum, datum=datum_text) from None
    dec = AxisDecision(crs=CRS.from_epsg(4490))
    if datum is None:
        datum = CGCS2000
        dec.warnings.append(f"{label}: 坐标系 not stated; assumed 2000国家大地坐标系 (CGCS2000)")

    if major == ("deg", "deg"):
        return _geographic(a, b, locs, label, datum, dec, legacy_datum, where_datum, columns)
    if unit_text and ("度" in unit_text or "deg" in unit_text.lower()):
        raise FootprintError("footprint.unit_degrees", file=label, unit=unit_text)
    if datum == WGS84:
        raise FootprintError("footprint.projected_wgs84", file=label, where=where_datum)

    if major == ("N7", "E8"):
        swapped, prefixed = False, True
    elif major == ("E8", "N7"):
        swapped, prefixed = True, True
    elif major == ("N7", "E6"):
        swapped, prefixed = False, False
    elif major == ("E6", "N7"):
        swapped, prefixed = True, False
    else:
        raise FootprintError("footprint.coords_unknown", file=label, where=locs[0], a=_num(a[0]), b=_num(b[0]))
    dec.swapped = swapped
    east = a if swapped else b
    width = width_from_text(width_text)
    stated_zone = zone_from_text(zone_text)
    if prefixed:
        zones = (np.abs(east) // 1_000_000).astype(int)
        zone = int(zones[0])
        other = np.flatnonzero(zones != zone)
        if len(other):
            i = int(other[0])
            raise FootprintError("footprint.mixed_zones", file=label, where=locs[i], east=_num(east[i]),
                                 zone=int(zones[i]), first=zone)
        if stated_zone is not None and stated_zone != zone:
            dec.warnings.append(f"{label}: 带号={stated_zone} but the eastings carry zone prefix {zone}; "
                                f"used zone {zone}")
        how = f"zone prefix {zone} of the eastings"
    else:
        if stated_zone is None:
            raise FootprintError("footprint.no_zone", file=label)
        zone = stated_zone
        how = f"带号={zone} (eastings carry no zone prefix)"
    width = _fit_width(width, zone, label, dec)
    try:
        epsg = gk_epsg(datum, zone, width, prefixed)
    except CRSError as exc:
        raise FootprintError("footprint.wrapped", file=label, text=exc.text()) from None
    dec.crs = CRS.from_epsg(epsg)
    _legacy_check(datum, label, where_datum, legacy_datum, dec)
    if swapped:
        dec.warnings.append(f"{label}: {columns[0]} holds {'8' if prefixed else '6'}-digit eastings and "
                            f"{columns[1]} 7-digit northings — X and Y are swapped; read {columns[0]} as the "
                            f"easting (Y) and {columns[1]} as the northing (X)")
    dec.notes.append(f"CRS {crs_label(dec.crs)} from {how}, {width}° zones, {DATUM_NAMES[datum]}")
    return dec


def _fit_width(width: int | None, zone: int, label: str, dec: AxisDecision) -> int:
    fits3, fits6 = 25 <= zone <= 45, 13 <= zone <= 23
    if width == 3 and not fits3 and fits6:
        dec.warnings.append(f"{label}: 几度分带=3 but zone {zone} is a 6° zone number; read as 6° zone {zone}")
        return 6
    if width == 6 and not fits6 and fits3:
        dec.warnings.append(f"{label}: 几度分带=6 but zone {zone} is a 3° zone number; read as 3° zone {zone}")
        return 3
    if width in (3, 6):
        return width
    if fits3:
        return 3
    if fits6:
        return 6
    raise FootprintError("footprint.zone_neither", file=label, zone=zone)


def _legacy_check(datum: str, label: str, where: str, legacy_datum: str, dec: AxisDecision) -> None:
    if datum not in (XIAN80, BEIJING54):
        return
    name = DATUM_NAMES[datum]
    if legacy_datum != "read":
        raise FootprintError("footprint.legacy_datum", file=label, where=where, datum=name)
    dec.warnings.append(
        f"注意 / WARNING {label}: coordinates are in {name} and were read with {crs_label(dec.crs)} WITHOUT a "
        "datum transformation; against CGCS2000 layers they can be tens of metres off — do not use the "
        "result for a formal review")


def _geographic(a, b, locs, label, datum, dec, legacy_datum, where_datum, columns) -> AxisDecision:
    def is_lat(v):
        return bool(np.all((v >= 3) & (v <= 54)))

    def is_lon(v):
        return bool(np.all((v >= 73) & (v <= 136)))

    if is_lat(a) and is_lon(b):
        dec.swapped = False
        order = f"latitude ({columns[0]}), longitude ({columns[1]})"
    elif is_lon(a) and is_lat(b):
        dec.swapped = True
        order = f"longitude ({columns[0]}), latitude ({columns[1]}) — the reverse of the usual X = north order"
    else:
        raise FootprintError("footprint.degrees_outside", file=label, where=locs[0], a=_num(a[0]), b=_num(b[0]))
    dec.geographic = True
    dec.crs = CRS.from_epsg(GEOGRAPHIC_EPSG[datum])
    _legacy_check(datum, label, where_datum, legacy_datum, dec)
    dec.warnings.append(f"{label}: coordinates are degrees, not Gauss-Krüger metres; read as {order} "
                        f"in {crs_label(dec.crs)}")
    return dec


def _with_user_crs(a, b, major, locs, label, crs, columns) -> AxisDecision:
    try:
        user = CRS.from_user_input(crs)
    except Exception:  # pyproj raises several types
        raise FootprintError("footprint.unknown_crs", crs=str(crs)[:60]) from None
    dec = AxisDecision(crs=user)
    if user.is_geographic:
        dec.geographic = True
        if major != ("deg", "deg"):
            raise FootprintError("footprint.crs_geographic_metres", file=label, crs=crs)
        # lat first (X = north) unless the first column can only be longitudes
        dec.swapped = bool(np.all(np.abs(a) > 90) and np.all(np.abs(b) <= 90))
        if dec.swapped:
            dec.warnings.append(f"{label}: {columns[0]} holds longitudes; read as longitude, latitude")
    else:
        if major == ("deg", "deg"):
            raise FootprintError("footprint.crs_projected_degrees", file=label, crs=crs)
        dec.swapped = major[0] in ("E8", "E6") and major[1] == "N7"
        if dec.swapped:
            dec.warnings.append(f"{label}: {columns[0]} holds eastings and {columns[1]} northings — X and Y "
                                f"are swapped; read {columns[0]} as the easting")
        east = a if dec.swapped else b
        fe = gk_false_easting(user)
        if fe is not None:
            from ..core.crs import fix_prefix_mismatch
            fixed, note = fix_prefix_mismatch(user, float(np.min(east)), float(np.max(east)))
            if note:
                dec.crs = fixed
                dec.warnings.append(f"{label}: {note}")
    dec.notes.append(f"CRS {crs_label(dec.crs)} as given (--crs)")
    return dec


def _describe_pair(p) -> str:
    names = {"N7": "7-digit northing", "E8": "8-digit zone-prefixed easting", "E6": "6-digit easting",
             "deg": "degrees", "bad": "?"}
    return f"{names[p[0]]}, {names[p[1]]}"


def _num(v) -> str:
    try:
        return f"{float(v):.10g}"
    except (TypeError, ValueError, OverflowError):
        return str(v)
