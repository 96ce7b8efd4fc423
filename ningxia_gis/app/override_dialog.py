"""「记录审查人员意见」: the officer's verdict for one zone, from the one vocabulary, with a mandatory reason."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout)

from ..domain.vocab import RULE_VERDICTS, verdict
from .i18n import tr, verdict_text


class OverrideDialog(QDialog):
    """Zone and machine verdict shown; verdict, reason and officer asked. OK stays disabled while the
    reason is empty."""

    def __init__(self, layer_name: str, zone: str, machine_verdict: str | None, parent=None, *,
                 current: dict | None = None, who: str = ""):
        super().__init__(parent)
        self.setWindowTitle(tr("ov.title"))
        self.setMinimumWidth(520)
        lay = QVBoxLayout(self)
        hint = QLabel(tr("ov.hint"))
        hint.setWordWrap(True)
        lay.addWidget(hint)
        form = QFormLayout()
        lay.addLayout(form)
        form.addRow(tr("ov.zone"), QLabel(f"{layer_name} · {zone}"))
        self.machine = QLabel(f"<b>{verdict_text(machine_verdict)}</b>")
        form.addRow(tr("ov.machine"), self.machine)
        self.verdict_box = QComboBox()
        for label in RULE_VERDICTS:  # the verdicts a conclusion may take (不涉及 is the engine's only)
            self.verdict_box.addItem(verdict_text(label), verdict(label).zh)
        start = (current or {}).get("verdict") or machine_verdict
        i = self.verdict_box.findData(start)
        self.verdict_box.setCurrentIndex(max(0, i))
        form.addRow(tr("ov.officer"), self.verdict_box)
        self.reason_edit = QPlainTextEdit((current or {}).get("reason") or "")
        self.reason_edit.setPlaceholderText(tr("ov.reason.placeholder"))
        self.reason_edit.setMinimumHeight(90)
        form.addRow(tr("ov.reason"), self.reason_edit)
        self.who_edit = QLineEdit(who)
        form.addRow(tr("ov.who"), self.who_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.withdrawn = False
        self.btn_withdraw = None
        if current:  # an officer verdict is recorded: it can be withdrawn (the machine verdict stands)
            self.btn_withdraw = self.buttons.addButton(tr("ov.withdraw"), QDialogButtonBox.ButtonRole.ResetRole)
            self.btn_withdraw.clicked.connect(self._withdraw)
        lay.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update_ok)
        self._update_ok()

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.reason().strip()))

    def accept(self) -> None:  # noqa: D102 - Enter in a field must not bypass the disabled OK
        if self.reason().strip():
            super().accept()

    def _withdraw(self) -> None:
        self.withdrawn = True
        super().accept()

    def verdict(self) -> str:
        return self.verdict_box.currentData()

    def reason(self) -> str:
        return self.reason_edit.toPlainText()

    def who(self) -> str:
        return self.who_edit.text().strip()
