"""A layer's spatial index in memory (``LayerIndex``: geometry, STRtree, huge polygons subdivided) or over a
GeoPackage's own R-tree (``GpkgIndex``: envelopes only, geometry read by FID), which serve
``catalog.LayerSource``'s candidate queries in every analysis CRS."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from .attribute_reads import TextColumn
from .layers import GpkgLayer
from .overlay import column_values, subdivide


class LayerIndex:
    """A layer's geometry, in the layer's own CRS, with its spatial index (see LayerSource.prepare).

    Polygons with more than ``max_vertices`` coordinates are indexed as their ``subdivide`` pieces, so a
    query meets only the pieces near the footprint. ``local`` then rebuilds, from those pieces, the
    feature exactly as it is around the footprint (same vertices, the cut vertices removed), so the
    intersections and areas are those of the whole feature.
    """

    def __init__(self, geoms, crs, ordinal, gdal_fids, table, max_vertices):
        self.geoms = geoms  # one per row (null and empty geometries dropped), in ``crs``
        self.crs = crs
        self.same_as: dict[int, bool] = {}  # analysis EPSG -> whether it is ``crs``
        self.ordinal = ordinal  # "__fid": position of the row in the (where-filtered) reading order
        self.gdal_fids = gdal_fids  # GDAL FID of each row (to fetch attributes on demand), or None
        self.table = table  # attributes of each row when kept in memory, else None
        ncoord = shapely.get_num_coordinates(geoms)
        big = np.nonzero(ncoord > max_vertices)[0]
        self.repaired_rows: set[int] = set()  # repaired before subdividing (reported when hit)
        # per row: 0 not tested yet, 1 valid (or null), 2 invalid (subdivided rows: known from the repair below)
        self._valid = np.zeros(len(geoms), dtype=np.int8)
        if len(big):  # subdividing clips the polygon: it must be valid first
            geoms = geoms.copy()
            geoms[big], fixed = repair_polygons(geoms[big])
            self.repaired_rows = {int(big[k]) for k in fixed}
            # a repaired row is kept repaired (as GpkgIndex keeps ``whole``): make_valid of a 10⁵-vertex
            # polygon takes a second, once here and not at every check that meets it
            self._valid[big] = 1
            self._valid[big[fixed]] = np.where(shapely.is_valid(geoms[big[fixed]]), 1, 2)
            self.geoms = geoms
        self.split = np.zeros(len(geoms), dtype=bool)
        self.split[big] = True
        self.owner = None
        self.cuts: dict[int, np.ndarray] = {}  # row -> vertices made by the subdivision (x + iy)
        items = geoms
        if len(big):
            pieces = []
            for i in big:
                pc = subdivide(geoms[i], max_vertices)
                pieces.append(pc)
                self.cuts[int(i)] = np.setdiff1d(_complex_coords(pc), _complex_coords(geoms[i]))
            items = np.concatenate([geoms[~self.split]] + pieces)
            self.owner = np.concatenate([np.nonzero(~self.split)[0]]
                                        + [np.full(len(pc), i) for i, pc in zip(big, pieces)])
        self.items = items
        self.tree = shapely.STRtree(items)
        self.piece_count = int(len(items) - (~self.split).sum())

    kind = "memory"
    _columns: tuple = (None, None)  # (table, its columns as arrays)

    @property
    def n_rows(self) -> int:
        return len(self.geoms)

    def columns(self) -> dict | None:
        """The in-memory attribute table (``table``) as arrays (``column_values``; Arrow text as
        ``TextColumn``), None without one."""
        if self.table is None:
            return None
        if self._columns[0] is not self.table:
            cols = {c: column_values(self.table[c]) for c in self.table.columns}
            self._columns = (self.table, {c: TextColumn(v) if isinstance(v, pd.arrays.ArrowStringArray) else v
                                          for c, v in cols.items()})
        return self._columns[1]

    def repaired_geoms(self, rows) -> tuple[np.ndarray, np.ndarray]:
        """``repair_polygons`` of the geometry of ``rows``: (geometry, positions of the repaired ones); each
        row's validity is tested once per index (a session checks the same neighbourhood again)."""
        geoms = self.row_geoms(rows)
        state = self._valid[rows]
        new = np.nonzero(state == 0)[0]
        if len(new):
            g = geoms[new]
            state[new] = np.where(shapely.is_valid(g) | shapely.is_missing(g), 1, 2)
            self._valid[rows[new]] = state[new]
        bad = np.nonzero(state == 2)[0]
        if not len(bad):
            return geoms, bad
        out = geoms.copy()
        out[bad] = repair_polygons(geoms[bad])[0]
        return out, bad

    def row_geoms(self, rows) -> np.ndarray:
        return self.geoms[rows]

    def query(self, geom, pad: float = 0.0) -> tuple[np.ndarray, list | None]:
        """Rows whose geometry is within ``pad`` of ``geom`` (intersects it when 0; sorted) and, when some
        of them are subdivided, each one's ``local`` geometry (None for the others)."""
        hits = _tree_query(self.tree, geom, pad)
        if self.owner is None:
            return np.sort(hits), None
        rows = np.unique(self.owner[hits])
        if not self.split[rows].any():
            return rows, None
        minx, miny, maxx, maxy = _padded_bounds(geom, pad)
        m = 0.01 * max(maxx - minx, maxy - miny) + (1.0 if not self.crs.is_geographic else 1e-5)
        box = (minx - m, miny - m, maxx + m, maxy + m)
        near = self.tree.query(shapely.box(*box))
        near_owner = self.owner[near]
        local = [None] * len(rows)
        for k in np.nonzero(self.split[rows])[0]:
            local[k] = self.local(int(rows[k]), self.items[near[near_owner == rows[k]]], box)
        return rows, local

    def query_many(self, geoms, pad: float = 0.0) -> list[tuple[np.ndarray, list | None]]:
        """``query`` of every geometry of ``geoms``: one STRtree call on the array when no row is
        subdivided, else one query each."""
        if self.kind == "memory" and self.owner is None and len(geoms):
            geoms = np.asarray(geoms, dtype=object)
            pairs = (self.tree.query(geoms, predicate="dwithin", distance=pad) if pad > 0
                     else self.tree.query(geoms, predicate="intersects"))
            order = np.lexsort((pairs[1], pairs[0]))
            of, hits = pairs[0][order], pairs[1][order]
            cut = np.searchsorted(of, np.arange(len(geoms) + 1))
            return [(hits[cut[i]:cut[i + 1]], None) for i in range(len(geoms))]
        return [self.query(g, pad) for g in geoms]

    def local(self, row: int, pieces, box):
        """Row ``row`` around ``box``: the union of its pieces meeting ``box``, the cut vertices inside
        ``box`` removed. Inside ``box`` it is the original feature, vertex for vertex; its cut edges lie
        outside ``box``. None if it cannot be rebuilt (the caller then uses the whole feature)."""
        try:
            merged = shapely.union_all(np.asarray(pieces, dtype=object))
            out = _drop_vertices(merged, self.cuts.get(row, np.empty(0, complex)), box)
        except shapely.errors.GEOSException:
            return None
        return out if out is not None and shapely.is_valid(out) else None


class BoxGrid:
    """A uniform grid over feature envelopes, numpy only: built in a fraction of a second per million
    features (no geometry object is created), answering bbox queries in microseconds."""

    MAX_CELLS = 64  # envelopes spanning more cells are kept aside and tested one by one

    def __init__(self, boxes: np.ndarray):
        self.boxes = boxes
        n = len(boxes)
        if n == 0:
            self.cell, self.x0, self.y0, self.nx, self.ny = 1.0, 0.0, 0.0, 1, 1
            self.keys = self.items = self.starts = self.ends = np.empty(0, np.int64)
            self.large = np.empty(0, np.int64)
            return
        size = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
        self.cell = float(max(2 * np.median(size), 1e-9))
        self.x0, self.y0 = float(boxes[:, 0].min()), float(boxes[:, 1].min())
        ix0, iy0, ix1, iy1 = self._cells(boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3])
        self.nx, self.ny = int(ix1.max()) + 1, int(iy1.max()) + 1
        wide = ix1 - ix0 + 1
        count = wide * (iy1 - iy0 + 1)
        few = count <= self.MAX_CELLS
        self.large = np.nonzero(~few)[0]
        idx = np.nonzero(few)[0]
        cnt = count[few]
        item = np.repeat(idx, cnt)
        off = np.arange(len(item)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        key = (iy0[item] + off // wide[item]) * self.nx + ix0[item] + off % wide[item]
        order = np.argsort(key, kind="stable")
        key, self.items = key[order], item[order]
        self.keys, self.starts = np.unique(key, return_index=True)
        self.ends = np.append(self.starts[1:], len(key))

    def _cells(self, minx, miny, maxx, maxy):
        c = self.cell
        return (np.floor((minx - self.x0) / c).astype(np.int64), np.floor((miny - self.y0) / c).astype(np.int64),
                np.floor((maxx - self.x0) / c).astype(np.int64), np.floor((maxy - self.y0) / c).astype(np.int64))

    def query(self, minx, miny, maxx, maxy) -> np.ndarray:
        """Items whose envelope meets the box (sorted)."""
        b = self.boxes
        ix0, iy0, ix1, iy1 = (int(v[0]) for v in self._cells(np.array([minx]), np.array([miny]),
                                                                 np.array([maxx]), np.array([maxy])))
        ix0, iy0, ix1, iy1 = max(ix0, 0), max(iy0, 0), min(ix1, self.nx - 1), min(iy1, self.ny - 1)
        if ix1 < ix0 or iy1 < iy0:
            cand = self.large
        elif (ix1 - ix0 + 1) * (iy1 - iy0 + 1) > 4096:  # a query as large as a county: scan
            cand = np.arange(len(b))
        else:
            keys = (np.arange(iy0, iy1 + 1)[:, None] * self.nx + np.arange(ix0, ix1 + 1)[None, :]).ravel()
            pos = np.searchsorted(self.keys, keys)
            pos = pos[(pos < len(self.keys))]
            pos = pos[np.isin(self.keys[pos], keys)]
            parts = [self.items[self.starts[k]:self.ends[k]] for k in pos]
            cand = np.unique(np.concatenate(parts + [self.large]))
        if not len(cand):
            return cand
        hit = (b[cand, 0] <= maxx) & (b[cand, 2] >= minx) & (b[cand, 1] <= maxy) & (b[cand, 3] >= miny)
        return cand[hit]


class GpkgIndex(LayerIndex):
    """The GeoPackage fast path: envelopes from the file's own R-tree in a ``BoxGrid``, geometry read by
    FID for the candidates only, very large polygons subdivided as in ``LayerIndex``. Preparing a
    1M-feature layer takes about a second and little memory."""

    kind = "gpkg"
    sql_attributes = None  # SqlAttributes, False when the table cannot be read that way, None: not tried

    def __init__(self, reader: GpkgLayer, crs, where: str | None, max_vertices: int):
        self.reader, self.crs, self.table = reader, crs, None
        self.same_as: dict[int, bool] = {}
        fids, boxes = reader.envelopes()
        self._all_fids = None
        if where:
            self._all_fids = reader.fids(where)
            keep = np.isin(fids, self._all_fids)
            fids, boxes = fids[keep], boxes[keep]
        self.gdal_fids, self.boxes = fids, boxes
        self._ordinal = None
        self.split = np.zeros(len(fids), dtype=bool)
        self.whole: dict[int, object] = {}
        self.cuts: dict[int, np.ndarray] = {}
        self.repaired_rows: set[int] = set()
        self._valid = np.zeros(len(fids), dtype=np.int8)  # as in LayerIndex
        big = np.nonzero(np.isin(fids, reader.large(16 * max_vertices)))[0]
        pieces, owners = [], []
        if len(big):
            for i, g in zip(big, reader.geometries(fids[big])):
                if shapely.get_num_coordinates(g) <= max_vertices:
                    continue
                g, fixed = repair_polygons(np.array([g], dtype=object))
                g = g[0]
                if len(fixed):
                    self.repaired_rows.add(int(i))
                self._valid[i] = 1 if not len(fixed) or shapely.is_valid(g) else 2  # of ``whole``
                pc = subdivide(g, max_vertices)
                self.split[i] = True
                self.whole[int(i)] = g
                self.cuts[int(i)] = np.setdiff1d(_complex_coords(pc), _complex_coords(g))
                pieces.append(pc)
                owners.append(np.full(len(pc), i))
        self.grid = BoxGrid(boxes)  # subdivided rows are answered by their pieces, not their envelope
        self.items = np.concatenate(pieces) if pieces else np.empty(0, dtype=object)
        self.owner = np.concatenate(owners) if owners else np.empty(0, dtype=np.int64)
        self.tree = shapely.STRtree(self.items)
        self.piece_count = len(self.items)

    @property
    def n_rows(self) -> int:
        return len(self.gdal_fids)

    @property
    def ordinal(self) -> np.ndarray:
        if self._ordinal is None:
            if self._all_fids is None:
                self._all_fids = self.reader.fids()
            self._ordinal = np.searchsorted(self._all_fids, self.gdal_fids)
        return self._ordinal

    def row_geoms(self, rows) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(rows), dtype=object)
        split = self.split[rows]
        if (~split).any():
            out[~split] = self.reader.geometries(self.gdal_fids[rows[~split]])
        for k in np.nonzero(split)[0]:
            out[k] = self.whole[int(rows[k])]
        return out

    def query(self, geom, pad: float = 0.0) -> tuple[np.ndarray, list | None]:
        minx, miny, maxx, maxy = _padded_bounds(geom, pad)
        rows = self.grid.query(minx, miny, maxx, maxy)
        rows = rows[~self.split[rows]]
        if len(rows) > 8:  # envelopes away from the geometry itself (a diagonal shape's bbox holds many)
            boxes = shapely.box(*self.boxes[rows].T)
            shapely.prepare(geom)
            rows = rows[shapely.dwithin(geom, boxes, pad) if pad > 0 else shapely.intersects(geom, boxes)]
        hits = _tree_query(self.tree, geom, pad) if self.piece_count else np.empty(0, np.int64)
        if not len(hits):
            return rows, None
        split_rows = np.unique(self.owner[hits])
        rows = np.union1d(rows, split_rows)
        m = 0.01 * max(maxx - minx, maxy - miny) + (1.0 if not self.crs.is_geographic else 1e-5)
        box = (minx - m, miny - m, maxx + m, maxy + m)
        near = self.tree.query(shapely.box(*box))
        near_owner = self.owner[near]
        local: list = [None] * len(rows)
        for k in np.nonzero(self.split[rows])[0]:
            local[k] = self.local(int(rows[k]), self.items[near[near_owner == rows[k]]], box)
        return rows, local


def _padded_bounds(geom, pad: float) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = shapely.bounds(geom)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _tree_query(tree, geom, pad: float) -> np.ndarray:
    """Items intersecting ``geom``, or within ``pad`` of it: GEOS's prepared distance test, much cheaper
    than intersecting a buffer of a complex geometry (buffering a 10⁵-vertex footprint takes seconds)."""
    if pad > 0:
        return tree.query(geom, predicate="dwithin", distance=pad)
    return tree.query(geom, predicate="intersects")


def repair_polygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Invalid geometries made valid (``shapely.make_valid``, polygonal parts kept); (geoms, repaired rows).

    Real 三调 and red-line data hold bow-ties and self-touching rings; GEOS refuses to intersect them."""
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return geoms, np.empty(0, dtype=np.int64)
    bad = np.nonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))[0]
    if not len(bad):
        return geoms, bad
    out = geoms.copy()
    fixed = shapely.make_valid(geoms[bad])  # the method the footprint uses too
    for k, g in zip(bad, fixed):
        if shapely.get_type_id(g) not in (3, 6):
            parts = [q for q in shapely.get_parts(g) if shapely.get_type_id(q) in (3, 6)]
            g = shapely.union_all(parts) if parts else shapely.Polygon()
        out[k] = g
    return out, bad


def _complex_coords(geoms) -> np.ndarray:
    xy = shapely.get_coordinates(geoms)
    return np.unique(xy[:, 0] + 1j * xy[:, 1])


def _drop_vertices(geom, drop: np.ndarray, box):
    """``geom`` without its vertices that are in ``drop`` (x + iy) and inside ``box``."""
    bx0, by0, bx1, by1 = box
    polys = []
    for poly in shapely.get_parts(geom):
        if shapely.get_type_id(poly) != 3:
            continue
        rings = []
        for ring in [poly.exterior, *poly.interiors]:
            xy = shapely.get_coordinates(ring)[:-1]
            inside = (xy[:, 0] >= bx0) & (xy[:, 0] <= bx1) & (xy[:, 1] >= by0) & (xy[:, 1] <= by1)
            if len(drop) and inside.any():
                gone = np.zeros(len(xy), dtype=bool)
                gone[inside] = np.isin(xy[inside, 0] + 1j * xy[inside, 1], drop)
                xy = xy[~gone]
            if len(xy) < 3:
                return None
            rings.append(np.vstack([xy, xy[:1]]))
        polys.append(shapely.Polygon(rings[0], rings[1:]))
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
