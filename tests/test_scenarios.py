"""Every shipped training scenario runs end to end and gives the verdict its seed clause dictates."""

import json

import pytest

from ningxia_gis.cli import main
from ningxia_gis.core.scenarios import load_scenarios

# scenario -> (overall verdict, (layer role, zone, zone verdict, a phrase of the quoted clause))
EXPECTED = {
    "pv_on_farmland": ("禁止", ("permanent_basic_farmland", "永久基本农田", "禁止", "永久基本农田")),
    "mine_in_core_zone": ("禁止", ("eco_redline", "核心保护区", "禁止", "原则上禁止人为活动")),
    "road_crossing_redline": (None, ("eco_redline", "核心保护区外", "有条件允许", "必须且无法避让")),
    "village_house_in_redline": (None, ("eco_redline", "核心保护区外", "允许", "原住民")),
    "factory_outside_urban": ("禁止", ("urban_boundary", "城镇开发边界外", "禁止", "园区")),
    "housing_in_urban_core": ("有条件允许", ("urban_boundary", "城镇集中建设区", "有条件允许", "详细规划")),
}


def test_every_scenario_file_exists_and_activity_is_known():
    from ningxia_gis.rules import find_activity
    scenarios = load_scenarios()
    assert len(scenarios) >= 6
    for s in scenarios:
        assert s.footprint.exists(), s.footprint
        assert find_activity(s.activity) is not None, s.activity


@pytest.mark.parametrize("sid", sorted(EXPECTED))
def test_scenario_verdicts(sid, tmp_path, capsys):
    out = tmp_path / "r.json"
    assert main(["check", "--demo", sid, "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    overall, (role, zone, verdict, phrase) = EXPECTED[sid]
    v = data["verdicts"]
    if overall:
        assert v["overall"]["verdict"] == overall
    z = next(z for z in v["zones"] if z["role"] == role and z["zone"] == zone)
    assert z["verdict"] == verdict
    assert phrase in z["quote"]
    assert z["quote"] and z["source"]["file"].endswith(".txt")
    assert verdict in printed


def test_road_in_red_line_needs_the_county_city_region_chain():
    from ningxia_gis.review import review_file
    s = next(s for s in load_scenarios() if s.id == "road_crossing_redline")
    data = review_file(s.footprint, activity=s.activity, facts=s.facts).data
    z = next(z for z in data["verdicts"]["zones"] if z["role"] == "eco_redline")
    chain = json.dumps(z["procedure"], ensure_ascii=False)
    assert "县" in chain and "市" in chain and "自治区人民政府" in chain
