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
    _frame: tuple = field(default=(None,), init=False, repr=False, compare=False)

    def _geo(self) -> tuple:
        """(frame, CRS, geometry array, geometry column) of ``gdf``, worked out once per frame: a
        GeoDataFrame builds a GeoSeries for every ``.crs`` or ``.geometry`` (~30 µs, a dozen times per
        batch case). Frames are replaced, never changed in place."""
        gdf = self.gdf
        if self._frame[0] is not gdf:
            gs = gdf.geometry
            self._frame = (gdf, gs.crs, np.asarray(gs.values, dtype=object), gs.name)
        return self._frame

    @property
    def crs(self):
        return self._geo()[1]

    @property
    def geoms(self) -> np.ndarray:
        """The parcels' geometries (an object array; do not modify)."""
        return self._geo()[2]

    @property
    def geometry_column(self) -> str:
        return self._geo()[3]

    def union(self):
        """All parcels as one (multi)polygon, so overlapping parcels are never counted twice."""
        return shapely.union_all(self.geoms)



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
