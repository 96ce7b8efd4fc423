"""The check panel (activity type, the rules' questions, run/cancel, progress) and the case-details dialog."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton, QScrollArea, QVBoxLayout,
                               QWidget)

from . import i18n
from .i18n import tr
from .pinyin import initials

log = logging.getLogger("ningxia_gis.app")

META_FIELDS = ("project_name", "applicant", "case_number", "reviewer", "organisation")


class CaseMetaDialog(QDialog):
    """Case details printed in the report (remembered between sessions); an empty project name prints the
    footprint's name, shown as the placeholder."""

    def __init__(self, values: dict, parent=None, default_name: str = "", edition: str | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("meta.title"))
        self.setMinimumWidth(560)
        lay = QVBoxLayout(self)
        head = QLabel(tr("meta.hint"))
        head.setWordWrap(True)
        lay.addWidget(head)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        lay.addLayout(form)
        self.edits = {}
        for k in META_FIELDS:
            e = QLineEdit(values.get(k, ""))
            e.setMinimumWidth(380)
            if k == "project_name" and default_name:
                e.setPlaceholderText(default_name)
            self.edits[k] = e
            form.addRow(tr(f"meta.{k}"), e)
        self.edition_box = None
        if edition is not None:  # PDF and print: 完整版 or 摘要版
            self.edition_box = QComboBox()
            self.edition_box.addItem(tr("meta.edition.full"), "full")
            self.edition_box.addItem(tr("meta.edition.summary"), "summary")
            self.edition_box.setCurrentIndex(max(0, self.edition_box.findData(edition)))
            form.addRow(tr("meta.edition"), self.edition_box)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay.addWidget(bb)

    def edition(self) -> str:
        return self.edition_box.currentData() if self.edition_box is not None else "full"

    def values(self) -> dict:
        return {k: e.text().strip() for k, e in self.edits.items()}


class CheckPanel(QWidget):
    """Footprint (import / draw / area) and the check (activity, questions, run / cancel).

    ``answersEdited`` is emitted when the officer picks an activity or an answer (never when the program
    sets them), so the window can record the change (unsaved, undoable)."""

    answersEdited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.fp_box = QGroupBox()
        self.fp_info = QLabel()
        self.fp_info.setWordWrap(True)
        self.fp_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.btn_open = QPushButton()
        self.btn_draw = QPushButton()
        self.btn_draw.setCheckable(True)
        self.btn_save = QPushButton()
        self.btn_clear = QPushButton()
        row = QGridLayout()
        for i, b in enumerate((self.btn_open, self.btn_draw, self.btn_save, self.btn_clear)):
            row.addWidget(b, i // 2, i % 2)
        v = QVBoxLayout(self.fp_box)
        v.addLayout(row)
        v.addWidget(self.fp_info)

        self.act_box = QGroupBox()
        # strict choice: the combo box is not editable (typed text can never stand for an activity); the
        # search field above it narrows the list by Chinese name, pinyin initials, English name or id
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter_activities)
        self.search.returnPressed.connect(lambda: self.activity.showPopup() if self.activity.count() > 1 else None)
        self.activity = QComboBox()
        self.activity.setEditable(False)
        self.activity.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.activity.setMinimumContentsLength(12)
        view = self.activity.view()
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        view.setWordWrap(True)
        view.setMinimumWidth(460)
        self.chosen = QLabel()
        self.chosen.setWordWrap(True)
        self.chosen.setObjectName("chosenActivity")
        self.facts_form = QFormLayout()
        self.facts_hint = QLabel()
        self.facts_hint.setWordWrap(True)
        self.btn_run = QPushButton()
        self.btn_run.setDefault(True)
        self.btn_cancel = QPushButton()
        self.btn_cancel.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(True)
        self.progress.hide()
        v2 = QVBoxLayout(self.act_box)
        v2.addWidget(self.search)
        v2.addWidget(self.activity)
        v2.addWidget(self.chosen)
        v2.addWidget(self.facts_hint)
        v2.addLayout(self.facts_form)

        # footprint and questions scroll; run / cancel / progress stay in view
        inner = QWidget()
        iv = QVBoxLayout(inner)
        iv.setContentsMargins(0, 0, 0, 0)
        iv.addWidget(self.fp_box)
        iv.addWidget(self.act_box)
        iv.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)
        row2 = QHBoxLayout()
        row2.addWidget(self.btn_run, 2)
        row2.addWidget(self.btn_cancel, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(scroll, 1)
        lay.addLayout(row2)
        lay.addWidget(self.progress)
        self.fact_boxes: dict[str, QComboBox] = {}
        self.activities: list[dict] = []
        self._rules_error = None
        self.activity.currentIndexChanged.connect(self._activity_changed)
        self.activity.activated.connect(lambda _i: self.answersEdited.emit())
        self.load_activities()

    def load_activities(self) -> None:
        try:
            from ..rules import list_activities

            self.activities = list_activities()
            self._rules_error = None
        except Exception as exc:  # noqa: BLE001 - overlay-only checks still work without the rules
            log.exception("rule base not available")
            self.activities, self._rules_error = [], str(exc)

    def retranslate(self) -> None:
        self.fp_box.setTitle(tr("cp.footprint"))
        self.btn_open.setText(tr("cp.open"))
        self.btn_open.setToolTip(tr("cp.open.tip"))
        self.btn_draw.setText(tr("cp.draw"))
        self.btn_draw.setToolTip(tr("cp.draw.tip"))
        self.btn_save.setText(tr("cp.save"))
        self.btn_save.setToolTip(tr("cp.save.tip"))
        self.btn_clear.setText(tr("cp.clear"))
        self.act_box.setTitle(tr("cp.check"))
        self.btn_run.setText(tr("cp.run"))
        self.btn_cancel.setText(tr("cp.cancel"))
        self.search.setPlaceholderText(tr("cp.activity.placeholder"))
        self.search.setToolTip(tr("cp.activity.search_tip"))
        self.activity.setToolTip(tr("cp.activity.tip"))
        facts = self.facts()
        self._fill_activities(self.activity_id())
        self.set_facts(facts)
        if self._rules_error:
            self.facts_hint.setText(tr("cp.rules_missing", error=self._rules_error))

    def activity_name(self, a: dict) -> str:
        return a["name_zh"] if i18n.language() == "zh" else a["name_en"]

    def matching(self, query: str) -> list[dict]:
        """The activities whose Chinese name, pinyin initials, English name, id or alias contain ``query``."""
        q = query.strip().lower()
        if not q:
            return list(self.activities)
        out = []
        for a in self.activities:
            words = [a["name_zh"], a["name_en"].lower(), a["id"].lower(), *[str(x).lower() for x in a.get("aliases") or []]]
            starts = [initials(a["name_zh"]), *[initials(str(x)) for x in a.get("aliases") or []]]
            if any(q in k for k in words) or any(k.startswith(q) for k in starts if k):
                out.append(a)
        return out

    def _fill_activities(self, keep: str | None) -> None:
        """The list: 「不指定」 and the activities matching the search text (the current one always stays)."""
        shown = self.matching(self.search.text())
        if keep and keep not in {a["id"] for a in shown}:
            shown = [a for a in self.activities if a["id"] == keep] + shown
        self.activity.blockSignals(True)
        self.activity.clear()
        self.activity.addItem(tr("cp.no_activity"), None)
        for a in shown:
            name = self.activity_name(a)
            self.activity.addItem(name, a["id"])
            self.activity.setItemData(self.activity.count() - 1, f"{a['name_zh']}\n{a['name_en']}",
                                      Qt.ItemDataRole.ToolTipRole)
        index = max(0, self.activity.findData(keep)) if keep else 0
        self.activity.setCurrentIndex(index)
        self.activity.blockSignals(False)
        self._activity_changed()

    def _filter_activities(self, _text: str = "") -> None:
        """Narrow the list; the chosen activity changes only when the officer picks another item."""
        self._fill_activities(self.activity_id())

    def activity_id(self) -> str | None:
        """The chosen activity (only ever an item of the list; never typed text)."""
        i = self.activity.currentIndex()
        return self.activity.itemData(i) if i >= 0 else None

    def set_activity(self, activity_id: str | None) -> None:
        """Select an activity by id, Chinese or English name or alias (None: overlay only)."""
        if activity_id and activity_id not in {a["id"] for a in self.activities}:
            try:
                from ..rules import find_activity

                act = find_activity(activity_id)
                activity_id = act.id if act is not None else activity_id
            except Exception:  # noqa: BLE001 - no rule base: nothing to match
                pass
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._fill_activities(activity_id)

    def _activity_changed(self, *_):
        facts = self.facts()
        while self.facts_form.rowCount():
            self.facts_form.removeRow(0)
        self.fact_boxes = {}
        aid = self.activity_id()
        act = next((a for a in self.activities if a["id"] == aid), None)
        self.chosen.setText(tr("cp.chosen", name=f"{act['name_zh']}" + (f" ({act['name_en']})" if i18n.language() == "en" else ""))
                            if act else tr("cp.chosen_none"))
        if act is None:
            if not self._rules_error:
                self.facts_hint.setText(tr("cp.no_activity.hint") if aid is None else "")
            return
        qs = act.get("questions") or []
        self.facts_hint.setText(tr("cp.questions") if qs else tr("cp.no_questions"))
        zh = i18n.language() == "zh"
        defaults = act.get("default_facts") or {}
        for q in qs:
            box = QComboBox()
            default = defaults.get(q["fact"])
            unk = tr("cp.unanswered") + (f" ({tr('cp.default')}: {tr('yes') if default else tr('no')})"
                                         if default is not None else "")
            box.addItem(unk, None)
            box.addItem(tr("yes"), True)
            box.addItem(tr("no"), False)
            label = QLabel(q["question_zh"] if zh else q["question_en"])
            label.setWordWrap(True)
            label.setToolTip(q["fact"])
            self.facts_form.addRow(label, box)
            self.fact_boxes[q["fact"]] = box
            box.activated.connect(lambda _i: self.answersEdited.emit())
        self.set_facts(facts)

    def facts(self) -> dict:
        out = {}
        for k, box in self.fact_boxes.items():
            v = box.currentData()
            if v is not None:
                out[k] = v
        return out

    def set_facts(self, facts: dict) -> None:
        for k, box in self.fact_boxes.items():
            v = facts.get(k)
            box.setCurrentIndex({None: 0, True: 1, False: 2}.get(v if isinstance(v, bool) or v is None else None, 0))
