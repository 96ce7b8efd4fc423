"""Footprint import/export in the formats Ningxia officers use.

Importing this package registers the format readers in ``ningxia_gis.core.footprint.READERS``:
``.txt`` (部标准 界址点坐标 TXT), ``.dxf``, ``.csv``, ``.xlsx``/``.xlsm``, ``.kml``/``.kmz``.
SHP, GPKG, GeoJSON and FileGDB are read by ``load_footprint`` through pyogrio.
See docs/footprint_formats.md.
"""

from __future__ import annotations

from ..core.footprint import READERS
from .convert import convert_footprint, write_footprint
from .dxf import read_dxf, write_dxf
from .kml import read_kml, write_kml
from .tables import read_table, write_table
from .txt_format import format_txt, parse_txt_bytes, read_txt, write_txt
from .validate import ImportReport, inspect_footprint

READERS[".txt"] = read_txt
READERS[".dxf"] = read_dxf
for _s in (".csv", ".xlsx", ".xlsm"):
    READERS[_s] = read_table
READERS[".kml"] = read_kml
READERS[".kmz"] = read_kml

__all__ = ["read_txt", "parse_txt_bytes", "write_txt", "format_txt", "read_dxf", "write_dxf", "read_kml",
           "write_kml", "read_table", "write_table", "write_footprint", "convert_footprint", "inspect_footprint",
           "ImportReport"]
