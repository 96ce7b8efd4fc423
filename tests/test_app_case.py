"""The review case in the desktop app (pytest-qt, offscreen): a case saved in the window is the case
`review.case.open_case` reads (identical result JSON), a case made by the CLI opens in the window, the
unsaved-changes prompt guards every action that would discard work, undo / redo, 新建 resets the answers,
the audit log and the officer verdict (机器判定 / 审查人员意见).

Checks run synchronously, as the check task runs them (`run_review` of the session's request), so no
worker-thread timing is involved (see tests/test_pipeline_identical.py)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pytestqt")

from ningxia_gis.cli import main as cli_main  # noqa: E402
from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]

ROAD = SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg"
PV = SAMPLE_FOOTPRINTS / "pv_on_farmland.geojson"
ACTIVITY = "road"
FACTS = {"unavoidable": True, "new_construction_land": True}


@pytest.fixture
def win(make_window, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764657000")  # fixed created_at: runs compare byte for byte
    return make_window(size=None)


def load(w, path=ROAD):
    """A footprint handed to the window as the reader task's done-callback does."""
    from ningxia_gis.footprint_io import load_footprint

    assert w.set_footprint(load_footprint(path)) is None and w.footprint is not None
    return w.footprint


def answer(w, activity=ACTIVITY, facts=FACTS):
    """The officer picks the activity and the answers in the check panel (user signals, not set_*)."""
    cp = w.check_panel
    cp.activity.setCurrentIndex(cp.activity.findData(activity))
    cp.activity.activated.emit(cp.activity.currentIndex())
    for k, v in facts.items():
        box = cp.fact_boxes[k]
        box.setCurrentIndex(box.findData(v))
        box.activated.emit(box.currentIndex())
    assert w.session.activity == activity and w.session.facts == facts


def check_now(w):
    """The check as run_check / CheckTask do it, in this thread."""
    from ningxia_gis.review import run_review

    cp = w.check_panel
    w.session.set(activity=cp.activity_id(), facts=dict(cp.facts()), layers=w.layers.all_layers())
    result = run_review(w.session.request())
    w.checker._done(result)
    assert w.result is result
    return result


def occupied_zone(result) -> dict:
    return next(z for z in result.data["verdicts"]["zones"] if z["layer_id"] == "stbhhx" and z["status"] == "occupied")


def result_text(result) -> str:
    from ningxia_gis.review.outputs import result_json

    return result_json(result.data)


# ---------------------------------------------------------------------------------------------- save / open
def test_case_saved_in_gui_opens_with_open_case_and_identical_result(win, tmp_path):
    from ningxia_gis.review import run_review
    from ningxia_gis.review.case import open_case, verify_case

    fp = load(win)
    answer(win)
    assert "未命名案卷*" in win.windowTitle()
    check_now(win)
    target = tmp_path / "A-001.gpkg"
    assert win.cases.save_to(target) is True and target.is_file()
    assert win.windowTitle().startswith("A-001 — ") and not win.session.dirty

    case = open_case(target)
    assert result_text(case.result) == result_text(win.result)
    assert case.footprint.sha256 == fp.sha256 and case.activity == ACTIVITY and case.facts == FACTS
    assert verify_case(target).ok
    # the stored request gives the same result again (same layers, footprint, answers)
    assert result_text(run_review(case.request)) == result_text(win.result)

    # the next change marks the title; a second save appends to the same audit log
    box = win.check_panel.fact_boxes["unavoidable"]
    box.setCurrentIndex(box.findData(False))
    box.activated.emit(box.currentIndex())
    assert win.windowTitle().startswith("A-001* — ") and win.result is None
    check_now(win)
    assert win.cases.save() is True
    again = open_case(target)
    assert again.facts == {**FACTS, "unavoidable": False}
    assert [e.action for e in again.audit[:len(case.audit)]] == [e.action for e in case.audit]
    assert [e.action for e in again.audit[len(case.audit):]] == ["answers", "checked", "saved"]
    assert result_text(again.result) == result_text(win.result) != result_text(case.result)


def test_case_made_by_the_cli_opens_in_the_gui_and_the_reverse(win, tmp_path, capsys):
    from ningxia_gis.review.case import open_case

    target = tmp_path / "cli_case.gpkg"
    argv = ["case", "new", str(target), str(ROAD), "--layers", str(SAMPLE_CATALOG), "--activity", ACTIVITY]
    for k, v in FACTS.items():
        argv += ["--fact", f"{k}={'yes' if v else 'no'}"]
    assert cli_main(argv) == 0
    cli_case = open_case(target)

    win.session.set(facts={"left_over": True})  # something unsaved: the prompt is answered 不保存 (policy)
    win.settings.setValue("meta/project_name", "上一个项目")
    assert win.cases.open_case(target) is True and win.last_error is None
    assert win.exporter.case_meta()["project_name"] == ""  # the report's details are this case's
    assert win.footprint.sha256 == cli_case.footprint.sha256
    assert win.footprint_geom is not None and win.canvas.footprint is not None
    assert win.check_panel.activity_id() == ACTIVITY and win.check_panel.facts() == FACTS
    assert result_text(win.result) == result_text(cli_case.result)
    assert win.windowTitle().startswith("cli_case — ") and not win.session.dirty
    assert win.cases.undo_stack.count() == 0
    # the results panel shows the stored result: every verdict zone of the JSON with its verdict
    rows = win.results.rows()
    for z in cli_case.result.data["verdicts"]["zones"]:
        if z["status"] == "occupied":
            row = next(r for r in rows if r["kind"] == "zone" and r["layer_id"] == z["layer_id"]
                       and r["zone"] == z["zone"])
            assert row["verdict"] == z["verdict"]
            assert row["m2"] == pytest.approx(z["area"]["ellipsoidal_m2"], rel=1e-9)
    # the reverse: an officer verdict recorded in the window, saved, is what `case show` prints
    z = occupied_zone(win.result)
    assert win.cases.record_override("stbhhx", z["zone"], "禁止", "现场核实：可以避让") is not None
    assert win.cases.save() is True
    capsys.readouterr()
    assert cli_main(["case", "show", str(target)]) == 0
    out = capsys.readouterr().out
    assert "现场核实：可以避让" in out and f"{z['verdict']} → 禁止" in out
    assert cli_main(["case", "verify", str(target)]) == 0


def test_case_keeps_exactly_the_layers_in_the_check(win, tmp_path):
    """A layer unticked in the panel is not in the case's catalog: reopened, the request checks the same
    layers as the window did."""
    from PySide6.QtCore import Qt

    from ningxia_gis.app.layer_panel import COL_CHECK
    from ningxia_gis.review import run_review
    from ningxia_gis.review.case import open_case

    redline = next(lyr for lyr in win.vector_layers() if lyr.role == "eco_redline")
    win.layer_panel.tree.topLevelItem(win.all_layers().index(redline)).setCheckState(COL_CHECK, Qt.CheckState.Unchecked)
    assert not redline.checked
    load(win)
    answer(win)
    result = check_now(win)
    ids = [x["id"] for x in result.data["layers"]]
    assert redline.spec.id not in ids
    target = tmp_path / "subset.gpkg"
    assert win.cases.save_to(target)
    case = open_case(target)
    assert [s.id for s in case.catalog.layers] == ids
    assert [x["id"] for x in run_review(case.request).data["layers"]] == ids
    assert result_text(case.result) == result_text(result)


def test_recent_cases_menu_and_a_missing_file(win, tmp_path):
    load(win)
    target = tmp_path / "R-1.gpkg"
    assert win.cases.save_to(target)
    titles = [a.text() for a in win.menu_recent_cases.actions()]
    assert titles and titles[0].startswith("R-1.gpkg")
    assert win.settings.value("recent/cases") in ([str(target)], str(target))
    target.unlink()
    assert win.cases.open_recent(str(target)) is False
    assert "R-1.gpkg" in win.last_error and "最近的案卷" in win.last_error
    assert win.cases.recent() == [] and not win.menu_recent_cases.actions()


# ---------------------------------------------------------------------------------------------- the prompt
def test_unsaved_prompt_dialog_has_chinese_buttons(win, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ningxia_gis.app.case_controller import ask_unsaved

    seen = {}

    def answer_cancel():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["buttons"] = sorted(b.text() for b in box.buttons())
        seen["text"] = box.text()
        box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(200, answer_cancel)
    assert ask_unsaved(win, "A-001") == "cancel"
    assert seen["buttons"] == sorted(["保存", "不保存", "取消"]) and "A-001" in seen["text"]


def test_unsaved_prompt_guards_clear_open_drop_scenario_new_and_close(win, qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog

    from ningxia_gis.app import case_controller

    asked = []
    reply = ["cancel"]
    monkeypatch.setattr(case_controller, "ask_unsaved", lambda parent, name: asked.append(name) or reply[0])
    win.cases.unsaved_policy = None
    assert win.cases.confirm_discard() and not asked  # nothing to lose: no question
    fp = load(win)
    answer(win)
    check_now(win)
    result = win.result

    # 取消: nothing is discarded
    win.check_panel.btn_clear.click()
    assert win.open_footprint(PV) is None
    win.handle_dropped([str(PV)])
    win.run_scenario("pv_on_farmland")
    assert win.cases.new_case() is False
    win.close()
    assert len(asked) == 6
    assert win.footprint is fp and win.result is result and win.session.facts == FACTS
    assert win.isVisible() and not win.closing and not any(t.name == "footprint" for t in win._tasks)

    # 保存 with the file dialog cancelled: the save is cancelled, so is the 清除
    reply[0] = "save"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    win.check_panel.btn_clear.click()
    assert win.footprint is fp and win.session.dirty
    # 保存 to a file: saved first, then cleared
    target = tmp_path / "saved_first.gpkg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    win.check_panel.btn_clear.click()
    assert target.is_file() and win.footprint is None
    from ningxia_gis.review.case import open_case
    assert open_case(target).footprint.sha256 == fp.sha256

    # 不保存: discarded
    reply[0] = "discard"
    load(win)
    n = len(asked)
    win.check_panel.btn_clear.click()
    assert win.footprint is None and len(asked) == n + 1
    load(win)
    with qtbot.waitSignal(win.footprintChanged, timeout=30000):
        assert win.open_footprint(PV) is not None
    assert win.footprint.name != fp.name and len(asked) == n + 2
    win.close()
    assert len(asked) == n + 3
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=20000)


# ---------------------------------------------------------------------------------------------- undo, new
def test_undo_after_clear_restores_footprint_and_result_and_answers(win):
    fp = load(win)
    answer(win)
    result = check_now(win)
    assert {a.toString() for a in win.act_undo.shortcuts()} == {"Ctrl+Z"}
    assert {a.toString() for a in win.act_redo.shortcuts()} == {"Ctrl+Shift+Z", "Ctrl+Y"}

    win.check_panel.btn_clear.click()
    assert win.footprint is None and win.result is None and win.canvas.footprint is None
    assert win.act_undo.isEnabled() and "清除项目用地" in win.act_undo.text()
    win.act_undo.trigger()
    assert win.footprint is fp and win.result is result and win.canvas.footprint is not None
    assert win.results.rows() and win.footprint_block["area"] == pytest.approx(result.data["footprint"]["area"])
    win.act_redo.trigger()
    assert win.footprint is None and win.result is None
    win.act_undo.trigger()
    assert win.footprint is fp and win.result is result

    # an answer: undo puts the panel, the session and the result of the earlier answers back
    box = win.check_panel.fact_boxes["unavoidable"]
    box.setCurrentIndex(box.findData(False))
    box.activated.emit(box.currentIndex())
    assert win.session.facts["unavoidable"] is False and win.result is None
    win.act_undo.trigger()
    assert win.check_panel.facts() == FACTS and win.session.facts == FACTS and win.result is result
    win.act_redo.trigger()
    assert win.check_panel.facts()["unavoidable"] is False and win.result is None


def test_new_case_resets_answers_overrides_details_and_undo(win, tmp_path):
    load(win)
    answer(win)
    check_now(win)
    z = occupied_zone(win.result)
    assert win.cases.record_override("stbhhx", z["zone"], "禁止", "现场核实") is not None
    win.session.set(case={"project_name": "上一个项目", "reviewer": "张三"})
    for k, v in {"project_name": "上一个项目", "case_number": "A-9", "reviewer": "张三"}.items():
        win.settings.setValue(f"meta/{k}", v)
    assert win.cases.save_to(tmp_path / "prev.gpkg")

    assert win.cases.new_case() is True
    cp = win.check_panel
    assert win.footprint is None and win.result is None
    assert cp.activity_id() is None and cp.facts() == {}
    assert win.session.facts == {} and win.session.activity is None and win.session.overrides == []
    assert win.session.case == {} and win.cases.case is None and win.cases.path is None
    assert win.cases.undo_stack.count() == 0 and not win.act_undo.isEnabled()
    assert win.windowTitle().startswith("未命名案卷 — ")
    meta = win.exporter.case_meta()
    assert meta["project_name"] == "" and meta["case_number"] == "" and meta["reviewer"] == "张三"
    # the next footprint is checked with the questions unanswered, not with the previous case's answers
    load(win)
    cp.activity.setCurrentIndex(cp.activity.findData(ACTIVITY))
    cp.activity.activated.emit(cp.activity.currentIndex())
    check_now(win)
    assert win.session.request().facts == {} and win.session.request().overrides == []
    assert all(not z.get("officer") for z in win.result.data["verdicts"]["zones"])


# ---------------------------------------------------------------------------------------------- audit, override
def test_audit_dialog_lists_the_save_and_the_override(win, tmp_path):
    from ningxia_gis.review.case import open_case

    assert not win.act_audit.isEnabled()
    load(win)
    answer(win)
    check_now(win)
    target = tmp_path / "audit.gpkg"
    assert win.cases.save_to(target)
    assert win.act_audit.isEnabled()
    dlg = win.cases.show_audit()
    rows = dlg.rows()
    assert [r[3] for r in rows] == ["建立案卷", "审查", "保存"]
    assert rows[-1][4] == "audit.gpkg" and all(r[1] and r[2] for r in rows)
    assert [r[3] for r in rows] == [{"created": "建立案卷", "checked": "审查", "saved": "保存"}[e.action]
                                    for e in open_case(target).audit]
    dlg.close()

    z = occupied_zone(win.result)
    machine_overall = win.result.data["verdicts"]["overall"]["verdict"]
    win.cases.record_override("stbhhx", z["zone"], "禁止", "现场核实：可以避让")
    assert win.cases.save()
    rows2 = win.cases.show_audit().rows()
    assert rows2[:3] == rows  # append-only
    assert [r[3] for r in rows2[3:]] == ["审查人员意见", "保存"]  # no new check: the verdict alone
    assert rows[1][4].startswith(machine_overall + " · PP-")
    ov = rows2[3][4]
    assert z["zone"] in ov and "机器判定" in ov and "现场核实：可以避让" in ov and "禁止" in ov


def test_override_needs_a_reason_then_shows_in_result_panel_and_case(win, qtbot, tmp_path):
    from PySide6.QtCore import QTimer

    from ningxia_gis.review.case import open_case

    load(win)
    answer(win)
    check_now(win)
    z = occupied_zone(win.result)
    machine = z["verdict"]
    assert machine != "禁止"

    # without a reason: refused, in words, and nothing changes
    before = result_text(win.result)
    assert win.cases.record_override("stbhhx", z["zone"], "禁止", "  ") is None
    assert "须说明理由" in win.last_error and win.session.overrides == [] and result_text(win.result) == before

    # the dialog from the results panel: OK disabled while the reason is empty
    item = win.results.item_for("stbhhx", z["zone"])
    win.results.tree.setCurrentItem(item)
    assert win.results.selected_zone() == ("stbhhx", z["zone"])
    assert win.results.btn_override.isEnabled() and win.act_override.isEnabled()
    seen = {}

    def fill():
        dlg = win.cases.override_dialog
        seen["machine"] = dlg.machine.text()
        seen["choices"] = [dlg.verdict_box.itemData(i) for i in range(dlg.verdict_box.count())]
        seen["ok_empty"] = dlg.ok_button.isEnabled()
        dlg.reason_edit.setPlainText("   ")
        seen["ok_blank"] = dlg.ok_button.isEnabled()
        dlg.accept()  # refused while blank
        seen["still_open"] = dlg.isVisible()
        dlg.verdict_box.setCurrentIndex(dlg.verdict_box.findData("禁止"))
        dlg.reason_edit.setPlainText("现场核实：可以避让")
        seen["ok_filled"] = dlg.ok_button.isEnabled()
        dlg.ok_button.click()

    QTimer.singleShot(200, fill)
    win.results.btn_override.click()
    from ningxia_gis.domain.vocab import RULE_VERDICTS
    assert machine in seen["machine"] and seen["choices"] == list(RULE_VERDICTS)
    assert seen["ok_empty"] is False and seen["ok_blank"] is False and seen["still_open"] is True
    assert seen["ok_filled"] is True

    # in the request and the result: the machine verdict kept beside the officer's
    req = win.session.request()
    assert [(o["layer_id"], o["zone"], o["verdict"]) for o in req.overrides] == [("stbhhx", z["zone"], "禁止")]
    rz = occupied_zone(win.result)
    assert rz["verdict"] == machine and rz["officer"]["verdict"] == "禁止"
    assert rz["officer"]["machine_verdict"] == machine and rz["officer"]["reason"] == "现场核实：可以避让"
    assert win.result.data["verdicts"]["overall"]["verdict"] == "禁止"
    # the results panel labels both
    row = next(r for r in win.results.rows() if r["kind"] == "zone" and r["zone"] == z["zone"]
               and r["layer_id"] == "stbhhx")
    assert row["verdict"] == machine and row["officer"] == "禁止" and row["text"][1] == "禁止（人工）"
    item = win.results.item_for("stbhhx", z["zone"])
    children = [item.child(k).text(0) for k in range(item.childCount())]
    assert f"机器判定: {machine}" in children
    assert any(c.startswith("审查人员意见: 禁止") and "现场核实：可以避让" in c for c in children)
    win.results.tree.setCurrentItem(item)
    detail = win.results.detail.toPlainText()
    assert f"机器判定: {machine}" in detail and "审查人员意见: 禁止" in detail
    assert "机器判定总体结论" in win.results.banner.text()
    # the same request through the pipeline gives the same verdicts (the override is in the request)
    from ningxia_gis.review import run_review
    again = run_review(win.session.request())
    assert json.dumps(again.data["verdicts"], sort_keys=True, ensure_ascii=False) == \
        json.dumps(win.result.data["verdicts"], sort_keys=True, ensure_ascii=False)

    # and in the case
    target = tmp_path / "ov.gpkg"
    assert win.cases.save_to(target)
    case = open_case(target)
    assert [(o.layer_id, o.zone, o.verdict, o.reason) for o in case.overrides] == \
        [("stbhhx", z["zone"], "禁止", "现场核实：可以避让")]
    assert case.engine_verdict("stbhhx", z["zone"]) == machine
    # the audit log: the check with the machine's overall verdict, then the officer's for the zone
    checked = next(e for e in case.audit if e.action == "checked")
    assert checked.detail["verdict"] == win.result.data["verdicts"]["overall"]["machine_verdict"] != "禁止"
    override = next(e for e in case.audit if e.action == "override")
    assert override.detail["verdict"] == "禁止" and override.detail["engine_verdict"] == machine
    assert result_text(case.result) == result_text(win.result)
    assert result_text(run_review(case.request)) == result_text(win.result)


def test_report_exported_from_the_window_is_recorded_in_the_case(win, qtbot, tmp_path):
    from ningxia_gis.review.case import open_case

    load(win)
    answer(win)
    check_now(win)
    target = tmp_path / "rep.gpkg"
    assert win.cases.save_to(target)
    out = tmp_path / "result.json"
    with qtbot.waitSignal(win.exportFinished, timeout=60000):
        win.export("json", out)
    assert out.is_file() and win.session.dirty and "*" in win.windowTitle()
    assert win.cases.save()
    case = open_case(target)
    assert [(r.name, r.format) for r in case.reports] == [("result.json", "json")]
    assert case.audit[-2].action == "report" and case.audit[-1].action == "saved"
    assert cli_main(["case", "verify", str(target), str(out)]) == 0
    out.write_bytes(out.read_bytes() + b" ")
    assert cli_main(["case", "verify", str(target), str(out)]) != 0


def test_dropped_case_file_opens_the_case_and_english_texts(win, tmp_path):
    from ningxia_gis.app import i18n
    from ningxia_gis.review.case import is_case_file, open_case

    fp = load(win)
    answer(win)
    check_now(win)
    target = tmp_path / "drop.gpkg"
    assert win.cases.save_to(target)
    assert is_case_file(target) and not is_case_file(ROAD) and not is_case_file(tmp_path / "none.gpkg")
    assert win.cases.new_case() and win.footprint is None
    win.handle_dropped([str(target)])  # a case, not a footprint file
    assert win.cases.path == target and win.footprint.sha256 == fp.sha256
    assert result_text(win.result) == result_text(open_case(target).result)
    try:
        win.set_language("en")
        assert win.windowTitle().startswith("drop — Ningxia")
        assert win.act_case_save.text() == "Save" and win.menu_recent_cases.title() == "Recent cases"
        row = win.cases.show_audit().rows()[-1]
        assert row[3] == "saved" and row[4] == "drop.gpkg"
        assert win.cases.new_case() and win.windowTitle().startswith("untitled case — ")
    finally:
        win.set_language("zh")


def test_officer_verdict_withdrawn_from_the_dialog(win, tmp_path):
    from PySide6.QtCore import QTimer

    from ningxia_gis.review.case import open_case

    load(win)
    answer(win)
    check_now(win)
    machine_text = result_text(win.result)
    z = occupied_zone(win.result)
    assert win.cases.record_override("stbhhx", z["zone"], "禁止", "现场核实")
    target = tmp_path / "w.gpkg"
    assert win.cases.save_to(target)
    seen = {}

    def withdraw():
        dlg = win.cases.override_dialog
        seen["reason"] = dlg.reason()
        dlg.btn_withdraw.click()

    QTimer.singleShot(200, withdraw)
    assert win.cases.ask_override("stbhhx", z["zone"]) is True
    assert seen["reason"] == "现场核实"  # the dialog opened with the recorded verdict
    assert win.session.overrides == [] and not occupied_zone(win.result).get("officer")
    assert result_text(win.result) == machine_text  # the machine's result again, exactly
    assert win.cases.save()
    case = open_case(target)
    assert case.overrides == [] and [e.action for e in case.audit][-2:] == ["override_removed", "saved"]
    assert result_text(case.result) == machine_text
