"""Reading vector layers with pyogrio: encodings, CRS checks, reprojection to the analysis CRS."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import stat
import threading
import warnings
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .crs import fix_prefix_mismatch, to_crs
from ..domain.errors import CRSError, InputError

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


def check_readable(p: Path) -> None:
    """Refuse a missing path, or one that is neither a regular file nor a folder (a FileGDB): GDAL
    would block forever on a FIFO and read /dev/zero without end."""
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise InputError("layers.not_found", path=p) from None
    except OSError as exc:  # a symlink loop, no permission …
        raise InputError("layers.unreadable", path=p, reason=exc.strerror or "") from None
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        raise InputError("layers.not_regular", path=p)


def list_layers(path: str | Path) -> list[str]:
    check_readable(Path(path))
    try:
        return [str(name) for name, _ in pyogrio.list_layers(str(path))]
    except Exception as exc:
        raise InputError("layers.cannot_read", path=Path(path), layer="", reason=_short(exc)) from None


def read_info(path: str | Path, layer: str | None = None) -> dict:
    check_readable(Path(path))
    try:
        return pyogrio.read_info(str(path), layer=layer)
    except Exception as exc:
        raise InputError("layers.cannot_read", path=Path(path), layer="", reason=_short(exc)) from None


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
    check_readable(p)
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
        raise InputError("layers.cannot_read", path=p, layer=_layer_note(layer), reason=_short(exc)) from None
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name is None:
        raise InputError("layers.no_geometry", path=p)
    if gdf.crs is None:
        if require_crs:
            raise CRSError("layers.no_crs", path=p)
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
                    where: str | None = None, use_arrow: bool = False) -> pd.DataFrame:
    """The attribute table (no geometry) of a layer, or of the features with GDAL FIDs ``fids``
    (in that order): the fast way to fetch the attributes of a few features of a big layer.
    ``use_arrow``: through GDAL's Arrow reader when pyarrow is there (the same frame, ~10× faster for a
    whole table)."""
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
                df = pyogrio.read_dataframe(_gdal_path(p), layer=layer, read_geometry=False,
                                            use_arrow=use_arrow and has_arrow(), **kwargs)
    except Exception as exc:
        raise InputError("layers.cannot_read", path=p, layer=_layer_note(layer), reason=_short(exc)) from None
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
        raise InputError("layers.cannot_read", path=p, layer=_layer_note(layer), reason=_short(exc)) from None
    return np.asarray(fids, dtype=np.int64)


class GpkgLayer:
    """Read-only SQLite access to one GeoPackage layer, for the large-layer fast path: the feature
    envelopes straight from the layer's R-tree nodes (no geometry decoded) and geometry blobs by FID.

    Raises ValueError when the layer cannot be served this way (no R-tree, several layers and none
    named, no integer primary key …); the caller then reads through GDAL.
    """

    _ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

    def __init__(self, path: str | Path, layer: str | None = None):
        self.path = Path(path)
        self._local = threading.local()
        con = self._con()
        try:
            rows = con.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        except sqlite3.Error as exc:
            raise ValueError(f"not a GeoPackage: {exc}") from None
        if layer is not None:
            rows = [r for r in rows if str(r[0]).lower() == str(layer).lower()]
        if len(rows) != 1:
            raise ValueError("layer not found or not unique")
        self.table, self.column = rows[0]
        pk = [r[1] for r in con.execute(f"PRAGMA table_info({_q(self.table)})") if r[5] == 1]
        if len(pk) != 1:
            raise ValueError("no single primary key")
        self.fid = pk[0]
        self.rtree = f"rtree_{self.table}_{self.column}"
        if not con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (self.rtree + "_node",)).fetchone():
            raise ValueError("no spatial index")

    def _con(self) -> sqlite3.Connection:
        pid = os.getpid()
        con = getattr(self._local, "con", None)
        if con is None or self._local.pid != pid:  # never share a connection with a forked parent
            con = sqlite3.connect(f"file:{self.path.as_posix()}?mode=ro", uri=True, check_same_thread=False)
            self._local.con, self._local.pid = con, pid
        return con

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_local"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._local = threading.local()

    def envelopes(self) -> tuple[np.ndarray, np.ndarray]:
        """(fids, boxes) of every feature with a geometry, by FID; boxes = (minx, miny, maxx, maxy) rows,
        the R-tree's float32 values (rounded outwards by SQLite, so never too small)."""
        nodes = dict(self._con().execute(f"SELECT nodeno, data FROM {_q(self.rtree + '_node')}").fetchall())
        cell = np.dtype([("id", ">i8"), ("minx", ">f4"), ("maxx", ">f4"), ("miny", ">f4"), ("maxy", ">f4")])
        root = nodes.get(1)
        if root is None or len(root) < 4:
            return np.empty(0, np.int64), np.empty((0, 4))
        level = np.array([1])
        for _ in range(int.from_bytes(root[:2], "big")):
            level = np.concatenate([np.frombuffer(nodes[int(n)], cell, int.from_bytes(nodes[int(n)][2:4], "big"), 4)["id"]
                                    for n in level])
        leaf = np.concatenate([np.frombuffer(nodes[int(n)], cell, int.from_bytes(nodes[int(n)][2:4], "big"), 4)
                               for n in level]) if len(level) else np.empty(0, cell)
        leaf = leaf[np.argsort(leaf["id"], kind="stable")]
        boxes = np.column_stack([leaf["minx"], leaf["miny"], leaf["maxx"], leaf["maxy"]]).astype(float)
        return leaf["id"].astype(np.int64), boxes

    def fids(self, where: str | None = None) -> np.ndarray:
        """FIDs of the features (matching ``where``, an SQLite expression as GDAL passes it), ascending."""
        sql = f"SELECT {_q(self.fid)} FROM {_q(self.table)}" + (f" WHERE {where}" if where else "")
        return np.sort(np.fromiter((r[0] for r in self._con().execute(sql)), dtype=np.int64))

    def large(self, min_bytes: int) -> np.ndarray:
        """FIDs of features whose geometry blob is longer than ``min_bytes`` (many vertices)."""
        sql = f"SELECT {_q(self.fid)} FROM {_q(self.table)} WHERE length({_q(self.column)}) > ?"
        return np.fromiter((r[0] for r in self._con().execute(sql, (int(min_bytes),))), dtype=np.int64)

    def geometries(self, fids) -> np.ndarray:
        """Shapely geometries of features ``fids`` (in that order)."""
        fids = np.asarray(fids, dtype=np.int64)
        found = self.rows([self.column], fids)
        return shapely.from_wkb(np.array([self._wkb(found[f][0] if f in found else None) for f in fids.tolist()],
                                         dtype=object))

    def columns(self) -> list[tuple[str, str]]:
        """(name, declared SQLite type) of the table's columns, in order."""
        return [(r[1], str(r[2])) for r in self._con().execute(f"PRAGMA table_info({_q(self.table)})")]

    def rows(self, columns: list[str], fids) -> dict:
        """{fid: values of ``columns``} of features ``fids``, as SQLite gives them."""
        out: dict = {}
        con, cols = self._con(), ", ".join(_q(c) for c in [self.fid, *columns])
        fids = [int(f) for f in fids]
        for i in range(0, len(fids), 500):
            chunk = fids[i:i + 500]
            sql = f"SELECT {cols} FROM {_q(self.table)} WHERE {_q(self.fid)} IN ({','.join('?' * len(chunk))})"
            out.update((r[0], r[1:]) for r in con.execute(sql, chunk))
        return out

    def _wkb(self, blob):
        if blob is None:
            return None
        if blob[:2] != b"GP" or blob[3] & 0x20:  # not GeoPackage binary, or an extended geometry type
            raise ValueError("unsupported geometry blob")
        return blob[8 + self._ENVELOPE_BYTES.get((blob[3] >> 1) & 7, 0):]


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _layer_note(layer) -> str:
    return f" (layer {layer})" if layer else ""


def _short(exc: Exception) -> str:
    """GDAL's message in one line, without its advice on driver prefixes (meaningless to officers)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.split("; It might help to specify the correct driver")[0]
    return text[:300]
