"""审计记录: a case's append-only audit log (who, when, what) in a read-only table."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from .i18n import STRINGS, tr, verdict_text

COLUMNS = ("audit.col.seq", "audit.col.at", "audit.col.who", "audit.col.action", "audit.col.detail")


def action_text(action: str) -> str:
    key = f"audit.action.{action}"
    return tr(key) if key in STRINGS else action


def detail_text(action: str, detail: dict) -> str:
    """What changed, in words where the action has a known shape, else the detail as compact JSON."""
    d = detail or {}
    if action == "override":
        return (f"{d.get('layer_id')} · {d.get('zone')}: {tr('res.machine')} {verdict_text(d.get('engine_verdict')) or '—'}"
                f" → {tr('res.officer')} {verdict_text(d.get('verdict'))}；{tr('res.officer_reason')}：{d.get('reason')}")
    if action == "override_removed":
        return f"{d.get('layer_id')} · {d.get('zone')}"
    if action in ("checked", "rechecked"):
        return (f"{verdict_text(d.get('verdict')) or '—'} · {d.get('policy_pack') or ''} · "
                f"{(d.get('result_sha256') or '')[:12]}")
    if action in ("saved", "saved_as"):
        return " → ".join(str(v) for v in (d.get("from"), d.get("to") or d.get("file")) if v)
    if action == "created":
        facts = "，".join(f"{k}={_value(v)}" for k, v in (d.get("facts") or {}).items())
        parts = [d.get("footprint") or "", d.get("activity") or "", facts,
                 "，".join(f"{k}={v}" for k, v in (d.get("fields") or {}).items())]
        return " · ".join(p for p in parts if p)
    if action in ("answers", "fields") or (action in ("activity", "footprint") and "from" in d):
        changes = {action: d} if action in ("activity", "footprint") else d
        return "；".join(f"{k}: {_value(c.get('from'))} → {_value(c.get('to'))}" for k, c in changes.items()
                        if isinstance(c, dict))
    if action == "report":
        return f"{d.get('name')} ({d.get('format')}) {(d.get('sha256') or '')[:12]}"
    return json.dumps(d, ensure_ascii=False, sort_keys=True, default=str)


def _value(v) -> str:
    if v is True:
        return tr("yes")
    if v is False:
        return tr("no")
    if v is None:
        return "—"
    s = str(v)
    return s[:12] + "…" if len(s) == 64 else s  # a sha256


class AuditDialog(QDialog):
    def __init__(self, entries, name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("audit.title", name=name))
        self.resize(900, 460)
        lay = QVBoxLayout(self)
        self.note = QLabel(tr("audit.note", n=len(entries)) if entries else tr("audit.none"))
        self.note.setWordWrap(True)
        lay.addWidget(self.note)
        self.table = QTableWidget(len(entries), len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        for r, e in enumerate(entries):
            for c, text in enumerate((str(e.seq), e.at, e.who or "", action_text(e.action),
                                      detail_text(e.action, e.detail))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if c == 0:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        h = self.table.horizontalHeader()
        for c in range(len(COLUMNS) - 1):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setStretchLastSection(True)
        lay.addWidget(self.table, 1)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        bb.rejected.connect(self.reject)
        bb.accepted.connect(self.accept)
        lay.addWidget(bb)

    def rows(self) -> list[list[str]]:
        """The table's text, row by row (what the tests read)."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())]
                for r in range(self.table.rowCount())]
