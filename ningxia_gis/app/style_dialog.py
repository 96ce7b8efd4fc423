"""A layer's own style: fill and outline colour, opacity, labels by a field. Chosen in `StyleDialog`,
kept on the layer (``VectorLayer.user_style``) and remembered for the session by the layer's file and
name (`remember` / `restore_styles`), so a layer read again (a catalog re-opened) keeps it."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QColorDialog, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QPushButton, QSlider, QSpinBox, QWidget)

from .i18n import tr
from .layers import SimpleStyle, VectorLayer


@dataclass(frozen=True)
class LayerStyle:
    """What the officer changed; None keeps the role's style."""

    face: str | None = None
    edge: str | None = None
    alpha: float | None = None
    label_field: str | None = None

    def over(self, base) -> SimpleStyle:
        """``base`` (a role or zone style) with these changes."""
        return SimpleStyle(face=self.face or getattr(base, "face", "none"),
                           alpha=self.alpha if self.alpha is not None else getattr(base, "alpha", 1.0),
                           edge=self.edge or getattr(base, "edge", "#555555"), width=getattr(base, "width", 0.6),
                           linestyle=getattr(base, "linestyle", "-"), hatch=getattr(base, "hatch", ""),
                           hatch_color=getattr(base, "hatch_color", ""), zorder=getattr(base, "zorder", 5),
                           label=getattr(base, "label", ""))


def layer_key(layer) -> str:
    return f"{layer.path}|{getattr(layer, 'layer', '') or ''}|{layer.name}"


def set_style(session, layer: VectorLayer, style: LayerStyle | None) -> None:
    """Apply ``style`` to ``layer`` and remember it in ``session`` (None: back to the role's style)."""
    layer.user_style = style
    styles = session.layer_styles
    if style is None:
        styles.pop(layer_key(layer), None)
    else:
        styles[layer_key(layer)] = style


def restore_styles(session, layers) -> None:
    """Give layers without a style of their own the one remembered for them in this session."""
    styles = session.layer_styles
    for lyr in layers:
        if isinstance(lyr, VectorLayer) and getattr(lyr, "user_style", None) is None:
            st = styles.get(layer_key(lyr))
            if st is not None:
                lyr.user_style = st


class _ColourButton(QPushButton):
    def __init__(self, colour: str | None, parent=None):
        super().__init__(parent)
        self.colour = colour
        self.clicked.connect(self._pick)
        self._show()

    def _show(self) -> None:
        c = self.colour or "#ffffff"
        self.setText(self.colour or tr("style.unchanged"))
        self.setStyleSheet(f"QPushButton {{ background: {c}; color: {'#000' if QColor(c).lightness() > 128 else '#fff'}; }}")

    def _pick(self) -> None:
        c = QColorDialog.getColor(QColor(self.colour or "#ffffff"), self, tr("style.pick"))
        if c.isValid():
            self.set_colour(c.name())

    def set_colour(self, colour: str | None) -> None:
        self.colour = colour
        self._show()


class StyleDialog(QDialog):
    """The style of one vector layer; `style()` is the chosen `LayerStyle`."""

    def __init__(self, layer: VectorLayer, parent=None):
        super().__init__(parent)
        self.layer = layer
        cur = getattr(layer, "user_style", None) or LayerStyle()
        base = layer.base_style()
        self.setWindowTitle(tr("style.title", name=layer.name))
        self.btn_face = _ColourButton(cur.face)
        self.btn_edge = _ColourButton(cur.edge)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity_box = QSpinBox()
        self.opacity_box.setRange(0, 100)
        self.opacity_box.setSuffix(" %")
        self.opacity.valueChanged.connect(self.opacity_box.setValue)
        self.opacity_box.valueChanged.connect(self.opacity.setValue)
        self.opacity.setValue(int(round(100 * (cur.alpha if cur.alpha is not None else getattr(base, "alpha", 1.0)))))
        self.labels = QComboBox()
        self.labels.addItem(tr("style.no_labels"), None)
        for f in layer.fields:
            self.labels.addItem(str(f), str(f))
        if cur.label_field:
            self.labels.setCurrentIndex(max(0, self.labels.findData(cur.label_field)))
        op = QWidget()
        ol = QHBoxLayout(op)
        ol.setContentsMargins(0, 0, 0, 0)
        ol.addWidget(self.opacity, 1)
        ol.addWidget(self.opacity_box)
        form = QFormLayout()
        form.addRow(tr("style.face"), self.btn_face)
        form.addRow(tr("style.edge"), self.btn_edge)
        form.addRow(tr("style.opacity"), op)
        form.addRow(tr("style.labels"), self.labels)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
                                   | QDialogButtonBox.StandardButton.Reset)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Reset).setText(tr("style.reset"))
        buttons.button(QDialogButtonBox.StandardButton.Reset).clicked.connect(self.reset)
        self.reset_requested = False
        lay = QFormLayout(self)
        lay.addRow(form)
        lay.addRow(buttons)
        self.resize(max(self.sizeHint().width(), 380), self.sizeHint().height())

    def reset(self) -> None:
        self.reset_requested = True
        self.accept()

    def style(self) -> LayerStyle | None:
        if self.reset_requested:
            return None
        return LayerStyle(face=self.btn_face.colour, edge=self.btn_edge.colour, alpha=self.opacity.value() / 100,
                          label_field=self.labels.currentData())

    def set_values(self, face=None, edge=None, opacity: float | None = None, label_field=None) -> None:
        """Fill the dialog as the officer would (tests, scripted demos)."""
        if face is not None:
            self.btn_face.set_colour(face)
        if edge is not None:
            self.btn_edge.set_colour(edge)
        if opacity is not None:
            self.opacity.setValue(int(round(100 * opacity)))
        if label_field is not None:
            self.labels.setCurrentIndex(max(0, self.labels.findData(label_field)))


def ask_style(window, layer) -> LayerStyle | None | bool:
    """Show the dialog for ``layer``; apply and remember the result. False when cancelled."""
    if not isinstance(layer, VectorLayer):
        window.statusBar().showMessage(tr("style.vector_only"), 5000)
        return False
    dlg = StyleDialog(layer, window)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return False
    st = dlg.style()
    apply_style(window, layer, st)
    return st


def apply_style(window, layer, style: LayerStyle | None) -> None:
    set_style(window.session, layer, style)
    window.layer_panel.refresh()
    window.canvas.schedule_render(0)

