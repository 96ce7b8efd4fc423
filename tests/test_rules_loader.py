"""Loading and validating the rule base: the shipped files are valid; a malformed file gives a RuleError
naming the file, the line and the field; the last good rule set is kept."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ningxia_gis.domain.errors import NingxiaGisError, RuleError
from ningxia_gis.paths import RULES_DIR
from ningxia_gis.rules import check_rule_file, load_rule_base, reload_rule_base
from ningxia_gis.rules.loader import last_good_rule_base


@pytest.fixture()
def rules_copy(tmp_path: Path) -> Path:
    d = tmp_path / "rules"
    shutil.copytree(RULES_DIR, d)
    return d


def _replace(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace in a file; return the 1-based line of the first replacement."""
    text = path.read_text(encoding="utf-8")
    idx = text.index(old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return text[:idx].count("\n") + 1


def test_shipped_rule_base_is_valid():
    rb = load_rule_base()
    assert rb.version == "2.1.0"
    assert len(rb.rules) >= 50
    assert set(rb.roles) == {"eco_redline", "permanent_basic_farmland", "cultivated_land", "urban_boundary",
                             "grassland", "nature_reserve", "project"}
    assert RuleError.__mro__[1] is NingxiaGisError
    # every rule is labelled and dated from its source where the source has a date
    for r in rb.rules:
        assert r.status in ("seed", "inferred", "external")
        src = rb.sources[r.source.doc]
        assert r.effective == src.date
        if r.status == "inferred":
            assert r.inference
        assert r.file.endswith(".yaml") and r.line > 0
    files = {Path(f["path"]).name for f in rb.files}
    assert {"sources.yaml", "activities.yaml", "eco_redline.yaml", "grassland.yaml"} <= files


def test_load_is_cached_until_a_file_changes(rules_copy):
    a = load_rule_base(rules_copy)
    assert load_rule_base(rules_copy) is a
    _replace(rules_copy / "grassland.yaml", "priority: 50\n", "priority: 51\n")
    b = load_rule_base(rules_copy)
    assert b is not a


def test_bad_verdict_names_file_line_and_field(rules_copy):
    f = rules_copy / "eco_redline.yaml"
    line = _replace(f, "    verdict: 允许\n", "    verdict: 准许\n")
    with pytest.raises(RuleError) as ei:
        load_rule_base(rules_copy)
    msg = str(ei.value)
    assert "eco_redline.yaml" in msg
    assert f"line {line}:" in msg
    m = re.search(r"field '(rules\[(\d+)\]\.verdict)'", msg)
    assert m, msg
    assert "准许" in msg
    assert "\n" not in msg


def test_missing_required_field_names_the_field_and_the_rule_line(rules_copy):
    f = rules_copy / "grassland.yaml"
    text = f.read_text(encoding="utf-8")
    start = text.index("  - id: grassland.grazing.seasonal_rotational_by_regional_decision")
    rule_line = text[:start].count("\n") + 1
    quote_start = text.index("    quote: 对植被得到有效恢复", start)
    quote_end = text.index("\n", quote_start) + 1
    f.write_text(text[:quote_start] + text[quote_end:], encoding="utf-8")
    with pytest.raises(RuleError) as ei:
        load_rule_base(rules_copy)
    msg = str(ei.value)
    assert "grassland.yaml" in msg and f"line {rule_line}:" in msg
    assert re.search(r"field 'rules\[\d+\]\.quote'", msg), msg
    assert "missing" in msg


def test_unknown_field_and_wrong_type(rules_copy):
    f = rules_copy / "urban_boundary.yaml"
    line = _replace(f, "    status: inferred\n", "    status: inferred\n    verdit: 禁止\n")
    with pytest.raises(RuleError) as ei:
        load_rule_base(rules_copy)
    msg = str(ei.value)
    assert "urban_boundary.yaml" in msg and f"line {line + 1}:" in msg
    assert re.search(r"field 'rules\[\d+\]\.verdit'", msg) and "unknown field" in msg, msg

    shutil.copy(RULES_DIR / "urban_boundary.yaml", f)
    line = _replace(f, "    priority: 70\n", "    priority: high\n")
    with pytest.raises(RuleError) as ei:
        load_rule_base(rules_copy)
    msg = str(ei.value)
    assert f"line {line}:" in msg and re.search(r"field 'rules\[\d+\]\.priority'", msg), msg


def test_yaml_syntax_error_names_the_line(rules_copy):
    f = rules_copy / "cultivated_land.yaml"
    line = _replace(f, "    title_en: Curb non-agricultural", "    title_en: [Curb non-agricultural")
    with pytest.raises(RuleError) as ei:
        load_rule_base(rules_copy)
    msg = str(ei.value)
    assert "cultivated_land.yaml" in msg and "YAML syntax error" in msg
    n = int(re.search(r"line (\d+)", msg).group(1))
    assert line <= n <= line + 3, msg


def test_cross_references_are_checked(rules_copy):
    f = rules_copy / "permanent_basic_farmland.yaml"
    line = _replace(f, "activities: [facility_agriculture, forest_tending]", "activities: [facility_agriculture, orchard]")
    with pytest.raises(RuleError) as ei:
        load_rule_base(rules_copy)
    msg = str(ei.value)
    assert f"permanent_basic_farmland.yaml: line {line}:" in msg
    assert re.search(r"field 'rules\[\d+\]\.activities\[1\]'", msg) and "unknown activity 'orchard'" in msg, msg

    shutil.copy(RULES_DIR / "permanent_basic_farmland.yaml", f)
    line = _replace(f, "    when: {soil_pollution_risk: true}", "    when: {pollutes: true}")
    with pytest.raises(RuleError, match=rf"line {line}: field 'rules\[\d+\]\.when\.pollutes': unknown fact"):
        load_rule_base(rules_copy)

    shutil.copy(RULES_DIR / "permanent_basic_farmland.yaml", f)
    line = _replace(f, "{doc: S003, section: 第三章第四节 一、（一）, line: 471}",
                    "{doc: S009, section: 第三章第四节 一、（一）, line: 471}")
    with pytest.raises(RuleError, match=rf"line {line}: field 'rules\[\d+\]\.source\.doc': unknown source document"):
        load_rule_base(rules_copy)

    shutil.copy(RULES_DIR / "permanent_basic_farmland.yaml", f)
    _replace(f, "    activities: [\"group:construction\", \"group:development_construction\"]\n    when: {national_major_project: true, unavoidable: true}",
             "    zones: [核心保护区]\n    activities: [\"group:construction\", \"group:development_construction\"]\n    when: {national_major_project: true, unavoidable: true}")
    with pytest.raises(RuleError, match=r"unknown zone '核心保护区' for role permanent_basic_farmland"):
        load_rule_base(rules_copy)


def test_red_line_rule_lines_must_lie_inside_the_source_document(rules_copy):
    f = rules_copy / "eco_redline.yaml"
    line = _replace(f, "source: {doc: S000-B, section: 二（二）9, line: 247}", "source: {doc: S000-B, section: 二（二）9, line: 447}")
    with pytest.raises(RuleError, match=rf"eco_redline.yaml: line {line}: field 'rules\[\d+\]\.source\.line': line 447 is outside"):
        load_rule_base(rules_copy)


def test_hongsibao_source_needs_applies_in(rules_copy):
    f = rules_copy / "grassland.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("    applies_in: [红寺堡区]\n", ""), encoding="utf-8")
    with pytest.raises(RuleError, match=r"grassland.yaml: line \d+: field 'rules\[\d+\]\.applies_in': source S003 applies only in 红寺堡区"):
        load_rule_base(rules_copy)


def test_duplicate_rule_id_across_files(rules_copy):
    f = rules_copy / "nature_reserve.yaml"
    line = _replace(f, "  - id: nature_reserve.outside_core.entry_requirements",
                    "  - id: grassland.general.occupation_prereview")
    with pytest.raises(RuleError) as ei:
        load_rule_base(rules_copy)
    msg = str(ei.value)
    assert "duplicate rule id 'grassland.general.occupation_prereview'" in msg
    assert f"line {line}" in msg and "grassland.yaml" in msg and "nature_reserve.yaml" in msg


def test_bad_activities_file(rules_copy):
    f = rules_copy / "activities.yaml"
    line = _replace(f, "    group: mining\n", "    group: minerals\n")
    with pytest.raises(RuleError, match=rf"activities.yaml: line {line}: field 'activities\[\d+\]\.group': unknown group 'minerals'"):
        load_rule_base(rules_copy)


def test_reload_keeps_last_good_rule_set(rules_copy):
    good, err = reload_rule_base(rules_copy)
    assert err is None and good is not None
    _replace(rules_copy / "eco_redline.yaml", "    verdict: 禁止\n", "    verdict: forbidden\n")
    rb, err = reload_rule_base(rules_copy)
    assert isinstance(err, RuleError) and "eco_redline.yaml" in str(err)
    assert rb is good and last_good_rule_base(rules_copy) is good
    # evaluate with an explicit last-good base still works
    from ningxia_gis.rules import evaluate

    res = {"layers": [{"id": "e", "name": "红线", "role": "eco_redline", "status": "occupied",
                       "share_of_footprint": 1.0, "by_zone": [{"zone": "核心保护区", "share_of_footprint": 1.0,
                                                              "area": {"ellipsoidal_m2": 5.0}}]}]}
    assert evaluate(res, "road", rule_base=rb)["overall"]["verdict"] == "禁止"


def test_check_rule_file_validates_an_edited_copy_against_the_base(tmp_path):
    edited = tmp_path / "grassland.yaml"
    shutil.copy(RULES_DIR / "grassland.yaml", edited)
    rb = check_rule_file(edited)
    assert any(r.id == "grassland.general.occupation_prereview" for r in rb.rules)
    assert len(rb.rules) == len(load_rule_base().rules)
    # an edited copy under another name replaces the file of the same role (no duplicate ids)
    other = tmp_path / "my_grassland_edit.yaml"
    shutil.copy(RULES_DIR / "grassland.yaml", other)
    assert len(check_rule_file(other).rules) == len(load_rule_base().rules)
    line = _replace(other, "    verdict: 禁止\n", "    verdict: 禁\n")
    with pytest.raises(RuleError, match=rf"my_grassland_edit.yaml: line {line}: field 'rules\[\d+\]\.verdict'"):
        check_rule_file(other)
    with pytest.raises(RuleError, match="file not found"):
        check_rule_file(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes("role: grassland\nrules: [\xff".encode("latin-1"))
    with pytest.raises(RuleError, match="bad.yaml: line 1"):
        check_rule_file(bad)


def test_empty_and_non_mapping_files(rules_copy):
    (rules_copy / "zz_empty.yaml").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"zz_empty.yaml: the rule file is empty"):
        load_rule_base(rules_copy)
    (rules_copy / "zz_empty.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"zz_empty.yaml: line 1: field '\(document\)'"):
        load_rule_base(rules_copy)
