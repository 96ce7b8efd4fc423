"""The pieces GeoPackage: version 1.2, Chinese layer titles, a QGIS style per layer, and GDAL's own
`ogrinfo` (Debian gdal-bin, tools/apt_deps.sh) opens it without a warning."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import xml.etree.ElementTree as ET

import pyogrio
import pytest

from ningxia_gis.review import review_file, write_output
from ningxia_gis.paths import SAMPLE_FOOTPRINTS
from ningxia_gis.styles import load_styles


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory):
    out = tmp_path_factory.mktemp("gpkg") / "pieces.gpkg"
    result = review_file(SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg")
    write_output("gpkg", result, out)
    return out, result


def test_geopackage_1_2_with_chinese_titles(gpkg):
    out, result = gpkg
    with sqlite3.connect(out) as db:
        assert db.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # "GPKG"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 10200
        contents = dict(db.execute("SELECT table_name, identifier FROM gpkg_contents").fetchall())
    touched = [la for la in result.data["layers"] if la["pieces"]]
    assert touched
    for la in touched:
        assert contents[f"pieces_{la['id']}"] == f"压占部分：{la['name']}"
    assert contents["footprint"].startswith("项目用地范围")
    assert set(contents) == {"overlap_pieces", "footprint", "layer_styles", *(f"pieces_{la['id']}" for la in touched)}


def test_every_layer_has_a_default_qgis_style(gpkg):
    out, result = gpkg
    with sqlite3.connect(out) as db:
        rows = db.execute("SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles").fetchall()
        geom_cols = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall())
    styled = {r[0]: r for r in rows}
    assert set(styled) == set(geom_cols)
    red = load_styles().role("eco_redline").edge.lstrip("#")
    want_edge = ",".join(str(int(red[i:i + 2], 16)) for i in (0, 2, 4)) + ",255"
    for table, geom, qml, default in rows:
        assert geom == geom_cols[table] and default == 1
        root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
        layer = root.find("./renderer-v2/symbols/symbol/layer")
        assert layer.get("class") == "SimpleFill"
        props = {o.get("name"): o.get("value") for o in layer.findall("./Option/Option")}
        assert props == {p.get("k"): p.get("v") for p in layer.findall("./prop")}
        if table == "pieces_stbhhx":
            assert props["outline_color"] == want_edge


def test_pieces_read_back(gpkg):
    out, result = gpkg
    pieces = pyogrio.read_dataframe(out, layer="overlap_pieces")
    assert len(pieces) == sum(len(la["pieces"]) for la in result.data["layers"])
    assert pieces.crs.to_epsg() == result.epsg


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin is not installed (tools/apt_deps.sh)")
def test_ogrinfo_opens_every_layer_without_warnings(gpkg):
    out, _ = gpkg
    r = subprocess.run(["ogrinfo", "-ro", "-al", "-so", str(out)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == "" and "warning" not in r.stdout.lower(), r.stderr + r.stdout
    assert "Layer name: layer_styles" in r.stdout and "Layer name: pieces_stbhhx" in r.stdout


QGIS_SCRIPT = """
import os
import sys
from qgis.core import QgsApplication, QgsVectorLayer
QgsApplication.setPrefixPath("/usr", True)
app = QgsApplication([], False)
app.initQgis()
for name in sys.argv[2:]:
    lyr = QgsVectorLayer(sys.argv[1] + "|layername=" + name, name, "ogr")
    msg, ok = lyr.loadDefaultStyle()  # what QGIS does when a layer is added
    sl = lyr.renderer().symbol().symbolLayer(0)
    print(name, lyr.isValid(), ok, sl.layerType(), sl.color().name(), sl.strokeColor().name(), lyr.crs().authid(),
          flush=True)
os._exit(0)  # QGIS 3.22's exitQgis() can crash at shutdown; the answers are printed
"""


def _qgis_python() -> str | None:
    py = shutil.which("python3", path="/usr/bin")
    if py and subprocess.run([py, "-c", "import qgis.core"], capture_output=True).returncode == 0:
        return py
    return None


@pytest.mark.skipif(_qgis_python() is None, reason="QGIS (python3-qgis) is not installed (optional check)")
def test_qgis_applies_the_stored_style(gpkg, tmp_path):
    out, result = gpkg
    runtime = tmp_path / "xdg"
    runtime.mkdir(mode=0o700)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen",
           "XDG_RUNTIME_DIR": str(runtime)}
    r = subprocess.run([_qgis_python(), "-c", QGIS_SCRIPT, str(out), "pieces_stbhhx", "footprint"],
                       capture_output=True, text=True, env=env, timeout=120)
    lines = {ln.split()[0]: ln.split()[1:] for ln in r.stdout.splitlines() if ln.strip()}
    styles = load_styles()
    assert lines["pieces_stbhhx"] == ["True", "True", "SimpleFill", styles.role("eco_redline").face,
                                      styles.role("eco_redline").edge, f"EPSG:{result.epsg}"], r.stderr
    assert lines["footprint"][4] == styles.footprint.edge
