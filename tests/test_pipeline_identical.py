"""GUI, CLI and batch run the same review through `review.run_review` and write byte-identical result
JSON for the same request (footprint, sample layers and rasters, activity, answers)."""

from __future__ import annotations

import json
import shutil

import pytest

pytest.importorskip("pytestqt")

from ningxia_gis.batch import BatchOptions, run_batch  # noqa: E402
from ningxia_gis.cli import main as cli_main  # noqa: E402
from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("needs_qapplication")]

ROAD = SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg"
ACTIVITY = "road"
FACTS = {"unavoidable": True, "new_construction_land": True}


def test_gui_cli_batch_write_identical_json(qtbot, app_home, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764657000")  # 2025-12-02 06:30 UTC: created_at is fixed
    from ningxia_gis.app import i18n
    from ningxia_gis.app.main_window import MainWindow

    # one footprint file in a folder of its own: the batch makes one case of it (cases/road.json)
    folder = tmp_path / "footprints"
    folder.mkdir()
    fp_file = folder / "road.gpkg"
    shutil.copyfile(ROAD, fp_file)

    # CLI
    cli_out = tmp_path / "cli.json"
    argv = ["check", str(fp_file), "--layers", str(SAMPLE_CATALOG), "--activity", ACTIVITY, "--json", str(cli_out)]
    for k, v in FACTS.items():
        argv += ["--fact", f"{k}={'yes' if v else 'no'}"]
    assert cli_main(argv) == 0

    # batch (one case: the footprint file)
    opts = BatchOptions(catalog=str(SAMPLE_CATALOG), activity=ACTIVITY, facts=dict(FACTS), out=tmp_path / "batch")
    rows = run_batch(folder, opts, workers=1, progress=False)
    assert [(r["case"], r["status"]) for r in rows] == [("road", "ok")]
    batch_out = tmp_path / "batch" / "cases" / "road.json"

    # GUI: the panel's activity and answers, every layer of the sample catalog in the check
    i18n.set_language("zh")
    w = MainWindow(restore=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(w.layers_loaded, timeout=120000)
    # the file is read as the app's reader task reads it (footprint_io.load_footprint), then handed to the
    # window the way the task's done-callback does: no thread timing in this byte-for-byte comparison
    from ningxia_gis.footprint_io import load_footprint
    w.set_footprint(load_footprint(fp_file))
    assert w.footprint is not None
    w.check_panel.set_activity(ACTIVITY)
    w.check_panel.set_facts(FACTS)
    assert w.check_panel.activity_id() == ACTIVITY and w.check_panel.facts() == FACTS
    # the request exactly as the check controller builds it from the panel, run and written as its task and
    # the exporter do (run_review, then the registry); in the thread this once hung in a full CI run
    from ningxia_gis.review import run_review, write_output
    cp = w.check_panel
    w.session.set(activity=cp.activity_id(), facts=dict(cp.facts()), layers=w.layers.all_layers())
    gui_out = tmp_path / "gui.json"
    write_output("json", run_review(w.session.request()), gui_out)

    cli_bytes = cli_out.read_bytes()
    data = json.loads(cli_bytes)
    assert data["activity"]["id"] == ACTIVITY and data["verdicts"]["overall"]["verdict"]
    assert data["created_at"].startswith("2025-12-02T06:30")  # SOURCE_DATE_EPOCH honoured
    # the GUI checked what its panel lists: every vector layer and raster of the sample catalog
    assert [x["id"] for x in data["layers"]] == [spec.id for spec in w.session.base_catalog.layers]
    assert len(data["rasters"]) == len(w.session.base_catalog.rasters) > 0
    assert gui_out.read_bytes() == cli_bytes
    assert batch_out.read_bytes() == cli_bytes
