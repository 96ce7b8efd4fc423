"""The 避让分析 section of the report and its map."""

from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.maps import avoidance_map, map_context
from ningxia_gis.report import build_report_model
from ningxia_gis.report.render import figure_key, render_figures
from ningxia_gis.review import build_request, run_review
from ningxia_gis.review.avoidance import add_avoidance


def _data(scenario: str) -> dict:
    s = find_scenario(scenario)
    req = build_request(s.footprint, activity=s.activity, facts=s.facts)
    res = run_review(req)
    add_avoidance(res, req)
    return res.data


def test_report_section_tables_and_map(tmp_path):
    data = _data("pv_on_farmland")
    block = data["avoidance"]
    model = build_report_model(data, {"project_name": "测试"})
    sec = next(s for s in model.sections if s.title.endswith("避让分析"))
    assert sec.blocks[0].text == block["sentence_zh"]
    t = model.table("avoidance")
    assert [r[0] for r in t.rows] == [o["label"] for o in block["options"]]
    assert t.values[0][2] == block["options"][0]["remainder"]["area"]["ellipsoidal_ha"]
    assert t.rows[0][5] == block["options"][0]["verdict"]
    d = model.table("distances")
    assert [r[0] for r in d.rows] == [x["layer_name"] for x in block["distances"]]
    assert [v[2] for v in d.values] == [x["distance_m"] for x in block["distances"]]
    fig = next(f for f in model.figures if f.kind == "avoidance")
    paths = render_figures(model, dpi=40, out_dir=tmp_path)
    assert paths[figure_key(fig)] is not None and paths[figure_key(fig)].stat().st_size > 0


def test_map_draws_the_remainder_and_the_avoided_part():
    data = _data("road_crossing_redline")
    fig = avoidance_map(map_context(data), title=None)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "避让后剩余用地" in labels and any(x.startswith("须避让部分（自然保护地") for x in labels)


def test_no_section_without_avoidance():
    s = find_scenario("pv_on_farmland")
    res = run_review(build_request(s.footprint, activity=s.activity, facts=s.facts))
    model = build_report_model(res.data)
    assert not any("避让分析" in s.title for s in model.sections)
    assert not any(f.kind == "avoidance" for f in model.figures)
