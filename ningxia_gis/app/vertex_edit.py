"""Editing the footprint's vertices on the map: drag a vertex, press on an edge to insert one there (and
drag it), right-click a vertex (or Delete over it) to remove it. Every edit is validated: a result that is
not a valid polygon (a self-intersection, a ring of fewer than three vertices) is refused with a catalog
message and the footprint stays as it was. Accepted edits go on a `QUndoStack` (Ctrl+Z / Ctrl+Y).

The geometry functions at the top are Qt-free: a footprint is handled as polygons → rings → vertex
arrays (without the closing vertex)."""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.lines import Line2D
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..domain.errors import InputError
from .tool_base import MapTool

# ----------------------------------------------------------------------------- geometry (Qt-free)


def rings_of(geom) -> list[list[np.ndarray]]:
    """[[shell, hole, …] per polygon] as (n, 2) arrays without the closing vertex."""
    out = []
    for poly in shapely.get_parts(np.asarray([geom], dtype=object)):
        if shapely.get_type_id(poly) != 3 or poly.is_empty:
            continue
        rings = [poly.exterior] + list(poly.interiors)
        out.append([np.asarray(r.coords, dtype=float)[:-1].copy() for r in rings])
    return out


def geometry_of(parts) -> shapely.Geometry:
    polys = [shapely.Polygon(rings[0], rings[1:]) for rings in parts]
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def validated(parts):
    """The geometry of ``parts``, or InputError when an edit left it invalid (never repaired silently)."""
    if any(len(r) < 3 for rings in parts for r in rings):
        raise InputError("edit.too_few_vertices")
    g = geometry_of(parts)
    if not g.is_valid:
        reason = shapely.is_valid_reason(g)
        key = "edit.self_intersection" if "intersection" in reason.lower() else "edit.invalid"
        raise InputError(key)
    return g


def nearest_vertex(parts, x: float, y: float, tol: float):
    """(part, ring, index) of the vertex nearest (x, y) within ``tol``, else None."""
    best, ref = tol, None
    for p, rings in enumerate(parts):
        for r, xy in enumerate(rings):
            d = np.hypot(xy[:, 0] - x, xy[:, 1] - y)
            i = int(np.argmin(d))
            if d[i] <= best:
                best, ref = float(d[i]), (p, r, i)
    return ref


def nearest_edge(parts, x: float, y: float, tol: float):
    """(part, ring, index of the edge's first vertex, foot point) of the edge nearest (x, y) within tol."""
    best, ref = tol, None
    for p, rings in enumerate(parts):
        for r, a in enumerate(rings):
            b = np.roll(a, -1, axis=0)
            ab = b - a
            L2 = np.maximum((ab ** 2).sum(axis=1), 1e-18)
            t = np.clip(((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / L2, 0, 1)
            foot = a + ab * t[:, None]
            d = np.hypot(foot[:, 0] - x, foot[:, 1] - y)
            i = int(np.argmin(d))
            if d[i] <= best:
                best, ref = float(d[i]), (p, r, i, (float(foot[i, 0]), float(foot[i, 1])))
    return ref


def copy_parts(parts):
    return [[r.copy() for r in rings] for rings in parts]


def moved(parts, ref, x: float, y: float):
    out = copy_parts(parts)
    p, r, i = ref
    out[p][r][i] = (x, y)
    return out


def inserted(parts, p: int, r: int, after: int, x: float, y: float):
    out = copy_parts(parts)
    out[p][r] = np.insert(out[p][r], after + 1, (x, y), axis=0)
    return out


def deleted(parts, ref):
    out = copy_parts(parts)
    p, r, i = ref
    out[p][r] = np.delete(out[p][r], i, axis=0)
    return out


# ----------------------------------------------------------------------------- the tool


class _Edit(QUndoCommand):
    def __init__(self, tool, before, after, text):
        super().__init__(text)
        self.tool, self.before, self.after = tool, before, after

    def redo(self):
        self.tool.apply(self.after)

    def undo(self):
        self.tool.apply(self.before)


class VertexEditTool(MapTool):
    """Edits ``canvas.footprint``; ``edited(geom)`` after each accepted edit (and undo/redo), ``refused(key)``
    with the catalog key of a refused one."""

    edited = Signal(object)
    refused = Signal(str)
    cursor = Qt.CursorShape.PointingHandCursor

    def __init__(self, canvas, parent=None):
        super().__init__(canvas, parent)
        self.undo_stack = QUndoStack(self)
        self._drag = None  # (parts before, ref being dragged)
        self._preview = None
        self._rings = Line2D([], [], color="#e60000", linewidth=1.2, linestyle="--", zorder=1150, animated=True)
        self._marks = Line2D([], [], color="#e60000", marker="s", markersize=5, markerfacecolor="white",
                             linestyle="none", zorder=1160, animated=True)

    def parts(self):
        g = self.canvas.footprint
        return rings_of(g) if g is not None and not g.is_empty else []

    # -- edits (map coordinates; used by the mouse handlers and tests) ------------------------------------
    def commit(self, before, after_parts, text: str) -> bool:
        try:
            geom = validated(after_parts)
        except InputError as exc:
            self.refused.emit(exc.key)
            self.apply(geometry_of(before) if before else None, emit=False)
            return False
        self.undo_stack.push(_Edit(self, geometry_of(before), geom, text))
        return True

    def move_vertex(self, x0, y0, x1, y1) -> bool:
        parts = self.parts()
        ref = nearest_vertex(parts, x0, y0, self.pixel_tolerance())
        return ref is not None and self.commit(parts, moved(parts, ref, x1, y1), "move")

    def insert_vertex(self, x, y) -> bool:
        parts = self.parts()
        e = nearest_edge(parts, x, y, self.pixel_tolerance())
        if e is None:
            return False
        p, r, i, (fx, fy) = e
        return self.commit(parts, inserted(parts, p, r, i, fx, fy), "insert")

    def delete_vertex(self, x, y) -> bool:
        parts = self.parts()
        ref = nearest_vertex(parts, x, y, self.pixel_tolerance())
        return ref is not None and self.commit(parts, deleted(parts, ref), "delete")

    def apply(self, geom, emit: bool = True) -> None:
        self.canvas.footprint = geom
        self._preview = None
        self.canvas.schedule_render(0)
        if emit:
            self.edited.emit(geom)

    # -- drawing ------------------------------------------------------------------------------------
    def _show(self, parts) -> None:
        xs, ys, mx, my = [], [], [], []
        for rings in parts:
            for r in rings:
                closed = np.vstack([r, r[:1]])
                xs += list(closed[:, 0]) + [np.nan]
                ys += list(closed[:, 1]) + [np.nan]
                mx += list(r[:, 0])
                my += list(r[:, 1])
        self._rings.set_data(xs, ys)
        self._marks.set_data(mx, my)
        if self.canvas.center is not None:
            self.canvas.blit_animated([self._rings, self._marks])

    def after_render(self) -> None:
        self._show(self._preview if self._preview is not None else self.parts())

    def activate(self) -> None:
        self.canvas.schedule_render(0)

    def deactivate(self) -> None:
        self._drag = self._preview = None
        self._rings.set_data([], [])
        self._marks.set_data([], [])
        self.canvas.canvas.draw_idle()

    # -- events ------------------------------------------------------------------------------------
    def press(self, event) -> None:
        parts = self.parts()
        if not parts:
            return
        x, y, tol = event.xdata, event.ydata, self.pixel_tolerance()
        ref = nearest_vertex(parts, x, y, tol)
        if event.button == 3:
            if ref is not None:
                self.commit(parts, deleted(parts, ref), "delete")
            return
        if event.button != 1:
            return
        if ref is None:
            e = nearest_edge(parts, x, y, tol)
            if e is None:
                return
            p, r, i, foot = e
            after = inserted(parts, p, r, i, *foot)
            ref = (p, r, i + 1)
            self._drag = (parts, after, ref)
        else:
            self._drag = (parts, parts, ref)

    def motion(self, event) -> None:
        if self._drag is None or event.xdata is None:
            return
        _, base, ref = self._drag
        self._preview = moved(base, ref, event.xdata, event.ydata)
        self._show(self._preview)

    def release(self, event) -> None:
        drag, self._drag = self._drag, None
        if drag is None:
            return
        before, base, ref = drag
        x, y = (event.xdata, event.ydata) if event.xdata is not None else base[ref[0]][ref[1]][ref[2]]
        after = moved(base, ref, x, y)
        self._preview = None
        if any(not np.array_equal(a, b) for ra, rb in zip(before, after) for a, b in zip(ra, rb)) \
                or [len(r) for rs in before for r in rs] != [len(r) for rs in after for r in rs]:
            self.commit(before, after, "edit")
        else:
            self._show(before)

    def key(self, event) -> None:
        if event.key in ("delete",) and self.canvas._mouse_xy is not None:
            self.delete_vertex(*self.canvas._mouse_xy)
        elif event.key == "escape":
            self.escape()

    def escape(self) -> bool:
        if self._drag is not None:
            before = self._drag[0]
            self._drag = self._preview = None
            self._show(before)
            return True
        return False
