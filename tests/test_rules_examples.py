"""Every rule carries worked examples (activity, facts, zone → expected verdict) in its YAML; run them all."""

from __future__ import annotations

import pytest

from ningxia_gis.rules import load_rule_base
from ningxia_gis.rules.lint import run_example

RB = load_rule_base()


def test_every_rule_has_an_example():
    assert [r.id for r in RB.rules if not r.examples] == []


@pytest.mark.parametrize("rule_id,index", [pytest.param(r.id, i, id=f"{r.id}[{i}]")
                                           for r in RB.rules for i in range(len(r.examples))])
def test_rule_example(rule_id, index):
    rule = RB.rule(rule_id)
    assert run_example(RB, rule, rule.examples[index]) is None
