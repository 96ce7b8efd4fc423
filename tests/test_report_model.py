"""Report model: every figure shown equals the JSON result's (formats.md §5.2 rounding), 界址点 order,
verdict blocks from a hand-built verdicts dict and from the real rule engine."""

import re

import pytest
import shapely

from ningxia_gis.review import review_file
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.report import CaseMeta, boundary_points, build_report_model
from ningxia_gis.report.model import (Bullets, Quote, Table, VerdictBox, fmt_ha, fmt_m2, fmt_mu, fmt_pct,
                                      summary_sentence, verdict_class)
from ningxia_gis.report.testing import example_verdicts, synthetic_result

CASES = ("pv_on_farmland", "road_crossing_redline", "wind_farm_zone36")


@pytest.fixture(scope="module")
def results():
    return {c: review_file(find_scenario(c).footprint).data for c in CASES}


def test_rounding_rules():
    m2 = 12_345.678_9
    assert fmt_m2(m2) == "12,345.68"
    assert fmt_ha(m2) == "1.2346"
    assert fmt_mu(m2) == "18.52"  # 12345.6789 × 0.0015 = 18.5185…
    assert fmt_pct(0.632051776) == "63.21%"
    assert fmt_mu(10_000) == "15.00" and fmt_ha(10_000) == "1.0000"


@pytest.mark.parametrize("case", CASES)
def test_figures_equal_json(results, case):
    data = results[case]
    model = build_report_model(data)
    fp = data["footprint"]["area"]["ellipsoidal_m2"]
    info = dict(model.table("info").rows)
    assert info["用地面积（椭球面积）"].startswith(f"{fmt_ha(fp)} 公顷（{fmt_mu(fp)} 亩，{fmt_m2(fp)} 平方米）")
    assert fmt_m2(data["footprint"]["area"]["planar_m2"]) in info["用地面积（高斯平面面积）"]
    summary = model.table("summary")
    layers = [x for x in data["layers"] if x["role"] != "admin_boundary"]
    by_name = {r[0]: r for r in summary.rows}
    for x in layers:
        a = x["area"]["ellipsoidal_m2"]
        assert by_name[x["name"]][2:] == [str(x["hit_count"]), fmt_m2(a), fmt_ha(a), fmt_mu(a),
                                          fmt_pct(x["share_of_footprint"])]
        # raw values are the JSON's, unrounded
        raw = next(v for v in summary.values if v[0] == x["name"])
        assert raw[3] == a and raw[6] == x["share_of_footprint"]
    touched = [x for x in layers if x["status"] != "not_touched"]
    assert touched
    for x in touched:
        t = model.table(f"pieces:{x['id']}")
        assert len(t.rows) == len(x["pieces"])
        for row, p in zip(t.rows, x["pieces"]):
            a = p["area"]["ellipsoidal_m2"]
            assert row[1] == str(p["feature_id"])
            assert row[-4:] == [fmt_m2(a), fmt_ha(a), fmt_mu(a), fmt_pct(a / fp)]
        tot = x["area"]["ellipsoidal_m2"]
        assert t.total[-4:] == [fmt_m2(tot), fmt_ha(tot), fmt_mu(tot), fmt_pct(x["share_of_footprint"])]
        assert [v[1] for v in t.xlsx_values] == [p["feature_id"] for p in x["pieces"]]
    assert fmt_ha(fp) in summary_sentence(data)


def test_key_attributes_in_detail_tables(results):
    model = build_report_model(results["pv_on_farmland"])
    t = model.table("pieces:yjjbnt")
    titles = [c.title for c in t.columns]
    assert "地类" in titles and "坐落单位" in titles  # DLBM+DLMC merged, ZLDWMC kept
    assert "永久基本农田图斑编号" not in titles  # same as the feature id
    assert re.fullmatch(r"010[123] \S+", t.rows[0][titles.index("地类")])
    red = build_report_model(results["road_crossing_redline"]).table("pieces:stbhhx")
    assert "红线类型" in [c.title for c in red.columns] and "管控分区" in [c.title for c in red.columns]


def test_boundary_points_nw_clockwise_closed_with_zone_prefix():
    shell = [(500_000, 4_000_000), (500_100, 4_000_000), (500_100, 4_000_050), (500_000, 4_000_050)]  # CCW
    hole = [(500_010, 4_000_010), (500_010, 4_000_020), (500_020, 4_000_020), (500_020, 4_000_010)]  # CW
    pts = boundary_points(shapely.Polygon(shell, [hole]), 35)
    outer = [p for p in pts if p["ring"] == 1]
    inner = [p for p in pts if p["ring"] == 2]
    assert len(outer) == 5 and len(inner) == 5
    assert (outer[0]["x"], outer[0]["y"]) == (4_000_050, 35_500_000)  # north-west corner first
    assert (outer[1]["x"], outer[1]["y"]) == (4_000_050, 35_500_100)  # then east: clockwise
    assert outer[-1]["name"] == outer[0]["name"] == "J1" and outer[-1]["x"] == outer[0]["x"]
    assert inner[0]["name"] == "J5" and inner[-1]["name"] == "J5"  # numbering continues across rings
    assert (inner[0]["x"], inner[0]["y"]) == (4_000_020, 35_500_010)


def test_coordinate_table_matches_footprint(results):
    data = results["road_crossing_redline"]
    t = build_report_model(data).table("coords")
    geom = shapely.from_wkt(data["footprint"]["geometry_wkt"])
    coords = {(round(x, 3), round(y, 3)) for x, y in shapely.get_coordinates(geom)}
    shown = {(float(r[4]) - 35_000_000, float(r[3])) for r in t.rows}
    assert {(round(x, 3), round(y, 3)) for x, y in shown} == coords
    assert t.in_document and len(t.rows) == data["footprint"]["vertex_count"]


def test_verdict_class():
    assert verdict_class("禁止") == "prohibited"
    assert verdict_class("有条件允许") == "conditional"
    assert verdict_class("允许") == "permitted"
    assert verdict_class("需人工判定") == "needs_judgment"
    assert verdict_class("不涉及") == "not_affected"
    assert verdict_class(None) == "none"


def test_without_verdicts_no_verdict_blocks(results):
    model = build_report_model(results["pv_on_farmland"])
    assert model.verdict is None
    blocks = [b for s in model.sections for b in s.blocks]
    assert not any(isinstance(b, (VerdictBox, Quote)) for b in blocks)
    assert not any(isinstance(b, Table) and b.key == "verdicts" for b in blocks)


def test_hand_built_verdicts(results):
    data = dict(results["pv_on_farmland"])
    data["verdicts"] = example_verdicts(data)
    model = build_report_model(data, {"case_number": "T-1", "reviewer": "张三"})
    assert model.verdict.verdict == "有条件允许" and model.verdict.verdict_class == "conditional"
    vt = model.table("verdicts")
    assert len(vt.rows) == len(data["verdicts"]["zones"])
    quotes = [b for s in model.sections for b in s.blocks if isinstance(b, Quote)]
    assert quotes and all("测试管理办法" in q.source and "宁测〔2025〕1号" in q.source for q in quotes)
    bullets = [i for s in model.sections for b in s.blocks if isinstance(b, Bullets) for i in b.items]
    assert any("县级人民政府组织论证" in i for i in bullets)
    assert any("9.9.9-test" in i for i in bullets)  # rule set version in the provenance


def test_real_rule_engine(results):
    sc = find_scenario("road_crossing_redline")
    data = review_file(sc.footprint, activity=sc.activity, facts=sc.facts).data
    model = build_report_model(data)
    v = data["verdicts"]
    assert model.verdict.verdict == v["overall"]["verdict"]
    vt = model.table("verdicts")
    assert len(vt.rows) == len(v["zones"])
    quotes = [b.text for s in model.sections for b in s.blocks if isinstance(b, Quote)]
    for z in v["zones"]:
        if z.get("quote"):
            assert z["quote"] in quotes


def test_meta_and_defaults(results):
    model = build_report_model(results["pv_on_farmland"], CaseMeta(applicant="某公司"))
    cover = dict(model.cover)
    assert cover["项目名称"] == "农光互补光伏项目"  # from the footprint's XMMC attribute
    assert cover["申请单位"] == "某公司" and re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", cover["审查日期"])
    assert model.synthetic  # sample layers are synthetic: the report says so


def test_300_piece_model():
    data = synthetic_result(300)
    t = build_report_model(data).table("pieces:yjjbnt")
    assert len(t.rows) == 300 and len({r[1] for r in t.rows}) == 300


def test_report_package_is_qt_free():
    """Importing the report package, its CLI and the model loads neither Qt nor matplotlib."""
    import subprocess
    import sys

    code = ("import sys, ningxia_gis.report, ningxia_gis.cli.report, ningxia_gis.report.pdf, ningxia_gis.styles, "
            "ningxia_gis.fonts; print(sorted({m.split('.')[0] for m in sys.modules} & {'PySide6', 'matplotlib'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_long_coordinate_list_goes_to_excel_only():
    data = synthetic_result(4)
    circle = shapely.Point(588_100, 4_140_100).buffer(80, quad_segs=100)  # 401 vertices
    data["footprint"]["geometry_wkt"] = circle.wkt
    data["footprint"]["vertex_count"] = len(circle.exterior.coords)
    t = build_report_model(data).table("coords")
    assert not t.in_document and len(t.rows) == len(circle.exterior.coords)
    assert any("Excel" in n for n in t.notes)
