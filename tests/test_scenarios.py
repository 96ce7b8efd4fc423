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


# =========================================================================== defect classes of issue 12
# Each scenario: activity, facts, zone → verdict, clause (seed file and line), written from the seed text.
from ningxia_gis.rules import evaluate, load_rule_base  # noqa: E402
from ningxia_gis.rules.engine import record_override  # noqa: E402
from ningxia_gis.domain.errors import InputError  # noqa: E402

RB = load_rule_base()
FP = 10_000.0


def _a(m2):
    return {"planar_m2": m2, "planar_ha": m2 / 1e4, "planar_mu": m2 * 15 / 1e4,
            "ellipsoidal_m2": m2, "ellipsoidal_ha": m2 / 1e4, "ellipsoidal_mu": m2 * 15 / 1e4}


def _layer(role, zones=None, lid=None, pieces=None):
    zones = zones or {}
    total = sum(zones.values())
    return {"id": lid or role, "name": {"eco_redline": "生态保护红线", "nature_reserve": "自然保护地",
                                         "urban_boundary": "城镇开发边界", "grassland": "草原",
                                         "permanent_basic_farmland": "永久基本农田", "cultivated_land": "耕地"}[role],
            "role": role, "status": "occupied" if total >= 1 else "touching" if total > 0 else "not_touched",
            "area": _a(total), "share_of_footprint": total / FP,
            "by_zone": [{"zone": z, "area": _a(m), "share_of_footprint": m / FP, "piece_count": 1} for z, m in zones.items()],
            "pieces": pieces if pieces is not None else [{"zone": z, "attributes": {"ZRBHDFQ": z}} for z in zones]}


def _result(*layers, county="利通区", fp=FP):
    return {"schema_version": "1.0", "sliver_threshold_m2": 1.0, "footprint": {"area": _a(fp)},
            "location": {"county": county}, "layers": list(layers)}


def _zone(v, role, zone):
    return next(z for z in v["zones"] if z["role"] == role and z["zone"] == zone)


def _facts(v):
    return [q["fact"] for q in v["open_questions"]]


# --- 确需占用 / 确实难以避让 (000 L227) ------------------------------------------------------
@pytest.mark.parametrize("activity", ["nmp_named_project", "nmp_military_defence", "nmp_transport_water",
                                      "nmp_grid_energy", "nmp_confirmed_infrastructure", "nmp_land_guarantee"])
def test_national_major_project_classes_need_to_be_unavoidable(activity):
    """000 L227: 「确需占用生态保护红线的6类国家重大项目」 (class 6: 「确实难以避让」)."""
    res = _result(_layer("eco_redline", {"核心保护区外": 4000.0}))
    v = evaluate(res, activity, {"unavoidable": False, "temporary": False}, rule_base=RB)
    z = _zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "禁止" and z["procedure"]["steps"] == []
    v = evaluate(res, activity, {"unavoidable": True, "temporary": False, "new_construction_land": True}, rule_base=RB)
    z = _zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许" and z["source"]["line"] == 227
    v = evaluate(res, activity, {"temporary": False}, rule_base=RB)
    assert _zone(v, "eco_redline", "核心保护区外")["verdict"] == "需人工判定" and "unavoidable" in _facts(v)


def test_declared_national_major_project_gets_the_l245_chain_not_the_l243_chain():
    """000 L245: 「县（市、区）人民政府组织…进行初步论证，经设区的市人民政府初审，报自治区人民政府组织论证」."""
    res = _result(_layer("eco_redline", {"核心保护区外": 4000.0}))
    v = evaluate(res, "road", {"national_major_project": True, "unavoidable": True, "new_construction_land": True,
                               "temporary": False}, rule_base=RB)
    z = _zone(v, "eco_redline", "核心保护区外")
    assert z["rule_id"] == "eco_redline.nmp.declared_national_major_project"
    assert "eco_redline.procedure.nmp_new_construction_land" in z["procedure"]["rule_ids"]
    assert "eco_redline.procedure.limited_activity_new_construction_land" not in z["procedure"]["rule_ids"]
    steps = " ".join(z["procedure"]["steps"])
    assert "初步论证" in steps and "设区的市人民政府初审" in steps and "报自治区人民政府组织论证" in steps
    assert "提请自治区人民政府认定" not in steps  # the limited-activity chain of L243
    v = evaluate(res, "road", {"national_major_project": True, "unavoidable": False, "temporary": False}, rule_base=RB)
    assert _zone(v, "eco_redline", "核心保护区外")["verdict"] == "禁止"


# --- unanswered facts ------------------------------------------------------------------------
def test_unanswered_national_major_project_on_farmland_is_asked_not_defaulted():
    """000 L157: 「确需占用永久基本农田的，应符合国家关于重大建设项目范围的规定」 - an unanswered
    national_major_project can change the verdict, so it is asked (with unavoidable, at once)."""
    v = evaluate(_result(_layer("permanent_basic_farmland", {"永久基本农田": 3000.0})), "road", rule_base=RB)
    z = _zone(v, "permanent_basic_farmland", "永久基本农田")
    assert z["verdict"] == "需人工判定"
    assert set(_facts(v)) == {"national_major_project", "unavoidable"}
    assert {(o["verdict"]) for o in z["outcomes"]} == {"禁止", "有条件允许"}
    v = evaluate(_result(_layer("permanent_basic_farmland", {"永久基本农田": 3000.0})), "road",
                 {"national_major_project": False}, rule_base=RB)
    assert _zone(v, "permanent_basic_farmland", "永久基本农田")["verdict"] == "禁止"


def test_pv_in_red_line_asks_every_question_at_once():
    """000 L223/L227: PV is 开发性、生产性建设 (禁止) unless a national major project 确需占用."""
    v = evaluate(_result(_layer("eco_redline", {"核心保护区外": 3000.0})), "pv_power", rule_base=RB)
    z = _zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "需人工判定"
    assert {"national_major_project", "unavoidable"} <= set(_facts(v))
    assert "power_transmission_secured" in _facts(v)  # 004 L948, the project-level precondition
    assert v["overall"]["verdict"] == "需人工判定"


def test_assumed_defaults_are_shown_as_assumed():
    """A fact that cannot change the verdict keeps its default, labelled 「未回答，按否处理」."""
    v = evaluate(_result(_layer("eco_redline", {"核心保护区外": 3000.0})), "road",
                 {"unavoidable": True, "new_construction_land": True}, rule_base=RB)
    z = _zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许"
    assumed = {a["fact"]: a["label"] for a in z["assumed"]}
    assert assumed["temporary"] == "未回答，按否处理" and assumed["national_major_project"] == "未回答，按否处理"
    assert v["activity"]["assumed"]["temporary"] == "未回答，按否处理"
    assert v["activity"]["facts"]["temporary"] is None and v["activity"]["fact_origin"]["temporary"] == "unanswered"
    assert any("temporary = 否（未回答，按否处理）" in t["why"]
               for t in z["trace"] if t["rule_id"] == "eco_redline.temporary_land.unavoidable")


# --- untouched zones never decide ------------------------------------------------------------
def test_untouched_urban_boundary_does_not_turn_archaeology_into_needs_judgment():
    """000 L225 ③: 「经依法批准的考古调查发掘…」 in the red line; the footprint is outside the urban boundary."""
    v = evaluate(_result(_layer("eco_redline", {"核心保护区外": FP}), _layer("urban_boundary")), "archaeology_relics",
                 {"temporary": False}, rule_base=RB)
    assert v["overall"]["verdict"] == "有条件允许"
    outside = _zone(v, "urban_boundary", "城镇开发边界外")
    assert outside["verdict"] == "不涉及" and outside["decides"] is False
    assert [z["zone"] for z in v["zones"] if z["role"] == "urban_boundary"] == ["城镇开发边界外"]
    assert v["overall"]["urban_boundary_relation"]["zh"] == "全部位于城镇开发边界外"


def test_grassland_restoration_and_a_footprint_touching_nothing():
    """002 L965: 「采取禁牧封育、免耕补播、松土施肥、鼠虫害防治等措施」 → 允许; nothing touched → 不涉及."""
    v = evaluate(_result(_layer("grassland", {"基本草原": FP}), _layer("urban_boundary")), "ecological_restoration",
                 {"listed_restoration_measure": True}, rule_base=RB)
    assert v["overall"]["verdict"] == "允许"
    v = evaluate(_result(_layer("eco_redline"), _layer("urban_boundary")), "archaeology_relics", rule_base=RB)
    assert v["overall"]["verdict"] == "不涉及"


def test_touching_zone_never_decides():
    v = evaluate(_result(_layer("eco_redline", {"核心保护区": 0.2}), _layer("urban_boundary", {"城镇集中建设区": FP - 0.2})),
                 "urban_residential", rule_base=RB)
    core = _zone(v, "eco_redline", "核心保护区")
    assert core["status"] == "touching" and core["decides"] is False and core["verdict_if_occupied"] == "禁止"
    assert v["overall"]["verdict"] == "有条件允许"
    assert "仅边界接触" in v["overall"]["summary_zh"] and v["overall"]["touching_zones"]


def test_floating_point_residual_creates_no_zone():
    """A footprint wholly inside 城镇集中建设区, the inside area short of the footprint by 7e-12 m²."""
    res = _result(_layer("urban_boundary", {"城镇集中建设区": FP - 7e-12}))
    v = evaluate(res, "urban_residential", rule_base=RB)
    assert [z["zone"] for z in v["zones"]] == ["城镇集中建设区"]
    assert v["overall"]["urban_boundary_relation"]["code"] == "inside"
    assert "城镇开发边界外" not in v["overall"]["summary_zh"].replace("全部位于城镇开发边界内", "")


# --- no steps under 禁止 --------------------------------------------------------------------
def test_prohibited_lists_what_to_do_instead_and_no_steps():
    """000 L157 (永久基本农田 不得擅自占用) and 000 L155 (耕地 有条件)."""
    v = evaluate(_result(_layer("permanent_basic_farmland", {"永久基本农田": 4000.0}),
                         _layer("cultivated_land", {"0102 水浇地": 6000.0})), "road",
                 {"national_major_project": False, "wasteland_available": False}, rule_base=RB)
    assert v["overall"]["verdict"] == "禁止"
    assert v["procedures"] == [] and v["exemptions"] == []
    # not even per zone: the conditional zone's steps wait until the prohibited part is avoided
    assert all(z["procedure"]["steps"] == [] for z in v["zones"])
    c = _zone(v, "cultivated_land", "0102 水浇地")
    assert c["procedure"] == {"论证": None, "审核": None, "认定/审批": None, "attachments": [], "exempt": [], "other": [],
                              "steps": [], "exemptions": [], "rule_ids": []}
    assert any("占补平衡" in s for s in c["deferred_procedure"]["steps"])
    assert v["alternatives"][0].startswith("调整选址，避让永久基本农田（0.4000 公顷；依据《关于优化国土空间开发保护格局的实施意见》（宁党办〔2023〕63号）二（二）5")
    assert any("耕地（0102 水浇地）：有条件允许" in a for a in v["alternatives"])
    text = __import__("ningxia_gis.rules.cli", fromlist=["format_verdicts"]).format_verdicts(v)
    assert "须办理的程序" not in text and "可采取的做法" in text


# --- conditions ------------------------------------------------------------------------------
def test_maintenance_that_expands_is_not_maintenance():
    """000 L225 ⑥: 「已有的合法水利、交通运输等设施运行维护改造」."""
    res = _result(_layer("eco_redline", {"核心保护区外": 2000.0}))
    v = evaluate(res, "facility_maintenance", {"expands_scale": True, "temporary": False,
                                               "national_major_project": False}, rule_base=RB)
    assert _zone(v, "eco_redline", "核心保护区外")["verdict"] == "禁止"
    v = evaluate(res, "facility_maintenance", {"temporary": False}, rule_base=RB)
    assert "expands_scale" in _facts(v)


def test_housing_exemption_needs_no_new_construction_land():
    """000 L243: 「在不扩大现有建设用地范围和规模的前提下修筑住房的，可免于论证」."""
    res = _result(_layer("eco_redline", {"核心保护区外": 200.0}))
    v = evaluate(res, "resident_housing", {"expands_scale": False, "new_construction_land": True, "temporary": False},
                 rule_base=RB)
    z = _zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许" and z["rule_id"] != "eco_redline.la2.residents_housing_exempt_from_demonstration"
    assert "提请自治区人民政府认定" in " ".join(z["procedure"]["steps"])


def test_grazing_goes_to_the_residents_limited_activity_and_needs_the_regional_decision_on_grassland():
    """000 L225 ②: 「原住居民…开展种植、养殖…」; 002 L961: 「自治区人民政府可决定开展季节性放牧或划区轮牧」."""
    v = evaluate(_result(_layer("eco_redline", {"核心保护区外": 3000.0})), "grazing",
                 {"by_residents": True, "expands_scale": False}, rule_base=RB)
    assert _zone(v, "eco_redline", "核心保护区外")["rule_id"] == "eco_redline.la2.residents_production_no_expansion"
    res = _result(_layer("grassland", {"一般草原": 3000.0}))
    v = evaluate(res, "grazing", {"regional_grazing_decision": False}, rule_base=RB)
    assert _zone(v, "grassland", "一般草原")["verdict"] == "禁止"
    v = evaluate(res, "grazing", rule_base=RB)
    assert _zone(v, "grassland", "一般草原")["verdict"] == "需人工判定" and "regional_grazing_decision" in _facts(v)


def test_pv_on_grassland_only_on_desertified_grassland():
    """000 L541: 「鼓励优先使用沙漠等未利用地或工矿废弃地…科学合理使用荒漠化草地」."""
    res = _result(_layer("grassland", {"一般草原": 3000.0}))
    facts = {"power_transmission_secured": True}
    z = _zone(evaluate(res, "pv_power", {**facts, "desertified_grassland": False}, rule_base=RB), "grassland", "一般草原")
    assert z["verdict"] == "需人工判定"
    z = _zone(evaluate(res, "pv_power", {**facts, "desertified_grassland": True}, rule_base=RB), "grassland", "一般草原")
    assert z["verdict"] == "有条件允许" and any("沙漠等未利用地" in c for c in z["conditions"])


def test_restoration_on_basic_grassland_only_with_the_listed_measures():
    """002 L965 lists the measures; other measures (e.g. afforestation): 002 L939 「宜林则林、宜草则草」."""
    res = _result(_layer("grassland", {"基本草原": 3000.0}))
    z = _zone(evaluate(res, "ecological_restoration", {"listed_restoration_measure": False}, rule_base=RB),
              "grassland", "基本草原")
    assert z["verdict"] == "需人工判定" and z["source"]["line"] == 939


def test_industrial_park_rule_names_the_park_not_the_zone():
    """003 L342: 「工业园区（集聚区）以外不再新建、扩建工业项目」."""
    v = evaluate(_result(_layer("urban_boundary", {"城镇集中建设区": FP}), county="红寺堡区"), "industrial_project",
                 {"in_industrial_park": False}, rule_base=RB)
    assert v["overall"]["deciding_zones"] == ["工业园区（集聚区）以外的工业项目（位于城镇集中建设区）"]
    assert any("不在工业园区（集聚区）内" in c for c in _zone(v, "urban_boundary", "城镇集中建设区")["conditions"])


def test_seed_rule_is_cited_where_an_inferred_rule_says_the_same():
    """House in the 罗山 core zone, both layers: 000 L223 (seed) is cited, not the inferred 自然保护地 rules."""
    res = _result(_layer("eco_redline", {"核心保护区": 500.0}), _layer("nature_reserve", {"核心保护区": 500.0}),
                  county="红寺堡区")
    for activity in ("resident_housing", "mineral_exploration_mining"):
        v = evaluate(res, activity, {"expands_scale": False, "national_major_project": False}, rule_base=RB)
        assert v["overall"]["verdict"] == "禁止"
        assert v["overall"]["rule_id"] == "eco_redline.core.human_activity_prohibited"
        assert v["overall"]["citation"] == "《关于加强生态保护红线管理的实施意见》（宁党办〔2023〕63号）二（一）2"


def test_red_line_core_zone_from_the_protected_area_layer():
    """A STBHHX layer without a sub-zone field: its 核心保护区 is the 自然保护地 layer's 核心保护区 (000 L223)."""
    red = "POLYGON ((0 0, 100 0, 100 100, 0 100, 0 0))"
    core = "POLYGON ((0 0, 40 0, 40 100, 0 100, 0 0))"
    rl = _layer("eco_redline", {"核心保护区外": FP}, pieces=[{"zone": "核心保护区外", "attributes": {"HXBM": "1"},
                                                             "geometry_wkt": red}])
    nr = _layer("nature_reserve", {"核心保护区": 4000.0}, pieces=[{"zone": "核心保护区", "attributes": {"ZRBHDFQ": "核心区"},
                                                                "geometry_wkt": core}])
    v = evaluate(_result(rl, nr), "road", {"unavoidable": True, "temporary": False}, rule_base=RB)
    core_z = _zone(v, "eco_redline", "核心保护区")
    assert core_z["verdict"] == "禁止" and core_z["area"]["ellipsoidal_m2"] == pytest.approx(4000.0)
    assert _zone(v, "eco_redline", "核心保护区外")["area"]["ellipsoidal_m2"] == pytest.approx(6000.0)
    assert any("取自自然保护地图层" in w for w in v["warnings"])
    # neither layer says: a warning, and the officer is told
    v = evaluate(_result(rl), "road", {"unavoidable": True, "temporary": False}, rule_base=RB)
    assert any("无法判定红线内是否涉及自然保护地核心保护区" in w for w in v["warnings"])


# --- clauses newly encoded -------------------------------------------------------------------
def test_new_energy_precondition_and_approvals():
    """004 L948 precondition; 000 L541 用地、节能审查、环评、水资源论证; 004 L944, L930, L936."""
    v = evaluate(_result(), "wind_power", {"power_transmission_secured": True}, rule_base=RB)
    p = _zone(v, "project", "项目整体")
    assert p["verdict"] == "有条件允许" and p["source"]["line"] == 948
    steps = " ".join(s["step"] for s in v["procedures"])
    for phrase in ("节能审查", "环境影响评价", "水资源论证", "能源规划", "三线一单", "三同时", "水土保持", "电网接入和消纳"):
        assert phrase in steps, phrase
    v = evaluate(_result(), "pv_power", {"power_transmission_secured": False}, rule_base=RB)
    assert v["overall"]["verdict"] == "需人工判定"


def test_new_activities_have_rules():
    """000 L235 有序退出, 000 L239 探转采, 002 L965 人工草地, 003 L505 退耕还林."""
    res = _result(_layer("eco_redline", {"核心保护区": 500.0}))
    assert _zone(evaluate(res, "existing_noncompliant_activity", rule_base=RB), "eco_redline", "核心保护区")["source"]["line"] == 235
    res = _result(_layer("eco_redline", {"核心保护区外": 500.0}))
    z = _zone(evaluate(res, "oil_gas_exploration_to_mining", {"lawful_exploration_right": True}, rule_base=RB),
              "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许" and z["source"]["line"] == 239
    z = _zone(evaluate(_result(_layer("grassland", {"基本草原": 500.0})), "artificial_grassland", rule_base=RB),
              "grassland", "基本草原")
    assert z["verdict"] == "有条件允许" and z["source"]["line"] == 965
    z = _zone(evaluate(_result(_layer("cultivated_land", {"0103 旱地": 500.0}), county="红寺堡区"),
                       "returning_farmland_to_forest", {"sloped_or_desertified_farmland": True}, rule_base=RB),
              "cultivated_land", "0103 旱地")
    assert z["verdict"] == "有条件允许" and z["source"]["line"] == 505


# --- officer override ------------------------------------------------------------------------
def test_officer_override_keeps_the_machine_verdict():
    v = evaluate(_result(_layer("eco_redline", {"核心保护区外": 3000.0})), "pv_power", rule_base=RB)
    assert v["overall"]["verdict"] == "需人工判定"
    with pytest.raises(InputError):
        record_override(v, "eco_redline", "核心保护区外", "禁止", "  ")
    record_override(v, "eco_redline", "核心保护区外", "prohibited", "项目不属于国家重大项目（核实立项文件）",
                    officer="张三", recorded_at="2026-12-02T10:00:00")
    z = _zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "需人工判定"  # the machine verdict is kept
    assert z["officer"] == {"verdict": "禁止", "verdict_en": "prohibited", "verdict_code": "prohibited",
                            "reason": "项目不属于国家重大项目（核实立项文件）",
                            "officer": "张三", "recorded_at": "2026-12-02T10:00:00", "machine_verdict": "需人工判定"}
    assert v["overall"]["verdict"] == "禁止" and v["overall"]["machine_verdict"] == "需人工判定"
    assert v["overall"]["overridden"] is True and v["procedures"] == []
    assert v["overrides"][0]["layer_id"] == "eco_redline"
    # re-applied on a new run
    v2 = evaluate(_result(_layer("eco_redline", {"核心保护区外": 3000.0})), "pv_power", rule_base=RB,
                  overrides=v["overrides"])
    assert _zone(v2, "eco_redline", "核心保护区外")["officer"]["verdict"] == "禁止"
    text = __import__("ningxia_gis.rules.cli", fromlist=["format_verdicts"]).format_verdicts(v)
    assert "审查人员认定: 禁止 — 项目不属于国家重大项目" in text and "系统结论: 需人工判定" in text


def test_verdicts_with_override_validate_against_the_result_schema(tmp_path):
    """Every shipped scenario's result, and one with an officer override, against check_result.schema.json."""
    import jsonschema

    from ningxia_gis.review import review_file
    from ningxia_gis.paths import RESOURCES

    schema = json.loads((RESOURCES / "schema" / "check_result.schema.json").read_text(encoding="utf-8"))
    for s in load_scenarios():
        data = review_file(s.footprint, activity=s.activity, facts=s.facts).data
        jsonschema.validate(json.loads(json.dumps(data, ensure_ascii=False)), schema)
        assert data["verdicts"]["overall"]["verdict_code"] in ("prohibited", "needs_judgment", "conditional",
                                                               "permitted", "not_affected")
    z = next(z for z in data["verdicts"]["zones"] if z["decides"])
    record_override(data["verdicts"], z["layer_id"], z["zone"], "需人工判定", "现场核查发现与图层不符")
    jsonschema.validate(json.loads(json.dumps(data, ensure_ascii=False)), schema)
    with pytest.raises(InputError, match="改判须说明理由"):
        record_override(data["verdicts"], z["layer_id"], z["zone"], "禁止", "")
