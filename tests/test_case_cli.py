"""The case workflow on the command line: new → show → export → verify (the README's three commands)."""

import pytest

from ningxia_gis.cli import main
from ningxia_gis.review.case import open_case
from ningxia_gis.rules.loader import load_rule_base


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def test_new_show_export_verify(tmp_path, capsys):
    case = tmp_path / "宁审-2026-001.gpkg"
    assert main(["case", "new", str(case), "--demo", "road_crossing_redline", "--case-number", "宁审-2026-001",
                 "--project-name", "县道改建", "--reviewer", "张三", "--xlsx", str(tmp_path / "t.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "案卷 case →" in out and "PP-" in out and "Excel →" in out
    c = open_case(case)
    assert c.fields["case_number"] == "宁审-2026-001" and c.activity == "linear_infrastructure"
    # the demo's facts as sample_layers/scenarios.toml answers them (rule base v2 asks temporary and
    # national_major_project for a red-line crossing; the scenario answers both)
    assert c.facts == {"unavoidable": True, "new_construction_land": True, "temporary": False,
                       "national_major_project": False}
    assert [r.name for r in c.reports] == ["t.xlsx"] and c.audit[0].who == "张三"

    assert main(["case", "show", str(case)]) == 0
    out = capsys.readouterr().out
    rb = load_rule_base()
    assert f"项目类型: {rb.activities['linear_infrastructure'].name_zh} (linear_infrastructure)" in out
    assert "宁审-2026-001" in out and "县道改建" in out and f"  * {rb.facts['concrete_construction'].question_zh}" in out
    assert f"    {rb.facts['unavoidable'].question_zh} = 是" in out and "审查日志" in out and "created" in out
    assert "t.xlsx" in out and "unavoidable =" not in out  # questions in words, not fact ids
    assert c.policy_pack in out

    assert main(["case", "export", str(case), "--json", str(tmp_path / "r.json"),
                 "--source", str(tmp_path / "src"), "--who", "李四"]) == 0
    assert (tmp_path / "src" / "road_crossing_redline.gpkg").is_file()
    c = open_case(case)
    assert [r.name for r in c.reports] == ["t.xlsx", "r.json"] and c.audit[-1].who == "李四"
    capsys.readouterr()
    assert main(["case", "verify", str(case), str(tmp_path / "t.xlsx"), str(tmp_path / "r.json")]) == 0
    out = capsys.readouterr().out
    assert "未被改动" in out and out.count("写出时一致") == 2


def test_new_refuses_to_replace_a_case_and_wrong_names(tmp_path, capsys):
    case = tmp_path / "a.gpkg"
    case.write_bytes(b"x")
    assert main(["case", "new", str(case), "--demo"]) == 2
    assert "已存在" in capsys.readouterr().err
    assert main(["case", "new", str(tmp_path / "a.txt"), "--demo"]) == 2
    assert ".gpkg" in capsys.readouterr().err
    assert main(["case", "export", str(tmp_path / "none.gpkg"), "--json", "x.json"]) == 2
    assert "找不到" in capsys.readouterr().err
