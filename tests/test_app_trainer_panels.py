"""The quiz and 避让分析 panels (pytest-qt, offscreen): the quiz driven end to end with the widgets
(answers, explanations with the clause, score sheet), the avoidance panel on a real check (remainder vs
an independent shapely difference, map overlay, export as a footprint)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

pytest.importorskip("pytestqt")

from ningxia_gis.core.catalog import load_catalog  # noqa: E402
from ningxia_gis.domain.roles import normalise_zone  # noqa: E402
from ningxia_gis.paths import SAMPLE_CATALOG  # noqa: E402
from ningxia_gis.review.quiz import load_training_cases  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]

CASES = load_training_cases()
IDS = ["road_unavoidable_redline", "pv_basic_grassland", "logistics_nothing_touched"]


def _expectation(case, key):
    return next(e for e in case.zones if e.key == key)


@pytest.fixture
def quiz_panel(qtbot, app_home):
    from ningxia_gis.app import i18n
    from ningxia_gis.app.quiz_panel import QuizPanel

    i18n.set_language("zh")
    p = QuizPanel(CASES)
    qtbot.addWidget(p)
    p.show()
    yield p
    if p.task is not None and p.task.is_running:
        p.task.wait(20000)


def _wait_case(qtbot, p, case_id):
    qtbot.waitUntil(lambda: p.loaded == case_id, timeout=60000)


def test_quiz_driven_end_to_end_with_the_widgets(quiz_panel, qtbot, tmp_path):
    from openpyxl import load_workbook
    from PySide6.QtCore import Qt

    p = quiz_panel
    p.trainee.setText("张三")
    assert not p.btn_submit.isEnabled()
    p.start(ids=IDS)
    by_id = {c.id: c for c in CASES}

    # case 1: every zone and the overall verdict answered as the library says → full marks
    c1 = by_id[IDS[0]]
    _wait_case(qtbot, p, c1.id)
    assert c1.title_zh in p.header.text()
    assert p.table.rowCount() == len(c1.zones) > 0
    assert not p.btn_next.isEnabled()
    for row, q in enumerate(p.questions):
        e = _expectation(c1, q.key)
        assert p.table.item(row, 0).text() == q.label
        p.set_answer(row, e.verdict, e.procedure or ())
    # the overall verdict is required before scoring
    assert p.submit() is False and "请先回答" in p.feedback.toPlainText()
    p.set_overall(c1.overall)
    assert p.submit() is True
    text = p.feedback.toPlainText()
    assert "✘" not in text and "总体结论正确" in text and "依据：" in text and "「" in text
    assert p.quiz.score()["cases"][0]["points"] == p.quiz.max_points(c1.id)
    assert not p.btn_submit.isEnabled() and p.btn_next.isEnabled()

    # case 2: the first zone judged more leniently than the rules → explained, with the clause
    qtbot.mouseClick(p.btn_next, Qt.MouseButton.LeftButton)
    c2 = by_id[IDS[1]]
    _wait_case(qtbot, p, c2.id)
    first = _expectation(c2, p.questions[0].key)
    assert first.verdict == "禁止"
    p.set_answer(0, "有条件允许", ["认定/审批"])
    for row, q in enumerate(p.questions[1:], start=1):
        e = _expectation(c2, q.key)
        p.set_answer(row, e.verdict, e.procedure or ())
    p.set_overall(c2.overall)
    assert p.submit()
    text = p.feedback.toPlainText()
    assert "✘" in text and "比规定更宽松" in text and "正确结论为“禁止”" in text and "多选：认定/审批" in text
    first_fb = p.quiz.answers[(c2.id, first.key)]
    assert first_fb.points == 0 and first_fb.clause_zh and first_fb.clause_zh.split("：")[0] in text

    # case 3 touches no zone: only the overall verdict is asked
    p.next_case()
    c3 = by_id[IDS[2]]
    _wait_case(qtbot, p, c3.id)
    assert p.table.rowCount() == 0 == len(c3.zones)
    p.set_overall("需人工判定" if c3.overall != "需人工判定" else "禁止")
    assert p.submit()
    assert "比规定更严格" in p.feedback.toPlainText()
    p.next_case()
    assert "测验结束" in p.header.text() and not p.btn_next.isEnabled()

    s = p.quiz.score()
    expected = p.quiz.max_points(c1.id) + p.quiz.max_points(c2.id) - first_fb.max_points  # case 3: 0
    assert s["points"] == expected
    assert p.score.text().startswith(f"得分 {s['points']} / {s['max_points']}")
    out = tmp_path / "成绩.xlsx"
    assert p.export(out)
    wb = load_workbook(out)
    summary = {r[0]: r[1] for r in wb["成绩汇总"].iter_rows(values_only=True) if r and r[0]}
    assert summary["学员"] == "张三" and summary["得分"] == s["points"] and summary["满分"] == s["max_points"]
    detail = list(wb["答题明细"].iter_rows(values_only=True))
    assert len(detail) - 1 == len(p.quiz.answers)


def test_quiz_case_is_drawn_as_its_own_overlay_not_as_the_session_footprint(win, qtbot, tmp_path):
    quiz = win.trainer.quiz
    quiz.start(ids=[IDS[0]])
    _wait_case(qtbot, quiz, IDS[0])
    case = next(c for c in CASES if c.id == IDS[0])
    drawn = win.canvas.overlays["quiz"]
    file_geom = shapely.union_all(gpd.read_file(case.footprint).to_crs(win.epsg).geometry.values)
    assert drawn.area == pytest.approx(file_geom.area, rel=1e-6)
    assert win.session.footprint is None and win.result is None  # the quiz never replaces the review
    win.canvas.save_image(tmp_path / "map.png", dpi=60)
    assert "quiz" in win.canvas.overlays  # left out of the export only
    quiz.next_case()  # the last case: finished, overlay cleared
    assert "quiz" not in win.canvas.overlays


def _zone_union(catalog, layer_id, zone, epsg):
    spec = next(s for s in catalog.layers if s.id == layer_id)
    gdf = gpd.read_file(spec.path, layer=spec.layer, where=spec.where).to_crs(epsg)
    if zone is not None and spec.zone_field:
        keep = [normalise_zone(spec.role, v) == zone for v in gdf[spec.zone_field].tolist()]
        gdf = gdf[keep]
    return shapely.union_all(gdf.geometry.values)


def test_avoidance_panel_on_a_real_check(win, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from ningxia_gis.footprint_io import load_footprint

    av = win.avoidance
    assert not av.btn_run.isEnabled()
    win.run_scenario("road_crossing_redline")
    qtbot.waitUntil(lambda: win.result is not None or win.last_error is not None, timeout=60000)
    assert win.last_error is None, win.last_error
    assert av.btn_run.isEnabled()
    with qtbot.waitSignal(av.finished, timeout=120000) as got:
        qtbot.mouseClick(av.btn_run, Qt.MouseButton.LeftButton)
    block = got.args[0]
    assert block is not None and block is win.result.data["avoidance"]
    assert av.sentence.text() == block["sentence_zh"]
    opts = block["options"]
    assert opts and av.options.rowCount() == len(opts)
    assert av.distances.rowCount() == len(block["distances"])

    # the recommended option is selected; its remainder = footprint minus the avoided zones (independent)
    opt = av.current_option()
    assert opt is opts[block["recommended"]]
    res = win.result
    cat = load_catalog(SAMPLE_CATALOG)
    expected = res.footprint_geom
    for a in opt["avoid"]:
        expected = shapely.difference(expected, _zone_union(cat, a["layer_id"], a.get("zone"), res.epsg))
    rem = opt["remainder"]["area"]
    assert rem["planar_m2"] == pytest.approx(expected.area, rel=1e-9, abs=1e-6)
    assert f"{rem['ellipsoidal_m2'] / 1e4:,.4f}" in av.options.item(block["recommended"], 1).text()

    # shown on the map in the display CRS (= the analysis CRS after a check)
    assert win.epsg == res.epsg
    av.btn_show.setChecked(True)
    assert win.canvas.overlays["remainder"].area == pytest.approx(expected.area, rel=1e-6)
    # exported as a footprint the applicant can use
    out = tmp_path / "remainder.txt"
    assert av.export(out)
    back = load_footprint(out)
    back_geom = shapely.union_all(back.gdf.to_crs(res.epsg).geometry.values)
    assert back_geom.area == pytest.approx(expected.area, rel=1e-5)
    assert av.export(tmp_path / "remainder.doc") is False and av.last_error  # a clear message, no exception
    assert "Error" not in av.last_error and str(tmp_path) not in av.last_error and "remainder.doc" in av.last_error

    # a new input drops the result: the analysis and the overlay go with it
    win.clear_footprint()
    qtbot.waitUntil(lambda: win.result is None, timeout=10000)
    assert av.block is None and av.options.rowCount() == 0 and not av.btn_run.isEnabled()
    assert "remainder" not in win.canvas.overlays


def test_prohibited_result_shows_what_can_be_done_instead_without_rule_ids(qtbot, app_home):
    import re

    from ningxia_gis.app import i18n
    from ningxia_gis.app.results_panel import ResultsPanel
    from ningxia_gis.core.scenarios import find_scenario
    from ningxia_gis.review import build_request, run_review

    i18n.set_language("zh")
    s = find_scenario("mine_in_core_zone")
    res = run_review(build_request(s.footprint, activity=s.activity, facts=s.facts))
    v = res.data["verdicts"]
    assert v["overall"]["verdict"] == "禁止" and v["alternatives"]
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_result(res)
    banner = panel.banner.text()
    assert "可采取的做法" in banner
    for a in v["alternatives"]:
        plain = re.sub(r"〔[A-Za-z0-9_.]+〕", "", a).rstrip("。；;")
        assert plain.split("（")[0] in banner
    assert not re.search(r"〔[A-Za-z0-9_.]+〕", banner)
