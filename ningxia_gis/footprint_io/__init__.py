"""Footprint import/export in the formats Ningxia officers use.

Importing this package registers the format readers in ``ningxia_gis.core.footprint.READERS``:
``.txt`` (部标准 界址点坐标 TXT), ``.dxf``, ``.csv``, ``.xlsx``/``.xlsm``, ``.kml``/``.kmz``.
SHP, GPKG, GeoJSON and FileGDB are read by ``load_footprint`` through pyogrio.
See docs/footprint_formats.md.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from ..domain.errors import FootprintError, NingxiaGisError
from ..core.footprint import READERS
from .convert import convert_footprint, write_footprint
from .dxf import read_dxf, write_dxf
from .kml import read_kml, write_kml
from .tables import read_table, write_table
from .txt_format import format_txt, parse_txt_bytes, read_txt, write_txt
from .validate import ImportReport, inspect_footprint



def guarded(reader):
    """A reader whose unexpected failures come out as FootprintError naming the file (never a traceback)."""
    @functools.wraps(reader)
    def wrapper(path, *args, **kwargs):
        try:
            return reader(path, *args, **kwargs)
        except NingxiaGisError:
            raise
        except MemoryError:
            raise FootprintError("footprint.out_of_memory", file=Path(path).name) from None
        except Exception:  # never Python's text for the user: the details go to the log
            logging.getLogger("ningxia_gis").exception("reading %s", path)
            raise FootprintError("footprint.cannot_read", file=Path(path).name) from None
    return wrapper


READERS[".txt"] = read_txt            # has its own guard (parse_txt_bytes)
READERS[".dxf"] = guarded(read_dxf)
for _s in (".csv", ".xlsx", ".xlsm"):
    READERS[_s] = guarded(read_table)
READERS[".kml"] = guarded(read_kml)
READERS[".kmz"] = guarded(read_kml)

__all__ = ["read_txt", "parse_txt_bytes", "write_txt", "format_txt", "read_dxf", "write_dxf", "read_kml",
           "write_kml", "read_table", "write_table", "write_footprint", "convert_footprint", "inspect_footprint",
           "ImportReport"]
