"""Trainer mode: the shipped scenarios (load + check in one click), the quiz and a rule browser by zone."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHeaderView, QLabel, QListWidget, QListWidgetItem, QPushButton, QSplitter, QTabWidget,
                               QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from .i18n import language, role_name, tr, verdict_text, zone_text
from .quiz_panel import QuizPanel
from .results_panel import VERDICT_COLOURS, _source_text

DATA = Qt.ItemDataRole.UserRole


class ScenarioList(QWidget):
    runRequested = Signal(object)  # Scenario

    def __init__(self, parent=None):
        super().__init__(parent)
        self.scenarios = []
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda it: self.runRequested.emit(it.data(DATA)))
        self.list.currentItemChanged.connect(self._show)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.button = QPushButton()
        self.button.clicked.connect(self._run)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.info)
        lay.addWidget(self.button)
        self._error = None
        self.reload()

    def reload(self) -> None:
        try:
            from ..core.scenarios import load_scenarios

            self.scenarios = load_scenarios()
            self._error = None
        except Exception as exc:  # noqa: BLE001 - trainer mode without scenarios still works
            self.scenarios, self._error = [], str(exc)
        self.retranslate()

    def retranslate(self) -> None:
        self.button.setText(tr("tr.run"))
        self.button.setToolTip(tr("tr.run.tip"))
        row = self.list.currentRow()
        self.list.clear()
        for s in self.scenarios:
            it = QListWidgetItem(s.title_zh if language() == "zh" else s.title_en)
            it.setData(DATA, s)
            it.setToolTip(f"{s.id} · {s.footprint.name} · {s.activity}")
            self.list.addItem(it)
        if self._error:
            self.info.setText(self._error)
        if self.scenarios:
            self.list.setCurrentRow(max(row, 0))

    def _show(self, item, _prev=None) -> None:
        if item is None:
            return
        s = item.data(DATA)
        facts = ", ".join(f"{k}={'是' if v is True else '否' if v is False else v}" for k, v in s.facts.items())
        self.info.setText(f"{tr('tr.footprint')}: {s.footprint.name}\n{tr('tr.activity')}: {s.activity}"
                          + (f"\n{tr('tr.facts')}: {facts}" if facts else ""))

    def _run(self) -> None:
        it = self.list.currentItem()
        if it is not None:
            self.runRequested.emit(it.data(DATA))


class RuleBrowser(QWidget):
    """Rule base by role → zone → rule; the selected rule in full (quote, source, conditions, procedure)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.currentItemChanged.connect(self._show)
        h = self.tree.header()
        h.setStretchLastSection(False)
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        h.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.text = QTextBrowser()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.text)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(split)
        self.rule_base = None
        self.error = None
        self.reload()

    def reload(self) -> None:
        try:
            from ..rules import load_rule_base

            self.rule_base, self.error = load_rule_base(), None
        except Exception as exc:  # noqa: BLE001 - shown in the panel
            self.rule_base, self.error = None, str(exc)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.clear()
        self.tree.setHeaderLabels([tr("rb.rule"), tr("rb.verdict")])
        if self.rule_base is None:
            QTreeWidgetItem(self.tree, [tr("rb.unavailable"), self.error or ""])
            return
        rb = self.rule_base
        zh = language() == "zh"
        for role in rb.roles:
            top = QTreeWidgetItem(self.tree, [role_name(role), ""])
            rules = rb.rules_for_role(role)
            zones: dict[str, list] = {}
            for r in rules:
                keys = list(r.zones) if r.zones else [tr("rb.all_zones")]
                if r.kind == "procedure":
                    keys = [tr("rb.procedures")]
                for z in keys:
                    zones.setdefault(z, []).append(r)
            for z, rs in zones.items():
                zi = QTreeWidgetItem(top, [zone_text(z), f"{len(rs)}"])
                for r in sorted(rs, key=lambda r: -r.priority):
                    title = r.title if zh or not r.title_en else r.title_en
                    ri = QTreeWidgetItem(zi, [title, verdict_text(r.verdict) if r.verdict else tr("rb.procedure")])
                    ri.setData(0, DATA, r)
                    ri.setToolTip(0, r.id)
                    if r.verdict in VERDICT_COLOURS:
                        from PySide6.QtGui import QBrush, QColor

                        bg, fg = VERDICT_COLOURS[r.verdict]
                        ri.setBackground(1, QBrush(QColor(bg)))
                        ri.setForeground(1, QBrush(QColor(fg)))

    def rule_count(self) -> int:
        n = 0
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for k in range(top.childCount()):
                n += top.child(k).childCount()
        return n

    def _show(self, item, _prev=None) -> None:
        if item is None:
            return
        r = item.data(0, DATA)
        if r is None:
            self.text.clear()
            return
        rb = self.rule_base
        e = html.escape
        zh = language() == "zh"
        src = rb.sources.get(r.source.doc) if rb else None
        src_d = {"title": src.title if src else r.source.doc, "doc_number": src.doc_number if src else None,
                 "section": r.source.section, "line": r.source.line, "line_end": r.source.line_end,
                 "draft": src.draft if src else False, "status": src.status if src else ""}
        out = [f"<h3>{e(r.title if zh or not r.title_en else r.title_en)}</h3><p><code>{e(r.id)}</code> · "
               f"{e(r.status)} · {tr('rb.priority')} {r.priority}</p>"]
        if r.verdict:
            bg, fg = VERDICT_COLOURS.get(r.verdict, ("#fff", "#000"))
            out.append(f"<p style='background:{bg}; color:{fg}'><b>{e(verdict_text(r.verdict))}</b></p>")
        out.append(f"<p><b>{tr('res.quote')}</b>:</p><blockquote style='background:#f4f4f4'>「{e(r.quote)}」</blockquote>")
        if not zh and r.gloss_en:
            out.append(f"<p><i>{e(r.gloss_en)}</i></p>")
        out.append(f"<p><b>{tr('res.source')}</b>: {e(_source_text(src_d))}</p>")
        if r.activities:
            out.append(f"<p><b>{tr('rb.activities')}</b>: {e(', '.join(r.activities))}</p>")
        if r.when:
            out.append(f"<p><b>{tr('rb.when')}</b>: {e(', '.join(f'{k}={v}' for k, v in r.when.items()))}</p>")
        if r.conditions:
            out.append(f"<p><b>{tr('res.conditions')}</b>:</p><ul>" + "".join(f"<li>{e(c)}</li>" for c in r.conditions)
                       + "</ul>")
        steps = r.procedure.steps() if not r.procedure.is_empty() else []
        if steps:
            out.append(f"<p><b>{tr('res.procedure')}</b>:</p><ol>" + "".join(f"<li>{e(s)}</li>" for s in steps) + "</ol>")
        if r.inference:
            out.append(f"<p><b>{tr('rb.inference')}</b>: {e(r.inference)}</p>")
        if r.note:
            out.append(f"<p>{e(r.note)}</p>")
        self.text.setHtml("".join(out))


class TrainerPanel(QTabWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.scenarios = ScenarioList()
        self.rules = RuleBrowser()
        self.quiz = QuizPanel()
        self.addTab(self.scenarios, "")
        self.addTab(self.quiz, "")
        self.addTab(self.rules, "")
        self.retranslate()

    def retranslate(self) -> None:
        self.setTabText(0, tr("tr.scenarios"))
        self.setTabText(1, tr("tr.quiz"))
        self.setTabText(2, tr("tr.rules"))
        self.scenarios.retranslate()
        self.quiz.retranslate()
        self.rules.retranslate()
