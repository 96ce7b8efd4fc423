"""The validation report of a footprint import, and the checks shared by all formats.

``load_footprint`` (core.footprint) runs, for every format:

1. the format reader (refusals with file + line: < 3 points, a ring that cannot be closed, a coordinate
   outside Ningxia's plausible range in the CRS assumed, text in a number field …);
2. for GIS formats read through GDAL: ``clean_vector_footprint`` (2-D, closed lines → polygons, duplicate
   vertices removed, range check per feature);
3. ``prepare_footprint``: make_valid with a warning, polygonal parts kept, ring orientation normalised
   (exteriors counter-clockwise, holes clockwise);
4. ``finalize``: per-parcel counts and areas, stated 地块面积 vs computed (> 0.1 % → warning), and the
   ``ImportReport`` stored in ``fp.meta["report"]``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS

from ..core.areas import ellipsoidal_areas, ellipsoidal_areas_lonlat, to_lonlat
from ..core.crs import analysis_epsg_for_lon, crs_label
from ..domain.errors import FootprintError
from ..core.footprint import Footprint, parcel_overlaps
from ..core.units import m2_to_ha, m2_to_mu
from .common import Locs, check_plausible, check_sane

AREA_TOLERANCE = 0.001  # 0.1 %


@dataclass
class ParcelReport:
    index: int
    id: str
    name: str
    loc: str
    parts: int
    rings: int
    vertices: int
    planar_m2: float
    ellipsoidal_m2: float
    stated_ha: float | None = None


@dataclass
class ImportReport:
    source: str
    name: str
    format: str
    encoding: str
    sha256: str
    crs: str
    crs_notes: list[str]
    planar_crs: str
    parcel_count: int
    part_count: int
    ring_count: int
    vertex_count: int
    planar_m2: float
    ellipsoidal_m2: float
    bounds_lonlat: list[float]
    parcels: list[ParcelReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ellipsoidal_ha(self) -> float:
        return self.ellipsoidal_m2 / 10000

    def to_dict(self) -> dict:
        return asdict(self)

    def to_text(self) -> str:
        """A plain bilingual report for the terminal."""
        out = [f"文件 / file: {self.source}",
               f"格式 / format: {self.format}" + (f", 编码 / encoding: {self.encoding}" if self.encoding else ""),
               f"坐标系 / CRS: {self.crs}"]
        out += [f"  ({n})" for n in self.crs_notes]
        out.append(f"地块 / parcels: {self.parcel_count}   部分 / parts: {self.part_count}   "
                   f"圈 / rings: {self.ring_count}   界址点 / vertices: {self.vertex_count}")
        out.append(f"面积 / area: 椭球 ellipsoidal {_m2(self.ellipsoidal_m2)}; "
                   f"平面 planar {_m2(self.planar_m2)} ({self.planar_crs})")
        w, s, e, n = self.bounds_lonlat
        out.append(f"范围 / extent: {w:.5f}–{e:.5f}°E, {s:.5f}–{n:.5f}°N")
        if self.parcels:
            out.append("  #  编号/id        名称/name            圈 rings  点 pts   平面 planar 公顷  椭球 ellips. 公顷"
                       "  申报 stated 公顷")
            for p in self.parcels:
                st = f"{p.stated_ha:.4f}" if p.stated_ha is not None else "—"
                out.append(f"{p.index:>3}  {p.id[:14]:<14} {p.name[:20]:<20} {p.rings:>8} {p.vertices:>6} "
                           f"{m2_to_ha(p.planar_m2):>16.4f} {m2_to_ha(p.ellipsoidal_m2):>17.4f} {st:>16}")
        fixes = self.repairs + self.notes
        out.append(f"修复 / repairs: {len(fixes) if fixes else '无 / none'}")
        out += [f"  - {r}" for r in fixes]
        out.append(f"警告 / warnings: {len(self.warnings) if self.warnings else '无 / none'}")
        out += [f"  - {r}" for r in self.warnings]
        return "\n".join(out)


def _m2(v: float) -> str:
    return f"{v:,.2f} m² = {m2_to_ha(v):.4f} 公顷 = {m2_to_mu(v):.2f} 亩"


# ------------------------------------------------------------------------------------------------ checks

def clean_vector_footprint(fp: Footprint, *, check_range: bool = True, bounds=None) -> Footprint:
    """Checks for footprints read through GDAL (SHP, GPKG, GeoJSON …): 2-D, closed lines → polygons,
    duplicate vertices removed, Ningxia range check naming the feature."""
    gdf, crs = fp.gdf, fp.crs
    label = Path(fp.source).name or "footprint"
    if crs is None or gdf.empty:
        return fp
    geoms = fp.geoms
    changed = bool(shapely.has_z(geoms).any())
    geoms = shapely.force_2d(geoms) if changed else geoms.copy()  # the loop below may replace parcels
    closed = 0
    for i, g in enumerate(geoms):
        if g is None or g.is_empty or g.geom_type not in ("LineString", "MultiLineString", "LinearRing"):
            continue
        rings = [ln for ln in shapely.get_parts(g) if ln.is_closed and len(ln.coords) >= 4]
        if rings:
            geoms[i] = shapely.union_all([shapely.Polygon(r.coords) for r in rings])
            closed += len(rings)
    if closed:
        fp.repairs.append(f"{label}: {closed} closed line(s) read as polygon boundaries")
    coords, idx = shapely.get_coordinates(geoms, return_index=True)
    if len(coords):
        locs = Locs("feature {}", idx + 1)
        if check_range:
            check_plausible(coords[:, 0], coords[:, 1], CRS.from_user_input(crs), locs, label, bounds=bounds)
        else:
            check_sane(coords[:, 0], coords[:, 1], CRS.from_user_input(crs), locs, label)
    n_before = shapely.get_num_coordinates(geoms)
    geoms = shapely.remove_repeated_points(geoms, tolerance=0.0)
    dropped = n_before - shapely.get_num_coordinates(geoms)
    for i in np.nonzero(dropped > 0)[0]:
        fp.repairs.append(f"{label} feature {i + 1}: {int(dropped[i])} duplicate vertex(es) removed")
    if changed or closed or (dropped > 0).any():  # else the geometries are the file's, unchanged
        fp.gdf = gdf.set_geometry(_series(geoms, fp))
    return fp


def _series(geoms, fp: Footprint):
    import geopandas as gpd
    return gpd.GeoSeries(list(geoms), crs=fp.crs, index=fp.gdf.index)


def orient(fp: Footprint) -> Footprint:
    """Exteriors counter-clockwise, holes clockwise (OGC); counts what changed."""
    geoms = fp.geoms
    parts = shapely.get_parts(geoms)
    parts = parts[shapely.get_type_id(parts) == 3]
    changed = 0
    for p in parts:
        if not shapely.is_ccw(p.exterior):
            changed += 1
        changed += sum(1 for r in p.interiors if shapely.is_ccw(r))
    if changed:
        fp.gdf = fp.gdf.set_geometry(_series(shapely.orient_polygons(geoms, exterior_cw=False), fp))
        fp.notes.append(f"{changed} ring(s) re-oriented (exteriors counter-clockwise, holes clockwise)")
    return fp


def finalize(fp: Footprint) -> Footprint:
    """Counts, areas, stated-area check and the ImportReport (``fp.meta['report']``)."""
    gdf = fp.gdf
    label = Path(fp.source).name or "footprint"
    crs = CRS.from_user_input(fp.crs)
    geoms = fp.geoms
    single = len(geoms) == 1  # one parcel: its union is itself (no second pass over 10⁶ vertices)
    union = geoms[0] if single else shapely.union_all(geoms)
    c = to_lonlat([union.centroid], crs)[0]
    if crs.is_projected:
        planar_crs, pgeoms, punion = crs, geoms, union
    else:
        planar_crs = CRS.from_epsg(analysis_epsg_for_lon(c.x))
        pgeoms = np.asarray(gdf.to_crs(planar_crs).geometry.values, dtype=object)
        punion = pgeoms[0] if single else shapely.union_all(pgeoms)
    planar = shapely.area(pgeoms)
    ll_geoms = to_lonlat(geoms, crs)
    ellips = ellipsoidal_areas_lonlat(ll_geoms)
    ll = ll_geoms[0] if single else to_lonlat([union], crs)[0]
    union_ellips = float(ellips[0]) if single else float(ellipsoidal_areas([union], crs)[0])
    locs = fp.meta.get("parcel_locs") or [f"feature {i + 1}" for i in range(len(gdf))]
    parcels = []
    stated_col = next((k for k in ("地块面积", "DKMJ") if k in gdf.columns), None)
    # the fields read per parcel, as columns (a pandas row per parcel costs more than the rest)
    cols = {k: gdf[k].to_numpy(dtype=object) for k in (*_ID_FIELDS, *_NAME_FIELDS, stated_col) if k in gdf.columns}
    for i, g in enumerate(geoms):
        polys = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
        rings = sum(1 + len(p.interiors) for p in polys)
        verts = sum(len(p.exterior.coords) - 1 + sum(len(r.coords) - 1 for r in p.interiors) for p in polys)
        row = {k: v[i] for k, v in cols.items()}
        stated = _float(row[stated_col]) if stated_col else None
        pr = ParcelReport(index=i + 1, id=_text(row, _ID_FIELDS), name=_text(row, _NAME_FIELDS),
                          loc=locs[i] if i < len(locs) else "", parts=len(polys), rings=rings, vertices=verts,
                          planar_m2=float(planar[i]), ellipsoidal_m2=float(ellips[i]), stated_ha=stated)
        parcels.append(pr)
        if stated is not None:
            _check_stated(pr, label, fp.warnings)
    _check_overlaps(parcels, pgeoms, planar_crs, label, fp.warnings)
    _check_degenerate(pgeoms, parcels, label, fp.warnings)
    rep = ImportReport(
        source=fp.source, name=fp.name, format=fp.meta.get("format", "") or Path(fp.source).suffix.lstrip("."),
        encoding=fp.meta.get("encoding", "") or "", sha256=fp.sha256, crs=crs_label(crs),
        crs_notes=list(fp.meta.get("crs_notes", [])), planar_crs=crs_label(planar_crs),
        parcel_count=len(gdf), part_count=sum(p.parts for p in parcels), ring_count=sum(p.rings for p in parcels),
        vertex_count=sum(p.vertices for p in parcels), planar_m2=float(punion.area),
        ellipsoidal_m2=union_ellips, bounds_lonlat=[float(v) for v in ll.bounds],
        parcels=parcels, warnings=[w for w in fp.warnings if w not in fp.repairs], repairs=list(fp.repairs),
        notes=list(fp.notes))
    fp.meta["report"] = rep
    return fp


def _check_overlaps(parcels: list[ParcelReport], pgeoms, planar_crs, label: str, warnings: list[str]) -> None:
    """A warning for every pair of parcels of the file that overlap (the footprint counts it once)."""
    pairs = parcel_overlaps(pgeoms)
    if not pairs:
        return
    pieces = np.array([shapely.intersection(pgeoms[i], pgeoms[j]) for i, j, _ in pairs], dtype=object)
    ell = ellipsoidal_areas(pieces, planar_crs)
    for (i, j, _a), e in zip(pairs, ell):
        a, b = parcels[i], parcels[j]
        who = (f"{a.index}" + (f" '{a.name or a.id}'" if (a.name or a.id) else ""),
               f"{b.index}" + (f" '{b.name or b.id}'" if (b.name or b.id) else ""))
        msg = (f"{label}：地块 {who[0]} 与地块 {who[1]} 相互重叠 {e:,.2f} m²（{m2_to_ha(e):.4f} 公顷），"
               "重叠部分在项目用地中只计一次（各地块相加会多算） "
               f"({label}: parcels {who[0]} and {who[1]} overlap by {e:,.2f} m² ({m2_to_ha(e):.4f} ha, ellipsoidal); "
               "the footprint counts it once, so the parcels add up to more than the footprint)")
        if msg not in warnings:
            warnings.append(msg)


def _float(v) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


_ID_FIELDS = ("地块编号", "DKBH", "id", "ID")
_NAME_FIELDS = ("地块名称", "DKMC", "name", "Name", "NAME")


def _text(row: dict, keys) -> str:
    for k in keys:
        if k in row:
            v = row[k]
            if v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v).strip():
                return str(v).strip()
    return ""


def _decimals(v: float) -> int:
    s = np.format_float_positional(v, trim="-")
    return len(s.split(".")[1]) if "." in s else 0


def _check_stated(pr: ParcelReport, label: str, warnings: list[str]) -> None:
    """Stated 地块面积 (公顷) vs the computed planar and ellipsoidal areas; > 0.1 % → warning."""
    stated = pr.stated_ha
    planar, ell = m2_to_ha(pr.planar_m2), m2_to_ha(pr.ellipsoidal_m2)
    if planar <= 0:
        return
    half_unit = 0.5 * 10 ** -min(_decimals(stated), 8)
    for comp in (planar, ell):
        if abs(stated - comp) <= max(AREA_TOLERANCE * comp, half_unit + 1e-12):
            return
    who = f"{label} {pr.loc}: parcel {pr.index}" + (f" '{pr.name or pr.id}'" if (pr.name or pr.id) else "")
    diff = (stated - planar) / planar * 100
    hint = ""
    for factor, unit in ((1e4, "平方米 (m²)"), (15, "亩")):
        if abs(stated / planar / factor - 1) < 0.005:
            hint = f"; it looks like the area in {unit} written as 公顷"
    warnings.append(f"{who}: stated 地块面积 {stated:g} 公顷 differs from the computed {planar:.4f} 公顷 (planar) / "
                    f"{ell:.4f} 公顷 (ellipsoidal) by {diff:+.2f} %{hint}")


# a part thinner than this on average (2·area / perimeter), or smaller than DEGENERATE_M2, is degenerate
DEGENERATE_WIDTH_M = 0.05
DEGENERATE_M2 = 1.0


def _check_degenerate(pgeoms, parcels: list[ParcelReport], label: str, warnings: list[str]) -> None:
    """Warn about sliver parts (a 100 m × 1 mm ring has 0.1 m²): a typing error or a collapsed ring,
    never silently a parcel. ``pgeoms``: the parcels in a planar CRS."""
    from ..domain import messages
    parts, owner = shapely.get_parts(np.asarray(pgeoms, dtype=object), return_index=True)
    poly = shapely.get_type_id(parts) == 3
    parts, owner = parts[poly], owner[poly]
    if not len(parts):
        return
    area = shapely.area(parts)
    perim = shapely.length(parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        width = np.where(perim > 0, 2 * area / perim, 0.0)
    for k in np.nonzero((area < DEGENERATE_M2) | (width < DEGENERATE_WIDTH_M))[0]:
        pr = parcels[int(owner[k])]
        who = f"{label} {pr.loc}".strip() + f": parcel {pr.index}" + (f" '{pr.name or pr.id}'" if (pr.name or pr.id)
                                                                     else "")
        w = float(width[k])
        warnings.append(messages.text("footprint.degenerate", who=who, area=f"{float(area[k]):.3g}",
                                      width=f"{w * 1000:.3g} mm" if w < 1 else f"{w:.3g} m",
                                      length=f"{float(perim[k]) / 2:.4g}"))


def report_of(fp: Footprint) -> ImportReport:
    rep = fp.meta.get("report")
    if rep is None:
        finalize(fp)
        rep = fp.meta["report"]
    return rep


__all__ = ["ImportReport", "ParcelReport", "clean_vector_footprint", "orient", "finalize", "report_of",
           "FootprintError"]
