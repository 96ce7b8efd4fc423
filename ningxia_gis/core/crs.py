"""CGCS2000 coordinate systems used in Ningxia and the choice of the analysis CRS.

EPSG:4490 is lat-first by definition; every transformer here uses ``always_xy=True``.
3° Gauss-Krüger: zone-prefixed EPSG = 4488 + zone (4523 = zone 35), CM-only EPSG = 4534 + (zone - 25)
(4544 = CM 105E, 4545 = CM 108E).
"""

from __future__ import annotations

import math
from functools import lru_cache

from pyproj import CRS, Transformer

from ..domain.errors import CRSError

CGCS2000_GEOG = 4490


def gk3_zone_for_lon(lon: float) -> int:
    """3° zone number of ``lon``: zone n covers [3n − 1.5°, 3n + 1.5°), so exactly 106.5°E is zone 36
    (the half-open rule, the same at every boundary; Python's round() would alternate)."""
    return int(math.floor(lon / 3.0 + 0.5))


def gk3_epsg(zone: int, prefixed: bool = False) -> int:
    if not 25 <= zone <= 45:
        raise CRSError("crs.zone_range", zone=zone)
    return 4488 + zone if prefixed else 4534 + (zone - 25)


def analysis_epsg_for_lon(lon: float) -> int:
    """The CM-only CGCS2000 3° GK EPSG code used for analysis at longitude ``lon``."""
    return gk3_epsg(gk3_zone_for_lon(lon), prefixed=False)


def zone_from_prefixed_easting(easting: float) -> int | None:
    """Zone number carried in a zone-prefixed easting (e.g. 35 594 717 → 35), else None."""
    if 25_000_000 <= easting < 46_000_000:
        return int(easting // 1_000_000)
    return None


@lru_cache(maxsize=64)
def _transformer(src_wkt: str, dst_wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(src_wkt), CRS.from_wkt(dst_wkt), always_xy=True)


def transformer(src, dst) -> Transformer:
    """Cached ``always_xy`` transformer between two CRS-like values."""
    return _transformer(crs_wkt(src), crs_wkt(dst))


@lru_cache(maxsize=256)
def _crs_of(value) -> CRS:
    return CRS.from_user_input(value)


def to_crs(src) -> CRS:
    """The pyproj CRS of a CRS-like value (one shared object per EPSG code or text)."""
    try:
        if isinstance(src, (int, str)) and not isinstance(src, bool):
            return _crs_of(src)
        return CRS.from_user_input(src)
    except Exception as exc:  # pyproj raises several types
        raise CRSError("crs.unknown", crs=src) from None


_WKT: dict[int, tuple[CRS, str]] = {}  # id(CRS) -> (the CRS, its WKT)


def crs_wkt(crs) -> str:
    """The WKT of a CRS-like value, built once per CRS object (pyproj builds it anew on every call)."""
    crs = to_crs(crs)
    hit = _WKT.get(id(crs))
    if hit is None or hit[0] is not crs:
        if len(_WKT) >= 256:
            _WKT.clear()
        hit = _WKT[id(crs)] = (crs, crs.to_wkt())
    return hit[1]


_LABELS: dict[str, str] = {}  # WKT -> label


def crs_label(crs) -> str:
    """'EPSG:4544 CGCS2000 / 3-degree Gauss-Kruger CM 105E' or the CRS name (once per definition)."""
    crs = to_crs(crs)
    key = crs_wkt(crs)
    if key not in _LABELS:
        if len(_LABELS) >= 256:
            _LABELS.clear()
        epsg = crs.to_epsg()
        _LABELS[key] = f"EPSG:{epsg} {crs.name}" if epsg else crs.name
    return _LABELS[key]


def gk_false_easting(crs: CRS) -> float | None:
    """False easting of a transverse-Mercator CRS, None for anything else."""
    if not crs.is_projected or crs.coordinate_operation is None:
        return None
    for p in crs.coordinate_operation.params:
        if p.name.lower() == "false easting":
            return float(p.value)
    return None


def fix_prefix_mismatch(crs: CRS, minx: float, maxx: float) -> tuple[CRS, str | None]:
    """Repair a GK CRS whose coordinates carry a zone prefix the CRS does not (or vice versa).

    Returns the CRS to use and a warning text when something was changed.
    """
    fe = gk_false_easting(crs)
    if fe is None:
        return crs, None
    zone = zone_from_prefixed_easting(minx)
    if fe < 1_000_000 and zone is not None and zone_from_prefixed_easting(maxx) == zone:
        fixed = CRS.from_epsg(gk3_epsg(zone, prefixed=True))
        return fixed, (f"coordinates carry zone prefix {zone} but the CRS says {crs_label(crs)}; "
                       f"read as {crs_label(fixed)}")
    if fe > 1_000_000 and 100_000 <= minx and maxx < 1_000_000:
        zone = int(fe // 1_000_000)
        fixed = CRS.from_epsg(gk3_epsg(zone, prefixed=False))
        return fixed, (f"coordinates carry no zone prefix but the CRS says {crs_label(crs)}; "
                       f"read as {crs_label(fixed)}")
    return crs, None
