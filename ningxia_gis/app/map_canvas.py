"""The map: a matplotlib FigureCanvasQTAgg drawn by level of detail so 100k+ polygons stay responsive.

How it stays fast:

* only features whose box meets the view are drawn (STRtree query per layer);
* features smaller than ~1.5 screen pixels are not drawn as polygons but as pixels of one RGBA image
  (one numpy assignment per layer);
* the others are simplified to half a pixel (`shapely.simplify`, cached per zoom level and feature) and
  drawn as one compound path per layer and zone style, fill and outline as two artists (Agg strokes a
  huge filled+stroked path very slowly);
* while panning or wheel-zooming, the last rendered image is moved/scaled by Qt (no matplotlib work);
  the real render happens once the gesture ends (debounced);
* the polygon being drawn is blitted over the saved background.

Tools beyond pan / zoom / identify / draw (measure, select, vertex editing) are handler objects registered
with `register_tool`: the canvas hands them its mouse and key events and lets them add artists to a
render or blit animated ones (`blit_animated`). Basemaps (layer kind "basemap") are drawn under every
other layer whatever their place in the list; a vector layer with a label field gets labels.

The view is kept as a centre and a size of one screen pixel in map units, so the map is always
true to scale (equal axes) whatever the widget size.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import shapely
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QTransform
from PySide6.QtWidgets import QRubberBand, QVBoxLayout, QWidget

from ..maps.draw import nice_length
from .layers import ImageLayer, RasterLayer, VectorLayer, special_style

BASEMAP_Z = 0.2  # under every layer (layers are drawn at z = 1, 2, …)
MAX_LABELS = 400
LABEL_MIN_PX = 30  # features smaller than this (logical pixels) get no label

log = logging.getLogger("ningxia_gis.app")

TOOLS = ("pan", "zoom", "identify", "draw")
OVERLAY_STYLES = {
    "remainder": dict(face=(0.1, 0.75, 0.2, 0.30), edge="#0a7d24", width=2.4, z=960, linestyle="--"),
    "quiz": dict(face=(0.55, 0.2, 0.8, 0.25), edge="#6a1b9a", width=2.4, z=955, linestyle="-."),
}
DOT_PIXELS = 1.5  # features smaller than this many pixels are drawn as single pixels


def polygons_path(geoms) -> MplPath | None:
    """One compound path (non-zero fill: shells CCW, holes CW as oriented beforehand) for many polygons,
    built without a Python loop over the features."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return None
    parts = shapely.get_parts(geoms)
    if len(parts) == 0:
        return None
    parts = parts[shapely.get_type_id(parts) == 3]
    if len(parts) == 0:
        return None
    rings = shapely.get_rings(parts)
    coords, ring_ix = shapely.get_coordinates(rings, return_index=True)
    if len(coords) < 3:
        return None
    codes = np.full(len(coords), MplPath.LINETO, dtype=np.uint8)
    starts = np.r_[0, np.flatnonzero(np.diff(ring_ix)) + 1]
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:] - 1, len(coords) - 1]] = MplPath.CLOSEPOLY
    return MplPath(coords, codes)


def _rgba(colour, alpha=1.0):
    if colour in (None, "none", ""):
        return (0, 0, 0, 0)
    return to_rgba(colour, alpha)


class _Preview(QWidget):
    """The last rendered map image, moved and scaled while a pan/zoom gesture is going on."""

    def __init__(self, parent):
        super().__init__(parent)
        self.pixmap = None
        self.transform = QTransform()
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def paintEvent(self, _e):  # noqa: N802 - Qt override
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        if self.pixmap is not None:
            p.setTransform(self.transform)
            p.drawPixmap(0, 0, self.pixmap)
        p.end()


class MapCanvas(QWidget):
    """The map widget. Layers are given bottom → top with `set_layers`."""

    coordinatesChanged = Signal(float, float)  # map x, y (display CRS)
    scaleChanged = Signal(float)  # scale denominator
    featureClicked = Signal(float, float, float)  # identify: x, y, tolerance (map units)
    polygonDrawn = Signal(object)  # shapely Polygon in the display CRS
    drawingChanged = Signal(int)  # number of vertices of the polygon being drawn
    rendered = Signal(float)  # seconds the last render took
    highlightChanged = Signal(bool)  # a selection highlight is shown

    def __init__(self, parent=None):
        super().__init__(parent)
        self.figure = Figure(facecolor="white")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.canvas.setMinimumSize(200, 150)
        self.ax = self.figure.add_axes((0, 0, 1, 1))
        self.ax.set_axis_off()
        self.ax.set_autoscale_on(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.canvas)
        self.epsg = 4544
        self.layers: list = []
        self.footprint = None  # shapely geometry in display CRS
        self.pieces = None  # overlap pieces (all)
        self.selected_pieces = None
        self.highlight = None  # identify / attribute-table selection
        self.overlays: dict[str, object] = {}  # name → geometry (display CRS), drawn in OVERLAY_STYLES
        self.tool = "pan"
        self.tool_handlers: dict[str, object] = {}
        self.center: tuple[float, float] | None = None
        self.upp = 1.0  # map units per physical pixel
        self._artists: list = []
        self._rendered_view = None
        self._press = None
        self._moved = False
        self._draw_pts: list[tuple[float, float]] = []
        self._draw_line = None
        self._draw_bg = None
        self._mouse_xy = None
        self.last_render_seconds = 0.0
        self.render_count = 0
        self._preview = _Preview(self.canvas)
        self._rubber = QRubberBand(QRubberBand.Shape.Rectangle, self.canvas)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(120)
        self._timer.timeout.connect(self.render_now)
        c = self.canvas
        c.mpl_connect("button_press_event", self._on_press)
        c.mpl_connect("button_release_event", self._on_release)
        c.mpl_connect("motion_notify_event", self._on_motion)
        c.mpl_connect("scroll_event", self._on_scroll)
        c.mpl_connect("resize_event", self._on_resize)
        c.mpl_connect("key_press_event", self._on_key)

    # ------------------------------------------------------------------ view state
    def _size_px(self) -> tuple[float, float]:
        bb = self.figure.bbox
        return max(float(bb.width), 1.0), max(float(bb.height), 1.0)

    def _dpr(self) -> float:
        return float(self.canvas.devicePixelRatioF() or 1.0)

    def view_bounds(self) -> tuple[float, float, float, float] | None:
        if self.center is None:
            return None
        w, h = self._size_px()
        cx, cy = self.center
        return cx - self.upp * w / 2, cy - self.upp * h / 2, cx + self.upp * w / 2, cy + self.upp * h / 2

    def _apply_limits(self) -> None:
        b = self.view_bounds()
        if b is None:
            return
        self.ax.set_xlim(b[0], b[2])
        self.ax.set_ylim(b[1], b[3])
        self.scaleChanged.emit(self.scale_denominator())

    def scale_denominator(self) -> float:
        """1 : N at the screen's logical resolution."""
        metres_per_logical_px = self.upp * self._dpr()
        dpi = float(self.logicalDpiX() or 96)
        return metres_per_logical_px / (0.0254 / dpi)

    def set_view(self, center, upp) -> None:
        self.center = (float(center[0]), float(center[1]))
        self.upp = float(min(max(upp, 1e-4), 1e6))
        self._apply_limits()
        self._update_preview()
        self.schedule_render()

    def zoom_to(self, bounds, pad: float = 0.08, min_size: float = 50.0) -> None:
        """Show ``bounds`` (minx, miny, maxx, maxy, display CRS) with a margin."""
        if bounds is None:
            return
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        if not all(map(math.isfinite, (minx, miny, maxx, maxy))):
            return
        bw, bh = max(maxx - minx, min_size), max(maxy - miny, min_size)
        w, h = self._size_px()
        upp = max(bw * (1 + 2 * pad) / w, bh * (1 + 2 * pad) / h)
        self.set_view(((minx + maxx) / 2, (miny + maxy) / 2), upp)

    def full_extent(self):
        boxes = []
        for lyr in self.layers:
            if isinstance(lyr, VectorLayer):
                d = lyr.data(self.epsg)
                if d is not None and d.total_bounds is not None:
                    boxes.append(d.total_bounds)
        if self.footprint is not None and not self.footprint.is_empty:
            boxes.append(self.footprint.bounds)
        if not boxes:
            return None
        b = np.asarray(boxes, dtype=float)
        return float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())

    def zoom_full(self) -> None:
        self.zoom_to(self.full_extent(), pad=0.03)

    def zoom_layer(self, layer) -> None:
        d = layer.data(self.epsg) if isinstance(layer, VectorLayer) else None
        if d is not None and d.total_bounds is not None:
            self.zoom_to(d.total_bounds, pad=0.03)

    def zoom_footprint(self) -> None:
        """The footprint with some of its surroundings (at least ~2 km across)."""
        if self.footprint is not None and not self.footprint.is_empty:
            self.zoom_to(self.footprint.bounds, pad=0.35, min_size=2000.0)

    def zoom_by(self, factor: float, at=None) -> None:
        if self.center is None:
            return
        cx, cy = self.center
        ax_, ay_ = at if at is not None else (cx, cy)
        new_upp = self.upp / factor
        # keep the map point under the cursor fixed
        ncx = ax_ - (ax_ - cx) * new_upp / self.upp
        ncy = ay_ - (ay_ - cy) * new_upp / self.upp
        self.set_view((ncx, ncy), new_upp)

    # ------------------------------------------------------------------ content
    def set_epsg(self, epsg: int) -> None:
        self.epsg = int(epsg)

    def set_layers(self, layers_bottom_to_top) -> None:
        self.layers = list(layers_bottom_to_top)
        self.schedule_render()

    def set_footprint(self, geom) -> None:
        self.footprint = geom
        self.schedule_render()

    def set_pieces(self, geoms, selected=None) -> None:
        self.pieces = geoms
        self.selected_pieces = selected
        self.schedule_render()

    def set_selected_pieces(self, geoms) -> None:
        self.selected_pieces = geoms
        self.schedule_render()

    def set_overlay(self, name: str, geom) -> None:
        """Show (or with None hide) a named extra geometry in the display CRS: ``remainder`` (避让分析)
        or ``quiz`` (a quiz case's footprint, which is not the session's footprint)."""
        if name not in OVERLAY_STYLES:
            raise ValueError(name)
        if geom is None:
            self.overlays.pop(name, None)
        else:
            self.overlays[name] = geom
        self.schedule_render()

    def set_highlight(self, geoms) -> None:
        self.highlight = list(geoms) if geoms else None
        self.schedule_render()
        self.highlightChanged.emit(self.highlight is not None)

    def has_highlight(self) -> bool:
        return self.highlight is not None

    def register_tool(self, name: str, handler) -> None:
        """A tool of its own module: ``handler`` has press/motion/release/key(event), activate(),
        deactivate(), artists() (added to each render), after_render() and a ``cursor``."""
        self.tool_handlers[name] = handler

    def handler(self):
        """The handler of the current tool, or None for the built-in tools."""
        return self.tool_handlers.get(self.tool)

    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS and tool not in self.tool_handlers:
            raise ValueError(tool)
        if self.tool == "draw" and tool != "draw":
            self.cancel_drawing()
        old = self.handler()
        if old is not None and tool != self.tool:
            old.deactivate()
        changed = tool != self.tool
        self.tool = tool
        new = self.handler()
        if new is not None:
            if changed:
                new.activate()
            self.canvas.setCursor(new.cursor)
            return
        cursor = {"pan": Qt.CursorShape.OpenHandCursor, "zoom": Qt.CursorShape.CrossCursor,
                  "identify": Qt.CursorShape.WhatsThisCursor, "draw": Qt.CursorShape.CrossCursor}[tool]
        self.canvas.setCursor(cursor)

    def blit_animated(self, artists) -> None:
        """Draw animated ``artists`` over the last render without re-rendering the map."""
        if self._draw_bg is None:
            self.canvas.draw()
            self._draw_bg = self.canvas.copy_from_bbox(self.figure.bbox)
        self.canvas.restore_region(self._draw_bg)
        for a in artists:
            if a.axes is None:
                self.ax.add_artist(a)
            self.ax.draw_artist(a)
        self.canvas.blit(self.figure.bbox)

    def map_to_widget(self, x: float, y: float) -> QPoint:
        """The logical widget pixel of map point (x, y) (for tests and tooltips)."""
        b = self.view_bounds()
        w, h = self._size_px()
        dpr = self._dpr()
        px = (x - b[0]) / self.upp
        py = h - (y - b[1]) / self.upp
        return QPoint(int(round(px / dpr)), int(round(py / dpr)))

    # ------------------------------------------------------------------ rendering
    def schedule_render(self, delay_ms: int | None = None) -> None:
        if delay_ms is not None:
            self._timer.setInterval(delay_ms)
        self._timer.start()

    def _clear_artists(self) -> None:
        for a in self._artists:
            try:
                a.remove()
            except (ValueError, AttributeError, NotImplementedError):
                pass
        self._artists = []

    def _add(self, artist):
        self._artists.append(artist)
        return artist

    def render_now(self) -> None:
        """Rebuild the artists for the current view and draw (the slow step; debounced)."""
        self._timer.stop()
        t0 = time.perf_counter()
        self._clear_artists()
        if self.center is None:
            ext = self.full_extent()
            if ext is not None:
                self.zoom_to(ext, pad=0.03)
                self._timer.stop()
        view = self.view_bounds()
        if view is not None:
            self._apply_limits()
            w, h = self._size_px()
            for z, lyr in enumerate(self.layers, start=1):
                if not lyr.visible:
                    continue
                try:
                    if getattr(lyr, "kind", "") == "basemap":
                        self._draw_basemap(lyr, view, w, h)
                    elif isinstance(lyr, VectorLayer):
                        self._draw_vector(lyr, view, w, h, z)
                    elif isinstance(lyr, RasterLayer):
                        self._draw_raster(lyr, view, w, z)
                    elif isinstance(lyr, ImageLayer):
                        self._draw_image(lyr, view, w, z)
                except Exception as exc:  # noqa: BLE001 - one bad layer must not blank the map
                    log.exception("drawing layer %s failed", lyr.name)
                    lyr.error = str(exc)
            self._draw_overlays()
            h = self.handler()
            if h is not None:
                for a in h.artists() or ():
                    self._add(self.ax.add_artist(a))
            self._draw_scalebar(view)
        self.canvas.draw()
        self._rendered_view = (self.center, self.upp) if self.center else None
        self._preview.hide()
        self._draw_bg = None
        if self._draw_pts:
            self._save_background_and_blit()
        if self.handler() is not None:
            self.handler().after_render()
        self.last_render_seconds = time.perf_counter() - t0
        self.render_count += 1
        self.rendered.emit(self.last_render_seconds)

    def _draw_vector(self, lyr: VectorLayer, view, w, h, z) -> None:
        d = lyr.data(self.epsg)
        if d is None or len(d) == 0:
            return
        px = self.upp
        rows = d.tree.query(shapely.box(*view))
        if len(rows) == 0:
            return
        rows = np.sort(rows)
        small = d.size[rows] < DOT_PIXELS * px
        big, dots = rows[~small], rows[small]
        level = int(math.floor(math.log2(max(px, 1e-6))))
        names = d.zone_names
        for k in np.unique(d.zone_codes[big]) if len(big) else []:
            sel = big[d.zone_codes[big] == k]
            st = lyr.style(names[k])
            path = polygons_path(d.simplified(sel, level))
            if path is None:
                continue
            face = _rgba(getattr(st, "face", "none"), getattr(st, "alpha", 1.0))
            hatch = getattr(st, "hatch", "") or None
            if face[3] > 0 or hatch:
                kw = {}
                if hatch:
                    kw["hatch"] = hatch
                    kw["hatchcolor"] = getattr(st, "hatch_color", "") or st.edge
                self._add(self.ax.add_artist(PathPatch(path, facecolor=face, edgecolor="none", linewidth=0,
                                                      zorder=z, **kw)))
            if st.edge not in (None, "none", "") and st.width > 0:
                lw = st.width if len(sel) < 20000 else min(st.width, 0.3)
                self._add(self.ax.add_artist(PathPatch(path, facecolor="none", edgecolor=st.edge, linewidth=lw,
                                                      linestyle=getattr(st, "linestyle", "-"), zorder=z + 0.5)))
        if len(dots):
            self._draw_dots(d, lyr, dots, view, w, h, z)
        field = getattr(lyr, "label_field", None)
        if field and len(big) and field in d.gdf.columns:
            self._draw_labels(d, big, field, getattr(lyr.style(), "edge", "#000000"), z)

    def _draw_labels(self, d, rows, field, colour, z) -> None:
        """The value of ``field`` at a point inside each feature in view: features at least
        ``LABEL_MIN_PX`` across, largest first, none overlapping another label."""
        from matplotlib import patheffects

        lpx = self.upp * self._dpr()  # map units per logical pixel
        rows = rows[d.size[rows] >= LABEL_MIN_PX * lpx]
        rows = rows[np.argsort(-d.size[rows], kind="stable")][:MAX_LABELS]
        if not len(rows):
            return
        pts = shapely.point_on_surface(d.geoms[rows])
        values = d.gdf[field].to_numpy()[rows]
        halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
        taken: list[tuple[float, float, float, float]] = []
        for p, v in zip(pts, values):
            if p is None or p.is_empty or v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            text = str(v)
            hw, hh = (len(text) * 11 + 6) / 2 * lpx, 9 * lpx  # ~11 px per CJK character at 8 pt
            box = (p.x - hw, p.y - hh, p.x + hw, p.y + hh)
            if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in taken):
                continue
            taken.append(box)
            self._add(self.ax.text(p.x, p.y, text, ha="center", va="center", fontsize=8, color=colour,
                                   zorder=z + 0.7, path_effects=halo, clip_on=True))

    def _draw_basemap(self, lyr, view, w, h) -> None:
        img = lyr.render(view, self.epsg, int(min(max(w, 64), 2000)), int(min(max(h, 64), 2000)))
        if img is None:
            return
        self._add(self.ax.imshow(img, extent=(view[0], view[2], view[1], view[3]), origin="upper",
                                 interpolation="bilinear", zorder=BASEMAP_Z, alpha=lyr.alpha))
        self._apply_limits()

    def _draw_dots(self, d, lyr, rows, view, w, h, z) -> None:
        x0, y0, x1, y1 = view
        W, H = int(round(w)), int(round(h))
        img = np.zeros((H, W, 4), dtype=np.float32)
        ix = ((d.centre[rows, 0] - x0) / (x1 - x0) * W).astype(np.int64)
        iy = ((d.centre[rows, 1] - y0) / (y1 - y0) * H).astype(np.int64)
        ok = (ix >= 0) & (ix < W) & (iy >= 0) & (iy < H)
        ix, iy = ix[ok], iy[ok]
        codes = d.zone_codes[rows][ok]
        for k in np.unique(codes):
            st = lyr.style(d.zone_names[k])
            face = getattr(st, "face", "none")
            c = _rgba(st.edge if face in (None, "none", "") else face, 1.0)
            m = codes == k
            img[iy[m], ix[m]] = (c[0], c[1], c[2], 0.9)
        self._add(self.ax.imshow(img, extent=(x0, x1, y0, y1), origin="lower", interpolation="nearest",
                                 zorder=z + 0.6, resample=False))

    def _draw_image(self, lyr: ImageLayer, view, w, z) -> None:
        """An RGB image as it is (bands 1–3), only the window in view, reprojected."""
        from ..core.raster import read_window

        bands = []
        for spec in lyr.specs:
            win = read_window(spec, view, self.epsg, max_size=int(min(max(w, 200), 1600)))
            if win is None:
                return
            bands.append(win)
        rgb = np.clip(np.nan_to_num(np.dstack([b.data.astype(float) for b in bands]), nan=255.0) / 255.0, 0, 1)
        t = bands[0].transform
        rows, cols = bands[0].shape
        x0, y1 = t.c, t.f
        x1, y0 = t.c + t.a * cols, t.f + t.e * rows
        self._add(self.ax.imshow(rgb, extent=(x0, x1, y0, y1), origin="upper", interpolation="bilinear",
                                 zorder=z, alpha=lyr.alpha))
        self._apply_limits()

    def _draw_raster(self, lyr: RasterLayer, view, w, z) -> None:
        from ..maps.raster_draw import draw_raster

        before = list(self.ax.images)
        draw_raster(self.ax, lyr.spec, view, self.epsg, None, max_pixels=int(min(max(w, 200), 1600)),
                    alpha=lyr.alpha, zorder=z)
        for im in self.ax.images:
            if im not in before:
                self._add(im)
        self._apply_limits()

    def _geom_patch(self, geoms, *, face, edge, width, z, hatch=None, hatchcolor=None, linestyle="-"):
        if geoms is None:
            return
        arr = geoms if isinstance(geoms, (list, tuple, np.ndarray)) else [geoms]
        arr = [g for g in arr if g is not None and not g.is_empty]
        if not arr:
            return
        path = polygons_path(shapely.orient_polygons(np.asarray(arr, dtype=object)))
        if path is None:
            return
        if face[3] > 0 or hatch:
            kw = {"hatch": hatch, "hatchcolor": hatchcolor or edge} if hatch else {}
            self._add(self.ax.add_artist(PathPatch(path, facecolor=face, edgecolor="none", zorder=z, **kw)))
        self._add(self.ax.add_artist(PathPatch(path, facecolor="none", edgecolor=edge, linewidth=width,
                                              linestyle=linestyle, zorder=z + 0.5)))

    def _draw_overlays(self) -> None:
        ps = special_style("piece")
        self._geom_patch(self.pieces, face=_rgba(ps.face, ps.alpha), edge=ps.edge, width=ps.width, z=900,
                         hatch=getattr(ps, "hatch", "") or None, hatchcolor=getattr(ps, "hatch_color", "") or None)
        fs = special_style("footprint")
        self._geom_patch(self.footprint, face=_rgba(fs.face, fs.alpha), edge=fs.edge, width=fs.width, z=950)
        for name, geom in self.overlays.items():
            self._geom_patch(geom, **OVERLAY_STYLES[name])
        self._geom_patch(self.selected_pieces, face=(0, 0.85, 1, 0.35), edge="#0050ff", width=2.6, z=970)
        if self.highlight:
            # a feature larger than a quarter of the view (the county on identify) is outlined only, so
            # the view does not turn yellow
            view = self.view_bounds()
            big = view is not None and sum(g.area for g in self.highlight if g is not None) > \
                0.25 * (view[2] - view[0]) * (view[3] - view[1])
            self._geom_patch(self.highlight, face=(1, 1, 0, 0.0) if big else (1, 1, 0, 0.35), edge="#00e5ff", width=2.2,
                             z=980)

    def _draw_scalebar(self, view) -> None:
        x0, y0, x1, y1 = view
        w = x1 - x0
        length = nice_length(w / 5)
        mx, my = x0 + 0.03 * w, y0 + 0.04 * (y1 - y0)
        for lw, col in ((5, "white"), (2.5, "black")):
            self._add(self.ax.add_artist(Line2D([mx, mx + length], [my, my], color=col, linewidth=lw,
                                              solid_capstyle="butt", zorder=1000)))
        label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
        t = self.ax.text(mx + length / 2, my + 0.012 * (y1 - y0), label, ha="center", va="bottom", fontsize=8,
                         zorder=1001, bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
        self._add(t)
        t2 = self.ax.text(0.985, 0.985, "N ↑", transform=self.ax.transAxes, ha="right", va="top", fontsize=9,
                          zorder=1001, bbox={"boxstyle": "square,pad=0.2", "fc": "white", "ec": "#888888",
                                             "alpha": 0.8})
        self._add(t2)

    # ------------------------------------------------------------------ preview (fast pan / zoom)
    def _update_preview(self) -> None:
        if self._rendered_view is None or self.center is None:
            return
        (c0x, c0y), u0 = self._rendered_view
        c1x, c1y = self.center
        u1 = self.upp
        if (c0x, c0y, u0) == (c1x, c1y, u1):
            self._preview.hide()
            return
        dpr = self._dpr()
        wl, hl = self.canvas.width(), self.canvas.height()
        s = u0 / u1
        ul = u1 * dpr  # map units per logical pixel in the new view
        tx = wl / 2 * (1 - s) + (c0x - c1x) / ul
        ty = hl / 2 * (1 - s) - (c0y - c1y) / ul
        if self._preview.isHidden():
            pm = self.canvas.grab()
            pm.setDevicePixelRatio(pm.devicePixelRatio())
            self._preview.pixmap = pm
            self._preview.setGeometry(0, 0, wl, hl)
            self._preview.show()
            self._preview.raise_()
        self._preview.transform = QTransform(s, 0, 0, s, tx, ty)
        self._preview.update()

    # ------------------------------------------------------------------ mouse
    def _qt_point(self, event) -> QPoint:
        dpr = self._dpr()
        h = self._size_px()[1]
        return QPoint(int(event.x / dpr), int((h - event.y) / dpr))

    def _on_press(self, event) -> None:
        if event.xdata is None or self.center is None:
            return
        self._moved = False
        h = self.handler()
        if h is not None and event.button != 2:  # the middle button pans whatever the tool
            h.press(event)
            return
        if event.button == 1 and self.tool == "draw":
            if event.dblclick:
                self.finish_drawing()
                return
            self._draw_pts.append((event.xdata, event.ydata))
            self._update_drawing_line()
            self.drawingChanged.emit(len(self._draw_pts))
            return
        if event.button == 3 and self.tool == "draw":
            self.finish_drawing()
            return
        if event.button in (1, 2):
            self._press = (event.x, event.y, event.xdata, event.ydata, self.center, event.button)
            if self.tool == "zoom" and event.button == 1:
                p = self._qt_point(event)
                self._rubber.setGeometry(QRect(p, QSize()))
                self._rubber.show()
            elif self.tool in ("pan", "identify") or event.button == 2:
                self.canvas.setCursor(Qt.CursorShape.ClosedHandCursor)

    def _on_motion(self, event) -> None:
        if event.xdata is not None:
            self._mouse_xy = (event.xdata, event.ydata)
            self.coordinatesChanged.emit(float(event.xdata), float(event.ydata))
        if self._press is None:
            h = self.handler()
            if h is not None:
                h.motion(event)
                return
            if self.tool == "draw" and self._draw_pts and event.xdata is not None:
                self._update_drawing_line(rubber=(event.xdata, event.ydata))
            return
        px, py, _, _, c0, button = self._press
        if abs(event.x - px) + abs(event.y - py) > 3:
            self._moved = True
        if self.tool == "zoom" and button == 1:
            p0 = QPoint(int(px / self._dpr()), int((self._size_px()[1] - py) / self._dpr()))
            self._rubber.setGeometry(QRect(p0, self._qt_point(event)).normalized())
            return
        if self._moved:
            dx, dy = (event.x - px) * self.upp, (event.y - py) * self.upp
            self.center = (c0[0] - dx, c0[1] - dy)
            self._apply_limits()
            self._update_preview()

    def _on_release(self, event) -> None:
        press, self._press = self._press, None
        if press is None:
            if self.handler() is not None:
                self.handler().release(event)
            return
        px, py, x0, y0, _, button = press
        self.set_tool(self.tool)  # restore cursor
        if self.tool == "zoom" and button == 1:
            self._rubber.hide()
            if self._moved and event.xdata is not None:
                self.zoom_to((min(x0, event.xdata), min(y0, event.ydata), max(x0, event.xdata),
                              max(y0, event.ydata)), pad=0.0, min_size=1.0)
            elif event.xdata is not None:
                self.zoom_by(2.0, at=(event.xdata, event.ydata))
            return
        if self._moved:
            self.schedule_render(10)
            return
        if self.tool == "identify" and button == 1 and event.xdata is not None:
            self.featureClicked.emit(float(event.xdata), float(event.ydata), 4 * self.upp)

    def _on_scroll(self, event) -> None:
        if event.xdata is None:
            return
        step = event.step if event.step else (1 if event.button == "up" else -1)
        self.zoom_by(1.25 ** step, at=(event.xdata, event.ydata))

    def _on_resize(self, _event) -> None:
        if self.center is not None:
            self._apply_limits()
        self.schedule_render(60)

    def _on_key(self, event) -> None:
        if self.handler() is not None:
            self.handler().key(event)
            return
        if self.tool != "draw":
            return
        if event.key == "escape":
            self.cancel_drawing()
        elif event.key in ("enter", "return"):
            self.finish_drawing()
        elif event.key == "backspace" and self._draw_pts:
            self._draw_pts.pop()
            self._update_drawing_line()
            self.drawingChanged.emit(len(self._draw_pts))

    # ------------------------------------------------------------------ drawing a footprint
    def _save_background_and_blit(self) -> None:
        self._draw_bg = self.canvas.copy_from_bbox(self.figure.bbox)
        self._update_drawing_line()

    def _update_drawing_line(self, rubber=None) -> None:
        pts = list(self._draw_pts)
        if rubber is not None:
            pts.append(rubber)
        if len(pts) >= 3:
            pts = pts + [pts[0]]
        if self._draw_line is None:
            self._draw_line = Line2D([], [], color="#ff00aa", linewidth=1.8, marker="o", markersize=4,
                                     zorder=1100, animated=True)
            self.ax.add_artist(self._draw_line)
        self._draw_line.set_data([p[0] for p in pts], [p[1] for p in pts])
        if self._draw_bg is None:
            self.canvas.draw()
            self._draw_bg = self.canvas.copy_from_bbox(self.figure.bbox)
        self.canvas.restore_region(self._draw_bg)
        self.ax.draw_artist(self._draw_line)
        self.canvas.blit(self.figure.bbox)

    def cancel_drawing(self) -> None:
        self._draw_pts = []
        if self._draw_line is not None:
            self._draw_line.remove()
            self._draw_line = None
        self._draw_bg = None
        self.drawingChanged.emit(0)
        self.canvas.draw_idle()

    def add_drawing_vertex(self, x: float, y: float) -> None:
        """Add a vertex as a click with the draw tool would (used by tests and keyboard entry)."""
        self._draw_pts.append((float(x), float(y)))
        self._update_drawing_line()
        self.drawingChanged.emit(len(self._draw_pts))

    def finish_drawing(self) -> None:
        pts = list(dict.fromkeys(self._draw_pts))
        self.cancel_drawing()
        if len(pts) < 3:
            return
        poly = shapely.Polygon(pts)
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
        if poly.area > 0:
            self.polygonDrawn.emit(poly)

    # ------------------------------------------------------------------ export
    def save_image(self, path, dpi: int = 200) -> None:
        """The current view as PNG / SVG / PDF (by suffix), at ``dpi`` for raster formats; a selection
        highlight and a quiz case's footprint are never part of it."""
        highlight, self.highlight = self.highlight, None
        quiz = self.overlays.pop("quiz", None)
        # a figure being saved draws animated artists too: the tools' rubber lines and markers stay out
        hidden = [a for a in self.ax.get_children() if a.get_animated() and a.get_visible()]
        try:
            self.render_now()
            for a in hidden:
                a.set_visible(False)
            self.figure.savefig(str(path), dpi=dpi, facecolor="white")
        finally:
            for a in hidden:
                a.set_visible(True)
            self.highlight = highlight
            if quiz is not None:
                self.overlays["quiz"] = quiz
            if highlight is not None or quiz is not None:
                self.schedule_render()

    def sizeHint(self):  # noqa: N802 - Qt override
        return QSize(900, 650)
