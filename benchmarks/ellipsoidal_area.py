"""Ellipsoidal area: GK-densified trapezoid series (ours) vs the old vertex-only series — speed and accuracy.

    PYTHONPATH=$PWD python benchmarks/ellipsoidal_area.py

Accuracy is against pyproj.Geod (geodesic area) of the same polygon densified to 1 m in the GK plane,
i.e. of the polygon whose edges are straight in the plane; speed is the best of 5 runs. For parcels of a
few hundred m² the geodesic reference itself is only good to ~1e-3 m² (GeographicLib's absolute area
accuracy), hence the absolute column.
"""

from __future__ import annotations

import functools
import time

import numpy as np
import shapely
from pyproj import Geod, Transformer

from ningxia_gis.core.areas import ellipsoidal_areas

GEOD = Geod(a=6378137.0, f=1 / 298.257222101)
EPSG = 4544


def reference(geoms, step: float = 1.0) -> np.ndarray:
    """Geodesic area of each polygon (no holes here) with its GK edges cut to ≤ ``step`` metres."""
    t = Transformer.from_crs(EPSG, 4490, always_xy=True)
    out = []
    for g in geoms:
        xy = np.asarray(g.exterior.coords)
        seg = [np.column_stack([np.linspace(a[0], b[0], n, endpoint=False), np.linspace(a[1], b[1], n, endpoint=False)])
               for a, b in zip(xy[:-1], xy[1:]) for n in [max(1, int(np.ceil(np.hypot(*(b - a)) / step)))]]
        pts = np.vstack(seg)
        lon, lat = t.transform(pts[:, 0], pts[:, 1])
        out.append(abs(GEOD.polygon_area_perimeter(lon, lat)[0]))
    return np.array(out)


def best(fn, n=5) -> float:
    t = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return min(t)


def cases(rng):
    long_edges = shapely.Polygon([(598000, 4130000), (611000, 4131000), (612000, 4139000),
                                  (604000, 4141000), (597000, 4138000)])  # ≈ 104 km², 8–13 km edges
    cx, cy = rng.uniform(560_000, 650_000, 5000), rng.uniform(4_100_000, 4_170_000, 5000)
    small = shapely.buffer(shapely.points(cx, cy), rng.uniform(20, 300, 5000), quad_segs=12)  # 三调-like
    ang = np.linspace(0, 2 * np.pi, 100_000, endpoint=False)
    rad = 8000 * (1 + 0.05 * np.sin(37 * ang))
    big = shapely.Polygon(np.column_stack([613000 + rad * np.cos(ang), 4130000 + rad * np.sin(ang)]))
    return [("one footprint, 8–13 km edges", np.array([long_edges] * 20, dtype=object)),
            ("5000 small parcels (49 vertices each)", small),
            ("one red line, 100 000 vertices", np.array([big], dtype=object))]


def main() -> None:
    rng = np.random.default_rng(7)
    print(f"{'case':40s} {'old s':>9s} {'new s':>9s} {'ratio':>6s} {'old max rel err':>16s} {'new max rel err':>16s} {'new max abs m²':>14s}")
    for name, geoms in cases(rng):
        ref = reference(geoms)
        old = ellipsoidal_areas(geoms, EPSG, vertices_only=True)
        new = ellipsoidal_areas(geoms, EPSG)
        t_old = best(lambda: ellipsoidal_areas(geoms, EPSG, vertices_only=True))
        t_new = best(lambda: ellipsoidal_areas(geoms, EPSG))
        e_old = float(np.max(np.abs(old - ref) / ref))
        e_new = float(np.max(np.abs(new - ref) / ref))
        print(f"{name:40s} {t_old:9.4f} {t_new:9.4f} {t_new / t_old:6.2f} {e_old:16.2e} {e_new:16.2e} {float(np.max(np.abs(new - ref))):14.2e}")


def whole_check() -> None:
    """A whole check (sample catalog, the road footprint crossing the red line) with either method."""
    from ningxia_gis.core import check, overlay
    from ningxia_gis.core.catalog import load_catalog
    from ningxia_gis.footprint_io import load_footprint
    from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS

    fp = load_footprint(SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg")
    cat = load_catalog(SAMPLE_CATALOG)
    for src in cat.sources():
        src.prepare()
    check.run_check(fp, cat)  # warm-up
    t_new = best(lambda: check.run_check(fp, cat), 3)
    old = functools.partial(ellipsoidal_areas, vertices_only=True)
    saved = overlay.ellipsoidal_areas, check.ellipsoidal_areas
    overlay.ellipsoidal_areas = check.ellipsoidal_areas = old
    try:
        t_old = best(lambda: check.run_check(fp, cat), 3)
    finally:
        overlay.ellipsoidal_areas, check.ellipsoidal_areas = saved
    print(f"{'whole check, road_crossing_redline':40s} {t_old:9.4f} {t_new:9.4f} {t_new / t_old:6.2f}")


if __name__ == "__main__":
    main()
    whole_check()
