"""Distance and area measurement on the map: click points; the length of the path and, from three points,
the area of the polygon they close, ellipsoidal on CGCS2000 (geodesics on the GRS80 ellipsoid, pyproj
`Geod`) with the planar figures of the display CRS beside them. Double-click, right-click, Enter or Esc
ends a measurement (the figures stay shown until the next first click); Backspace drops the last point."""

from __future__ import annotations

import math
from dataclasses import dataclass

from matplotlib.lines import Line2D
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from ..core.crs import transformer
from ..core.units import m2_to_ha, m2_to_mu
from .i18n import tr
from .tool_base import MapTool

CGCS2000_LONLAT = 4490


@dataclass(frozen=True)
class Measurement:
    """Lengths in m, areas in m² (area 0 below three points)."""

    points: int
    length_m: float  # geodesic length of the open path
    length_planar_m: float
    area_m2: float  # geodesic polygon area (the path closed)
    area_planar_m2: float
    perimeter_m: float  # geodesic perimeter of the closed polygon


def geod():
    from pyproj import Geod

    return Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (its flattening differs from GRS80's by 1e-11)


def measure(points, epsg: int) -> Measurement:
    """The measurement of ``points`` [(x, y), …] given in EPSG ``epsg``."""
    pts = [(float(x), float(y)) for x, y in points]
    n = len(pts)
    if n < 2:
        return Measurement(n, 0.0, 0.0, 0.0, 0.0, 0.0)
    xs, ys = zip(*pts)
    lon, lat = transformer(epsg, CGCS2000_LONLAT).transform(xs, ys)
    g = geod()
    length = float(g.line_length(lon, lat))
    planar = sum(math.dist(pts[i], pts[i + 1]) for i in range(n - 1))
    area = perimeter = area_planar = 0.0
    if n >= 3:
        a, perimeter = g.polygon_area_perimeter(lon, lat)
        area = abs(float(a))
        area_planar = abs(sum(pts[i][0] * pts[(i + 1) % n][1] - pts[(i + 1) % n][0] * pts[i][1]
                              for i in range(n))) / 2
    return Measurement(n, length, planar, area, area_planar, float(perimeter))


def fmt_length(m: float) -> str:
    return f"{m / 1000:,.4f} km" if m >= 1000 else f"{m:,.2f} m"


def fmt_area(m2: float) -> str:
    return f"{m2:,.2f} m² · {m2_to_ha(m2):,.4f} {tr('unit.ha')} · {m2_to_mu(m2):,.2f} {tr('unit.mu')}"


def measurement_text(m: Measurement) -> str:
    """Several lines for the on-map box and the status bar."""
    if m.points < 2:
        return tr("measure.hint")
    lines = [f"{tr('measure.length')}: {fmt_length(m.length_m)}  ({tr('measure.planar')} {fmt_length(m.length_planar_m)})"]
    if m.points >= 3:
        lines.append(f"{tr('measure.area')}: {fmt_area(m.area_m2)}")
        lines.append(f"{tr('measure.planar')}: {fmt_area(m.area_planar_m2)}")
        lines.append(f"{tr('measure.perimeter')}: {fmt_length(m.perimeter_m)}")
    lines.append(tr("measure.ellipsoid"))
    return "\n".join(lines)


class MeasureTool(MapTool):
    """The 测量 tool; ``measured`` carries the `Measurement` after every change."""

    measured = Signal(object)

    def __init__(self, canvas, parent=None):
        super().__init__(canvas, parent)
        self.points: list[tuple[float, float]] = []
        self.finished = False
        self.result = measure([], canvas.epsg)
        self._rubber = None
        self._line = Line2D([], [], color="#ff6600", linewidth=2.0, marker="o", markersize=4, zorder=1200,
                            animated=True)
        self.box = QLabel(canvas.canvas)
        self.box.setStyleSheet("QLabel { background: rgba(255,255,255,235); border: 1px solid #ff6600;"
                               " padding: 4px; color: #202020; }")
        self.box.hide()

    # -- state ------------------------------------------------------------------------------------
    def add_point(self, x: float, y: float) -> Measurement:
        if self.finished:
            self.points, self.finished = [], False
        self.points.append((float(x), float(y)))
        return self._changed()

    def finish(self) -> Measurement:
        self.finished = True
        self._rubber = None
        return self._changed()

    def clear(self) -> None:
        self.points, self.finished, self._rubber = [], False, None
        self._changed()
        self.box.hide()

    def _changed(self) -> Measurement:
        pts = self.points + ([self._rubber] if self._rubber and not self.finished else [])
        self.result = measure(self.points, self.canvas.epsg)
        shown = measure(pts, self.canvas.epsg) if len(pts) != len(self.points) else self.result
        self._redraw(pts)
        self.box.setText(measurement_text(shown))
        self.box.adjustSize()
        self.box.move(10, 10)
        self.box.setVisible(bool(self.points))
        self.measured.emit(self.result)
        return self.result

    def _redraw(self, pts) -> None:
        line = list(pts) + ([pts[0]] if len(pts) >= 3 else [])
        self._line.set_data([p[0] for p in line], [p[1] for p in line])
        if self.canvas.center is not None:
            self.canvas.blit_animated([self._line])

    # -- events ------------------------------------------------------------------------------------
    def activate(self) -> None:
        self.clear()

    def deactivate(self) -> None:
        self.clear()
        self.canvas.canvas.draw_idle()

    def press(self, event) -> None:
        if event.button == 3 or (event.button == 1 and event.dblclick):
            if self.points:
                self.finish()
            return
        if event.button == 1:
            self.add_point(event.xdata, event.ydata)

    def motion(self, event) -> None:
        if self.points and not self.finished and event.xdata is not None:
            self._rubber = (float(event.xdata), float(event.ydata))
            self._changed()

    def key(self, event) -> None:
        if event.key in ("escape", "enter", "return"):
            self.escape()
        elif event.key == "backspace" and self.points and not self.finished:
            self.points.pop()
            self._changed()

    def escape(self) -> bool:
        if self.points and not self.finished:
            self.finish()
            return True
        if self.points:
            self.clear()
            self.canvas.canvas.draw_idle()
            return True
        return False

    def after_render(self) -> None:
        if self.points:
            self._redraw(self.points + ([self._rubber] if self._rubber and not self.finished else []))
