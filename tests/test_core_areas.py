"""Areas against independent computations: closed-form ellipsoid zones, pyproj.Geod, exact units."""

import math

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import box

from ningxia_gis.core.areas import ellipsoidal_areas, ellipsoidal_areas_lonlat, planar_areas, to_lonlat
from ningxia_gis.core.crs import analysis_epsg_for_lon, fix_prefix_mismatch, gk3_epsg, zone_from_prefixed_easting
from ningxia_gis.core.units import area_block, m2_to_ha, m2_to_mu

A = 6378137.0
F = 1 / 298.257222101
E2 = F * (2 - F)
B = A * (1 - F)


def lonlat_rectangle_area(lon1, lon2, lat1, lat2):
    """Exact area of a lon/lat quadrilateral on the CGCS2000 ellipsoid (authalic latitude formula)."""
    e = math.sqrt(E2)

    def q(phi):
        s = math.sin(phi)
        return s / (1 - E2 * s * s) + (1 / (2 * e)) * math.log((1 + e * s) / (1 - e * s))

    return math.radians(lon2 - lon1) * B * B / 2 * (q(math.radians(lat2)) - q(math.radians(lat1)))


@pytest.mark.parametrize("lon1,lat1,dlon,dlat", [
    (106.0, 37.4, 0.01, 0.01), (105.5, 35.3, 0.2, 0.1), (107.5, 39.2, 0.001, 0.002), (106.3, 37.0, 1.0, 1.0)])
def test_trapezoid_series_equals_closed_form_for_lonlat_rectangles(lon1, lat1, dlon, dlat):
    expected = lonlat_rectangle_area(lon1, lon1 + dlon, lat1, lat1 + dlat)
    got = ellipsoidal_areas_lonlat([box(lon1, lat1, lon1 + dlon, lat1 + dlat)])[0]
    assert got == pytest.approx(expected, rel=1e-9)


def test_ellipsoidal_area_agrees_with_pyproj_geod_on_gk_polygons():
    geod = Geod(ellps="GRS80")  # CGCS2000 and GRS80 differ in f by < 1e-10
    rng = np.random.default_rng(1)
    for _ in range(20):
        cx, cy = rng.uniform(560_000, 650_000), rng.uniform(4_100_000, 4_170_000)
        poly = shapely.Point(cx, cy).buffer(rng.uniform(50, 3000), quad_segs=8)
        ll = to_lonlat([poly], 4544)[0]
        expected = abs(geod.geometry_area_perimeter(ll)[0])
        got = ellipsoidal_areas([poly], 4544)[0]
        # geodesic vs rhumb edges: differences are far below 1e-6 relative at these sizes
        assert got == pytest.approx(expected, rel=2e-6)


def test_holes_are_subtracted_and_multipolygon_parts_added():
    outer = box(594_000, 4_143_000, 595_000, 4_144_000)
    hole = box(594_200, 4_143_200, 594_400, 4_143_400)
    other = box(600_000, 4_150_000, 600_500, 4_150_500)
    holey = shapely.Polygon(outer.exterior.coords, [hole.exterior.coords])
    e_outer, e_hole, e_other = ellipsoidal_areas([outer, hole, other], 4544)
    got_holey, got_multi = ellipsoidal_areas([holey, shapely.MultiPolygon([holey, other])], 4544)
    assert got_holey == pytest.approx(e_outer - e_hole, rel=1e-12)
    assert got_multi == pytest.approx(e_outer - e_hole + e_other, rel=1e-12)
    # ring orientation does not matter
    assert ellipsoidal_areas([shapely.orient_polygons(holey, exterior_cw=True)], 4544)[0] == pytest.approx(got_holey)


def test_gk_planar_inflation_matches_formats_reference():
    """formats.md §3.2: a 1 km² square ~111 km east of CM 105E is 999 699.45 m² on the ellipsoid."""
    sq = box(611_000, 4_150_000, 612_000, 4_151_000)
    assert planar_areas([sq])[0] == pytest.approx(1_000_000.0)
    e = ellipsoidal_areas([sq], 4544)[0]
    assert 999_600 < e < 999_800
    assert (1_000_000 - e) / e == pytest.approx(3.0e-4, abs=0.3e-4)


def test_units_are_exact():
    assert m2_to_ha(10_000) == 1.0
    assert m2_to_mu(10_000 / 15) == pytest.approx(1.0, rel=1e-15)
    assert m2_to_mu(1.0) == 0.0015
    blk = area_block(666.0, 6_666_666.666)
    assert blk["ellipsoidal_mu"] == pytest.approx(10_000.0, rel=1e-9)
    assert blk["planar_ha"] == pytest.approx(0.0666)


def test_crs_zone_helpers():
    assert analysis_epsg_for_lon(106.07) == 4544
    assert analysis_epsg_for_lon(106.58) == 4545
    assert gk3_epsg(35, prefixed=True) == 4523 and gk3_epsg(36) == 4545
    assert zone_from_prefixed_easting(35_594_717.5) == 35
    assert zone_from_prefixed_easting(594_717.5) is None
    from pyproj import CRS
    fixed, note = fix_prefix_mismatch(CRS.from_epsg(4544), 35_590_000, 35_600_000)
    assert fixed.to_epsg() == 4523 and "prefix" in note
    same, none = fix_prefix_mismatch(CRS.from_epsg(4544), 590_000, 600_000)
    assert same.to_epsg() == 4544 and none is None
