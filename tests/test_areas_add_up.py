"""Issue 13: edge-independent ellipsoidal areas, parts never larger than the whole, location plausibility,
未涉及 vs 无数据覆盖, and the warnings about parcels and zones."""

import importlib.util
import json
import math
from pathlib import Path

import geopandas as gpd
import jsonschema
import numpy as np
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import box

from ningxia_gis.review import write_output
from ningxia_gis.core.areas import DENSIFY_STEP_M, ellipsoidal_areas
from ningxia_gis.core.check import analysis_epsg, footprint_block
from ningxia_gis.review import review_file
from ningxia_gis.core.crs import analysis_epsg_for_lon, gk3_zone_for_lon
from ningxia_gis.core.footprint import Footprint
from ningxia_gis.footprint_io import load_footprint, report_of
from ningxia_gis.core.overlay import overlay_layer
from ningxia_gis.domain.errors import FootprintError, NingxiaGisError
from ningxia_gis.paths import RESOURCES, SAMPLE_LAYERS
from ningxia_gis.summary import format_summary

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "footprints"
SCHEMA = json.loads((RESOURCES / "schema" / "check_result.schema.json").read_text(encoding="utf-8"))
GEOD = Geod(a=6378137.0, f=1 / 298.257222101)  # CGCS2000


def geod_area_gk_densified(poly, epsg: int, step: float) -> float:
    """Independent figure: every GK edge cut with numpy into pieces ≤ step, each vertex inverse-projected
    by its own pyproj transformer, geodesic area by GeographicLib (pyproj.Geod)."""
    t = Transformer.from_crs(epsg, 4490, always_xy=True)

    def ring_lonlat(ring):
        xy = np.asarray(ring.coords)
        pts = []
        for (x0, y0), (x1, y1) in zip(xy[:-1], xy[1:]):
            n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
            f = np.arange(n) / n
            pts.append(np.column_stack([x0 + f * (x1 - x0), y0 + f * (y1 - y0)]))
        pts = np.vstack(pts)
        return t.transform(pts[:, 0], pts[:, 1])

    total = 0.0
    for part in shapely.get_parts(poly):
        lon, lat = ring_lonlat(part.exterior)
        total += abs(GEOD.polygon_area_perimeter(lon, lat)[0])
        for hole in part.interiors:
            lon, lat = ring_lonlat(hole)
            total -= abs(GEOD.polygon_area_perimeter(lon, lat)[0])
    return total


def random_polygon(rng, cx, cy, radius, n):
    ang = np.sort(rng.uniform(0, 2 * np.pi, n))
    rad = radius * rng.uniform(0.6, 1.0, n)
    return shapely.Polygon(np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])).convex_hull


# ------------------------------------------------------------------------------ ellipsoidal vs geodesic

@pytest.mark.parametrize("epsg,x_range", [(4544, (560_000, 690_000)), (4545, (330_000, 460_000))])
def test_long_edged_footprints_agree_with_geodesic_area(epsg, x_range):
    rng = np.random.default_rng(13)
    for _ in range(8):
        cx, cy = rng.uniform(*x_range), rng.uniform(4_000_000, 4_300_000)
        ang = rng.uniform(0, 1) + np.arange(5) * 2 * np.pi / 5 + rng.uniform(-0.15, 0.15, 5)
        rad = rng.uniform(12_000, 20_000, 5)
        poly = shapely.Polygon(np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)]))
        edges = np.hypot(*np.diff(np.asarray(poly.exterior.coords), axis=0).T)
        assert poly.is_valid and edges.min() >= 10_000  # ≥ 10 km edges
        got = ellipsoidal_areas([poly], epsg)[0]
        # the same densified polygon (≤ 1e-9, the method's claim) and a much finer one (≤ 1e-7, issue)
        assert got == pytest.approx(geod_area_gk_densified(poly, epsg, DENSIFY_STEP_M), rel=1e-9)
        assert got == pytest.approx(geod_area_gk_densified(poly, epsg, 5.0), rel=1e-7)


def test_short_edged_footprints_agree_with_geodesic_area():
    rng = np.random.default_rng(31)
    for _ in range(20):
        poly = random_polygon(rng, rng.uniform(560_000, 690_000), rng.uniform(4_000_000, 4_300_000),
                              rng.uniform(100, 1500), 40)
        hole = shapely.affinity.scale(poly, 0.3, 0.3)
        poly = shapely.Polygon(poly.exterior.coords, [hole.exterior.coords])
        got = ellipsoidal_areas([poly], 4544)[0]
        assert got == pytest.approx(geod_area_gk_densified(poly, 4544, 5.0), rel=1e-7)


def test_extra_vertices_on_straight_edges_do_not_change_the_area():
    """The 104 km² footprint with 8–13 km edges of the issue: vertex-only moved by ~1e-4, densified not."""
    fp = shapely.Polygon([(598000, 4130000), (611000, 4131000), (612000, 4139000), (604000, 4141000),
                          (597000, 4138000)])
    rng = np.random.default_rng(5)
    xy = np.asarray(fp.exterior.coords)
    more = [xy[0]]
    for a, b in zip(xy[:-1], xy[1:]):
        for f in np.sort(rng.uniform(0, 1, 7)):
            more.append(a + f * (b - a))
        more.append(b)
    fp2 = shapely.Polygon(more)
    dense = ellipsoidal_areas([fp, fp2], 4544)
    verts = ellipsoidal_areas([fp, fp2], 4544, vertices_only=True)
    assert dense[1] == pytest.approx(dense[0], rel=1e-10)
    assert abs(verts[1] / verts[0] - 1) > 1e-6  # what the issue reported
    assert dense[0] == pytest.approx(geod_area_gk_densified(fp, 4544, 5.0), rel=1e-9)


def test_lonlat_input_gets_the_edges_of_its_gk_plane():
    poly = random_polygon(np.random.default_rng(2), 600_000, 4_140_000, 3000, 12)
    ll = gpd.GeoSeries([poly], crs=4544).to_crs(4490).iloc[0]
    assert ellipsoidal_areas([ll], 4490)[0] == pytest.approx(ellipsoidal_areas([poly], 4544)[0], rel=1e-9)


# ------------------------------------------------------------------------------------------ invariants

ZONES = ["核心保护区", "", "一般控制区"]


@st.composite
def footprint_and_layer(draw):
    def poly(cx_lo, cx_hi, r_hi):
        cx = draw(st.floats(cx_lo, cx_hi))
        cy = draw(st.floats(4_130_000, 4_150_000))
        r = draw(st.floats(20, r_hi))
        n = draw(st.integers(3, 9))
        seed = draw(st.integers(0, 2**32 - 1))
        return random_polygon(np.random.default_rng(seed), cx, cy, r, n)

    # parcels: cells of a grid clipped to a polygon, so they do not overlap (and may share edges)
    base = poly(600_000, 610_000, 12_000)
    k = draw(st.integers(1, 3))
    x0, y0, x1, y1 = base.bounds
    cells = [box(x0 + (x1 - x0) * i / k, y0, x0 + (x1 - x0) * (i + 1) / k, y1) for i in range(k)]
    parcels = [p for p in (shapely.intersection(base, c) for c in cells) if p.area > 1.0 and p.geom_type == "Polygon"]
    feats = [poly(595_000, 615_000, 15_000) for _ in range(draw(st.integers(1, 6)))]
    zones = [draw(st.sampled_from(ZONES)) for _ in feats]
    if draw(st.booleans()):  # a feature covering the whole footprint
        feats.append(base.buffer(draw(st.floats(0, 50))))
        zones.append(draw(st.sampled_from(ZONES)))
    return parcels, feats, zones


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(footprint_and_layer())
def test_parts_never_exceed_the_whole(case):
    parcels, feats, zones = case
    fp = Footprint(gdf=gpd.GeoDataFrame({"n": range(len(parcels))}, geometry=parcels, crs=4544), source="h.gpkg")
    block, union = footprint_block(fp, 4544)
    fa = block["area"]
    # Σ parcels = footprint (they do not overlap), and the union agrees to the densification's accuracy
    for k in ("planar_m2", "ellipsoidal_m2"):
        assert sum(p["area"][k] for p in block["parcels"]) == pytest.approx(fa[k], rel=1e-12)
    assert ellipsoidal_areas([union], 4544)[0] == pytest.approx(fa["ellipsoidal_m2"], rel=1e-9)
    cands = gpd.GeoDataFrame({"HXBM": [str(i) for i in range(len(feats))], "ZRBHDFQ": zones},
                             geometry=feats, crs=4544)
    ov = overlay_layer(union, cands, 4544, "eco_redline", id_field="HXBM", zone_field="ZRBHDFQ",
                       footprint_m2=fa["ellipsoidal_m2"], footprint_planar_m2=fa["planar_m2"])
    total = ov.total
    assert total["ellipsoidal_m2"] <= fa["ellipsoidal_m2"] and total["planar_m2"] <= fa["planar_m2"]
    # the dissolved overlap is the union of the pieces, independently computed
    inter = shapely.intersection(shapely.union_all(feats), union)
    assert total["planar_m2"] == pytest.approx(inter.area, rel=1e-9, abs=1e-6)
    if inter.area > 0:
        assert total["ellipsoidal_m2"] == pytest.approx(ellipsoidal_areas([inter], 4544)[0], rel=1e-9, abs=1e-6)
    for k in ("planar_m2", "ellipsoidal_m2"):
        assert sum(z["area"][k] for z in ov.by_zone) == pytest.approx(total[k], rel=1e-12, abs=1e-9)
    for z in ov.by_zone:
        assert 0 <= z["share_of_footprint"] <= 1
    for p in ov.pieces:
        assert p.ellipsoidal_m2 <= fa["ellipsoidal_m2"] and p.planar_m2 <= fa["planar_m2"]
    # stricter zone first: 核心保护区 keeps all of its own overlap
    core = [f for f, z in zip(feats, zones) if z == "核心保护区"]
    if core:
        want = shapely.intersection(shapely.union_all(core), union).area
        got = next((z["area"]["planar_m2"] for z in ov.by_zone if z["zone"] == "核心保护区"), 0.0)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-6)


def _catalog(tmp_path, feats, zones):
    gdf = gpd.GeoDataFrame({"HXBM": [str(i) for i in range(len(feats))], "ZRBHDFQ": zones}, geometry=feats, crs=4544)
    gdf.to_file(tmp_path / "l.gpkg", layer="STBHHX", driver="GPKG", engine="pyogrio")
    cat = tmp_path / "c.toml"
    cat.write_text('[[layers]]\nid = "red"\nrole = "eco_redline"\npath = "l.gpkg"\nlayer = "STBHHX"\n'
                   'id_field = "HXBM"\nzone_field = "ZRBHDFQ"\n', encoding="utf-8")
    return cat


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                               HealthCheck.function_scoped_fixture])
@given(footprint_and_layer())
def test_run_check_results_validate_and_share_at_most_one(tmp_path, case):
    parcels, feats, zones = case
    fp = Footprint(gdf=gpd.GeoDataFrame({"n": range(len(parcels))}, geometry=parcels, crs=4544), source="h.gpkg")
    res = review_file(fp, _catalog(tmp_path, feats, zones))
    lyr = res.data["layers"][0]
    assert 0 <= lyr["share_of_footprint"] <= 1
    write_output("json", res, tmp_path / "r.json")  # validated against the schema when written
    jsonschema.validate(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")), SCHEMA)


def test_covering_layer_share_is_one_not_more(tmp_path):
    """The issue's case: a layer covering the footprint came out 1.0000018 (schema failure)."""
    fp_geom = shapely.Polygon([(598000, 4130000), (611000, 4131000), (612000, 4139000), (604000, 4141000),
                               (597000, 4138000)])
    cover = [box(590_000, 4_120_000, 605_000, 4_150_000), box(605_000, 4_120_000, 620_000, 4_150_000)]
    fp = Footprint(gdf=gpd.GeoDataFrame(geometry=[fp_geom], crs=4544), source="big.gpkg")
    res = review_file(fp, _catalog(tmp_path, cover, ["", ""]))
    lyr = res.data["layers"][0]
    assert lyr["share_of_footprint"] == pytest.approx(1.0, rel=1e-10) and lyr["share_of_footprint"] <= 1.0
    assert lyr["area"]["ellipsoidal_m2"] <= res.data["footprint"]["area"]["ellipsoidal_m2"]


def test_result_is_validated_when_written(tmp_path):
    fp = Footprint(gdf=gpd.GeoDataFrame(geometry=[box(600_000, 4_140_000, 600_100, 4_140_100)], crs=4544),
                   source="a.gpkg")
    res = review_file(fp, _catalog(tmp_path, [box(600_050, 4_140_000, 600_200, 4_140_100)], ["核心保护区"]))
    res.data["layers"][0]["share_of_footprint"] = 1.5
    with pytest.raises(NingxiaGisError, match=r"share_of_footprint") as err:
        write_output("json", res, tmp_path / "bad.json")
    assert "结果格式" in str(err.value) and "Error" not in str(err.value)
    assert not (tmp_path / "bad.json").exists()


def test_vertex_only_area_only_on_request_and_labelled(tmp_path):
    fp = Footprint(gdf=gpd.GeoDataFrame(geometry=[box(600_000, 4_130_000, 612_000, 4_141_000)], crs=4544),
                   source="a.gpkg")
    cat = _catalog(tmp_path, [box(590_000, 4_120_000, 605_000, 4_150_000)], [""])
    plain = review_file(fp, cat)
    assert "area_vertex_only" not in plain.data["footprint"]
    assert plain.data["area_method"]["id"] == "gk_densified_trapezoid"
    asked = review_file(fp, cat, vertex_area=True)
    v = asked.data["footprint"]["area_vertex_only"]
    assert v["id"] == "vertex_trapezoid" and "顶点法" in v["label"]
    assert v["ellipsoidal_m2"] == pytest.approx(ellipsoidal_areas([fp.gdf.geometry[0]], 4544, vertices_only=True)[0])
    jsonschema.validate(asked.data, SCHEMA)


# ------------------------------------------------------------------------------------ location checks

def _wrong_prefix(tmp_path) -> Path:
    """zone36.txt (盐池县) with its zone-36 eastings written with prefix 35 (and 带号=35)."""
    b = (DATA / "zone36.txt").read_bytes().replace(b",36447", b",35447")
    b = b.replace("带号=36".encode("gbk"), "带号=35".encode("gbk"))
    p = tmp_path / "wrong_prefix.txt"
    p.write_bytes(b)
    return p


def test_wrong_zone_prefix_refused_naming_the_fix(tmp_path):
    p = _wrong_prefix(tmp_path)
    with pytest.raises(FootprintError) as err:
        load_footprint(p)
    msg = str(err.value)
    assert "wrong_prefix.txt" in msg and "不在宁夏境内" in msg and "outside Ningxia" in msg
    assert "带号前缀应为 36" in msg and "盐池县" in msg and "zone prefix of the eastings should be 36" in msg
    assert "--no-range-check" in msg and str(tmp_path) not in msg
    # the escape still works, and the suggested reading is in Ningxia
    assert load_footprint(p, check_range=False).crs.to_epsg() == 4523
    assert load_footprint(DATA / "zone36.txt").crs.to_epsg() == 4524


def test_wrong_central_meridian_refused(tmp_path):
    gdf = gpd.GeoDataFrame(geometry=[box(447_000, 4_180_000, 447_150, 4_180_100)], crs=4544)  # meant CM 108E
    gdf.to_file(tmp_path / "cm.gpkg", engine="pyogrio")
    with pytest.raises(FootprintError, match=r"带号应为 36（中央经线 108°E") as err:
        load_footprint(tmp_path / "cm.gpkg")
    assert "盐池县" in str(err.value)


def test_far_outside_without_a_fix(tmp_path):
    gdf = gpd.GeoDataFrame(geometry=[box(103.6, 36.0, 103.61, 36.01)], crs=4490)  # in Gansu, inside the old box
    gdf.to_file(tmp_path / "gansu.geojson", engine="pyogrio")
    with pytest.raises(FootprintError, match="不能使其落入宁夏"):
        load_footprint(tmp_path / "gansu.geojson")


def test_footprint_across_the_boundary_warns(tmp_path):
    gdf = gpd.GeoDataFrame(geometry=[box(36_446_000, 4_160_000, 36_448_000, 4_190_000)], crs=4524)
    gdf.to_file(tmp_path / "across.gpkg", engine="pyogrio")
    fp = load_footprint(tmp_path / "across.gpkg")
    assert any("位于宁夏边界之外" in w and "outside Ningxia's boundary" in w for w in fp.warnings)


def test_county_layer_is_real_and_documented():
    info = pyogrio.read_info(SAMPLE_LAYERS / "ningxia_counties.gpkg", layer="XZQ")
    assert info["features"] == 22 and info["crs"] == "EPSG:4490"
    meta = info["layer_metadata"]
    assert meta["LICENCE"] == "MIT" and meta["SOURCE_CRS"] == "GCJ-02" and "MIT License" in meta["LICENCE_TEXT"]
    assert "GCJ-02" in meta["DESCRIPTION"] and "0.5 m" in meta["DESCRIPTION"]
    gdf = gpd.read_file(SAMPLE_LAYERS / "ningxia_counties.gpkg", layer="XZQ")
    assert set(gdf["XZQDM"].str[:2]) == {"64"} and {"红寺堡区", "盐池县", "泾源县"} <= set(gdf["XZQMC"])
    # counties tile the region without overlaps: Σ counties = their union (the source's own province
    # outline, not shipped, measures 51 982 km² on the same data)
    areas = ellipsoidal_areas(gdf.geometry.values, 4490)
    union = ellipsoidal_areas([shapely.union_all(gdf.geometry.values)], 4490)[0]
    assert areas.sum() == pytest.approx(union, rel=1e-4)
    assert 51_500 < areas.sum() / 1e6 < 52_500
    assert (SAMPLE_LAYERS / "ningxia_counties.LICENSE.txt").read_text(encoding="utf-8").count("MIT License") == 1


def test_gcj02_inverse_is_below_half_a_metre():
    spec = importlib.util.spec_from_file_location("mcl", ROOT / "tools" / "make_county_layer.py")
    mcl = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mcl)
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(104, 108, 1000), rng.uniform(35, 39.5, 1000)
    glon, glat = mcl.wgs84_to_gcj02(lon, lat)
    shift = np.hypot((glon - lon) * 111_320 * np.cos(np.radians(lat)), (glat - lat) * 110_570)
    assert 50 < shift.min() and shift.max() < 1000  # GCJ-02 moves points by a few hundred metres here
    wlon, wlat, res = mcl.gcj02_to_wgs84(glon, glat)
    err = np.hypot((wlon - lon) * 111_320 * np.cos(np.radians(lat)), (wlat - lat) * 110_570)
    assert err.max() < 0.5 and err.max() < 1e-3 and res < 1e-9


# ------------------------------------------------------------------------ zone rule at exactly 106.5°E

def test_zone_rule_is_half_open_at_every_boundary():
    assert gk3_zone_for_lon(106.5) == 36 and gk3_zone_for_lon(106.49999) == 35
    assert gk3_zone_for_lon(103.5) == 35 and gk3_zone_for_lon(109.5) == 37  # round() gave 34 and 36 here
    assert analysis_epsg_for_lon(106.5) == 4545


def test_centroid_on_106_5_printed_and_zone_agree(tmp_path):
    fp = Footprint(gdf=gpd.GeoDataFrame(geometry=[box(106.49, 37.40, 106.51, 37.41)], crs=4490), source="b.gpkg")
    epsg = analysis_epsg(fp)
    block, _ = footprint_block(fp, epsg)
    lon = block["centroid_lonlat"][0]
    assert lon == 106.5 and epsg == analysis_epsg_for_lon(lon) == 4545
    for dx in (-3e-6, 3e-6, -6e-6, 6e-6):  # around the boundary: printed value and zone never disagree
        fp2 = Footprint(gdf=gpd.GeoDataFrame(geometry=[box(106.49 + dx, 37.40, 106.51 + dx, 37.41)], crs=4490))
        e2 = analysis_epsg(fp2)
        lon2 = footprint_block(fp2, e2)[0]["centroid_lonlat"][0]
        assert e2 == (4545 if lon2 >= 106.5 else 4544)
        assert f"{lon2:.5f}" == f"{round(lon2, 5):.5f}"


# ------------------------------------------------------------------------------------------- warnings

def test_overlapping_parcels_warned_with_the_overlap_area(tmp_path):
    a = box(600_000, 4_140_000, 600_100, 4_140_100)
    b = box(600_050, 4_140_000, 600_150, 4_140_100)
    c = box(600_150, 4_140_000, 600_250, 4_140_100)  # shares an edge with b only: no warning
    gpd.GeoDataFrame({"地块名称": ["甲", "乙", "丙"]}, geometry=[a, b, c], crs=4544).to_file(
        tmp_path / "p.gpkg", engine="pyogrio")
    fp = load_footprint(tmp_path / "p.gpkg")
    over = [w for w in fp.warnings if "重叠" in w]
    assert len(over) == 1
    e = ellipsoidal_areas([box(600_050, 4_140_000, 600_100, 4_140_100)], 4544)[0]
    assert "'甲'" in over[0] and "'乙'" in over[0] and f"{e:,.2f} m²" in over[0] and "overlap by" in over[0]
    assert over[0] in report_of(fp).warnings
    block, _ = footprint_block(fp, 4544)
    assert block["area"]["planar_m2"] == pytest.approx(25_000.0)  # counted once
    assert sum(p["area"]["planar_m2"] for p in block["parcels"]) == pytest.approx(30_000.0)


def test_footprint_moved_into_the_other_zone_warns_with_declared_area(tmp_path):
    # zone-36 coordinates (EPSG:4524) of a parcel at ~106.45°E, i.e. in zone 35: analysed in CM 105E
    t = Transformer.from_crs(4490, 4524, always_xy=True)
    x, y = t.transform(106.45, 37.45)
    g = box(x, y, x + 300, y + 200)
    gpd.GeoDataFrame({"地块面积": [6.0]}, geometry=[g], crs=4524).to_file(tmp_path / "z.gpkg", engine="pyogrio")
    fp = load_footprint(tmp_path / "z.gpkg")
    res = review_file(fp, _catalog(tmp_path, [box(0, 0, 1, 1)], [""]))
    assert res.data["analysis_crs"]["epsg"] == 4544
    w = next(w for w in res.data["warnings"] if "改在" in w)
    here = res.data["footprint"]["area"]["planar_m2"] / 10_000
    assert f"{here:.4f} 公顷" in w and "原平面 6.0000 公顷" in w and "申报地块面积 6.0000 公顷" in w
    assert f"{here - 6.0:+.4f} 公顷" in w and "declared 地块面积" in w and "椭球面积不受影响" in w
    assert here < 6.0  # 106.45°E is nearer to 108°E than to 105°E: smaller in the CM 105°E plane


# ------------------------------------------------------------------------------------ 未涉及 / 无数据覆盖

def test_summary_and_report_separate_not_touched_from_no_coverage(tmp_path):
    from ningxia_gis.report.model import STATUS_ZH

    assert STATUS_ZH["not_touched"] == "未涉及" and STATUS_ZH["no_coverage"] == "无数据覆盖"
    feats = [box(600_000, 4_140_000, 600_100, 4_140_100), box(605_000, 4_145_000, 605_100, 4_145_100)]
    fp_in = Footprint(gdf=gpd.GeoDataFrame(geometry=[box(602_000, 4_142_000, 602_100, 4_142_100)], crs=4544))
    fp_out = Footprint(gdf=gpd.GeoDataFrame(geometry=[box(590_000, 4_142_000, 590_100, 4_142_100)], crs=4544))
    cat = _catalog(tmp_path, feats, ["", ""])
    inside, outside = review_file(fp_in, cat), review_file(fp_out, cat)
    assert inside.data["layers"][0]["status"] == "not_touched"
    assert outside.data["layers"][0]["status"] == "no_coverage"
    assert "未涉及" in format_summary(inside.data) and "无数据覆盖" not in format_summary(inside.data).split("提示")[0]
    assert "无数据覆盖" in format_summary(outside.data) and "no data coverage" in format_summary(outside.data, "en")
    jsonschema.validate(outside.data, SCHEMA)
