"""Footprint import/export in the formats Ningxia officers use.

``load_footprint`` reads a footprint file; the format readers (``READERS``, by suffix):
``.txt`` (部标准 界址点坐标 TXT), ``.dxf``, ``.csv``, ``.xlsx``/``.xlsm``, ``.kml``/``.kmz``.
SHP, GPKG, GeoJSON and FileGDB are read by ``load_footprint`` through pyogrio.
See docs/footprint_formats.md.
"""

from __future__ import annotations

from .convert import convert_footprint, write_footprint
from .dxf import read_dxf, write_dxf
from .kml import read_kml, write_kml
from .tables import read_table, write_table
from .txt_format import format_txt, parse_txt_bytes, read_txt, write_txt
from .load import READERS, footprint_from_frame, inspect_footprint, load_footprint, prepare_footprint
from .validate import ImportReport, report_of

__all__ = ["READERS", "ImportReport", "convert_footprint", "footprint_from_frame", "format_txt", "inspect_footprint", "load_footprint",
           "parse_txt_bytes", "prepare_footprint", "read_dxf", "read_kml", "read_table", "read_txt", "report_of",
           "write_dxf", "write_footprint", "write_kml", "write_table", "write_txt"]
