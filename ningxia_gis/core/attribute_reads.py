"""Attributes of the features a check hits, without pandas per check: by FID straight from a GeoPackage's
SQLite table (``SqlAttributes``), and rows of an in-memory Arrow text column (``TextColumn``)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from ..domain.errors import InputError
from .layers import GpkgLayer, read_info


class SqlAttributes:
    """Attributes by FID straight from a GeoPackage's SQLite table, typed as GDAL (pyogrio) types a read
    of those features, then as ``object_columns`` (text as object arrays): no GDAL dataset opened per
    check (~2 ms a layer). Only for text, integer, boolean and real fields; ``read`` gives None for a
    value GDAL would convert (the caller then reads through GDAL)."""

    TYPES = ("object", "float64", "float32", "int64", "int32", "int16", "bool")

    def __init__(self, reader: GpkgLayer, fields: list[str], dtypes: list[str]):
        self.reader, self.fields, self.dtypes = reader, fields, dtypes

    @classmethod
    def of(cls, reader: GpkgLayer, path, layer) -> "SqlAttributes | None":
        """The reader of ``reader``'s table when its fields are all of ``TYPES`` (text declared TEXT),
        the columns GDAL lists; else None."""
        try:
            if Path(path).resolve() != Path(reader.path).resolve():
                return None
            info = read_info(path, layer)
            fields, dtypes = [str(f) for f in info.get("fields", [])], [str(d) for d in info.get("dtypes", [])]
            declared = [(n, t.upper()) for n, t in reader.columns() if n not in (reader.fid, reader.column)]
        except (OSError, sqlite3.Error, InputError, ValueError):
            return None
        if [n for n, _ in declared] != fields or any(d not in cls.TYPES for d in dtypes):
            return None
        if any(d == "object" and not t.startswith("TEXT") for (_n, t), d in zip(declared, dtypes)):
            return None
        return cls(reader, fields, dtypes)

    def read(self, fids) -> tuple[dict, dict] | None:
        try:
            found = self.reader.rows(self.fields, fids)
        except sqlite3.Error:  # e.g. text that is not UTF-8: GDAL's reading applies
            return None
        if len(found) != len(fids):
            return None
        rows = [found[int(f)] for f in fids]
        cols, dtypes = {}, {}
        for k, (name, want) in enumerate(zip(self.fields, self.dtypes)):
            vals = [r[k] for r in rows]
            col = self._column(vals, want)
            if col is None:
                return None
            cols[name] = col
            if want == "object" and any(v is not None for v in vals):
                dtypes[name] = "str"  # pandas makes text read by GDAL its string type
        return cols, dtypes

    @staticmethod
    def _column(vals: list, want: str) -> np.ndarray | None:
        """pyogrio's array for ``vals`` of a field of type ``want``: an integer or boolean field with a
        null comes as float64 (NaN); None where a value is not of the field's kind."""
        null = [v is None for v in vals]
        kind = str if want == "object" else float if want.startswith("float") else int
        if any(not n and not (isinstance(v, kind) or (kind is float and isinstance(v, int)))
               or isinstance(v, bool) for v, n in zip(vals, null)):
            return None
        if want == "object":
            return np.array(vals, dtype=object)
        if want.startswith("float") or any(null):
            out = np.array([np.nan if v is None else float(v) for v in vals], dtype=np.float64)
            return out.astype(want) if want.startswith("float") else out
        return np.array(vals, dtype=want)


class TextColumn:
    """An Arrow text column of an in-memory table: rows taken straight from Arrow as an object array
    (str, None for a null), ~6× cheaper than through pandas."""

    def __init__(self, values: pd.arrays.ArrowStringArray):
        import pyarrow as pa
        data = pa.array(values)
        if isinstance(data, pa.ChunkedArray):
            data = data.chunk(0) if data.num_chunks == 1 else data.combine_chunks()
        self.data, self.dtype = data, values.dtype

    def __getitem__(self, rows) -> np.ndarray:
        return self.data.take(np.asarray(rows, dtype=np.int64)).to_numpy(zero_copy_only=False)


def one_chunk(table: pd.DataFrame) -> pd.DataFrame:
    """Arrow-backed columns (text) of ``table`` in one chunk: taking a few rows of a 1M-row chunked
    array costs ~1 ms, of one chunk ~20 µs (an Arrow read comes in batches of 65 536 rows)."""
    for c in table.columns:
        arr = table[c].array
        if isinstance(arr, pd.arrays.ArrowExtensionArray):
            import pyarrow as pa
            data = pa.array(arr)
            if isinstance(data, pa.ChunkedArray) and data.num_chunks > 1:
                table[c] = pd.array(data.combine_chunks(), dtype=arr.dtype)
    return table
