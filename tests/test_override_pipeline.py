"""An officer override given with the request is applied by the pipeline and shown in the report, with the
machine verdict kept beside it."""

from __future__ import annotations

from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.report import build_report_model
from ningxia_gis.report.model import Table
from ningxia_gis.review import build_request, run_review


def test_override_reaches_result_and_report():
    sc = find_scenario("road_crossing_redline")
    plain = run_review(build_request(sc.footprint, activity=sc.activity, facts=sc.facts))
    zone = next(z for z in plain.data["verdicts"]["zones"] if z["layer_id"] == "stbhhx" and z["decides"])
    ov = {"layer_id": "stbhhx", "zone": zone["zone"], "verdict": "禁止", "reason": "现场核实：可避让", "officer": "张三"}
    res = run_review(build_request(sc.footprint, activity=sc.activity, facts=sc.facts, overrides=[ov]))
    z = next(z for z in res.data["verdicts"]["zones"] if z["layer_id"] == "stbhhx" and z["zone"] == zone["zone"])
    assert z["officer"]["verdict"] == "禁止" and z["officer"]["machine_verdict"] == zone["verdict"]
    overall = res.data["verdicts"]["overall"]
    assert overall["verdict"] == "禁止" and overall["machine_verdict"] == plain.data["verdicts"]["overall"]["verdict"]
    model = build_report_model(res.data)
    assert model.verdict.verdict == "禁止" and f"系统（机器）结论为：{overall['machine_verdict']}" in model.verdict.text
    table = next(b for s in model.sections for b in s.blocks if isinstance(b, Table) and b.key == "verdicts")
    row = next(r for r in table.rows if r[2].startswith("禁止（人工）"))
    assert f"系统：{zone['verdict']}" in row[2] and "现场核实：可避让" in row[4]
