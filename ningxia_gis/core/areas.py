"""Planar and ellipsoidal (CGCS2000) polygon areas.

The ellipsoidal area is the 国土调查 "椭球面积" of the polygon whose edges are straight lines in the
Gauss-Krüger plane (the surveyed 界址线): every edge is densified in the GK plane (cut into
n = ⌈length / ``DENSIFY_STEP_M``⌉ equal pieces), the vertices are taken to CGCS2000 lon/lat and each ring
is summed with the trapezoid series of 国土调查办发〔2008〕32号 (formats.md §4.1). The series' error on a
densified edge falls as 1/n², so the sums for n and 2n pieces are combined by Richardson extrapolation
(4·A₂ₙ − Aₙ)/3: the figure is the limit of ever finer densification to < 1e-9 relative for footprints
from a few m² to hundreds of km², so extra vertices on a straight edge (which every intersection adds)
no longer change it, and it agrees with the geodesic area (pyproj.Geod) of the densified polygon to
1e-9 (long edges) and to Geod's own accuracy (~1e-3 m²) for small parcels. The bare series on the
vertices (``vertices_only=True``) depends on where vertices sit (1e-7…1e-4) and is only given on request.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..domain.errors import CRSError
from .crs import CGCS2000_GEOG, analysis_epsg_for_lon, gk3_zone_for_lon, to_crs, transformer

A_AXIS = 6378137.0
FLATTENING = 1 / 298.257222101
B_AXIS = A_AXIS * (1 - FLATTENING)
_E2 = (A_AXIS**2 - B_AXIS**2) / A_AXIS**2
_K = (
    1 + (3 / 6) * _E2 + (30 / 80) * _E2**2 + (35 / 112) * _E2**3 + (630 / 2304) * _E2**4,
    (1 / 6) * _E2 + (15 / 80) * _E2**2 + (21 / 112) * _E2**3 + (420 / 2304) * _E2**4,
    (3 / 80) * _E2**2 + (7 / 112) * _E2**3 + (180 / 2304) * _E2**4,
    (1 / 112) * _E2**3 + (45 / 2304) * _E2**4,
    (5 / 2304) * _E2**4,
)
DENSIFY_STEP_M = 100.0  # GK edges are cut into ⌈length / step⌉ pieces, and twice as many (module docstring)
METHOD_DENSIFIED = "gk_densified_trapezoid"
METHOD_VERTICES = "vertex_trapezoid"


def planar_areas(geoms) -> np.ndarray:
    return shapely.area(np.asarray(geoms, dtype=object)).astype(float)


class _Rings:
    """Every ring of a set of (multi)polygons as one coordinate array, with the bookkeeping to sum
    ring areas back per polygon (exteriors added, holes subtracted)."""

    def __init__(self, geoms):
        geoms = np.asarray(geoms, dtype=object)
        self.n_geoms = len(geoms)
        self.xy = np.empty((0, 2))
        self.ring_idx = np.empty(0, dtype=np.int64)
        self.n_rings = 0
        if not len(geoms):
            return
        parts, part_geom = shapely.get_parts(geoms, return_index=True)
        poly = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
        parts, self.part_geom = parts[poly], part_geom[poly]
        if not len(parts):
            return
        n_int = shapely.get_num_interior_rings(parts)
        self.ring_part = np.repeat(np.arange(len(parts)), n_int + 1)
        self.n_parts = len(parts)
        # ring k of each part: k = 0 exterior, then interiors in order (kept aligned with ring_part)
        order = np.concatenate([[0], np.cumsum(n_int + 1)[:-1]])
        ring_arr = np.empty(len(self.ring_part), dtype=object)
        ring_arr[order] = shapely.get_exterior_ring(parts)
        for k in range(1, int(n_int.max(initial=0)) + 1):
            has = np.nonzero(n_int >= k)[0]
            ring_arr[order[has] + k] = shapely.get_interior_ring(parts[has], k - 1)
        self.is_ext = np.zeros(len(self.ring_part), dtype=bool)
        self.is_ext[order] = True
        self.n_rings = len(ring_arr)
        self.xy, self.ring_idx = shapely.get_coordinates(ring_arr, return_index=True)

    def densified(self, step: float, times: int = 1) -> "_Rings":
        """The same rings with every edge cut into ``times`` × ceil(length / ``step``) equal pieces (numpy,
        in the rings' own plane; GEOS's densifier is not used: it re-validates, and can empty, a polygon)."""
        out = object.__new__(_Rings)
        out.__dict__.update(self.__dict__)
        xy, r = self.xy, self.ring_idx
        if len(xy) < 2:
            return out
        # every vertex that starts an edge gives its edge's n points, a ring's closing vertex itself
        start = np.append(r[1:] == r[:-1], False)
        d = np.zeros_like(xy)
        d[:-1][start[:-1]] = (xy[1:] - xy[:-1])[start[:-1]]
        n = np.ones(len(xy), dtype=np.int64)
        n[start] = times * np.maximum(1, np.ceil(np.hypot(*d[start].T) / step)).astype(np.int64)
        src = np.repeat(np.arange(len(xy)), n)
        k = np.arange(len(src)) - np.repeat(np.cumsum(n) - n, n)
        f = k / n[src]
        out.xy = np.empty((len(src), 2))
        for j in (0, 1):  # column by column: a row gather of an (n, 2) array is several times slower
            out.xy[:, j] = xy[:, j][src] + f * d[:, j][src]
        out.ring_idx = r[src]
        out.every = k % times == 0
        return out

    def subset(self, keep: np.ndarray) -> "_Rings":
        out = object.__new__(_Rings)
        out.__dict__.update(self.__dict__)
        out.xy, out.ring_idx = self.xy[keep], self.ring_idx[keep]
        return out

    def stacked(self, other: "_Rings") -> "_Rings":
        """``self``'s rings then ``other``'s (the same rings, other vertices) as one set of 2 × n_geoms
        geometries: one ``series_areas`` for both, the same figures as two (every sum is per ring)."""
        out = object.__new__(_Rings)
        out.__dict__.update(self.__dict__)
        out.xy = np.concatenate([self.xy, other.xy])
        out.ring_idx = np.concatenate([self.ring_idx, other.ring_idx + self.n_rings])
        out.n_geoms, out.n_rings, out.n_parts = 2 * self.n_geoms, 2 * self.n_rings, 2 * self.n_parts
        out.is_ext = np.concatenate([self.is_ext, self.is_ext])
        out.ring_part = np.concatenate([self.ring_part, self.ring_part + self.n_parts])
        out.part_geom = np.concatenate([self.part_geom, self.part_geom + self.n_geoms])
        return out

    def moved(self, src, dst) -> "_Rings":
        out = object.__new__(_Rings)
        out.__dict__.update(self.__dict__)
        if len(self.xy):
            x, y = transformer(src, dst).transform(self.xy[:, 0], self.xy[:, 1])
            out.xy = np.column_stack([x, y])
        return out

    def series_areas(self) -> np.ndarray:
        """Per geometry: Σ |exterior| − Σ |hole| by the trapezoid series, ``xy`` being lon/lat degrees."""
        out = np.zeros(self.n_geoms)
        if not self.n_rings or not len(self.xy):
            return out
        ring_idx = self.ring_idx
        lon = np.radians(self.xy[:, 0])
        lat = np.radians(self.xy[:, 1])
        same = ring_idx[1:] == ring_idx[:-1]
        start = np.searchsorted(ring_idx, np.arange(self.n_rings))
        lref = lon[np.minimum(start, len(lon) - 1)][ring_idx]
        edge = np.empty(int(same.sum()))
        k = 0
        # elementwise only, so the figures do not depend on the chunk size; chunks keep the dozen
        # temporaries in cache (10⁶-vertex rings)
        for i in range(0, len(same), _CHUNK):
            j = min(i + _CHUNK + 1, len(lon))
            e = _edge_terms(lon[i:j], lat[i:j], lref[i:j], same[i:j - 1])
            edge[k:k + len(e)] = e
            k += len(e)
        ring_area = np.abs(np.bincount(ring_idx[:-1][same], weights=edge, minlength=self.n_rings))
        signed = np.where(self.is_ext, ring_area, -ring_area)
        part_area = np.bincount(self.ring_part, weights=signed, minlength=self.n_parts)
        np.add.at(out, self.part_geom, part_area)
        return out


_CHUNK = 1 << 15


def _edge_terms(lon, lat, lref, same) -> np.ndarray:
    """2·b²·Δλ·Σ of each edge (consecutive points where ``same``) of the trapezoid series, radians."""
    b1, b2 = lat[:-1][same], lat[1:][same]
    dl = ((lon[:-1] + lon[1:]) / 2 - lref[:-1])[same]
    db, bm = b2 - b1, (b1 + b2) / 2
    # sin(k·ΔB/2)·cos(k·Bm), k = 1, 3, 5, 7, 9, by the multiple-angle (Chebyshev) identities: two
    # trigonometric calls instead of ten (the higher terms carry factors ≤ 2e-6, so their rounding
    # is immaterial)
    x, c = np.sin(db / 2), np.cos(bm)
    x2, c2 = x * x, c * c
    a, b, cc, d, e = _K
    s3 = x * (3 - 4 * x2)
    s5 = x * (5 - x2 * (20 - 16 * x2))
    s7 = x * (7 - x2 * (56 - x2 * (112 - 64 * x2)))
    s9 = x * (9 - x2 * (120 - x2 * (432 - x2 * (576 - 256 * x2))))
    c3 = c * (4 * c2 - 3)
    c5 = c * (5 - c2 * (20 - 16 * c2))
    c7 = c * (-7 + c2 * (56 - c2 * (112 - 64 * c2)))
    c9 = c * (9 - c2 * (120 - c2 * (432 - c2 * (576 - 256 * c2))))
    s = a * x * c - b * s3 * c3 + cc * s5 * c5 - d * s7 * c7 + e * s9 * c9
    return 2 * B_AXIS**2 * dl * s


def ellipsoidal_areas_lonlat(geoms_lonlat) -> np.ndarray:
    """Trapezoid-series area in m² of each (multi)polygon given in lon/lat degrees (on its vertices)."""
    return _Rings(geoms_lonlat).series_areas()


def to_lonlat(geoms, crs) -> np.ndarray:
    """Geometries reprojected vertex by vertex (no densification) to CGCS2000 lon/lat."""
    t = transformer(crs, CGCS2000_GEOG)

    def fn(xy):
        x, y = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(np.asarray(geoms, dtype=object), fn)


def gk_plane(geoms, crs):
    """The plane whose straight edges ``geoms`` have: ``crs`` itself when projected, else (lon/lat) the
    3° GK zone of the geometries' centre."""
    crs = to_crs(crs)
    if not crs.is_geographic:
        return crs
    geoms = np.asarray(geoms, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    x0, _, x1, _ = shapely.total_bounds(geoms[ok]) if ok.any() else (105.0, 0, 105.0, 0)
    lon = (x0 + x1) / 2
    try:
        return to_crs(analysis_epsg_for_lon(lon))
    except CRSError:  # outside China's 3° zones: a transverse Mercator plane of the same kind
        return to_crs(f"+proj=tmerc +lon_0={3 * gk3_zone_for_lon(lon)} +k=1 +x_0=500000 +ellps=GRS80 +units=m")


def ellipsoidal_areas(geoms, crs, *, vertices_only: bool = False, step: float = DENSIFY_STEP_M) -> np.ndarray:
    """Ellipsoidal (CGCS2000) area in m² of geometries given in ``crs``: of the polygons whose edges are
    straight in the GK plane (densified to ``step`` metres), or with ``vertices_only`` the bare series on
    the vertices (depends on vertex layout; only on request)."""
    rings = _Rings(geoms)
    if vertices_only:
        return rings.moved(crs, CGCS2000_GEOG).series_areas()
    plane = gk_plane(geoms, crs)
    if not to_crs(crs).equals(plane):
        rings = rings.moved(crs, plane)
    fine = rings.densified(step, 2).moved(plane, CGCS2000_GEOG)  # 2n pieces; every other point: n pieces
    if not len(fine.xy):
        return fine.series_areas()
    a1, a2 = np.split(fine.subset(fine.every).stacked(fine).series_areas(), 2)
    # the series' error on a densified straight edge falls as 1/n² (n pieces): Richardson extrapolation
    # of n and 2n pieces gives the limit n → ∞, i.e. the area of the GK-straight polygon; a sliver's
    # extrapolated area can come out a few 1e-12 m² below zero, which is no area at all
    return np.maximum((4 * a2 - a1) / 3, 0.0)
