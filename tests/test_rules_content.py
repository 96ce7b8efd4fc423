"""What the rule base must contain (issue 3), and the verdicts on the shipped sample scenarios."""

from __future__ import annotations

import pytest

from ningxia_gis.rules import find_activity, list_activities, load_rule_base


@pytest.fixture(scope="module")
def rb():
    return load_rule_base()


def test_activity_vocabulary_covers_the_9_limited_activities_and_6_national_major_project_classes(rb):
    acts = list_activities(rb)
    assert {a["redline_limited_activity"] for a in acts} >= set(range(1, 10))
    assert {a["national_major_project_class"] for a in acts} >= set(range(1, 7))
    for a in acts:
        assert a["id"] and a["name_zh"] and a["name_en"] and a["group"]
        for q in a["questions"]:
            assert q["question_zh"].endswith("？") and q["question_en"].endswith("?")
    ids = {a["id"] for a in acts}
    # the project types named by the issue
    assert ids >= {"pv_power", "wind_power", "mineral_exploration_mining", "road", "railway", "pipeline", "power_line",
                   "linear_infrastructure", "resident_housing", "tourism_facility", "industrial_project",
                   "urban_residential", "development_zone", "facility_agriculture", "temporary_land",
                   "ecological_restoration"}
    assert set(rb.facts) >= {"unavoidable", "new_construction_land", "expands_scale", "temporary",
                             "national_major_project"}


def test_find_activity_by_id_chinese_english_alias(rb):
    assert find_activity("pv_power", rb).id == "pv_power"
    assert find_activity("光伏发电", rb).id == "pv_power"
    assert find_activity("photovoltaic (pv) power station", rb).id == "pv_power"
    assert find_activity("原住民住房", rb).id == "resident_housing"
    assert find_activity("临时用地", rb).id == "temporary_land"
    assert find_activity("mining", rb).id == "mineral_exploration_mining"
    assert find_activity("no such thing", rb) is None


def test_red_line_two_regimes_and_approval_chain(rb):
    core = rb.rule("eco_redline.core.human_activity_prohibited")
    assert core.zones == ("核心保护区",) and core.activities == ("*",) and core.verdict == "禁止"
    assert "原则上禁止人为活动" in core.quote
    dev = rb.rule("eco_redline.outside_core.development_construction_prohibited")
    assert dev.zones == ("核心保护区外",) and dev.verdict == "禁止" and "禁止开发性、生产性建设活动" in dev.quote
    la = [r for r in rb.rules if r.id.startswith("eco_redline.la")]
    assert {r.id.split(".")[1] for r in la} == {f"la{i}" for i in range(1, 10)}
    assert all(r.zones == ("核心保护区外",) for r in la)
    nmp = [r for r in rb.rules if r.id.startswith("eco_redline.nmp") and r.id.split(".")[1][-1].isdigit()]
    assert {r.id.split(".")[1] for r in nmp} == {f"nmp{i}" for i in range(1, 7)}
    # new construction land vs none, for limited activities and national major projects
    chain = rb.rule("eco_redline.procedure.limited_activity_new_construction_land").procedure
    assert (chain.review, chain.approve) == ("设区的市人民政府审核", "提请自治区人民政府认定")
    none = rb.rule("eco_redline.procedure.limited_activity_no_new_construction_land").procedure
    assert none.approve == "同级人民政府认定" and none.review is None
    nmp_chain = rb.rule("eco_redline.procedure.nmp_new_construction_land").procedure
    assert nmp_chain.attachments == ("建设用地报批时附自治区人民政府论证意见",)
    housing = rb.rule("eco_redline.la2.residents_housing_exempt_from_demonstration")
    assert housing.verdict == "允许" and housing.procedure.exempt == ("论证",)
    temp = rb.rule("eco_redline.temporary_land.unavoidable")
    assert temp.procedure.approve == "设区的市自然资源主管部门负责审批临时用地"


def test_farmland_urban_grassland_content(rb):
    assert rb.rule("permanent_basic_farmland.no_unauthorised_occupation").verdict == "禁止"
    major = rb.rule("permanent_basic_farmland.major_project_occupation")
    assert major.when == {"national_major_project": True, "unavoidable": True}
    assert "国家关于重大建设项目范围的规定" in major.quote
    cl = rb.rule("cultivated_land.non_agricultural_construction.minimise")
    assert "可以利用荒地的，不得占用耕地" in cl.quote
    assert "占补平衡" in rb.rule("cultivated_land.procedure.compensation_balance").quote
    assert "“详细规划+规划许可”" in rb.rule("urban_boundary.centralised_area.detailed_plan_and_permit").quote
    assert "“约束指标+分区准入”" in rb.rule("urban_boundary.outside.dominant_use_zoning_access").quote
    assert "用途不改变" in rb.rule("grassland.basic.development_construction_prohibited").quote
    assert "先预审、再立项、后建设" in rb.rule("grassland.general.occupation_prereview").quote


def test_hongsibao_rules_are_flagged(rb):
    s003 = [r for r in rb.rules if r.source.doc == "S003"]
    assert len(s003) >= 5
    for r in s003:
        assert r.applies_in == ("红寺堡区",), r.id
        assert "hongsibao" in r.id
    assert all(r.source.doc == "S003" for r in rb.rules if "hongsibao" in r.id)


def test_sources_are_described(rb):
    for key in ("S000-A", "S000-B", "S002-D", "S003"):
        s = rb.sources[key]
        assert s.seed_file and s.title and s.lines
    assert rb.sources["S000-B"].doc_number == "宁党办〔2023〕63号" and rb.sources["S000-B"].attachment == "附件2"
    assert rb.sources["S002-D"].doc_number == "宁政办发〔2021〕102号" and rb.sources["S002-D"].date == "2021-12-27"
    assert rb.sources["S001"].draft is True


def test_every_rule_is_seed_or_labelled(rb):
    for r in rb.rules:
        if r.status == "inferred":
            assert r.inference, r.id
        assert r.status != "external" or rb.sources[r.source.doc].status == "external"


# --------------------------------------------------------------------------- sample scenarios (other modules)
def _scenario(name: str):
    from ningxia_gis.core.scenarios import find_scenario
    from ningxia_gis.review import review_file
    sc = find_scenario(name)
    return review_file(sc.footprint, activity=sc.activity, facts=dict(sc.facts)).data


def _zones(data, role):
    return [z for z in data["verdicts"]["zones"] if z["role"] == role and z["verdict"] != "不涉及"]


def test_scenario_pv_on_farmland_is_prohibited():
    data = _scenario("pv_on_farmland")
    z = _zones(data, "permanent_basic_farmland")
    assert z and z[0]["verdict"] == "禁止"
    assert data["verdicts"]["overall"]["verdict"] == "禁止"
    assert data["activity"]["id"] == "pv_power"


def test_scenario_road_crossing_red_line_gets_the_regional_chain():
    data = _scenario("road_crossing_redline")
    z = _zones(data, "eco_redline")
    assert [x["zone"] for x in z] == ["核心保护区外"]
    assert z[0]["verdict"] == "有条件允许"
    assert z[0]["procedure"]["认定/审批"] == "提请自治区人民政府认定"


def test_scenario_mine_in_core_zone_is_prohibited():
    data = _scenario("mine_in_core_zone")
    assert data["verdicts"]["overall"]["verdict"] == "禁止"
    assert any(z["zone"] == "核心保护区" and z["verdict"] == "禁止" for z in _zones(data, "eco_redline"))


def test_scenario_village_house_is_permitted_in_the_red_line():
    data = _scenario("village_house_in_redline")
    z = _zones(data, "eco_redline")
    assert z and z[0]["verdict"] == "允许" and z[0]["procedure"]["exempt"] == ["论证"]
