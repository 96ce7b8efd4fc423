"""Selecting features of the active layer on the map: a click selects what lies under the cursor, a
dragged rectangle what it meets (shapely ``intersects``); Ctrl adds to the selection. The selection is the
canvas highlight (never exported) and is listed in the layer's attribute table when one is open; 清除选择
(Esc) clears it."""

from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtWidgets import QRubberBand

from .layers import VectorLayer
from .tool_base import MapTool


def features_in(layer_data, geom) -> np.ndarray:
    """Rows (sorted) of the features of ``layer_data`` that intersect ``geom``."""
    return np.sort(layer_data.tree.query(geom, predicate="intersects"))


class SelectTool(MapTool):
    """``selected(layer, rows)`` after each selection (rows empty: nothing found); ``active_layer`` is a
    callable giving the layer to select from (the one current in the layer panel)."""

    selected = Signal(object, object)
    noLayer = Signal()
    cursor = Qt.CursorShape.ArrowCursor

    def __init__(self, canvas, active_layer, parent=None):
        super().__init__(canvas, parent)
        self.active_layer = active_layer
        self.layer = None
        self.rows = np.zeros(0, dtype=np.int64)
        self._start = None
        self._rubber = QRubberBand(QRubberBand.Shape.Rectangle, canvas.canvas)
        canvas.highlightChanged.connect(self._highlight_changed)

    def _highlight_changed(self, on: bool) -> None:
        if not on:  # cleared elsewhere (清除选择, a new footprint): the selection is gone too
            self.layer, self.rows = None, np.zeros(0, dtype=np.int64)

    # -- selecting ------------------------------------------------------------------------------------
    def select_geometry(self, geom, add: bool = False) -> np.ndarray:
        """Select the active layer's features meeting ``geom`` (display CRS); returns the rows."""
        lyr = self.active_layer()
        d = lyr.data(self.canvas.epsg) if isinstance(lyr, VectorLayer) else None
        if d is None:
            self.noLayer.emit()
            return np.zeros(0, dtype=np.int64)
        rows = features_in(d, geom)
        if add and lyr is self.layer:
            rows = np.union1d(self.rows, rows)
        self.layer, self.rows = lyr, rows
        self.canvas.set_highlight(list(d.geoms[rows]) if len(rows) else None)
        if len(rows):  # set_highlight(None) cleared the state through the signal
            self.layer, self.rows = lyr, rows
        self.selected.emit(lyr, rows)
        return rows

    def select_box(self, x0, y0, x1, y1, add: bool = False) -> np.ndarray:
        return self.select_geometry(shapely.box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), add)

    def select_point(self, x, y, add: bool = False) -> np.ndarray:
        return self.select_geometry(shapely.Point(x, y).buffer(self.pixel_tolerance(3), quad_segs=4), add)

    def clear(self) -> None:
        self.canvas.set_highlight(None)

    # -- events ------------------------------------------------------------------------------------
    def _qt(self, event) -> QPoint:
        return self.canvas._qt_point(event)

    def press(self, event) -> None:
        if event.button != 1:
            return
        self._start = (event.x, event.y, event.xdata, event.ydata)
        self._rubber.setGeometry(QRect(self._qt(event), QSize()))
        self._rubber.show()

    def motion(self, event) -> None:
        if self._start is None:
            return
        px, py = self._start[:2]
        dpr = self.canvas._dpr()
        p0 = QPoint(int(px / dpr), int((self.canvas._size_px()[1] - py) / dpr))
        self._rubber.setGeometry(QRect(p0, self._qt(event)).normalized())

    def release(self, event) -> None:
        start, self._start = self._start, None
        self._rubber.hide()
        if start is None or event.xdata is None:
            return
        add = bool(event.key and "control" in str(event.key))
        px, py, x0, y0 = start
        if abs(event.x - px) + abs(event.y - py) > 4:
            self.select_box(x0, y0, event.xdata, event.ydata, add)
        else:
            self.select_point(event.xdata, event.ydata, add)

    def deactivate(self) -> None:
        self._start = None
        self._rubber.hide()

    def escape(self) -> bool:
        if self.canvas.has_highlight():
            self.clear()
            return True
        return False

    def key(self, event) -> None:
        if event.key == "escape":
            self.escape()
