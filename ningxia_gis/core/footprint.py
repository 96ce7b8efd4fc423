"""The project footprint: parcels of a proposed project in their source CRS, with what was assumed or
repaired on import. Reading and checking it is ``ningxia_gis.footprint_io`` (``load_footprint``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely



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
