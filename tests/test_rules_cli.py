"""`ningxia-gis rules list|show|check|activities` and the text rendering of verdicts."""

from __future__ import annotations

import argparse
import json
import shutil

import pytest

from ningxia_gis.paths import RULES_DIR
from ningxia_gis.rules import evaluate
from ningxia_gis.rules.cli import add_rules_subcommand, format_verdicts


def run(argv, capsys):
    parser = argparse.ArgumentParser(prog="ningxia-gis")
    sub = parser.add_subparsers(dest="command")
    add_rules_subcommand(sub)
    ns = parser.parse_args(argv)
    code = ns.func(ns)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_rules_list(capsys):
    code, out, _ = run(["rules", "list"], capsys)
    assert code == 0
    assert "eco_redline.core.human_activity_prohibited" in out
    assert "[生态保护红线]" in out and "[永久基本农田]" in out and "[草原]" in out
    assert "仅红寺堡区" in out and "[inferred" in out
    code, out, _ = run(["rules", "list", "--role", "grassland", "--lang", "en"], capsys)
    assert code == 0 and "[Grassland]" in out and "eco_redline." not in out
    assert "prohibited" in out
    code, out, _ = run(["rules", "list", "--activity", "原住民住房", "--role", "eco_redline"], capsys)
    assert "eco_redline.la2.residents_housing_exempt_from_demonstration" in out
    assert "eco_redline.la7" not in out
    code, out, _ = run(["rules", "list", "--json"], capsys)
    data = json.loads(out)
    assert len(data["rules"]) >= 50 and data["version"] == "2.1.0"


def test_rules_show(capsys):
    code, out, _ = run(["rules", "show", "eco_redline.procedure.limited_activity_new_construction_land"], capsys)
    assert code == 0
    assert "论证：县（市、区）人民政府组织" in out
    assert "审核：设区的市人民政府审核" in out
    assert "认定/审批：提请自治区人民政府认定" in out
    assert "附件：建设用地报批时附自治区人民政府认定意见" in out
    assert "「生态保护红线内涉及新增建设用地审批的" in out
    assert "《关于加强生态保护红线管理的实施意见》" in out and "000_93e195fdba6286ab.txt L243" in out
    code, out, _ = run(["rules", "show", "grassland.basic.development_construction_prohibited", "--lang", "en"], capsys)
    assert code == 0 and "status: inferred" in out and "inference:" in out and "gloss:" in out
    code, out, _ = run(["rules", "show", "eco_redline.la6.unavoidable_linear_infrastructure", "--json"], capsys)
    d = json.loads(out)
    assert d["when"] == {"unavoidable": True} and d["source_document"]["doc_number"] == "宁党办〔2023〕63号"
    assert d["source_document"]["attachment"] == "附件2"
    code, _, err = run(["rules", "show", "eco_redline.la6"], capsys)
    assert code == 2 and "did you mean" in err


def test_rules_activities(capsys):
    code, out, _ = run(["rules", "activities"], capsys)
    assert code == 0
    assert "resident_housing" in out and "[LA2]" in out and "[NMP6]" in out
    assert "unavoidable" in out and "默认否" in out
    code, out, _ = run(["rules", "activities", "--json"], capsys)
    d = json.loads(out)
    assert {a["id"] for a in d["activities"]} >= {"pv_power", "road", "temporary_land"}


def test_rules_check(tmp_path, capsys):
    code, out, _ = run(["rules", "check", str(RULES_DIR / "eco_redline.yaml")], capsys)
    assert code == 0 and out.startswith("OK:")
    bad = tmp_path / "eco_redline.yaml"
    shutil.copy(RULES_DIR / "eco_redline.yaml", bad)
    text = bad.read_text(encoding="utf-8")
    idx = text.index("    verdict: 有条件允许")
    line = text[:idx].count("\n") + 1
    bad.write_text(text.replace("    verdict: 有条件允许", "    verdict: maybe", 1), encoding="utf-8")
    code, out, err = run(["rules", "check", str(bad)], capsys)
    assert code == 1
    assert "eco_redline.yaml" in err and f"line {line}:" in err and ".verdict'" in err
    code, out, _ = run(["rules", "check", str(bad), "--json"], capsys)
    assert json.loads(out.splitlines()[0])["ok"] is False


def test_rules_without_subcommand_is_usage_error(capsys):
    code, _, err = run(["rules"], capsys)
    assert code == 2 and "list" in err


def test_bad_rules_dir_keeps_working_with_last_good(tmp_path, capsys):
    d = tmp_path / "rules"
    shutil.copytree(RULES_DIR, d)
    code, _, _ = run(["rules", "list", "--rules-dir", str(d)], capsys)
    assert code == 0
    p = d / "grassland.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("    verdict: 允许", "    verdict: ok"), encoding="utf-8")
    code, out, err = run(["rules", "list", "--rules-dir", str(d)], capsys)
    assert code == 0 and "last good rule set" in err and "grassland.yaml" in err
    assert "grassland.restoration.degraded_grassland_measures" in out


def _res():
    def area(m2):
        return {k: m2 for k in ("planar_m2", "planar_ha", "planar_mu", "ellipsoidal_m2", "ellipsoidal_ha",
                                "ellipsoidal_mu")}
    return {"sliver_threshold_m2": 1.0, "location": {"county": "利通区"}, "footprint": {"area": area(1000.0)},
            "layers": [{"id": "hx", "name": "生态保护红线", "role": "eco_redline", "status": "occupied",
                        "area": area(400.0), "share_of_footprint": 0.4,
                        "by_zone": [{"zone": "核心保护区外", "area": area(400.0), "share_of_footprint": 0.4,
                                     "piece_count": 1}]},
                       {"id": "nt", "name": "永久基本农田", "role": "permanent_basic_farmland", "status": "not_touched",
                        "area": area(0.0), "share_of_footprint": 0.0, "by_zone": []}]}


def test_format_verdicts_zh_and_en():
    v = evaluate(_res(), "road", {"unavoidable": True, "new_construction_land": True})
    text = format_verdicts(v, "zh")
    assert "总体结论：有条件允许" in text
    assert "eco_redline.la6.unavoidable_linear_infrastructure" in text
    assert "「必须且无法避让、符合县级以上国土空间规划的线性基础设施" in text
    assert "须办理的程序：" in text and "认定/审批：提请自治区人民政府认定" in text
    assert "永久基本农田: 不涉及" in text
    en = format_verdicts(v, "en")
    assert "Overall verdict: conditionally permitted" in en
    assert "Ecological protection red line / outside the core protection zone 40.0%: conditionally permitted" in en
    assert "Procedures to complete:" in en
    assert format_verdicts({}, "zh") == ""


def test_format_verdicts_lists_open_questions():
    v = evaluate(_res(), "road")
    text = format_verdicts(v, "zh")
    assert "总体结论：需人工判定" in text
    assert "待确认的事实" in text and "unavoidable" in text


def test_main_cli_registers_rules(capsys):
    main = pytest.importorskip("ningxia_gis.cli").main
    assert main(["rules", "show", "permanent_basic_farmland.no_unauthorised_occupation"]) == 0
    assert "任何单位和个人不得擅自占用或者改变其用途" in capsys.readouterr().out
