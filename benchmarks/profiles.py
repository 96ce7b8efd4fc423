"""Where the time goes (issue 19): cProfile of ours on the measures of run.py, top functions by cumulative time.

    python benchmarks/profiles.py                    # small layers, top 25 of each job
    python benchmarks/profiles.py --scale full --top 40 --jobs single,batch

Jobs (the layers prepared before the profiler starts, as in run.py):

* ``single``: ``run_check`` of the first ``--checks`` zone-35 footprints vs the 4 layers;
* ``star_100k``: the 1 km² footprint with 100,001 vertices (zone 36);
* ``area_1000km2``: the 1,000 km² footprint over the densest farmland;
* ``batch``: ``ningxia-gis batch`` of every footprint (or the first ``--cases``) vs the YJJBNT layer with ``--workers 1``, so the work runs
  in this process (location check off, as in run.py).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pyogrio  # noqa: E402

import run  # noqa: E402
from ningxia_gis.core.catalog import load_catalog  # noqa: E402
from ningxia_gis.core.check import run_check  # noqa: E402
from ningxia_gis.core.crs import analysis_epsg_for_lon  # noqa: E402

JOBS = ("single", "star_100k", "area_1000km2", "batch")


def profiled(fn, top: int, sort: str) -> tuple[float, str]:
    pr = cProfile.Profile()
    t = time.perf_counter()
    pr.enable()
    fn()
    pr.disable()
    wall = time.perf_counter() - t
    buf = io.StringIO()
    pstats.Stats(pr, stream=buf).strip_dirs().sort_stats(sort).print_stats(top)
    return wall, buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", choices=("full", "small"), default="small")
    ap.add_argument("--jobs", default=",".join(JOBS))
    ap.add_argument("--checks", type=int, default=20)
    ap.add_argument("--cases", type=int, help="batch: the first N footprints only (default all)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="cumulative", help="pstats sort key (cumulative, tottime …)")
    args = ap.parse_args(argv)
    data = HERE / "data" / args.scale
    if not (data / "catalog.toml").exists():
        from make_layers import make
        make(args.scale, data)
    jobs = args.jobs.split(",")
    cat = load_catalog(data / "catalog.toml")
    for src in cat.sources():
        src.prepare()
        src.sha256  # noqa: B018 - provenance hashes once per layer, as in run.py
    fps_all = pyogrio.read_dataframe(data / "footprints.gpkg")
    lon = fps_all.geometry.centroid.to_crs(4490).x.to_numpy()
    sel = fps_all[np.array([analysis_epsg_for_lon(x) for x in lon]) == run.EPSG].iloc[: args.checks]
    cases = {"single": [run.as_footprint(sel.iloc[[i]], f"fp{i:05d}") for i in range(len(sel))]}
    for name, g in run.complex_footprints(data).items():
        cases[name] = [run.as_footprint(gpd.GeoDataFrame({"XMMC": [name]}, geometry=[g], crs=run.EPSG), name)]
    out = data / "profile_batch_out"
    batch_src = data / "footprints.gpkg"
    if args.cases and args.cases < len(fps_all):
        batch_src = data / f"footprints_{args.cases}.gpkg"
        if not batch_src.exists():
            pyogrio.write_dataframe(fps_all.iloc[: args.cases], batch_src, layer="footprints")

    def batch():
        from ningxia_gis.cli import main as cli
        cli(["batch", str(batch_src), "--layers", str(data / "catalog_1m.toml"), "--activity-column", "activity",
             "--no-range-check", "--out", str(out), "--workers", "1", "--quiet"])

    for job in jobs:
        fn = batch if job == "batch" else (lambda cs=cases[job]: [run_check(c, cat) for c in cs])
        wall, text = profiled(fn, args.top, args.sort)
        print(f"=== {job}: {wall:.2f} s under the profiler ({args.scale} layers)")
        print(text, flush=True)
    shutil.rmtree(out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
