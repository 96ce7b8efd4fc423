"""The project footprint: reading it from a file and making it a valid polygon.

Format-specific readers (界址点 TXT, DXF, coordinate tables …) register themselves in ``READERS`` by
file suffix; everything else goes through pyogrio (SHP, GPKG, GeoJSON, KML, FileGDB).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import shapely

from .errors import FootprintError, InputError
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

    @property
    def crs(self):
        return self.gdf.crs

    def union(self):
        """All parcels as one (multi)polygon, so overlapping parcels are never counted twice."""
        return shapely.union_all(self.gdf.geometry.values)


# suffix -> reader(path, **options) -> Footprint
READERS: dict[str, Callable[..., Footprint]] = {}


def file_sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    p = Path(path)
    files = sorted(p.rglob("*")) if p.is_dir() else [p]
    for f in files:
        if f.is_file():
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()


def load_footprint(path: str | Path, crs=None, **options) -> Footprint:
    """Read a footprint file, check it is polygonal and repair invalid geometry (with a warning)."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"footprint file not found: {p}")
    reader = READERS.get(p.suffix.lower())
    if reader is not None:
        fp = reader(p, crs=crs, **options)
    else:
        gdf = read_vector(p, **options)
        if crs is not None:
            gdf = gdf.set_crs(crs, allow_override=True)
        fp = Footprint(gdf=gdf, source=str(p), name=p.stem)
    fp.source = fp.source or str(p)
    fp.sha256 = fp.sha256 or file_sha256(p)
    return prepare_footprint(fp)


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
        for i, r in zip(np.nonzero(invalid)[0], reasons):
            fp.repairs.append(f"parcel {i + 1}: invalid geometry ({r}) repaired with make_valid")
    polys = [_polygonal(g) for g in gdf.geometry.values]
    gdf = gdf.set_geometry(gpd.GeoSeries(polys, crs=gdf.crs, index=gdf.index))
    gdf = gdf[~gdf.geometry.is_empty & gdf.geometry.notna()].reset_index(drop=True)
    if gdf.empty or shapely.area(shapely.union_all(gdf.geometry.values)) <= 0:
        raise FootprintError(f"{label}: the footprint has no polygon with an area")
    fp.gdf = gdf
    fp.warnings.extend(fp.repairs)
    return fp


def _polygonal(g):
    if g is None or g.is_empty:
        return shapely.Polygon()
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)
