"""The layer catalog: which file holds which protected layer, its role and key fields.

A catalog is a TOML file (see sample_layers/catalog.toml); a folder of data files can be used instead,
the roles then being guessed from the national layer names and fields.
"""

from __future__ import annotations

import sqlite3
import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .crs import fix_prefix_mismatch, to_crs, transformer
from ..domain.errors import CatalogError, CRSError, InputError
from . import layer_cache
from .hash_cache import layer_sha256
from .layers import (RANDOM_ACCESS_SUFFIXES, VECTOR_SUFFIXES, GpkgLayer, list_layers, read_attributes, read_fids,
                     read_info, read_vector)
from .attribute_reads import SqlAttributes, TextColumn, one_chunk
from .layer_index import GpkgIndex, LayerIndex, repair_polygons
from .overlay import CandidateTable, column_values, object_columns
from ..domain.roles import CULTIVATED_WHERE, ROLES, guess_role


@dataclass
class LayerSpec:
    """One catalog entry."""

    id: str
    role: str
    path: Path
    layer: str | None = None
    name: str = ""
    key_fields: list[str] = field(default_factory=list)
    id_field: str | None = None
    zone_field: str | None = None
    where: str | None = None
    encoding: str | None = None
    crs: str | None = None  # only for files that carry none
    buffer_m: float | None = None  # 避让分析: features within this distance are reported as 邻近 (never occupation)
    extent: list[float] | None = None  # lon/lat [W, S, E, N] the layer is complete in (else: its data's bbox)
    provider: str = ""  # 数据来源 (who produced the data), printed in the report
    vintage: str = ""  # 数据时点/版本 (e.g. "2023年度变更调查", "三区三线划定成果"), printed in the report

    def __post_init__(self):
        if self.role not in ROLES:
            raise CatalogError("layers.unknown_role", id=self.id, role=self.role, roles=", ".join(ROLES))
        self.name = self.name or ROLES[self.role].name_zh


class LayerSource:
    """A catalog layer: lazily read, reprojected to an analysis CRS, cached with its spatial index.

    Three ways to get the features near a footprint, fastest first once warmed up:

    * after ``prepare()``: the geometry (in the layer's own CRS, so one index serves both Gauss-Krüger
      zones 35 and 36) and an STRtree are in memory, very large polygons subdivided (see
      ``overlay.subdivide``); attributes are fetched by FID for the hits only (GPKG, SHP, FileGDB,
      FlatGeobuf) unless ``attributes=True`` (or the format has no random access) keeps them in memory;
    * after ``load(epsg)``: the same, plus the whole layer with every attribute as a GeoDataFrame;
    * otherwise a bbox (or mask) filtered read pushed down to GDAL: best for one interactive check.
    """

    MAX_VERTICES = 256  # polygons with more coordinates are subdivided before indexing
    USE_GPKG_RTREE = True  # GeoPackages: index from the file's R-tree, geometry read on demand
    CACHE_MIN_FEATURES = 100_000  # larger layers in other formats get a GeoPackage copy (core.layer_cache)

    def __init__(self, spec: LayerSpec):
        self.spec = spec
        self._info: dict | None = None
        self._sha: str | None = None
        self._full: dict[int, gpd.GeoDataFrame] = {}
        self._ix: LayerIndex | None = None
        self._fid_order: tuple | None = None
        self._attr_from: tuple | None = None  # (path, layer, encoding) of the attributes when not the source's
        self._lock = threading.RLock()
        self.warnings: list[str] = []

    @property
    def info(self) -> dict:
        if self._info is None:
            self._info = read_info(self.spec.path, self.spec.layer)
        return self._info

    @property
    def source_crs(self):
        if self.spec.crs:
            return to_crs(self.spec.crs)
        if not self.info.get("crs"):
            raise CRSError("layers.no_crs", path=self.spec.path)
        return to_crs(self.info["crs"])

    @property
    def sha256(self) -> str:
        if self._sha is None:
            self._sha = layer_sha256(self.spec.path)
        return self._sha

    @property
    def fields(self) -> list[str]:
        return [str(f) for f in self.info.get("fields", [])]

    def _note(self, gdf) -> None:
        for w in gdf.attrs.get("warnings", []):
            if w not in self.warnings:
                self.warnings.append(w)

    def _read(self, bbox=None, mask=None) -> gpd.GeoDataFrame:
        s = self.spec
        gdf = read_vector(s.path, layer=s.layer, encoding=s.encoding, bbox=bbox, mask=mask, where=s.where,
                          require_crs=s.crs is None, fid_as_index=True)
        if s.crs:
            gdf = gdf.set_crs(s.crs, allow_override=True)
        self._note(gdf)
        gdal_fids = gdf.index.to_numpy()
        keep = (gdf.geometry.notna() & ~gdf.geometry.is_empty).to_numpy()
        if not keep.all():
            gdf, gdal_fids = gdf[keep], gdal_fids[keep]
        if (bbox is not None or mask is not None) and len(gdal_fids) > 1 and (np.diff(gdal_fids) < 0).any():
            # a spatially filtered read comes in R-tree order: back to file order, as the index answers
            order = np.argsort(gdal_fids, kind="stable")
            gdf, gdal_fids = gdf.iloc[order], gdal_fids[order]
        gdf = gdf.reset_index(drop=True)
        if bbox is None and mask is None:
            gdf["__fid"] = np.nonzero(keep)[0]
        else:
            gdf["__fid"] = self._ordinals(gdf, gdal_fids)
        return gdf

    def _ordinals(self, gdf, gdal_fids) -> np.ndarray:
        """``__fid`` (position in the full reading order) of features read with a spatial filter;
        only worked out (one geometry-less scan of the FIDs) when a feature has no id to show."""
        idf = self.spec.id_field
        if idf and idf in gdf.columns and len(gdf):
            col = gdf[idf]
            if not (col.isna() | (col.astype(str) == "")).any():
                return np.full(len(gdf), -1, dtype=np.int64)
        if self._fid_order is None:
            s = self.spec
            order = read_fids(s.path, s.layer, where=s.where, encoding=s.encoding)
            self._fid_order = (order, np.argsort(order, kind="stable"))
        order, sort = self._fid_order
        if not len(order):
            return np.arange(len(gdal_fids))
        pos = np.clip(np.searchsorted(order[sort], gdal_fids), 0, len(order) - 1)
        return sort[pos]

    def _gpkg_index(self) -> GpkgIndex | None:
        """The GeoPackage fast path, or None when the file cannot be served that way."""
        s = self.spec
        if Path(s.path).suffix.lower() != ".gpkg" or not self.USE_GPKG_RTREE:
            return None
        try:
            reader = GpkgLayer(s.path, s.layer)
            crs = self.source_crs
            ix = GpkgIndex(reader, crs, s.where, self.MAX_VERTICES)
        except (ValueError, KeyError, IndexError, sqlite3.Error, shapely.errors.GEOSException):
            return None
        if ix.n_rows and not s.crs:
            fixed, note = fix_prefix_mismatch(crs, float(ix.boxes[:, 0].min()), float(ix.boxes[:, 2].max()))
            if note:
                ix.crs = fixed
                w = f"{Path(s.path).name}: {note}"
                if w not in self.warnings:
                    self.warnings.append(w)
        return ix

    def _cache_options(self) -> dict:
        s = self.spec
        return {"layer": s.layer, "where": s.where, "encoding": s.encoding, "crs": s.crs}

    def _wants_cache(self) -> bool:
        if Path(self.spec.path).suffix.lower() == ".gpkg" or not self.USE_GPKG_RTREE:
            return False
        return int(self.info.get("features") or -1) >= self.CACHE_MIN_FEATURES

    def _cached_index(self) -> GpkgIndex | None:
        """The GeoPackage fast path on the layer's cached copy, when there is one for the source as it is."""
        if not self._wants_cache():
            return None
        hit = layer_cache.lookup(self.spec.path, self._cache_options())
        if hit is None:
            return None
        path, meta = hit
        try:
            crs = to_crs(meta["crs"]) if meta.get("crs") else self.source_crs
            ix = GpkgIndex(GpkgLayer(path, "layer"), crs, None, self.MAX_VERTICES)
        except (ValueError, KeyError, IndexError, sqlite3.Error, shapely.errors.GEOSException, CRSError):
            return None
        for w in meta.get("warnings") or []:
            if w not in self.warnings:
                self.warnings.append(w)
        self._attr_from = (path, "layer", None)
        return ix

    def _build_index(self, attributes: bool) -> LayerIndex:
        s = self.spec
        self._attr_from = None
        ix = self._gpkg_index()
        if ix is None:
            ix = self._cached_index()
        if ix is not None:
            if attributes:
                ix.table = self._table(ix)
            return ix
        cache = self._wants_cache()
        eager = attributes or Path(s.path).suffix.lower() not in RANDOM_ACCESS_SUFFIXES
        gdf = read_vector(s.path, layer=s.layer, encoding=s.encoding, where=s.where, require_crs=s.crs is None,
                          columns=None if eager or cache else [], fid_as_index=True, use_arrow=True)
        if s.crs:
            gdf = gdf.set_crs(s.crs, allow_override=True)
        self._note(gdf)
        if cache:
            layer_cache.store(s.path, self._cache_options(), gdf.reset_index(drop=True), self.warnings)
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        ordinal = np.arange(len(geoms))
        keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        table = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).reset_index(drop=True) if eager else None
        gdal_fids = gdf.index.to_numpy()
        if not keep.all():
            geoms, ordinal, gdal_fids = geoms[keep], ordinal[keep], gdal_fids[keep]
            table = table[keep].reset_index(drop=True) if table is not None else None
        return LayerIndex(geoms, to_crs(gdf.crs), ordinal, gdal_fids, table, self.MAX_VERTICES)

    def prepare(self, epsg: int | None = None, *, attributes: bool = False) -> None:
        """Read the layer's geometry and build its spatial index, once (``epsg`` is accepted for symmetry
        with ``load``: the index is kept in the layer's CRS and serves every analysis CRS).

        This is the fast path for many checks (batch, an open GUI session): after it, ``candidates``
        answers from memory and reads only the attributes of the features hit, or none at all with
        ``attributes=True`` (the whole attribute table in memory: slower to prepare, more memory).
        """
        with self._lock:
            if self._ix is None:
                self._ix = self._build_index(attributes)
            elif attributes and self._ix.table is None:
                self._ix.table = self._table(self._ix)

    def is_prepared(self, epsg: int | None = None) -> bool:
        return self._ix is not None

    def release(self) -> None:
        """Forget the cached geometry, attributes and indexes."""
        with self._lock:
            self._ix = None
            self._full.clear()

    def _attribute_file(self) -> tuple:
        """(path, layer, encoding, where) the attributes are read from: the source, or its cached copy
        (already filtered and decoded)."""
        s = self.spec
        return (*self._attr_from, None) if self._attr_from is not None else (s.path, s.layer, s.encoding, s.where)

    def _table(self, ix: LayerIndex) -> pd.DataFrame:
        path, layer, encoding, where = self._attribute_file()
        table = read_attributes(path, layer, where=where, encoding=encoding, use_arrow=True)
        return one_chunk(table.iloc[ix.ordinal].reset_index(drop=True))

    def _columns_by_fid(self, ix: LayerIndex, rows: np.ndarray) -> tuple[dict, dict]:
        """``object_columns`` of the attributes of index rows ``rows`` (no table in memory): straight from
        a GeoPackage's SQLite table where ``SqlAttributes`` can, else read through GDAL."""
        if not len(rows):
            return {f: np.empty(0, dtype=object) for f in self.fields}, {}
        if ix.kind == "gpkg":
            if ix.sql_attributes is None:
                path, layer, _enc, _where = self._attribute_file()
                ix.sql_attributes = SqlAttributes.of(ix.reader, path, layer) or False
            if ix.sql_attributes:
                got = ix.sql_attributes.read(ix.gdal_fids[rows])
                if got is not None:
                    return got
        path, layer, encoding, _where = self._attribute_file()
        df = read_attributes(path, layer, fids=ix.gdal_fids[rows], encoding=encoding)
        return object_columns({c: column_values(df[c]) for c in df.columns})

    def load(self, epsg: int) -> gpd.GeoDataFrame:
        """The whole layer in EPSG ``epsg`` with all its attributes (cached, with its spatial index built).

        Needs much more memory and time than ``prepare`` for large layers (every attribute of every feature).
        """
        with self._lock:
            if epsg not in self._full:
                self.prepare(attributes=True)
                ix = self._ix
                gdf = gpd.GeoDataFrame(ix.table.copy(), geometry=ix.row_geoms(np.arange(ix.n_rows)), crs=ix.crs)
                gdf["__fid"] = ix.ordinal
                self._full[epsg] = gdf if ix.crs.equals(to_crs(epsg)) else gdf.to_crs(epsg)
            return self._full[epsg]

    def candidates(self, geom, epsg: int) -> gpd.GeoDataFrame:
        """Features that may intersect ``geom`` (in EPSG ``epsg``): from the index when prepared, else a
        bbox (or, for thin diagonal shapes, a mask) read pushed down to GDAL.

        From the index, a subdivided feature comes with its part around ``geom``, rebuilt from its pieces,
        in the private ``__local`` column (used by ``overlay_layer``: the same intersection as with the
        whole feature, much faster).
        """
        ix = self._ix
        if ix is not None:
            return self.candidates_many([geom], epsg).frame
        src = self.source_crs
        bbox, mask = self._filter(geom, epsg, src)
        gdf = self._read(bbox=None if mask is not None else bbox, mask=mask)
        if gdf.empty:
            out = gdf.to_crs(epsg) if gdf.crs is not None else gdf
            out.attrs["repaired_features"] = []
            return out
        fixed, bad = repair_polygons(gdf.geometry.values)
        if len(bad):
            gdf = gdf.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))
        out = gdf.to_crs(epsg)
        out.attrs["repaired_features"] = self._feature_ids(CandidateTable.of(out), bad)
        return out

    def candidates_many(self, geoms, epsg: int) -> "Candidates":
        """``candidates`` of every geometry of ``geoms`` (EPSG ``epsg``) in one frame: from the index, one
        query per geometry (one STRtree call on the array where it can), then the geometry, repairs,
        reprojection and attributes of the features hit once for all of them. Footprint i gets exactly
        the rows (values and types) ``candidates`` gives it alone."""
        ix = self._ix
        if ix is None:  # bbox reads, one per geometry: their frames as they are (types differ between reads)
            frames = [self.candidates(g, epsg) for g in geoms]
            return Candidates(None, None, [list(f.attrs.get("repaired_features", [])) for f in frames], frames)
        return self._from_index_many(ix, list(geoms), epsg)

    def _feature_ids(self, table: CandidateTable, rows) -> list[str]:
        """How the result names features ``rows`` of a candidate table: the id field, else ``#ordinal``
        (as ``overlay_layer`` names pieces)."""
        idf = self.spec.id_field
        ids = table.columns.get(idf) if idf else None
        out = []
        for r in np.asarray(rows, dtype=np.int64):
            v = ids[r] if ids is not None else None
            if v is not None and not (isinstance(v, float) and np.isnan(v)) and str(v) != "":
                out.append(str(v))
            else:
                fid = int(table.fid[r]) if table.fid is not None else -1
                out.append(f"#{fid + 1}" if fid >= 0 else f"#? ({self.spec.id})")
        return out

    @staticmethod
    def _filter(geom, epsg: int, src, thin_only: bool = True):
        """The bbox of ``geom`` (EPSG ``epsg``) in CRS ``src``, padded, and for a thin diagonal shape
        (road, pipeline) or another CRS a padded mask polygon too."""
        src = to_crs(src)
        same = src.equals(to_crs(epsg))
        minx, miny, maxx, maxy = shapely.bounds(geom)
        pad = 1e-5 if src.is_geographic else 1.0
        if same:
            bbox = (minx - pad, miny - pad, maxx + pad, maxy + pad)
        else:
            t = transformer(epsg, src)
            bx0, by0, bx1, by1 = t.transform_bounds(minx, miny, maxx, maxy, densify_pts=21)
            bbox = (bx0 - pad, by0 - pad, bx1 + pad, by1 + pad)
        box_area = (maxx - minx) * (maxy - miny)
        thin = box_area > 0 and shapely.area(geom) < 0.3 * box_area
        if not (thin or (not same and not thin_only)) or not shapely.is_valid(geom):
            return bbox, None
        if same:
            return bbox, geom
        return bbox, shapely.buffer(LayerSource._moved(geom, epsg, src), pad, quad_segs=2)

    @staticmethod
    def _moved(geom, epsg: int, src):
        """``geom`` (EPSG ``epsg``) densified to 1/50 of its extent and reprojected to ``src``: within
        the query pad (1 m, 1e-5°) of the true image of its edges."""
        minx, miny, maxx, maxy = shapely.bounds(geom)
        t = transformer(epsg, src)
        dense = shapely.segmentize(geom, max(maxx - minx, maxy - miny, 1.0) / 50)
        return shapely.transform(dense, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))

    _last_query: tuple = (None, None, None, None)  # (geom, epsg, src, answer): the layers of one check share it

    @staticmethod
    def _index_query(geom, epsg: int, src) -> tuple[object, float]:
        """What an index query in CRS ``src`` uses for ``geom`` (EPSG ``epsg``): (geometry, distance
        pad); features within the pad of it are candidates (the exact test follows in the analysis CRS)."""
        src = to_crs(src)
        last = LayerSource._last_query
        if last[0] is geom and last[1] == epsg and last[2] == src:
            return last[3]
        answer = LayerSource._new_index_query(geom, epsg, src)
        LayerSource._last_query = (geom, epsg, src, answer)
        return answer

    @staticmethod
    def _new_index_query(geom, epsg: int, src) -> tuple[object, float]:
        pad = 1e-5 if src.is_geographic else 1.0
        if not shapely.is_valid(geom):
            return shapely.box(*LayerSource._filter(geom, epsg, src)[0]), 0.0
        return LayerSource._moved(geom, epsg, src), pad

    def _index_ordinals(self, ix: LayerIndex, rows, columns: dict) -> np.ndarray:
        """``__fid`` of index rows; for a GeoPackage index only worked out (a scan of the FIDs, once)
        when a feature has no id to show, as for bbox reads."""
        if ix.kind == "gpkg":
            idf = self.spec.id_field
            if idf and idf in columns and len(rows) and not _blank(columns[idf]).any():
                return np.full(len(rows), -1, dtype=np.int64)
        return ix.ordinal[rows] if len(rows) else np.empty(0, dtype=np.int64)

    def _from_index_many(self, ix: LayerIndex, geoms: list, epsg: int) -> "Candidates":
        same = ix.same_as.get(epsg)
        if same is None:
            same = ix.same_as[epsg] = ix.crs.equals(to_crs(epsg))
        qp = [(g, 0.0) if same else self._index_query(g, epsg, ix.crs) for g in geoms]
        queries = np.array([q for q, _ in qp], dtype=object)
        pad = qp[0][1] if qp else 0.0  # the same for every geometry (it depends on the CRS only)
        answers = ix.query_many(queries, pad)
        rows = np.concatenate([r for r, _ in answers] + [np.empty(0, np.int64)]).astype(np.int64)
        fp_of = np.repeat(np.arange(len(geoms)), [len(r) for r, _ in answers])
        local = None
        if any(lc is not None for _, lc in answers):
            local = np.empty(len(rows), dtype=object)
            k = 0
            for r, lc in answers:
                if lc is not None:
                    local[k:k + len(r)] = lc
                k += len(r)
        uniq, inv = np.unique(rows, return_inverse=True)
        inv = inv.ravel()
        u_geoms, u_bad = ix.repaired_geoms(uniq)
        bad_u = np.zeros(len(uniq), dtype=bool)
        bad_u[u_bad] = True
        if ix.repaired_rows:
            bad_u |= np.isin(uniq, list(ix.repaired_rows))
        row_geoms, bad = u_geoms[inv], bad_u[inv]
        if ix.kind == "gpkg" and len(rows):
            # the grid answers by envelope: keep what meets the query (subdivided rows already do)
            shapely.prepare(queries)
            q = queries[fp_of]
            meets = shapely.dwithin(q, row_geoms, pad) if pad > 0 else shapely.intersects(q, row_geoms)
            keep = ix.split[rows] | meets
            if not keep.all():
                rows, row_geoms, bad, fp_of = rows[keep], row_geoms[keep], bad[keep], fp_of[keep]
                local = local[keep] if local is not None else None
                kept = np.unique(rows)
                u_geoms, uniq = u_geoms[np.searchsorted(uniq, kept)], kept
                inv = np.searchsorted(uniq, rows)
        columns, dtypes = self._attributes_many(ix, uniq, inv, fp_of)
        if not same and len(uniq):  # each feature reprojected once, however many geometries it is near
            row_geoms = np.asarray(gpd.array.from_shapely(u_geoms, crs=ix.crs).to_crs(epsg), dtype=object)[inv]
            if local is not None:
                has = shapely.is_geometry(local)
                local = local.copy()
                local[has] = np.asarray(gpd.array.from_shapely(local[has], crs=ix.crs).to_crs(epsg), dtype=object)
        table = CandidateTable(row_geoms, columns, self._index_ordinals(ix, rows, columns), local, dtypes)
        cut = np.searchsorted(fp_of, np.arange(len(geoms) + 1))
        bad_at = np.nonzero(bad)[0]
        repaired = [self._feature_ids(table, bad_at[(bad_at >= cut[i]) & (bad_at < cut[i + 1])])
                    for i in range(len(geoms))]
        return Candidates(table, fp_of, repaired, crs=ix.crs if same else to_crs(epsg))

    def _attributes_many(self, ix: LayerIndex, uniq, inv, fp_of) -> tuple[dict, dict]:
        """The attribute columns of rows ``uniq[inv]`` (read once per row), typed as a read of each
        footprint's rows alone would type them: an integer or boolean field with a null among the rows
        read comes as float / object, so such a column keeps the file's type for a footprint whose own
        rows have no null (``fp_of``: the footprint of each row). Text as object arrays: (columns,
        the pandas type of those, see ``object_columns``)."""
        table = ix.columns()
        if table is not None:
            at = uniq[inv]
            return ({c: v[at] for c, v in table.items()},
                    {c: v.dtype for c, v in table.items() if isinstance(v, TextColumn)})
        cols, dtypes = self._columns_by_fid(ix, uniq)
        cols = {c: v[inv] for c, v in cols.items()}
        if not len(inv) or fp_of.max(initial=0) == 0:
            return cols, dtypes
        declared = dict(zip([str(f) for f in self.info.get("fields", [])], [str(d) for d in self.info.get("dtypes", [])]))
        for col, values in cols.items():
            want = declared.get(str(col), "")
            if not (want.startswith(("int", "uint", "bool")) and str(values.dtype) != want):
                continue
            null = np.asarray(pd.isna(values), dtype=bool)
            if not null.any():
                continue
            clean = np.bincount(fp_of, weights=null, minlength=int(fp_of.max()) + 1)[fp_of] == 0
            cast = int if want.startswith(("int", "uint")) else bool
            vals = np.asarray(values, dtype=object).copy()
            vals[clean] = [cast(v) for v in vals[clean]]
            cols[col] = vals
        return cols, dtypes


def _blank(values) -> np.ndarray:
    """Where an id column has no id to show: null, or empty as text."""
    return np.asarray(pd.isna(values), dtype=bool) | np.array([str(v) == "" for v in values], dtype=bool)


@dataclass
class Candidates:
    """``LayerSource.candidates_many``: one table of candidate rows (``crs``), ``fp_of[i]`` the geometry
    row i is a candidate of (non-decreasing), and the repaired features near each geometry; without an
    index, ``frames`` holds one ``candidates`` frame per geometry instead (``table`` and ``fp_of`` None)."""

    table: CandidateTable | None
    fp_of: np.ndarray | None
    repaired: list
    frames: list | None = None
    crs: object = None

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """The table as a GeoDataFrame (``candidates``), its repaired features in ``attrs`` for one geometry."""
        out = self.table.frame(self.crs)
        out.attrs["repaired_features"] = self.repaired[0] if len(self.repaired) == 1 else []
        return out


@dataclass
class Catalog:
    """Exactly the layers and rasters (``core.raster.RasterSpec``) a check reads."""

    layers: list[LayerSpec]
    path: Path | None = None
    name: str = ""
    note: str = ""
    synthetic: bool = False
    rasters: list = field(default_factory=list)
    _sources: dict[str, LayerSource] = field(default_factory=dict, repr=False)

    def sources(self) -> list[LayerSource]:
        for spec in self.layers:
            if spec.id not in self._sources:
                self._sources[spec.id] = LayerSource(spec)
        return [self._sources[s.id] for s in self.layers]


def load_catalog(path: str | Path) -> Catalog:
    """A catalog from a TOML file, or by guessing roles for every layer of a folder or data file."""
    p = Path(path)
    if not p.exists():
        raise InputError("layers.catalog_not_found", path=p)
    if p.is_file() and p.suffix.lower() == ".toml":
        return _from_toml(p)
    return guess_catalog(p)


# the type each catalog field must have: (check, 中文, English)
_TEXT = (lambda v: isinstance(v, str) and v.strip() != "", "非空文本", "a non-empty text")
_OPT_TEXT = (lambda v: isinstance(v, str), "文本", "a text")
_TEXT_LIST = (lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v), "文本列表", "a list of texts")
_LAYER_FIELDS = {"id": _TEXT, "role": _TEXT, "path": _TEXT, "layer": _OPT_TEXT, "name": _OPT_TEXT,
                 "key_fields": _TEXT_LIST, "id_field": _TEXT, "zone_field": _TEXT, "where": _OPT_TEXT,
                 "encoding": _TEXT, "crs": _TEXT}
_META_FIELDS = {"name": _OPT_TEXT, "note": _OPT_TEXT, "synthetic": (lambda v: isinstance(v, bool), "true/false",
                                                                   "true or false")}


def _shown_value(v) -> str:
    text = repr(v) if not isinstance(v, str) else f'"{v}"'
    return text if len(text) <= 40 else text[:37] + "…"


def _check_fields(p: Path, where_zh: str, where_en: str, entry: dict, spec: dict) -> None:
    for key, (ok, zh, en) in spec.items():
        if key in entry and not ok(entry[key]):
            raise CatalogError("layers.catalog_field_type", file=p, where_zh=where_zh, where_en=where_en, field=key,
                               value=_shown_value(entry[key]), kind_zh=zh, kind_en=en)


def _from_toml(p: Path) -> Catalog:
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError("layers.catalog_toml", file=p, reason=str(exc).splitlines()[0][:160]) from None
    except UnicodeDecodeError:
        raise CatalogError("layers.catalog_encoding", file=p) from None
    except OSError as exc:
        raise CatalogError("layers.unreadable", path=p, reason=exc.strerror or "") from None
    meta = data.get("catalog", {})
    if not isinstance(meta, dict):
        raise CatalogError("layers.catalog_field_type", file=p, where_zh="", where_en="", field="catalog",
                           value=_shown_value(meta), kind_zh="表 [catalog]", kind_en="a [catalog] table")
    _check_fields(p, "[catalog] ", "[catalog] ", meta, _META_FIELDS)
    layers = data.get("layers", [])
    if not isinstance(layers, list) or not all(isinstance(e, dict) for e in layers):
        raise CatalogError("layers.catalog_field_type", file=p, where_zh="", where_en="", field="layers",
                           value=_shown_value(layers), kind_zh="[[layers]] 表的数组",
                           kind_en="an array of [[layers]] tables")
    specs = []
    allowed = set(LayerSpec.__dataclass_fields__) - {"path"}
    for i, entry in enumerate(layers, 1):
        unknown = set(entry) - allowed - {"path"}
        if unknown:
            raise CatalogError("layers.catalog_unknown_field", file=p, n=i, fields=", ".join(sorted(unknown)))
        for need in ("id", "role", "path"):
            if need not in entry:
                raise CatalogError("layers.catalog_missing_field", file=p, n=i, field=need)
        _check_fields(p, f"第 {i} 个图层 ", f"layer #{i}: ", entry, _LAYER_FIELDS)
        file = (p.parent / entry["path"]).resolve()
        if not file.exists():
            raise CatalogError("layers.catalog_file_missing", file=p, id=entry["id"], path=Path(entry["path"]))
        extent = entry.get("extent", meta.get("extent"))  # [catalog] extent: the default of every layer
        if extent is not None and (not isinstance(extent, list) or len(extent) != 4
                                   or not all(isinstance(v, (int, float)) for v in extent)):
            raise CatalogError("layers.catalog_extent", file=p, id=entry["id"])
        entry = {**entry, "extent": [float(v) for v in extent] if extent is not None else None}
        specs.append(LayerSpec(**{k: v for k, v in entry.items() if k != "path"}, path=file))
    if not specs:
        raise CatalogError("layers.catalog_empty", file=p)
    from .raster import load_raster_specs
    return Catalog(specs, path=p, name=meta.get("name", p.stem), note=meta.get("note", ""),
                   synthetic=bool(meta.get("synthetic", False)), rasters=load_raster_specs(p))


def _data_files(p: Path) -> list[Path]:
    if p.is_file() or p.suffix.lower() == ".gdb":
        return [p]
    out = []
    for f in sorted(p.iterdir()):
        if f.suffix.lower() in VECTOR_SUFFIXES - {".dxf"}:
            out.append(f)
    return out


def guess_catalog(p: Path) -> Catalog:
    specs: list[LayerSpec] = []
    for f in _data_files(p):
        for lyr in list_layers(f):
            info = read_info(f, lyr)
            fields = [str(x) for x in info.get("fields", [])]
            role = guess_role(lyr if lyr != f.stem else f.stem, fields) or guess_role(f.stem, fields)
            if role is None:
                continue
            r = ROLES[role]
            upper = {x.upper(): x for x in fields}
            specs.append(LayerSpec(
                id=f"{f.stem}_{lyr}".lower() if lyr != f.stem else f.stem.lower(), role=role, path=f,
                layer=lyr, key_fields=[upper[k] for k in r.key_fields if k in upper],
                id_field=next((upper[k] for k in r.id_fields if k in upper), None),
                zone_field=next((upper[k] for k in r.zone_fields if k in upper), None),
                where=CULTIVATED_WHERE if role == "cultivated_land" and "DLBM" in upper else None))
    if not specs:
        raise CatalogError("layers.no_role_recognised", path=p)
    return Catalog(specs, path=None, name=p.name)
