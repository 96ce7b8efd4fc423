"""Raster zonal statistics on grids built from known shapes (issue 8)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from shapely.geometry import box

from ningxia_gis.core.areas import ellipsoidal_areas
from ningxia_gis.core.raster import (RasterClass, RasterSpec, cell_fractions, horn_slope, raster_zonal,
                                     read_window)

EPSG = 4544
X0, Y0 = 594000.0, 4146000.0  # upper-left corner, near 红寺堡


def write_tif(path, arr, transform, crs=EPSG, nodata=None, **kw):
    profile = dict(driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1, dtype=arr.dtype,
                   transform=transform, nodata=nodata, **kw)
    if crs is not None:
        profile["crs"] = f"EPSG:{crs}" if isinstance(crs, int) else crs
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(arr, 1)
    return path


def plane_dem(tmp_path, slope_deg, cell=10.0, n=200, nodata=None):
    tr = Affine(cell, 0, X0, 0, -cell, Y0)
    cols, rows = np.meshgrid(np.arange(n) + 0.5, np.arange(n) + 0.5)
    x, y = tr @ (cols, rows)
    z = 1300.0 + math.tan(math.radians(slope_deg)) * (x - X0) * 0.6 + math.tan(math.radians(slope_deg)) * (Y0 - y) * 0.8
    return write_tif(tmp_path / f"plane_{slope_deg}.tif", z.astype("float64"), tr, nodata=nodata), tr


def test_plane_slope_is_exact(tmp_path):
    path, tr = plane_dem(tmp_path, 20.0)
    fp = box(X0 + 300.5, Y0 - 1500.3, X0 + 1200.2, Y0 - 700.7)
    r = raster_zonal(RasterSpec(id="dem", role="dem", path=path, slope_thresholds=[15, 25]), fp, EPSG)
    s = r["stats"]
    assert r["status"] == "covered" and r["covered_share"] == pytest.approx(1.0)
    assert r["warped"] is False
    assert s["slope_deg"]["min"] == pytest.approx(20.0, abs=1e-6)
    assert s["slope_deg"]["max"] == pytest.approx(20.0, abs=1e-6)
    above15, above25 = s["slope_above"]
    fp_m2 = ellipsoidal_areas([fp], EPSG)[0]
    assert above15["area"]["ellipsoidal_m2"] == pytest.approx(fp_m2, rel=1e-9)
    assert above15["area"]["planar_m2"] == pytest.approx(fp.area, rel=1e-9)
    assert above25["area"]["planar_m2"] == 0.0
    assert [b["label"] for b in s["slope_bands"]] == ["≤15°", "15–25°", ">25°"]
    assert s["slope_bands"][1]["share_of_footprint"] == pytest.approx(1.0, rel=1e-9)
    # elevation: plane value at the centroid is the area-weighted mean (cells fully or partly inside)
    g = math.tan(math.radians(20.0))
    c = fp.centroid
    assert s["elevation_m"]["mean"] == pytest.approx(1300 + g * ((c.x - X0) * 0.6 + (Y0 - c.y) * 0.8), abs=0.5)
    assert s["elevation_m"]["min"] < s["elevation_m"]["mean"] < s["elevation_m"]["max"]


@pytest.mark.parametrize("deg", [0.0, 5.0, 30.0, 60.0])
def test_horn_slope_of_planes(deg):
    dx, dy = 30.0, 20.0
    rows, cols = np.mgrid[0:20, 0:30]
    z = math.tan(math.radians(deg)) * cols * dx
    s = horn_slope(z, dx, dy)
    assert np.isnan(s[0]).all() and np.isnan(s[:, -1]).all()
    assert np.allclose(s[1:-1, 1:-1], deg, atol=1e-9)


def test_elevation_thresholds(tmp_path):
    # z rises 1 m per metre of easting-free northing; thresholds split the footprint at known lines
    cell = 10.0
    tr = Affine(cell, 0, X0, 0, -cell, Y0)
    n = 100
    rows = np.arange(n)[:, None] + np.zeros((1, n))
    z = (2000.0 - rows * cell).astype("float32")  # row r: cell centre elevation decreases northward -> south
    path = write_tif(tmp_path / "steps.tif", z, tr)
    fp = box(X0 + 100, Y0 - 600, X0 + 300, Y0 - 200)  # rows 20..59
    r = raster_zonal(RasterSpec(id="d", role="dem", path=path, elevation_thresholds=[1700]), fp, EPSG)
    e = r["stats"]["elevation_m"]
    assert e["max"] == 2000 - 20 * cell and e["min"] == 2000 - 59 * cell
    # cells with z > 1700: rows 20..29 -> 10 rows × 200 m wide × 10 m
    assert r["stats"]["elevation_above"][0]["area"]["planar_m2"] == pytest.approx(200 * 100)


def _blocks(tmp_path, cell=10.0, n=300):
    """Four class blocks (quadrants) with a water block in the middle; returns path and block polygons."""
    tr = Affine(cell, 0, X0, 0, -cell, Y0)
    arr = np.zeros((n, n), dtype="uint8")
    h = n // 2
    arr[:h, :h], arr[:h, h:], arr[h:, :h], arr[h:, h:] = 1, 2, 3, 4
    arr[120:180, 100:200] = 5
    arr[0:10, :] = 255  # nodata stripe at the top
    path = write_tif(tmp_path / "lc.tif", arr, tr, nodata=255)
    xm, ym = X0 + h * cell, Y0 - h * cell
    x1, y1 = X0 + n * cell, Y0 - n * cell
    water = box(X0 + 100 * cell, Y0 - 180 * cell, X0 + 200 * cell, Y0 - 120 * cell)
    top = Y0 - 10 * cell
    polys = {1: box(X0, ym, xm, top).difference(water), 2: box(xm, ym, x1, top).difference(water),
             3: box(X0, y1, xm, ym).difference(water), 4: box(xm, y1, x1, ym).difference(water), 5: water}
    return path, polys, cell


CLASSES = {1: RasterClass(1, "耕地", "Cultivated"), 2: RasterClass(2, "草地", "Grassland"),
           3: RasterClass(3, "林地", "Forest"), 4: RasterClass(4, "建设用地", "Built-up"),
           5: RasterClass(5, "水域", "Water")}


def test_class_areas_match_vector(tmp_path):
    path, polys, cell = _blocks(tmp_path)
    fp = shapely.Polygon([(X0 + 437.3, Y0 - 250.1), (X0 + 2611.9, Y0 - 611.4), (X0 + 2480.2, Y0 - 2733.3),
                          (X0 + 990.7, Y0 - 2390.8), (X0 + 620.1, Y0 - 1444.4)])
    spec = RasterSpec(id="lc", role="landcover", path=path, classes=CLASSES)
    r = raster_zonal(spec, fp, EPSG)
    assert r["method"]["id"] == "exact_cell_fraction"
    got = {c["code"]: c for c in r["classes"]}
    assert set(got) == {1, 2, 3, 4, 5}
    for code, poly in polys.items():
        want = fp.intersection(poly).area
        assert abs(got[code]["area"]["planar_m2"] - want) < cell * cell, code
        assert got[code]["area"]["planar_m2"] == pytest.approx(want, rel=1e-9, abs=1e-6)
        # the vector figure densified: straight GK edges are not straight in lon/lat
        want_e = ellipsoidal_areas([shapely.segmentize(fp.intersection(poly), 10.0)], EPSG)[0]
        assert got[code]["area"]["ellipsoidal_m2"] == pytest.approx(want_e, rel=1e-5)
    # the classes add up to the footprint's ellipsoidal figure
    assert sum(c["area"]["ellipsoidal_m2"] for c in r["classes"]) == pytest.approx(
        ellipsoidal_areas([fp], EPSG)[0], rel=1e-12)
    assert got[5]["name_zh"] == "水域" and got[5]["name_en"] == "Water"
    # total = footprint (nothing outside the data)
    total = sum(c["area"]["planar_m2"] for c in r["classes"])
    assert total == pytest.approx(fp.area, rel=1e-9)
    assert r["covered_share"] == pytest.approx(1.0)


def test_nodata_and_partly_outside_report_covered_share(tmp_path):
    path, polys, cell = _blocks(tmp_path)
    # footprint from 500 m west of the grid into the grid, and over the top nodata stripe
    fp = box(X0 - 500, Y0 - 600, X0 + 500, Y0 + 200)
    r = raster_zonal(RasterSpec(id="lc", role="landcover", path=path, classes=CLASSES), fp, EPSG)
    inside = box(X0, Y0 - 600, X0 + 500, Y0 - 100)  # in the grid with data
    assert r["status"] == "partly_covered"
    assert r["covered_share"] == pytest.approx(inside.area / fp.area, rel=1e-9)
    assert r["covered_area"]["planar_m2"] == pytest.approx(inside.area, rel=1e-9)
    assert [c["code"] for c in r["classes"]] == [1]
    assert any("%" in w for w in r["warnings"])


def test_footprint_outside_raster(tmp_path):
    path, _, _ = _blocks(tmp_path)
    fp = box(X0 - 5000, Y0 - 600, X0 - 4000, Y0)
    r = raster_zonal(RasterSpec(id="lc", role="landcover", path=path), fp, EPSG)
    assert r["status"] == "not_covered" and r["covered_share"] == 0.0
    assert r["classes"] is None and r["source_crs"].startswith("EPSG:4544")


def test_dem_partly_outside(tmp_path):
    path, tr = plane_dem(tmp_path, 10.0, n=100)
    fp = box(X0 + 800, Y0 - 500, X0 + 1200, Y0 - 100)  # grid ends at X0 + 1000
    r = raster_zonal(RasterSpec(id="dem", role="dem", path=path), fp, EPSG)
    assert r["covered_share"] == pytest.approx(0.5, rel=1e-9)
    assert r["stats"]["slope_deg"]["mean"] == pytest.approx(10.0, abs=1e-6)
    assert r["stats"]["slope_covered_share"] < 1.0  # the last column has no slope (grid edge)


def test_cell_fractions_exact():
    tr = Affine(1.0, 0, 0, 0, -1.0, 10.0)
    poly = shapely.Polygon([(0.5, 0.5), (9.3, 1.2), (5.0, 9.7)])
    f = cell_fractions(poly, tr, (10, 10))
    assert f.sum() == pytest.approx(poly.area, rel=1e-12)
    assert f.min() >= 0 and f.max() <= 1
    # holes are respected
    donut = box(0, 0, 10, 10).difference(box(2.5, 2.5, 7.5, 7.5))
    assert cell_fractions(donut, tr, (10, 10)).sum() == pytest.approx(donut.area)


def test_warped_landcover_from_geographic(tmp_path):
    """A class grid in CGCS2000 lon/lat is warped to GK metres; areas are close to the vector answer."""
    lon0, lat0, d = 106.0, 37.45, 0.0003
    n = 400
    tr = Affine(d, 0, lon0, 0, -d, lat0)
    arr = np.ones((n, n), dtype="uint8")
    arr[:, n // 2:] = 2
    path = write_tif(tmp_path / "lc4490.tif", arr, tr, crs=4490, nodata=0)
    from ningxia_gis.core.crs import transformer
    t = transformer(4490, EPSG)
    cx, cy = t.transform(lon0 + n / 2 * d, lat0 - n / 2 * d)
    fp = box(cx - 1500, cy - 1000, cx + 1500, cy + 1000)
    r = raster_zonal(RasterSpec(id="lc", role="landcover", path=path), fp, EPSG)
    assert r["warped"] is True and r["resampling"] == "nearest"
    assert 25 < r["cell_size_m"][0] < 35
    # cell area is kept: GK cell ≈ lon/lat cell area
    lat = math.radians(lat0)
    approx_cell = (d * 111320 * math.cos(lat)) * (d * 110950)
    assert r["cell_size_m"][0] ** 2 == pytest.approx(approx_cell, rel=0.02)
    got = {c["code"]: c["area"]["planar_m2"] for c in r["classes"]}
    west_ll = shapely.segmentize(box(lon0, lat0 - n * d, lon0 + n // 2 * d, lat0), d / 4)
    west = shapely.transform(west_ll, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
    want1 = fp.intersection(west).area
    # nearest resampling may move the class edge by up to one cell along its 2 km length
    assert abs(got[1] - want1) < 2000 * r["cell_size_m"][0]
    assert sum(got.values()) == pytest.approx(fp.area, rel=1e-9)


def test_read_window_reads_only_the_window(tmp_path):
    path, tr = plane_dem(tmp_path, 5.0, n=200)
    w = read_window(path, (X0 + 500, Y0 - 600, X0 + 700, Y0 - 500), EPSG, pad_cells=2)
    assert w.shape == (14, 24) and w.source_window.width == 24
    assert w.bounds == (X0 + 480, Y0 - 620, X0 + 720, Y0 - 480)


def test_read_window_max_size_decimates(tmp_path):
    path, tr = plane_dem(tmp_path, 12.0, n=400)
    w = read_window(path, (X0, Y0 - 4000, X0 + 4000, Y0), EPSG, pad_cells=0, max_size=100)
    assert w.warped is True and max(w.shape) <= 101
    assert w.cell_size[0] == pytest.approx(40.0)
    s = horn_slope(w.data, *w.cell_size)
    assert np.nanmedian(s) == pytest.approx(12.0, abs=0.05)
