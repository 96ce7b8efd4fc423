"""Overlap of a footprint with one layer: pieces per source feature and dissolved totals."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .areas import ellipsoidal_areas, planar_areas
from .cell_cover import clip_quarters
from ..domain.roles import normalise_zone
from .units import area_block


@dataclass
class Piece:
    feature_id: str
    zone: str
    key: dict
    attributes: dict
    geometry: object  # shapely, analysis CRS
    planar_m2: float
    ellipsoidal_m2: float
    sliver: bool


@dataclass
class LayerOverlap:
    pieces: list[Piece] = field(default_factory=list)
    total: dict = field(default_factory=lambda: area_block(0.0, 0.0))
    by_zone: list[dict] = field(default_factory=list)
    status: str = "not_touched"

    @property
    def hit_count(self) -> int:
        return len(self.pieces)


def json_value(v):
    """A JSON-safe scalar for an attribute value."""
    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) else f
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    if v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    return v if isinstance(v, (str, int)) else str(v)


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal part of each geometry (intersections may yield lines and points)."""
    out = geoms.copy()
    mixed = ~np.isin(shapely.get_type_id(geoms), (3, 6))
    for i in np.nonzero(mixed)[0]:
        parts = [p for p in shapely.get_parts(geoms[i]) if p.geom_type in ("Polygon", "MultiPolygon")]
        out[i] = shapely.union_all(parts) if parts else shapely.Polygon()
    return out


PRIVATE_COLUMNS = ("__fid", "__local")


def column_values(s: pd.Series):
    """A column's values as an array whose elements are what the Series yields (a numpy array for plain
    numpy types, else the pandas array: Timestamps, not datetime64)."""
    return s.to_numpy() if isinstance(s.dtype, np.dtype) and s.dtype.kind in "biufO" else s.array


def object_columns(columns: dict) -> tuple[dict, dict]:
    """Arrow-backed columns (text) as object arrays, several times cheaper to gather and read row by row,
    and the pandas type of each converted column."""
    dtypes = {c: v.dtype for c, v in columns.items() if isinstance(v, pd.arrays.ArrowStringArray)}
    return {c: np.asarray(v, dtype=object) if c in dtypes else v for c, v in columns.items()}, dtypes


def json_records(columns: dict, n: int) -> list[dict]:
    """The ``n`` rows of ``columns`` (name → values) as dicts of JSON values (``json_value``), as
    ``DataFrame.to_dict("records")`` gives them."""
    if not columns:
        return [{} for _ in range(n)]
    names = list(columns)
    values = [_json_column(col) for col in columns.values()]
    return [dict(zip(names, row)) for row in zip(*values)]


def _json_column(col) -> list:
    """``[json_value(v) for v in col]``, whole-column for plain numbers and text."""
    if isinstance(col, np.ndarray):
        if col.dtype.kind in "biu":
            return col.tolist()
        if col.dtype.kind == "f":
            out = col.tolist()
            return [None if math.isnan(v) else v for v in out] if np.isnan(col).any() else out
        if col.dtype.kind == "O":
            out = col.tolist()
            if all(v is None or type(v) is str for v in out):
                return out
    return [json_value(v) for v in col]


@dataclass
class CandidateTable:
    """Candidate features as plain arrays, what ``overlay_many`` reads (cheaper to gather than a
    GeoDataFrame): ``geometry`` (analysis CRS), attribute ``columns`` (name → values, layer order) and,
    per row or None, ``fid`` (``__fid``: position in the reading order) and ``local`` (``__local``: a
    subdivided feature's part near the footprint, None where the whole feature is used); ``dtypes``: the
    pandas type of columns held as object arrays (text read as Arrow strings)."""

    geometry: np.ndarray
    columns: dict
    fid: np.ndarray | None = None
    local: np.ndarray | None = None
    dtypes: dict = field(default_factory=dict)

    @classmethod
    def of(cls, frame: gpd.GeoDataFrame) -> "CandidateTable":
        cols = {c: column_values(frame[c]) for c in frame.columns
                if c != frame.geometry.name and c not in PRIVATE_COLUMNS}
        fid = frame["__fid"].to_numpy() if "__fid" in frame.columns else None
        local = frame["__local"].to_numpy() if "__local" in frame.columns else None
        return cls(np.asarray(frame.geometry.values, dtype=object), cols, fid, local)

    def __len__(self) -> int:
        return len(self.geometry)

    def take(self, rows) -> "CandidateTable":
        return CandidateTable(self.geometry[rows], {c: v[rows] for c, v in self.columns.items()},
                              None if self.fid is None else self.fid[rows],
                              None if self.local is None else self.local[rows], self.dtypes)

    def records(self) -> list[dict]:
        """Each row's attributes as JSON values (``json_value``)."""
        return json_records(self.columns, len(self))

    def frame(self, crs) -> gpd.GeoDataFrame:
        """The rows as a GeoDataFrame: attribute columns, geometry, ``__fid`` and ``__local``."""
        df = pd.DataFrame({c: pd.Series(v, dtype=self.dtypes.get(c, v.dtype), copy=False)
                           for c, v in self.columns.items()})
        df["geometry"] = gpd.array.from_shapely(self.geometry, crs=crs)
        if self.fid is not None:
            df["__fid"] = self.fid
        if self.local is not None:
            df["__local"] = pd.Series(self.local, dtype=object)
        return gpd.GeoDataFrame(df, geometry="geometry")


def subdivide(geom, max_vertices: int = 256, max_depth: int = 24) -> np.ndarray:
    """Split a (multi)polygon into polygons of at most ``max_vertices`` coordinates (like PostGIS
    ST_Subdivide) by recursive quadrant clipping; the pieces cover ``geom`` exactly, without overlap.

    Used to index very large polygons (red lines with 10⁵+ vertices): a query then meets only the few
    pieces near the footprint instead of the whole polygon (see layer_index.LayerIndex for how the exact
    feature is rebuilt from them). Pieces that cannot be split further (after ``max_depth`` levels) are
    returned as they are. The cuts add vertices on the feature's edges.
    """
    out: list = []
    stack = [(p, 0) for p in shapely.get_parts(polygonal(np.array([geom], dtype=object))[0]) if not p.is_empty]
    while stack:
        g, depth = stack.pop()
        if shapely.get_num_coordinates(g) <= max_vertices or depth >= max_depth:
            out.append(g)
            continue
        minx, miny, maxx, maxy = shapely.bounds(g)
        if maxx - minx <= 0 or maxy - miny <= 0:
            out.append(g)
            continue
        mx, my = (minx + maxx) / 2, (miny + maxy) / 2
        quads = ((minx, miny, mx, my), (mx, miny, maxx, my), (minx, my, mx, maxy), (mx, my, maxx, maxy))
        # GEOS rectangle clipping, as PostGIS ST_Subdivide does (several times faster than a general
        # intersection), checked: invalid quarters or areas that do not add up take the robust overlay
        qs = np.array(clip_quarters(g, quads), dtype=object)
        for q in polygonal(qs):
            for part in shapely.get_parts(q):
                if not part.is_empty and shapely.area(part) > 0:
                    stack.append((part, depth + 1))
    return np.array(out, dtype=object)


#: Footprints with more coordinates are clipped to each candidate's neighbourhood before the overlay.
FOOTPRINT_CLIP_VERTICES = 50_000


def intersections(geoms: np.ndarray, fp) -> np.ndarray:
    """``geoms[i] ∩ fp`` for every i. A complex footprint (> ``FOOTPRINT_CLIP_VERTICES``) is first clipped
    to each geometry's padded bbox (GEOS rectangle clipping, ~30× cheaper than the overlay of the whole
    footprint); the clipped edges lie outside the geometry, so every piece is the
    same point set, with the footprint's own vertices, as with the whole footprint."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms) or shapely.get_num_coordinates(fp) <= FOOTPRINT_CLIP_VERTICES:
        return shapely.intersection(geoms, fp)
    b = shapely.bounds(geoms)
    m = 0.01 * np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) + 1.0
    box = np.column_stack([b[:, :2] - m[:, None], b[:, 2:] + m[:, None]])
    # clip_by_rect takes scalar bounds only: one C call per candidate (~0.7 ms at 10⁵ vertices)
    local = np.array([shapely.clip_by_rect(fp, *bb) for bb in box], dtype=object)
    # rectangle clipping can answer with the complement (the rectangle minus the footprint) when the
    # footprint has edges on its sides: a clip must be valid, a point inside it must be in the footprint,
    # and it may be empty only where the rectangle misses the footprint
    bad = ~shapely.is_valid(local)
    empty = shapely.is_empty(local)
    shapely.prepare(fp)
    live = np.nonzero(~bad & ~empty)[0]
    bad[live[~shapely.intersects(fp, shapely.point_on_surface(local[live]))]] = True
    hollow = np.nonzero(~bad & empty)[0]
    bad[hollow[shapely.intersects(fp, shapely.box(*box[hollow].T))]] = True
    local[bad] = fp  # such a piece uses the whole footprint
    return shapely.intersection(geoms, local)


def dissolved_area(geoms, crs) -> tuple[float, float]:
    """Planar and ellipsoidal area of the union of ``geoms`` (overlaps counted once)."""
    if len(geoms) == 0:
        return 0.0, 0.0
    u = shapely.union_all(np.asarray(geoms, dtype=object))
    return float(shapely.area(u)), float(ellipsoidal_areas([u], crs)[0])


#: Where features of two zones of one layer overlap, the shared part counts for the zone listed first
#: (the stricter one); zones not listed follow in the order of their labels. So the per-zone 其中 figures
#: are disjoint and add up to the layer total.
ZONE_PRECEDENCE = ("核心保护区", "核心保护区外", "基本草原", "一般草原",
                   "特别用途区", "城镇弹性发展区", "城镇集中建设区")


def zone_order(zones) -> list[str]:
    rank = {z: i for i, z in enumerate(ZONE_PRECEDENCE)}
    return sorted(zones, key=lambda z: (rank.get(z, len(rank)), z))


def _capped(planar: float, ellip: float, limit: tuple[float | None, float | None]) -> tuple[float, float]:
    """Areas of a part of the footprint never above the footprint's own (float/densification noise
    of ~1e-10 relative is all they can exceed it by: the part lies inside the footprint)."""
    lp, le = limit
    return (min(planar, lp) if lp is not None else planar), (min(ellip, le) if le is not None else ellip)


def _areas_once(geoms: np.ndarray, crs) -> np.ndarray:
    """``ellipsoidal_areas`` with each geometry object computed once (a zone's union or own part is
    often the very piece object: a 10⁶-vertex footprint inside one feature)."""
    first: dict[int, int] = {}
    where = np.array([first.setdefault(id(g), len(first)) for g in geoms], dtype=np.int64)
    if len(first) == len(geoms):
        return ellipsoidal_areas(geoms, crs)
    uniq = np.empty(len(first), dtype=object)
    uniq[where] = geoms
    return ellipsoidal_areas(uniq, crs)[where]


def overlay_layer(fp, candidates: "gpd.GeoDataFrame | CandidateTable", crs, role: str, *, key_fields=(),
                  id_field=None, zone_field=None, sliver_m2: float = 1.0, footprint_m2: float | None = None,
                  footprint_planar_m2: float | None = None) -> LayerOverlap:
    """Overlap pieces of footprint ``fp`` with ``candidates`` (both in projected ``crs``): ``overlay_many``
    for one footprint (the batch runs the same code for many).

    ``candidates`` are features pre-selected by a spatial index; the exact test happens here. The layer
    total is the dissolved overlap, split into disjoint zone parts (``ZONE_PRECEDENCE``) that add up to
    it; no figure exceeds the footprint's (``footprint_m2``, ``footprint_planar_m2``).
    """
    return overlay_many([fp], np.zeros(len(candidates), dtype=np.int64), candidates, crs, role,
                        key_fields=key_fields, id_field=id_field, zone_field=zone_field, sliver_m2=sliver_m2,
                        footprint_m2=[footprint_m2], footprint_planar_m2=[footprint_planar_m2])[0]


COVERAGE_MIN_PIECES = 2_000  # from here on, test for a polygonal coverage before the general union


def coverage_or_union(geoms: np.ndarray):
    """``union_all`` of ``geoms``; when they form a polygonal coverage (no overlaps, neighbours sharing
    their edges exactly: 三调 and farmland parcels, and the parts of them under a large footprint) the
    coverage union, the same point set about 3× faster including the test."""
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if len(geoms) and shapely.coverage_is_valid(geoms):
        return shapely.coverage_union_all(geoms)
    return shapely.union_all(geoms)


def grouped_union(geoms: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """``union_all`` of ``geoms`` per group (``group[i]`` in 0 … n_groups − 1, order kept within a group):
    one vectorised GEOS call per bucket of similar group sizes (rows padded with None, which
    ``union_all`` skips), the same result as ``union_all`` of each group alone."""
    out = np.empty(n_groups, dtype=object)
    if not n_groups:
        return out
    order = np.argsort(group, kind="stable")
    gs_sorted = group[order]
    counts = np.bincount(group, minlength=n_groups)
    pos = np.arange(len(order)) - (np.cumsum(counts) - counts)[gs_sorted]
    bucket = np.ceil(np.log2(np.maximum(counts, 1))).astype(np.int64)
    for g in np.nonzero(counts >= COVERAGE_MIN_PIECES)[0]:
        out[g] = coverage_or_union(geoms[order[gs_sorted == g]])
        bucket[g] = -1
    for b in np.unique(bucket[bucket >= 0]):
        members = np.nonzero(bucket == b)[0]
        row = np.full(n_groups, -1, dtype=np.int64)
        row[members] = np.arange(len(members))
        mat = np.full((len(members), int(counts[members].max())), None, dtype=object)
        sel = bucket[gs_sorted] == b
        mat[row[gs_sorted[sel]], pos[sel]] = geoms[order[sel]]
        out[members] = shapely.union_all(mat, axis=1)
    return out


def disjoint_groups(geoms: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group: whether no two of its geometries share interior points, so that the area of their union
    is the sum of theirs (the pieces of parcels that tile the land: neighbours share edges only). One box
    query over all groups, then an exact test (``relate`` interior ∩ interior) of the pairs whose boxes
    meet: about half the cost of the union itself."""
    ok = np.ones(n_groups, dtype=bool)
    if len(geoms) < 2:
        return ok
    left, right = shapely.STRtree(geoms).query(geoms)
    pair = (left < right) & (group[left] == group[right])
    left, right = left[pair], right[pair]
    if len(left):
        ok[group[left[shapely.relate_pattern(geoms[left], geoms[right], "2********")]]] = False
    return ok


def _big_zone_parts(fp, src: np.ndarray, pieces: np.ndarray, zones: list[str], piece_zone: list[str]):
    """A complex footprint is dissolved in candidate space (the union of fp ∩ cᵢ is fp ∩ ∪cᵢ): unions
    of the simple candidates, then one overlay with the footprint per figure, instead of unions of
    pieces that each carry a share of its 10⁵ vertices. (union, own part) per zone of ``zones``;
    ``pieces``: fp ∩ ``src``."""
    taken, out = None, []
    for zone in zones:
        idx = [k for k, z in enumerate(piece_zone) if z == zone]
        cz = shapely.union_all(src[idx])
        # one piece: its union is the piece itself (the overlay of fp with cz gives the same point set)
        u = pieces[idx[0]] if len(idx) == 1 else polygonal(np.array([shapely.intersection(cz, fp)],
                                                                     dtype=object))[0]
        own = u if taken is None else polygonal(np.array([shapely.intersection(shapely.difference(cz, taken), fp)],
                                                         dtype=object))[0]
        taken = cz if taken is None else shapely.union(taken, cz)
        out.append((u, own))
    return out


def overlay_many(fps, fp_of, candidates: "gpd.GeoDataFrame | CandidateTable", crs, role: str, *, key_fields=(),
                 id_field=None, zone_field=None, sliver_m2: float = 1.0, footprint_m2=None,
                 footprint_planar_m2=None) -> list[LayerOverlap]:
    """``overlay_layer`` of every footprint of ``fps`` at once: ``candidates`` row i is a candidate of
    footprint ``fp_of[i]`` (a feature near several footprints comes once for each). Exact test,
    intersection, areas and the dissolve per (footprint, zone) are array operations over all pairs; the
    only Python loops build the result objects. Per footprint the result is the one it gets alone.
    ``footprint_m2`` / ``footprint_planar_m2``: one cap per footprint (None: no cap)."""
    fps = np.asarray(fps, dtype=object)
    n_fp = len(fps)
    results = [LayerOverlap() for _ in range(n_fp)]
    if not len(candidates) or not n_fp:
        return results
    if isinstance(candidates, gpd.GeoDataFrame):
        candidates = CandidateTable.of(candidates)
    cap_e = list(footprint_m2) if footprint_m2 is not None else [None] * n_fp
    cap_p = list(footprint_planar_m2) if footprint_planar_m2 is not None else [None] * n_fp
    fp_of = np.asarray(fp_of, dtype=np.int64)
    geoms = np.asarray(candidates.geometry, dtype=object)
    shapely.prepare(fps)
    # a subdivided feature (LayerSource.candidates) comes with its part around the footprint, rebuilt
    # from its pieces: the same intersection as the whole feature, without walking all its vertices
    exact = geoms
    if candidates.local is not None:
        local = candidates.local
        use = shapely.is_geometry(local)  # None (or NaN after a concat) where the whole feature is used
        if use.any():
            exact = geoms.copy()
            exact[use] = local[use]
    hit = shapely.intersects(fps[fp_of], exact)
    if not hit.any():
        return results
    rows = np.nonzero(hit)[0]
    rows = rows[np.argsort(fp_of[rows], kind="stable")]  # grouped by footprint, candidate order kept
    of = fp_of[rows]
    src = exact[rows]
    cand = candidates.take(rows)
    big_fp = shapely.get_num_coordinates(fps) > FOOTPRINT_CLIP_VERTICES
    big = big_fp[of]
    # a feature wholly in the footprint's interior is its own piece (most parcels under a large
    # footprint): a prepared predicate instead of an overlay
    inside = shapely.contains_properly(fps[of], src)
    inter = np.empty(len(rows), dtype=object)
    inter[inside] = src[inside]
    small = ~big & ~inside
    if small.any():
        inter[small] = shapely.intersection(src[small], fps[of[small]])
    for f in np.unique(of[big & ~inside]):
        sel = (of == f) & ~inside
        inter[sel] = intersections(src[sel], fps[f])
    # normalised: a subdivided feature's local part and the whole feature give the same point set, but GEOS
    # may start its rings elsewhere; the pieces (their WKT and float sums) must not depend on the path
    inter = shapely.normalize(polygonal(inter))
    records = cand.records()
    zone_of: dict = {}  # normalise_zone once per distinct (type, value)
    piece_zone = []
    for a in records:
        v = a.get(zone_field) if zone_field else None
        k = (type(v), v)
        if k not in zone_of:
            zone_of[k] = normalise_zone(role, v)
        piece_zone.append(zone_of[k])
    ranked = zone_order(set(piece_zone))
    rank_of = {z: i for i, z in enumerate(ranked)}
    # groups = (footprint, zone) in footprint order, then zone precedence
    key = of * len(ranked) + np.array([rank_of[z] for z in piece_zone], dtype=np.int64)
    gkeys, group = np.unique(key, return_inverse=True)
    group = group.ravel()
    n_groups = len(gkeys)
    g_fp, g_zone = gkeys // len(ranked), gkeys % len(ranked)
    g_level = np.arange(n_groups) - np.searchsorted(g_fp, g_fp)  # 0 for the stricter zone of a footprint
    last = np.append(g_fp[1:] != g_fp[:-1], True)
    small_g = ~big_fp[g_fp]
    union = np.empty(n_groups, dtype=object)
    own = np.empty(n_groups, dtype=object)
    # when no two pieces of a footprint share interior points, its zones' unions are needed for their areas
    # alone, which are the sums of their pieces' (and no zone shares a part with a stricter one): the
    # unions are not built (None). A complex footprint's candidates are tested instead of its pieces,
    # which carry a share of its 10⁵ vertices each (disjoint candidates give disjoint pieces)
    summed = disjoint_groups(np.where(big, src, inter), of, n_fp)[g_fp]
    sg = np.nonzero(small_g & ~summed)[0]
    if len(sg):
        in_small = (small_g & ~summed)[group]
        remap = np.full(n_groups, -1, dtype=np.int64)
        remap[sg] = np.arange(len(sg))
        union[sg] = grouped_union(inter[in_small], remap[group[in_small]], len(sg))
        taken = np.empty(n_fp, dtype=object)
        for lv in range(int(g_level[sg].max()) + 1):
            at = sg[g_level[sg] == lv]
            f = g_fp[at]
            if lv == 0:
                own[at] = union[at]
                taken[f] = union[at]
            else:
                own[at] = polygonal(shapely.difference(union[at], taken[f]))
            more = at[~last[at]]
            if lv and len(more):
                taken[g_fp[more]] = shapely.union(taken[g_fp[more]], union[more])
    for f in np.unique(g_fp[~small_g & ~summed]):
        gi = np.nonzero(g_fp == f)[0]
        sel = of == f
        parts = _big_zone_parts(fps[f], src[sel], inter[sel], [ranked[z] for z in g_zone[gi]],
                                [z for z, s in zip(piece_zone, sel) if s])
        union[gi] = [u for u, _ in parts]
        own[gi] = [o for _, o in parts]
    # one ellipsoidal call for the pieces, the zone unions and their own parts (the first zone's part is
    # its union)
    n, built = len(inter), np.nonzero(~summed)[0]
    rest = np.nonzero((g_level > 0) & ~summed)[0]
    areas = _areas_once(np.concatenate([inter, union[built], own[rest]]), crs)
    ellip = areas[:n]
    planar = planar_areas(inter)
    gross_e, own_p = np.empty(n_groups), np.empty(n_groups)
    gross_e[built] = areas[n:n + len(built)]
    own_p[built] = planar_areas(own[built])
    gross_e[summed] = np.bincount(group, weights=ellip, minlength=n_groups)[summed]
    own_p[summed] = np.bincount(group, weights=planar, minlength=n_groups)[summed]
    own_e = gross_e.copy()
    own_e[rest] = areas[n + len(built):]
    # a zone's own part can be a degenerate sliver whose extrapolated area is −1e-20: no area is negative
    own_e, own_p = np.maximum(own_e, 0.0), np.maximum(own_p, 0.0)
    fids = cand.fid
    starts = np.searchsorted(of, np.arange(n_fp + 1))
    g_starts = np.searchsorted(g_fp, np.arange(n_fp + 1))
    for f in np.unique(of):
        res, limit = results[f], (cap_p[f], cap_e[f])
        a, b = starts[f], starts[f + 1]
        for k in range(a, b):
            attrs = records[k]
            fid_val = attrs.get(id_field) if id_field else None
            fid = fids[k] if fids is not None else k - a
            pa, ea = _capped(float(planar[k]), float(ellip[k]), limit)
            res.pieces.append(Piece(
                feature_id=str(fid_val) if fid_val not in (None, "") else f"#{int(fid) + 1}", zone=piece_zone[k],
                key={q: attrs.get(q) for q in key_fields if q in attrs}, attributes=attrs,
                geometry=inter[k], planar_m2=pa, ellipsoidal_m2=ea, sliver=ea < sliver_m2))
        ga, gb = g_starts[f], g_starts[f + 1]
        op, oe = own_p[ga:gb], own_e[ga:gb]
        total_p, total_e = _capped(float(op.sum()), float(oe.sum()), limit)
        # capping the total (by ~1e-10 at most) scales the parts with it, so they still add up
        fp_, fe_ = (total_p / op.sum() if op.sum() else 1.0), (total_e / oe.sum() if oe.sum() else 1.0)
        counts = np.bincount(group[a:b] - ga, minlength=gb - ga)
        for j in range(gb - ga):
            zpa, zea = float(op[j]) * fp_, float(oe[j]) * fe_
            cap = cap_e[f]
            res.by_zone.append({"zone": ranked[g_zone[ga + j]], "area": area_block(zpa, zea),
                                "share_of_footprint": min(max(zea, 0.0) / cap, 1.0) if cap else 0.0,
                                "piece_count": int(counts[j]),
                                "shared_with_stricter_m2": max(float(gross_e[ga + j]) - float(oe[j]), 0.0),
                                "status": "occupied" if zea >= sliver_m2 else "touching"})
        res.total = area_block(total_p, total_e)
        res.status = "occupied" if total_e >= sliver_m2 else "touching"
        res.by_zone.sort(key=lambda z: -z["area"]["ellipsoidal_m2"])
    return results
