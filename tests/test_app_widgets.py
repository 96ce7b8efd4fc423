"""App pieces on their own: map canvas speed with 100k+ polygons, navigation, layer panel (drag-and-drop,
roles), the worker's cancel, the string table, language switch, settings."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

pytest.importorskip("pytestqt")

from ningxia_gis.paths import SAMPLE_CATALOG  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]
APP_DIR = Path(__file__).resolve().parent.parent / "ningxia_gis" / "app"


def big_layer(n=120_000, seed=0):
    from ningxia_gis.app.layers import VectorLayer

    rng = np.random.default_rng(seed)
    x = rng.uniform(560_000, 620_000, n)
    y = rng.uniform(4_100_000, 4_160_000, n)
    g = shapely.segmentize(shapely.box(x, y, x + 70, y + 55), 12)  # ~25 vertices each
    gdf = gpd.GeoDataFrame({"TBBH": np.arange(n), "DLBM": "0103"}, geometry=g, crs=4544)
    return VectorLayer("大图层", None, gdf=gdf)


def test_canvas_stays_fast_with_100k_polygons(qtbot):
    from ningxia_gis.app.map_canvas import MapCanvas

    lyr = big_layer()
    lyr.load(4544)
    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(1000, 700)
    c.show()
    c.set_layers([lyr])
    c.zoom_full()
    times = []
    for bounds in (None, (580_000, 4_120_000, 600_000, 4_135_000), (590_000, 4_125_000, 594_000, 4_128_000),
                   (590_500, 4_125_500, 591_000, 4_126_000)):
        if bounds:
            c.zoom_to(bounds, pad=0)
        c.render_now()
        times.append(c.last_render_seconds)
    # second pass: LOD caches are warm
    c.zoom_to((580_000, 4_120_000, 600_000, 4_135_000), pad=0)
    c.render_now()
    assert max(times) < 6.0, times
    assert c.last_render_seconds < 3.0, c.last_render_seconds
    # at full extent most features are below a pixel: drawn as an image, not as 120k paths
    c.zoom_full()
    c.render_now()
    kinds = [type(a).__name__ for a in c._artists]
    assert "AxesImage" in kinds


def test_canvas_navigation_and_scale(qtbot):
    from ningxia_gis.app.map_canvas import MapCanvas, nice_length, polygons_path

    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(800, 600)
    c.show()
    c.footprint = shapely.box(0, 0, 1000, 500)
    c.zoom_footprint()
    b0 = c.view_bounds()
    assert b0[0] < 0 and b0[2] > 1000
    s0 = c.scale_denominator()
    c.zoom_by(2.0)
    assert c.scale_denominator() == pytest.approx(s0 / 2)
    # zoom keeps the point under the cursor fixed
    c.zoom_by(1.25, at=(100.0, 100.0))
    x0, y0, x1, y1 = c.view_bounds()
    w, h = c._size_px()
    assert (100 - x0) / (x1 - x0) == pytest.approx((100 - b0[0]) / (b0[2] - b0[0]), abs=0.5)
    # the preview follows the view until the real render
    c.render_now()
    c.set_view((c.center[0] + 50, c.center[1]), c.upp)
    assert c._preview.isVisible()
    c.render_now()
    assert not c._preview.isVisible()
    assert nice_length(1234) == 1000 and nice_length(0.3) == pytest.approx(0.2)
    p = polygons_path(shapely.orient_polygons(np.array([shapely.box(0, 0, 1, 1).difference(shapely.box(0.2, 0.2, 0.4, 0.4))])))
    # drawn by Agg (non-zero fill): the hole stays empty
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch

    fig = Figure(figsize=(1, 1), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.add_artist(PathPatch(p, facecolor="black", edgecolor="none"))
    fig.canvas.draw()
    px = np.asarray(fig.canvas.buffer_rgba())
    assert px[30, 70, 0] < 50  # (0.7, 0.7) filled
    assert px[70, 30, 0] > 200  # (0.3, 0.3) in the hole


def test_task_progress_cancel_and_errors(qtbot):
    from ningxia_gis.app.check_worker import Task
    from ningxia_gis.domain.errors import InputError

    def slow(progress=None, cancelled=None):
        for i in range(2000):
            if cancelled():
                from ningxia_gis.domain.errors import Cancelled
                raise Cancelled("stop")
            progress(i / 2000, "step")
            time.sleep(0.002)
        return "finished"

    t = Task(slow)
    seen = []
    t.progress.connect(lambda f, s: seen.append(f))
    with qtbot.waitSignal(t.cancelled, timeout=10000):
        t.start()
        qtbot.waitUntil(lambda: len(seen) > 3, timeout=5000)
        t.cancel()
    qtbot.waitUntil(lambda: t.is_finished, timeout=5000)

    def bad():
        raise InputError("文件坏了")

    t2 = Task(bad)
    with qtbot.waitSignal(t2.failed, timeout=5000) as blocker:
        t2.start()
    assert blocker.args[0] == "文件坏了" and blocker.args[1] == ""

    def crash():
        return 1 / 0

    t3 = Task(crash)
    with qtbot.waitSignal(t3.failed, timeout=5000) as blocker:
        t3.start()
    assert "ZeroDivisionError" not in blocker.args[0] and "内部错误" in blocker.args[0]
    assert "ZeroDivisionError" in blocker.args[1] and "Traceback" in blocker.args[1]  # details for the log
    qtbot.waitUntil(lambda: t3.is_finished and t2.is_finished, timeout=5000)


def test_check_cancel_in_window(qtbot, make_window):
    from ningxia_gis.paths import SAMPLE_FOOTPRINTS

    w = make_window(size=None)
    w.open_footprint(SAMPLE_FOOTPRINTS / "pv_desert_grassland.geojson")
    qtbot.waitUntil(lambda: w.footprint is not None, timeout=20000)
    t = w.run_check()
    assert t is not None and not w.act_run.isEnabled() and w.act_cancel.isEnabled()
    w.cancel_check()
    qtbot.waitUntil(lambda: not t.is_running, timeout=60000)
    assert w.act_run.isEnabled() and not w.act_cancel.isEnabled()
    assert w.last_error is None
    assert w.progress.isHidden()


def _tr_keys_used() -> set[str]:
    keys = set()
    for f in APP_DIR.glob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("tr", "A"):
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    keys.add(node.args[0].value)
    return keys


def test_every_string_has_both_languages():
    from ningxia_gis.app.i18n import STRINGS, has

    used = _tr_keys_used()
    assert len(used) > 100
    missing = sorted(k for k in used if not has(k))  # the table, or the message catalog (bilingual by its test)
    assert not missing, missing
    for k, (zh, en) in STRINGS.items():
        assert zh.strip() and en.strip(), k
        assert set(_fields(zh)) == set(_fields(en)), k
    for k in ("project_name", "applicant", "case_number", "reviewer", "organisation"):
        assert f"meta.{k}" in STRINGS


def _fields(s):
    import string

    return [f for _, f, _, _ in string.Formatter().parse(s) if f]


def test_language_switch_settings_and_layer_panel(qtbot, make_window, app_home, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    from ningxia_gis.app import i18n
    from ningxia_gis.app.main_window import settings

    w = make_window(size=None)
    assert w.act_run.text() == "开始审查"
    w.set_language("en")
    assert w.act_run.text() == "Run check" and w.dock_layers.windowTitle() == "Layers"
    assert w.layer_panel.tree.headerItem().text(2) == "Role"
    assert "Permanent basic farmland" in [w.layer_panel.tree.topLevelItem(i).text(2)
                                          for i in range(w.layer_panel.tree.topLevelItemCount())]
    assert settings().value("language") == "en"
    w.set_language("zh")
    assert w.act_run.text() == "开始审查"

    # drop a new layer file on the layer list; its role is guessed from the national field names
    gdf = gpd.read_file(SAMPLE_CATALOG.parent / "ningxia_sample.gpkg", layer="CZKFBJ")
    f = tmp_path / "我的城镇开发边界.geojson"
    gdf.to_file(f, driver="GeoJSON")
    n0 = len(w.all_layers())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f))])
    tree = w.layer_panel.tree
    ev = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    tree.dropEvent(ev)
    assert len(w.all_layers()) == n0 + 1
    new = w.all_layers()[0]
    assert new.role == "urban_boundary" and new.checked
    qtbot.waitUntil(w.layers_loaded, timeout=20000)
    assert new.feature_count == len(gdf)
    # change the role, hide, move, remove
    w.layer_panel.select_layer(new)
    w.layer_panel.set_layer_role(new, None)
    assert not new.checked and tree.topLevelItem(0).text(2) == "仅显示"
    qtbot.waitUntil(w.layers_loaded, timeout=20000)
    w.layer_panel.set_layer_role(new, "nature_reserve")
    assert new.checked and new.spec.role == "nature_reserve"
    tree.topLevelItem(0).setCheckState(0, Qt.CheckState.Unchecked)
    assert not new.visible
    w.layer_panel.move_current(1)
    assert w.all_layers()[1] is new
    w.layer_panel.remove_layer(new)
    assert new not in w.all_layers()
    # recent files and window state are remembered
    assert str(f) in w._recent("recent/layers")
    w.close()
    s = settings()
    assert s.value("window/geometry") is not None and s.value("window/state") is not None


def test_run_entry_point_screenshot(app_home, tmp_path, monkeypatch, qtbot):
    """`run(--scenario … --screenshot DIR)` loads, checks, saves PNGs and quits."""
    from PySide6.QtWidgets import QApplication

    from ningxia_gis.app import main_window

    import sys

    out = tmp_path / "shots"
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own; restored afterwards
    monkeypatch.setattr(QApplication, "exec", lambda self: _spin(self, out))
    assert main_window.run(["--scenario", "pv_on_farmland", "--screenshot", str(out), "--lang", "en",
                            "--size", "1200x800"]) == 0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert {"main_window_en.png", "map_en.png", "results_en.png", "detail_en.png"} <= set(pngs)
    from PySide6.QtGui import QImage

    img = QImage(str(out / "main_window_en.png"))
    assert img.width() == 1200 and img.height() == 800
    main_window.i18n.set_language("zh")


def _spin(app, out, timeout=90):
    t0 = time.time()
    while not any(out.glob("detail_*.png")) and time.time() - t0 < timeout:
        app.processEvents()
        time.sleep(0.02)
    for w in app.topLevelWidgets():
        w.close()
    return 0


def test_mouse_pan_box_zoom_wheel_and_readout(qtbot, make_window):
    """Real Qt mouse events on the canvas: drag pans, box zoom zooms in, the wheel zooms about the cursor,
    the status bar shows the analysis-CRS and lon/lat coordinates and the scale."""
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    w = make_window(size=(1300, 850))
    qtbot.waitExposed(w)
    mpl = w.canvas.canvas
    qtbot.waitUntil(lambda: w.canvas.view_bounds() is not None, timeout=5000)
    w.canvas.render_now()
    c0 = w.canvas.center
    mid = QPoint(mpl.width() // 2, mpl.height() // 2)
    # pan: press, move, release
    qtbot.mousePress(mpl, Qt.MouseButton.LeftButton, pos=mid)
    qtbot.mouseMove(mpl, mid + QPoint(120, 40))
    qtbot.mouseRelease(mpl, Qt.MouseButton.LeftButton, pos=mid + QPoint(120, 40))
    c1 = w.canvas.center
    assert c1[0] < c0[0] and c1[1] > c0[1]  # dragged right/down: the view moved left/up
    assert "EPSG:4544" in w.lbl_xy.text()
    assert "°" in w.lbl_lonlat.text() and "1:" in w.lbl_scale.text()
    lon = float(w.lbl_lonlat.text().split()[1].rstrip("°"))
    assert 104 < lon < 108
    # box zoom
    w.set_tool("zoom")
    upp0 = w.canvas.upp
    qtbot.mousePress(mpl, Qt.MouseButton.LeftButton, pos=mid)
    qtbot.mouseMove(mpl, mid + QPoint(100, 60))
    qtbot.mouseRelease(mpl, Qt.MouseButton.LeftButton, pos=mid + QPoint(100, 60))
    assert w.canvas.upp < upp0 / 3
    # wheel zooms in about the cursor
    upp1 = w.canvas.upp
    ev = QWheelEvent(QPointF(mid), QPointF(mpl.mapToGlobal(mid)), QPoint(0, 0), QPoint(0, 120),
                     Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(mpl, ev)
    assert w.canvas.upp == pytest.approx(upp1 / 1.25)
    qtbot.waitUntil(lambda: not w.canvas._timer.isActive(), timeout=3000)
    # identify tool: click → identify panel
    w.set_tool("identify")
    w.canvas.zoom_full()
    w.canvas.render_now()
    red = next(lyr for lyr in w.vector_layers() if lyr.role == "eco_redline")
    x, y = shapely.get_coordinates(red.data(w.epsg).geoms[0].representative_point())[0]
    b = w.canvas.view_bounds()
    dpr = mpl.devicePixelRatioF()
    px = QPoint(int((x - b[0]) / w.canvas.upp / dpr), int((b[3] - y) / w.canvas.upp / dpr))
    qtbot.mouseClick(mpl, Qt.MouseButton.LeftButton, pos=px)
    assert w.identify.tree.topLevelItemCount() >= 1
    assert any("生态保护红线" in w.identify.tree.topLevelItem(i).text(0)
               for i in range(w.identify.tree.topLevelItemCount()))


def test_attribute_table_large_layer(qtbot):
    """120k rows: opens, filters and sorts at once (pandas, not per-row Python calls)."""
    from ningxia_gis.app.attribute_table import AttributeTable

    lyr = big_layer(n=120_000, seed=3)
    lyr.load(4544)
    df = lyr.attribute_frame(4544)
    t0 = time.perf_counter()
    t = AttributeTable(lyr, df)
    qtbot.addWidget(t)
    t.show()
    assert time.perf_counter() - t0 < 3
    assert t.model.rowCount() == 120_000
    t0 = time.perf_counter()
    t.filter.setText("11111")
    t._apply_filter()
    n = t.model.rowCount()
    assert 0 < n < 100 and time.perf_counter() - t0 < 5
    assert all("11111" in str(df.iloc[t.model.row_position(i)]["TBBH"]) for i in range(n))
    t.filter.setText("")
    t._apply_filter()
    t.model.sort(0, Qt_desc())
    assert t.model.row_position(0) == 119_999
    got = []
    t.rowsSelected.connect(lambda layer, rows: got.append(rows))
    t.view.selectRow(0)
    assert got and got[-1] == [119_999]


def Qt_desc():
    from PySide6.QtCore import Qt

    return Qt.SortOrder.DescendingOrder
