"""`ningxia-gis check` as a user runs it: summary, JSON, GeoPackage, one-line errors."""

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import jsonschema
import pytest
import shapely

from ningxia_gis.cli import main
from ningxia_gis.core.areas import ellipsoidal_areas
from ningxia_gis.paths import RESOURCES, SAMPLE_FOOTPRINTS

SCHEMA = json.loads((RESOURCES / "schema" / "check_result.schema.json").read_text(encoding="utf-8"))
PV_FARM = SAMPLE_FOOTPRINTS / "pv_on_farmland.geojson"


def test_check_writes_json_and_gpkg_that_agree(tmp_path, capsys):
    out_json, out_gpkg = tmp_path / "new" / "r.json", tmp_path / "new" / "r.gpkg"  # folder made on demand
    assert main(["check", str(PV_FARM), "--json", str(out_json), "--gpkg", str(out_gpkg)]) == 0
    text = capsys.readouterr().out
    assert "永久基本农田" in text and "占用" in text and "合成" in text
    data = json.loads(out_json.read_text(encoding="utf-8"))
    jsonschema.validate(data, SCHEMA)
    farm = next(lyr for lyr in data["layers"] if lyr["role"] == "permanent_basic_farmland")
    assert farm["status"] == "occupied" and farm["hit_count"] > 5
    assert f"{farm['area']['ellipsoidal_m2']:,.2f}" in text
    # independent: intersect the footprint with the farmland layer in the analysis plane
    fp = gpd.read_file(PV_FARM).to_crs(4544).geometry.iloc[0]
    layer = gpd.read_file(Path(farm["source"]), layer="YJJBNT").to_crs(4544)
    inter = shapely.union_all(shapely.intersection(layer.geometry.values, fp))
    assert farm["area"]["planar_m2"] == pytest.approx(inter.area, rel=1e-9)
    assert farm["area"]["ellipsoidal_m2"] == pytest.approx(ellipsoidal_areas([inter], 4544)[0], rel=1e-9)
    pieces = gpd.read_file(out_gpkg, layer="overlap_pieces")
    farm_pieces = pieces[pieces["role"] == "permanent_basic_farmland"]
    assert len(farm_pieces) == farm["hit_count"]
    assert farm_pieces["area_m2"].sum() == pytest.approx(sum(p["area"]["ellipsoidal_m2"] for p in farm["pieces"]))
    assert pieces.crs.to_epsg() == 4544
    assert len(gpd.read_file(out_gpkg, layer="footprint")) == 1
    full = gpd.read_file(out_gpkg, layer="pieces_yjjbnt")  # every source attribute as a column
    assert sorted(full["YJJBNTTBBH"]) == sorted(p["feature_id"] for p in farm["pieces"])
    assert {"DLBM", "KCXS", "piece_m2", "piece_mu"} <= set(full.columns)
    assert not list(out_gpkg.parent.glob(".r.*"))  # no temporary files left behind


def test_english_summary(capsys):
    assert main(["check", str(SAMPLE_FOOTPRINTS / "nothing_touched.geojson"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "not touched" in out and "occupied" not in out


@pytest.mark.parametrize("args,message", [
    (["check", "/no/such/file.geojson"], "not found"),
    (["check"], "give a footprint file"),
    (["check", "--demo", "no_such_scenario"], "no demo scenario"),
    (["check", str(PV_FARM), "--layers", "/no/such/catalog.toml"], "not found"),
    (["check", str(PV_FARM), "--fact", "novalue"], "KEY=VALUE"),
])
def test_errors_are_one_line_with_exit_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_installed_command_prints_no_traceback(tmp_path):
    bad = tmp_path / "broken.gpkg"
    bad.write_bytes(b"SQLite format 3\x00 but truncated")
    proc = subprocess.run([sys.executable, "-m", "ningxia_gis.cli", "check", str(bad)], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 2
    assert "broken.gpkg" in proc.stderr and "Traceback" not in proc.stderr
