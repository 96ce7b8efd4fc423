"""Scenario tests written from the seed text, one per clause of issue 12's "Clauses to encode" and per
clause added when every seed was read again: activity, facts, zone → verdict, and the clause (seed file,
line, quote) that decides it or whose procedure step it adds.

The clause text is checked here against the seed file itself (not only through the rule base), and
docs/rules.md must list every rule under its seed file and line.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ningxia_gis.paths import RESOURCES
from ningxia_gis.rules import evaluate, list_activities, load_rule_base
from ningxia_gis.rules.cite import cite

RB = load_rule_base()
FP = 10_000.0
ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("NINGXIA_GIS_SEEDS") or ROOT.parent / "shared" / "seeds")
NAMES = {"eco_redline": "生态保护红线", "nature_reserve": "自然保护地", "urban_boundary": "城镇开发边界",
         "grassland": "草原", "permanent_basic_farmland": "永久基本农田", "cultivated_land": "耕地"}


def _a(m2):
    return {"planar_m2": m2, "planar_ha": m2 / 1e4, "planar_mu": m2 * 15 / 1e4,
            "ellipsoidal_m2": m2, "ellipsoidal_ha": m2 / 1e4, "ellipsoidal_mu": m2 * 15 / 1e4}


def _result(role=None, zone=None, county="利通区", m2=4000.0):
    layers = []
    if role:
        layers.append({"id": role, "name": NAMES[role], "role": role, "status": "occupied", "area": _a(m2),
                       "share_of_footprint": m2 / FP,
                       "by_zone": [{"zone": zone, "area": _a(m2), "share_of_footprint": m2 / FP, "piece_count": 1}],
                       "pieces": [{"zone": zone, "attributes": {"ZRBHDFQ": zone}}]})
    return {"schema_version": "1.0", "sliver_threshold_m2": 1.0, "footprint": {"area": _a(FP)},
            "location": {"county": county}, "layers": layers}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _seed_lines(doc_key: str) -> list[str]:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"seed documents not found at {SEEDS}; CI must check every clause")
        pytest.skip(f"seed documents not found at {SEEDS}")
    return (SEEDS / RB.sources[doc_key].seed_file).read_text(encoding="utf-8").splitlines()


def _assert_clause(rule_id: str, seed: str, line: int) -> None:
    """The rule cites ``seed`` file at ``line`` and its quote is on that line of the seed text."""
    r = RB.rule(rule_id)
    src = RB.sources[r.source.doc]
    assert src.seed_file.startswith(seed + "_"), (rule_id, src.seed_file)
    assert r.source.line == line, (rule_id, r.source.line)
    text = _seed_lines(r.source.doc)
    # the OCR text breaks sentences across lines and page breaks: the quote lies on line..last_line
    window = _norm("".join(text[line - 1:r.source.last_line + 1]))
    assert _norm(r.quote) in window, (rule_id, r.quote)


@dataclass(frozen=True)
class Case:
    clause: str                      # "004 L948": seed file prefix and line of the deciding clause
    activity: str
    facts: dict
    role: str | None                 # None → the project entry (项目整体)
    zone: str | None
    verdict: str
    rule: str | None
    county: str = "利通区"
    procedures: tuple = ()           # procedure rules (id, seed, line) that must attach
    not_procedures: tuple = ()       # procedure rules that must not attach
    open_fact: str | None = None     # a question that must be asked
    phrases: tuple = field(default=())  # phrases of the zone's steps


NE = {"power_transmission_secured": True}
CASES = [
    # ---- energy plans (issue: 004 L948, 000 L495 / 004 L751, 004 L753, 000 L541, 004 L944, L930, L936)
    Case("004 L948", "pv_power", NE, None, None, "有条件允许",
         "project.new_energy.transmission_consumption_precondition",
         procedures=(("project.procedure.siting_desert_gobi_subsidence", "000", 495),
                     ("project.procedure.pv_siting_large_centralised", "004", 751),
                     ("project.procedure.energy_project_approvals", "000", 541),
                     ("project.procedure.prefer_unused_or_derelict_land", "000", 541),
                     ("project.procedure.approval_based_on_energy_plan", "004", 944),
                     ("project.procedure.three_lines_one_list", "004", 930),
                     ("project.procedure.three_simultaneous", "004", 930)),
         not_procedures=("project.procedure.wind_grid_access_consumption", "project.procedure.wind_soil_water_conservation",
                         "project.procedure.pv_plus_distributed"),
         phrases=("节能审查", "环境影响评价", "水资源论证", "项目用地审批", "三线一单", "三同时", "能源规划",
                  "沙漠等未利用地或工矿废弃地")),
    Case("004 L948", "pv_power", {"power_transmission_secured": False}, None, None, "需人工判定",
         "project.new_energy.precondition_not_met"),
    Case("004 L948", "wind_power", {}, None, None, "需人工判定",
         "project.new_energy.transmission_consumption_precondition", open_fact="power_transmission_secured"),
    Case("004 L948", "wind_power", NE, None, None, "有条件允许",
         "project.new_energy.transmission_consumption_precondition",
         procedures=(("project.procedure.wind_grid_access_consumption", "004", 753),
                     ("project.procedure.wind_soil_water_conservation", "004", 936),
                     ("project.procedure.siting_desert_gobi_subsidence", "000", 495)),
         not_procedures=("project.procedure.pv_siting_large_centralised",),
         phrases=("电网接入和消纳", "水土保持")),
    # ---- 光伏+农业 / 复合光伏 (004 L751, 000 L495, 003 L363–365)
    Case("004 L948", "pv_agrivoltaic", NE, None, None, "有条件允许",
         "project.new_energy.transmission_consumption_precondition",
         procedures=(("project.procedure.pv_plus_distributed", "004", 751),
                     ("project.procedure.pv_plus_ecology_combined_use", "000", 495)),
         not_procedures=("project.procedure.hongsibao.pv_combined_use",), phrases=("分布式“光伏+”",)),
    Case("004 L948", "pv_agrivoltaic", NE, None, None, "有条件允许",
         "project.new_energy.transmission_consumption_precondition", county="红寺堡区",
         procedures=(("project.procedure.hongsibao.pv_combined_use", "003", 365),), phrases=("设施农业",)),
    Case("000 L155", "pv_agrivoltaic", {"wasteland_available": False}, "cultivated_land", "0102 水浇地", "需人工判定",
         "cultivated_land.pv_agrivoltaic.non_agricultural_check"),
    Case("000 L157", "pv_agrivoltaic", {"national_major_project": False}, "permanent_basic_farmland", "永久基本农田",
         "禁止", "permanent_basic_farmland.no_unauthorised_occupation"),
    Case("000 L223", "pv_agrivoltaic", {"national_major_project": False}, "eco_redline", "核心保护区外", "禁止",
         "eco_redline.outside_core.development_construction_prohibited"),
    # ---- 自然保护地 facilities (000 L171, 003 L516 / L521)
    Case("000 L171", "management_research_facility", {}, "nature_reserve", "核心保护区外", "有条件允许",
         "nature_reserve.outside_core.capacity_building_facilities"),
    Case("000 L171", "road", {}, "nature_reserve", "核心保护区外", "需人工判定",
         "nature_reserve.outside_core.entry_requirements"),
    Case("003 L516", "tourism_facility", {}, "nature_reserve", "核心保护区外", "有条件允许",
         "nature_reserve.hongsibao.public_service_facilities", county="红寺堡区"),
    Case("003 L521", "management_research_facility", {}, "nature_reserve", "核心保护区外", "有条件允许",
         "nature_reserve.hongsibao.protection_monitoring_facilities", county="红寺堡区"),
    # ---- 已存在的不符合准入要求的人为活动 (000 L235; 003 L501 for the 红寺堡 core zones)
    Case("000 L235", "existing_noncompliant_activity", {}, "eco_redline", "核心保护区", "需人工判定",
         "eco_redline.existing_noncompliant.manage_or_exit"),
    Case("000 L235", "existing_noncompliant_activity", {}, "nature_reserve", "核心保护区", "需人工判定",
         "nature_reserve.existing_noncompliant.manage_or_exit"),
    Case("003 L501", "existing_noncompliant_activity", {}, "nature_reserve", "核心保护区", "需人工判定",
         "nature_reserve.hongsibao.core_zone_existing_exit", county="红寺堡区"),
    # ---- 油气探矿权转采矿权 (000 L239)
    Case("000 L239", "oil_gas_exploration_to_mining", {"lawful_exploration_right": True}, "eco_redline", "核心保护区外",
         "有条件允许", "eco_redline.oil_gas_exploration_right_to_mining"),
    Case("000 L223", "oil_gas_exploration_to_mining", {"lawful_exploration_right": True}, "eco_redline", "核心保护区",
         "禁止", "eco_redline.core.human_activity_prohibited"),
    # ---- 草原 (002 L959–L981) and 人工草地建设 (002 L965)
    Case("002 L965", "artificial_grassland", {}, "grassland", "基本草原", "有条件允许",
         "grassland.artificial_grassland.suitable_conditions"),
    Case("002 L965", "ecological_restoration", {"listed_restoration_measure": True}, "grassland", "基本草原", "允许",
         "grassland.restoration.degraded_grassland_measures"),
    Case("002 L959", "wind_power", {}, "grassland", "基本草原", "禁止",
         "grassland.basic.development_construction_prohibited"),
    Case("000 L541", "pv_power", {"desertified_grassland": True}, "grassland", "一般草原", "有条件允许",
         "grassland.general.pv_wind_desertified_grassland"),
    Case("002 L959", "road", {}, "grassland", "一般草原", "有条件允许", "grassland.general.occupation_prereview",
         phrases=("先预审、再立项、后建设",)),
    Case("002 L981", "tourism_facility", {}, "grassland", "一般草原", "有条件允许",
         "grassland.general.tourism_on_protection_basis"),
    # ---- residents' grazing (000 L225 ②, 002 L959–961, 003 L499)
    Case("000 L225", "resident_grazing", {"expands_scale": False}, "eco_redline", "核心保护区外", "有条件允许",
         "eco_redline.la2.residents_production_no_expansion"),
    Case("000 L225", "grazing", {"by_residents": True, "expands_scale": False}, "eco_redline", "核心保护区外",
         "有条件允许", "eco_redline.la2.residents_production_no_expansion"),
    Case("002 L961", "resident_grazing", {"regional_grazing_decision": True}, "grassland", "一般草原", "有条件允许",
         "grassland.grazing.seasonal_rotational_by_regional_decision", phrases=("自治区人民政府决定",)),
    Case("002 L959", "resident_grazing", {"regional_grazing_decision": False}, "grassland", "一般草原", "禁止",
         "grassland.grazing.ban_without_regional_decision"),
    Case("003 L499", "resident_grazing", {"regional_grazing_decision": True}, "grassland", "一般草原", "禁止",
         "grassland.hongsibao.mountain_closure_grazing_ban", county="红寺堡区"),
    # ---- 退耕还林 (003 L505)
    Case("003 L505", "returning_farmland_to_forest", {"sloped_or_desertified_farmland": True}, "cultivated_land",
         "0103 旱地", "有条件允许", "cultivated_land.hongsibao.returning_sloped_desertified_farmland", county="红寺堡区"),
    Case("000 L157", "returning_farmland_to_forest", {}, "permanent_basic_farmland", "永久基本农田", "禁止",
         "permanent_basic_farmland.no_unauthorised_occupation"),
    # ---- 耕地 (000 L155, L159; 000 L379 节地; 003 L478 优先保护类耕地)
    Case("000 L155", "road", {"wasteland_available": False}, "cultivated_land", "0101 水田", "有条件允许",
         "cultivated_land.non_agricultural_construction.minimise",
         procedures=(("cultivated_land.procedure.compensation_balance", "000", 155),
                     ("cultivated_land.procedure.land_saving_review", "000", 379)),
         phrases=("占补平衡", "节地技术和节地模式")),
    Case("000 L155", "road", {"wasteland_available": True}, "cultivated_land", "0101 水田", "禁止",
         "cultivated_land.wasteland_available.prohibited"),
    Case("000 L159", "farmland_improvement", {}, "cultivated_land", "0103 旱地", "允许",
         "cultivated_land.improvement.consolidation_high_standard"),
    Case("003 L478", "industrial_project",
         {"priority_protected_farmland": True, "soil_pollution_risk": True, "wasteland_available": False},
         "cultivated_land", "0102 水浇地", "禁止",
         "cultivated_land.hongsibao.no_polluting_industry_in_priority_protected_farmland", county="红寺堡区"),
    Case("000 L155", "industrial_project",
         {"priority_protected_farmland": True, "soil_pollution_risk": True, "wasteland_available": False},
         "cultivated_land", "0102 水浇地", "有条件允许", "cultivated_land.non_agricultural_construction.minimise"),
    # ---- transport infrastructure 合理避让 (宁政发〔2021〕39号 五、（十六）, 002 L177)
    Case("000 L225", "road", {"unavoidable": True, "new_construction_land": True, "temporary": False,
                              "national_major_project": False}, "eco_redline", "核心保护区外", "有条件允许",
         "eco_redline.la6.unavoidable_linear_infrastructure",
         procedures=(("eco_redline.procedure.limited_activity_new_construction_land", "000", 243),
                     ("eco_redline.procedure.transport_reasonable_avoidance", "002", 177)),
         phrases=("合理避让生态保护红线",)),
    Case("000 L227", "railway", {"national_major_project": True, "unavoidable": True, "new_construction_land": True,
                                 "temporary": False},
         "eco_redline", "核心保护区外", "有条件允许", "eco_redline.nmp.declared_national_major_project",
         procedures=(("eco_redline.procedure.nmp_new_construction_land", "000", 245),
                     ("eco_redline.procedure.transport_reasonable_avoidance", "002", 177))),
    # a national-plan 交通、水利 project may be a water project: the transport note is not added to it
    Case("000 L227", "nmp_transport_water", {"unavoidable": True, "new_construction_land": True, "temporary": False},
         "eco_redline", "核心保护区外", "有条件允许", "eco_redline.nmp3.national_plan_transport_water",
         procedures=(("eco_redline.procedure.nmp_new_construction_land", "000", 245),),
         not_procedures=("eco_redline.procedure.transport_reasonable_avoidance",)),
    Case("000 L225", "pipeline", {"unavoidable": True, "new_construction_land": True, "temporary": False,
                                  "national_major_project": False}, "eco_redline", "核心保护区外", "有条件允许",
         "eco_redline.la6.unavoidable_linear_infrastructure",
         not_procedures=("eco_redline.procedure.transport_reasonable_avoidance",)),
    Case("000 L157", "railway", {"national_major_project": True, "unavoidable": True}, "permanent_basic_farmland",
         "永久基本农田", "有条件允许", "permanent_basic_farmland.major_project_occupation",
         procedures=(("permanent_basic_farmland.procedure.transport_reasonable_avoidance", "002", 177),),
         phrases=("合理避让永久基本农田",)),
]


def _zone(v, case: Case) -> dict:
    role, zone = (case.role, case.zone) if case.role else ("project", "项目整体")
    return next(z for z in v["zones"] if z["role"] == role and z["zone"] == zone)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.clause}-{c.activity}-{c.zone or '项目整体'}-{c.county}"
                                             for c in CASES])
def test_seed_clause_scenario(case: Case):
    v = evaluate(_result(case.role, case.zone, case.county), case.activity, case.facts, rule_base=RB)
    z = _zone(v, case)
    assert z["verdict"] == case.verdict, (z["verdict"], z.get("rule_id"), z.get("reasons"))
    assert z["rule_id"] == case.rule
    seed, line = case.clause.split(" L")
    _assert_clause(case.rule, seed, int(line))
    assert z["source"]["line"] == int(line) and z["quote"] == RB.rule(case.rule).quote
    rule_ids = z["procedure"].get("rule_ids", [])
    for pid, pseed, pline in case.procedures:
        assert pid in rule_ids, (pid, rule_ids)
        _assert_clause(pid, pseed, pline)
    for pid in case.not_procedures:
        assert pid not in rule_ids, pid
    steps = " ".join(z["procedure"].get("steps", []))
    for phrase in case.phrases:
        assert phrase in steps, (phrase, steps)
    if case.open_fact:
        assert case.open_fact in [q["fact"] for q in v["open_questions"]]
    if case.verdict == "禁止":
        assert z["procedure"].get("steps", []) == []


def test_every_rule_added_when_the_seeds_were_read_again_has_a_scenario():
    """The clauses encoded in rule base 2.1.0 each decide or add a step in a scenario above."""
    added = {"eco_redline.procedure.transport_reasonable_avoidance",
             "permanent_basic_farmland.procedure.transport_reasonable_avoidance",
             "project.procedure.prefer_unused_or_derelict_land", "project.procedure.pv_plus_ecology_combined_use",
             "project.procedure.pv_plus_distributed", "cultivated_land.procedure.land_saving_review",
             "cultivated_land.hongsibao.no_polluting_industry_in_priority_protected_farmland",
             "nature_reserve.existing_noncompliant.manage_or_exit", "nature_reserve.hongsibao.core_zone_existing_exit"}
    covered = {c.rule for c in CASES} | {p[0] for c in CASES for p in c.procedures}
    assert added <= covered, added - covered
    assert all(RB.rule(r) is not None for r in added)


def test_transport_avoidance_is_cited_by_document_number_and_article():
    r = RB.rule("eco_redline.procedure.transport_reasonable_avoidance")
    assert cite(RB.sources[r.source.doc], r.source.section) == (
        "《自治区人民政府关于加快建立健全绿色低碳循环发展经济体系的实施意见》（宁政发〔2021〕39号）五、（十六）")


def test_residents_farming_in_the_red_line_carries_the_intensity_condition_of_l231():
    """000 L231: 「已存在的种植、水产养殖应减少农药化肥、饵料的使用」 is a condition of limited activity ②."""
    v = evaluate(_result("eco_redline", "核心保护区外"), "resident_production",
                 {"expands_scale": False, "temporary": False, "new_construction_land": False,
                  "concrete_construction": True}, rule_base=RB)
    z = next(z for z in v["zones"] if z["role"] == "eco_redline")
    assert z["verdict"] == "有条件允许"
    assert any("减少农药化肥、饵料的使用" in c for c in z["conditions"])
    assert "减少农药化肥、饵料的使用" in "".join(_seed_lines("S000-B")[230])


def test_unanswered_priority_protected_farmland_is_shown_as_assumed_not_silently_defaulted():
    """003 L478 (on_unknown: skip): without the answer the ban is not applied, and the fact is listed as assumed."""
    v = evaluate(_result("cultivated_land", "0102 水浇地", "红寺堡区"), "industrial_project",
                 {"soil_pollution_risk": True, "wasteland_available": False}, rule_base=RB)
    z = next(z for z in v["zones"] if z["role"] == "cultivated_land")
    assert z["verdict"] == "有条件允许"
    assert "priority_protected_farmland" in [a["fact"] for a in z["assumed"]]


def test_docs_list_every_rule_under_its_seed_file_and_line():
    """docs/rules.md has a table per seed file; every rule appears in its file's table with its line."""
    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    tables: dict[str, str] = {}
    for m in re.finditer(r"^#### Seed (\d{3}) .*?$(.*?)(?=^#### |^## |^### |\Z)", text, re.S | re.M):
        tables[m.group(1)] = m.group(2)
    assert set(tables) == {"000", "001", "002", "003", "004"}
    for r in RB.rules:
        seed = RB.sources[r.source.doc].seed_file[:3]
        rows = [ln for ln in tables[seed].splitlines() if f"`{r.id}`" in ln]
        assert rows, f"{r.id} is not listed in the docs table of seed {seed}"
        assert any(re.search(rf"\bL{r.source.line}\b", ln) for ln in rows), (r.id, r.source.line)
    # clauses deliberately not encoded are listed with a reason
    assert sum(ln.count("| not encoded |") for ln in text.splitlines()) >= 30


def test_activity_search_table_covers_every_activity_name():
    """The app's activity box searches by pinyin initials; every character of every activity name and alias is in
    the shipped table (tools/make_pinyin_table.py), so new activities are found by their initials too."""
    with (RESOURCES / "pinyin" / "initials.toml").open("rb") as f:
        table = tomllib.load(f)["initials"]
    for a in list_activities(RB):
        for text in [a["name_zh"], *(a.get("aliases") or [])]:
            missing = {c for c in text if "\u4e00" <= c <= "\u9fff" and c not in table}
            assert not missing, (a["id"], text, missing)
