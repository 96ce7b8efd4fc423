"""Map tools of issue 15 item 9 (pytest-qt, offscreen): measure (vs pyproj Geod on GRS80), selection by
click / rectangle (vs shapely intersects), vertex editing (drag, insert, delete, self-intersection
refused, undo), layer style (rendered pixel colour, labels, remembered per session), and offline
basemaps (GeoTIFF drawn under the vectors and never in the check request; MBTiles made here rendered)."""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pytest

pytest.importorskip("pytestqt")

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]

EPSG = 4544  # CGCS2000 / 3-degree Gauss-Kruger CM 105E (the sample layers' display CRS)
CX, CY = 520_000.0, 4_140_000.0  # near 红寺堡 (about 105.2°E, 37.4°N)


# ----------------------------------------------------------------------------- helpers
def bare_canvas(qtbot, size=(600, 450)):
    from ningxia_gis.app.map_canvas import MapCanvas

    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(*size)
    c.show()
    qtbot.waitExposed(c)
    c.set_epsg(EPSG)
    c.set_view((CX, CY), 10.0)  # 10 m per pixel
    c.render_now()
    return c


def pixel(canvas, x, y):
    """RGB of the canvas image at map point (x, y)."""
    canvas.render_now()
    img = canvas.canvas.grab().toImage()
    p = canvas.map_to_widget(x, y)
    dpr = img.devicePixelRatio()
    c = img.pixelColor(int(p.x() * dpr), int(p.y() * dpr))
    return c.red(), c.green(), c.blue()


def click(canvas, x, y, button=None, dbl=False):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    button = button or Qt.MouseButton.LeftButton
    (QTest.mouseDClick if dbl else QTest.mouseClick)(canvas.canvas, button, Qt.KeyboardModifier.NoModifier,
                                                     canvas.map_to_widget(x, y))


def drag(canvas, a, b):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    pa, pb = canvas.map_to_widget(*a), canvas.map_to_widget(*b)
    QTest.mousePress(canvas.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pa)
    for k in range(1, 6):
        QTest.mouseMove(canvas.canvas, pa + (pb - pa) * (k / 5))
    QTest.mouseRelease(canvas.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pb)


def widget_to_map(canvas, p):
    """Map point under logical widget pixel ``p`` (the inverse of the view set above, independent of
    the canvas's own conversion)."""
    x0, y0, x1, y1 = canvas.view_bounds()
    dpr = canvas._dpr()
    return x0 + p.x() * dpr * canvas.upp, y1 - p.y() * dpr * canvas.upp


def geod_reference(points):
    from pyproj import Geod, Transformer

    t = Transformer.from_crs(EPSG, 4490, always_xy=True)
    lon, lat = t.transform([p[0] for p in points], [p[1] for p in points])
    g = Geod(ellps="GRS80")
    area, perim = g.polygon_area_perimeter(lon, lat)
    return g.line_length(lon, lat), abs(area), perim


# ----------------------------------------------------------------------------- window
@pytest.fixture
def win(make_window):
    return make_window(size=(1366, 728))


def layer_named(w, name):
    return next(lyr for lyr in w.all_layers() if lyr.name == name)


# ----------------------------------------------------------------------------- 1. measure
def test_measure_tool_length_and_area_match_geod_on_grs80(qtbot):
    from PySide6.QtCore import Qt

    from ningxia_gis.app.measure_tool import MeasureTool

    c = bare_canvas(qtbot)
    tool = MeasureTool(c)
    c.register_tool("measure", tool)
    c.set_tool("measure")
    # a known polygon, clicked on the canvas (vertex pixels → map points as the view gives them)
    target = [(CX - 1500, CY - 1000), (CX + 1200, CY - 900), (CX + 900, CY + 1100), (CX - 1300, CY + 800)]
    for x, y in target:
        click(c, x, y)
    click(c, CX, CY, button=Qt.MouseButton.RightButton)  # right-click ends
    assert tool.finished and len(tool.points) == 4
    clicked = [widget_to_map(c, c.map_to_widget(x, y)) for x, y in target]
    for (px, py), (ex, ey) in zip(tool.points, clicked):
        assert abs(px - ex) <= 1.01 * c.upp and abs(py - ey) <= 1.01 * c.upp  # within the pixel clicked
    length, area, perim = geod_reference(tool.points)
    m = tool.result
    assert m.length_m == pytest.approx(length, rel=1e-6)
    assert m.area_m2 == pytest.approx(area, rel=1e-6)
    assert m.perimeter_m == pytest.approx(perim, rel=1e-6)
    assert m.area_planar_m2 == pytest.approx(shapely.Polygon(tool.points).area, rel=1e-9)
    assert m.length_planar_m == pytest.approx(shapely.LineString(tool.points).length, rel=1e-9)
    # the on-map box gives m², 公顷 and 亩 of the ellipsoidal area, km for the length
    text = tool.box.text()
    assert f"{area:,.2f} m²" in text and f"{area / 1e4:,.4f} 公顷" in text and f"{area * 0.0015:,.2f} 亩" in text
    assert f"{length / 1000:,.4f} km" in text
    assert tool.box.isVisible()

    # exact map coordinates through the handlers: a 1 km square
    tool.clear()
    sq = [(CX, CY), (CX + 1000, CY), (CX + 1000, CY + 1000), (CX, CY + 1000)]
    for x, y in sq:
        tool.add_point(x, y)
    _, area, _ = geod_reference(sq)
    assert tool.result.area_m2 == pytest.approx(area, rel=1e-6)
    assert tool.result.area_planar_m2 == pytest.approx(1e6, rel=1e-12)
    # GK scale at 105.2°E is close to 1: ellipsoidal and planar differ by well under 1e-3 here
    assert abs(area / 1e6 - 1) < 1e-3
    assert tool.escape() and tool.finished  # Esc ends the measurement, the figures stay
    assert tool.escape() and not tool.points  # a second Esc clears it


# ----------------------------------------------------------------------------- 2. select
def test_rectangle_and_click_select_exactly_what_shapely_says_intersects(qtbot, win):
    w = win
    lyr = layer_named(w, "耕地（三调地类图斑）")
    w.layer_panel.select_layer(lyr)
    d = lyr.data(w.epsg)
    gdf = d.gdf
    w.set_tool("select")
    assert w.canvas.tool == "select" and w.act_select.isChecked()
    # a rectangle around the middle of the layer, dragged with the mouse
    bx = gdf.total_bounds
    mx, my = (bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2
    w.canvas.zoom_to((mx - 3000, my - 3000, mx + 3000, my + 3000), pad=0.0)
    w.canvas.render_now()
    a, b = (mx - 1500, my - 1000), (mx + 1200, my + 1400)
    drag(w.canvas, a, b)
    pa = widget_to_map(w.canvas, w.canvas.map_to_widget(*a))
    pb = widget_to_map(w.canvas, w.canvas.map_to_widget(*b))
    box = shapely.box(min(pa[0], pb[0]), min(pa[1], pb[1]), max(pa[0], pb[0]), max(pa[1], pb[1]))
    expected = [i for i, g in enumerate(gdf.geometry) if g.intersects(box)]
    layer, rows = w.maptools.selection()
    assert layer is lyr and len(expected) > 3
    # the rectangle's corners come from pixels: features within a pixel of its edge may differ
    edge = [i for i, g in enumerate(gdf.geometry) if g.intersects(box.buffer(w.canvas.upp).boundary.buffer(2 * w.canvas.upp))]
    assert set(rows) - set(edge) == set(expected) - set(edge)
    # exact map coordinates through the handler: exactly shapely's set
    rows = w.maptools.select.select_box(mx - 1500, my - 1000, mx + 1200, my + 1400)
    box = shapely.box(mx - 1500, my - 1000, mx + 1200, my + 1400)
    assert list(rows) == [i for i, g in enumerate(gdf.geometry) if g.intersects(box)]
    assert w.canvas.has_highlight() and len(w.canvas.highlight) == len(rows)
    assert w.act_clear_selection.isEnabled()
    # listed in the attribute table
    t = w.open_attribute_table(lyr)
    rows = w.maptools.select.select_box(mx - 500, my - 500, mx + 500, my + 500)
    assert len(rows) and t.selected_positions() == list(rows)
    # a click selects the feature under the cursor
    g = gdf.geometry.iloc[int(rows[0])]
    p = g.representative_point()
    click(w.canvas, p.x, p.y)
    layer, rows = w.maptools.selection()
    tol = 3 * w.canvas.upp * w.canvas._dpr()
    q = shapely.Point(widget_to_map(w.canvas, w.canvas.map_to_widget(p.x, p.y)))
    near = {i for i, gg in enumerate(gdf.geometry) if gg.distance(q) <= tol + w.canvas.upp}
    assert int(gdf.index.get_loc(gdf.index[int(rows[0])])) in near and set(rows) <= near
    # the highlight is never exported, and Esc clears it
    w.escape()
    assert not w.canvas.has_highlight() and len(w.maptools.selection()[1]) == 0
    t.close()


def test_selecting_without_a_vector_layer_says_so(qtbot, win):
    w = win
    w.layer_panel.tree.setCurrentItem(None)
    w.set_tool("select")
    rows = w.maptools.select.select_box(0, 0, 1, 1)
    assert len(rows) == 0 and "图层" in w.statusBar().currentMessage()


# ----------------------------------------------------------------------------- 3. vertex editing
def test_vertex_drag_insert_delete_refuse_self_intersection_and_undo(qtbot, win):
    w = win
    geom0 = w.canvas.full_extent()
    x0, y0 = (geom0[0] + geom0[2]) / 2, (geom0[1] + geom0[3]) / 2
    square = shapely.box(x0, y0, x0 + 400, y0 + 300)
    with qtbot.waitSignal(w.footprintChanged, timeout=30000):
        w.footprints.set_drawn_footprint(square)
    area0 = w.session.footprint_geom.area
    assert area0 == pytest.approx(120000, rel=1e-9)
    w.maptools.start_vertex_edit()
    assert w.canvas.tool == "vertex"
    w.canvas.render_now()
    # drag the NE corner 40 px right with the mouse
    from PySide6.QtCore import QPoint

    start = w.canvas.map_to_widget(x0 + 400, y0 + 300)
    end_px = start + QPoint(40, 0)
    ex, ey = widget_to_map(w.canvas, end_px)
    with qtbot.waitSignal(w.footprintChanged, timeout=10000):
        drag(w.canvas, (x0 + 400, y0 + 300), widget_to_map(w.canvas, end_px))
    g = w.session.footprint_geom
    expected = shapely.Polygon([(x0, y0), (x0 + 400, y0), (ex, ey), (x0, y0 + 300)])
    assert g.symmetric_difference(expected).area < 1e-6 * expected.area
    assert w.canvas.footprint.equals(g)
    assert w.session.footprint.name.endswith("（已编辑）")
    assert w.canvas.tool == "vertex"
    # insert on the south edge, then drag it down: a pentagon
    with qtbot.waitSignal(w.footprintChanged, timeout=10000):
        assert w.maptools.vertex.insert_vertex(x0 + 200, y0)
    assert len(w.session.footprint_geom.exterior.coords) == 6
    with qtbot.waitSignal(w.footprintChanged, timeout=10000):
        assert w.maptools.vertex.move_vertex(x0 + 200, y0, x0 + 200, y0 - 100)
    pent = shapely.Polygon([(x0, y0), (x0 + 200, y0 - 100), (x0 + 400, y0), (ex, ey), (x0, y0 + 300)])
    assert w.session.footprint_geom.symmetric_difference(pent).area < 1e-6 * pent.area
    # a self-intersecting edit (the new vertex pulled across the north edge) is refused
    before = w.session.footprint_geom
    w.last_error = None
    assert not w.maptools.vertex.move_vertex(x0 + 200, y0 - 100, x0 + 200, y0 + 600)
    assert w.session.footprint_geom.equals(before) and w.canvas.footprint.equals(before)
    assert w.last_error and "自相交" in w.last_error
    # deleting down to two vertices is refused too; deleting the inserted one gives the quadrilateral back
    with qtbot.waitSignal(w.footprintChanged, timeout=10000):
        assert w.maptools.vertex.delete_vertex(x0 + 200, y0 - 100)
    assert w.session.footprint_geom.symmetric_difference(expected).area < 1e-6 * expected.area
    # undo: back to the pentagon, the inserted vertex (same shape), the dragged quadrilateral, the square
    assert w.act_undo_edit.isEnabled()
    for shape in (pent, expected, expected, square):
        with qtbot.waitSignal(w.footprintChanged, timeout=10000):
            w.act_undo_edit.trigger()
        assert w.session.footprint_geom.symmetric_difference(shape).area < 1e-6 * shape.area
    assert w.session.footprint_geom.area == pytest.approx(area0, rel=1e-9)
    # the check runs on the edited footprint
    with qtbot.waitSignal(w.footprintChanged, timeout=10000):
        w.act_redo_edit.trigger()
    assert w.session.request().footprint.union().symmetric_difference(expected).area < 1e-6 * expected.area


# ----------------------------------------------------------------------------- 4. style
def one_polygon_layer(name="p", face_field=True):
    from ningxia_gis.app.layers import VectorLayer

    gdf = gpd.GeoDataFrame({"DLMC": ["旱地", "水浇地"]},
                           geometry=[shapely.box(CX - 2000, CY - 1500, CX, CY + 1500),
                                     shapely.box(CX, CY - 1500, CX + 2000, CY + 1500)], crs=EPSG)
    return VectorLayer(name, None, gdf=gdf)


def test_style_change_alters_the_rendered_colour_and_labels_by_field(qtbot):
    from ningxia_gis.app.style_dialog import LayerStyle, StyleDialog

    c = bare_canvas(qtbot)
    lyr = one_polygon_layer()
    lyr.load(EPSG)
    c.set_layers([lyr])
    before = pixel(c, CX - 1000, CY - 500)
    dlg = StyleDialog(lyr)
    qtbot.addWidget(dlg)
    dlg.set_values(face="#00c000", edge="#0000ff", opacity=1.0, label_field="DLMC")
    st = dlg.style()
    assert st == LayerStyle(face="#00c000", edge="#0000ff", alpha=1.0, label_field="DLMC")
    lyr.user_style = st
    after = pixel(c, CX - 1000, CY - 500)
    assert before != after and after == (0, 0xc0, 0)
    texts = sorted(t.get_text() for t in c.ax.texts)
    assert texts.count("旱地") == 1 and texts.count("水浇地") == 1
    # half opacity over white: half-way between the colour and white
    lyr.user_style = LayerStyle(face="#00c000", alpha=0.5)
    r, g, b = pixel(c, CX - 1000, CY - 500)
    assert abs(r - 128) <= 3 and abs(g - (0xc0 + 255) / 2) <= 3 and abs(b - 128) <= 3
    # reset: the role/palette style again
    lyr.user_style = None
    assert pixel(c, CX - 1000, CY - 500) == before


def test_layer_style_is_remembered_for_the_session_and_shown_on_the_map(qtbot, win):
    from ningxia_gis.app.style_dialog import LayerStyle

    from ningxia_gis.app.layers import catalog_for_check

    w = win
    ids = [sp.id for sp in catalog_for_check(w.catalog, w.all_layers()).layers]
    lyr = layer_named(w, "生态保护红线")
    w.maptools.set_layer_style(lyr, LayerStyle(face="#ff00ff", alpha=1.0, edge="#ff00ff"))
    assert lyr.style().face == "#ff00ff"
    w.open_sample_layers()
    qtbot.waitUntil(w.layers_loaded, timeout=30000)
    again = layer_named(w, "生态保护红线")
    assert again is not lyr and again.style().face == "#ff00ff"
    # the style does not touch the check: the same layers are checked
    assert [sp.id for sp in catalog_for_check(w.catalog, w.all_layers()).layers] == ids
    # and the panel's swatch shows it
    item = next(w.layer_panel.tree.topLevelItem(i) for i in range(w.layer_panel.tree.topLevelItemCount())
                if w.layer_panel.tree.topLevelItem(i).text(0) == "生态保护红线")
    img = item.icon(0).pixmap(16, 16).toImage()
    c = img.pixelColor(8, 8)
    assert (c.red(), c.green(), c.blue()) == (255, 0, 255)


# ----------------------------------------------------------------------------- 5. basemap
def rgb_geotiff(path, colour=(200, 30, 30), bounds=(CX - 4000, CY - 3000, CX + 4000, CY + 3000), epsg=EPSG):
    import rasterio
    from rasterio.transform import from_bounds

    h, wd = 60, 80
    data = np.zeros((3, h, wd), dtype=np.uint8)
    for i, v in enumerate(colour):
        data[i] = v
    with rasterio.open(path, "w", driver="GTiff", width=wd, height=h, count=3, dtype="uint8",
                       crs=f"EPSG:{epsg}", transform=from_bounds(*bounds, wd, h)) as ds:
        ds.write(data)
    return path


def test_geotiff_basemap_is_drawn_under_the_vectors(qtbot, tmp_path):
    from ningxia_gis.app.basemap import BasemapLayer
    from ningxia_gis.app.style_dialog import LayerStyle

    c = bare_canvas(qtbot)
    poly = one_polygon_layer()
    poly.load(EPSG)
    poly.user_style = LayerStyle(face="#0000ff", alpha=1.0, edge="#0000ff")
    base = BasemapLayer(rgb_geotiff(tmp_path / "ortho.tif", bounds=(CX - 2800, CY - 2000, CX + 2800, CY + 2000)))
    c.set_layers([base, poly])  # the basemap given on top (layers are given bottom → top): still under
    assert pixel(c, CX - 1000, CY) == (0, 0, 255)  # the polygon over the basemap
    r, g, b = pixel(c, CX + 2400, CY)  # the basemap where no polygon is
    assert abs(r - 200) <= 2 and abs(g - 30) <= 2 and abs(b - 30) <= 2
    assert pixel(c, CX, CY + 2150) == (255, 255, 255)  # outside the image
    c.canvas.grab().save(str(tmp_path / "basemap.png"))
    base.visible = False
    assert pixel(c, CX + 2400, CY) == (255, 255, 255)


def test_basemap_is_listed_but_never_in_the_check_request(qtbot, win, tmp_path):
    from ningxia_gis.app.basemap import BasemapLayer

    w = win
    ext = w.canvas.full_extent()
    tif = rgb_geotiff(tmp_path / "ortho.tif", bounds=ext)
    lyr = w.maptools.add_basemap(tif)
    assert isinstance(lyr, BasemapLayer) and lyr in w.all_layers() and w.all_layers()[-1] is lyr
    assert lyr in w.session.layers and not lyr.checked
    item = w.layer_panel.tree.topLevelItem(len(w.all_layers()) - 1)
    assert item.text(2) == "底图 · 仅显示" and item.text(1) == "—"
    x0, y0 = (ext[0] + ext[2]) / 2, (ext[1] + ext[3]) / 2
    with qtbot.waitSignal(w.footprintChanged, timeout=30000):
        w.footprints.set_drawn_footprint(shapely.box(x0, y0, x0 + 500, y0 + 500))
    req = w.session.request()
    paths = [str(s.path) for s in req.catalog.layers] + [str(r.path) for r in req.catalog.rasters]
    assert str(tif) not in paths
    assert len(req.catalog.layers) == len([x for x in w.session.layers if getattr(x, "checked", False)
                                           and x.kind == "vector"])
    # an RGB image is refused as a basemap only when it is not RGB: a DEM is not a basemap
    w.last_error = None
    from ningxia_gis.paths import SAMPLE_LAYERS

    assert w.maptools.add_basemap(SAMPLE_LAYERS / "sample_dem.tif") is None
    assert w.last_error and "RGB" in w.last_error and "/" not in w.last_error


def tile_png(rgb):
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor(*rgb))
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(ba)


def xyz_tile(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_mbtiles_made_here_renders_each_tile_in_its_place(qtbot, tmp_path):
    from pyproj import Transformer

    from ningxia_gis.app.basemap import BasemapLayer

    lon, lat = Transformer.from_crs(EPSG, 4490, always_xy=True).transform(CX, CY)
    z = 14
    tx, ty = xyz_tile(lon, lat, z)
    colours = {}
    path = tmp_path / "base.mbtiles"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "test"), ("format", "png")])
    palette = [(250, 0, 0), (0, 200, 0), (0, 0, 250), (250, 200, 0), (0, 200, 200), (200, 0, 200),
               (120, 60, 0), (60, 60, 60), (255, 128, 0)]
    k = 0
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            rgb = palette[k]
            k += 1
            colours[(tx + dx, ty + dy)] = rgb
            con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, tx + dx, 2 ** z - 1 - (ty + dy), tile_png(rgb)))
    con.commit()
    con.close()
    c = bare_canvas(qtbot)
    base = BasemapLayer(path)
    c.set_layers([base])
    back = Transformer.from_crs(4490, EPSG, always_xy=True)
    to_lonlat = Transformer.from_crs(EPSG, 4490, always_xy=True)
    # sample points well inside tiles (away from edges): each shows its own tile's colour
    seen = set()
    for fx in (-0.3, 0.0, 0.3):
        for fy in (-0.3, 0.0, 0.3):
            x = CX + fx * 600 * c.upp
            y = CY + fy * 450 * c.upp
            lo, la = to_lonlat.transform(x, y)
            tile = xyz_tile(lo, la, z)
            n = 2 ** z
            # skip points within 3 pixels of a tile edge
            fxt = (lo + 180) / 360 * n
            fyt = (1 - math.asinh(math.tan(math.radians(la))) / math.pi) / 2 * n
            if min(fxt % 1, 1 - fxt % 1, fyt % 1, 1 - fyt % 1) * 256 < 4 or tile not in colours:
                continue
            got = pixel(c, x, y)
            want = colours[tile]
            assert all(abs(a - b) <= 3 for a, b in zip(got, want)), (tile, got, want)
            seen.add(tile)
    assert len(seen) >= 3
    assert back is not None


def test_window_esc_ends_then_clears_a_measurement_and_the_map_export_leaves_it_out(qtbot, win, tmp_path):
    from PySide6.QtGui import QImage

    w = win
    w.set_tool("measure")
    assert w.act_measure.isChecked() and w.act_cancel.isEnabled()
    b = w.canvas.view_bounds()
    cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    s = (b[2] - b[0]) / 6
    for x, y in ((cx - s, cy - s), (cx + s, cy - s), (cx + s, cy + s)):
        w.maptools.measure.add_point(x, y)
    tool = w.maptools.measure
    assert w.statusBar().currentMessage().startswith("长度")

    def orange(img):
        arr = np.frombuffer(img.convertToFormat(QImage.Format.Format_RGB888).constBits(), dtype=np.uint8)
        arr = arr.reshape(img.height(), -1)[:, : img.width() * 3].reshape(img.height(), img.width(), 3).astype(int)
        return int(((abs(arr[..., 0] - 255) < 20) & (abs(arr[..., 1] - 102) < 25) & (arr[..., 2] < 40)).sum())

    # the measured path on screen (a debounced re-render may come first)
    qtbot.waitUntil(lambda: orange(w.canvas.canvas.grab().toImage()) > 50, timeout=10000)
    out = tmp_path / "map.png"
    assert w.export_map(out, dpi=72)
    assert orange(QImage(str(out))) == 0  # …not in the exported map
    w.escape()
    assert tool.finished and len(tool.points) == 3
    w.escape()
    assert not tool.points and not tool.box.isVisible()
    w.set_tool("pan")
    assert not w.act_measure.isChecked()


def make_mbtiles(path, lon, lat, z, colour):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE metadata (name text, value text)")
    con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
    con.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "t"), ("format", "png")])
    tx, ty = xyz_tile(lon, lat, z)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            con.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, tx + dx, 2 ** z - 1 - (ty + dy), tile_png(colour)))
    con.commit()
    con.close()
    return path


def test_mbtiles_added_as_a_layer_file_becomes_a_basemap_at_the_bottom(qtbot, win, tmp_path):
    from pyproj import Transformer

    from ningxia_gis.app.basemap import BasemapLayer

    w = win
    b = w.canvas.view_bounds()
    lon, lat = Transformer.from_crs(w.epsg, 4490, always_xy=True).transform((b[0] + b[2]) / 2, (b[1] + b[3]) / 2)
    p = make_mbtiles(tmp_path / "t.mbtiles", lon, lat, 9, (10, 200, 10))
    added = w.add_layer_files([p], ask=False)
    assert len(added) == 1 and isinstance(added[0], BasemapLayer)
    assert w.all_layers()[-1] is added[0] and not added[0].checked
    assert w.canvas.layers[0] is added[0]  # drawn first (the canvas gets them bottom → top)
    # a broken file is said in words, without its folder
    bad = tmp_path / "bad.mbtiles"
    bad.write_bytes(b"not sqlite")
    w.last_error = None
    assert w.add_layer_files([bad], ask=False) == []
    assert w.last_error and "MBTiles" in w.last_error and str(tmp_path) not in w.last_error


def test_tool_texts_follow_the_ui_language(qtbot, win):
    w = win
    assert w.act_measure.text() == "测量" and w.dock_avoidance.windowTitle() == "避让分析"
    w.set_language("en")
    try:
        assert w.act_measure.text() == "Measure" and w.act_vertex_edit.text() == "Edit vertices"
        assert w.dock_avoidance.windowTitle() == "Avoidance analysis"
        assert w.trainer.quiz.btn_start.text() == "Start quiz"
        assert "CGCS2000 ellipsoid" in w.act_measure.toolTip()
    finally:
        w.set_language("zh")
    assert w.act_add_basemap.text() == "添加离线底图…"
