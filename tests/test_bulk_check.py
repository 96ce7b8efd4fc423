"""The bulk path (`core.check.run_checks`, `ningxia-gis batch`) gives every case exactly the result of a
single check: the batch's case JSON is byte for byte what `ningxia-gis check --json` writes for the same
file, on the sample footprints, the test footprints and generated ones (discs, multipolygons, holes, a
road, zone 36, one outside every layer)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from ningxia_gis.batch import BatchOptions, run_batch
from ningxia_gis.cli import main
from ningxia_gis.core.catalog import load_catalog
from ningxia_gis.core.check import run_check, run_checks
from ningxia_gis.footprint_io import load_footprint
from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS
from ningxia_gis.core.crs import transformer

DATA = Path(__file__).parent / "data"

ACTIVITY = "road"


def _generated(folder, seed: int = 7, n: int = 14) -> list:
    """Footprint files around the sample layers (EPSG:4544, one GeoPackage each)."""
    rng = np.random.default_rng(seed)
    t = transformer(4490, 4544)
    shapes = []
    for i in range(n):
        x, y = t.transform(rng.uniform(105.93, 106.13), rng.uniform(37.31, 37.49))
        r = rng.uniform(80, 1500)
        kind = i % 4
        if kind == 0:
            g = shapely.Point(x, y).buffer(r, quad_segs=rng.integers(2, 16))
        elif kind == 1:  # two parts
            g = shapely.MultiPolygon([shapely.Point(x, y).buffer(r), shapely.Point(x + 3 * r, y + r).buffer(r / 2)])
        elif kind == 2:  # a hole
            g = shapely.Point(x, y).buffer(r).difference(shapely.Point(x, y).buffer(r / 3))
        else:  # a road
            g = shapely.LineString([(x, y), (x + 8 * r, y + 3 * r), (x + 12 * r, y - 2 * r)]).buffer(15)
        shapes.append(g)
    x, y = transformer(4490, 4544).transform(106.62, 37.55)  # east of 106.5°E: analysed in zone 36
    shapes.append(shapely.Point(x, y).buffer(900))
    x, y = t.transform(105.6, 37.05)  # inside the catalog's extent, away from the features
    shapes.append(shapely.Point(x, y).buffer(300))
    files = []
    for i, g in enumerate(shapes):
        p = folder / f"gen_{i:02d}.gpkg"
        pyogrio.write_dataframe(gpd.GeoDataFrame({"XMMC": [f"生成{i}"]}, geometry=[g], crs=4544), p)
        files.append(p)
    return files


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """A folder with the sample footprints, the readable test footprints and generated ones."""
    d = tmp_path_factory.mktemp("bulk") / "fps"
    d.mkdir()
    for f in sorted(SAMPLE_FOOTPRINTS.iterdir()):
        if f.suffix in (".geojson", ".gpkg", ".shp"):
            for side in SAMPLE_FOOTPRINTS.glob(f.stem + ".*"):
                shutil.copy(side, d / side.name)
    for f in sorted((DATA / "footprints").iterdir()):
        try:
            load_footprint(f)
        except Exception:  # noqa: BLE001 - unreadable without options: not a case here
            continue
        shutil.copy(f, d / f"t_{f.name}")
    _generated(d)
    return d


def _cli_json(path, out) -> bytes:
    assert main(["check", str(path), "--layers", str(SAMPLE_CATALOG), "--activity", ACTIVITY,
                 "--json", str(out)]) == 0
    return out.read_bytes()


@pytest.mark.parametrize("preload", ["index", "full"])
def test_batch_json_is_the_single_check_json(cases, tmp_path, monkeypatch, preload):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764657000")
    out = tmp_path / "batch"
    rows = run_batch(cases, BatchOptions(out=out, activity=ACTIVITY, preload=preload), workers=1, progress=False)
    ok = [r for r in rows if r["status"] == "ok"]
    assert len(ok) == len(rows) >= 25, [r["error"] for r in rows if r["status"] != "ok"]
    touched = 0
    for r in ok:
        src = r["source"]
        got = (out / r["json"]).read_bytes()
        assert got == _cli_json(src, tmp_path / "cli.json"), r["case"]
        touched += any(x["hit_count"] for x in json.loads(got)["layers"] if x["role"] != "admin_boundary")
    assert touched >= 10  # the comparison covers real overlaps, not only empty results


def test_run_checks_gives_each_footprint_its_own_result(cases, monkeypatch):
    """On indexed layers, many footprints at once = each one alone (same plane or not)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764657000")
    cat = load_catalog(SAMPLE_CATALOG)
    for src in cat.sources():
        src.prepare()
    fps = [load_footprint(f) for f in sorted(cases.glob("gen_*.gpkg"))]
    together = run_checks(fps, cat)
    alone = [run_check(fp, cat) for fp in fps]
    assert len({r.epsg for r in alone}) == 2
    assert [json.dumps(r.data, ensure_ascii=False) for r in together] == \
        [json.dumps(r.data, ensure_ascii=False) for r in alone]


def test_a_failing_footprint_fails_alone_in_bulk(cases, tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    for f in sorted(cases.glob("gen_0*.gpkg"))[:3]:
        shutil.copy(f, d / f.name)
    far = gpd.GeoDataFrame({"XMMC": ["far"]}, geometry=[shapely.box(10, 10, 10.01, 10.01)], crs=4490)
    pyogrio.write_dataframe(far, d / "far.gpkg")
    rows = run_batch(d, BatchOptions(out=tmp_path / "o", preload="index", check_range=False), workers=1,
                     progress=False)
    status = {r["case"]: r["status"] for r in rows}
    assert status.pop("far") == "failed" and set(status.values()) == {"ok"} and len(status) == 3


def test_batch_removes_killed_writers_temporary_files(cases, tmp_path):
    """Case files are written without listing the folder each time; the batch sweeps it instead."""
    import subprocess
    import sys
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "o"
    (out / "cases").mkdir(parents=True)
    stale = out / "cases" / f".gen_00.ngtmp-{dead.pid}-x.json"
    stale.write_text("half a JSON", encoding="utf-8")
    mine = out / "cases" / f".gen_01.ngtmp-{__import__('os').getpid()}-x.json"  # a live writer's: kept
    mine.write_text("being written", encoding="utf-8")
    d = tmp_path / "two"
    d.mkdir()
    for f in sorted(cases.glob("gen_0*.gpkg"))[:2]:
        shutil.copy(f, d / f.name)
    rows = run_batch(d, BatchOptions(out=out), workers=1, progress=False)
    assert [r["status"] for r in rows] == ["ok", "ok"]
    assert not stale.exists() and mine.exists()
    assert sorted(p.name for p in (out / "cases").iterdir() if not p.name.startswith(".")) == \
        ["gen_00.json", "gen_01.json"]


def test_integer_field_with_nulls_keeps_each_footprints_own_types(tmp_path, monkeypatch):
    """An integer field with a null: a read of the features near both footprints types it float, a read
    of one footprint's features (no null among them) int. Each footprint gets the values of its own read."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764657000")
    x0, y0 = 380_000.0, 4_140_000.0  # EPSG:4545, around 106.6E 37.4N
    boxes = [shapely.box(x0 + 100 * i, y0, x0 + 100 * i + 90, y0 + 90) for i in range(4)]
    gpkg = tmp_path / "layers.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame({"BSM": ["a", "b", "c", "d"], "N": pd.array([5, 6, None, 7], dtype="Int64")},
                                             geometry=boxes, crs=4545), gpkg, layer="YJJBNT")
    assert pyogrio.read_info(gpkg, layer="YJJBNT")["dtypes"][1].startswith("int")
    cat_path = tmp_path / "catalog.toml"
    cat_path.write_text('[catalog]\nname = "t"\n[[layers]]\nid = "yjjbnt"\nrole = "permanent_basic_farmland"\n'
                        'path = "layers.gpkg"\nlayer = "YJJBNT"\nid_field = "BSM"\n', encoding="utf-8")
    fps = []
    for i, (a, b) in enumerate([(0, 1), (2, 3)]):  # the first meets a and b, the second c (null) and d
        p = tmp_path / f"fp{i}.gpkg"
        g = shapely.box(x0 + 100 * a + 50, y0 + 10, x0 + 100 * b + 40, y0 + 80)
        pyogrio.write_dataframe(gpd.GeoDataFrame({"XMMC": [f"p{i}"]}, geometry=[g], crs=4545), p)
        fps.append(load_footprint(p, check_range=False))
    cat = load_catalog(cat_path)
    for src in cat.sources():
        src.prepare()
    together = run_checks(fps, cat)
    alone = [run_check(fp, cat) for fp in fps]
    values = [[p["attributes"]["N"] for p in r.data["layers"][0]["pieces"]] for r in together]
    assert values == [[5, 6], [None, 7.0]] and isinstance(values[0][0], int)
    assert [json.dumps(r.data) for r in together] == [json.dumps(r.data) for r in alone]


def test_a_bulk_check_past_the_case_limit_falls_back_to_one_by_one(cases, tmp_path, monkeypatch):
    """The bulk check of a chunk gets one case's time limit; past it, every case is checked alone."""
    import time

    import ningxia_gis.review as review

    def stuck(requests):
        time.sleep(60)
    monkeypatch.setattr(review, "run_reviews", stuck)
    d = tmp_path / "three"
    d.mkdir()
    for f in sorted(cases.glob("gen_0*.gpkg"))[:3]:
        shutil.copy(f, d / f.name)
    t = time.perf_counter()
    rows = run_batch(d, BatchOptions(out=tmp_path / "o", case_timeout=3), workers=1, progress=False)
    assert time.perf_counter() - t < 45
    assert [r["status"] for r in rows] == ["ok", "ok", "ok"]
