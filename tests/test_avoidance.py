"""避让分析: the remainder, its verdict, distances and what would change a verdict, checked against
independent shapely computations and direct rule-engine calls."""

import json
from functools import lru_cache

import geopandas as gpd
import jsonschema
import pytest
import shapely

from ningxia_gis.cli import main
from ningxia_gis.core.areas import ellipsoidal_areas
from ningxia_gis.core.catalog import load_catalog
from ningxia_gis.footprint_io import load_footprint
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.domain.errors import InputError
from ningxia_gis.domain.vocab import strictest
from ningxia_gis.paths import RESOURCES, SAMPLE_CATALOG, SAMPLE_LAYERS
from ningxia_gis.review import build_request, review_file, run_review
from ningxia_gis.review.avoidance import add_avoidance, avoidance_analysis, write_remainder
from ningxia_gis.rules.engine import evaluate

SCHEMA = json.loads((RESOURCES / "schema" / "check_result.schema.json").read_text(encoding="utf-8"))
GPKG = SAMPLE_LAYERS / "ningxia_sample.gpkg"


@lru_cache(maxsize=None)
def reviewed(scenario_id: str):
    s = find_scenario(scenario_id)
    req = build_request(s.footprint, activity=s.activity, facts=s.facts)
    res = run_review(req)
    add_avoidance(res, req)
    return s, req, res


def fp_geom(s, epsg):
    return shapely.union_all(gpd.read_file(s.footprint).to_crs(epsg).geometry.values)


def layer(name, epsg):
    return gpd.read_file(GPKG, layer=name).to_crs(epsg)


def test_remainder_area_matches_independent_difference():
    s, _req, res = reviewed("road_crossing_redline")
    opt = res.data["avoidance"]["options"][0]
    assert [(a["layer_id"], a["zone"]) for a in opt["avoid"]] == [("zrbhd", "核心保护区外")]
    fp = fp_geom(s, res.epsg)
    zr = layer("ZRBHD", res.epsg)
    outside = zr[~zr["ZRBHDFQ"].astype(str).str.contains("核心")]
    expected = shapely.difference(fp, shapely.union_all(outside.geometry.values))
    rem = opt["remainder"]
    assert rem["area"]["planar_m2"] == pytest.approx(expected.area, rel=1e-9, abs=1e-6)
    assert rem["area"]["ellipsoidal_m2"] == pytest.approx(ellipsoidal_areas([expected], res.epsg)[0], rel=1e-9)
    assert rem["area"]["planar_ha"] == pytest.approx(expected.area / 10_000, rel=1e-9)
    assert rem["area"]["planar_mu"] == pytest.approx(expected.area * 15 / 10_000, rel=1e-9)
    assert rem["part_count"] == len(shapely.get_parts(expected)) == len(rem["parts"])
    assert sum(p["planar_m2"] for p in rem["parts"]) == pytest.approx(expected.area, rel=1e-9)
    fa = res.data["footprint"]["area"]
    assert opt["avoided_area"]["planar_m2"] == pytest.approx(fa["planar_m2"] - expected.area, rel=1e-9)
    assert opt["sentence_zh"].startswith("若避让自然保护地（核心保护区外） ")
    assert f"剩余 {rem['area']['ellipsoidal_ha']:,.4f} 公顷" in opt["sentence_zh"]
    assert f"结论为 {opt['verdict']}（" in opt["sentence_zh"]
    # the remainder borders the avoided zone: said, with what occupying it would mean
    assert opt["edge_contact"] == ["自然保护地（核心保护区外）"]
    assert "与自然保护地（核心保护区外）仅边界相接" in opt["sentence_zh"]


def test_combined_option_avoids_every_prohibited_and_judgment_zone():
    s, _req, res = reviewed("pv_desert_grassland")
    targets = [(z["layer_id"], z["zone"]) for z in res.data["verdicts"]["zones"]
               if z["verdict"] in ("禁止", "需人工判定") and z["status"] != "not_touched" and z["layer_id"]]
    opts = res.data["avoidance"]["options"]
    assert [[(a["layer_id"], a["zone"]) for a in o["avoid"]] for o in opts][: len(targets)] == [[t] for t in targets]
    last = opts[res.data["avoidance"]["recommended"]]
    assert {(a["layer_id"], a["zone"]) for a in last["avoid"]} == set(targets)
    cy = layer("CY", res.epsg)
    # unanswered PV questions: general grassland is 需人工判定 (000 L541), basic grassland 禁止
    assert targets == [("cy", "一般草原"), ("cy", "基本草原")]
    expected = shapely.difference(fp_geom(s, res.epsg), shapely.union_all(cy.geometry.values))
    assert last["remainder"]["area"]["planar_m2"] == pytest.approx(expected.area, rel=1e-9)


def test_remainder_verdict_is_the_rules_verdict_of_the_exported_remainder(tmp_path):
    s, req, res = reviewed("road_crossing_redline")
    opt = res.data["avoidance"]["options"][0]
    out = tmp_path / "rem.gpkg"
    write_remainder(opt, out, epsg=res.epsg)
    again = review_file(out, activity=s.activity, facts=s.facts)
    assert again.data["verdicts"]["overall"]["verdict"] == opt["verdict"] == "有条件允许"
    # the re-check's zones are those of the rules for the parts left: the avoided zone only touches
    zr = next(z for z in again.data["verdicts"]["zones"] if z["layer_id"] == "zrbhd")
    assert zr["status"] == "touching"
    geom = shapely.from_wkt(opt["remainder"]["geometry_wkt"])  # µm-rounded
    assert abs(again.data["footprint"]["area"]["planar_m2"] - opt["remainder"]["area"]["planar_m2"]) \
        <= geom.length * 0.5e-6


def test_edge_contact_with_a_prohibited_zone_is_said_not_hidden():
    # the project-wide precondition (S004-D L948, 电力送出和消纳) answered, so that only the edge contact
    # stands between the remainder and 有条件允许
    s = find_scenario("pv_on_farmland")
    req = build_request(s.footprint, activity=s.activity, facts={**s.facts, "power_transmission_secured": True})
    res = run_review(req)
    add_avoidance(res, req)
    opt = res.data["avoidance"]["options"][0]
    assert opt["avoid"][0]["layer_id"] == "yjjbnt" and opt["avoid"][0]["verdict"] == "禁止"
    # the remainder borders the farmland: the engine calls that touching, which never decides the overall
    # verdict (docs/rules.md) — so the sentence must still name the contact and what occupying it would mean
    yj = next(z for z in opt["zones"] if z["layer_id"] == "yjjbnt")
    assert yj["status"] == "touching" and yj["verdict"] == "需人工判定"
    others = [z["verdict"] for z in opt["zones"] if z["layer_id"] != "yjjbnt"]
    assert opt["verdict"] == opt["verdict_if_edge_cleared"] == strictest(others) == "有条件允许"
    assert opt["edge_contact"] == ["永久基本农田"]
    assert "结论为 有条件允许" in opt["sentence_zh"] and "与永久基本农田仅边界相接" in opt["sentence_zh"]
    assert "如实际占用，结论为 禁止" in opt["sentence_zh"]


def test_no_remainder_when_the_footprint_lies_inside_the_zone():
    _s, _req, res = reviewed("mine_in_core_zone")
    block = res.data["avoidance"]
    assert all(o["remainder"]["part_count"] == 0 and o["verdict"] is None for o in block["options"])
    assert "无剩余用地" in block["sentence_zh"]
    with pytest.raises(InputError):
        write_remainder(block["options"][-1], "x.gpkg", epsg=res.epsg)


@pytest.mark.parametrize("scenario,layer_id,gpkg_layer", [
    ("pv_desert_grassland", "stbhhx", "STBHHX"), ("pv_on_farmland", "czkfbj", "CZKFBJ"),
    ("road_crossing_redline", "stbhhx", "STBHHX")])
def test_distances_match_shapely(scenario, layer_id, gpkg_layer):
    s, _req, res = reviewed(scenario)
    d = next(x for x in res.data["avoidance"]["distances"] if x["layer_id"] == layer_id)
    feats = layer(gpkg_layer, res.epsg)
    dist = shapely.distance(fp_geom(s, res.epsg), feats.geometry.values)
    assert d["distance_m"] == pytest.approx(float(dist.min()), abs=1e-6)
    if d["distance_m"] > 0:
        assert f"距{d['layer_name']}最近距离 {d['distance_m']:,.0f} m" in d["sentence_zh"]


def test_distance_to_the_nearest_prohibited_zone():
    s, _req, res = reviewed("road_crossing_redline")
    d = next(x for x in res.data["avoidance"]["distances"] if x["layer_id"] == "stbhhx")
    red = layer("STBHHX", res.epsg)
    core = red[red["ZRBHDFQ"].astype(str).str.contains("核心")]
    expected = float(shapely.distance(fp_geom(s, res.epsg), core.geometry.values).min())
    assert d["status"] == "occupied" and d["distance_m"] == 0
    assert d["nearest_prohibited_zone"]["zone"] == "核心保护区"
    assert d["nearest_prohibited_zone"]["distance_m"] == pytest.approx(expected, abs=1e-6)
    # the rules do prohibit a linear project in the core zone
    zones = {z["zone"]: z for z in d["zones"]}
    assert zones["核心保护区"]["prohibited"] is True and zones["核心保护区外"]["prohibited"] is False


def test_nothing_within_the_cap():
    s, _req, res = reviewed("mine_in_core_zone")
    d = next(x for x in res.data["avoidance"]["distances"] if x["layer_id"] == "yjjbnt")
    true = float(shapely.distance(fp_geom(s, res.epsg), layer("YJJBNT", res.epsg).geometry.values).min())
    assert true > 5000 and d["distance_m"] is None and d["sentence_zh"] == "永久基本农田：5 km 内无"


def test_catalog_buffer_is_reported_as_nearby_never_as_occupation(tmp_path):
    toml = tmp_path / "cat.toml"
    # the sample CZKFBJ is synthetic data complete in the sample catalog's extent (sample_layers/catalog.toml);
    # without it the layer's own bbox, which stops short of this footprint, would make it 无数据覆盖
    toml.write_text(f'''[catalog]
name = "t"
extent = [105.5, 37.0, 106.8, 37.7]
[[layers]]
id = "czkfbj"
name = "城镇开发边界"
role = "urban_boundary"
path = "{GPKG.as_posix()}"
layer = "CZKFBJ"
zone_field = "GHFQMC"
buffer_m = 4500
''', encoding="utf-8")
    cat = load_catalog(toml)
    assert cat.layers[0].buffer_m == 4500
    s = find_scenario("pv_on_farmland")
    req = build_request(s.footprint, cat, activity=s.activity, facts=s.facts)
    res = run_review(req)
    block = avoidance_analysis(res, req)
    d = block["distances"][0]
    assert d["status"] == "not_touched" and 0 < d["distance_m"] <= 4500 and d["nearby"] is True
    assert "邻近" in d["sentence_zh"] and "不构成占用" in d["sentence_zh"]
    assert res.data["layers"][0]["status"] == "not_touched"  # the buffer changes nothing in the overlay
    cat.layers[0].buffer_m = 1000
    assert avoidance_analysis(res, req)["distances"][0]["nearby"] is False


def test_what_if_changes_are_those_of_the_rule_engine():
    s, _req, res = reviewed("pv_on_farmland")
    wi = res.data["avoidance"]["what_if"]
    farm = next(w for w in wi if w["layer_id"] == "yjjbnt")
    assert farm["verdict"] == "禁止"
    pair = next(c for c in farm["facts"] if c["facts"] == {"national_major_project": True, "unavoidable": True}
                or c["facts"] == {"unavoidable": True, "national_major_project": True})
    assert pair["verdict"] == "有条件允许" and pair["sentence_zh"].startswith("若属于国家重大项目")
    for w in wi:
        for c in w["facts"]:
            v = evaluate(res.data, s.activity, {**s.facts, **c["facts"]})
            z = next(z for z in v["zones"] if z["layer_id"] == w["layer_id"] and z["zone"] == w["zone"])
            assert z["verdict"] == c["verdict"] != w["verdict"]
        for group in w["activities"]:
            for a in group["activities"][:3]:
                v = evaluate(res.data, a["id"], s.facts)
                z = next(z for z in v["zones"] if z["layer_id"] == w["layer_id"] and z["zone"] == w["zone"])
                assert z["verdict"] == group["verdict"] != w["verdict"]


@pytest.mark.parametrize("suffix", [".txt", ".shp", ".gpkg"])
def test_export_remainder_reads_back(tmp_path, suffix):
    _s, _req, res = reviewed("road_crossing_redline")
    opt = res.data["avoidance"]["options"][0]
    out = tmp_path / f"rem{suffix}"
    out.write_bytes(b"old")  # replaced atomically
    write_remainder(opt, out, epsg=res.epsg)
    fp = load_footprint(out)
    g = shapely.union_all(fp.gdf.to_crs(res.epsg).geometry.values)
    # coordinates as written: the TXT format keeps mm, the WKT of the result µm
    rounding = 0.5e-3 if suffix == ".txt" else 0.5e-6
    assert abs(g.area - opt["remainder"]["area"]["planar_m2"]) <= g.length * rounding
    assert len(fp.gdf) == opt["remainder"]["part_count"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left


def test_export_refuses_other_formats(tmp_path):
    _s, _req, res = reviewed("road_crossing_redline")
    with pytest.raises(InputError):
        write_remainder(res.data["avoidance"]["options"][0], tmp_path / "rem.dxf", epsg=res.epsg)
    assert not list(tmp_path.iterdir())


def test_cli_check_avoidance(tmp_path, capsys):
    out, shp = tmp_path / "r.json", tmp_path / "rem.shp"
    assert main(["check", "--demo", "road_crossing_redline", "--json", str(out), "--avoidance-out", str(shp)]) == 0
    text = capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    block = data["avoidance"]
    assert "避让分析" in text and block["sentence_zh"] in text
    assert all(d["sentence_zh"] in text for d in block["distances"])
    assert shp.exists() and shp.with_suffix(".dbf").exists()
    assert main(["check", "--demo", "mine_in_core_zone", "--avoidance-out", str(tmp_path / "m.gpkg")]) == 2
    assert not (tmp_path / "m.gpkg").exists()


def test_without_activity_only_distances():
    s = find_scenario("pv_on_farmland")
    req = build_request(s.footprint, load_catalog(SAMPLE_CATALOG))
    res = run_review(req)
    block = avoidance_analysis(res, req)
    assert block["options"] == [] and block["what_if"] == [] and len(block["distances"]) == 6
    assert all(z["prohibited"] is None for d in block["distances"] for z in d["zones"])
