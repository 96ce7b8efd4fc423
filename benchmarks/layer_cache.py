"""Opening a large shapefile: decoded from the source every time vs. from its GeoPackage copy.

    python benchmarks/layer_cache.py [--features 1000000] [--runs 3]

Writes a shapefile of jittered 12-vertex parcels (like make_layers.py's 永久基本农田) into
benchmarks/data/cache/, then times ``LayerSource.prepare()`` three ways in this run: without the cache
(the baseline: every geometry decoded into an STRtree), the first time with the cache (decode + write the
copy) and every later time (the GeoPackage fast path on the copy). It checks that a footprint gets the
same pieces and areas either way and prints the ratios.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))


def make_shapefile(path: Path, n: int) -> None:
    import geopandas as gpd
    import pyogrio
    import shapely

    side = int(np.ceil(np.sqrt(n)))
    rng = np.random.default_rng(1)
    i, j = np.divmod(np.arange(n), side)
    cx, cy = 560_000 + i * 100.0, 4_100_000 + j * 100.0
    ang = np.linspace(0, 2 * np.pi, 12, endpoint=False)
    r = 45 * (1 + rng.uniform(-0.08, 0.08, (n, 12)))
    ring = np.stack([cx[:, None] + r * np.cos(ang), cy[:, None] + r * np.sin(ang)], -1)
    ring = np.concatenate([ring, ring[:, :1]], 1)
    gdf = gpd.GeoDataFrame({"YJJBNTTBBH": [f"P{k:07d}" for k in range(n)], "DLBM": np.where(i % 3, "0103", "0101")},
                           geometry=shapely.polygons(ring), crs=4544)
    pyogrio.write_dataframe(gdf, path, encoding="UTF-8")


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args(argv)
    os.environ["NINGXIA_GIS_HOME"] = tempfile.mkdtemp(prefix="ningxia_cache_bench.")

    import shapely

    from ningxia_gis.core.catalog import LayerSource, LayerSpec
    from ningxia_gis.core.overlay import overlay_layer

    data = ROOT / "data" / "cache"
    data.mkdir(parents=True, exist_ok=True)
    shp = data / f"yjjbnt_{a.features}.shp"
    if not shp.exists():
        print(f"writing {shp} ({a.features:,} parcels) …", flush=True)
        make_shapefile(shp, a.features)

    def source():
        return LayerSource(LayerSpec(id="yjjbnt", role="permanent_basic_farmland", path=shp, id_field="YJJBNTTBBH"))

    fp = shapely.Point(560_000 + 3_000, 4_100_000 + 3_000).buffer(800)

    def pieces(src):
        ov = overlay_layer(fp, src.candidates(fp, 4544), 4544, src.spec.role, id_field="YJJBNTTBBH")
        return sorted((p.feature_id, p.planar_m2, p.ellipsoidal_m2) for p in ov.pieces)

    LayerSource.CACHE_MIN_FEATURES = 10**12  # baseline: the cache off
    base, ref = [], None
    for _ in range(a.runs):
        s = source()
        base.append(timed(s.prepare))
        ref = pieces(s)
    LayerSource.CACHE_MIN_FEATURES = 1
    s = source()
    first = timed(s.prepare)
    cached = []
    for _ in range(a.runs):
        s = source()
        cached.append(timed(s.prepare))
        assert s._ix.kind == "gpkg", s._ix.kind
        assert pieces(s) == ref, "the copy gave other pieces"
    b, c = statistics.median(base), statistics.median(cached)
    print(f"{a.features:,}-polygon shapefile, prepare() median of {a.runs}:")
    print(f"  from the source, no cache (baseline)  {b:7.2f} s")
    print(f"  first time, writing the copy          {first:7.2f} s  ({first / b:.1f}× the baseline, once)")
    print(f"  from the GeoPackage copy              {c:7.2f} s  ({b / c:.1f}× faster)")
    print(f"  same pieces and areas for a footprint of {len(ref)} pieces: yes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
