"""Reading a footprint file into a checked ``Footprint``: the one place footprints are built.

Format readers (界址点 TXT, DXF, CSV/XLSX tables, KML/KMZ) are chosen by suffix from ``READERS``; every
other file goes through pyogrio (SHP, GPKG, GeoJSON, FileGDB). Every footprint then gets the same checks
whatever its format (``validate``): refusals with the file and line, duplicate vertices removed,
make_valid with a warning, ring orientation normalised, stated area compared, the location in Ningxia,
and an import report (``validate.report_of``)."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..core.crs import crs_label, to_crs
from ..core.files import file_sha256
from ..core.footprint import Footprint
from ..core.layers import read_vector
from ..core.location import check_in_ningxia
from ..domain.errors import FootprintError, InputError, NingxiaGisError
from .dxf import read_dxf
from .kml import read_kml
from .tables import read_table
from .txt_format import read_txt
from .validate import clean_vector_footprint, finalize, orient, report_of


def guarded(reader):
    """A reader whose unexpected failures come out as FootprintError naming the file (never a traceback)."""
    @functools.wraps(reader)
    def wrapper(path, *args, **kwargs):
        try:
            return reader(path, *args, **kwargs)
        except NingxiaGisError:
            raise
        except Exception:  # never Python's text for the user: the details go to the log
            logging.getLogger("ningxia_gis").exception("reading %s", path)
            raise FootprintError("footprint.cannot_read", file=Path(path).name) from None
    return wrapper


#: suffix → reader(path, crs=…, **options) → Footprint
READERS: dict[str, Callable[..., Footprint]] = {
    ".txt": read_txt,  # has its own guard (parse_txt_bytes)
    ".dxf": guarded(read_dxf),
    ".csv": guarded(read_table), ".xlsx": guarded(read_table), ".xlsm": guarded(read_table),
    ".kml": guarded(read_kml), ".kmz": guarded(read_kml),
}




def load_footprint(path: str | Path, crs=None, **options) -> Footprint:
    """Read a footprint file, check it is polygonal and repair invalid geometry (with a warning).

    Options understood by the readers: ``encoding``, ``layer``, ``allow_legacy_datum`` (read Xi'an 80 /
    Beijing 54 files as they are, with a loud warning), ``check_range`` (False: skip the Ningxia range
    checks), ``bounds`` ((w, s, e, n) lon/lat box used instead of Ningxia's real boundary, see
    core.location), and per format (see footprint_io).
    """
    p = Path(path)
    if not p.exists():
        raise InputError("footprint.not_found", file=p)
    reader = READERS.get(p.suffix.lower())
    if reader is not None and not p.is_dir():
        fp = reader(p, crs=crs, **options)
    else:
        fp = _read_gis(p, crs, **options)
    fp.source = fp.source or str(p)
    fp.sha256 = fp.sha256 or file_sha256(p)
    fp = prepare_footprint(fp)
    if options.get("check_range", True) and options.get("bounds") is None:
        check_in_ningxia(fp)
    return finalize(fp)


def _read_gis(p: Path, crs=None, check_range: bool = True, bounds=None, **options) -> Footprint:
    """SHP, GPKG, GeoJSON, FileGDB … through pyogrio; the user's CRS wins over the file's (with a warning)."""
    gdf = read_vector(p, require_crs=False, **options)
    notes = []
    warnings = list(gdf.attrs.get("warnings", []))
    if crs is not None:
        user = to_crs(crs)
        if gdf.crs is not None and not to_crs(gdf.crs).equals(user):
            warnings.append(f"{p.name}: the file says {crs_label(gdf.crs)}; read as {crs_label(user)} as given")
        gdf = gdf.set_crs(user, allow_override=True)
        notes.append(f"CRS {crs_label(user)} as given (--crs)")
    elif gdf.crs is None:
        raise FootprintError("footprint.no_crs_file", file=p)
    else:
        notes.append(f"CRS {crs_label(gdf.crs)} from the file")
    fp = Footprint(gdf=gdf, source=str(p), name=p.stem, warnings=warnings,
                   meta={"format": p.suffix.lstrip(".").upper() or "GIS", "crs_notes": notes})
    return clean_vector_footprint(fp, check_range=check_range, bounds=bounds)


def prepare_footprint(fp: Footprint) -> Footprint:
    """Keep polygonal parts, repair invalid ones, refuse an empty footprint."""
    gdf = fp.gdf
    label = Path(fp.source).name or "footprint"
    if fp.crs is None:
        raise FootprintError("footprint.no_crs", label=label)
    arr = fp.geoms
    invalid = ~shapely.is_valid(arr) & ~shapely.is_missing(arr)
    if invalid.any():
        reasons = [shapely.is_valid_reason(g) for g in arr[invalid]]
        arr = arr.copy()
        arr[invalid] = shapely.make_valid(arr[invalid])
        locs = fp.meta.get("parcel_locs") or []
        for i, r in zip(np.nonzero(invalid)[0], reasons):
            where = f" {locs[i]}" if i < len(locs) and locs[i] else ""
            fp.repairs.append(f"{label}{where}: parcel {i + 1}: invalid geometry ({r}) repaired with make_valid")
    polys = np.empty(len(arr), dtype=object)
    polys[:] = [_polygonal(g) for g in arr]
    if invalid.any() or any(p is not g for p, g in zip(polys, arr)):  # else the frame stays as it is
        gdf = gdf.set_geometry(gpd.GeoSeries(polys, crs=fp.crs, index=gdf.index))
    keep = ~(shapely.is_missing(polys) | shapely.is_empty(polys))
    if not keep.all():
        gdf, polys = gdf[keep].reset_index(drop=True), polys[keep]
    elif not gdf.index.equals(pd.RangeIndex(len(gdf))):
        gdf = gdf.reset_index(drop=True)
    if not len(polys) or shapely.area(polys[0] if len(polys) == 1 else shapely.union_all(polys)) <= 0:
        raise FootprintError("footprint.no_area", label=label)
    fp.gdf = gdf
    fp.warnings.extend(r for r in fp.repairs if r not in fp.warnings)
    return orient(fp)


def _polygonal(g):
    if g is None or g.is_empty:
        return shapely.Polygon()
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def footprint_from_frame(gdf, *, source: str, name: str, sha256: str = "", fmt: str = "GIS",
                         check_range: bool = True) -> Footprint:
    """A Footprint from parcels already in memory (a feature of a multi-feature file, a drawn polygon),
    checked exactly as ``load_footprint`` checks a file."""
    fp = Footprint(gdf=gdf, source=source, sha256=sha256, name=name, meta={"format": fmt})
    fp.meta["crs_notes"] = [f"CRS {crs_label(fp.crs)} from the file"]
    fp = prepare_footprint(clean_vector_footprint(fp, check_range=check_range))
    if check_range:
        check_in_ningxia(fp)
    return finalize(fp)


def inspect_footprint(path, crs=None, **options):
    """The import report (``validate.ImportReport``) of a footprint file."""
    return report_of(load_footprint(path, crs=crs, **options))
