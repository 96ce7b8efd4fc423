"""Issue 18's GUI parts (pytest-qt, offscreen): the 避让分析 dock shows review/avoidance.py's result for the
current check (remainder area vs an independent shapely difference, distances vs shapely distance), draws
and exports the remainder; the trainer's quiz tab is driven end to end (answers, reveal, score, XLSX)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

pytest.importorskip("pytestqt")

from ningxia_gis.paths import SAMPLE_LAYERS  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]
GPKG = SAMPLE_LAYERS / "ningxia_sample.gpkg"


def make_window(qtbot):
    from ningxia_gis.app import i18n
    from ningxia_gis.app.main_window import MainWindow

    i18n.set_language("zh")
    w = MainWindow(restore=False)
    qtbot.addWidget(w)
    w.resize(1366, 728)
    w.show()
    qtbot.waitUntil(w.layers_loaded, timeout=30000)
    return w


@pytest.fixture
def win(qtbot, app_home):
    w = make_window(qtbot)
    yield w
    for t in list(w._tasks):
        t.cancel()
        t.wait(30000)


def test_avoidance_panel_shows_the_remainder_distances_and_what_if_of_the_current_result(qtbot, win, tmp_path):
    w = win
    assert not w.avoidance.btn_run.isEnabled()  # no result yet
    with qtbot.waitSignal(w.checkFinished, timeout=60000):
        w.run_scenario("road_crossing_redline")
    res = w.result
    assert w.avoidance.btn_run.isEnabled()
    with qtbot.waitSignal(w.avoider.analysed, timeout=120000) as sig:
        w.avoidance.btn_run.click()
    block = sig.args[0]
    assert res.data["avoidance"] is block  # kept in the result: the report has its section
    # the first option avoids the nature reserve's general zone; its remainder is the footprint minus that zone
    opt = block["options"][0]
    assert [(a["layer_id"], a["zone"]) for a in opt["avoid"]] == [("zrbhd", "核心保护区外")]
    zr = gpd.read_file(GPKG, layer="ZRBHD").to_crs(res.epsg)
    outside = zr[~zr["ZRBHDFQ"].astype(str).str.contains("核心")]
    expected = shapely.difference(res.footprint_geom, shapely.union_all(outside.geometry.values))
    assert opt["remainder"]["area"]["planar_m2"] == pytest.approx(expected.area, rel=1e-9, abs=1e-6)
    # shown in the panel: one row per option with the remainder in 公顷 and 亩 and its verdict
    p = w.avoidance
    assert p.sentence.text() == block["sentence_zh"] and "剩余" in p.sentence.text()
    assert p.options.topLevelItemCount() == len(block["options"])
    row = p.options.topLevelItem(0)
    rem = opt["remainder"]["area"]["ellipsoidal_m2"]
    assert f"{rem / 1e4:,.4f} 公顷" in row.text(2) and f"{rem * 0.0015:,.2f} 亩" in row.text(2)
    assert row.text(4) == opt["verdict"]
    # distances: one row per protected layer, the figure is shapely's distance to the layer's features
    assert p.distances.topLevelItemCount() == len(block["distances"])
    check_distances(w, block, res)
    # what would change the verdict: listed under each zone
    assert p.what_if.topLevelItemCount() == len(block["what_if"])
    if block["what_if"]:
        top = p.what_if.topLevelItem(0)
        assert top.childCount() == len(block["what_if"][0]["facts"]) + len(block["what_if"][0]["activities"])
    # selecting an option draws its remainder on the map
    p.options.setCurrentItem(p.options.topLevelItem(0))
    ov = w.canvas.overlays["avoidance"]["geoms"][0]
    assert ov.symmetric_difference(expected).area < 1e-6 * max(expected.area, 1.0)
    # and 导出 writes it as a footprint
    out = tmp_path / "rem.gpkg"
    w.avoider.export(opt, out)
    back = gpd.read_file(out).to_crs(res.epsg)
    assert shapely.union_all(back.geometry.values).area == pytest.approx(expected.area, rel=1e-6)
    w.grab().save(str(tmp_path / "avoidance.png"))
    # a new check drops the analysis and the drawing
    w.session.set(result=None)
    assert "avoidance" not in w.canvas.overlays and p.options.topLevelItemCount() == 0


def check_distances(w, block, res):
    """Each distance row against shapely's distance from the footprint to the layer's features (beyond
    the search cap: none shown)."""
    p = w.avoidance
    for i, d in enumerate(block["distances"]):
        lyr = next(x for x in w.vector_layers() if x.spec is not None and x.spec.id == d["layer_id"])
        nearest = float(min(shapely.distance(res.footprint_geom, lyr.data(w.epsg).geoms)))
        row = p.distances.topLevelItem(i)
        assert row.text(0) == d["layer_name"] and row.text(2) == d["sentence_zh"]
        if d["distance_m"] is None:
            assert nearest > d["cap_m"] and row.text(1) == "—"
        else:
            assert d["distance_m"] == pytest.approx(nearest, abs=1e-6)
            assert row.text(1) == f"{d['distance_m']:,.1f} m"


def test_avoidance_panel_distance_to_a_layer_not_touched(qtbot, win):
    w = win
    with qtbot.waitSignal(w.checkFinished, timeout=60000):
        w.run_scenario("factory_outside_urban")
    with qtbot.waitSignal(w.avoider.analysed, timeout=120000) as sig:
        w.avoider.run()
    block = sig.args[0]
    far = [d for d in block["distances"] if d["distance_m"]]
    assert far and all(d["status"] == "not_touched" for d in far)
    check_distances(w, block, w.result)
    assert any(f"最近距离 {d['distance_m']:,.0f} m" in d["sentence_zh"] for d in far)


def _expected_points(case, answers):
    from ningxia_gis.review.quiz import POINTS

    pts = 0
    for e in case.zones:
        v, proc = answers[e.key]
        pts += POINTS["verdict"] * (v == e.verdict)
        if e.procedure is not None:
            pts += POINTS["procedure"] * (tuple(proc) == e.procedure)
    return pts


def test_quiz_is_driven_end_to_end(qtbot, win, tmp_path):
    from openpyxl import load_workbook

    from ningxia_gis.review.quiz import VERDICT_CHOICES, find_case, load_training_cases

    w = win
    w.set_trainer_mode(True)
    cases = load_training_cases()
    ids = ["pv_basic_grassland", "wind_basic_grassland"]
    qc, panel = w.quizzer, w.quiz_panel
    assert w.trainer.tabText(w.trainer.indexOf(panel)) == "测验"
    panel.trainee.setText("张三")
    with qtbot.waitSignal(qc.caseReady, timeout=60000):
        qc.start(ids=ids, trainee="张三")
    # case 1: every answer right
    case = find_case(cases, ids[0])
    assert case.title_zh in panel.case_info.text()
    assert [za.question.key for za in panel.zone_answers] == [e.key for e in case.zones]
    assert "quiz" in w.canvas.overlays  # the case's footprint is on the map
    right = {e.key: (e.verdict, e.procedure or ()) for e in case.zones}
    for za in panel.zone_answers:
        za.set_answer(*right[za.question.key])
    panel.overall.setCurrentIndex(panel.overall.findData(case.overall))
    w.grab().save(str(tmp_path / "quiz.png"))
    panel.btn_submit.click()
    assert panel.state == "revealed"
    s = qc.quiz.score()
    assert s["points"] == s["cases"][0]["max_points"] == qc.quiz.max_points(ids[0]) == _expected_points(case, right) + 1
    assert "✘" not in panel.feedback.toPlainText() and panel.feedback.toPlainText().count("✔") == len(case.zones) + 1
    assert f"{s['points']}/{s['max_points']}" in panel.score.text()
    # case 2: every verdict wrong (the next stricter / laxer one), no procedure ticked
    with qtbot.waitSignal(qc.caseReady, timeout=60000):
        panel.btn_next.click()
    case2 = find_case(cases, ids[1])
    wrong = {}
    for za in panel.zone_answers:
        e = next(z for z in case2.zones if z.key == za.question.key)
        bad = next(v for v in VERDICT_CHOICES if v != e.verdict)
        wrong[e.key] = (bad, ())
        za.set_answer(bad)
    bad_overall = next(v for v in VERDICT_CHOICES if v != case2.overall)
    panel.overall.setCurrentIndex(panel.overall.findData(bad_overall))
    fbs = qc.submit()
    assert len(fbs) == len(case2.zones) + 1 and not any(f.verdict_ok for f in fbs)
    text = panel.feedback.toPlainText()
    assert text.count("✘") == len(case2.zones) + 1
    for e in case2.zones:  # the answer is revealed with its clause
        assert f"正确结论为“{e.verdict}”" in text
    s = qc.quiz.score()
    assert s["points"] == _expected_points(case, right) + 1 + _expected_points(case2, wrong)
    panel.btn_next.click()  # past the last case
    assert panel.state == "finished" and "quiz" not in w.canvas.overlays
    assert f"{s['points']}/{s['max_points']}" in panel.case_info.text()
    out = tmp_path / "成绩.xlsx"
    qc.export(out)
    ws = load_workbook(out)["成绩汇总"]
    rows = {r[0].value: r[1].value for r in ws.iter_rows(min_row=1, max_row=6)}
    assert rows["学员"] == "张三" and rows["得分"] == s["points"] and rows["满分"] == s["max_points"]
    detail = load_workbook(out)["答题明细"]
    assert detail.max_row - 1 == len(case.zones) + len(case2.zones) + 2
    assert np.isfinite(s["percent"])
