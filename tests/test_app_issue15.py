"""The desktop app items of issue 15, one test each (pytest-qt, offscreen): the window fits 1366×768, Qt's
own dialogs in Chinese, plain error texts, the selection highlight cleared and never exported, a strict
searchable activity choice, verdict texts without internal ids, export progress/cancel and print preview,
checked layers = listed layers (RGB images display-only), F1 help, and closing during long work."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]

ROAD = SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg"
FACTS = {"unavoidable": True, "new_construction_land": True}


@pytest.fixture
def win(make_window):
    return make_window(size=None)


def checked(qtbot, w, activity="road", facts=FACTS, footprint=ROAD):
    with qtbot.waitSignal(w.footprintChanged, timeout=30000):
        w.open_footprint(footprint)
    w.check_panel.set_activity(activity)
    w.check_panel.set_facts(facts)
    with qtbot.waitSignal(w.checkFinished, timeout=60000):
        w.run_check()
    assert w.last_error is None, w.last_error
    return w.result


# 1 ------------------------------------------------------------------------------------------ screen size
def test_window_fits_a_1366x768_laptop(make_window, monkeypatch):
    from PySide6.QtCore import QPoint, QRect

    from ningxia_gis.app.main_window import MainWindow

    avail = QRect(0, 0, 1366, 728)  # 1366×768 minus a 40 px task bar
    monkeypatch.setattr(MainWindow, "available_geometry", lambda self: avail)
    w = make_window(size=None)
    assert avail.contains(w.frameGeometry()), w.frameGeometry()
    assert w.width() <= 1366 and w.height() <= 728
    assert w.minimumSizeHint().width() <= 1366 and w.minimumSizeHint().height() <= 728
    win_rect = QRect(QPoint(0, 0), w.size())
    for widget in (w.check_panel.btn_run, w.statusBar(), w.results.tree):
        assert widget.isVisible()
        top_left = widget.mapTo(w, QPoint(0, 0))
        assert win_rect.contains(QRect(top_left, widget.size())), widget
    # a saved geometry larger than the screen (from a big monitor) is not restored as it is
    w.resize(1800, 1100)
    w.close()
    w2 = make_window(size=None, restore=True)
    assert avail.contains(w2.frameGeometry()), w2.frameGeometry()


# 2 -------------------------------------------------------------------------------- Qt's own dialogs
def test_qt_dialogs_are_chinese(win):
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QMessageBox, QPushButton

    bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert bb.button(QDialogButtonBox.StandardButton.Ok).text().startswith("确定")
    assert bb.button(QDialogButtonBox.StandardButton.Cancel).text().startswith("取消")
    box = QMessageBox(QMessageBox.Icon.Warning, "t", "x", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert {b.text().replace("&", "") for b in box.buttons()} & {"是(Y)", "是", "否(N)", "否"}
    dlg = QFileDialog(win)
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog)
    texts = " ".join(x.text() for x in dlg.findChildren(QLabel)) + " ".join(b.text() for b in dlg.findChildren(QPushButton))
    assert "查看" in texts or "文件名" in texts, texts
    assert "Look in" not in texts and "File name" not in texts
    win.set_language("en")
    bb2 = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    assert bb2.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    win.set_language("zh")


# 3 -------------------------------------------------------------------------------- plain error texts
def test_errors_show_no_class_names_or_paths(win, qtbot, tmp_path):
    bad = tmp_path / "random.shp"
    bad.write_bytes(bytes(range(256)) * 8)
    win.open_footprint(bad)
    qtbot.waitUntil(lambda: win.last_error is not None, timeout=20000)
    msg = win.last_error
    assert str(tmp_path) not in msg and f"/{bad.name}" not in msg and bad.name in msg
    assert not re.search(r"\b[A-Z][A-Za-z]+(Error|Exception)\b", msg), msg
    # an unexpected error in a window step: the catalog's words and the log's file name, nothing else
    win.last_error = None
    win.footprints.save_footprint(tmp_path / "x.gpkg")  # no footprint: an internal failure
    assert win.last_error is not None
    assert "AttributeError" not in win.last_error and str(tmp_path) not in win.last_error
    assert "内部错误" in win.last_error or "请先" in win.last_error


# 4 --------------------------------------------------------------------------------------- highlight
def test_selection_highlight_cleared_and_never_exported(win, qtbot, tmp_path):
    from PySide6.QtTest import QTest
    from PySide6.QtCore import Qt

    checked(qtbot, win)
    layer = next(lyr for lyr in win.vector_layers() if lyr.role == "eco_redline")
    win.layers._table_rows_selected(layer, np.array([0]))
    assert win.canvas.has_highlight() and win.act_clear_selection.isEnabled()
    # the map export never holds the highlight: the same file as with no highlight at all
    win.exporter.export_map(tmp_path / "with.png", dpi=60)
    assert win.canvas.has_highlight()  # still on screen
    saved_view = (win.canvas.center, win.canvas.upp)
    win.clear_selection()
    win.canvas.center, win.canvas.upp = saved_view
    win.exporter.export_map(tmp_path / "without.png", dpi=60)
    assert (tmp_path / "with.png").read_bytes() == (tmp_path / "without.png").read_bytes()
    # Esc clears it
    win.layers._table_rows_selected(layer, np.array([0]))
    win.activateWindow()
    win.act_cancel.trigger()
    assert not win.canvas.has_highlight()
    # a new check and a new footprint clear it
    win.layers._table_rows_selected(layer, np.array([0]))
    with qtbot.waitSignal(win.checkFinished, timeout=60000):
        win.run_check()
    assert not win.canvas.has_highlight()
    win.layers._table_rows_selected(layer, np.array([0]))
    with qtbot.waitSignal(win.footprintChanged, timeout=30000):
        win.open_footprint(SAMPLE_FOOTPRINTS / "pv_on_farmland.geojson")
    assert not win.canvas.has_highlight()
    # a scenario clears it too
    win.layers._table_rows_selected(layer, np.array([0]))
    with qtbot.waitSignal(win.checkFinished, timeout=60000):
        win.run_scenario("mine_in_core_zone")
    assert not win.canvas.has_highlight()
    QTest.keyClick(win, Qt.Key.Key_Escape)  # nothing to clear: no error
    assert win.last_error is None


def test_identify_inside_the_county_outlines_it_only(win, qtbot):
    county = next(lyr for lyr in win.vector_layers() if lyr.role == "admin_boundary")
    d = county.data(win.epsg)
    c = d.geoms[0].representative_point()
    win.canvas.zoom_to(c.buffer(2000).bounds)
    win.canvas.render_now()
    found = win.identify_at(c.x, c.y, 1.0)
    assert found and win.canvas.has_highlight()
    win.canvas.render_now()
    from matplotlib.patches import PathPatch

    hl = [a for a in win.canvas._artists if isinstance(a, PathPatch) and 980 <= a.get_zorder() < 981]
    assert hl and all(a.get_facecolor()[3] == 0 for a in hl)  # outlined, no yellow fill over the view


# 5 ------------------------------------------------------------------------------------- activity box
def test_activity_choice_is_strict_and_searchable(win):
    cp = win.check_panel
    assert not cp.activity.isEditable()  # typed text can never stand for an activity
    names = lambda: [cp.activity.itemText(i) for i in range(cp.activity.count())]  # noqa: E731
    cp.search.setText("gl")  # pinyin initials of 公路
    assert "公路（道路）" in names()
    cp.search.setText("road")
    assert "公路（道路）" in names()
    cp.search.setText("光伏")
    assert "光伏发电" in names() and "公路（道路）" not in names()
    cp.search.setText("gffd")
    assert names()[1:] == ["光伏发电"]
    cp.set_activity("road")
    assert cp.activity_id() == "road" and cp.activity.currentText() == "公路（道路）"
    cp.search.setText("光伏")  # searching does not change the chosen activity
    assert cp.activity_id() == "road" and cp.activity.currentText() == "公路（道路）"
    assert "公路（道路）" in cp.chosen.text()
    # full names: not elided, the tooltip carries both languages
    assert all("…" not in t for t in names())
    cp.search.clear()
    assert cp.activity.count() == len(cp.activities) + 1 and cp.activity_id() == "road"
    i = cp.activity.findData("management_research_facility")
    assert i > 0 and "设施修筑" in cp.activity.itemText(i)
    assert "\n" in cp.activity.itemData(i, 3)  # ToolTipRole: Chinese and English


def test_chosen_activity_shown_with_the_result(win, qtbot):
    checked(qtbot, win)
    assert "审查项目类型" in win.results.banner.text() and "公路" in win.results.banner.text()
    assert win.result.data["activity"]["id"] == "road"


# 6 ------------------------------------------------------------------------------------- verdict text
def test_verdict_texts_without_internal_ids(win, qtbot):
    result = checked(qtbot, win)
    zones = [z for z in result.data["verdicts"]["zones"] if z.get("rule_id")]
    assert zones
    banner = win.results.banner.text()
    assert "〔" not in banner.replace("宁党办〔", "") and "。；" not in banner
    for z in zones:
        assert z["rule_id"] not in banner
    rows = []

    def walk(item):
        rows.append(item.text(0))
        for k in range(item.childCount()):
            walk(item.child(k))

    for i in range(win.results.tree.topLevelItemCount()):
        walk(win.results.tree.topLevelItem(i))
    text = "\n".join(rows)
    assert all(z["rule_id"] not in text for z in zones)
    assert ".txt" not in text and "第 " not in text
    src = zones[0]["source"]
    assert src["doc_number"] in text and f"《{src['title']}》" in text
    # the detail pane: document, 文号 and article; ids and lines only with 「显示技术细节」
    z = zones[0]
    item = win.results.item_for(z["layer_id"], z["zone"])
    win.results.tree.setCurrentItem(item)
    plain = win.results.detail.toPlainText()
    assert src["doc_number"] in plain and src["section"] in plain
    assert z["rule_id"] not in plain and src["file"] not in plain
    win.results.show_tech.setChecked(True)
    tech = win.results.detail.toPlainText()
    assert z["rule_id"] in tech and src["file"] in tech


# 7 --------------------------------------------------------------------------- export progress/cancel
def test_export_progress_cancel_and_print_preview(win, qtbot, tmp_path):
    checked(qtbot, win)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"previous")
    t = win.export("pdf", pdf, meta={"project_name": "测试"})
    assert t is not None and win.exporter.busy()
    dlg = win.exporter.progress_dialog
    assert dlg is not None and dlg.maximum() == 100
    assert not win.act_export_pdf.isEnabled()  # one export at a time
    qtbot.waitUntil(lambda: dlg.value() > 0, timeout=30000)
    from PySide6.QtWidgets import QPushButton

    with qtbot.waitSignal(t.cancelled, timeout=60000):
        dlg.findChild(QPushButton).click()  # 取消
    qtbot.waitUntil(lambda: not win.exporter.busy(), timeout=60000)
    assert pdf.read_bytes() == b"previous"  # the previous file survives a cancel
    assert not list(tmp_path.glob(".r*"))  # no temporary file left
    assert win.last_error is None
    # a full export: progress reaches the end, the file is complete
    steps = []
    with qtbot.waitSignal(win.exportFinished, timeout=120000):
        t2 = win.export("pdf", pdf, meta={"project_name": "测试"})
        t2.progress.connect(lambda f, s: steps.append((f, s)))
    assert pdf.read_bytes()[:5] == b"%PDF-" and len(steps) >= 3
    assert any("地图" in s for _f, s in steps)
    # print preview of the same report
    got = []
    win.prepare_print({"project_name": "测试"}, done=got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=90000)
    prev = win.exporter.show_preview(got[0])
    qtbot.waitUntil(prev.isVisible, timeout=10000)
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    pw = prev.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: pw.pageCount() >= 2, timeout=30000)
    prev.close()
    assert win.last_error is None


def test_case_details_dialog_is_wide_enough(win, qtbot):
    from ningxia_gis.app.check_panel import CaseMetaDialog

    d = CaseMetaDialog({}, win, default_name="罗山县道")
    qtbot.addWidget(d)
    d.show()
    assert d.width() >= 560
    assert d.edits["project_name"].placeholderText() == "罗山县道"
    assert d.edits["project_name"].width() >= 360


# 8 -------------------------------------------------------------------- checked layers = listed layers
def write_rgb(path, like):
    import rasterio

    with rasterio.open(like) as src:
        profile = src.profile.copy()
        h, w = src.height, src.width
    profile.update(count=3, dtype="uint8", nodata=None, photometric="RGB")
    data = np.zeros((3, h, w), dtype=np.uint8)
    data[0] = 200
    data[1] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data)


def test_checked_layers_are_the_listed_layers(win, qtbot, tmp_path):
    from PySide6.QtCore import Qt

    from ningxia_gis.app.layer_panel import COL_CHECK
    from ningxia_gis.app.layers import ImageLayer, RasterLayer

    dem = next(lyr for lyr in win.all_layers() if isinstance(lyr, RasterLayer) and lyr.role == "dem")
    rgb = tmp_path / "orthophoto.tif"
    write_rgb(rgb, dem.spec.path)
    added = win.add_layer_files([rgb], ask=True)  # detected: no question asked
    assert len(added) == 1 and isinstance(added[0], ImageLayer)
    img = added[0]
    assert not img.checked and win.all_layers()[-1] is img  # a backdrop under everything
    tree = win.layer_panel.tree
    row = tree.topLevelItem(len(win.all_layers()) - 1)
    assert row.text(COL_CHECK) == "—" and "影像" in row.text(2)
    win.canvas.render_now()  # drawn without error
    assert img.error is None
    # a DEM the officer adds is analysed; a catalog raster unticked is not; a vector layer unticked is not
    my_dem = tmp_path / "my_dem.tif"
    shutil.copyfile(dem.spec.path, my_dem)
    mine = win.add_layer_files([my_dem], ask=False)[0]
    assert isinstance(mine, RasterLayer) and mine.role == "dem" and mine.checked
    redline = next(lyr for lyr in win.vector_layers() if lyr.role == "eco_redline")
    for lyr in (dem, redline):
        i = win.all_layers().index(lyr)
        tree.topLevelItem(i).setCheckState(COL_CHECK, Qt.CheckState.Unchecked)
        assert not lyr.checked
    listed = [lyr for lyr in win.all_layers() if lyr.checked]
    assert listed == win.layer_panel.checked_layers()
    result = checked(qtbot, win)
    assert {x["id"] for x in result.data["layers"]} == {lyr.spec.id for lyr in listed if hasattr(lyr, "source")}
    assert "stbhhx" not in {x["id"] for x in result.data["layers"]}
    raster_paths = {str(r.get("path") or r.get("source")) for r in result.data["rasters"]}
    assert str(my_dem) in " ".join(raster_paths) and str(dem.spec.path) not in raster_paths
    assert str(rgb) not in " ".join(raster_paths)
    inputs = " ".join(str(x.get("path")) for x in result.data["inputs"])
    assert "my_dem.tif" in inputs and "orthophoto" not in inputs
    # unticking again drops the stale result: what is shown is always what the panel says
    i = win.all_layers().index(redline)
    tree.topLevelItem(i).setCheckState(COL_CHECK, Qt.CheckState.Checked)
    assert win.result is None


# 9 ------------------------------------------------------------------------------------------ help
def test_f1_opens_the_chinese_help(win, qtbot):
    from PySide6.QtWidgets import QTextBrowser

    assert win.act_help.shortcut().toString() == "F1"
    win.act_help.trigger()
    dlg = win.help_dialog
    qtbot.waitUntil(dlg.isVisible, timeout=5000)
    text = dlg.findChild(QTextBrowser).toPlainText()
    assert "参与审查" in text and "拼音首字母" in text and "Esc" in text
    dlg.close()


# the action table ------------------------------------------------------------------------------
def test_one_action_table_drives_menus_toolbar_and_enabled_state(win, qtbot):
    from ningxia_gis.app.actions import ACTIONS, MENUS

    ids = [a.id for a in ACTIONS]
    assert len(ids) == len(set(ids))
    in_menus = set()

    def walk(items):
        for x in items:
            if isinstance(x, tuple):
                walk(x[1])
            elif x and x.startswith("act."):
                in_menus.add(x)

    for _t, items in MENUS:
        walk(items)
    assert in_menus == set(ids)  # every action is reachable from a menu
    shortcuts = [a.shortcut for a in ACTIONS if a.shortcut]
    assert len(shortcuts) == len(set(shortcuts))
    assert not win.act_export_pdf.isEnabled() and not win.act_save_footprint.isEnabled()
    checked(qtbot, win)
    assert win.act_export_pdf.isEnabled() and win.act_save_footprint.isEnabled()
    assert win.session.result is win.result and win.session.activity == "road"
    assert win.session.dirty


# closing ---------------------------------------------------------------------------------------------
def test_closing_during_long_work_waits_for_the_workers(win, qtbot):
    started = threading.Event()
    ended = []

    def slow(progress=None, cancelled=None):
        started.set()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1.5:  # a read that does not look at cancel
            time.sleep(0.05)
        ended.append(True)
        return 1

    t = win.run_task(slow, name="slow_read")
    qtbot.waitUntil(started.is_set, timeout=5000)
    # and a check that is cancelled by the close
    with qtbot.waitSignal(win.footprintChanged, timeout=30000):
        win.open_footprint(ROAD)
    ct = win.run_check()
    win.close()
    assert win.closing and t.is_running  # not closed under a running thread
    assert win.isVisible()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=20000)
    assert ended and not t.is_running and (ct is None or not ct.is_running)
    assert not win.busy()


# 3 (continued) ------------------------------------------------------------ Xi'an 80 without a CLI flag
def test_legacy_datum_is_asked_in_the_gui_not_a_cli_flag(win, qtbot, monkeypatch):
    from pathlib import Path

    from ningxia_gis.app import footprint_controller as fc

    asked = []

    def fake_ask(self, path, message):
        asked.append(message)
        return True

    monkeypatch.setattr(fc.FootprintController, "ask_legacy_datum", fake_ask)
    xian80 = Path(__file__).parent / "data" / "footprints" / "xian80.txt"
    with qtbot.waitSignal(win.footprintChanged, timeout=30000):
        win.open_footprint(xian80)
    assert asked and win.last_error is None
    assert win.footprint is not None and any("WITHOUT a datum transformation" in w for w in win.footprint.warnings)
    from ningxia_gis.app.i18n import tr

    text = tr("fp.legacy.text", name="x.txt")
    assert "--allow" not in text and "按原坐标读取" in text


# report editions -------------------------------------------------------------------------------------
def test_summary_edition_pdf_from_the_gui(win, qtbot, tmp_path):
    import subprocess

    if shutil.which("pdfinfo") is None:
        pytest.skip("pdfinfo (poppler-utils) not installed")
    checked(qtbot, win)
    pages = {}
    for edition in ("summary", "full"):
        out = tmp_path / f"{edition}.pdf"
        with qtbot.waitSignal(win.exportFinished, timeout=120000):
            win.exporter.export("pdf", out, meta={"project_name": "测试"}, edition=edition)
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
        pages[edition] = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        flat = "".join(text.split())
        assert "审查意见与签章" in flat and "二、审查结论" in flat
        assert ("界址点坐标" in flat) == (edition == "full")
        assert ("摘要版" in flat) == (edition == "summary")
    assert pages["summary"] < pages["full"]
