"""Verdict engine on hand-built check results: every verdict class, the legal trace and the procedure."""

from __future__ import annotations

import json

import pytest

from ningxia_gis.domain.errors import InputError
from ningxia_gis.rules import evaluate, load_rule_base
from ningxia_gis.rules.model import NO_RULE_REASON, VERDICTS_STRICTEST_FIRST

FOOTPRINT_M2 = 10_000.0


def area(m2: float) -> dict:
    return {"planar_m2": m2 * 0.999, "planar_ha": m2 * 0.999 / 1e4, "planar_mu": m2 * 0.999 * 15 / 1e4,
            "ellipsoidal_m2": m2, "ellipsoidal_ha": m2 / 1e4, "ellipsoidal_mu": m2 * 15 / 1e4}


def layer(role: str, zones: dict[str, float] | None = None, *, name: str | None = None, lid: str | None = None,
          status: str | None = None) -> dict:
    """A layers[] entry; ``zones`` maps zone -> overlap m² (None / {} = not touched)."""
    zones = zones or {}
    total = sum(zones.values())
    if status is None:
        status = "occupied" if total >= 1.0 else "touching" if total > 0 else "not_touched"
    return {
        "id": lid or role, "name": name or role, "role": role, "status": status,
        "hit_count": len(zones), "area": area(total), "share_of_footprint": total / FOOTPRINT_M2,
        "by_zone": [{"zone": z, "area": area(a), "share_of_footprint": a / FOOTPRINT_M2, "piece_count": 1}
                    for z, a in zones.items()],
        "pieces": [], "warnings": [],
    }


def result(*layers: dict, county: str | None = "利通区") -> dict:
    return {
        "schema_version": "1.0",
        "sliver_threshold_m2": 1.0,
        "footprint": {"area": area(FOOTPRINT_M2)},
        "location": {"county": county, "code": "000000"} if county else None,
        "layers": list(layers),
    }


@pytest.fixture(scope="module")
def rb():
    return load_rule_base()


def zone(verdicts: dict, role: str, zone_name: str | None) -> dict:
    found = [z for z in verdicts["zones"] if z["role"] == role and z["zone"] == zone_name]
    assert len(found) == 1, [(z["role"], z["zone"]) for z in verdicts["zones"]]
    return found[0]


def trace_of(z: dict, rule_id: str) -> dict:
    return next(t for t in z["trace"] if t["rule_id"] == rule_id)


# --------------------------------------------------------------------------- 禁止
def test_pv_on_permanent_basic_farmland_is_prohibited(rb):
    v = evaluate(result(layer("permanent_basic_farmland", {"永久基本农田": 6000.0}),
                        layer("cultivated_land", {"0102 水浇地": 6000.0})), "pv_power",
                 {"national_major_project": False, "power_transmission_secured": True}, rule_base=rb)
    z = zone(v, "permanent_basic_farmland", "永久基本农田")
    assert z["verdict"] == "禁止" and z["verdict_en"] == "prohibited"
    assert z["rule_id"] == "permanent_basic_farmland.no_unauthorised_occupation"
    assert z["quote"] == "永久基本农田经依法划定后，任何单位和个人不得擅自占用或者改变其用途"
    assert z["source"]["doc"] == "S000-A" and z["source"]["file"] == "000_93e195fdba6286ab.txt"
    assert z["source"]["line"] == 157 and z["source"]["section"] == "二（二）5"
    assert z["rule_status"] == "seed"
    assert z["procedure"]["steps"] == []  # nothing to apply for: prohibited
    # cultivated land is conditional (荒地/劣地 first, 占补平衡), but the overall verdict is the strictest
    c = zone(v, "cultivated_land", "0102 水浇地")
    assert c["verdict"] == "有条件允许"
    assert "可以利用荒地的，不得占用耕地" in c["quote"] and "可以利用劣地的，不得占用好地" in c["quote"]
    # overall 禁止: the zone's steps wait (deferred) until the prohibited part is avoided
    assert c["procedure"]["steps"] == [] and any("占补平衡" in s for s in c["deferred_procedure"]["steps"])
    assert "cultivated_land.procedure.compensation_balance" in c["deferred_procedure"]["rule_ids"]
    assert v["overall"]["verdict"] == "禁止"
    assert "永久基本农田" in v["overall"]["summary_zh"] and "禁止" in v["overall"]["summary_zh"]
    # under 禁止 no to-do list: what the officer can do instead, and the part that could proceed
    assert v["procedures"] == []
    assert any(a.startswith("调整选址，避让") and "永久基本农田" in a for a in v["alternatives"])
    assert any("避让后可继续办理的部分" in a and "0102 水浇地" in a for a in v["alternatives"])


def test_prohibited_zone_over_the_whole_footprint_leaves_no_part_to_proceed(rb):
    # 永久基本农田 over all of the footprint: the 水浇地 below it cannot "proceed after avoidance"
    v = evaluate(result(layer("permanent_basic_farmland", {"永久基本农田": FOOTPRINT_M2}),
                        layer("cultivated_land", {"0102 水浇地": FOOTPRINT_M2})), "pv_power",
                 {"national_major_project": False, "power_transmission_secured": True}, rule_base=rb)
    assert v["overall"]["verdict"] == "禁止"
    assert any(a.startswith("调整选址，避让") for a in v["alternatives"])
    assert not any("避让后可继续办理的部分" in a for a in v["alternatives"])


def test_any_construction_in_core_protection_zone_is_prohibited(rb):
    for activity in ("road", "resident_housing", "tourism_facility", "nmp_transport_water", "ecological_restoration",
                     "pv_power", "mineral_exploration_mining"):
        v = evaluate(result(layer("eco_redline", {"核心保护区": 3000.0})), activity,
                     {"unavoidable": True, "expands_scale": False, "new_construction_land": True}, rule_base=rb)
        z = zone(v, "eco_redline", "核心保护区")
        assert z["verdict"] == "禁止", activity
        assert z["rule_id"] == "eco_redline.core.human_activity_prohibited"
        assert z["quote"] == "生态保护红线内，自然保护地核心保护区原则上禁止人为活动。"
        assert z["source"]["line"] == 223
        # the 9 limited activities apply only outside the core zone
        la6 = trace_of(z, "eco_redline.la6.unavoidable_linear_infrastructure")
        assert la6["matched"] is False and "核心保护区外" in la6["why"]
        assert v["overall"]["verdict"] == "禁止"


def test_development_construction_outside_core_is_prohibited(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 5000.0})), "pv_power", {"national_major_project": False},
                 rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "禁止"
    assert z["rule_id"] == "eco_redline.outside_core.development_construction_prohibited"
    assert z["quote"] == "自然保护地核心保护区外，禁止开发性、生产性建设活动"


def test_avoidable_road_in_red_line_is_not_whitelisted(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 500.0})), "road", {"unavoidable": False, "temporary": False},
                 rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "禁止"
    assert z["rule_id"] == "eco_redline.outside_core.whitelist_only"
    assert z["rule_status"] == "inferred"
    assert any("推断" in r for r in z["reasons"])
    assert "unavoidable = 否" in trace_of(z, "eco_redline.la6.unavoidable_linear_infrastructure")["why"]
    assert any("eco_redline.outside_core.whitelist_only" in n for n in v["notes"])


def test_core_zone_of_nature_reserve_is_prohibited_and_labelled_inferred(rb):
    v = evaluate(result(layer("nature_reserve", {"核心保护区": 800.0})), "tourism_facility", rule_base=rb)
    z = zone(v, "nature_reserve", "核心保护区")
    assert z["verdict"] == "禁止"
    assert z["rule_id"] == "nature_reserve.core.human_activity_prohibited"
    assert z["rule_status"] == "inferred"


# --------------------------------------------------------------------------- 有条件允许
def test_unavoidable_road_outside_core_is_conditional_with_regional_determination_chain(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 2500.0}, name="生态保护红线")), "road",
                 {"unavoidable": True, "new_construction_land": True, "temporary": False,
                  "national_major_project": False}, rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许" and z["verdict_en"] == "conditionally permitted"
    assert z["rule_id"] == "eco_redline.la6.unavoidable_linear_infrastructure"
    assert z["quote"].startswith("必须且无法避让、符合县级以上国土空间规划的线性基础设施")
    assert z["source"] == {**z["source"], "doc": "S000-B", "section": "二（一）2", "line": 225}
    assert any("必须且无法避让" in c for c in z["conditions"])
    proc = z["procedure"]
    # county -> city -> 自治区 认定, with the 认定意见 attached to the land application
    assert proc["论证"].startswith("县（市、区）人民政府组织")
    assert proc["审核"] == "设区的市人民政府审核"
    assert proc["认定/审批"] == "提请自治区人民政府认定"
    assert proc["attachments"] == ["建设用地报批时附自治区人民政府认定意见"]
    # the L243 chain, then the road's 合理避让 note of 宁政发〔2021〕39号 (002 L177)
    assert proc["rule_ids"] == ["eco_redline.procedure.limited_activity_new_construction_land",
                                "eco_redline.procedure.transport_reasonable_avoidance"]
    steps = proc["steps"]
    assert [s.split("：")[0] for s in steps] == ["论证", "审核", "认定/审批", "附件", "交通基础设施"]
    assert steps.index("审核：设区的市人民政府审核") < steps.index("认定/审批：提请自治区人民政府认定")
    chain_rule = rb.rule("eco_redline.procedure.limited_activity_new_construction_land")
    assert "由设区的市人民政府审核后，提请自治区人民政府认定" in chain_rule.quote
    # the trace says which rules matched and which were excluded and why
    t = trace_of(z, "eco_redline.core.human_activity_prohibited")
    assert t["matched"] is False and "分区不符" in t["why"]
    t = trace_of(z, "eco_redline.outside_core.whitelist_only")
    assert t["matched"] is True and t["state"] == "superseded"
    t = trace_of(z, "eco_redline.procedure.limited_activity_no_new_construction_land")
    assert t["matched"] is False and "new_construction_land = 是" in t["why"]
    assert v["overall"]["verdict"] == "有条件允许"
    assert [p["step"] for p in v["procedures"]] == steps
    assert v["procedures"][0]["zones"] == ["生态保护红线（核心保护区外）"]
    json.dumps(v, ensure_ascii=False)  # JSON-ready


def test_road_without_new_construction_land_gets_same_level_determination(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 2500.0})), "road",
                 {"unavoidable": True, "new_construction_land": False, "temporary": False}, rule_base=rb)
    proc = zone(v, "eco_redline", "核心保护区外")["procedure"]
    assert proc["rule_ids"] == ["eco_redline.procedure.limited_activity_no_new_construction_land",
                                "eco_redline.procedure.transport_reasonable_avoidance"]
    assert proc["论证"].startswith("市、县（区）自然资源主管部门组织")
    assert proc["认定/审批"] == "同级人民政府认定"
    assert proc["attachments"] == ["办理相关行政许可审批手续时附认定意见"]


def test_national_major_project_with_new_land_gets_regional_demonstration_opinion(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 9000.0})), "nmp_transport_water",
                 {"new_construction_land": True, "unavoidable": True, "temporary": False}, rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许"
    assert z["rule_id"] == "eco_redline.nmp3.national_plan_transport_water"
    assert z["quote"] == "国家级规划（指国务院及其有关部门正式颁布）明确的交通、水利项目"
    assert z["procedure"]["认定/审批"] == "报自治区人民政府组织论证"
    assert "建设用地报批时附自治区人民政府论证意见" in z["procedure"]["attachments"]
    assert v["activity"]["national_major_project_class"] == 3
    assert v["activity"]["facts"]["national_major_project"] is True


def test_pv_declared_national_major_project_escapes_the_construction_ban(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 9000.0})), "pv_power",
                 {"national_major_project": True, "unavoidable": True, "new_construction_land": False}, rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许"
    assert z["rule_id"] == "eco_redline.nmp.declared_national_major_project"
    assert z["procedure"]["rule_ids"][-1] == "eco_redline.procedure.nmp_no_new_construction_land"


def test_temporary_land_in_red_line_is_approved_by_the_city_natural_resources_department(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 300.0})), "temporary_land", {"unavoidable": True},
                 rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许"
    assert z["rule_id"] == "eco_redline.temporary_land.unavoidable"
    assert "涉及生态保护红线的临时用地，由设区的市自然资源主管部门负责审批。" in z["quote"]
    assert z["procedure"]["认定/审批"] == "设区的市自然资源主管部门负责审批临时用地"
    assert z["procedure"]["论证"].startswith("市、县（区）自然资源主管部门组织")


def test_urban_centralised_area_needs_detailed_plan_and_permit(rb):
    v = evaluate(result(layer("urban_boundary", {"城镇集中建设区": FOOTPRINT_M2})), "urban_residential", rule_base=rb)
    z = zone(v, "urban_boundary", "城镇集中建设区")
    assert z["verdict"] == "有条件允许"
    assert "“详细规划+规划许可”" in z["quote"]
    assert z["procedure"]["attachments"] == ["规划许可"]
    # wholly inside: no 城镇开发边界外 zone at all, and the relation is stated once
    assert [e["zone"] for e in v["zones"] if e["role"] == "urban_boundary"] == ["城镇集中建设区"]
    assert v["overall"]["urban_boundary_relation"]["code"] == "inside"


def test_part_outside_urban_boundary_is_judged_with_quota_and_zone_access(rb):
    v = evaluate(result(layer("urban_boundary", {"城镇集中建设区": 4000.0})), "road", rule_base=rb)
    outside = zone(v, "urban_boundary", "城镇开发边界外")
    assert outside["share_of_footprint"] == pytest.approx(0.6)
    assert outside["area"]["ellipsoidal_m2"] == pytest.approx(6000.0)
    assert outside["status"] == "occupied"
    assert outside["verdict"] == "有条件允许"
    assert "“约束指标+分区准入”" in outside["quote"]
    assert outside["rule_id"] == "urban_boundary.outside.dominant_use_zoning_access"
    # urban housing outside the boundary is not simply conditional (inferred rule, labelled)
    v = evaluate(result(layer("urban_boundary")), "urban_residential", rule_base=rb)
    outside = zone(v, "urban_boundary", "城镇开发边界外")
    assert outside["share_of_footprint"] == pytest.approx(1.0)
    assert outside["verdict"] == "需人工判定" and outside["rule_status"] == "inferred"
    # one entry for the urban boundary, no 「城镇开发边界: 不涉及」 beside it
    assert [e["zone"] for e in v["zones"] if e["role"] == "urban_boundary"] == ["城镇开发边界外"]
    assert v["overall"]["urban_boundary_relation"]["code"] == "outside"


def test_grassland_occupation_pre_review_and_basic_grassland(rb):
    v = evaluate(result(layer("grassland", {"一般草原": 7000.0, "基本草原": 2000.0})), "pv_power",
                 {"desertified_grassland": True, "power_transmission_secured": True}, rule_base=rb)
    general = zone(v, "grassland", "一般草原")
    assert general["verdict"] == "有条件允许"
    assert general["quote"] == "鼓励优先使用沙漠等未利用地或工矿废弃地建设光伏、风电项目，科学合理使用荒漠化草地。"
    assert any("先预审、再立项、后建设" in s for s in general["deferred_procedure"]["steps"])  # overall 禁止
    assert general["rule_id"] == "grassland.general.pv_wind_desertified_grassland"
    basic = zone(v, "grassland", "基本草原")
    assert basic["verdict"] == "禁止"
    assert "确保基本草原面积不减少、质量不下降、用途不改变" in basic["quote"]
    assert basic["rule_status"] == "inferred"
    assert v["overall"]["verdict"] == "禁止"
    v = evaluate(result(layer("grassland", {"一般草原": 7000.0})), "road", rule_base=rb)
    z = zone(v, "grassland", "一般草原")
    assert z["rule_id"] == "grassland.general.occupation_prereview"
    assert "“先预审、再立项、后建设”" in z["quote"]


def test_grazing_needs_regional_government_decision(rb):
    v = evaluate(result(layer("grassland", {"一般草原": 7000.0})), "grazing", {"regional_grazing_decision": True},
                 rule_base=rb)
    z = zone(v, "grassland", "一般草原")
    assert z["verdict"] == "有条件允许"
    assert z["procedure"]["认定/审批"] == "自治区人民政府决定开展季节性放牧或划区轮牧"
    assert "经科学论证后，自治区人民政府可决定开展季节性放牧或划区轮牧" in z["quote"]


# --------------------------------------------------------------------------- 允许
def test_resident_housing_without_expansion_is_permitted_and_exempt_from_demonstration(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 150.0})), "resident_housing",
                 {"expands_scale": False, "new_construction_land": False, "temporary": False}, rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "允许" and z["verdict_en"] == "permitted"
    assert z["rule_id"] == "eco_redline.la2.residents_housing_exempt_from_demonstration"
    assert z["quote"] == "原住民和其他合法权益主体在不扩大现有建设用地范围和规模的前提下修筑住房的，可免于论证。"
    assert z["source"]["section"] == "二（二）7" and z["source"]["line"] == 243
    proc = z["procedure"]
    assert proc["exempt"] == ["论证"] and proc["论证"] is None
    # an exemption is not a step
    assert proc["steps"] == [] and proc["exemptions"] == ["免于论证"]
    assert v["procedures"] == [] and v["exemptions"] == ["免于论证"]
    # the approval chains are excluded by the exemption, and the trace says so
    for rid in ("eco_redline.procedure.limited_activity_new_construction_land",
                "eco_redline.procedure.limited_activity_no_new_construction_land"):
        t = trace_of(z, rid)
        assert t["matched"] is False and "免于论证" in t["why"]
    la2 = trace_of(z, "eco_redline.la2.residents_production_no_expansion")
    assert la2["matched"] is True and la2["state"] == "superseded"
    assert v["overall"]["verdict"] == "允许"


def test_resident_housing_that_expands_is_not_permitted(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 150.0})), "resident_housing", {"expands_scale": True, "temporary": False},
                 rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "禁止"
    assert trace_of(z, "eco_redline.la2.residents_housing_exempt_from_demonstration")["matched"] is False


def test_grassland_restoration_is_permitted(rb):
    v = evaluate(result(layer("grassland", {"基本草原": 5000.0})), "ecological_restoration",
                 {"listed_restoration_measure": True}, rule_base=rb)
    z = zone(v, "grassland", "基本草原")
    assert z["verdict"] == "允许"
    assert "禁牧封育、免耕补播、松土施肥、鼠虫害防治" in z["quote"]


# --------------------------------------------------------------------------- 不涉及
def test_project_touching_nothing_is_not_affected(rb):
    v = evaluate(result(layer("eco_redline"), layer("nature_reserve"), layer("permanent_basic_farmland"),
                        layer("cultivated_land"), layer("grassland"),
                        {"id": "xzq", "name": "县级行政区", "role": "admin_boundary", "status": "occupied",
                         "area": area(FOOTPRINT_M2), "share_of_footprint": 1.0,
                         "by_zone": [{"zone": "利通区", "area": area(FOOTPRINT_M2), "share_of_footprint": 1.0,
                                      "piece_count": 1}]}),
                 "industrial_project", rule_base=rb)
    assert v["overall"]["verdict"] == "不涉及" and v["overall"]["verdict_en"] == "not affected"
    assert {z["role"] for z in v["zones"]} == {"eco_redline", "nature_reserve", "permanent_basic_farmland",
                                                "cultivated_land", "grassland"}  # admin boundary is no control layer
    for z in v["zones"]:
        assert z["verdict"] == "不涉及" and z["status"] == "not_touched" and z["rule_id"] is None
    assert v["procedures"] == []
    assert "未占用" in v["overall"]["summary_zh"]


def test_sliver_touching_is_not_occupation(rb):
    v = evaluate(result(layer("cultivated_land", {"0101 水田": 0.4})), "road", rule_base=rb)
    z = zone(v, "cultivated_land", "0101 水田")
    assert z["status"] == "touching"
    assert z["verdict"] == "不涉及" and z["verdict_if_occupied"] == "有条件允许"
    v = evaluate(result(layer("eco_redline", {"核心保护区": 0.3})), "road", rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区")
    assert z["verdict"] == "需人工判定" and z["verdict_if_occupied"] == "禁止"
    assert "核实" in z["reasons"][0]


# --------------------------------------------------------------------------- 需人工判定
def test_seeds_silent_gives_needs_judgment_no_rule(rb):
    # the seeds have no rule for the urban flexible-development area, nor for temporary land on farmland
    v = evaluate(result(layer("urban_boundary", {"城镇弹性发展区": FOOTPRINT_M2})), "industrial_project", rule_base=rb)
    z = zone(v, "urban_boundary", "城镇弹性发展区")
    assert z["verdict"] == "需人工判定" and z["verdict_en"] == "needs human judgment"
    assert z["rule_id"] is None and z["quote"] is None
    assert z["reasons"][0] == NO_RULE_REASON == "源文件中无相应规定 (no rule in the source documents)"
    assert all(t["matched"] is False for t in z["trace"])
    v = evaluate(result(layer("cultivated_land", {"0103 旱地": 800.0})), "temporary_land", rule_base=rb)
    z = zone(v, "cultivated_land", "0103 旱地")
    assert z["verdict"] == "需人工判定" and z["reasons"] == [NO_RULE_REASON]
    assert v["overall"]["verdict"] == "需人工判定"


def test_unknown_fact_makes_verdict_pending_with_the_question(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 2500.0})), "road", rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "需人工判定"
    assert z["rule_id"] == "eco_redline.la6.unavoidable_linear_infrastructure"
    assert trace_of(z, z["rule_id"])["state"] == "pending"
    assert any("必须且无法避让" in r for r in z["reasons"])
    # every question the verdict depends on, at once (temporary land would change it too: L247)
    assert [q["fact"] for q in v["open_questions"]] == ["unavoidable", "temporary"]
    assert all(q["affects"] == "verdict" for q in v["open_questions"])
    # national_major_project cannot change this verdict: shown as assumed, not asked
    assert {"fact": "national_major_project", "value": False, "label": "未回答，按否处理"} in z["assumed"]
    # once unavoidable is known, the open question is the land question deciding the approval chain
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 2500.0})), "road", {"unavoidable": "是"}, rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "有条件允许"
    assert [q["fact"] for q in v["open_questions"]] == ["new_construction_land"]
    assert any("审批程序待定" in r for r in z["reasons"])


def test_law_allowed_other_activity_needs_judgment_with_quote(rb):
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 100.0})), "other_lawful_activity", {"temporary": False},
                 rule_base=rb)
    z = zone(v, "eco_redline", "核心保护区外")
    assert z["verdict"] == "需人工判定"
    assert z["quote"] == "法律法规规定允许的其他人为活动"


def test_unclassified_zone_needs_judgment(rb):
    v = evaluate(result(layer("eco_redline", {"生态保护红线": 100.0})), "road", {"unavoidable": True}, rule_base=rb)
    z = zone(v, "eco_redline", "生态保护红线")
    assert z["verdict"] == "需人工判定"
    assert z["reasons"][0] == NO_RULE_REASON
    assert "未区分管控分区" in z["reasons"][1]


# --------------------------------------------------------------------------- 红寺堡-only rules
def test_hongsibao_rules_apply_only_in_hongsibao(rb):
    res = result(layer("urban_boundary", {"城镇集中建设区": FOOTPRINT_M2}), county="红寺堡区")
    v = evaluate(res, "industrial_project", {"in_industrial_park": False}, rule_base=rb)
    z = zone(v, "urban_boundary", "城镇集中建设区")
    assert z["verdict"] == "禁止"
    assert z["rule_id"] == "urban_boundary.hongsibao.industry_inside_parks_only"
    assert z["applies_in"] == ["红寺堡区"]
    assert z["quote"] == "所有工业企业原则上一律入园，工业园区（集聚区）以外不再新建、扩建工业项目。"
    assert z["source"]["file"] == "003_5bc54e265a956e1a.txt"
    # the verdict is about being outside an industrial park, not about the 城镇集中建设区
    assert z["verdict_scope"] == "工业园区（集聚区）以外的工业项目"
    assert "工业园区（集聚区）以外的工业项目（位于城镇集中建设区）：禁止" in v["overall"]["summary_zh"]
    assert "城镇集中建设区）：禁止" not in v["overall"]["summary_zh"].replace("（位于城镇集中建设区）：禁止", "")
    # elsewhere the same project only needs the detailed plan and permit
    v = evaluate(result(layer("urban_boundary", {"城镇集中建设区": FOOTPRINT_M2}), county="利通区"),
                 "industrial_project", {"in_industrial_park": False}, rule_base=rb)
    z = zone(v, "urban_boundary", "城镇集中建设区")
    assert z["verdict"] == "有条件允许"
    t = trace_of(z, "urban_boundary.hongsibao.industry_inside_parks_only")
    assert t["matched"] is False and "仅适用于红寺堡区" in t["why"] and "利通区" in t["why"]
    # location unknown: not applied, and said so
    v = evaluate(result(layer("urban_boundary", {"城镇集中建设区": FOOTPRINT_M2}), county=None),
                 "industrial_project", {"in_industrial_park": False}, rule_base=rb)
    assert zone(v, "urban_boundary", "城镇集中建设区")["verdict"] == "有条件允许"
    assert any("县（区）未知" in n for n in v["notes"])


def test_hongsibao_grazing_ban_and_protected_area_extraction_ban(rb):
    v = evaluate(result(layer("grassland", {"一般草原": 5000.0}), county="红寺堡区"), "grazing", rule_base=rb)
    z = zone(v, "grassland", "一般草原")
    assert z["verdict"] == "禁止" and z["rule_id"] == "grassland.hongsibao.mountain_closure_grazing_ban"
    v = evaluate(result(layer("nature_reserve", {"核心保护区外": 5000.0}), county="红寺堡区"),
                 "mineral_exploration_mining", rule_base=rb)
    z = zone(v, "nature_reserve", "核心保护区外")
    assert z["verdict"] == "禁止" and "全面禁伐、禁采、禁火、禁猎" in z["quote"]


# --------------------------------------------------------------------------- output shape
def test_output_layout_and_strictness_order(rb):
    assert VERDICTS_STRICTEST_FIRST == ("禁止", "需人工判定", "有条件允许", "允许", "不涉及")
    v = evaluate(result(layer("eco_redline", {"核心保护区外": 150.0}), layer("cultivated_land", {"0103 旱地": 50.0})),
                 "resident_housing", {"expands_scale": False, "new_construction_land": False, "temporary": False},
                 rule_base=rb)
    assert set(v) >= {"activity", "overall", "zones", "procedures", "rule_set", "notes"}
    assert set(v["activity"]) >= {"id", "name_zh", "name_en", "facts"}
    assert set(v["overall"]) >= {"verdict", "verdict_en", "summary_zh"}
    for z in v["zones"]:
        assert set(z) >= {"layer_id", "layer_name", "role", "zone", "status", "area", "share_of_footprint", "verdict",
                          "verdict_en", "rule_id", "rule_status", "quote", "source", "conditions", "procedure",
                          "reasons", "trace"}
        for t in z["trace"]:
            assert set(t) >= {"rule_id", "matched", "why"}
    # 允许 (red line) vs 有条件允许 (cultivated land): the stricter wins
    assert v["overall"]["verdict"] == "有条件允许"
    assert v["rule_set"]["version"] == rb.version
    assert {f["path"].split("/")[-1] for f in v["rule_set"]["files"]} >= {"eco_redline.yaml", "sources.yaml"}
    assert all(len(f["sha256"]) == 64 for f in v["rule_set"]["files"])
    assert any("external" in n for n in v["notes"])
    json.loads(json.dumps(v, ensure_ascii=False))


def test_activity_lookup_by_name_and_unknown_activity(rb):
    v = evaluate(result(layer("eco_redline")), "光伏发电", rule_base=rb)
    assert v["activity"]["id"] == "pv_power"
    v = evaluate(result(layer("eco_redline")), "Wind power", rule_base=rb)
    assert v["activity"]["id"] == "wind_power"
    with pytest.raises(InputError, match="unknown activity"):
        evaluate(result(layer("eco_redline")), "spaceport", rule_base=rb)
    with pytest.raises(InputError, match="unknown fact"):
        evaluate(result(layer("eco_redline")), "road", {"is_nice": True}, rule_base=rb)


def test_default_rule_base_is_the_shipped_one():
    v = evaluate(result(layer("permanent_basic_farmland", {"永久基本农田": 100.0})), "pv_power",
                 {"national_major_project": False, "power_transmission_secured": True})
    assert v["overall"]["verdict"] == "禁止"
