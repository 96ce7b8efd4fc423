"""Footprint import/export in the formats Ningxia officers use.

Importing this package registers the format readers in ``ningxia_gis.core.footprint.READERS``:
``.txt`` (部标准 界址点坐标 TXT), ``.dxf``, ``.csv``, ``.xlsx``/``.xlsm``, ``.kml``/``.kmz``.
SHP, GPKG, GeoJSON and FileGDB are read by ``load_footprint`` through pyogrio.
"""

from __future__ import annotations

from ..core.footprint import READERS
from .txt_format import read_txt, write_txt

READERS[".txt"] = read_txt

try:  # the other readers are optional in the sense that a broken import must not break TXT
    from .dxf import read_dxf
    READERS[".dxf"] = read_dxf
except ImportError:  # pragma: no cover
    pass
try:
    from .tables import read_table
    for _s in (".csv", ".xlsx", ".xlsm"):
        READERS[_s] = read_table
except ImportError:  # pragma: no cover
    pass
try:
    from .kml import read_kml
    READERS[".kml"] = read_kml
    READERS[".kmz"] = read_kml
except ImportError:  # pragma: no cover
    pass

__all__ = ["read_txt", "write_txt"]
