"""`ningxia-gis batch`: many footprints, isolated failures, summary + one JSON per case."""

from __future__ import annotations

import json
import shutil

import geopandas as gpd
import openpyxl
import pandas as pd
import pyogrio
import pytest

from ningxia_gis.batch import BatchOptions, run_batch
from ningxia_gis.cli import main
from ningxia_gis.review import review_file
from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS

GOOD = ["pv_on_farmland.geojson", "road_crossing_redline.gpkg", "nothing_touched.geojson"]


def _same_check(case_json, footprint, activity=None):
    """The batch JSON holds what `check` gives for the same footprint (created_at aside)."""
    got = json.loads(case_json.read_text(encoding="utf-8"))
    want = json.loads(json.dumps(review_file(footprint, SAMPLE_CATALOG, activity=activity).data))
    got.pop("created_at"), want.pop("created_at")
    assert got == want


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "fps"
    d.mkdir()
    for name in GOOD:
        shutil.copy(SAMPLE_FOOTPRINTS / name, d / name)
    (d / "broken.gpkg").write_bytes(b"this is not a GeoPackage")
    (d / "cut_short.geojson").write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    (d / "notes.md").write_text("not a footprint", encoding="utf-8")  # ignored
    return d


@pytest.mark.parametrize("workers", [1, 2])
def test_folder_with_corrupt_files_finishes_and_lists_them(folder, tmp_path, workers):
    out = tmp_path / "out"
    rows = run_batch(folder, BatchOptions(out=out, activity="road"), workers=workers, progress=False)
    status = {r["case"]: r["status"] for r in rows}
    assert status == {"broken": "failed", "cut_short": "failed", "nothing_touched": "ok",
                      "pv_on_farmland": "ok", "road_crossing_redline": "ok"}
    errors = {r["case"]: r["error"] for r in rows if r["status"] == "failed"}
    assert "broken.gpkg" in errors["broken"] and "\n" not in errors["broken"]
    assert "cut_short.geojson" in errors["cut_short"]
    for name in GOOD:
        _same_check(out / "cases" / f"{name.rsplit('.', 1)[0]}.json", folder / name, "road")
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["case"]) == sorted(status)  # input order
    assert (summary.set_index("case").loc["road_crossing_redline", "stbhhx_status"]) == "occupied"
    wb = openpyxl.load_workbook(out / "summary.xlsx", read_only=True)
    failures = [r for r in wb["failures"].iter_rows(values_only=True)][1:]
    assert sorted(r[0] for r in failures) == ["broken", "cut_short"]
    assert (out / "failures.csv").exists()


def test_multi_feature_file_with_activity_column(tmp_path):
    frames = []
    for name, act in [("pv_on_farmland.geojson", "pv_power"), ("road_crossing_redline.gpkg", "road"),
                      ("nothing_touched.geojson", "")]:
        g = pyogrio.read_dataframe(SAMPLE_FOOTPRINTS / name).to_crs(4490)
        frames.append(gpd.GeoDataFrame({"XMMC": [name.split(".")[0]], "HDLX": [act]},
                                       geometry=[g.union_all()], crs=4490))
    bad = gpd.GeoDataFrame({"XMMC": ["far_away"], "HDLX": ["road"]},
                           geometry=gpd.GeoSeries.from_wkt(["POLYGON ((10 10, 10.01 10, 10.01 10.01, 10 10))"]),
                           crs=4490)
    cases = pd.concat(frames + [bad], ignore_index=True)
    src = tmp_path / "projects.gpkg"
    pyogrio.write_dataframe(cases, src)
    out = tmp_path / "out"
    code = main(["batch", str(src), "--activity-column", "HDLX", "--activity", "other_lawful_activity",
                 "--out", str(out), "--workers", "2", "--quiet"])
    assert code == 1  # one case failed: scripts must see it
    summary = pd.read_csv(out / "summary.csv", keep_default_na=False)
    by_case = summary.set_index("case")
    assert list(summary["status"]) == ["ok", "ok", "ok", "failed"]
    assert by_case.loc["00002_road_crossing_redline", "activity"] == "road"
    assert by_case.loc["00003_nothing_touched", "activity"] == "other_lawful_activity"  # empty column → --activity
    assert by_case.loc["00004_far_away", "error"]
    data = json.loads((out / "cases" / "00002_road_crossing_redline.json").read_text(encoding="utf-8"))
    assert data["activity"]["id"] == "road" and data["verdicts"] is not None
    assert data["footprint"]["source"].endswith("projects.gpkg#2")


def test_all_failed_gives_a_non_zero_exit(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "a.gpkg").write_bytes(b"x")
    (d / "b.geojson").write_text("{", encoding="utf-8")
    assert main(["batch", str(d), "--out", str(tmp_path / "out"), "--quiet"]) == 1
    assert main(["batch", str(tmp_path / "missing"), "--out", str(tmp_path / "out")]) == 2


def test_preloaded_layers_give_the_same_results(folder, tmp_path):
    """--preload index/full (what large batches use) writes the same JSON as per-case bbox reads."""
    runs = {}
    for mode in ("none", "index", "full"):
        out = tmp_path / mode
        run_batch(folder, BatchOptions(out=out, preload=mode), workers=1, progress=False)
        runs[mode] = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (out / "cases").iterdir()}
        for d in runs[mode].values():
            d.pop("created_at")
    assert runs["index"] == runs["none"] and runs["full"] == runs["none"]


def test_dask_engine_without_dask_is_a_clear_error(folder, tmp_path, capsys, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith(("dask", "distributed")):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_dask)
    assert main(["batch", str(folder), "--engine", "dask", "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'ningxia-gis[dask]'" in err[0] and "Error" not in err[0]


def _comparable(rows):
    return sorted((r["case"], r["source"], r["status"], r.get("stbhhx_m2"), r.get("yjjbnt_m2"), r.get("verdict"))
                  for r in rows)


def test_dask_engine_gives_the_same_summary(folder, tmp_path):
    a = run_batch(folder, BatchOptions(out=tmp_path / "p"), workers=2, progress=False)
    b = run_batch(folder, BatchOptions(out=tmp_path / "d"), workers=2, engine="dask", progress=False)
    assert _comparable(a) == _comparable(b)


def test_dask_cluster_with_relative_paths_gives_the_process_pool_results(folder, tmp_path, monkeypatch):
    """A dask.distributed LocalCluster (what `--scheduler` talks to), started in another folder, given
    relative --layers / --out / footprints: the same rows and case JSONs as the process pool."""
    from dask.distributed import LocalCluster
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(folder, work / "fps")
    cat_dir = work / "layers"
    shutil.copytree(SAMPLE_CATALOG.parent, cat_dir)
    monkeypatch.chdir(work)
    a = run_batch("fps", BatchOptions(out="p", catalog=f"layers/{SAMPLE_CATALOG.name}"), workers=2,
                  progress=False)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      local_directory=str(tmp_path / "dask")) as cluster:
        b = run_batch("fps", BatchOptions(out="d", catalog=f"layers/{SAMPLE_CATALOG.name}"), workers=2,
                      engine="dask", scheduler=cluster.scheduler_address, progress=False)
    assert _comparable(a) == _comparable(b)
    assert sum(r["status"] == "ok" for r in b) == 3
    for name in GOOD:
        stem = name.rsplit(".", 1)[0]
        pa, pb = (json.loads((work / d / "cases" / f"{stem}.json").read_text(encoding="utf-8")) for d in "pd")
        pa.pop("created_at"), pb.pop("created_at")
        # the workers got absolute paths; everything else is the same
        pa["footprint"].pop("source", None), pb["footprint"].pop("source", None)
        pa.pop("inputs"), pb.pop("inputs")
        assert pa == pb


def test_unreachable_scheduler_is_one_line(folder, tmp_path, capsys):
    code = main(["batch", str(folder), "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
                 "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "127.0.0.1:9" in err[0]
