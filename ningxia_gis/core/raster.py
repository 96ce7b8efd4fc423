"""Raster layers in the check: DEM (elevation, slope) and classified land-cover grids.

Catalog entries are ``[[rasters]]`` tables in the same TOML file as the vector ``[[layers]]``::

    [[rasters]]
    id = "dem"
    name = "数字高程模型"
    role = "dem"                       # dem | landcover
    path = "sample_dem.tif"
    slope_thresholds = [2, 6, 15, 25]  # degrees; area above each, and the bands between them
    elevation_thresholds = [1500, 2000]

    [[rasters]]
    id = "landcover"
    role = "landcover"
    path = "sample_landcover.tif"
    class_table = "landcover_classes.csv"   # or inline:
    classes = {"1" = {zh = "耕地", en = "Cultivated land", color = "#f3e08c"}}

Only the footprint's window of a grid is ever read (never the whole grid). When the grid's CRS is not
the analysis CRS the window is warped into it with ``rasterio.warp.reproject`` on a north-up grid whose
square cell has the source cell's ground area (bilinear for a DEM, nearest for classes). Each cell counts
with the exact share of its area inside the footprint (see ``METHOD``), so class areas agree with the
vector answer to floating-point precision on a grid in the analysis CRS.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tomllib
import warnings as _warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import rasterio
import shapely
from affine import Affine
from pyproj import CRS
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.features import rasterize
from rasterio.warp import Resampling, reproject
from rasterio.windows import Window

from .areas import ellipsoidal_areas
from .cell_cover import COMPLEX_VERTICES, complex_fractions, dilate_one_cell
from .crs import crs_label, transformer
from ..domain.errors import Cancelled, CatalogError, CRSError, InputError
from .files import file_sha256
from .units import area_block

RASTER_ROLES = {
    "dem": {"name_zh": "高程/坡度", "name_en": "elevation / slope"},
    "landcover": {"name_zh": "土地覆盖", "name_en": "land cover"},
}
# 第三次全国国土调查 坡度分级: ≤2°, 2–6°, 6–15°, 15–25°, >25°
DEFAULT_SLOPE_THRESHOLDS = [2.0, 6.0, 15.0, 25.0]
METHOD = {
    "id": "exact_cell_fraction",
    "description": (
        "each raster cell counts with the exact share of its area inside the footprint "
        "(area of cell ∩ footprint ÷ cell area, computed with shapely for cells crossed by the footprint "
        "boundary, 1 for cells wholly inside); min/max over every cell the footprint touches, means and "
        "areas weighted by that share; ellipsoidal areas scale each cell by the CGCS2000 ellipsoidal ÷ "
        "planar area ratio of a cell in its column, the cells together being tied to the footprint's "
        "ellipsoidal area (so the classes add up to it)"),
    "slope": ("Horn (1981) 3×3 finite differences on the DEM in the analysis CRS, cell size in metres; "
              "cells next to nodata or the grid edge have no slope"),
    "threshold_rule": "area above a threshold counts cells whose value is strictly greater than it",
    "description_zh": ("按像元落入项目用地范围的精确面积比例计入（像元与用地范围相交面积 ÷ 像元面积，边界像元用 shapely "
                       "计算，完全在内的像元计 1）；最小值、最大值取用地触及的全部像元，均值和面积按该比例加权；椭球面积"
                       "按像元所在列的 CGCS2000 椭球面积与平面面积之比换算，并与项目用地椭球面积闭合"),
    "slope_zh": "Horn (1981) 3×3 差分法，在分析坐标系中以米为单位的像元大小计算；邻接无数据像元或栅格边缘的像元无坡度",
}
_INT_NODATA = -(2**31) + 1
_MAX_CELLS = 100_000_000
_TILE = 64


# ----------------------------------------------------------------------------- catalog entries


@dataclass
class RasterClass:
    code: int
    zh: str
    en: str = ""
    color: str | None = None


@dataclass
class RasterSpec:
    """One ``[[rasters]]`` catalog entry."""

    id: str
    role: str
    path: Path
    name: str = ""
    band: int = 1
    crs: str | None = None  # only for files that carry none
    nodata: float | None = None  # overrides the file's nodata value
    classes: dict[int, RasterClass] = field(default_factory=dict)
    class_table: Path | None = None
    slope_thresholds: list[float] = field(default_factory=lambda: list(DEFAULT_SLOPE_THRESHOLDS))
    elevation_thresholds: list[float] = field(default_factory=list)
    resampling: str | None = None  # default: bilinear for dem, nearest for landcover

    def __post_init__(self):
        self.path = Path(self.path)
        if self.role not in RASTER_ROLES:
            raise CatalogError("raster.unknown_role", id=self.id, role=self.role, roles=", ".join(RASTER_ROLES))
        self.name = self.name or RASTER_ROLES[self.role]["name_zh"]
        if self.resampling is None:
            self.resampling = "bilinear" if self.role == "dem" else "nearest"
        if not hasattr(Resampling, self.resampling):
            raise CatalogError("raster.unknown_resampling", id=self.id, value=self.resampling)
        if self.role == "landcover" and self.resampling != "nearest" and self.resampling != "mode":
            raise CatalogError("raster.class_resampling", id=self.id)
        self.slope_thresholds = sorted(float(t) for t in self.slope_thresholds)
        self.elevation_thresholds = sorted(float(t) for t in self.elevation_thresholds)

    def class_of(self, code: int) -> RasterClass:
        return self.classes.get(int(code)) or RasterClass(int(code), f"未定义类别 {code}",
                                                          f"undefined class {code}")


_SPEC_FIELDS = {"id", "role", "path", "name", "band", "crs", "nodata", "classes", "class_table",
                "slope_thresholds", "elevation_thresholds", "resampling"}


def _parse_classes(raw, where: str) -> dict[int, RasterClass]:
    out: dict[int, RasterClass] = {}
    items = raw.items() if isinstance(raw, dict) else ((r.get("code"), r) for r in raw)
    for code, v in items:
        try:
            c = int(str(code).strip())
        except ValueError:
            raise CatalogError("raster.class_code", where=where, code=code) from None
        if isinstance(v, str):
            out[c] = RasterClass(c, v)
            continue
        if not isinstance(v, dict):
            raise CatalogError("raster.class_entry", where=where, code=code)
        zh = v.get("zh") or v.get("name_zh") or v.get("name") or ""
        en = v.get("en") or v.get("name_en") or ""
        out[c] = RasterClass(c, str(zh) or f"类别 {c}", str(en), v.get("color") or None)
    return out


def read_class_table(path: str | Path) -> dict[int, RasterClass]:
    """Class table file: CSV (columns code, zh, en[, color]; a header row is required), TOML or JSON
    (``{"1": {"zh": …, "en": …, "color": …}}``, optionally under a ``classes`` key)."""
    p = Path(path)
    if not p.exists():
        raise CatalogError("raster.class_table_missing", path=p)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError("raster.class_table_unreadable", path=p) from exc
    suffix = p.suffix.lower()
    try:
        if suffix == ".csv":
            rows = list(csv.DictReader(text.splitlines()))
            if not rows or "code" not in {k.strip().lower() for k in rows[0]}:
                raise CatalogError("raster.class_table_header", path=p)
            rows = [{k.strip().lower(): (v or "").strip() for k, v in r.items() if k} for r in rows]
            return _parse_classes(rows, p.name)
        data = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise CatalogError("raster.class_table_invalid", path=p, detail=exc) from None
    return _parse_classes(data.get("classes", data) if isinstance(data, dict) else data, p.name)


def load_raster_specs(catalog) -> list[RasterSpec]:
    """The ``[[rasters]]`` entries of a catalog (a ``Catalog``, or the path of its TOML file).

    A catalog guessed from a folder (no TOML file) has no rasters.
    """
    path = getattr(catalog, "path", catalog)
    if path is None:
        return []
    p = Path(path)
    if p.suffix.lower() != ".toml" or not p.is_file():
        return []
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError("catalog.bad_toml", path=p, detail=exc) from None
    specs: list[RasterSpec] = []
    seen: set[str] = set()
    for i, entry in enumerate(data.get("rasters", []), 1):
        where = f"{p.name}: raster #{i}"
        unknown = set(entry) - _SPEC_FIELDS
        if unknown:
            raise CatalogError("catalog.unknown_fields", where=where, fields=", ".join(sorted(unknown)))
        for need in ("id", "role", "path"):
            if need not in entry:
                raise CatalogError("catalog.missing_field", where=where, field=need)
        if entry["id"] in seen:
            raise CatalogError("raster.duplicate_id", where=where, id=entry["id"])
        seen.add(entry["id"])
        file = (p.parent / entry["path"]).resolve()
        if not file.exists():
            raise CatalogError("raster.file_missing", path=p, id=entry["id"], file=file)
        kw = {k: v for k, v in entry.items() if k not in ("path", "classes", "class_table")}
        classes: dict[int, RasterClass] = {}
        table = None
        if "class_table" in entry:
            table = (p.parent / entry["class_table"]).resolve()
            classes.update(read_class_table(table))
        if "classes" in entry:
            classes.update(_parse_classes(entry["classes"], f"{p.name}: raster {entry['id']!r}"))
        specs.append(RasterSpec(**kw, path=file, classes=classes, class_table=table))
    return specs


def as_spec(raster, role: str | None = None) -> RasterSpec:
    """A ``RasterSpec`` from a spec, a result ``rasters[]`` entry (dict with ``source``/``path`` and
    ``role``) or a bare file path (role then ``dem`` unless given)."""
    if isinstance(raster, RasterSpec):
        return raster
    if isinstance(raster, dict):
        path = raster.get("path") or raster.get("source")
        table: dict[int, RasterClass] = {}
        if raster.get("class_table") and Path(raster["class_table"]).is_file():
            table.update(read_class_table(raster["class_table"]))
        for c in raster.get("classes") or []:
            if "code" in c and int(c["code"]) not in table:
                table[int(c["code"])] = RasterClass(int(c["code"]), c.get("name_zh", ""), c.get("name_en", ""),
                                                    c.get("color"))
        kw = {}
        stats = raster.get("stats") or {}
        if stats.get("slope_above"):
            kw["slope_thresholds"] = [a["threshold_deg"] for a in stats["slope_above"]]
        return RasterSpec(id=str(raster.get("id", Path(path).stem)), role=role or raster.get("role", "dem"),
                          path=Path(path), name=raster.get("name", ""), classes=table, **kw)
    p = Path(raster)
    return RasterSpec(id=p.stem, role=role or "dem", path=p)


# ----------------------------------------------------------------------------- reading a window


@dataclass
class RasterWindow:
    """A piece of a raster on a north-up grid in the analysis CRS.

    ``data`` is float64 with NaN for nodata (DEM) or int64 with ``valid`` False for nodata (classes).
    """

    data: np.ndarray
    valid: np.ndarray
    transform: Affine
    epsg: int
    source_window: Window | None
    source_crs: CRS
    source_cell_size: tuple[float, float]
    warped: bool
    resampling: str
    nodata: float | None

    @property
    def shape(self) -> tuple[int, int]:
        return self.data.shape

    @property
    def cell_size(self) -> tuple[float, float]:
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def cell_area(self) -> float:
        return abs(self.transform.a * self.transform.e)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        h, w = self.shape
        x0, y0 = self.transform @ (0, 0)
        x1, y1 = self.transform @ (w, h)
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _open(path: Path):
    if not path.exists():
        raise InputError("raster.not_found", path=path)
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore", NotGeoreferencedWarning)
            return rasterio.open(path)
    except (RasterioError, OSError) as exc:
        raise InputError("raster.unreadable", path=path, detail=_short(exc)) from None


def _short(exc) -> str:
    """The first line of an error message, with the GDAL cause when rasterio only says "see previous"."""
    msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    cause = exc.__cause__ or exc.__context__
    if cause is not None and "previous exception" in msg:
        msg = _short(cause)
    return msg[:200]


def _source_crs(ds, spec: RasterSpec) -> CRS:
    name = spec.path.name
    if ds.transform == Affine.identity():
        if ds.gcps[0]:
            raise CRSError("raster.gcps_only", name=name)
        raise CRSError("raster.not_georeferenced", name=name)
    if spec.crs:
        try:
            return CRS.from_user_input(spec.crs)
        except Exception as exc:  # pyproj raises several types
            raise CRSError("raster.bad_catalog_crs", name=name, crs=spec.crs) from None
    if ds.crs is None:
        raise CRSError("raster.no_crs", name=name)
    try:
        return CRS.from_wkt(ds.crs.to_wkt())
    except Exception as exc:
        raise CRSError("raster.unsupported_crs", name=name) from None


def _read(ds, spec: RasterSpec, win: Window, **kw) -> np.ma.MaskedArray:
    try:
        arr = ds.read(spec.band, window=win, masked=True, **kw)
    except (RasterioError, OSError, IndexError, ValueError) as exc:
        raise InputError("raster.data_unreadable", path=spec.path, detail=_short(exc)) from None
    if spec.nodata is not None:
        arr = np.ma.masked_where(np.ma.getdata(arr) == spec.nodata, arr, copy=False)
    return arr


def _pixel_box(ds, xs, ys, pad: int) -> Window | None:
    cols, rows = (~ds.transform) @ (np.asarray(xs), np.asarray(ys))
    c0 = max(int(math.floor(np.nanmin(cols))) - pad, 0)
    c1 = min(int(math.ceil(np.nanmax(cols))) + pad, ds.width)
    r0 = max(int(math.floor(np.nanmin(rows))) - pad, 0)
    r1 = min(int(math.ceil(np.nanmax(rows))) + pad, ds.height)
    if c1 <= c0 or r1 <= r0:
        return None
    return Window(c0, r0, c1 - c0, r1 - r0)


def _densified(bounds, n: int = 21):
    minx, miny, maxx, maxy = bounds
    t = np.linspace(0.0, 1.0, n)
    xs = np.concatenate([minx + (maxx - minx) * t, np.full(n, maxx), maxx - (maxx - minx) * t, np.full(n, minx)])
    ys = np.concatenate([np.full(n, miny), miny + (maxy - miny) * t, np.full(n, maxy), maxy - (maxy - miny) * t])
    return xs, ys


def _ground_cell_size(ds, src_wkt: str, epsg: int, bounds) -> float:
    """Side (metres of EPSG ``epsg``) of the square with the area of one source cell at the centre of
    ``bounds``."""
    minx, miny, maxx, maxy = bounds
    sx, sy = transformer(epsg, src_wkt).transform((minx + maxx) / 2, (miny + maxy) / 2)
    col, row = (~ds.transform) @ (sx, sy)
    px, py = ds.transform @ (np.array([col, col + 1, col]), np.array([row, row, row + 1]))
    gx, gy = transformer(src_wkt, epsg).transform(px, py)
    return math.sqrt(math.hypot(gx[1] - gx[0], gy[1] - gy[0]) * math.hypot(gx[2] - gx[0], gy[2] - gy[0]))


def _is_north_up(tr: Affine) -> bool:
    return tr.b == 0 and tr.d == 0 and tr.a > 0 and tr.e < 0


def read_window(raster, bounds, epsg: int, *, pad_cells: int = 2, res: float | None = None,
                resampling: str | None = None, max_size: int | None = None) -> RasterWindow | None:
    """The part of ``raster`` covering ``bounds`` (minx, miny, maxx, maxy in EPSG ``epsg``) plus
    ``pad_cells`` cells, on a north-up grid in EPSG ``epsg``; None when the raster does not reach there.

    Only that window of the file is read. A grid already in EPSG ``epsg`` (north-up) is returned as
    stored; otherwise the window is warped on a grid of cell size ``res`` (default: the square cell with
    the source cell's area at the centre of ``bounds``). ``max_size`` (for maps) caps the number of
    cells across ``bounds``: a coarser grid is then read decimated (from overviews when the file has
    them) and warped.
    """
    spec = as_spec(raster)
    ds = _open(spec.path)
    with ds:
        if not 1 <= spec.band <= ds.count:
            raise InputError("raster.band", path=spec.path, band=spec.band, count=ds.count)
        src_crs = _source_crs(ds, spec)
        dst_crs = CRS.from_epsg(epsg)
        same = src_crs.equals(dst_crs, ignore_axis_order=True)
        scale = float(ds.scales[spec.band - 1] or 1.0)
        offset = float(ds.offsets[spec.band - 1] or 0.0)
        nodata = spec.nodata if spec.nodata is not None else ds.nodata
        src_cell = (abs(ds.transform.a), abs(ds.transform.e))
        method = resampling or spec.resampling
        minx, miny, maxx, maxy = bounds
        src_wkt = src_crs.to_wkt()
        src_res = _ground_cell_size(ds, src_wkt, epsg, bounds)
        if res is None and max_size and max(maxx - minx, maxy - miny) / src_res > max_size:
            res = max(maxx - minx, maxy - miny) / max_size
        if same and _is_north_up(ds.transform) and res is None:
            win = _pixel_box(ds, [minx, maxx], [miny, maxy], pad_cells)
            if win is None:
                return None
            arr = _read(ds, spec, win)
            data, valid = _finish(arr, spec.role, scale, offset)
            return RasterWindow(data, valid, ds.window_transform(win), epsg, win, src_crs, src_cell, False,
                                "none", nodata)
        # warp: destination grid in the analysis CRS
        res = res or src_res
        if not (res > 0 and math.isfinite(res)):
            raise CRSError("raster.cell_size", path=spec.path, crs=crs_label(epsg))
        x0 = math.floor(minx / res) * res - pad_cells * res
        y1 = math.ceil(maxy / res) * res + pad_cells * res
        width = int(math.ceil((maxx + pad_cells * res - x0) / res))
        height = int(math.ceil((y1 - (miny - pad_cells * res)) / res))
        if width * height > _MAX_CELLS:
            raise InputError("raster.too_large", path=spec.path, width=width, height=height, res=f"{res:.1f}")
        dst_tr = Affine(res, 0.0, x0, 0.0, -res, y1)
        gxs, gys = _densified((x0, y1 - height * res, x0 + width * res, y1))
        sxs, sys_ = transformer(epsg, src_wkt).transform(gxs, gys)
        win = _pixel_box(ds, sxs, sys_, 2)
        if win is None:
            return None
        src_tr = ds.window_transform(win)
        decim = res / src_res if src_res > 0 else 1.0
        if decim > 2.0:  # a coarse grid (maps): read the window decimated, from overviews when the file has them
            ow = max(1, int(math.ceil(win.width / decim * 2)))
            oh = max(1, int(math.ceil(win.height / decim * 2)))
            arr = _read(ds, spec, win, out_shape=(oh, ow),
                        resampling=Resampling.average if spec.role == "dem" else Resampling.nearest)
            src_tr = src_tr @ Affine.scale(win.width / ow, win.height / oh)
        else:
            arr = _read(ds, spec, win)
        if spec.role == "dem":
            src = np.ma.filled(arr.astype("float64"), np.nan)
            dst = np.full((height, width), np.nan)
            nd = np.nan
        else:
            src = np.ma.filled(arr.astype("int32"), _INT_NODATA)
            dst = np.full((height, width), _INT_NODATA, dtype="int32")
            nd = _INT_NODATA
        del arr
        try:
            reproject(src, dst, src_transform=src_tr, src_crs=src_wkt, src_nodata=nd, dst_transform=dst_tr,
                      dst_crs=dst_crs.to_wkt(), dst_nodata=nd, resampling=getattr(Resampling, method),
                      init_dest_nodata=True)
        except (RasterioError, ValueError) as exc:
            raise CRSError("raster.warp", path=spec.path, crs=crs_label(epsg), detail=_short(exc)) from None
        del src
        if spec.role == "dem":
            valid = np.isfinite(dst)
        else:
            valid = dst != _INT_NODATA
        ma = np.ma.MaskedArray(dst, mask=~valid)
        data, valid = _finish(ma, spec.role, scale, offset)
        return RasterWindow(data, valid, dst_tr, epsg, win, src_crs, src_cell, True, method, nodata)


def _finish(arr: np.ma.MaskedArray, role: str, scale: float, offset: float):
    valid = ~np.ma.getmaskarray(arr)
    if role == "dem":
        data = np.ma.getdata(arr).astype("float64", copy=True)
        if scale != 1.0 or offset != 0.0:
            data = data * scale + offset
        data[~valid] = np.nan
        valid &= np.isfinite(data)
        return data, valid
    return np.ma.getdata(arr).astype("int64"), valid


# ----------------------------------------------------------------------------- cell coverage


def cell_fractions(geom, transform: Affine, shape: tuple[int, int]) -> np.ndarray:
    """Share (0–1) of each cell of a north-up grid lying inside the polygon ``geom``.

    Exact: cells near the polygon boundary get area(cell ∩ geom) / cell area, all others are wholly
    inside or outside (decided at the cell centre).
    """
    h, w = shape
    frac = np.zeros((h, w))
    if geom is None or geom.is_empty or h == 0 or w == 0:
        return frac
    if shapely.get_num_coordinates(geom) > COMPLEX_VERTICES:  # 10⁵–10⁶ vertices: see core.cell_cover
        return complex_fractions(geom, transform, shape)
    inside = rasterize([(geom, 1)], out_shape=(h, w), transform=transform, fill=0, all_touched=False,
                       dtype="uint8")
    frac[inside == 1] = 1.0
    edge = rasterize([(geom.boundary, 1)], out_shape=(h, w), transform=transform, fill=0, all_touched=True,
                     dtype="uint8").astype(bool)
    # one-cell dilation so that numerical corner cases of the line rasteriser cannot miss a cell
    rows, cols = np.nonzero(dilate_one_cell(edge))
    if len(rows) == 0:
        return frac
    a, e, x0, y0 = transform.a, transform.e, transform.c, transform.f
    cell_area = abs(a * e)
    tiles = (rows // _TILE) * (w // _TILE + 1) + cols // _TILE
    order = np.argsort(tiles, kind="stable")
    rows, cols, tiles = rows[order], cols[order], tiles[order]
    starts = np.flatnonzero(np.r_[True, tiles[1:] != tiles[:-1]])
    ends = np.r_[starts[1:], len(tiles)]
    for s, t in zip(starts, ends):
        r, c = rows[s:t], cols[s:t]
        xa, xb = x0 + a * c, x0 + a * (c + 1)
        ya, yb = y0 + e * r, y0 + e * (r + 1)
        bx0, bx1 = np.minimum(xa, xb), np.maximum(xa, xb)
        by0, by1 = np.minimum(ya, yb), np.maximum(ya, yb)
        piece = shapely.clip_by_rect(geom, bx0.min(), by0.min(), bx1.max(), by1.max())
        if piece.is_empty:
            frac[r, c] = 0.0
            continue
        boxes = shapely.box(bx0, by0, bx1, by1)
        frac[r, c] = np.clip(shapely.area(shapely.intersection(boxes, piece)) / cell_area, 0.0, 1.0)
    return frac


def column_area_factors(transform: Affine, shape: tuple[int, int], epsg: int) -> np.ndarray:
    """Ellipsoidal ÷ planar area of one cell in each column (at the middle row) of a grid in ``epsg``."""
    h, w = shape
    a, e, x0, y0 = transform.a, transform.e, transform.c, transform.f
    c = np.arange(w)
    r = h / 2.0
    ya, yb = y0 + e * r, y0 + e * (r + 1)
    boxes = shapely.box(x0 + a * c, min(ya, yb), x0 + a * (c + 1), max(ya, yb))
    return ellipsoidal_areas(boxes, epsg) / abs(a * e)


def horn_slope(z: np.ndarray, dx: float, dy: float) -> np.ndarray:
    """Slope in degrees (Horn 1981) of an elevation grid with cell size dx × dy metres; NaN where a
    neighbour is missing (grid edge or nodata)."""
    p = np.pad(np.asarray(z, dtype="float64"), 1, constant_values=np.nan)
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * dx)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8.0 * dy)
    return np.degrees(np.arctan(np.hypot(dzdx, dzdy)))


# ----------------------------------------------------------------------------- zonal statistics


def _fnum(v) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def _summary(values: np.ndarray, frac: np.ndarray, weight: np.ndarray, sel: np.ndarray) -> dict | None:
    if not sel.any():
        return None
    v = values[sel]
    wts = weight[sel]
    return {"min": float(v.min()), "mean": _fnum(np.average(v, weights=wts)) if wts.sum() > 0 else None,
            "max": float(v.max()), "cell_count": int(sel.sum())}


def _area(planar: float, ellip: float, fp_ellip: float) -> tuple[dict, float]:
    return area_block(planar, ellip), (min(ellip / fp_ellip, 1.0) if fp_ellip else 0.0)


def _label(lo: float | None, hi: float | None, unit: str) -> str:
    def f(x):
        return f"{x:g}"
    if lo is None:
        return f"≤{f(hi)}{unit}"
    if hi is None:
        return f">{f(lo)}{unit}"
    return f"{f(lo)}–{f(hi)}{unit}"


def raster_zonal(raster, footprint_geom, epsg: int, *, footprint_m2: float | None = None) -> dict:
    """Zonal statistics of one raster under a footprint (a polygon in EPSG ``epsg``): the ``rasters[]``
    entry of the check result (docs/result_schema.md)."""
    spec = as_spec(raster)
    fp_planar = float(shapely.area(footprint_geom))
    fp_ellip = float(footprint_m2) if footprint_m2 else float(ellipsoidal_areas([footprint_geom], epsg)[0])
    pad = 2 if spec.role == "dem" else 0
    win = read_window(spec, shapely.bounds(footprint_geom), epsg, pad_cells=pad)
    entry = {
        "id": spec.id, "name": spec.name, "role": spec.role, "role_name": RASTER_ROLES[spec.role]["name_zh"],
        "source": str(spec.path), "sha256": raster_sha256(spec.path),
        "class_table": str(spec.class_table) if spec.class_table else None,
        "source_crs": None, "source_cell_size": None, "source_cell_unit": None, "cell_size_m": None,
        "warped": None, "resampling": None, "window": None, "method": METHOD,
        "covered_share": 0.0, "covered_area": area_block(0.0, 0.0),
        "status": "not_covered", "stats": None, "classes": None, "warnings": [],
    }
    with _open(spec.path) as ds:  # provenance even when the footprint misses the grid
        src_crs = _source_crs(ds, spec)
        entry["source_crs"] = crs_label(src_crs)
        entry["source_cell_size"] = [abs(ds.transform.a), abs(ds.transform.e)]
        entry["source_cell_unit"] = "degree" if src_crs.is_geographic else (
            src_crs.axis_info[0].unit_name if src_crs.axis_info else None)
    if win is None:
        entry["warnings"].append(f"{spec.name}: the footprint lies outside the raster {spec.path.name}")
        return entry
    entry.update({
        "cell_size_m": [float(win.cell_size[0]), float(win.cell_size[1])],
        "warped": win.warped, "resampling": win.resampling,
        "window": {"col_off": int(win.source_window.col_off), "row_off": int(win.source_window.row_off),
                   "width": int(win.source_window.width), "height": int(win.source_window.height)},
    })
    frac = cell_fractions(footprint_geom, win.transform, win.shape)
    planar_w = frac * win.cell_area
    ellip_w = planar_w * column_area_factors(win.transform, win.shape, epsg)[None, :]
    touched = frac > 0
    # tie the cell sum to the footprint's own ellipsoidal figure (computed like every vector area), so
    # that class areas add up to the footprint area; the correction is a few ppm at most
    inside = footprint_geom if shapely.covers(shapely.box(*win.bounds), footprint_geom) else \
        shapely.intersection(footprint_geom, shapely.box(*win.bounds))
    target = fp_ellip if inside is footprint_geom else float(ellipsoidal_areas([inside], epsg)[0])
    total_e = float(ellip_w[touched].sum())
    if total_e > 0 and target > 0:
        ellip_w *= target / total_e
    sel = touched & win.valid
    covered_p, covered_e = float(planar_w[sel].sum()), float(ellip_w[sel].sum())
    share = covered_p / fp_planar if fp_planar else 0.0
    share = min(share, 1.0)
    entry["covered_share"] = share
    entry["covered_area"] = area_block(covered_p, covered_e)
    entry["status"] = "covered" if share >= 1 - 1e-9 else ("partly_covered" if share > 0 else "not_covered")
    if 0 < share < 1 - 1e-9:
        entry["warnings"].append(f"{spec.name}: only {share:.1%} of the footprint has raster data "
                                 f"({spec.path.name}); statistics cover that part only")
    elif share == 0:
        entry["warnings"].append(f"{spec.name}: no raster data under the footprint ({spec.path.name})")
    if spec.role == "dem":
        entry["stats"] = _dem_stats(spec, win, frac, planar_w, ellip_w, sel, fp_ellip) if sel.any() else None
    else:
        entry["classes"] = _class_areas(spec, win, planar_w, ellip_w, sel, fp_ellip, entry["warnings"])
    return entry


def _dem_stats(spec, win, frac, planar_w, ellip_w, sel, fp_ellip) -> dict:
    z = win.data
    dx, dy = win.cell_size
    slope = horn_slope(z, dx, dy)
    sel_s = sel & np.isfinite(slope)
    slope_p = float(planar_w[sel_s].sum())
    fp_p_cov = float(planar_w[sel].sum())

    def above(values, s, thresholds, key):
        out = []
        for t in thresholds:
            m = s & (values > t)
            blk, share = _area(float(planar_w[m].sum()), float(ellip_w[m].sum()), fp_ellip)
            out.append({key: t, "area": blk, "share_of_footprint": share})
        return out

    def bands(values, s, thresholds, key_lo, key_hi, unit):
        out = []
        edges = [None, *thresholds, None]
        for lo, hi in zip(edges[:-1], edges[1:]):
            m = s.copy()
            if lo is not None:
                m &= values > lo
            if hi is not None:
                m &= values <= hi
            blk, share = _area(float(planar_w[m].sum()), float(ellip_w[m].sum()), fp_ellip)
            out.append({key_lo: lo, key_hi: hi, "label": _label(lo, hi, unit), "area": blk,
                        "share_of_footprint": share})
        return out

    zz = np.where(sel, z, 0.0)
    ss = np.where(sel_s, slope, 0.0)
    return {
        "elevation_m": _summary(zz, frac, ellip_w, sel),
        "slope_deg": _summary(ss, frac, ellip_w, sel_s),
        "slope_covered_share": (slope_p / fp_p_cov * 1.0) if fp_p_cov else 0.0,
        "slope_above": above(ss, sel_s, spec.slope_thresholds, "threshold_deg"),
        "slope_bands": bands(ss, sel_s, spec.slope_thresholds, "from_deg", "to_deg", "°"),
        "elevation_above": above(zz, sel, spec.elevation_thresholds, "threshold_m"),
    }


def _class_areas(spec, win, planar_w, ellip_w, sel, fp_ellip, warns) -> list[dict]:
    codes = win.data[sel]
    if codes.size == 0:
        return []
    uniq, inv = np.unique(codes, return_inverse=True)
    p = np.bincount(inv, weights=planar_w[sel], minlength=len(uniq))
    e = np.bincount(inv, weights=ellip_w[sel], minlength=len(uniq))
    n = np.bincount(inv, minlength=len(uniq))
    out = []
    for code, ap, ae, cnt in sorted(zip(uniq.tolist(), p, e, n), key=lambda t: -t[2]):
        cls = spec.class_of(code)
        if int(code) not in spec.classes and spec.classes:
            warns.append(f"{spec.name}: class code {code} is not in the class table")
        blk, share = _area(float(ap), float(ae), fp_ellip)
        out.append({"code": int(code), "name_zh": cls.zh, "name_en": cls.en, "color": cls.color,
                    "area": blk, "share_of_footprint": share, "cell_count": int(cnt)})
    return out


@lru_cache(maxsize=32)
def _sha(path: str, size: int, mtime: int) -> str:
    return file_sha256(path)


def raster_sha256(path: str | Path) -> str:
    p = Path(path)
    st = os.stat(p)
    return _sha(str(p), st.st_size, st.st_mtime_ns)


def rasters_section(specs: list[RasterSpec], footprint_geom, epsg: int, footprint_m2: float | None = None,
                    cancelled=None) -> list[dict]:
    """One ``rasters[]`` result entry per raster to check."""
    out = []
    for spec in specs:
        if cancelled is not None and cancelled():
            raise Cancelled("error.cancelled")
        out.append(raster_zonal(spec, footprint_geom, epsg, footprint_m2=footprint_m2))
    return out
