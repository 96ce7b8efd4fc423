"""The layer list: visibility (tick on the name), 参与审查 (tick: the layer is part of the check — exactly
what `catalog_for_check` takes), style swatch, role, feature count; add (dialog / drag-and-drop), change
the role, reorder, remove, attribute table, zoom to layer."""

from __future__ import annotations

from pathlib import Path

from matplotlib.colors import to_rgba
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QInputDialog, QMenu, QToolBar, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from ..domain.roles import ROLES
from .i18n import role_name, tr
from .layers import ImageLayer, RasterLayer, VectorLayer

LAYER_DATA = Qt.ItemDataRole.UserRole
COL_NAME, COL_CHECK, COL_ROLE, COL_COUNT = range(4)


def can_check(layer) -> bool:
    """A layer that can take part in the check: a vector layer with a role, a DEM or land-cover raster."""
    if isinstance(layer, VectorLayer):
        return layer.role is not None and layer.source is not None
    return isinstance(layer, RasterLayer)


def raster_role_name(role: str | None) -> str:
    return tr({"dem": "lp.kind.dem_short", "landcover": "lp.kind.landcover_short"}.get(role, "lp.raster"))


def swatch(layer, size: int = 16) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(QColor(0, 0, 0, 0))
    p = QPainter(pm)
    if isinstance(layer, ImageLayer) or getattr(layer, "kind", "") == "basemap":
        for i, c in enumerate(("#d04040", "#40a040", "#4060d0")):
            p.fillRect(1 + i * (size - 2) // 3, 1, (size - 2) // 3 + 1, size - 2, QColor(c))
    elif isinstance(layer, RasterLayer):
        for i, c in enumerate(("#5f9a5a", "#e9dfa0", "#9c7350")):
            p.fillRect(1, 1 + i * (size - 2) // 3, size - 2, (size - 2) // 3 + 1, QColor(c))
    else:
        st = layer.style()
        face = getattr(st, "face", "none")
        if face not in (None, "none", ""):
            r, g, b, a = to_rgba(face, max(getattr(st, "alpha", 1.0), 0.35))
            p.fillRect(1, 1, size - 2, size - 2, QColor.fromRgbF(r, g, b, a))
        edge = getattr(st, "edge", "#000000")
        if edge not in (None, "none", ""):
            pen = QPen(QColor(edge))
            pen.setWidth(2)
            if getattr(st, "linestyle", "-") in ("--", "dashed"):
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawRect(1, 1, size - 3, size - 3)
        if getattr(st, "hatch", ""):
            p.setPen(QPen(QColor(getattr(st, "hatch_color", "") or edge), 1))
            for k in range(-size, size, 5):
                p.drawLine(k, size, k + size, 0)
    p.end()
    return QIcon(pm)


class _LayerTree(QTreeWidget):
    filesDropped = Signal(list)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def dragEnterEvent(self, e):  # noqa: N802 - Qt override
        if e.mimeData().hasUrls():
            e.acceptProposedAction()
        else:
            super().dragEnterEvent(e)

    def dragMoveEvent(self, e):  # noqa: N802 - Qt override
        if e.mimeData().hasUrls():
            e.acceptProposedAction()
        else:
            super().dragMoveEvent(e)

    def dropEvent(self, e):  # noqa: N802 - Qt override
        if e.mimeData().hasUrls():
            paths = [u.toLocalFile() for u in e.mimeData().urls() if u.isLocalFile()]
            e.acceptProposedAction()
            if paths:
                self.filesDropped.emit(paths)
        else:
            super().dropEvent(e)


class LayerPanel(QWidget):
    """Layers listed top (drawn last) to bottom."""

    layersChanged = Signal()  # order, visibility, role or removal changed (redraw)
    checkChanged = Signal()  # what takes part in the check changed (add, remove, role, 参与审查)
    addRequested = Signal()  # the user wants the file dialog
    filesDropped = Signal(list)
    zoomRequested = Signal(object)
    tableRequested = Signal(object)
    roleChanged = Signal(object)
    styleRequested = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layers: list = []  # top → bottom
        self._updating = False
        self.tree = _LayerTree()
        self.tree.setColumnCount(4)
        self.tree.setRootIsDecorated(False)
        self.tree.setIconSize(QSize(16, 16))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.itemDoubleClicked.connect(lambda it, _c: self.zoomRequested.emit(it.data(0, LAYER_DATA)))
        self.tree.filesDropped.connect(self.filesDropped)
        h = self.tree.header()
        h.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        h.setMinimumSectionSize(24)
        for c in (COL_CHECK, COL_COUNT):
            h.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(COL_ROLE, QHeaderView.ResizeMode.Interactive)
        h.setStretchLastSection(False)
        self.toolbar = QToolBar()
        self.toolbar.setIconSize(QSize(16, 16))
        self.act_add = QAction(self, triggered=self.addRequested.emit)
        self.act_remove = QAction(self, triggered=self.remove_current)
        self.act_up = QAction(self, triggered=lambda: self.move_current(-1))
        self.act_down = QAction(self, triggered=lambda: self.move_current(1))
        self.act_role = QAction(self, triggered=self.ask_role)
        self.act_table = QAction(self, triggered=lambda: self._emit_current(self.tableRequested))
        self.act_zoom = QAction(self, triggered=lambda: self._emit_current(self.zoomRequested))
        self.act_style = QAction(self, triggered=lambda: self._emit_current(self.styleRequested))
        for a in (self.act_add, self.act_remove, self.act_up, self.act_down, self.act_role, self.act_table,
                  self.act_zoom):
            self.toolbar.addAction(a)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.toolbar)
        lay.addWidget(self.tree, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([tr("lp.name"), tr("lp.in_check"), tr("lp.role"), tr("lp.count")])
        self.tree.headerItem().setToolTip(COL_CHECK, tr("lp.in_check.tip"))
        texts = {self.act_add: ("lp.add", "lp.add.tip"), self.act_remove: ("lp.remove", "lp.remove.tip"),
                 self.act_up: ("lp.up", "lp.up.tip"), self.act_down: ("lp.down", "lp.down.tip"),
                 self.act_role: ("lp.set_role", "lp.set_role.tip"), self.act_table: ("lp.table", "lp.table.tip"),
                 self.act_zoom: ("lp.zoom", "lp.zoom.tip"), self.act_style: ("act.layer_style", "act.layer_style.tip")}
        for a, (t, tip) in texts.items():
            a.setText(tr(t))
            a.setToolTip(tr(tip))
        self.tree.setToolTip(tr("lp.drop.tip"))
        self.refresh()

    # ------------------------------------------------------------------ content
    def layers(self) -> list:
        return list(self._layers)

    def set_layers(self, layers_top_to_bottom) -> None:
        self._layers = list(layers_top_to_bottom)
        self.refresh()

    def add_layers(self, layers, top: bool = True) -> None:
        self._layers = (list(layers) + self._layers) if top else (self._layers + list(layers))
        self.refresh()
        self.layersChanged.emit()
        self.checkChanged.emit()

    def checked_layers(self) -> list:
        """The layers whose 参与审查 box is ticked (in panel order)."""
        return [lyr for lyr in self._layers if can_check(lyr) and lyr.checked]

    def set_in_check(self, layer, on: bool) -> None:
        if can_check(layer) and layer.in_check != bool(on):
            layer.in_check = bool(on)
            self.refresh()
            self.checkChanged.emit()

    def refresh(self) -> None:
        self._updating = True
        try:
            current = self.current_layer()
            self.tree.clear()
            for lyr in self._layers:
                it = QTreeWidgetItem(self.tree)
                it.setFlags(it.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                it.setCheckState(0, Qt.CheckState.Checked if lyr.visible else Qt.CheckState.Unchecked)
                it.setText(COL_NAME, lyr.name)
                it.setIcon(COL_NAME, swatch(lyr))
                it.setData(COL_NAME, LAYER_DATA, lyr)
                if can_check(lyr):
                    it.setCheckState(COL_CHECK, Qt.CheckState.Checked if lyr.checked else Qt.CheckState.Unchecked)
                    it.setToolTip(COL_CHECK, tr("lp.in_check.on" if lyr.checked else "lp.in_check.off"))
                else:
                    it.setText(COL_CHECK, "—")
                    it.setToolTip(COL_CHECK, tr("lp.in_check.never"))
                tip = lyr.name + (f"\n{Path(str(lyr.path)).name}" if lyr.path else "")
                if isinstance(lyr, VectorLayer):
                    it.setText(COL_ROLE, role_name(lyr.role) if lyr.role else tr("lp.display_only"))
                    it.setToolTip(COL_ROLE, it.text(COL_ROLE))
                    n = lyr.feature_count
                    it.setText(COL_COUNT, f"{n:,}" if n is not None else "…")
                    it.setTextAlignment(COL_COUNT, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    if getattr(lyr, "layer", None):
                        tip += f" ({lyr.layer})"
                elif isinstance(lyr, ImageLayer):
                    it.setText(COL_ROLE, tr("lp.kind.image_short"))
                elif getattr(lyr, "kind", "") == "basemap":
                    it.setText(COL_ROLE, tr("lp.kind.basemap_short"))
                else:
                    it.setText(COL_ROLE, tr("lp.raster") + " · " + raster_role_name(lyr.role))
                if lyr.error:
                    it.setText(COL_COUNT, tr("lp.error"))
                    it.setForeground(COL_COUNT, QBrush(QColor("#c0392b")))
                    tip += "\n" + lyr.error
                it.setToolTip(0, tip)
                if lyr is current:
                    self.tree.setCurrentItem(it)
            # the name keeps most of the width: the role column is capped (full text in its tooltip)
            self.tree.header().resizeSection(COL_ROLE, min(self.tree.sizeHintForColumn(COL_ROLE) + 8, 112))
        finally:
            self._updating = False

    def current_layer(self):
        it = self.tree.currentItem()
        return it.data(0, LAYER_DATA) if it is not None else None

    def select_layer(self, layer) -> None:
        for i in range(self.tree.topLevelItemCount()):
            it = self.tree.topLevelItem(i)
            if it.data(0, LAYER_DATA) is layer:
                self.tree.setCurrentItem(it)

    def _emit_current(self, signal) -> None:
        lyr = self.current_layer()
        if lyr is not None:
            signal.emit(lyr)

    def _item_changed(self, item, column) -> None:
        if self._updating:
            return
        lyr = item.data(COL_NAME, LAYER_DATA)
        if column == COL_CHECK:
            on = item.checkState(COL_CHECK) == Qt.CheckState.Checked
            if lyr is not None and can_check(lyr) and lyr.in_check != on:
                # no refresh here: rebuilding the tree would delete the item inside its own signal
                lyr.in_check = on
                item.setToolTip(COL_CHECK, tr("lp.in_check.on" if lyr.checked else "lp.in_check.off"))
                self.checkChanged.emit()
            return
        if column != COL_NAME:
            return
        visible = item.checkState(0) == Qt.CheckState.Checked
        if lyr is not None and lyr.visible != visible:
            lyr.visible = visible
            self.layersChanged.emit()

    def set_visible(self, layer, visible: bool) -> None:
        layer.visible = visible
        self.refresh()
        self.layersChanged.emit()

    def remove_layer(self, layer) -> None:
        if layer in self._layers:
            self._layers.remove(layer)
            self.refresh()
            self.layersChanged.emit()
            self.checkChanged.emit()

    def remove_current(self) -> None:
        lyr = self.current_layer()
        if lyr is not None:
            self.remove_layer(lyr)

    def move_current(self, delta: int) -> None:
        lyr = self.current_layer()
        if lyr is None:
            return
        i = self._layers.index(lyr)
        j = min(max(i + delta, 0), len(self._layers) - 1)
        if i != j:
            self._layers.insert(j, self._layers.pop(i))
            self.refresh()
            self.select_layer(lyr)
            self.layersChanged.emit()

    def set_layer_role(self, layer, role: str | None) -> None:
        layer.set_role(role)
        self.refresh()
        self.roleChanged.emit(layer)
        self.layersChanged.emit()
        self.checkChanged.emit()

    def ask_role(self) -> None:
        lyr = self.current_layer()
        if not isinstance(lyr, VectorLayer):
            return
        role = ask_role(self, lyr.name, lyr.role)
        if role is not False:
            self.set_layer_role(lyr, role)

    def _menu(self, pos) -> None:
        it = self.tree.itemAt(pos)
        if it is not None:
            self.tree.setCurrentItem(it)
        m = QMenu(self)
        for a in (self.act_zoom, self.act_table, self.act_role, self.act_style, None, self.act_up, self.act_down, self.act_remove,
                  None, self.act_add):
            if a is None:
                m.addSeparator()
            else:
                m.addAction(a)
        m.exec(self.tree.viewport().mapToGlobal(pos))


def ask_role(parent, layer_name: str, current: str | None = None):
    """A role chosen by the user: a role id, None (display only) or False (cancelled)."""
    ids = [r for r in ROLES] + [None]
    labels = [f"{role_name(r)} ({r})" for r in ROLES] + [tr("lp.display_only_long")]
    cur = ids.index(current) if current in ids else len(ids) - 1
    text, ok = QInputDialog.getItem(parent, tr("lp.role_dialog.title"), tr("lp.role_dialog.label", name=layer_name),
                                    labels, cur, False)
    if not ok:
        return False
    return ids[labels.index(text)]


def is_raster_file(path) -> bool:
    from .layers import RASTER_SUFFIXES

    return Path(path).suffix.lower() in RASTER_SUFFIXES
