"""Issue 17: bad input and faults — invalid layer polygons, range-checked options, bounded reads, batch
isolation, misreads, one-line messages, fast readers that give what the slow ones gave."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

import fault_corpus
from ningxia_gis.batch import BatchOptions, run_batch
from ningxia_gis.cli import main
from ningxia_gis.core.catalog import LayerSource, load_catalog
from ningxia_gis.review import review_file
from ningxia_gis.footprint_io import READERS, load_footprint, report_of
from ningxia_gis.domain.errors import CatalogError, FootprintError, InputError
from ningxia_gis.domain.limits import SLIVER_M2, WORKERS
from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS

X0, Y0 = 380_000.0, 4_140_000.0  # EPSG:4545 (CGCS2000 GK CM 108E), in Ningxia
CJK = re.compile(r"[\u4e00-\u9fff]")


def _one_line(err: str) -> str:
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert not re.search(r"Traceback|\b[A-Z][a-zA-Z]+(Error|Exception)\b", lines[0]), lines[0]
    return lines[0]


# ------------------------------------------------------------------------ invalid polygons in a layer

def _bowtie_catalog(tmp_path: Path, n_extra: int = 0) -> Path:
    """A red line with a bow-tie (HXBM 'BOW') and a valid square; ``n_extra`` vertices make the bow-tie
    big enough to be subdivided by the layer index."""
    left = [(X0, Y0), (X0 + 1000, Y0 + 1000)]
    bottom = [(X0 + 1000, Y0 + 1000 * k / (n_extra + 1)) for k in range(n_extra, -1, -1)] if n_extra else \
        [(X0 + 1000, Y0)]
    bow = shapely.Polygon(left[:1] + left[1:] + bottom + [(X0, Y0 + 1000)])
    assert not bow.is_valid
    red = gpd.GeoDataFrame({"HXBM": ["BOW", "OK"], "HXMC": ["蝴蝶", "正常"]},
                           geometry=[bow, box(X0 + 2000, Y0, X0 + 2500, Y0 + 500)], crs=4545)
    red.to_file(tmp_path / "red.gpkg", layer="STBHHX", engine="pyogrio")
    cat = tmp_path / "catalog.toml"
    cat.write_text('[[layers]]\nid = "stbhhx"\nrole = "eco_redline"\npath = "red.gpkg"\nlayer = "STBHHX"\n'
                   'id_field = "HXBM"\nkey_fields = ["HXBM", "HXMC"]\n', encoding="utf-8")
    return cat


def _strip_area() -> float:
    """Independent: the bow-tie (0,0)-(1000,1000)-(1000,0)-(0,1000) is two triangles meeting at
    (500, 500); over 100 ≤ y ≤ 400 each is y wide, so the strip covers 2 ∫ y dy = (400² - 100²)."""
    return 400.0 ** 2 - 100.0 ** 2


@pytest.mark.parametrize("how", ["bbox", "memory", "gpkg_rtree", "subdivided"])
def test_bowtie_in_a_touched_layer_is_repaired_and_listed(tmp_path, how, monkeypatch):
    cat_path = _bowtie_catalog(tmp_path, n_extra=400 if how == "subdivided" else 0)
    fp_path = tmp_path / "fp.gpkg"
    gpd.GeoDataFrame({"XMMC": ["穿越"]}, geometry=[box(X0 - 100, Y0 + 100, X0 + 1100, Y0 + 400)],
                     crs=4545).to_file(fp_path, engine="pyogrio")
    cat = load_catalog(cat_path)
    if how != "bbox":
        monkeypatch.setattr(LayerSource, "USE_GPKG_RTREE", how in ("gpkg_rtree", "subdivided"))
        for src in cat.sources():
            src.prepare()
    result = review_file(load_footprint(fp_path), cat)
    layer = result.data["layers"][0]
    assert layer["repaired_features"] == ["BOW"]
    assert layer["status"] == "occupied"
    assert layer["area"]["planar_m2"] == pytest.approx(_strip_area(), rel=1e-9)
    assert any("make_valid" in w and "BOW" in w for w in result.data["warnings"])


@pytest.mark.parametrize("rtree", [False, True])
def test_bowtie_is_repaired_and_listed_on_every_check_of_a_prepared_layer(tmp_path, rtree, monkeypatch):
    """The index remembers which rows are valid: the bow-tie must still be repaired the second time, and a
    check near the valid square only does not list it."""
    from ningxia_gis.core.check import run_check
    from ningxia_gis.core.footprint import Footprint
    monkeypatch.setattr(LayerSource, "USE_GPKG_RTREE", rtree)
    cat = load_catalog(_bowtie_catalog(tmp_path))
    for src in cat.sources():
        src.prepare()

    def check(geom):
        fp = Footprint(gdf=gpd.GeoDataFrame({"XMMC": ["x"]}, geometry=[geom], crs=4545), source="fp", name="fp",
                       sha256="0" * 64)
        return run_check(fp, cat).data["layers"][0]

    strip = box(X0 - 100, Y0 + 100, X0 + 1100, Y0 + 400)
    both = shapely.union(strip, box(X0 + 2100, Y0 + 100, X0 + 2200, Y0 + 200))
    for geom, area in ((strip, _strip_area()), (both, _strip_area() + 100.0 ** 2), (strip, _strip_area())):
        layer = check(geom)
        assert layer["repaired_features"] == ["BOW"]
        assert layer["area"]["planar_m2"] == pytest.approx(area, rel=1e-9)
    only_ok = check(box(X0 + 2100, Y0 + 100, X0 + 2200, Y0 + 200))
    assert only_ok["repaired_features"] == [] and only_ok["area"]["planar_m2"] == pytest.approx(100.0 ** 2)


@pytest.mark.parametrize("rtree", [False, True])
def test_a_subdivided_bowtie_is_repaired_once_and_listed_on_every_check(tmp_path, rtree, monkeypatch):
    """A bow-tie large enough to be subdivided is repaired when the layer is prepared, not again at every
    check that meets it (seconds for a 10⁵-vertex red line), and still listed as repaired each time."""
    from ningxia_gis.core import layer_index
    from ningxia_gis.core.check import run_check
    from ningxia_gis.core.footprint import Footprint
    monkeypatch.setattr(LayerSource, "USE_GPKG_RTREE", rtree)
    cat = load_catalog(_bowtie_catalog(tmp_path, n_extra=400))
    for src in cat.sources():
        src.prepare()
    assert cat.sources()[0]._ix.split.any()  # subdivided, so repaired while preparing
    calls = []
    monkeypatch.setattr(layer_index.shapely, "make_valid",
                        lambda g, _f=shapely.make_valid: calls.append(len(np.atleast_1d(g))) or _f(g))
    fp = Footprint(gdf=gpd.GeoDataFrame({"XMMC": ["x"]}, geometry=[box(X0 - 100, Y0 + 100, X0 + 1100, Y0 + 400)],
                                        crs=4545), source="fp", name="fp", sha256="0" * 64)
    for _ in range(3):
        layer = run_check(fp, cat).data["layers"][0]
        assert layer["repaired_features"] == ["BOW"]
        assert layer["area"]["planar_m2"] == pytest.approx(_strip_area(), rel=1e-9)
    assert calls == []


def test_bowtie_check_from_the_cli_exits_0(tmp_path, capsys):
    cat = _bowtie_catalog(tmp_path)
    fp = tmp_path / "fp.geojson"
    gpd.GeoDataFrame(geometry=[box(X0 - 100, Y0 + 100, X0 + 1100, Y0 + 400)], crs=4545).to_file(fp)
    out = tmp_path / "r.json"
    assert main(["check", str(fp), "--layers", str(cat), "--json", str(out)]) == 0
    import jsonschema
    from ningxia_gis.paths import RESOURCES
    schema = json.loads((RESOURCES / "schema" / "check_result.schema.json").read_text(encoding="utf-8"))
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    assert data["layers"][0]["repaired_features"] == ["BOW"]


# ------------------------------------------------------------------------------- numeric options

@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e12", "-1", "abc", "1_0", ""])
def test_sliver_out_of_range_is_refused_in_one_line(value, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--demo", f"--sliver={value}"])
    assert exc.value.code == 2
    line = _one_line(capsys.readouterr().err)
    assert "--sliver" in line and CJK.search(line) and "0–100" in line


def test_sliver_in_range_still_gives_the_occupation(capsys):
    assert main(["check", "--demo", "--sliver", "100"]) == 0
    assert "占用" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--workers", "0"], ["--workers", "2.5"], ["--workers", "1e9"],
                                  ["--case-timeout", "nan"], ["--case-memory", "-5"], ["--partitions", "0"]])
def test_batch_numbers_are_range_checked(args, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(tmp_path), *args])
    assert exc.value.code == 2
    _one_line(capsys.readouterr().err)


def test_library_callers_get_the_same_checks():
    with pytest.raises(InputError, match="--sliver"):
        review_file(SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg", None, sliver_m2=float("nan"))
    assert SLIVER_M2.check("0.5") == 0.5 and WORKERS.check(3) == 3


# ------------------------------------------------------------------------------------------ corpus

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    d = tmp_path_factory.mktemp("corpus")
    return d, fault_corpus.cases(d)


def test_corpus_every_case_is_a_result_or_one_clear_line(corpus, capsys):
    d, expect = corpus
    for name, exp in expect.items():
        code = main(["footprint", "inspect", str(d / name), "--json"])
        out, err = capsys.readouterr()
        if exp["result"] == "ok":
            assert code == 0, (name, err)
            rep = json.loads(out)
            assert rep["planar_m2"] == pytest.approx(exp["planar_m2"], rel=1e-9, abs=1e-6), name
            if "warning" in exp:
                assert any(exp["warning"] in w for w in rep["warnings"] + rep["repairs"]), (name, rep["warnings"])
            for k, v in exp.get("attrs", {}).items():
                assert rep["parcels"][0]["id" if k == "地块编号" else "name"] == v, name
        else:
            assert code == 2, (name, out, err)
            line = _one_line(err)
            assert exp["text"] in line, (name, line)


def test_corpus_check_exit_codes(corpus, capsys):
    d, expect = corpus
    for name in ("good.txt", "bowtie.txt", "degenerate.txt", "bomb.kmz", "fifo.txt", "zero.txt", "nan.txt"):
        if name not in expect:
            continue
        code = main(["check", str(d / name)])
        out, err = capsys.readouterr()
        if expect[name]["result"] == "ok":
            assert code == 0, (name, err)
            if "warning" in expect[name]:
                assert expect[name]["warning"] in out or "警告" in out
        else:
            assert code == 2 and expect[name]["text"] in _one_line(err), (name, err)


def test_degenerate_and_outside_ring_warnings_reach_the_check(corpus):
    d, _ = corpus
    r = review_file(d / "degenerate.txt", None)
    assert any("degenerate shape" in w and "1 mm wide" in w for w in r.data["warnings"])
    r = review_file(d / "ring2_outside.txt", None)
    assert any("ring 2 lies outside ring 1" in w for w in r.data["warnings"])


def test_header_without_point_count_and_a_whole_area_keeps_its_fields(corpus):
    d, _ = corpus
    fp = load_footprint(d / "no_count_whole_area.txt")
    row = fp.gdf.iloc[0]
    assert row["地块编号"] == "DK02" and row["地块名称"] == "无点数地块" and row["地块面积"] == 2.0
    assert row["记录图形属性"] == "面"


def test_kmz_bomb_is_refused_quickly(corpus):
    d, _ = corpus
    t = time.perf_counter()
    with pytest.raises(FootprintError, match="zip bomb"):
        load_footprint(d / "bomb.kmz")
    assert time.perf_counter() - t < 5


def test_huge_coordinates_print_in_a_few_digits(tmp_path, capsys):
    p = tmp_path / "huge.geojson"
    p.write_text('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":'
                 '{"type":"Polygon","coordinates":[[[106,37],[1e308,37],[106,37.1],[106,37]]]}}]}', encoding="utf-8")
    for extra in ([], ["--no-range-check"]):
        assert main(["footprint", "inspect", str(p), *extra]) == 2
        line = _one_line(capsys.readouterr().err)
        assert "1e+308" in line and len(line) < 400


# ------------------------------------------------------------------------------------------- messages

def test_catalog_field_of_the_wrong_type_is_named(tmp_path, capsys):
    cat = tmp_path / "cat.toml"
    cat.write_text('[[layers]]\nid = "a"\nrole = "eco_redline"\npath = 123\n', encoding="utf-8")
    with pytest.raises(CatalogError) as exc:
        load_catalog(cat)
    assert exc.value.text("en") == "cat.toml: layer #1: path = 123 must be a non-empty text"
    cat.write_text('[[layers]]\nid = "a"\nrole = "eco_redline"\npath = "x.gpkg"\nkey_fields = "HXBM"\n',
                   encoding="utf-8")
    assert main(["check", "--demo", "--layers", str(cat)]) == 2
    assert "key_fields = \"HXBM\"" in _one_line(capsys.readouterr().err)


@pytest.mark.parametrize("edit, field", [
    (lambda d: d["layers"][0].__setitem__("area", "big"), "layers[0].area"),
    (lambda d: d.__setitem__("footprint", 5), "footprint = 5"),
    (lambda d: d["layers"][0].__setitem__("status", "maybe"), "layers[0].status"),
    (lambda d: d["footprint"].pop("area"), "footprint.area"),
])
def test_wrongly_typed_result_json_names_the_field(tmp_path, capsys, edit, field):
    good = tmp_path / "r.json"
    assert main(["check", "--demo", "--json", str(good)]) == 0
    capsys.readouterr()
    data = json.loads(good.read_text(encoding="utf-8"))
    edit(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert main(["report", str(bad), "--xlsx", str(tmp_path / "o.xlsx")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert field in line and CJK.search(line) and str(tmp_path) not in line


# ----------------------------------------------------------------------------------------------- batch

def _good_folder(d: Path) -> list[str]:
    d.mkdir()
    names = ["pv_on_farmland.geojson", "road_crossing_redline.gpkg", "nothing_touched.geojson"]
    for n in names:
        shutil.copy(SAMPLE_FOOTPRINTS / n, d / n)
    return [n.rsplit(".", 1)[0] for n in names]


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_with_a_symlink_loop_a_fifo_and_a_zip_bomb_checks_every_good_case(tmp_path, workers, capsys):
    d = tmp_path / "fps"
    good = _good_folder(d)
    (d / "loop.txt").symlink_to("loop.txt")
    (d / "loopdir").symlink_to("loopdir")
    os.mkfifo(d / "pipe.txt")
    with __import__("zipfile").ZipFile(d / "bomb.kmz", "w", __import__("zipfile").ZIP_DEFLATED) as z:
        z.writestr("doc.kml", b"<kml>" + b" " * (300 << 20) + b"</kml>")
    (d / "zero.kml").symlink_to("/dev/zero")
    out = tmp_path / "out"
    t = time.perf_counter()
    code = main(["batch", str(d), "--out", str(out), "--workers", str(workers), "--quiet"])
    assert time.perf_counter() - t < 120
    err = capsys.readouterr().err
    assert code == 1 and "4 of 7 case(s) failed" in err
    rows = {r["case"]: r for r in json.loads(json.dumps(_rows(out)))}
    for case in good:
        assert rows[case]["status"] == "ok"
        data = json.loads((out / "cases" / f"{case}.json").read_text(encoding="utf-8"))
        want = json.loads(json.dumps(review_file(d / next(f for f in os.listdir(d) if f.startswith(case)),
                                               None).data))
        data.pop("created_at"), want.pop("created_at")
        assert data == want
    for case in ("loop", "pipe", "bomb", "zero"):
        assert rows[case]["status"] == "failed" and rows[case]["error"]
        assert not re.search(r"[A-Z][a-z]+Error", rows[case]["error"])
    assert "not a regular file" in rows["pipe"]["error"] and "zip bomb" in rows["bomb"]["error"]


def _rows(out: Path) -> list[dict]:
    import pandas as pd
    return pd.read_csv(out / "summary.csv", keep_default_na=False).to_dict("records")


def _slow_reader(path, **_kw):
    time.sleep(60)


def _hungry_reader(path, **_kw):
    blob = bytearray(6 << 30)  # 6 GB: over the cap
    return blob


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_per_case_timeout(tmp_path, monkeypatch, workers):
    d = tmp_path / "fps"
    good = _good_folder(d)
    (d / "slow.kml").write_text("<kml/>", encoding="utf-8")
    monkeypatch.setitem(READERS, ".kml", _slow_reader)
    t = time.perf_counter()
    rows = run_batch(d, BatchOptions(out=tmp_path / "o", case_timeout=3), workers=workers, progress=False)
    assert time.perf_counter() - t < 45
    by = {r["case"]: r for r in rows}
    assert by["slow"]["status"] == "failed" and "3 s" in by["slow"]["error"]
    assert all(by[c]["status"] == "ok" for c in good)


def test_batch_memory_cap(tmp_path, monkeypatch):
    d = tmp_path / "fps"
    good = _good_folder(d)
    (d / "hungry.kml").write_text("<kml/>", encoding="utf-8")
    monkeypatch.setitem(READERS, ".kml", _hungry_reader)
    rows = run_batch(d, BatchOptions(out=tmp_path / "o", case_memory_mb=512), workers=2, progress=False)
    by = {r["case"]: r for r in rows}
    assert by["hungry"]["status"] == "failed" and "memory" in by["hungry"]["error"]
    assert all(by[c]["status"] == "ok" for c in good)


def test_batch_worker_killed_fails_only_its_case(tmp_path, monkeypatch):
    d = tmp_path / "fps"
    good = _good_folder(d)
    (d / "crash.kml").write_text("<kml/>", encoding="utf-8")
    monkeypatch.setitem(READERS, ".kml", _crash_reader)
    rows = run_batch(d, BatchOptions(out=tmp_path / "o"), workers=2, progress=False)
    by = {r["case"]: r for r in rows}
    assert by["crash"]["status"] == "failed" and "worker process died" in by["crash"]["error"]
    assert all(by[c]["status"] == "ok" for c in good)


def _crash_reader(path, **_kw):
    os._exit(9)  # a library crash in the worker


# ------------------------------------------------------------------------ fast readers = slow readers

def test_dxf_fast_path_gives_what_ezdxf_gives(tmp_path, monkeypatch):
    import sys
    from ningxia_gis.footprint_io import dxf
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import footprint_scale
    p = tmp_path / "drawing.dxf"
    footprint_scale.make_dxf(p, n_entities=3000, n_parcels=60)  # the benchmark's drawing, smaller
    fast = load_footprint(p)
    monkeypatch.setattr(dxf, "_fast_rings", lambda *a, **k: None)
    slow = load_footprint(p)
    assert len(fast.gdf) == len(slow.gdf) == 60
    assert all(a.equals_exact(b, 0) for a, b in zip(fast.gdf.geometry, slow.gdf.geometry))
    assert list(fast.gdf["图层"]) == list(slow.gdf["图层"]) and fast.meta["parcel_locs"] == slow.meta["parcel_locs"]
    assert report_of(fast).ellipsoidal_m2 == pytest.approx(report_of(slow).ellipsoidal_m2, rel=1e-12)
    assert report_of(fast).planar_m2 == pytest.approx(60 * 400, rel=1e-9)  # 60 parcels of 20 m × 20 m


def test_txt_bulk_path_equals_the_line_by_line_path(tmp_path):
    n = 5000
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    pts = [(fault_corpus.N0 + 300 * math.sin(a), fault_corpus.E0 + 300 * math.cos(a)) for a in t]
    lines = [f"J{i + 1},1,{x:.3f},{y:.3f}" for i, (x, y) in enumerate(pts + pts[:1])]
    plain = fault_corpus.HEAD + f"{n + 1},28.2743,DK01,圆,面,,,,@\n" + "\n".join(lines) + "\n"
    odd = list(lines)
    odd[6] = odd[6].replace(",", " , ")  # padded fields
    x = odd[99].split(",")[2]
    odd[99] = odd[99].replace(x, x.translate(str.maketrans("0123456789", "０１２３４５６７８９")))  # full-width
    odd.insert(2000, "")  # a blank line inside the run
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(plain, encoding="utf-8")
    b.write_text(fault_corpus.HEAD + f"{n + 1},28.2743,DK01,圆,面,,,,@\n" + "\n".join(odd) + "\n", encoding="utf-8")
    fa, fb = load_footprint(a), load_footprint(b)
    assert fa.gdf.geometry.iloc[0].equals_exact(fb.gdf.geometry.iloc[0], 0)
    assert report_of(fa).planar_m2 == pytest.approx(fault_corpus._shoelace(pts), rel=1e-9)
    bad = fault_corpus.HEAD + "3,1,DK,x,面,,,,@\n" + "\n".join(lines[:3000]) + "\nJ9,1,4141000.0.0,35615000\n"
    c = tmp_path / "c.txt"
    c.write_text(bad, encoding="utf-8")
    with pytest.raises(FootprintError, match=r"c\.txt line 3009: X coordinate '4141000.0.0' is not a number"):
        load_footprint(c)
