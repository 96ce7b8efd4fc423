"""Reading vector layers with pyogrio: encodings, CRS checks, reprojection to the analysis CRS."""

from __future__ import annotations

import importlib.util
import warnings
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from .crs import fix_prefix_mismatch, to_crs
from .errors import CRSError, InputError

VECTOR_SUFFIXES = {".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".gdb", ".fgb", ".dxf"}


def detect_dbf_encoding(shp: Path) -> str | None:
    """Encoding for a shapefile without a .cpg: UTF-8 if its text decodes so, else GB18030 (GBK).

    Returns None when GDAL can decide by itself (a .cpg exists, or the text is plain ASCII).
    """
    if shp.with_suffix(".cpg").exists() or shp.with_suffix(".CPG").exists():
        return None
    dbf = next((shp.with_suffix(s) for s in (".dbf", ".DBF") if shp.with_suffix(s).exists()), None)
    if dbf is None:
        return None
    with open(dbf, "rb") as fh:
        data = fh.read(4 << 20)
    if len(data) < 32:
        return None
    header_len = int.from_bytes(data[8:10], "little")
    body = data[header_len:]
    if body.isascii():
        return None
    try:
        body.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError as exc:
        # a cut in the middle of a multi-byte character at the end of the sample is not an error
        if exc.start >= len(body) - 3 and len(data) == 4 << 20:
            return "UTF-8"
        return "GB18030"


def list_layers(path: str | Path) -> list[str]:
    try:
        return [str(name) for name, _ in pyogrio.list_layers(str(path))]
    except Exception as exc:
        raise InputError(f"cannot read {Path(path).name}: {_short(exc)}") from None


def read_info(path: str | Path, layer: str | None = None) -> dict:
    try:
        return pyogrio.read_info(str(path), layer=layer)
    except Exception as exc:
        raise InputError(f"cannot read {Path(path).name}: {_short(exc)}") from None


def read_vector(path: str | Path, layer: str | None = None, encoding: str | None = None,
                bbox=None, columns=None, where: str | None = None, require_crs: bool = True, *,
                mask=None, fid_as_index: bool = False, use_arrow: bool = False, **_ignored) -> gpd.GeoDataFrame:
    """Read one layer of a vector file; a clear InputError/CRSError instead of GDAL's messages.

    ``bbox`` / ``mask`` (in the layer's CRS) and ``where`` are pushed down to GDAL, so only matching
    features are decoded. ``use_arrow`` reads through GDAL's Arrow stream when pyarrow is installed
    (several times faster for large layers); without pyarrow, or if the Arrow read fails, the ordinary
    reader is used silently.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"file not found: {p}")
    if p.suffix.lower() == ".shp" and encoding is None:
        encoding = detect_dbf_encoding(p)
    kwargs = {}
    if encoding:
        kwargs["encoding"] = encoding
    if bbox is not None:
        kwargs["bbox"] = tuple(bbox)
    if columns is not None:
        kwargs["columns"] = list(columns)
    if where:
        kwargs["where"] = where
    if mask is not None:
        kwargs["mask"] = mask
    if fid_as_index:
        kwargs["fid_as_index"] = True
    src = _gdal_path(p)
    try:
        gdf = None
        if use_arrow and has_arrow():
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    gdf = pyogrio.read_dataframe(src, layer=layer, use_arrow=True, **kwargs)
            except Exception:  # noqa: BLE001 - fall back to the ordinary reader, which reports errors
                gdf = None
        if gdf is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gdf = pyogrio.read_dataframe(src, layer=layer, **kwargs)
    except Exception as exc:
        raise InputError(f"cannot read {p.name}{f' (layer {layer})' if layer else ''}: {_short(exc)}") from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name is None:
        raise InputError(f"{p.name}: no geometry column")
    if gdf.crs is None:
        if require_crs:
            raise CRSError(f"{p.name}: the layer has no coordinate system (.prj missing?); "
                           "set one in the layer catalog (crs = \"EPSG:4490\")")
        return gdf
    if not gdf.empty:
        minx, _, maxx, _ = gdf.total_bounds
        fixed, note = fix_prefix_mismatch(to_crs(gdf.crs), minx, maxx)
        if note:
            gdf = gdf.set_crs(fixed, allow_override=True)
            gdf.attrs.setdefault("warnings", []).append(f"{p.name}: {note}")
    return gdf


# formats where GDAL fetches a feature by its FID without reading the whole file
RANDOM_ACCESS_SUFFIXES = {".gpkg", ".shp", ".gdb", ".fgb", ".sqlite"}


@lru_cache(maxsize=1)
def has_arrow() -> bool:
    """Whether pyarrow is importable (pyogrio's Arrow reader needs it)."""
    return importlib.util.find_spec("pyarrow") is not None


def _gdal_path(p: Path) -> str:
    return f"/vsizip/{p}" if p.suffix.lower() == ".kmz" else str(p)


def _encoding(p: Path, encoding: str | None) -> dict:
    if p.suffix.lower() == ".shp" and encoding is None:
        encoding = detect_dbf_encoding(p)
    return {"encoding": encoding} if encoding else {}


def read_attributes(path: str | Path, layer: str | None = None, fids=None, encoding: str | None = None,
                    where: str | None = None) -> pd.DataFrame:
    """The attribute table (no geometry) of a layer, or of the features with GDAL FIDs ``fids``
    (in that order): the fast way to fetch the attributes of a few features of a big layer."""
    p = Path(path)
    kwargs = _encoding(p, encoding)
    if fids is not None:
        kwargs["fids"] = np.asarray(fids, dtype=np.int64)
    elif where:
        kwargs["where"] = where
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if fids is not None and len(kwargs["fids"]) == 0:
                df = pyogrio.read_dataframe(_gdal_path(p), layer=layer, read_geometry=False, max_features=0)
            else:
                df = pyogrio.read_dataframe(_gdal_path(p), layer=layer, read_geometry=False, **kwargs)
    except Exception as exc:
        raise InputError(f"cannot read {p.name}{f' (layer {layer})' if layer else ''}: {_short(exc)}") from None
    return pd.DataFrame(df).reset_index(drop=True)


def read_fids(path: str | Path, layer: str | None = None, where: str | None = None,
              encoding: str | None = None) -> np.ndarray:
    """GDAL FIDs of a layer's features (after ``where``) in reading order, without geometry or fields."""
    p = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta, fids, _g, _f = pyogrio.raw.read(_gdal_path(p), layer=layer, read_geometry=False, columns=[],
                                                  return_fids=True, where=where, **_encoding(p, encoding))
    except Exception as exc:
        raise InputError(f"cannot read {p.name}{f' (layer {layer})' if layer else ''}: {_short(exc)}") from None
    return np.asarray(fids, dtype=np.int64)


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]
