"""Memory of raster zonal statistics: proportional to the footprint window, not to the grid.

    python benchmarks/raster_memory.py              # 10,000 × 10,000 cells (writes ~0.3 GB once)
    python benchmarks/raster_memory.py --cells 2000 # quick run

Writes a synthetic 10 m DEM and land-cover grid of ``--cells`` × ``--cells`` cells (EPSG:4544, tiled,
deflate) under benchmarks/data/raster/ (git-ignored), then measures, each in a fresh Python process,
the peak resident memory (ru_maxrss) and the peak of Python/numpy allocations (tracemalloc) of:

* ``baseline``   — the imports only;
* ``small``      — ``raster_zonal`` (DEM + land cover) under a ~1 km² footprint;
* ``medium``     — the same under a ~25 km² footprint (window 25× larger);
* ``warped``     — the small footprint checked in GK zone 36 (EPSG:4545): windowed read + warp;
* ``naive``      — reading the whole DEM into memory (``ds.read(1)``) and masking the footprint,
  what a straightforward implementation would do.

and prints the ratios. Not a timed test: the point is the memory figures. A run on the 10,000 × 10,000
grid (Float32 DEM = 400 MB in memory; 20 MB on disk):

    mode        cells read   peak RSS above start  numpy peak    time
    baseline             0      140 MB      0.4 MB      0.0 MB   0.00s
    small           11,009      161 MB     21.4 MB      2.2 MB   0.36s
    medium         254,625      181 MB     42.0 MB     20.3 MB   1.25s
    warped          12,402      162 MB     23.4 MB      2.2 MB   0.64s
    naive      100,000,000     1415 MB   1276.1 MB    700.0 MB  10.63s

    naive whole-grid read ÷ windowed (small footprint): peak RSS above start ×60, numpy peak ×314

(the ~20 MB of the small window are GDAL's fixed cost: driver, decompression buffers, block cache).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "raster"
X0, Y1 = 560000.0, 4180000.0  # upper-left corner (EPSG:4544), 10 m cells
CELL = 10.0
FOOTPRINTS = {  # (cx, cy, half-width, half-height) in EPSG:4544 metres, inside the grid for --cells ≥ 2000
    "small": (X0 + 9_137.0, Y1 - 9_411.0, 520.0, 480.0),
    "medium": (X0 + 9_137.0, Y1 - 9_411.0, 2_600.0, 2_400.0),
}


def _paths(cells: int) -> tuple[Path, Path]:
    return DATA / f"dem_{cells}.tif", DATA / f"landcover_{cells}.tif"


def write_grids(cells: int) -> tuple[Path, Path]:
    """The synthetic DEM and land-cover grids (written once, strip by strip, never held whole)."""
    import numpy as np
    import rasterio
    from affine import Affine
    from rasterio.windows import Window

    sys.path.insert(0, str(ROOT / "tools"))
    from make_sample_rasters import elevation

    dem, lc = _paths(cells)
    if dem.exists() and lc.exists():
        return dem, lc
    DATA.mkdir(parents=True, exist_ok=True)
    tr = Affine(CELL, 0.0, X0, 0.0, -CELL, Y1)
    common = dict(driver="GTiff", width=cells, height=cells, count=1, crs="EPSG:4544", transform=tr, tiled=True,
                  blockxsize=512, blockysize=512, compress="deflate", BIGTIFF="IF_SAFER")
    t = time.time()
    tmp_dem, tmp_lc = dem.with_suffix(".part"), lc.with_suffix(".part")
    with rasterio.open(tmp_dem, "w", dtype="float32", nodata=-9999.0, predictor=3, **common) as d, \
            rasterio.open(tmp_lc, "w", dtype="uint8", nodata=0, **common) as c:
        for r0 in range(0, cells, 512):
            n = min(512, cells - r0)
            cols, rows = np.meshgrid(np.arange(cells) + 0.5, np.arange(r0, r0 + n) + 0.5)
            x, y = X0 + cols * CELL, Y1 - rows * CELL
            z = elevation(x, y)
            d.write(np.round(z, 1).astype("float32"), 1, window=Window(0, r0, cells, n))
            cls = (1 + ((x // 1000).astype(int) + 2 * (y // 1500).astype(int)) % 6).astype("uint8")
            cls[z > 1900] = 3
            c.write(cls, 1, window=Window(0, r0, cells, n))
            print(f"\r  writing {cells}² grids: {min(r0 + n, cells) / cells:5.1%}", end="", flush=True)
    tmp_dem.rename(dem)
    tmp_lc.rename(lc)
    print(f"\r  wrote {dem.name} ({dem.stat().st_size / 1e6:.0f} MB) and {lc.name} "
          f"({lc.stat().st_size / 1e6:.0f} MB) in {time.time() - t:.0f} s")
    return dem, lc


def child(mode: str, cells: int) -> dict:
    """Run one measurement in this (fresh) process."""
    import numpy as np  # noqa: F401  (imports are part of the baseline)
    import rasterio
    import shapely

    import rasterio.features  # noqa: F401
    import rasterio.warp  # noqa: F401

    import ningxia_gis.core.footprint  # noqa: F401  (geopandas, pandas: imported lazily by the check)
    from ningxia_gis.core.crs import transformer
    from ningxia_gis.core.raster import RasterSpec, raster_zonal

    transformer(4544, 4490), transformer(4545, 4490), transformer(4544, 4545)  # PROJ database warm
    dem, lc = _paths(cells)
    base_rss = _reset_peak_rss()
    tracemalloc.start()
    out: dict = {"mode": mode}
    t = time.time()
    cx, cy, hw, hh = FOOTPRINTS["medium" if mode == "medium" else "small"]
    fp = shapely.Polygon([(cx - hw, cy - hh), (cx + hw, cy - hh * 0.8), (cx + hw * 0.9, cy + hh),
                          (cx - hw * 0.7, cy + hh * 0.9)])
    if mode in ("small", "medium", "warped"):
        epsg = 4544
        if mode == "warped":
            from ningxia_gis.core.crs import transformer

            t45 = transformer(4544, 4545)
            fp = shapely.transform(fp, lambda xy: np.column_stack(t45.transform(xy[:, 0], xy[:, 1])))
            epsg = 4545
        d = raster_zonal(RasterSpec(id="dem", role="dem", path=dem), fp, epsg)
        c = raster_zonal(RasterSpec(id="lc", role="landcover", path=lc), fp, epsg)
        w = d["window"]
        out.update(window_cells=w["width"] * w["height"], footprint_m2=float(fp.area),
                   mean_elevation=d["stats"]["elevation_m"]["mean"],
                   slope_gt_25_m2=d["stats"]["slope_above"][-1]["area"]["planar_m2"],
                   classes=len(c["classes"]))
    elif mode == "naive":
        from rasterio.features import geometry_mask

        with rasterio.open(dem) as ds:
            z = ds.read(1, masked=True)  # the whole grid
            inside = geometry_mask([fp], out_shape=z.shape, transform=ds.transform, invert=True)
            sel = inside & ~z.mask
            out.update(window_cells=int(z.size), mean_elevation=float(z.data[sel].mean()))
    out["seconds"] = time.time() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out["tracemalloc_peak_mb"] = peak / 1e6
    out["rss_at_start_mb"] = base_rss
    out["rss_peak_mb"] = _peak_rss()
    return out


def _status(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1]) / 1024  # kB -> MB
    except OSError:
        pass
    return None


def _reset_peak_rss() -> float:
    """Current RSS (MB) after resetting the peak (Linux: /proc/self/clear_refs), so the peak measured
    afterwards belongs to the work, not to the imports."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass
    return _status("VmRSS") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss() -> float:
    return _status("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cells", type=int, default=10_000, help="grid size (cells per side), default 10000")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--skip-naive", action="store_true", help="do not run the whole-grid read")
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child, a.cells)))
        return 0
    if a.cells < 2000:
        ap.error("--cells must be at least 2000 (the footprints lie ~9 km into the grid)")
    write_grids(a.cells)
    modes = ["baseline", "small", "medium", "warped"] + ([] if a.skip_naive else ["naive"])
    rows = {}
    for m in modes:
        p = subprocess.run([sys.executable, __file__, "--cells", str(a.cells), "--child", m],
                           capture_output=True, text=True, cwd=ROOT)
        if p.returncode:
            print(p.stderr, file=sys.stderr)
            return 1
        rows[m] = json.loads(p.stdout.strip().splitlines()[-1])
    grid_mb = a.cells * a.cells * 4 / 1e6
    print(f"\ngrid: {a.cells:,} × {a.cells:,} cells of {CELL:g} m (Float32 DEM = {grid_mb:,.0f} MB in memory)")
    print(f"{'mode':9s} {'cells read':>12s} {'peak RSS':>10s} {'above start':>11s} {'numpy peak':>11s} {'time':>7s}")
    for m, r in rows.items():
        r["above"] = max(r["rss_peak_mb"] - r["rss_at_start_mb"], 0.0)
        print(f"{m:9s} {r.get('window_cells', 0):12,d} {r['rss_peak_mb']:8.0f} MB {r['above']:8.1f} MB "
              f"{r['tracemalloc_peak_mb']:8.1f} MB {r['seconds']:6.2f}s")
    s, md = rows["small"], rows["medium"]
    print(f"\nmedium ÷ small: window cells ×{md['window_cells'] / s['window_cells']:.1f}, "
          f"numpy peak ×{md['tracemalloc_peak_mb'] / max(s['tracemalloc_peak_mb'], 1e-9):.1f}")
    if "naive" in rows:
        n = rows["naive"]
        print(f"naive whole-grid read ÷ windowed (small footprint): peak RSS above start "
              f"×{n['above'] / max(s['above'], 0.1):.0f}, numpy peak "
              f"×{n['tracemalloc_peak_mb'] / max(s['tracemalloc_peak_mb'], 1e-9):.0f}")
        print(f"same answer: mean elevation {s['mean_elevation']:.1f} m (windowed, exact cell fractions) vs "
              f"{n['mean_elevation']:.1f} m (naive, cells whose centre is inside)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
