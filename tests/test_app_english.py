"""The English UI: zone names in English (from the rule base's zone vocabulary), the Chinese originals
said to be Chinese; rule browser zones in English."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("pytestqt")

from ningxia_gis.rules.model import ZONE_EN  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def english(app_home):
    from ningxia_gis.app import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("zh")


def test_results_zone_rows_and_details_in_english(english, qtbot):
    from ningxia_gis.app.results_panel import ROLE_DATA, ResultsPanel
    from ningxia_gis.core.scenarios import find_scenario
    from ningxia_gis.review import build_request, run_review

    s = find_scenario("road_crossing_redline")
    res = run_review(build_request(s.footprint, activity=s.activity, facts=s.facts))
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_result(res)
    zone_rows = []
    for i in range(panel.tree.topLevelItemCount()):
        top = panel.tree.topLevelItem(i)
        for k in range(top.childCount()):
            c = top.child(k)
            d = c.data(0, ROLE_DATA) or {}
            if d.get("kind") == "zone" and d.get("zone") in ZONE_EN:
                zone_rows.append(c)
    assert zone_rows, "the scenario has zones with an English name"
    for c in zone_rows:
        assert not CJK.search(c.text(0).split(" (")[0]), c.text(0)
        assert c.toolTip(0) == (c.data(0, ROLE_DATA) or {})["zone"]  # the Chinese name stays reachable
    with_rule = next(c for c in zone_rows if ((c.data(0, ROLE_DATA) or {}).get("vzone") or {}).get("quote"))
    panel.tree.setCurrentItem(with_rule)
    text = panel.detail.toPlainText()
    assert "original Chinese" in text
    assert ZONE_EN[(with_rule.data(0, ROLE_DATA) or {})["zone"]] in text


def test_rule_browser_zones_in_english(english, qtbot):
    from ningxia_gis.app.trainer import RuleBrowser

    rb = RuleBrowser()
    qtbot.addWidget(rb)
    names = [rb.tree.topLevelItem(i).child(k).text(0) for i in range(rb.tree.topLevelItemCount())
             for k in range(rb.tree.topLevelItem(i).childCount())]
    known = [n for n in names if n in ZONE_EN.values()]
    assert known and not any(n in ZONE_EN for n in names)  # no zone with an English name left in Chinese
