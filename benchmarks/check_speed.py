"""Single check and complex footprints (issue 19): this tree vs a baseline revision, in the same run.

    python benchmarks/check_speed.py                       # baseline = merge-base with main
    python benchmarks/check_speed.py --baseline 515211a --reps 3 --vertices 100,10000,100000

Uses the small benchmark layers (``make_layers.py --scale small``, generated when missing). Each
measurement runs in a fresh interpreter with the layers prepared (``LayerSource.prepare``) before the timer;
ours and the baseline alternate, and every result's areas are compared (pieces, planar and ellipsoidal
figures per layer): a speed-up that changes a figure is reported as such.

* ``single``: ``run_check`` of the first ``--checks`` footprints of ``footprints.gpkg`` vs the 4 layers
  (both GK zones), median wall time per check.
* ``star N``: a 1 km² star footprint with N vertices on a farmland tile east of 106.5°E (analysis zone 36,
  the layers are in zone 35, so every query is reprojected), wall time of one ``run_check``.
``--profile`` prints the cProfile top 25 (cumulative) of each job in this tree instead.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import shutil
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data" / "small"

RUNNER = r"""
import json, sys, time, math, warnings
warnings.simplefilter("ignore")
import numpy as np, shapely, pyogrio
from ningxia_gis.core.catalog import load_catalog
from ningxia_gis.core.check import run_check
from ningxia_gis.core.footprint import Footprint
import geopandas as gpd
DATA, job, arg, reps, profile = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
cat = load_catalog(DATA + "/catalog.toml")
for s in cat.sources():
    s.prepare()
    s.sha256

def footprint(geom, name):
    gdf = gpd.GeoDataFrame({"XMMC": [name]}, geometry=[geom], crs=4544)
    return Footprint(gdf=gdf, source=name, name=name, sha256="0" * 64)

def star(n):
    fa = gpd.read_file(DATA + "/yjjbnt.gpkg", bbox=(680000, 4000000, 730000, 4120000))
    c = fa.geometry.centroid
    cx, cy = float(np.median(c.x)), float(np.median(c.y))
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    r = 1 + 0.25 * np.sin(12 * t) + 0.02 * np.sin(301 * t) + 0.002 * np.sin(4999 * t) + 0.0005 * np.sin(33331 * t)
    ring = np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])
    g = shapely.Polygon(ring)
    assert g.is_valid
    return shapely.affinity.scale(g, *(2 * [math.sqrt(1e6 / g.area)]), origin=(cx, cy))

if job == "single":
    fps = pyogrio.read_dataframe(DATA + "/footprints.gpkg", max_features=arg)
    cases = [footprint(g, f"fp{i}") for i, g in enumerate(fps.geometry.values)]
else:
    cases = [footprint(star(arg), f"star{arg}")]

def digest(r):
    return [[l["id"], len(l["pieces"]), l["area"]["planar_m2"], l["area"]["ellipsoidal_m2"],
             sorted((p["feature_id"], p["area"]["planar_m2"], p["area"]["ellipsoidal_m2"]) for p in l["pieces"])]
            for l in r.data["layers"]]

if profile:
    import cProfile, pstats
    pr = cProfile.Profile(); pr.enable()
    for c in cases:
        run_check(c, cat)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
    sys.exit(0)
times, dig = [], []
for _ in range(reps):
    for c in cases:
        t0 = time.perf_counter(); r = run_check(c, cat); times.append(time.perf_counter() - t0)
dig = [digest(run_check(c, cat)) for c in cases]
print(json.dumps({"times": times, "digest": dig}))
"""


def tree_of(rev: str) -> Path:
    out = Path(tempfile.mkdtemp(prefix="nxbase_"))
    with tempfile.TemporaryFile() as f:
        subprocess.run(["git", "archive", rev], cwd=ROOT, stdout=f, check=True)
        f.seek(0)
        tarfile.open(fileobj=f).extractall(out, filter="data")
    return out


def run(tree: Path, job: str, arg: int, reps: int, profile: bool = False) -> dict | None:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    p = subprocess.run([sys.executable, "-c", RUNNER, str(DATA), job, str(arg), str(reps), "1" if profile else "0"],
                       env=env, cwd=tree, capture_output=True, text=True)
    if p.returncode:
        sys.exit(f"{job} {arg} failed in {tree}:\n{p.stderr[-3000:]}")
    if profile:
        print(p.stdout)
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def compare(a, b) -> str:
    """Largest relative difference of any area (pieces and layer totals) between two digests."""
    worst, same_pieces = 0.0, True
    for ca, cb in zip(a, b):
        for la, lb in zip(ca, cb):
            if la[0] != lb[0] or la[1] != lb[1] or [p[0] for p in la[4]] != [p[0] for p in lb[4]]:
                same_pieces = False
                continue
            vals = [(la[2], lb[2]), (la[3], lb[3])] + [(x, y) for pa, pb in zip(la[4], lb[4])
                                                        for x, y in ((pa[1], pb[1]), (pa[2], pb[2]))]
            for x, y in vals:
                if x != y:
                    worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
    if not same_pieces:
        return "DIFFERENT PIECES"
    return "identical" if worst == 0 else f"max rel. diff {worst:.1e}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--baseline", default=None, help="git revision to compare with (default: merge-base with main)")
    ap.add_argument("--checks", type=int, default=20)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--vertices", default="100,10000,100000")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args(argv)
    if not (DATA / "catalog.toml").exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_layers.py"), "--scale", "small"], check=True)
    jobs = [("single", args.checks, args.reps)] + [("star", int(v), 1 if int(v) >= 10**5 else args.reps)
                                                  for v in args.vertices.split(",")]
    if args.profile:
        for job, arg, _ in jobs:
            print(f"=== {job} {arg}")
            run(ROOT, job, arg, 1, profile=True)
        return 0
    if args.baseline is None:
        args.baseline = subprocess.run(["git", "merge-base", "HEAD", "main"], cwd=ROOT, capture_output=True,
                                       text=True).stdout.strip() or "main"
    base = tree_of(args.baseline)
    rev = subprocess.run(["git", "rev-parse", "--short", args.baseline], cwd=ROOT, capture_output=True,
                         text=True).stdout.strip()
    print(f"ours = {ROOT} (working tree), baseline = {args.baseline} ({rev}); load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"{'measure':<42} {'ours':>10} {'baseline':>10} {'speed-up':>9}  areas")
    for job, arg, reps in jobs:
        b = run(base, job, arg, reps)  # alternate: baseline, ours
        o = run(ROOT, job, arg, reps)
        tb, to = statistics.median(b["times"]), statistics.median(o["times"])
        label = f"one check vs 4 layers, median of {len(o['times'])}" if job == "single" else \
            f"1 km² star footprint, {arg:,} vertices (zone 36)"
        print(f"{label:<42} {to:>9.3f}s {tb:>9.3f}s {tb / to:>8.1f}×  {compare(o['digest'], b['digest'])}",
              flush=True)
    shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
