"""The desktop app end to end (pytest-qt, offscreen): sample layers → footprint file → activity → check in
the worker → results rows = the CLI's JSON → PDF export holding the expected text."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from ningxia_gis.cli import main as cli_main  # noqa: E402
from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]

ROAD = SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg"
ROAD_FACTS = {"unavoidable": True, "new_construction_land": True}


def wait_check(qtbot, w, timeout=60000):
    qtbot.waitUntil(lambda: w.check_task is not None and not w.check_task.is_running, timeout=timeout)
    assert w.last_error is None, w.last_error
    assert w.result is not None


def cli_json(tmp_path, footprint, activity=None, facts=None) -> dict:
    out = tmp_path / "cli.json"
    argv = ["check", str(footprint), "--layers", str(SAMPLE_CATALOG), "--json", str(out)]
    if activity:
        argv += ["--activity", activity]
    for k, v in (facts or {}).items():
        argv += ["--fact", f"{k}={'yes' if v is True else 'no' if v is False else v}"]
    assert cli_main(argv) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def assert_rows_match(rows: list[dict], data: dict) -> None:
    """Every layer and zone row of the results panel agrees with the CLI's JSON."""
    verdict_zones = (data.get("verdicts") or {}).get("zones") or []
    seen_layers = set()
    for layer in data["layers"]:
        row = next(r for r in rows if r["kind"] == "layer" and r["layer_id"] == layer["id"])
        seen_layers.add(layer["id"])
        assert row["status"] == layer["status"], layer["id"]
        assert row["m2"] == pytest.approx(layer["area"]["ellipsoidal_m2"], rel=1e-9, abs=1e-6), layer["id"]
        for bz in layer["by_zone"]:
            zr = next(r for r in rows if r["kind"] == "zone" and r["layer_id"] == layer["id"] and r["zone"] == bz["zone"])
            assert zr["m2"] == pytest.approx(bz["area"]["ellipsoidal_m2"], rel=1e-9, abs=1e-6)
            assert zr["status"] == bz["status"]
        zones = [z for z in verdict_zones if z["layer_id"] == layer["id"]]
        for z in zones:
            if z["verdict"] == "不涉及" and layer["status"] == "not_touched" and not z.get("derived"):
                continue  # shown on the layer row
            zr = next(r for r in rows if r["kind"] == "zone" and r["layer_id"] == layer["id"] and r["zone"] == z["zone"])
            assert zr["verdict"] == z["verdict"], (layer["id"], z["zone"])
        if zones:
            order = ["禁止", "需人工判定", "有条件允许", "允许", "不涉及"]
            assert row["verdict"] == min((z["verdict"] for z in zones), key=order.index)
    assert {r["layer_id"] for r in rows if r["kind"] == "layer"} == seen_layers


def pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils, tools/apt_deps.sh) is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_whole_flow_matches_cli_and_exports_pdf(win, qtbot, tmp_path):
    from ningxia_gis.core.catalog import load_catalog

    # sample layers present, loaded, with their feature counts
    names = [lyr.name for lyr in win.all_layers()]
    for spec in load_catalog(SAMPLE_CATALOG).layers:
        assert spec.name in names
    counts = {lyr.name: lyr.feature_count for lyr in win.vector_layers()}
    assert all(n and n > 0 for n in counts.values()), counts
    assert win.canvas.render_count >= 1 and win.canvas.view_bounds() is not None

    # import a footprint file (a copy, as a user's file would be)
    fp_file = tmp_path / "road.gpkg"
    shutil.copy(ROAD, fp_file)
    win.open_footprint(fp_file)
    qtbot.waitUntil(lambda: win.footprint is not None, timeout=20000)
    info = win.check_panel.fp_info.text()
    assert "亩" in info and "公顷" in info and "m" in info
    assert win.footprint_block["area"]["ellipsoidal_m2"] > 0
    assert win.canvas.footprint is not None

    # choose the activity by typing its Chinese name in the searchable list, answer the questions
    cp = win.check_panel
    from ningxia_gis.rules import find_activity

    act = find_activity("linear_infrastructure")
    idx = cp.activity.findText(act.name_zh, flags=pytest.importorskip("PySide6.QtCore").Qt.MatchFlag.MatchStartsWith)
    assert idx > 0
    cp.activity.setCurrentIndex(idx)
    assert cp.activity_id() == "linear_infrastructure"
    assert set(ROAD_FACTS) <= set(cp.fact_boxes)
    for k, v in ROAD_FACTS.items():
        cp.fact_boxes[k].setCurrentIndex(1 if v else 2)
    assert cp.facts() == ROAD_FACTS

    # run the check in the worker (the window keeps processing events meanwhile)
    from PySide6.QtCore import Qt

    qtbot.mouseClick(cp.btn_run, Qt.MouseButton.LeftButton)
    assert win.check_task is not None
    wait_check(qtbot, win)

    # the results rows = the CLI's JSON for the same inputs
    data = cli_json(tmp_path, fp_file, "linear_infrastructure", ROAD_FACTS)
    rows = win.results.rows()
    assert_rows_match(rows, data)
    assert win.result.data["verdicts"]["overall"]["verdict"] == data["verdicts"]["overall"]["verdict"]
    assert data["verdicts"]["overall"]["verdict"] in win.results.banner.text()
    assert win.result.data["footprint"]["area"]["ellipsoidal_m2"] == pytest.approx(
        data["footprint"]["area"]["ellipsoidal_m2"], rel=1e-12)
    assert win.canvas.pieces  # overlap pieces drawn

    # clicking a zone row zooms to its pieces
    item = win.results.item_for("stbhhx", "核心保护区外")
    assert item is not None
    before = win.canvas.view_bounds()
    win.results.tree.setCurrentItem(item)
    assert win.canvas.selected_pieces
    after = win.canvas.view_bounds()
    assert after != before
    assert "原文" in win.results.detail.toPlainText() and "「" in win.results.detail.toPlainText()

    # export the PDF report
    pdf = tmp_path / "report.pdf"
    with qtbot.waitSignal(win.exportFinished, timeout=90000):
        win.export("pdf", pdf, meta={"project_name": "测试县道改建工程", "reviewer": "张三"})
    assert win.last_error is None, win.last_error
    assert pdf.is_file() and pdf.stat().st_size > 10000
    text = pdf_text(pdf)
    compact = "".join(text.split())
    for expected in ("测试县道改建工程", "张三", "生态保护红线", "需人工判定", "自然保护地",
                     f"{data['footprint']['area']['ellipsoidal_m2']:,.2f}".replace(" ", "")):
        assert expected in compact, expected


def test_scenario_exports_and_print(win, qtbot, tmp_path):
    """Trainer mode: one click loads + checks a scenario; GPKG/JSON/XLSX/map exports; print to a QPrinter."""
    win.set_trainer_mode(True)
    assert win.dock_trainer.isVisible()
    sl = win.trainer.scenarios
    ids = [s.id for s in sl.scenarios]
    assert "mine_in_core_zone" in ids
    sl.list.setCurrentRow(ids.index("mine_in_core_zone"))
    sl.button.click()
    qtbot.waitUntil(lambda: win.result is not None or win.last_error is not None, timeout=60000)
    wait_check(qtbot, win)
    from ningxia_gis.rules import find_activity

    assert win.check_panel.activity_id() == find_activity("mining").id
    assert win.result.data["verdicts"]["overall"]["verdict"] == "禁止"
    data = cli_json(tmp_path, SAMPLE_FOOTPRINTS / "mine_in_core_zone.geojson", "mining")
    assert_rows_match(win.results.rows(), data)
    # the rule browser lists the rule base by role and zone
    assert win.trainer.rules.rule_count() > 10

    # exports in the worker
    for kind in ("gpkg", "json", "xlsx"):
        out = tmp_path / f"out.{kind}"
        with qtbot.waitSignal(win.exportFinished, timeout=60000):
            win.export(kind, out)
        assert out.is_file() and out.stat().st_size > 0, kind
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["verdicts"]["overall"]["verdict"] == "禁止"
    import pyogrio

    assert {"overlap_pieces", "footprint"} <= {n for n, _ in pyogrio.list_layers(tmp_path / "out.gpkg")}
    for fmt in ("png", "svg"):
        assert win.export_map(tmp_path / f"map.{fmt}", dpi=72)
        assert (tmp_path / f"map.{fmt}").stat().st_size > 1000

    # print: the report painted on a QPrinter (PDF output instead of a real printer)
    from PySide6.QtPrintSupport import QPrinter

    got = []
    win.prepare_print({"project_name": "采石场"}, done=got.append)
    qtbot.waitUntil(lambda: bool(got) or win.last_error is not None, timeout=90000)
    assert win.last_error is None, win.last_error
    model = got[0]
    printer = win.a4_printer(QPrinter(QPrinter.PrinterMode.HighResolution))
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    assert win.print_report(printer, model) >= 2
    assert "采石场" in "".join(pdf_text(printed).split())
    # print the map (as shown) on one page
    printer2 = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer2.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed_map = tmp_path / "map_print.pdf"
    printer2.setOutputFileName(str(printed_map))
    win.print_map(printer2)
    assert printed_map.is_file() and printed_map.stat().st_size > 5000
    assert win.last_error is None


def test_draw_footprint_identify_and_overlay_only_check(win, qtbot, tmp_path):
    """Draw a polygon on the map, check it without an activity, identify and attribute table."""
    import shapely

    from ningxia_gis.review import review_file

    c = win.canvas
    grass = next(lyr for lyr in win.vector_layers() if lyr.role == "grassland")
    d = grass.data(win.epsg)
    cx, cy = d.centre[0]
    pts = [(cx - 300, cy - 200), (cx + 350, cy - 250), (cx + 300, cy + 300), (cx - 250, cy + 250)]
    win.set_tool("draw")
    assert c.tool == "draw"
    for x, y in pts:
        c.add_drawing_vertex(x, y)
    c.finish_drawing()
    assert win.footprint is not None and c.tool == "pan"
    expected = shapely.Polygon(pts).area
    assert win.footprint_block["area"]["planar_m2"] == pytest.approx(expected, rel=1e-9)

    win.check_panel.set_activity(None)
    win.run_check()
    wait_check(qtbot, win)
    assert win.result.data["verdicts"] is None
    ref = review_file(win.footprint, SAMPLE_CATALOG)
    gl = next(x for x in ref.data["layers"] if x["role"] == "grassland")
    assert gl["status"] == "occupied"
    assert_rows_match(win.results.rows(), ref.data)

    # save the drawn footprint and read it back
    out = tmp_path / "drawn.geojson"
    win.save_footprint(out)
    from ningxia_gis.footprint_io import load_footprint

    assert load_footprint(out).gdf.to_crs(win.epsg).geometry.area.sum() == pytest.approx(expected, rel=1e-6)

    # identify at the grassland feature's centre
    found = win.identify_at(cx, cy, 1.0)
    assert any("草原" in name for name, _ in found)
    assert win.identify.tree.topLevelItemCount() >= 1

    # attribute table: selecting a row highlights and zooms to that feature
    table = win.open_attribute_table(grass)
    assert table.model.rowCount() == len(d)
    table.view.selectRow(3)
    assert c.highlight is not None and len(c.highlight) == 1


def test_bad_footprint_shows_error_not_crash(win, qtbot, tmp_path):
    bad = tmp_path / "broken.geojson"
    bad.write_text("{ this is not geojson", encoding="utf-8")
    win.open_footprint(bad)
    qtbot.waitUntil(lambda: win.last_error is not None, timeout=20000)
    assert "broken.geojson" in win.last_error
    assert win.footprint is None
    # no footprint: the check refuses in words
    win.last_error = None
    assert win.run_check() is None
    assert win.last_error


def test_zone36_scenario_switches_display_crs_and_rasters_draw(win, qtbot, tmp_path):
    """A footprint in GK zone 36: the map follows the analysis CRS (EPSG:4545), layers are reprojected,
    results still match the CLI; the DEM and land-cover rasters can be shown."""
    assert win.epsg == 4544
    win.run_scenario("wind_farm_zone36")
    qtbot.waitUntil(lambda: win.result is not None or win.last_error is not None, timeout=60000)
    wait_check(qtbot, win)
    assert win.epsg == 4545 == win.result.epsg == win.canvas.epsg
    qtbot.waitUntil(win.layers_loaded, timeout=30000)
    assert all(lyr.is_loaded(4545) for lyr in win.vector_layers())
    data = cli_json(tmp_path, SAMPLE_FOOTPRINTS / "wind_farm_zone36.shp", "wind_power")
    assert data["analysis_crs"]["epsg"] == 4545
    assert_rows_match(win.results.rows(), data)
    from ningxia_gis.app.layers import RasterLayer

    rasters = [lyr for lyr in win.all_layers() if isinstance(lyr, RasterLayer)]
    assert {r.role for r in rasters} == {"dem", "landcover"}
    for r in rasters:
        win.layer_panel.set_visible(r, True)
    win.canvas.render_now()
    assert all(r.error is None for r in rasters)
    assert sum(type(a).__name__ == "AxesImage" for a in win.canvas._artists) >= 2


def test_drop_footprint_file_on_window(win, qtbot, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    f = tmp_path / "厂房用地.geojson"
    shutil.copy(SAMPLE_FOOTPRINTS / "factory_outside_urban.geojson", f)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(f))])
    ev = QDropEvent(QPointF(600, 400), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    win.dropEvent(ev)
    qtbot.waitUntil(lambda: win.footprint is not None, timeout=20000)
    assert win.footprint.name == "厂房用地"
    assert str(f) in win._recent("recent/footprints")
    assert "厂房用地" in win.check_panel.fp_info.text()
