"""The check result carries a `rasters` section (issue 8)."""

from __future__ import annotations

import json
import shutil

import pytest

from ningxia_gis.review import review_file
from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS


def test_sample_check_has_rasters_section():
    d = review_file(SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg").data
    json.dumps(d, ensure_ascii=False, allow_nan=False)  # JSON-ready, no NaN
    by_id = {r["id"]: r for r in d["rasters"]}
    assert set(by_id) == {"dem", "landcover"}
    dem, lc = by_id["dem"], by_id["landcover"]
    fp_m2 = d["footprint"]["area"]["ellipsoidal_m2"]
    for r in (dem, lc):
        assert r["status"] == "covered" and r["covered_share"] == pytest.approx(1.0)
        assert r["method"]["id"] == "exact_cell_fraction"
        assert r["source_crs"].startswith("EPSG:")
        assert len(r["sha256"]) == 64
        assert any(i["kind"] == "raster" and i["path"] == r["source"] for i in d["inputs"])
    s = dem["stats"]
    assert 1300 < s["elevation_m"]["min"] <= s["elevation_m"]["mean"] <= s["elevation_m"]["max"] < 2700
    assert sum(b["area"]["ellipsoidal_m2"] for b in s["slope_bands"]) == pytest.approx(
        fp_m2 * s["slope_covered_share"], rel=1e-6)
    assert [a["threshold_deg"] for a in s["slope_above"]] == [2, 6, 15, 25]
    assert lc["warped"] is True  # the sample land cover is stored in CGCS2000 lon/lat
    assert sum(c["area"]["ellipsoidal_m2"] for c in lc["classes"]) == pytest.approx(fp_m2, rel=1e-9)
    names = {"耕地", "草地", "林地", "建设用地", "水域", "未利用地"}
    assert {c["name_zh"] for c in lc["classes"]} <= names
    assert any(i["kind"] == "class_table" for i in d["inputs"])


def test_zone36_footprint_warps_the_dem():
    d = review_file(SAMPLE_FOOTPRINTS / "wind_farm_zone36.shp").data
    assert d["analysis_crs"]["epsg"] == 4545
    dem = d["rasters"][0]
    assert dem["warped"] is True and dem["resampling"] == "bilinear"
    assert dem["cell_size_m"][0] == pytest.approx(30.0, rel=0.01)


def test_catalog_without_rasters(tmp_path):
    text = SAMPLE_CATALOG.read_text(encoding="utf-8")
    text = text[: text.index("[[rasters]]")]
    for name in ("ningxia_sample.gpkg", "ningxia_counties.gpkg"):  # the 行政区 layer is its own file
        shutil.copy(SAMPLE_CATALOG.parent / name, tmp_path / name)
    (tmp_path / "catalog.toml").write_text(text, encoding="utf-8")
    d = review_file(SAMPLE_FOOTPRINTS / "pv_on_farmland.geojson", tmp_path / "catalog.toml").data
    assert d["rasters"] == []
