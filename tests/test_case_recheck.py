"""`case recheck`: the same request on a copied layer with one feature edited, or on edited rules."""

import shutil

import geopandas as gpd
import pyogrio
import pytest
import shapely

from ningxia_gis.cli import main
from ningxia_gis.core.areas import ellipsoidal_areas
from ningxia_gis.paths import RULES_DIR, SAMPLE_FOOTPRINTS, SAMPLE_LAYERS
from ningxia_gis.review import build_request
from ningxia_gis.review.case import ReviewCase, open_case, recheck

PV_FARM = SAMPLE_FOOTPRINTS / "pv_on_farmland.geojson"


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
    # national_major_project answered 否: PV on permanent farmland is then 禁止 (S000-A L157); unanswered,
    # rule base v2 gives 需人工判定 with the question
    req = build_request(PV_FARM, activity="pv_power", facts={"national_major_project": False},
                        case={"case_number": "B-7"})
    case = ReviewCase.new(req, who="张三")
    case.run()
    path = case.save(tmp_path_factory.mktemp("recheck") / "B-7.gpkg")
    mp.undo()
    return case, path


@pytest.fixture
def edited_layers(saved, tmp_path):
    """A copy of the sample layers with one permanent-farmland feature under the footprint moved 2 km away."""
    case, _ = saved
    layers = tmp_path / "layers"
    shutil.copytree(SAMPLE_LAYERS, layers)
    gpkg = layers / "ningxia_sample.gpkg"
    farm = next(lyr for lyr in case.result.data["layers"] if lyr["id"] == "yjjbnt")
    fid = farm["pieces"][0]["feature_id"]
    g = gpd.read_file(gpkg, layer="YJJBNT")
    i = g.index[g["YJJBNTTBBH"].astype(str) == str(fid)][0]
    step = 0.02 if g.crs.is_geographic else 2000.0
    g.loc[i, "geometry"] = shapely.affinity.translate(g.geometry[i], step, step)
    pyogrio.write_dataframe(g, gpkg, layer="YJJBNT")
    return layers, farm, fid


def test_recheck_after_editing_one_feature_of_a_copied_layer_reports_exactly_that_change(saved, edited_layers):
    case, path = saved
    layers, farm, fid = edited_layers
    rc = recheck(open_case(path), layers=layers / "catalog.toml")
    assert rc.changed_layers == ["yjjbnt"] and not rc.rules_changed
    assert not rc.added_layers and not rc.removed_layers
    assert [(r.layer_id, r.zone) for r in rc.rows] == [("yjjbnt", "永久基本农田")]
    row = rc.rows[0]
    assert row.reasons == ["layer"]
    assert row.area_before_m2 == farm["area"]["ellipsoidal_m2"]
    # independent: the footprint ∩ the edited layer in the analysis plane, then ellipsoidal
    fp = gpd.read_file(PV_FARM).to_crs(4544).geometry.iloc[0]
    lyr = gpd.read_file(layers / "ningxia_sample.gpkg", layer="YJJBNT").to_crs(4544)
    inter = shapely.union_all(shapely.intersection(lyr.geometry.values, fp))
    assert row.area_after_m2 == pytest.approx(ellipsoidal_areas([inter], 4544)[0], rel=1e-9)
    moved = next(p for p in farm["pieces"] if p["feature_id"] == fid)["area"]["ellipsoidal_m2"]
    assert row.area_after_m2 == pytest.approx(row.area_before_m2 - moved, rel=1e-9)
    assert row.verdict_before == row.verdict_after == "禁止"  # still on farmland: the verdict stands
    # every other layer: same area in the new result
    new = {lyr["id"]: lyr["area"]["ellipsoidal_m2"] for lyr in rc.result.data["layers"]}
    old = {lyr["id"]: lyr["area"]["ellipsoidal_m2"] for lyr in case.result.data["layers"]}
    assert {k for k in old if old[k] != new[k]} == {"yjjbnt"}


def test_recheck_cli_prints_the_change_and_save_keeps_the_new_result(saved, edited_layers, tmp_path, capsys):
    _, path = saved
    layers, farm, _ = edited_layers
    copy = tmp_path / "B-7.gpkg"
    shutil.copyfile(path, copy)
    assert main(["case", "recheck", str(copy), "--layers", str(layers / "catalog.toml")]) == 0
    out = capsys.readouterr().out
    assert "图层数据变化: yjjbnt" in out and "规则未变化" in out
    line = next(x for x in out.splitlines() if x.startswith("永久基本农田（永久基本农田）"))
    assert f"{farm['area']['ellipsoidal_m2']:,.2f}" in line and "禁止 | 禁止 | 图层数据变化" in line
    assert main(["case", "recheck", str(copy), "--layers", str(layers / "catalog.toml"), "--save",
                 "--who", "李四"]) == 0
    again = open_case(copy)
    assert again.audit[-1].action == "rechecked" and again.audit[-1].who == "李四"
    assert again.audit[-1].detail["changes"]["changed_layers"] == ["yjjbnt"]
    assert str(again.catalog.path) == str(layers / "catalog.toml")
    assert again.policy_pack != open_case(path).policy_pack
    # rechecking the saved case against the same data: nothing changed any more
    rc = recheck(again)
    assert not rc.rows and not rc.changed_layers


def test_recheck_on_edited_rules_names_the_rule_change(saved, tmp_path):
    _, path = saved
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    f = rules / "permanent_basic_farmland.yaml"
    text = f.read_text(encoding="utf-8")
    head, rule, rest = text.partition("  - id: permanent_basic_farmland.no_unauthorised_occupation\n")
    rest = rest.replace("    verdict: 禁止\n", "    verdict: 需人工判定\n", 1)
    f.write_text(head + rule + rest, encoding="utf-8")
    rc = recheck(open_case(path), rules=rules)
    assert rc.rules_changed and rc.changed_layers == [] and rc.changed_rule_files == [f.name]
    farm = [r for r in rc.rows if r.layer_id == "yjjbnt"]
    assert len(farm) == 1 and farm[0].verdict_before == "禁止" and farm[0].verdict_after != "禁止"
    assert farm[0].reasons == ["rules"] and farm[0].area_before_m2 == farm[0].area_after_m2
    assert all(r.reasons == ["rules"] for r in rc.rows)
