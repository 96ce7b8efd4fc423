"""Speed benchmark: our check and batch vs naive ``geopandas.overlay`` (and QGIS when installed).

    python benchmarks/run.py                 # full scale: 2,000,000 polygons, 10,000 footprints (~15 min)
    python benchmarks/run.py --scale small   # a quick run (~1 min)

The layers come from ``benchmarks/make_layers.py`` (generated first when missing). Everything is measured
in this one run on the same data and printed as a table (also saved as ``results.json`` next to the data):

* loading: ``LayerSource.prepare`` (geometry + STRtree, huge polygons subdivided) of each layer, in a fresh
  process whose peak RSS is the memory for the loaded polygons;
* one check: ``run_check`` of one footprint against the 4 layers (after loading) vs ``geopandas.overlay``
  of the footprint with each loaded layer;
* batch: ``ningxia-gis batch`` of the footprints against the 1M-polygon layer (every case's JSON and the
  summary written) vs naive ``geopandas.overlay`` footprint by footprint (timed on a sample, extrapolated)
  and vs one bulk ``geopandas.overlay`` of all the footprints at once;
* areas: every piece (footprint × feature) of ours compared with the naive overlay's, planar and
  ellipsoidal (our formula on their geometry): they must agree to 1e-9 relative;
* complex footprints: a 1 km² star of 100,001 vertices (analysis zone 36) and a 1,000 km² footprint over the
  densest farmland, one ``run_check`` each against the 4 layers;
* peers (``benchmarks/peers.py``): PostGIS in a private cluster, DuckDB spatial and geopandas' sindex, each
  with its spatial index, timed on the same measures (one check, the two complex footprints, the batch in one statement); their planar
  areas are compared with ours and the ratios ours/peer printed. A peer that is not installed is skipped;
* QGIS ``native:intersection`` (``qgis_process.bin``) for one check and a sample of the batch when QGIS is
  installed, else "QGIS not installed, skipped".

Wall times on a shared machine are noisy, so CPU times of this process are printed too.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402
import shapely  # noqa: E402

from ningxia_gis.core.areas import ellipsoidal_areas  # noqa: E402
from ningxia_gis.core.catalog import LayerSource, load_catalog  # noqa: E402
from ningxia_gis.core.footprint import Footprint  # noqa: E402
from ningxia_gis.footprint_io import prepare_footprint  # noqa: E402

sys.path.insert(0, str(HERE))
import peers  # noqa: E402

EPSG = 4544
REL = 1e-9
TARGETS = {"check": 0.5, "load_1m": 3.0, "batch_ratio": 20.0, "memory_gb": 4.0}


def rss_gb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1e6  # KB on Linux


class Timer:
    def __enter__(self):
        self.w, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *a):
        self.wall, self.cpu = time.perf_counter() - self.w, time.process_time() - self.c


def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1e6:.0f} GB"
    except (OSError, StopIteration):
        pass
    import geopandas
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": platform.platform(),
            "python": platform.python_version(), "geopandas": geopandas.__version__, "shapely": shapely.__version__,
            "geos": shapely.geos_version_string, "pyogrio": pyogrio.__version__, "gdal": pyogrio.__gdal_version_string__,
            "pyarrow": _has("pyarrow"), "load_average_start": _loadavg()}


def _has(mod: str) -> bool:
    import importlib.util
    return importlib.util.find_spec(mod) is not None


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


# ---------------------------------------------------------------- load probe (fresh process)

def load_probe(catalog: str, mode: str) -> dict:
    """Prepare every layer of ``catalog`` in this (fresh) process: times and peak RSS. ``mode`` "gpkg":
    the default GeoPackage fast path; "memory": every geometry decoded and kept in memory (STRtree),
    as for other formats."""
    LayerSource.USE_GPKG_RTREE = mode == "gpkg"
    base = rss_gb()
    cat = load_catalog(catalog)
    out = {"mode": mode, "layers": [], "rss_before_gb": base}
    for src in cat.sources():
        with Timer() as t:
            src.prepare()
        ix = src._ix
        out["layers"].append({"id": src.spec.id, "kind": ix.kind, "features": int(ix.n_rows),
                              "subdivided": int(ix.split.sum()), "pieces": ix.piece_count, "wall": t.wall,
                              "cpu": t.cpu})
    gc.collect()
    out["polygons"] = sum(x["features"] for x in out["layers"])
    out["peak_rss_gb"] = rss_gb()
    return out


def run_probe(catalog: Path, mode: str) -> dict:
    res = subprocess.run([sys.executable, __file__, "--_probe", str(catalog), "--_mode", mode], capture_output=True,
                         text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- naive reference

def naive_layer(path: Path) -> gpd.GeoDataFrame:
    """The whole layer with its attributes, in the analysis CRS, as a geopandas user would load it."""
    gdf = gpd.read_file(path, engine="pyogrio")
    if not gdf.crs.equals(EPSG):
        gdf = gdf.to_crs(EPSG)
    gdf["__fid"] = np.arange(len(gdf))
    return gdf


def naive_overlay(fps: gpd.GeoDataFrame, layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.overlay(fps, layer, how="intersection", keep_geom_type=True)


def piece_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["case", "feature", "planar", "ellipsoidal"])


def compare(ours: pd.DataFrame, ref: pd.DataFrame) -> dict:
    """Pieces of positive area matched on (case, feature): max relative differences of the areas."""
    ours = ours[ours.planar > 0].groupby(["case", "feature"]).sum()
    ref = ref[ref.planar > 0].groupby(["case", "feature"]).sum()
    both = pd.merge(ours, ref, left_index=True, right_index=True, how="outer", suffixes=("_ours", "_ref"))
    missing = both.isna().any(axis=1)
    ok = both[~missing]

    def rel(a, b):
        return (abs(a - b) / np.maximum(np.maximum(abs(a), abs(b)), 1e-6)).max() if len(a) else 0.0

    # a piece of a few mm² or less can be there in one method and not in the other (robustness of the
    # intersection on shared edges); they are counted, never hidden
    tiny = both[missing].fillna(0)[["planar_ours", "planar_ref"]].max(axis=1)
    return {"pieces": int(len(ok)), "only_one_side": int(missing.sum()),
            "only_one_side_max_m2": float(tiny.max()) if len(tiny) else 0.0,
            "max_rel_planar": float(rel(ok.planar_ours, ok.planar_ref)),
            "max_rel_ellipsoidal": float(rel(ok.ellipsoidal_ours, ok.ellipsoidal_ref)),
            "total_planar_ours": float(ok.planar_ours.sum()), "total_planar_ref": float(ok.planar_ref.sum())}


def ref_pieces(res: gpd.GeoDataFrame, case_col: str, fid_col: str, epsg: int = EPSG) -> pd.DataFrame:
    geoms = np.asarray(res.geometry.values, dtype=object)
    return piece_table(zip(res[case_col], res[fid_col].astype(str), shapely.area(geoms),
                           ellipsoidal_areas(geoms, epsg)))


# ---------------------------------------------------------------- QGIS

def qgis_binary() -> str | None:
    return shutil.which("qgis_process.bin") or shutil.which("qgis_process")


def qgis_intersection(fps: gpd.GeoDataFrame, layer_path: Path, work: Path) -> tuple[float, gpd.GeoDataFrame]:
    exe = qgis_binary()
    fp_path, out = work / "fp.gpkg", work / "qgis_out.gpkg"
    for p in (fp_path, out):
        if p.exists():
            p.unlink()
    pyogrio.write_dataframe(fps, fp_path)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="xdg"))
    t = time.perf_counter()
    subprocess.run([exe, "run", "native:intersection", "--", f"INPUT={fp_path}", f"OVERLAY={layer_path}",
                    f"OUTPUT={out}"], check=True, capture_output=True, env=env)
    return time.perf_counter() - t, pyogrio.read_dataframe(out).to_crs(EPSG)


# ---------------------------------------------------------------- the benchmark

def as_footprint(row: gpd.GeoDataFrame, name: str) -> Footprint:
    return prepare_footprint(Footprint(gdf=row.reset_index(drop=True), source=f"{name}", sha256="0" * 64, name=name))


def layer_pieces(data: dict, case: str, layer_ids=None) -> list:
    out = []
    for layer in data["layers"]:
        if layer_ids and layer["id"] not in layer_ids:
            continue
        for p in layer["pieces"]:
            out.append((case, f"{layer['id']}:{p['feature_id']}", p["area"]["planar_m2"], p["area"]["ellipsoidal_m2"]))
    return out


def star_polygon(cx: float, cy: float, n: int, area: float, rough: bool = True) -> shapely.Polygon:
    """A star of ``n`` vertices and ``area`` m² around (cx, cy); ``rough``: rough at every scale (as in
    check_speed.py), else a gently lobed outline."""
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = (1 + 0.25 * np.sin(12 * t) + 0.02 * np.sin(301 * t) + 0.002 * np.sin(4999 * t) + 0.0005 * np.sin(33331 * t)
         if rough else 1 + 0.08 * np.sin(7 * t) + 0.01 * np.sin(61 * t))
    g = shapely.Polygon(np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)]))
    assert g.is_valid
    return shapely.affinity.scale(g, *(2 * [np.sqrt(area / g.area)]), origin=(cx, cy))


def complex_footprints(data: Path) -> dict[str, shapely.Polygon]:
    """The 10^5-vertex star (1 km², on farmland east of 106.5°E as in check_speed.py, so in zone 36) and a
    1,000 km² footprint centred on the farmland tile with the most parcels."""
    from make_layers import TILE, X0, Y0
    c = pyogrio.read_dataframe(data / "yjjbnt.gpkg", columns=[]).geometry.centroid
    x, y = c.x.to_numpy(), c.y.to_numpy()
    east = (x >= 680_000) & (x <= 730_000) & (y >= 4_000_000) & (y <= 4_120_000)
    tile = np.floor((x - X0) / TILE) * 1e6 + np.floor((y - Y0) / TILE)
    u, k = np.unique(tile, return_counts=True)
    dense = tile == u[np.argmax(k)]
    sx, sy = (np.median(x[east]), np.median(y[east])) if east.any() else (np.median(x[dense]), np.median(y[dense]))
    return {"star_100k": star_polygon(float(sx), float(sy), 100_000, 1e6),
            "area_1000km2": star_polygon(float((x[dense].min() + x[dense].max()) / 2),
                                         float((y[dense].min() + y[dense].max()) / 2), 2_000, 1e9, rough=False)}


COMPLEX_LABELS = {"star_100k": "footprint with 100,001 vertices (1 km²)", "area_1000km2": "footprint of 1,000 km²"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="speed benchmark (see the module docstring)")
    ap.add_argument("--scale", choices=("full", "small"), default="full")
    ap.add_argument("--data", type=Path, help="data folder (default benchmarks/data/<scale>)")
    ap.add_argument("--checks", type=int, default=20, help="single footprints checked against the 4 layers")
    ap.add_argument("--cases", type=int, help="batch size (default: every footprint: 10,000 full, 200 small)")
    ap.add_argument("--naive-sample", type=int, default=20, help="footprints overlaid one by one the naive way")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--no-peers", action="store_true", help="skip PostGIS and DuckDB")
    ap.add_argument("--complex-reps", type=int, default=2,
                    help="runs of each complex footprint (ours and peers), the best is kept (default 2)")
    ap.add_argument("--_probe", help=argparse.SUPPRESS)
    ap.add_argument("--_mode", default="gpkg", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._probe:
        print(json.dumps(load_probe(args._probe, args._mode)))
        return 0

    data = args.data or HERE / "data" / args.scale
    if not (data / "catalog.toml").exists() or not (data / "footprints.gpkg").exists():
        print(f"generating the {args.scale} layers in {data} …", flush=True)
        from make_layers import make
        make(args.scale, data)
    res: dict = {"scale": args.scale, "machine": machine()}
    print(f"benchmark ({args.scale}) on {res['machine']['cpu']}, {res['machine']['cores']} cores, "
          f"{res['machine']['memory']}; load average {res['machine']['load_average_start']}", flush=True)

    # 1. loading, in a fresh process (its peak RSS = memory of the loaded polygons)
    for mode in ("gpkg", "memory"):
        probe = run_probe(data / "catalog.toml", mode)
        res["load" if mode == "gpkg" else "load_memory"] = probe
        label = "GeoPackage R-tree index" if mode == "gpkg" else "all geometry in memory (STRtree)"
        for x in probe["layers"]:
            print(f"  load [{label}] {x['id']:8s} {x['features']:>9,} polygons ({x['subdivided']} subdivided into "
                  f"{x['pieces']:,} pieces): {x['wall']:.2f} s wall, {x['cpu']:.2f} s CPU", flush=True)
        print(f"  peak RSS [{label}] with {probe['polygons']:,} polygons loaded: {probe['peak_rss_gb']:.2f} GB",
              flush=True)

    # 2. one footprint vs the 4 layers, after loading
    cat = load_catalog(data / "catalog.toml")
    with Timer() as t_load:
        for src in cat.sources():
            src.prepare()
    with Timer() as t_hash:
        for src in cat.sources():
            src.sha256  # noqa: B018 - provenance hashes, once per layer file
    fps_all = pyogrio.read_dataframe(data / "footprints.gpkg")
    # the analysis plane of each footprint (GK zone of its centroid): single checks use zone-35 ones so
    # that the naive overlay runs in the same plane
    from ningxia_gis.core.crs import analysis_epsg_for_lon
    lon = fps_all.geometry.centroid.to_crs(4490).x.to_numpy()
    zone_epsg = np.array([analysis_epsg_for_lon(x) for x in lon])
    sel = fps_all[zone_epsg == EPSG].iloc[: args.checks]
    fps = [as_footprint(sel.iloc[[i]], f"fp{i:05d}") for i in range(len(sel))]
    from ningxia_gis.core.check import run_check
    times, cpus, ours_rows = [], [], []
    for i, fp in enumerate(fps):
        with Timer() as t:
            r = run_check(fp, cat)
        times.append(t.wall)
        cpus.append(t.cpu)
        ours_rows += layer_pieces(r.data, i)
    res["check"] = {"n": len(times), "median": float(np.median(times)), "max": float(np.max(times)),
                    "median_cpu": float(np.median(cpus)), "load_wall": t_load.wall, "hash_wall": t_hash.wall,
                    "pieces_per_check": len(ours_rows) / max(len(times), 1)}
    print(f"  one check vs 4 layers ({len(times)} footprints): median {res['check']['median']:.3f} s, "
          f"max {res['check']['max']:.3f} s (CPU median {res['check']['median_cpu']:.3f} s)", flush=True)

    # 2a. complex footprints, one check each against the 4 layers
    cplx = {k: (g, analysis_epsg_for_lon(gpd.GeoSeries([g.centroid], crs=EPSG).to_crs(4490).x.iloc[0]))
            for k, g in complex_footprints(data).items()}
    ours_pieces = {"one": piece_table(ours_rows)}
    res["complex"] = {}
    for name, (g, e) in cplx.items():
        fp = as_footprint(gpd.GeoDataFrame({"XMMC": [name]}, geometry=[g], crs=EPSG), name)
        walls, cpus = [], []
        for _ in range(args.complex_reps):
            with Timer() as t:
                r = run_check(fp, cat)
            walls.append(t.wall)
            cpus.append(t.cpu)
        rows = layer_pieces(r.data, 0)
        e = int(r.data["analysis_crs"]["epsg"])
        cplx[name] = (g, e)
        ours_pieces[name] = piece_table(rows)
        res["complex"][name] = {"wall": min(walls), "walls": walls, "cpu": min(cpus),
                                "vertices": int(shapely.get_num_coordinates(g)), "area_m2": float(g.area),
                                "epsg": e, "pieces": len(rows)}
        print(f"  {COMPLEX_LABELS[name]} vs 4 layers (analysis EPSG:{e}): {min(walls):.2f} s "
              f"({min(cpus):.2f} s CPU, best of {len(walls)}), {len(rows):,} pieces", flush=True)

    # 2b. why subdivide: footprints on, inside and near (in the bbox of) the huge red-line polygons, with the
    # same in-memory index with and without subdivision
    red = next(s for s in cat.sources() if s.spec.role == "eco_redline")
    from ningxia_gis.core.overlay import overlay_layer
    variants = {}
    for name, mv in (("subdivided", LayerSource.MAX_VERTICES), ("whole", 10**12)):
        v = LayerSource(red.spec)
        v.MAX_VERTICES, v.USE_GPKG_RTREE = mv, False
        v.prepare(attributes=True)
        variants[name] = v
    vix = variants["subdivided"]._ix
    big_geoms = list(vix.row_geoms(np.nonzero(vix.split)[0]))
    rng = np.random.default_rng(1)
    groups: dict[str, list] = {"on the boundary": [], "inside": [], "in the bbox, outside": []}
    for g in big_geoms:
        groups["on the boundary"] += [g.exterior.interpolate(rng.uniform(), normalized=True).buffer(rng.uniform(100, 500))
                                      for _ in range(4)]
        for key, want in (("inside", True), ("in the bbox, outside", False)):
            n = 0
            for _ in range(2000):
                fp = shapely.Point(rng.uniform(g.bounds[0], g.bounds[2]), rng.uniform(g.bounds[1], g.bounds[3])).buffer(300)
                if (g.contains(fp) if want else not g.intersects(fp)):
                    groups[key].append(fp)
                    n += 1
                    if n == 4:
                        break
    res["subdivision"] = {}
    for key, geoms in groups.items():
        if not geoms:
            continue
        med = {}
        for name, v in variants.items():
            ts = []
            for g in geoms:
                with Timer() as t:
                    overlay_layer(g, v.candidates(g, EPSG), EPSG, "eco_redline", id_field=v.spec.id_field)
                ts.append(t.cpu)
            med[name] = float(np.median(ts))
        res["subdivision"][key] = {"n": len(geoms), **med}
        print(f"  red line, footprint {key} of a huge polygon: {med['subdivided'] * 1000:.1f} ms subdivided vs "
              f"{med['whole'] * 1000:.1f} ms whole (CPU, median of {len(geoms)})", flush=True)
    del variants
    res["rss_ours_gb"] = rss_gb()
    for src in cat.sources():
        src.release()
    del cat
    gc.collect()

    # 3. batch vs the 1M layer (in a child process tree: workers forked after the layer is loaded)
    n_cases = args.cases or len(fps_all)
    batch_src = data / "footprints.gpkg"
    if n_cases < len(fps_all):
        batch_src = data / f"footprints_{n_cases}.gpkg"
        if not batch_src.exists():
            pyogrio.write_dataframe(fps_all.iloc[:n_cases], batch_src, layer="footprints")
    out = data / "batch_out"
    if out.exists():
        shutil.rmtree(out)
    with Timer() as t_batch:
        subprocess.run([sys.executable, "-m", "ningxia_gis.cli", "batch", str(batch_src), "--layers",
                        str(data / "catalog_1m.toml"), "--activity-column", "activity", "--no-range-check", "--out", str(out),
                        "--workers", str(args.workers), "--quiet"], check=True, cwd=HERE.parent)
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    res["batch"] = {"cases": int(len(summary)), "ok": int((summary.status == "ok").sum()), "wall": t_batch.wall,
                    "workers": args.workers, "peak_rss_children_gb": rss_gb(resource.RUSAGE_CHILDREN)}
    print(f"  batch of {len(summary):,} footprints vs the YJJBNT layer ({args.workers} workers, layer load, rules, "
          f"JSON and summary included): {t_batch.wall:.1f} s, {res['batch']['ok']:,} ok", flush=True)
    batch_rows = []
    for case, js in zip(summary.case, summary.json):
        if js:
            d = json.loads((out / js).read_text(encoding="utf-8"))
            src_i = int(d["footprint"]["source"].rsplit("#", 1)[1]) - 1
            batch_rows += layer_pieces(d, src_i)

    # 4. naive geopandas.overlay on the same data
    with Timer() as t_nload:
        naive = {s.id: naive_layer(s.path) for s in load_catalog(data / "catalog.toml").layers}
    res["naive_load_wall"] = t_nload.wall
    print(f"  naive: geopandas.read_file of the 4 layers (+ to_crs): {t_nload.wall:.1f} s", flush=True)
    ids = {s.id: s.id_field for s in load_catalog(data / "catalog.toml").layers}

    # 4a. the peers (PostGIS, DuckDB spatial) on the same coordinates as the naive reference
    ours_pieces["batch"] = piece_table(batch_rows)
    res["peers"] = {}
    for cls, missing in ([] if args.no_peers else peers.PEERS):
        why = missing()
        if why:
            res["peers"][cls.name] = why
            print(f"  {why}", flush=True)
            continue
        try:
            res["peers"][cls.name] = peers.measure(
                cls, {lid: (lay[ids[lid]].to_numpy(), lay.geometry.values) for lid, lay in naive.items()},
                [(shapely.union_all(fp.gdf.to_crs(EPSG).geometry.values), EPSG) for fp in fps], cplx,
                fps_all.geometry.values[:n_cases], zone_epsg[:n_cases], ours_pieces, reps=args.complex_reps)
        except Exception as e:  # a peer that fails (cluster not starting …) is reported, the run goes on
            res["peers"][cls.name] = f"{cls.name} failed, skipped: {type(e).__name__}: {str(e)[:300]}"
            print(f"  {res['peers'][cls.name]}", flush=True)
        gc.collect()
    fp_frames = [gpd.GeoDataFrame({"case": [i]}, geometry=[shapely.union_all(fp.gdf.to_crs(EPSG).geometry.values)],
                                  crs=EPSG) for i, fp in enumerate(fps)]
    ntimes, ref_rows = [], []
    for f in fp_frames:
        with Timer() as t:
            parts = {lid: naive_overlay(f, layer) for lid, layer in naive.items()}
        ntimes.append(t.wall)
        for lid, r in parts.items():
            if len(r):
                r = r.assign(feature=lid + ":" + r[ids[lid]].astype(str))
                ref_rows.append(ref_pieces(r, "case", "feature"))
    res["check"]["naive_median"] = float(np.median(ntimes))
    res["check"]["areas"] = compare(piece_table(ours_rows), pd.concat(ref_rows) if ref_rows else piece_table([]))
    print(f"  naive one check (overlay with each of the 4 loaded layers): median {np.median(ntimes):.2f} s", flush=True)

    layer_1m = naive["yjjbnt"]
    for k in [k for k in naive if k != "yjjbnt"]:
        del naive[k]
    gc.collect()
    idf = ids["yjjbnt"]
    bframe = gpd.GeoDataFrame({"case": np.arange(n_cases)}, geometry=fps_all.geometry.values[:n_cases], crs=EPSG)
    bepsg = zone_epsg[:n_cases]
    in35 = np.nonzero(bepsg == EPSG)[0]
    sample = in35[np.linspace(0, len(in35) - 1, min(args.naive_sample, len(in35))).astype(int)] if len(in35) else []
    st = []
    for i in sample:
        with Timer() as t:
            naive_overlay(bframe.iloc[[i]], layer_1m)
        st.append(t.wall)
    res["batch"]["naive_per_case"] = float(np.mean(st))
    res["batch"]["naive_extrapolated"] = float(np.mean(st) * len(bframe))
    refs = []
    with Timer() as t_bulk:  # each zone's cases in their own plane, as the checks do
        for e in sorted(set(bepsg)):
            lay = layer_1m if e == EPSG else layer_1m.to_crs(e)
            bulk = naive_overlay(bframe[bepsg == e].to_crs(e), lay)
            refs.append((bulk.assign(feature="yjjbnt:" + bulk[idf].astype(str)), e))
    res["batch"]["naive_bulk"] = t_bulk.wall
    ref = pd.concat([ref_pieces(r, "case", "feature", e) for r, e in refs])
    res["batch"]["areas"] = compare(piece_table(batch_rows), ref)
    res["batch"]["ratio"] = res["batch"]["naive_extrapolated"] / t_batch.wall
    res["batch"]["ratio_bulk"] = t_bulk.wall / t_batch.wall
    print(f"  naive batch: {np.mean(st):.2f} s per footprint → {res['batch']['naive_extrapolated']:.0f} s for "
          f"{len(bframe):,} (sample of {len(st)}); one bulk overlay of all: {t_bulk.wall:.1f} s", flush=True)

    # 5. QGIS
    if qgis_binary():
        work = Path(tempfile.mkdtemp(prefix="qgisbench"))
        qt, qref = qgis_intersection(fp_frames[0], data / "yjjbnt.gpkg", work)
        qs = bframe.iloc[sample[: min(5, len(sample))]]
        qbt, qbref = qgis_intersection(qs, data / "yjjbnt.gpkg", work)
        res["qgis"] = {"one_check_1m": qt, "sample": len(qs), "sample_wall": qbt,
                       "extrapolated": qbt / len(qs) * len(bframe)}
        print(f"  QGIS native:intersection: one footprint vs 1M layer {qt:.1f} s", flush=True)
    else:
        res["qgis"] = "QGIS not installed, skipped"
        print("  QGIS not installed, skipped", flush=True)
    res["rss_total_gb"] = rss_gb()
    res["machine"]["load_average_end"] = _loadavg()
    report(res)
    (data / "results.json").write_text(json.dumps(res, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def report(res: dict) -> None:
    yj = next((x for x in res["load"]["layers"] if x["id"] == "yjjbnt"), res["load"]["layers"][0])
    yjm = next((x for x in res["load_memory"]["layers"] if x["id"] == "yjjbnt"), res["load_memory"]["layers"][0])
    mem = res["load_memory"]
    big = f"{yj['features'] / 1e6:g}M" if yj["features"] >= 1e6 else f"{yj['features'] / 1e3:g}k"
    c, b = res["check"], res["batch"]
    ok = lambda good: "met" if good else "MISSED"  # noqa: E731
    rows = [
        (f"load {big}-polygon GPKG layer (prepare)", f"{yj['wall']:.2f} s ({yj['cpu']:.2f} s CPU)", "", "",
         f"< {TARGETS['load_1m']} s", ok(yj["wall"] < TARGETS["load_1m"])),
        ("  same, every geometry decoded into memory (other formats)", f"{yjm['wall']:.2f} s ({yjm['cpu']:.2f} s CPU)",
         "", "", f"< {TARGETS['load_1m']} s", ok(yjm["wall"] < TARGETS["load_1m"])),
        (f"peak RSS, {res['load']['polygons']:,} polygons loaded (GPKG index)", f"{res['load']['peak_rss_gb']:.2f} GB",
         "", "", f"< {TARGETS['memory_gb']} GB", ok(res["load"]["peak_rss_gb"] < TARGETS["memory_gb"])),
        (f"peak RSS, {mem['polygons']:,} polygons decoded in memory", f"{mem['peak_rss_gb']:.2f} GB", "", "",
         f"< {TARGETS['memory_gb']} GB", ok(mem["peak_rss_gb"] < TARGETS["memory_gb"])),
        ("one footprint vs 4 layers (median)", f"{c['median']:.3f} s", f"{c['naive_median']:.2f} s",
         f"{c['naive_median'] / c['median']:.0f}×", f"< {TARGETS['check']} s", ok(c["median"] < TARGETS["check"])),
        (f"batch {b['cases']:,} footprints vs {big} polygons", f"{b['wall']:.1f} s",
         f"{b['naive_extrapolated']:.0f} s", f"{b['ratio']:.0f}×", f"≥ {TARGETS['batch_ratio']:.0f}×",
         ok(b["ratio"] >= TARGETS["batch_ratio"])),
        ("  same batch vs ONE bulk geopandas.overlay", f"{b['wall']:.1f} s", f"{b['naive_bulk']:.1f} s",
         f"{b['ratio_bulk']:.2f}×", "(info)", ""),
    ]
    for key, s in res.get("subdivision", {}).items():
        rows.append((f"red line, footprint {key} of a huge polygon: subdivided vs whole (CPU)",
                     f"{s['subdivided'] * 1000:.1f} ms", f"{s['whole'] * 1000:.1f} ms",
                     f"{s['whole'] / max(s['subdivided'], 1e-9):.1f}×", "(info)", ""))
    for label, a in (("areas, one check", c["areas"]), ("areas, batch", b["areas"])):
        good = a["max_rel_planar"] <= REL and a["max_rel_ellipsoidal"] <= REL
        rows.append((f"{label}: {a['pieces']:,} pieces, max rel. diff planar / ellipsoidal",
                     f"{a['max_rel_planar']:.1e} / {a['max_rel_ellipsoidal']:.1e}", "", "", f"≤ {REL:.0e}", ok(good)))
        if a["only_one_side"]:
            rows.append((f"  pieces found by one method only (largest {a['only_one_side_max_m2']:.2e} m²)",
                         str(a["only_one_side"]), "", "", "(info)", ""))
    q = res["qgis"]
    rows.append(("QGIS native:intersection", q if isinstance(q, str) else
                 f"one check {q['one_check_1m']:.1f} s, batch ≈ {q['extrapolated']:.0f} s", "", "", "", ""))
    w = [max(len(str(r[i])) for r in rows) for i in range(6)]
    head = ("measure", "ours", "naive", "ratio", "target", "")
    print()
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)))
    for r in rows:
        print("  ".join(str(x).ljust(w[i]) for i, x in enumerate(r)))
    peer_report(res)
    m = res["machine"]
    print(f"\nmachine: {m['cpu']}, {m['cores']} cores, {m['memory']}; {m['os']}; Python {m['python']}, geopandas "
          f"{m['geopandas']}, shapely {m['shapely']} (GEOS {m['geos']}), pyogrio {m['pyogrio']} (GDAL {m['gdal']}), "
          f"pyarrow {'yes' if m['pyarrow'] else 'no'}; load average {m['load_average_start']} → "
          f"{m['load_average_end']}; peak RSS of this process {res['rss_total_gb']:.1f} GB")


def peer_report(res: dict) -> None:
    """The side-by-side table: ours, each peer and the ratio ours/peer (< 1: ours is faster)."""
    measured = {k: v for k, v in res.get("peers", {}).items() if isinstance(v, dict)}
    c, b = res["check"], res["batch"]
    ours = [("load + index the 4 layers", c["load_wall"], "load_total"),
            (f"one footprint vs 4 layers (median of {c['n']})", c["median"], "one")]
    ours += [(COMPLEX_LABELS[k], v["wall"], k) for k, v in res.get("complex", {}).items()]
    ours.append((f"batch {b['cases']:,} footprints vs the {b.get('layer', 'YJJBNT')} layer", b["wall"], "batch"))
    head = ["measure", "ours"]
    for name in measured:
        head += [name, f"ours/{name}"]
    head += ["geopandas bulk overlay", "areas vs ours (max rel. planar)"]
    def fmt(t: float) -> str:
        return f"{t * 1000:.1f} ms" if t < 0.1 else f"{t:.2f} s"

    rows = []
    for label, t, key in ours:
        row = [label, fmt(t)]
        diffs = []
        for name, p in measured.items():
            pt = p[key] if key == "load_total" else p[key]["wall" if key != "one" else "median"]
            row += [fmt(pt), f"{t / pt:.2f}"]
            if key != "load_total":
                a = p[key]["areas"]
                diffs.append(f"{name} {a['max_rel_planar']:.1e} ({a['pieces']:,} pieces"
                             + (f", {a['only_one_side']} on one side ≤ {a['only_one_side_max_m2']:.1e} m²"
                                if a["only_one_side"] else "") + ")")
        row += [fmt(b["naive_bulk"]) if key == "batch" else "", "; ".join(diffs)]
        rows.append(row)
    print()
    for name, p in res.get("peers", {}).items():
        print(f"{name}: {p if isinstance(p, str) else p['version']}")
    if not measured:
        return
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    print("  ".join(h.ljust(w[i]) for i, h in enumerate(head)))
    for r in rows:
        print("  ".join(str(x).ljust(w[i]) for i, x in enumerate(r)))
    print("(ours/peer < 1: ours is faster. Ours' batch is the whole `ningxia-gis batch` command; a peer's is its "
          "one statement (geopandas: one bulk sindex query) on loaded, indexed layers; a peer's load starts from "
          "the layers already in memory.)")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
