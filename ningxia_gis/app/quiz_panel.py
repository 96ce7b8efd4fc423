"""The trainer's quiz: the app draws cases from the scenario library, the trainee judges each zone (verdict
and approval chain) and the overall verdict, then sees the answer with its clause and the difference.
The panel drives `review.quiz.Quiz`; a case's check runs in a worker. The score sheet is XLSX."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFileDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QTextBrowser,
                               QVBoxLayout, QWidget)

from ..domain.errors import NingxiaGisError
from .check_worker import Task
from .errors import user_message
from .i18n import tr, verdict_text

COL_ZONE, COL_AREA, COL_VERDICT, COL_PROCEDURE = range(4)


class _ProcedureBox(QWidget):
    """The approval stages as check boxes (论证 / 审核 / 认定/审批), stacked so a narrow dock shows them all."""

    def __init__(self, stages, parent=None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 0, 2, 0)
        self.boxes = {s: QCheckBox(s) for s in stages}
        for b in self.boxes.values():
            lay.addWidget(b)

    def chosen(self) -> tuple[str, ...]:
        return tuple(s for s, b in self.boxes.items() if b.isChecked())

    def set_chosen(self, stages) -> None:
        for s, b in self.boxes.items():
            b.setChecked(s in stages)


class QuizPanel(QWidget):
    """`caseShown(case, result)` lets the window draw the case's footprint (never its verdicts);
    `taskStarted(Task)` lets it track the worker."""

    caseShown = Signal(object, object)
    taskStarted = Signal(object)
    caseReady = Signal(str)  # case id whose questions are shown

    def __init__(self, cases=None, parent=None):
        super().__init__(parent)
        from ..review.quiz import PROCEDURE_STAGES, VERDICT_CHOICES, load_training_cases

        self._stages = PROCEDURE_STAGES
        self._verdicts = VERDICT_CHOICES
        self.error: str | None = None
        try:
            self.cases = list(cases) if cases is not None else load_training_cases()
        except NingxiaGisError as exc:
            self.cases, self.error = [], user_message(exc)
        self.quiz = None
        self.index = -1
        self.questions: list = []
        self.loaded: str | None = None  # id of the case whose questions are shown
        self.submitted = False
        self.task: Task | None = None

        self.trainee = QLineEdit()
        self.count = QSpinBox()
        self.count.setRange(1, max(1, len(self.cases)))
        self.count.setValue(min(5, max(1, len(self.cases))))
        self.btn_start = QPushButton()
        self.btn_start.clicked.connect(lambda: self.start())
        form = QFormLayout()
        self.lbl_trainee, self.lbl_count = QLabel(), QLabel()
        form.addRow(self.lbl_trainee, self.trainee)
        row = QHBoxLayout()
        row.addWidget(self.count)
        row.addWidget(self.btn_start)
        row.addStretch(1)
        form.addRow(self.lbl_count, row)

        self.header = QLabel()
        self.header.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(COL_ZONE, QHeaderView.ResizeMode.Stretch)
        self.overall = QComboBox()
        self.lbl_overall = QLabel()
        orow = QHBoxLayout()
        orow.addWidget(self.lbl_overall)
        orow.addWidget(self.overall, 1)
        self.btn_submit = QPushButton()
        self.btn_submit.clicked.connect(self.submit)
        self.btn_next = QPushButton()
        self.btn_next.clicked.connect(self.next_case)
        self.btn_export = QPushButton()
        self.btn_export.clicked.connect(self.ask_export)
        brow = QHBoxLayout()
        for b in (self.btn_submit, self.btn_next, self.btn_export):
            brow.addWidget(b)
        brow.addStretch(1)
        self.feedback = QTextBrowser()
        self.score = QLabel()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(form)
        lay.addWidget(self.header)
        lay.addWidget(self.table, 1)
        lay.addLayout(orow)
        lay.addLayout(brow)
        lay.addWidget(self.feedback, 1)
        lay.addWidget(self.score)
        self.retranslate()
        self._update_enabled()

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        self.lbl_trainee.setText(tr("qz.trainee"))
        self.lbl_count.setText(tr("qz.count"))
        self.btn_start.setText(tr("qz.start"))
        self.btn_submit.setText(tr("qz.submit"))
        self.btn_next.setText(tr("qz.next"))
        self.btn_export.setText(tr("qz.export"))
        self.lbl_overall.setText(tr("qz.overall"))
        self.table.setHorizontalHeaderLabels([tr("qz.col.zone"), tr("qz.col.area"), tr("qz.col.verdict"),
                                              tr("qz.col.procedure")])
        self._fill_verdicts(self.overall)
        for r in range(self.table.rowCount()):
            combo = self.table.cellWidget(r, COL_VERDICT)
            if isinstance(combo, QComboBox):
                self._fill_verdicts(combo)
        if self.quiz is None:
            self.header.setText(self.error or tr("qz.intro", n=len(self.cases)))
        self._show_score()

    def _fill_verdicts(self, combo: QComboBox) -> None:
        current = combo.currentData()
        combo.clear()
        combo.addItem(tr("qz.choose"), None)
        for v in self._verdicts:
            combo.addItem(verdict_text(v), v)
        i = combo.findData(current)
        combo.setCurrentIndex(max(i, 0))

    # ------------------------------------------------------------------ flow
    def start(self, ids: list[str] | None = None, seed: int | None = None) -> None:
        """A new session: ``ids`` (else the chosen number of cases drawn at random, ``seed`` repeatable)."""
        from ..review.quiz import Quiz

        if not self.cases:
            return
        try:
            self.quiz = Quiz.start(self.cases, ids=ids, n=None if ids else self.count.value(), seed=seed,
                                   trainee=self.trainee.text().strip())
        except NingxiaGisError as exc:
            self.header.setText(user_message(exc))
            return
        self.index = -1
        self.next_case()

    @property
    def case(self):
        if self.quiz is None or not (0 <= self.index < len(self.quiz.cases)):
            return None
        return self.quiz.cases[self.index]

    def next_case(self) -> None:
        if self.quiz is None:
            return
        if self.index + 1 >= len(self.quiz.cases):
            self.header.setText(tr("qz.finished", **self._score_fmt()))
            self.index = len(self.quiz.cases)
            self.questions, self.loaded = [], None
            self.table.setRowCount(0)
            self.caseShown.emit(None, None)
            self._update_enabled()
            return
        self.index += 1
        self.submitted = False
        self.questions, self.loaded = [], None
        self.table.setRowCount(0)
        self.feedback.clear()
        case = self.case
        self.header.setText(tr("qz.loading", title=case.title_zh))
        quiz = self.quiz
        t = Task(lambda: (quiz.result(case.id), quiz.questions(case.id)), name="quiz_case")
        t.done.connect(lambda r, cid=case.id: self._case_loaded(cid, *r))
        t.failed.connect(lambda msg, _d: self.header.setText(msg))
        t.finished.connect(self._update_enabled)
        self.task = t
        self.taskStarted.emit(t)
        t.start()
        self._update_enabled()

    def _case_loaded(self, case_id: str, result, questions) -> None:
        case = self.case
        if case is None or case.id != case_id:
            return  # a newer case was chosen meanwhile
        from ..rules import load_rule_base

        rb = load_rule_base()
        act = rb.activities.get(case.activity)
        facts = "；".join(f"{rb.facts[k].question_zh if k in rb.facts else k} {'是' if v is True else '否' if v is False else v}"
                         for k, v in case.facts.items())
        self.header.setText(tr("qz.case", i=self.index + 1, n=len(self.quiz.cases), title=case.title_zh,
                               activity=act.name_zh if act else case.activity) + (f"\n{tr('tr.facts')}：{facts}" if facts else ""))
        self.questions, self.loaded = questions, case_id
        self.table.setRowCount(len(questions))
        for r, q in enumerate(questions):
            it = QTableWidgetItem(q.label)
            it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, COL_ZONE, it)
            area = QTableWidgetItem("" if q.area_ha is None else f"{q.area_ha:,.4f}")
            area.setFlags(area.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(r, COL_AREA, area)
            combo = QComboBox()
            self._fill_verdicts(combo)
            self.table.setCellWidget(r, COL_VERDICT, combo)
            self.table.setCellWidget(r, COL_PROCEDURE, _ProcedureBox(self._stages))
        self.table.resizeColumnsToContents()
        self.table.resizeRowsToContents()
        self.table.horizontalHeader().setSectionResizeMode(COL_ZONE, QHeaderView.ResizeMode.Stretch)
        self.overall.setCurrentIndex(0)
        self.caseShown.emit(case, result)
        self.caseReady.emit(case_id)
        self._update_enabled()

    # ------------------------------------------------------------------ answering
    def set_answer(self, row: int, verdict: str, procedure=()) -> None:
        """Fill one zone's answer (what the trainee does with the widgets)."""
        combo = self.table.cellWidget(row, COL_VERDICT)
        combo.setCurrentIndex(combo.findData(verdict))
        self.table.cellWidget(row, COL_PROCEDURE).set_chosen(procedure)

    def set_overall(self, verdict: str) -> None:
        self.overall.setCurrentIndex(self.overall.findData(verdict))

    def submit(self) -> bool:
        """Score the current case; every zone and the overall verdict must be answered."""
        case = self.case
        if case is None or self.submitted or self.loaded != case.id:
            return False
        answers = []
        for r, q in enumerate(self.questions):
            v = self.table.cellWidget(r, COL_VERDICT).currentData()
            if v is None:
                self.feedback.setHtml(f"<p>{html.escape(tr('qz.unanswered', zone=q.label))}</p>")
                return False
            answers.append((q, v, self.table.cellWidget(r, COL_PROCEDURE).chosen()))
        overall = self.overall.currentData()
        if overall is None:
            self.feedback.setHtml(f"<p>{html.escape(tr('qz.unanswered', zone=tr('qz.overall')))}</p>")
            return False
        e = html.escape
        out = []
        for q, v, proc in answers:
            fb = self.quiz.answer(case.id, q.key, v, proc)
            mark = "✔" if fb.verdict_ok and fb.procedure_ok is not False else "✘"
            colour = "#1a7f37" if mark == "✔" else "#b3261e"
            out.append(f"<p><b style='color:{colour}'>{mark} {e(q.label)}</b>（{fb.points}/{fb.max_points}）<br>"
                       f"{e(fb.explanation_zh)}</p>")
        fb = self.quiz.answer_overall(case.id, overall)
        mark = "✔" if fb.verdict_ok else "✘"
        out.append(f"<p><b>{mark} {e(tr('qz.overall'))}</b>（{fb.points}/{fb.max_points}）<br>{e(fb.explanation_zh)}</p>")
        self.feedback.setHtml("".join(out))
        self.submitted = True
        self._show_score()
        self._update_enabled()
        return True

    # ------------------------------------------------------------------ score
    def _score_fmt(self) -> dict:
        s = self.quiz.score() if self.quiz else {"points": 0, "max_points": 0, "percent": 0.0}
        return {"points": s["points"], "max": s["max_points"], "percent": f"{s['percent']:.0f}"}

    def _show_score(self) -> None:
        self.score.setText(tr("qz.score", **self._score_fmt()) if self.quiz else "")

    def ask_export(self) -> None:
        if self.quiz is None:
            return
        name = f"培训成绩_{self.quiz.trainee or '学员'}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, tr("qz.export"), str(Path.home() / name), "Excel (*.xlsx)")
        if path:
            self.export(path)

    def export(self, path) -> bool:
        try:
            self.quiz.write_xlsx(path)
        except NingxiaGisError as exc:
            self.feedback.setHtml(f"<p>{html.escape(user_message(exc))}</p>")
            return False
        self.score.setText(tr("qz.exported", path=Path(path).name))
        return True

    def _update_enabled(self) -> None:
        loading = self.task is not None and self.task.is_active
        active = self.case is not None and self.loaded == self.case.id and not loading
        self.btn_start.setEnabled(bool(self.cases) and not loading)
        self.btn_submit.setEnabled(active and not self.submitted)
        self.btn_next.setEnabled(self.quiz is not None and not loading and (self.submitted or self.case is None)
                                 and self.index < len(self.quiz.cases))
        self.btn_export.setEnabled(self.quiz is not None and bool(self.quiz.answers))
        self.overall.setEnabled(active and not self.submitted)
