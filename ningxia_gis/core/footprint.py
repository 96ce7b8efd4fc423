"""The project footprint: reading it from a file and making it a valid polygon.

Format-specific readers (界址点 TXT, DXF, CSV/XLSX coordinate tables, KML/KMZ) live in
``ningxia_gis.footprint_io`` and register themselves in ``READERS`` by file suffix (done on first use of
``load_footprint``); everything else goes through pyogrio (SHP, GPKG, GeoJSON, FileGDB).

Every footprint gets the same checks whatever its format (see ``footprint_io.validate``): refusals with
the file and line, duplicate vertices removed, make_valid with a warning, ring orientation normalised,
stated area compared, and an import report in ``fp.meta["report"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import shapely

from ..domain.errors import FootprintError, InputError
from .files import file_sha256
from .layers import read_vector


@dataclass
class Footprint:
    """Parcels of a proposed project in their source CRS, with what was assumed or repaired."""

    gdf: gpd.GeoDataFrame
    source: str = ""
    sha256: str = ""
    name: str = ""
    warnings: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)   # informational (CRS decided, orientation …)

    @property
    def crs(self):
        return self.gdf.crs

    def union(self):
        """All parcels as one (multi)polygon, so overlapping parcels are never counted twice."""
        return shapely.union_all(self.gdf.geometry.values)

    @property
    def report(self):
        """The ``footprint_io.validate.ImportReport`` of this import (built on demand)."""
        from ..footprint_io.validate import report_of
        return report_of(self)


# suffix -> reader(path, **options) -> Footprint
READERS: dict[str, Callable[..., Footprint]] = {}


_BUILTINS_LOADED = False


def _ensure_readers() -> None:
    global _BUILTINS_LOADED
    if not _BUILTINS_LOADED:
        _BUILTINS_LOADED = True
        from .. import footprint_io  # noqa: F401  (registers its readers in READERS)


def load_footprint(path: str | Path, crs=None, **options) -> Footprint:
    """Read a footprint file, check it is polygonal and repair invalid geometry (with a warning).

    Options understood by the readers: ``encoding``, ``layer``, ``allow_legacy_datum`` (read Xi'an 80 /
    Beijing 54 files as they are, with a loud warning), ``check_range`` (False: skip the Ningxia range
    checks), ``bounds`` ((w, s, e, n) lon/lat box used instead of Ningxia's real boundary, see
    core.location), and per format (see footprint_io).
    """
    _ensure_readers()
    p = Path(path)
    if not p.exists():
        raise InputError(f"footprint file not found: {p}")
    reader = READERS.get(p.suffix.lower())
    if reader is not None and not p.is_dir():
        fp = reader(p, crs=crs, **options)
    else:
        fp = _read_gis(p, crs, **options)
    fp.source = fp.source or str(p)
    fp.sha256 = fp.sha256 or file_sha256(p)
    fp = prepare_footprint(fp)
    if options.get("check_range", True) and options.get("bounds") is None:
        from .location import check_in_ningxia
        check_in_ningxia(fp)
    from ..footprint_io.validate import finalize
    return finalize(fp)


def _read_gis(p: Path, crs=None, check_range: bool = True, bounds=None, **options) -> Footprint:
    """SHP, GPKG, GeoJSON, FileGDB … through pyogrio; the user's CRS wins over the file's (with a warning)."""
    from ..footprint_io.validate import clean_vector_footprint
    from .crs import crs_label, to_crs
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
        raise FootprintError(f"{p.name}: the file has no coordinate system (.prj missing?); "
                             "give one with --crs (e.g. EPSG:4523)")
    else:
        notes.append(f"CRS {crs_label(gdf.crs)} from the file")
    fp = Footprint(gdf=gdf, source=str(p), name=p.stem, warnings=warnings,
                   meta={"format": p.suffix.lstrip(".").upper() or "GIS", "crs_notes": notes})
    return clean_vector_footprint(fp, check_range=check_range, bounds=bounds)


def prepare_footprint(fp: Footprint) -> Footprint:
    """Keep polygonal parts, repair invalid ones, refuse an empty footprint."""
    gdf = fp.gdf
    label = Path(fp.source).name or "footprint"
    if gdf.crs is None:
        raise FootprintError(f"{label}: no coordinate system; give one (e.g. --crs EPSG:4544)")
    geoms = gdf.geometry.values
    invalid = ~shapely.is_valid(np.asarray(geoms, dtype=object)) & ~shapely.is_missing(np.asarray(geoms, dtype=object))
    if invalid.any():
        reasons = [shapely.is_valid_reason(g) for g in np.asarray(geoms, dtype=object)[invalid]]
        fixed = shapely.make_valid(np.asarray(geoms, dtype=object)[invalid])
        arr = np.asarray(geoms, dtype=object).copy()
        arr[invalid] = fixed
        gdf = gdf.set_geometry(gpd.GeoSeries(arr, crs=gdf.crs, index=gdf.index))
        locs = fp.meta.get("parcel_locs") or []
        for i, r in zip(np.nonzero(invalid)[0], reasons):
            where = f" {locs[i]}" if i < len(locs) and locs[i] else ""
            fp.repairs.append(f"{label}{where}: parcel {i + 1}: invalid geometry ({r}) repaired with make_valid")
    polys = [_polygonal(g) for g in gdf.geometry.values]
    gdf = gdf.set_geometry(gpd.GeoSeries(polys, crs=gdf.crs, index=gdf.index))
    gdf = gdf[~gdf.geometry.is_empty & gdf.geometry.notna()].reset_index(drop=True)
    if gdf.empty or shapely.area(shapely.union_all(gdf.geometry.values)) <= 0:
        raise FootprintError(f"{label}: the footprint has no polygon with an area")
    fp.gdf = gdf
    fp.warnings.extend(r for r in fp.repairs if r not in fp.warnings)
    from ..footprint_io.validate import orient
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


def parcel_overlaps(geoms, min_m2: float = 0.01) -> list[tuple[int, int, float]]:
    """Pairs (i, j, planar overlap m²) of parcels sharing an area (not just an edge); ``geoms`` planar."""
    arr = np.asarray(geoms, dtype=object)
    if len(arr) < 2:
        return []
    left, right = shapely.STRtree(arr).query(arr, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    areas = shapely.area(shapely.intersection(arr[left], arr[right]))
    return [(int(i), int(j), float(a)) for i, j, a in zip(left, right, areas) if a > min_m2]
