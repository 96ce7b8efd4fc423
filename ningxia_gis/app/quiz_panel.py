"""The trainer's 测验 (quiz) tab, driving `review.quiz.Quiz`: the trainee starts a session (name, number of
cases), each case's footprint is checked in a worker and drawn on the map, the trainee picks a verdict
and the approval procedure per zone and the overall verdict, 提交 reveals the answers with the clause
and the difference, 下一题 moves on, and the score sheet is exported as XLSX."""

from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QSpinBox, QTextBrowser, QVBoxLayout, QWidget)

from .errors import guarded
from .i18n import tr

PLACEHOLDER = ""


class ZoneAnswer(QWidget):
    """One zone's answer: verdict and the procedure stages."""

    def __init__(self, question, verdicts, stages, parent=None):
        super().__init__(parent)
        self.question = question
        self.verdict = QComboBox()
        self.verdict.addItem(tr("quiz.choose"), PLACEHOLDER)
        for v in verdicts:
            self.verdict.addItem(v, v)
        self.stages = {s: QCheckBox(s) for s in stages}
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 6)
        lay.addWidget(self.verdict)
        row = QHBoxLayout()
        row.addWidget(QLabel(tr("quiz.procedure")))
        for cb in self.stages.values():
            row.addWidget(cb)
        row.addStretch(1)
        lay.addLayout(row)

    def set_answer(self, verdict: str, procedure=()) -> None:
        self.verdict.setCurrentIndex(max(0, self.verdict.findData(verdict)))
        for s, cb in self.stages.items():
            cb.setChecked(s in procedure)

    def answer(self) -> tuple[str, tuple[str, ...]]:
        return self.verdict.currentData(), tuple(s for s, cb in self.stages.items() if cb.isChecked())


class QuizPanel(QWidget):
    startRequested = Signal(str, int)  # trainee, number of cases
    submitRequested = Signal()
    nextRequested = Signal()
    exportRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.trainee = QLineEdit()
        self.count = QSpinBox()
        self.count.setRange(1, 50)
        self.count.setValue(5)
        self.btn_start = QPushButton()
        self.btn_start.clicked.connect(lambda: self.startRequested.emit(self.trainee.text().strip(), self.count.value()))
        self.case_info = QLabel()
        self.case_info.setWordWrap(True)
        self.case_info.setTextFormat(Qt.TextFormat.RichText)
        self.answers_box = QWidget()
        self.grid = QGridLayout(self.answers_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.answers_box)
        self.overall = None
        self.zone_answers: list[ZoneAnswer] = []
        self.btn_submit = QPushButton()
        self.btn_submit.clicked.connect(self.submitRequested)
        self.btn_next = QPushButton()
        self.btn_next.clicked.connect(self.nextRequested)
        self.btn_export = QPushButton()
        self.btn_export.clicked.connect(self.exportRequested)
        self.feedback = QTextBrowser()
        self.score = QLabel()
        form = QFormLayout()
        form.addRow(tr("quiz.trainee"), self.trainee)
        row = QHBoxLayout()
        row.addWidget(self.count)
        row.addWidget(self.btn_start)
        row.addStretch(1)
        self.lbl_trainee, self.lbl_count = form.labelForField(self.trainee), QLabel()
        form.addRow(self.lbl_count, row)
        buttons = QHBoxLayout()
        for b in (self.btn_submit, self.btn_next, self.btn_export):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(form)
        lay.addWidget(self.case_info)
        lay.addWidget(scroll, 3)
        lay.addLayout(buttons)
        lay.addWidget(self.score)
        lay.addWidget(self.feedback, 2)
        self.retranslate()
        self.set_state("idle")

    def retranslate(self) -> None:
        self.lbl_trainee.setText(tr("quiz.trainee"))
        self.lbl_count.setText(tr("quiz.count"))
        self.btn_start.setText(tr("quiz.start"))
        self.btn_submit.setText(tr("quiz.submit"))
        self.btn_next.setText(tr("quiz.next"))
        self.btn_export.setText(tr("quiz.export"))
        self.trainee.setPlaceholderText(tr("quiz.trainee.placeholder"))

    def set_state(self, state: str) -> None:
        """idle / loading / answering / revealed / finished"""
        self.state = state
        self.btn_start.setEnabled(state in ("idle", "revealed", "finished", "answering"))
        self.btn_submit.setEnabled(state == "answering")
        self.btn_next.setEnabled(state == "revealed")
        self.btn_export.setEnabled(state in ("revealed", "finished"))

    def show_case(self, header_html: str, questions, verdicts, stages) -> None:
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.zone_answers = []
        self.case_info.setText(header_html)
        for i, q in enumerate(questions):
            area = f" · {q.area_ha:,.4f} {tr('unit.ha')}" if q.area_ha else ""
            lbl = QLabel(f"{q.label}{area}")
            lbl.setWordWrap(True)
            za = ZoneAnswer(q, verdicts, stages)
            self.grid.addWidget(lbl, 2 * i, 0)
            self.grid.addWidget(za, 2 * i + 1, 0)
            self.zone_answers.append(za)
        lbl = QLabel(f"<b>{tr('quiz.overall')}</b>")
        self.overall = QComboBox()
        self.overall.addItem(tr("quiz.choose"), PLACEHOLDER)
        for v in verdicts:
            self.overall.addItem(v, v)
        n = 2 * len(questions)
        self.grid.addWidget(lbl, n, 0)
        self.grid.addWidget(self.overall, n + 1, 0)
        self.grid.setRowStretch(n + 2, 1)
        self.feedback.clear()
        self.set_state("answering")


class QuizController(QObject):
    """The `Quiz` of the session, one case at a time."""

    caseReady = Signal(str)  # case id
    revealed = Signal(object)  # list of Feedback

    def __init__(self, window, panel: QuizPanel):
        super().__init__(window)
        self.w, self.panel = window, panel
        self.quiz = None
        self.index = -1
        self.task = None
        panel.startRequested.connect(lambda trainee, n: self.start(trainee=trainee, n=n))
        panel.submitRequested.connect(self.submit)
        panel.nextRequested.connect(self.next_case)
        panel.exportRequested.connect(self.ask_export)

    @property
    def case_id(self) -> str | None:
        return self.quiz.cases[self.index].id if self.quiz and 0 <= self.index < len(self.quiz.cases) else None

    @guarded()
    def start(self, *, trainee: str = "", n: int = 5, ids: list[str] | None = None, seed: int | None = None):
        from ..review.quiz import Quiz

        self.quiz = Quiz.start(ids=ids, n=n, seed=seed, trainee=trainee)
        self.index = -1
        self.next_case()
        return self.quiz

    def next_case(self) -> None:
        if self.quiz is None:
            return
        self.index += 1
        if self.index >= len(self.quiz.cases):
            self.finish()
            return
        cid = self.case_id
        self.panel.set_state("loading")
        self.panel.case_info.setText(tr("quiz.loading", n=self.index + 1, total=len(self.quiz.cases)))
        quiz = self.quiz
        self.task = self.w.run_task(lambda: (quiz.result(cid), quiz.questions(cid)), done=lambda r: self._ready(quiz, cid, r),
                                    name="quiz", failed_key="quiz.failed")

    def _ready(self, quiz, cid, res_questions) -> None:
        from ..review.quiz import PROCEDURE_STAGES, VERDICT_CHOICES

        if quiz is not self.quiz or cid != self.case_id:
            return
        result, questions = res_questions
        case = quiz.case(cid)
        self.panel.show_case(self._header(case, self.index, len(quiz.cases)), questions, VERDICT_CHOICES,
                             PROCEDURE_STAGES)
        self._draw(result)
        self.caseReady.emit(cid)

    @staticmethod
    def _header(case, i: int, n: int) -> str:
        from ..rules.activities import list_activities

        act = next((a for a in list_activities() if a["id"] == case.activity), {"name_zh": case.activity,
                                                                                  "questions": []})
        qtext = {q["fact"]: q["question_zh"] for q in act.get("questions", [])}
        facts = "".join(f"<li>{html.escape(qtext.get(f, f))} {tr('yes') if v else tr('no')}</li>"
                        for f, v in case.facts.items())
        return (f"<b>{tr('quiz.case', n=i + 1, total=n)}：{html.escape(case.title_zh)}</b><br>"
                f"{tr('res.activity')}：{html.escape(act['name_zh'])}"
                + (f"<ul style='margin:0'>{facts}</ul>" if facts else "")
                + f"<br>{tr('quiz.task')}")

    def _draw(self, result) -> None:
        """The case's footprint on the map (in the map's CRS), zoomed to."""
        import shapely

        geom = result.footprint_geom
        if geom is None:
            return
        if result.epsg != self.w.canvas.epsg:
            from ..core.crs import transformer

            t = transformer(result.epsg, self.w.canvas.epsg)
            geom = shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
        self.w.canvas.set_overlay("quiz", [geom], face=(1.0, 0.55, 0.0, 0.25), edge="#ff6600", width=2.4)
        self.w.canvas.zoom_to(geom.bounds, pad=0.35, min_size=2000.0)

    def submit(self) -> list:
        """Score the answers shown; unanswered zones are scored as wrong with the answer revealed."""
        if self.quiz is None or self.panel.state != "answering":
            return []
        cid = self.case_id
        out, missing = [], False
        for za in self.panel.zone_answers:
            verdict, proc = za.answer()
            if not verdict:
                missing = True
                continue
            out.append(self.quiz.answer(cid, za.question.key, verdict, proc))
        overall = self.panel.overall.currentData() if self.panel.overall is not None else ""
        if overall:
            out.append(self.quiz.answer_overall(cid, overall))
        else:
            missing = True
        if missing:
            self.w.statusBar().showMessage(tr("quiz.missing"), 8000)
            if not out:
                return []
        self.panel.feedback.setHtml(self._feedback_html(cid, out))
        s = self.quiz.score()
        self.panel.score.setText(tr("quiz.score", points=s["points"], max=s["max_points"], percent=f"{s['percent']:.0f}"))
        self.panel.set_state("revealed")
        self.revealed.emit(out)
        return out

    def _feedback_html(self, cid, feedbacks) -> str:
        rows = []
        labels = {za.question.key: za.question.label for za in self.panel.zone_answers}
        for f in feedbacks:
            ok = f.verdict_ok and f.procedure_ok is not False
            mark = "✔" if ok else "✘"
            colour = "#137333" if ok else "#b3261e"
            title = tr("quiz.overall") if f.key == "overall" else labels.get(f.key, f.key)
            rows.append(f"<p><b style='color:{colour}'>{mark} {html.escape(title)}</b>（{f.points}/{f.max_points}）<br>"
                        f"{html.escape(f.explanation_zh)}</p>")
        return "".join(rows)

    def finish(self) -> None:
        s = self.quiz.score() if self.quiz else None
        self.panel.set_state("finished")
        self.w.canvas.set_overlay("quiz", None)
        if s:
            self.panel.case_info.setText(tr("quiz.finished", points=s["points"], max=s["max_points"],
                                            percent=f"{s['percent']:.0f}"))

    def ask_export(self) -> None:
        from pathlib import Path

        if self.quiz is None:
            return
        start = Path(str(self.w.settings.value("dir/export", str(Path.home()))))
        name = f"培训成绩_{self.quiz.trainee or '学员'}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self.w, tr("quiz.export"), str(start / name), "Excel (*.xlsx)")
        if path:
            self.export(path)

    @guarded("what.export")
    def export(self, path):
        p = self.quiz.write_xlsx(path)
        self.w.statusBar().showMessage(tr("sb.exported", path=str(p)), 8000)
        return p
