"""Offline basemaps from the officer's own files: an RGB(A) GeoTIFF or an MBTiles file (SQLite of raster
tiles in Web Mercator, read with sqlite3 and decoded by Qt). A basemap is a layer of kind "basemap": drawn
under every other layer, shown in the panel as 底图, and never part of the check (`catalog_for_check`
takes only vector layers with a role and analysis rasters).

Both sources give an RGBA array of the view: the part of the source covering it, read at about screen
resolution, warped (rasterio) onto the view's grid in the display CRS."""

from __future__ import annotations

import math
import sqlite3
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..domain.errors import InputError
from .layers import BaseLayer

BASEMAP_SUFFIXES = {".mbtiles"}
WEB_MERCATOR = 3857
ORIGIN = 20037508.342789244  # half the Web Mercator world width (m)
TILE = 256
MAX_TILES = 64


def warp_to_view(src, src_transform, src_crs, view, epsg: int, width: int, height: int) -> np.ndarray:
    """``src`` (bands, rows, cols) uint8 RGBA warped onto the view grid: (height, width, 4) float 0…1."""
    from rasterio.crs import CRS
    from rasterio.transform import from_bounds
    from rasterio.warp import Resampling, reproject

    dst = np.zeros((4, height, width), dtype=np.uint8)
    reproject(src, dst, src_transform=src_transform, src_crs=src_crs, dst_transform=from_bounds(*view, width, height),
              dst_crs=CRS.from_epsg(epsg), resampling=Resampling.bilinear, src_nodata=None, dst_nodata=0)
    return np.moveaxis(dst, 0, -1).astype(np.float32) / 255.0


class GeoTiffSource:
    """An RGB or RGBA 8-bit GeoTIFF."""

    def __init__(self, path: Path):
        import rasterio

        self.path = Path(path)
        with rasterio.open(self.path) as ds:
            if ds.count < 3 or ds.dtypes[0] != "uint8":
                raise InputError("basemap.not_rgb", path=self.path)
            if ds.crs is None:
                raise InputError("basemap.no_crs", path=self.path)
            self.crs = ds.crs
            self.bounds = tuple(ds.bounds)
            self.alpha_band = 4 if ds.count >= 4 else None

    def render(self, view, epsg: int, width: int, height: int):
        import rasterio
        from rasterio.transform import Affine
        from rasterio.warp import transform_bounds
        from rasterio.windows import from_bounds as window_from_bounds

        with rasterio.open(self.path) as ds:
            try:
                b = transform_bounds(f"EPSG:{epsg}", ds.crs, *view, densify_pts=21)
            except Exception:  # noqa: BLE001 - a view outside the source CRS's area shows nothing
                return None
            l, bt, r, t = ds.bounds
            b = (max(b[0], l), max(b[1], bt), min(b[2], r), min(b[3], t))
            if b[0] >= b[2] or b[1] >= b[3]:
                return None
            win = window_from_bounds(*b, transform=ds.transform).round_offsets().round_lengths()
            if win.width < 1 or win.height < 1:
                return None
            scale = max(win.width / width, win.height / height, 1.0)  # read decimated at screen resolution
            shape = (max(1, int(win.height / scale)), max(1, int(win.width / scale)))
            rgb = ds.read([1, 2, 3], window=win, out_shape=(3,) + shape)
            alpha = ds.read(self.alpha_band, window=win, out_shape=shape) if self.alpha_band else \
                np.full(shape, 255, dtype=np.uint8)
            t = ds.window_transform(win) * Affine.scale(win.width / shape[1], win.height / shape[0])
            return warp_to_view(np.concatenate([rgb, alpha[None]]), t, ds.crs, view, epsg, width, height)


def tile_resolution(z: int) -> float:
    """Metres (Web Mercator) per pixel of a 256-pixel tile at zoom ``z``."""
    return 2 * ORIGIN / TILE / 2 ** z


@lru_cache(maxsize=512)
def _decode(blob: bytes) -> np.ndarray | None:
    from PySide6.QtGui import QImage

    img = QImage.fromData(blob)
    if img.isNull():
        return None
    img = img.convertToFormat(QImage.Format.Format_RGBA8888)
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4).copy()


class MBTilesSource:
    """Raster tiles (PNG / JPEG / WebP as Qt decodes them) in the MBTiles layout (TMS rows)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            con = self._connect()
            try:
                meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
                zooms = [r[0] for r in con.execute("SELECT DISTINCT zoom_level FROM tiles ORDER BY zoom_level")]
            finally:
                con.close()
        except sqlite3.Error:
            raise InputError("basemap.bad_mbtiles", path=self.path) from None
        if not zooms:
            raise InputError("basemap.empty_mbtiles", path=self.path)
        fmt = str(meta.get("format", "png")).lower()
        if fmt in ("pbf", "mvt"):
            raise InputError("basemap.vector_tiles", path=self.path)
        self.meta = meta
        self.zooms = zooms

    def _connect(self):
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    def zoom_for(self, res_3857: float) -> int:
        """The zoom whose tiles are at least as fine as ``res_3857`` m/px, within the levels stored."""
        z = math.ceil(math.log2(2 * ORIGIN / TILE / max(res_3857, 1e-6)) - 1e-9)
        return int(min(max(z, self.zooms[0]), self.zooms[-1]))

    def render(self, view, epsg: int, width: int, height: int):
        from rasterio.transform import from_origin
        from rasterio.warp import transform_bounds

        try:
            x0, y0, x1, y1 = transform_bounds(f"EPSG:{epsg}", f"EPSG:{WEB_MERCATOR}", *view, densify_pts=21)
        except Exception:  # noqa: BLE001
            return None
        z = self.zoom_for(max((x1 - x0) / width, (y1 - y0) / height))
        while True:
            span = TILE * tile_resolution(z)
            c0, c1 = int((x0 + ORIGIN) // span), int((x1 + ORIGIN) // span)
            r0, r1 = int((ORIGIN - y1) // span), int((ORIGIN - y0) // span)  # XYZ rows, north first
            if (c1 - c0 + 1) * (r1 - r0 + 1) <= MAX_TILES or z <= self.zooms[0]:
                break
            z -= 1
        n = 2 ** z
        c0, c1, r0, r1 = max(c0, 0), min(c1, n - 1), max(r0, 0), min(r1, n - 1)
        if c0 > c1 or r0 > r1:
            return None
        mosaic = np.zeros(((r1 - r0 + 1) * TILE, (c1 - c0 + 1) * TILE, 4), dtype=np.uint8)
        found = False
        con = self._connect()
        try:
            rows = con.execute("SELECT tile_column, tile_row, tile_data FROM tiles WHERE zoom_level=? AND "
                               "tile_column BETWEEN ? AND ? AND tile_row BETWEEN ? AND ?",
                               (z, c0, c1, n - 1 - r1, n - 1 - r0)).fetchall()
        finally:
            con.close()
        for col, tms_row, blob in rows:
            tile = _decode(bytes(blob))
            if tile is None or tile.shape[:2] != (TILE, TILE):  # undecodable or not 256 px: left empty
                continue
            r = (n - 1 - tms_row) - r0
            c = col - c0
            mosaic[r * TILE:(r + 1) * TILE, c * TILE:(c + 1) * TILE] = tile
            found = True
        if not found:
            return None
        t = from_origin(c0 * span - ORIGIN, ORIGIN - r0 * span, span / TILE, span / TILE)
        return warp_to_view(np.moveaxis(mosaic, -1, 0).copy(), t, f"EPSG:{WEB_MERCATOR}", view, epsg, width, height)


class BasemapLayer(BaseLayer):
    """A display-only backdrop under all other layers; never checked."""

    kind = "basemap"

    def __init__(self, path, name: str | None = None, *, visible: bool = True):
        p = Path(path)
        super().__init__(name or p.stem, p, visible=visible)
        self.in_check = False
        self.role = None
        self.alpha = 1.0
        self.source = MBTilesSource(p) if p.suffix.lower() in BASEMAP_SUFFIXES else GeoTiffSource(p)

    @property
    def checked(self) -> bool:
        return False

    def data(self, epsg: int):
        return self.source

    def load(self, epsg: int):
        return self.source

    def render(self, view, epsg: int, width: int, height: int):
        """RGBA (height, width, 4) of ``view`` (display CRS ``epsg``), or None where the basemap has nothing."""
        return self.source.render(view, epsg, width, height)

    @property
    def role_label(self) -> str:
        return "底图"
