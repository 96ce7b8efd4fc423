"""The trainer quiz: scoring, explanations with the clause, the XLSX score sheet."""

import pytest
from openpyxl import load_workbook

from ningxia_gis.domain.errors import InputError
from ningxia_gis.review.quiz import Quiz, load_training_cases

CASES = load_training_cases()


def quiz():
    return Quiz.start(CASES, ids=["road_unavoidable_redline", "pv_basic_grassland", "logistics_nothing_touched"],
                      trainee="张三", session="2026年第1期")


def test_scoring_and_explanations():
    q = quiz()
    assert q.max_points() == (1 + 3) + (1 + 3 + 3) + 1
    [road] = q.questions("road_unavoidable_redline")
    assert road.label == "生态保护红线（核心保护区外）" and road.area_ha > 0
    right = q.answer("road_unavoidable_redline", road.key, "有条件允许", ["认定/审批", "论证", "审核"])
    assert (right.points, right.max_points, right.verdict_ok, right.procedure_ok) == (3, 3, True, True)
    assert "eco_redline.la6.unavoidable_linear_infrastructure" in right.clause_zh and "二（一）2" in right.clause_zh
    assert "「" in right.clause_zh  # the quoted clause text from the rule base
    basic, general = q.questions("pv_basic_grassland")
    wrong = q.answer("pv_basic_grassland", basic.key, "有条件允许", ["认定/审批"])
    assert (wrong.points, wrong.verdict_ok, wrong.procedure_ok) == (0, False, False)
    assert "比规定更宽松" in wrong.explanation_zh and "正确结论为“禁止”" in wrong.explanation_zh
    assert "多选：认定/审批" in wrong.explanation_zh and "grassland.basic.development_construction_prohibited" in wrong.clause_zh
    half = q.answer("pv_basic_grassland", general.key, "conditional", [])  # vocabulary code accepted
    assert (half.points, half.verdict_ok, half.procedure_ok) == (2, True, False)
    assert "缺少：认定/审批" in half.explanation_zh
    strict = q.answer_overall("pv_basic_grassland", "禁止")
    assert strict.points == 1 and "总体结论正确" in strict.explanation_zh
    none = q.answer_overall("logistics_nothing_touched", "需人工判定")
    assert none.points == 0 and "比规定更严格" in none.explanation_zh
    assert q.questions("logistics_nothing_touched") == []
    s = q.score()
    assert (s["points"], s["max_points"]) == (3 + 0 + 2 + 1, 12)
    assert s["percent"] == pytest.approx(100 * 6 / 12)
    assert [c["points"] for c in s["cases"]] == [3, 3, 0]
    # answering again replaces the earlier answer
    q.answer("pv_basic_grassland", basic.key, "禁止", [])
    assert q.score()["points"] == 9


def test_bad_answers_are_refused():
    q = quiz()
    with pytest.raises(InputError):
        q.answer("road_unavoidable_redline", "stbhhx|核心保护区外", "也许")
    with pytest.raises(InputError):
        q.answer("road_unavoidable_redline", "nope|x", "禁止")
    with pytest.raises(InputError):
        q.answer("road_unavoidable_redline", "stbhhx|核心保护区外", "禁止", ["盖章"])
    with pytest.raises(InputError):
        Quiz.start(CASES, ids=["no_such_case"])


def test_random_draw_is_repeatable_and_leaves_pending_cases_out():
    a = Quiz.start(CASES, n=6, seed=7)
    b = Quiz.start(CASES, n=6, seed=7)
    assert [c.id for c in a.cases] == [c.id for c in b.cases] and len(a.cases) == 6
    everything = Quiz.start(CASES)
    assert not any(c.pending for c in everything.cases)
    assert len(Quiz.start(CASES, include_pending=True).cases) == len(CASES)


def test_score_sheet_xlsx(tmp_path):
    q = quiz()
    key = q.questions("road_unavoidable_redline")[0].key
    q.answer("road_unavoidable_redline", key, "禁止", [])
    q.answer_overall("road_unavoidable_redline", "有条件允许")
    out = tmp_path / "成绩.xlsx"
    out.write_bytes(b"old")
    assert q.write_xlsx(out) == out
    wb = load_workbook(out)
    summary = {r[0]: r[1] for r in wb["成绩汇总"].iter_rows(values_only=True) if r and r[0]}
    assert summary["学员"] == "张三" and summary["得分"] == 1 and summary["满分"] == 12
    rows = list(wb["答题明细"].iter_rows(values_only=True))
    assert rows[0][:4] == ("案例", "题目", "你的结论", "正确结论")
    assert rows[1][2:5] == ("禁止", "有条件允许", "否") and rows[1][6] == "论证 → 审核 → 认定/审批"
    assert rows[2][1] == "总体结论" and rows[2][8] == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    with pytest.raises(InputError):
        q.write_xlsx(tmp_path / "x.csv")
