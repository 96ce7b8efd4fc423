"""Two shortcuts of the overlay under large footprints give what the general operations give: a feature
wholly inside the footprint is its own piece, and a polygonal coverage is dissolved by the coverage union."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from ningxia_gis.core import overlay
from ningxia_gis.core.areas import ellipsoidal_areas

from test_speed_paths import EPSG, X0, Y0, parcels


def test_coverage_union_is_the_union_and_overlaps_fall_back():
    g = parcels(n=60)  # 3,600 parcels sharing their edges exactly
    u = overlay.coverage_or_union(g)
    ref = shapely.union_all(g)
    assert shapely.symmetric_difference(u, ref).area == 0.0
    assert u.area == pytest.approx(ref.area, rel=1e-13)
    # one parcel enlarged so that it overlaps its neighbours: not a coverage, the general union is used
    bad = g.copy()
    bad[0] = shapely.buffer(bad[0], 5.0)
    assert not shapely.coverage_is_valid(bad)
    assert shapely.equals(overlay.coverage_or_union(bad), shapely.union_all(bad))
    assert overlay.coverage_or_union(np.array([None, shapely.Polygon()], dtype=object)).is_empty


@pytest.mark.parametrize("overlap", [False, True], ids=["tiling", "overlapping"])
@pytest.mark.parametrize("shortcuts", [True, False], ids=["shortcuts", "general"])
def test_large_footprint_over_a_parcel_coverage(shortcuts, overlap, monkeypatch):
    """3,600 parcels under a footprint that covers most of them whole: pieces, zone totals and the
    dissolved total equal an independent shapely overlay, with and without the shortcuts. Parcels that
    tile the land are summed (no union built); with one parcel repeated in the other zone the unions are
    built, each zone's as a coverage, and the repeated part counts for the stricter zone only."""
    used = []
    if shortcuts:
        monkeypatch.setattr(overlay, "COVERAGE_MIN_PIECES", 100)
        monkeypatch.setattr(overlay.shapely, "coverage_union_all",
                            lambda g, _f=shapely.coverage_union_all: used.append(len(g)) or _f(g))
    else:
        monkeypatch.setattr(overlay, "COVERAGE_MIN_PIECES", 10**9)
        monkeypatch.setattr(overlay.shapely, "contains_properly",
                            lambda a, b: np.zeros(np.broadcast(a, b).shape, dtype=bool))
        monkeypatch.setattr(overlay, "disjoint_groups", lambda geoms, group, n: np.zeros(n, dtype=bool))
    g = parcels(n=60)
    zone = np.where(np.arange(len(g)) % 5 == 0, "基本草原", "一般草原")
    if overlap:  # parcel 1,830 (基本草原, under the footprint) once more as 一般草原
        g, zone = np.append(g, g[1830]), np.append(zone, "一般草原")
        assert zone[1830] == "基本草原"
    cand = gpd.GeoDataFrame({"BH": [f"P{i:05d}" for i in range(len(g))], "CDLX": zone}, geometry=g, crs=EPSG)
    fp = shapely.Point(X0 + 3_000, Y0 + 3_000).buffer(2_600, quad_segs=32)
    (res,) = overlay.overlay_many([fp], np.zeros(len(cand), dtype=np.int64), cand, EPSG, "grassland",
                                  id_field="BH", zone_field="CDLX")
    inter = shapely.intersection(g, fp)
    keep = shapely.area(inter) > 0
    assert {p.feature_id for p in res.pieces if p.planar_m2 > 0} == set(cand["BH"][keep])
    whole = shapely.union_all(inter[keep])
    assert res.total["planar_m2"] == pytest.approx(whole.area, rel=1e-12)
    assert res.total["ellipsoidal_m2"] == pytest.approx(float(ellipsoidal_areas([whole], EPSG)[0]), rel=1e-12)
    by_zone = {z["zone"]: z["area"]["planar_m2"] for z in res.by_zone}
    strict = shapely.union_all(inter[keep & (zone == "基本草原")])
    assert by_zone["基本草原"] == pytest.approx(strict.area, rel=1e-12)
    other = shapely.difference(shapely.union_all(inter[keep & (zone == "一般草原")]), strict)
    assert by_zone["一般草原"] == pytest.approx(other.area, rel=1e-12)
    assert sum(by_zone.values()) == pytest.approx(res.total["planar_m2"], rel=1e-12)
    shared = {z["zone"]: z["shared_with_stricter_m2"] for z in res.by_zone}
    assert shared["一般草原"] == (pytest.approx(float(ellipsoidal_areas([g[1830]], EPSG)[0]), rel=1e-9)
                                  if overlap else pytest.approx(0.0, abs=1e-6))
    if shortcuts:  # tiling: summed, no union at all; overlapping: both zones dissolved as coverages
        assert used == [] if not overlap else (len(used) == 2 and sum(used) == keep.sum())
        inside = shapely.contains_properly(fp, g)
        assert inside.sum() > 0.8 * keep.sum()
        pieces = {p.feature_id: p.geometry for p in res.pieces}
        for i in np.nonzero(inside)[0][:50]:
            assert shapely.equals_exact(pieces[cand["BH"][i]], shapely.normalize(g[i]), tolerance=0)


def test_subdivide_never_trusts_a_rectangle_clip_whose_areas_do_not_add_up(monkeypatch):
    """GEOS rectangle clipping can answer with the complement when edges lie on the rectangle's sides;
    here every fourth clip answers with the whole rectangle: the pieces still tile the polygon exactly."""
    from ningxia_gis.core import cell_cover
    from test_speed_paths import huge_polygon

    g = huge_polygon(n=4_000)
    real, calls = shapely.clip_by_rect, []

    def wrong(geom, *rect):
        calls.append(1)
        return shapely.box(*rect) if len(calls) % 4 == 0 else real(geom, *rect)

    monkeypatch.setattr(cell_cover.shapely, "clip_by_rect", wrong)
    pieces = overlay.subdivide(g, max_vertices=256)
    monkeypatch.setattr(cell_cover.shapely, "clip_by_rect", real)
    assert len(calls) > 8 and len(pieces) > 10
    assert shapely.area(pieces).sum() == pytest.approx(g.area, rel=1e-12)
    assert shapely.symmetric_difference(shapely.union_all(pieces), g).area < 1e-6 * g.area


def test_a_complex_footprint_clip_that_answers_with_the_complement_is_not_used(monkeypatch):
    """The footprint clipped to each candidate's box (over FOOTPRINT_CLIP_VERTICES): should GEOS answer with
    the box minus the footprint, that candidate is intersected with the whole footprint instead."""
    from test_speed_paths import huge_polygon

    fp = huge_polygon(n=4_000)
    x0, y0, x1, y1 = fp.bounds
    step = (x1 - x0) / 12
    cells = np.array([shapely.box(x, y, x + step, y + step) for x in np.arange(x0, x1, step)
                      for y in np.arange(y0, y1, step)], dtype=object)
    want = shapely.area(shapely.intersection(cells, fp))
    real, calls = shapely.clip_by_rect, []

    def wrong(geom, *rect):
        calls.append(1)
        good = real(geom, *rect)
        return shapely.difference(shapely.box(*rect), good) if len(calls) % 3 == 0 else good

    monkeypatch.setattr(overlay, "FOOTPRINT_CLIP_VERTICES", 1_000)
    monkeypatch.setattr(overlay.shapely, "clip_by_rect", wrong)
    got = shapely.area(overlay.intersections(cells, fp))
    monkeypatch.setattr(overlay.shapely, "clip_by_rect", real)
    assert len(calls) == len(cells) and want.sum() > 0
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6)


def test_a_zone_whose_pieces_do_not_overlap_is_their_sum_and_an_overlap_is_dissolved(monkeypatch):
    """A footprint's only zone of a layer: when no two pieces share interior points its area is their sum
    (no union built); when two do, the union is built and the overlap counted once."""
    built = []
    monkeypatch.setattr(overlay, "grouped_union",
                        lambda g, grp, n, _f=overlay.grouped_union: built.append(n) or _f(g, grp, n))
    fp = shapely.Point(X0 + 500, Y0 + 500).buffer(380, quad_segs=16)

    def check(g):
        cand = gpd.GeoDataFrame({"BH": [f"P{i}" for i in range(len(g))]}, geometry=g, crs=EPSG)
        (res,) = overlay.overlay_many([fp], np.zeros(len(g), dtype=np.int64), cand, EPSG, "permanent_basic_farmland",
                                      id_field="BH")
        whole = shapely.union_all(shapely.intersection(g, fp))
        assert res.total["planar_m2"] == pytest.approx(whole.area, rel=1e-12)
        assert res.total["ellipsoidal_m2"] == pytest.approx(float(ellipsoidal_areas([whole], EPSG)[0]), rel=1e-12)
        assert len(res.by_zone) == 1 and res.by_zone[0]["area"]["planar_m2"] == res.total["planar_m2"]
        return res

    tiles = parcels(n=10)  # edges shared exactly
    res = check(tiles)
    assert built == [] and len(res.pieces) > 20
    assert res.total["planar_m2"] == pytest.approx(sum(p.planar_m2 for p in res.pieces), rel=1e-12)
    assert overlay.disjoint_groups(tiles, np.zeros(len(tiles), dtype=np.int64), 1).tolist() == [True]

    res = check(np.append(tiles, shapely.buffer(tiles[44], 30.0)))  # a feature over its neighbours
    assert built == [1]
    assert res.total["planar_m2"] < sum(p.planar_m2 for p in res.pieces) - 1_000
    # touching at a corner or an edge only is no overlap; one group's overlap does not mark another
    sq = shapely.box(0, 0, 1, 1)
    pair = np.array([sq, shapely.box(1, 1, 2, 2), sq, shapely.box(0.5, 0, 1.5, 1), sq, shapely.box(1, 0, 2, 1)])
    assert overlay.disjoint_groups(pair, np.array([0, 0, 1, 1, 2, 2]), 3).tolist() == [True, False, True]
