"""`ningxia-gis rules lint`: the rule pack checks itself (conflicts, dangling references, gaps, quotes,
examples) — on the shipped rules and on copies broken on purpose."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from ningxia_gis.paths import ROOT, RULES_DIR
from ningxia_gis.rules.cli import main
from ningxia_gis.rules.lint import lint, seeds_dir


@pytest.fixture()
def rules_copy(tmp_path):
    d = tmp_path / "rules"
    shutil.copytree(RULES_DIR, d)
    return d


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_rule_pack_is_clean(capsys):
    rep = lint()
    assert rep.conflicts == [] and rep.dangling == []
    assert rep.example_failures == []
    assert rep.examples_run >= rep.rules  # at least one example per rule
    if rep.seeds is not None:
        assert rep.quote_errors == [] and rep.quotes_checked >= 70
    # gaps are listed, not hidden: the seeds say nothing about 城镇弹性发展区 / 特别用途区
    assert "road" in rep.gaps["urban_boundary/城镇弹性发展区"]
    assert "road" in rep.gaps["urban_boundary/特别用途区"]
    assert main(["rules", "lint"]) == 0
    out = capsys.readouterr().out
    assert "conflicts (same priority, no declared precedence): 0" in out
    assert "dangling references: 0" in out
    assert "urban_boundary/城镇弹性发展区:" in out and out.rstrip().endswith("OK")


def test_lint_json(capsys):
    assert main(["rules", "lint", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is True and data["conflicts"] == [] and data["examples_run"] >= data["rules"]


def test_conflict_without_declared_precedence_is_reported(rules_copy, capsys):
    text = (rules_copy / "eco_redline.yaml").read_text(encoding="utf-8")
    # the housing exemption (允许, 80) drops to the priority of the LA2 rule (有条件允许, 60)
    start = text.index("  - id: eco_redline.la2.residents_housing_exempt_from_demonstration")
    pos = text.index("    priority: 80", start)
    (rules_copy / "eco_redline.yaml").write_text(text[:pos] + "    priority: 60" + text[pos + 16:], encoding="utf-8")
    rep = lint(rules_copy)
    pairs = [set(c["rules"]) for c in rep.conflicts]
    assert {"eco_redline.la2.residents_housing_exempt_from_demonstration",
            "eco_redline.la2.residents_production_no_expansion"} in pairs
    assert not rep.ok
    assert main(["rules", "lint", "--rules-dir", str(rules_copy)]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_dangling_excludes_is_reported(rules_copy):
    _edit(rules_copy / "eco_redline.yaml", "      - eco_redline.procedure.nmp_no_new_construction_land\n",
          "      - eco_redline.procedure.nmp_no_new_construction_lands\n")
    rep = lint(rules_copy)
    assert any("unknown rule id 'eco_redline.procedure.nmp_no_new_construction_lands'" in d for d in rep.dangling)
    assert not rep.ok


def test_failing_example_and_missing_example_are_reported(rules_copy):
    _edit(rules_copy / "urban_boundary.yaml",
          "      - {activity: urban_residential, zone: 城镇开发边界外, verdict: 需人工判定}",
          "      - {activity: urban_residential, zone: 城镇开发边界外, verdict: 允许}")
    rep = lint(rules_copy)
    assert any(f.startswith("urban_boundary.outside.urban_construction: example urban_residential") and
               "verdict 需人工判定 (expected 允许)" in f for f in rep.example_failures)


def test_quote_not_on_the_cited_line_is_reported(rules_copy):
    if not seeds_dir().is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"seed documents not found at {seeds_dir()}")
        pytest.skip("seed documents not found")
    _edit(rules_copy / "grassland.yaml", "source: {doc: S002-D, section: 二、（八）, line: 965}",
          "source: {doc: S002-D, section: 二、（八）, line: 967}")
    rep = lint(rules_copy)
    assert any("grassland.restoration.degraded_grassland_measures: quote not on lines 967-967" in e
               and "found elsewhere in the file" in e for e in rep.quote_errors)


def test_lint_is_a_subcommand_of_the_main_cli():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "ningxia_gis.cli", "rules", "lint"], capture_output=True, text=True,
                       env=env, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "examples:" in p.stdout and "0 failing" in p.stdout
