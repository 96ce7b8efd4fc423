"""Reading vector layers with pyogrio: encodings, CRS checks, reprojection to the analysis CRS."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
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
                bbox=None, columns=None, where: str | None = None, require_crs: bool = True, **_ignored) -> gpd.GeoDataFrame:
    """Read one layer of a vector file; a clear InputError/CRSError instead of GDAL's messages."""
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
    src = str(p)
    if p.suffix.lower() == ".kmz":
        src = f"/vsizip/{p}"
    try:
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


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]
