"""The overlay check on hand-built layers whose overlap areas are known by construction."""

import json
from pathlib import Path

import geopandas as gpd
import jsonschema
import pytest
import shapely
from shapely.geometry import box

from ningxia_gis.core.areas import ellipsoidal_areas
from ningxia_gis.core.catalog import load_catalog
from ningxia_gis.review import review_file
from ningxia_gis.domain.errors import CatalogError, CRSError, FootprintError, InputError
from ningxia_gis.footprint_io import load_footprint
from ningxia_gis.paths import RESOURCES, SAMPLE_CATALOG

SCHEMA = json.loads((RESOURCES / "schema" / "check_result.schema.json").read_text(encoding="utf-8"))

# design coordinates in GK CM 108E (EPSG:4545), around 106.6E 37.4N (zone 36)
X0, Y0 = 380_000.0, 4_140_000.0


def write_catalog(tmp_path: Path, layers: dict[str, gpd.GeoDataFrame], roles: dict[str, str], **extra) -> Path:
    gpkg = tmp_path / "layers.gpkg"
    lines = ['[catalog]\nname = "test"\n']
    for name, gdf in layers.items():
        gdf.to_file(gpkg, layer=name, driver="GPKG", engine="pyogrio")
        lines.append(f'[[layers]]\nid = "{name.lower()}"\nrole = "{roles[name]}"\npath = "layers.gpkg"\n'
                     f'layer = "{name}"\n' + "".join(f'{k} = {json.dumps(v, ensure_ascii=False)}\n'
                                                    for k, v in extra.get(name, {}).items()))
    cat = tmp_path / "catalog.toml"
    cat.write_text("\n".join(lines), encoding="utf-8")
    return cat


def write_fp(tmp_path: Path, geom, crs, name="fp.gpkg", src_crs=None) -> Path:
    gdf = gpd.GeoDataFrame({"XMMC": ["测试项目"]}, geometry=[geom], crs=src_crs or crs)
    if src_crs:
        gdf = gdf.to_crs(crs)
    path = tmp_path / name
    gdf.to_file(path, engine="pyogrio")
    return path


def layer(geoms, crs=4545, **cols):
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=crs)


def by_id(result, layer_id):
    return next(lyr for lyr in result.data["layers"] if lyr["id"] == layer_id)


def test_two_overlapping_features_are_not_double_counted(tmp_path):
    a = box(X0, Y0, X0 + 1000, Y0 + 1000)
    b = box(X0 + 500, Y0, X0 + 1500, Y0 + 1000)  # overlaps a on 500 × 1000
    red = layer([a, b], HXBM=["A", "B"], HXMC=["甲", "乙"], ZRBHDFQ=["核心保护区", ""])
    cat = write_catalog(tmp_path, {"STBHHX": red}, {"STBHHX": "eco_redline"},
                        STBHHX={"id_field": "HXBM", "key_fields": ["HXBM", "HXMC"], "zone_field": "ZRBHDFQ"})
    fp_geom = box(X0 + 250, Y0 + 200, X0 + 1250, Y0 + 600)  # 1000 × 400, fully inside a ∪ b
    res = review_file(write_fp(tmp_path, fp_geom, 4545), cat)
    red_r = by_id(res, "stbhhx")
    assert res.data["analysis_crs"]["epsg"] == 4545
    assert red_r["hit_count"] == 2 and red_r["status"] == "occupied"
    pieces = {p["feature_id"]: p for p in red_r["pieces"]}
    assert pieces["A"]["area"]["planar_m2"] == pytest.approx(750 * 400)
    assert pieces["B"]["area"]["planar_m2"] == pytest.approx(750 * 400)
    assert pieces["A"]["key"] == {"HXBM": "A", "HXMC": "甲"}
    # dissolved total = the footprint itself, not the 1.5× sum of pieces
    assert red_r["area"]["planar_m2"] == pytest.approx(1000 * 400)
    expected_e = ellipsoidal_areas([fp_geom], 4545)[0]
    # the union adds vertices where a and b meet: the GK-densified area does not see them (issue 13)
    assert red_r["area"]["ellipsoidal_m2"] == pytest.approx(expected_e, rel=1e-9)
    assert red_r["area"]["ellipsoidal_m2"] <= res.data["footprint"]["area"]["ellipsoidal_m2"]
    assert red_r["share_of_footprint"] == pytest.approx(1.0, rel=1e-9) and red_r["share_of_footprint"] <= 1.0
    zones = {z["zone"]: z for z in red_r["by_zone"]}
    # where a (核心保护区) and b (核心保护区外) overlap, the stricter zone wins the shared 500 × 400
    assert zones["核心保护区"]["area"]["planar_m2"] == pytest.approx(750 * 400)
    assert zones["核心保护区外"]["area"]["planar_m2"] == pytest.approx(250 * 400)
    assert zones["核心保护区外"]["shared_with_stricter_m2"] == pytest.approx(
        ellipsoidal_areas([box(X0 + 500, Y0 + 200, X0 + 1000, Y0 + 600)], 4545)[0], rel=1e-9)
    for k in ("planar_m2", "ellipsoidal_m2"):
        assert sum(z["area"][k] for z in red_r["by_zone"]) == pytest.approx(red_r["area"][k], rel=1e-12)
    assert red_r["area"]["ellipsoidal_mu"] == pytest.approx(expected_e * 0.0015, rel=1e-9)
    jsonschema.validate(res.data, SCHEMA)


@pytest.mark.parametrize("fp_crs,layer_crs", [(4490, 4545), (4545, 4490), (4524, 4490), (4490, 4524)])
def test_footprint_and_layers_in_different_crs(tmp_path, fp_crs, layer_crs):
    """Same ground truth whatever CRS the inputs are delivered in (geographic, GK with/without prefix)."""
    farm = gpd.GeoDataFrame({"YJJBNTTBBH": ["F1"]}, geometry=[box(X0, Y0, X0 + 800, Y0 + 600)], crs=4545)
    cat = write_catalog(tmp_path, {"YJJBNT": farm.to_crs(layer_crs)}, {"YJJBNT": "permanent_basic_farmland"},
                        YJJBNT={"id_field": "YJJBNTTBBH"})
    fp_design = box(X0 + 400, Y0 + 300, X0 + 1200, Y0 + 900)  # overlap 400 × 300 in the design plane
    res = review_file(write_fp(tmp_path, fp_design, fp_crs, src_crs=4545), cat)
    r = by_id(res, "yjjbnt")
    assert res.data["analysis_crs"]["epsg"] == 4545
    # vertices survive the round trip through lon/lat within millimetres; overlap edges are straight lines in
    # whichever CRS the data were stored, hence a tolerance of a few m² on 120 000 m²
    assert r["area"]["planar_m2"] == pytest.approx(400 * 300, abs=5.0)
    assert r["pieces"][0]["feature_id"] == "F1"
    assert r["area"]["ellipsoidal_m2"] == pytest.approx(ellipsoidal_areas([box(X0 + 400, Y0 + 300, X0 + 800, Y0 + 600)],
                                                                        4545)[0], abs=5.0)


def test_zone_35_and_zone_36_footprints_choose_their_own_plane(tmp_path):
    grass = gpd.GeoDataFrame({"CYBH": ["W", "E"], "SFJBCY": ["是", "否"]},
                             geometry=[box(106.3, 37.3, 106.5, 37.5), box(106.5, 37.3, 106.7, 37.5)], crs=4490)
    cat = write_catalog(tmp_path, {"CY": grass}, {"CY": "grassland"},
                        CY={"id_field": "CYBH", "zone_field": "SFJBCY"})
    west = box(106.40, 37.40, 106.41, 37.41)
    east = box(106.60, 37.40, 106.61, 37.41)
    rw = review_file(write_fp(tmp_path, west, 4490, "w.gpkg"), cat)
    re_ = review_file(write_fp(tmp_path, east, 4490, "e.gpkg"), cat)
    assert rw.data["analysis_crs"]["epsg"] == 4544 and re_.data["analysis_crs"]["epsg"] == 4545
    assert by_id(rw, "cy")["by_zone"][0]["zone"] == "基本草原"
    assert by_id(re_, "cy")["by_zone"][0]["zone"] == "一般草原"
    for res, geom in ((rw, west), (re_, east)):
        # the ellipsoidal area does not depend on the plane; edges are meridians/parallels here (to < 1 m²)
        exact = ellipsoidal_areas([geom], 4326)[0]
        assert res.data["footprint"]["area"]["ellipsoidal_m2"] == pytest.approx(exact, abs=1.0)
        assert by_id(res, "cy")["area"]["ellipsoidal_m2"] == pytest.approx(exact, abs=1.0)


def test_footprint_outside_every_layer_is_a_valid_result(tmp_path):
    red = layer([box(X0, Y0, X0 + 100, Y0 + 100)], HXBM=["A"])
    cat = write_catalog(tmp_path, {"STBHHX": red}, {"STBHHX": "eco_redline"})
    res = review_file(write_fp(tmp_path, box(X0 + 50_000, Y0, X0 + 50_100, Y0 + 100), 4545), cat)
    r = by_id(res, "stbhhx")
    # 50 km from the layer's only feature, outside its extent: no data there (无数据覆盖), not 未涉及
    assert r["status"] == "no_coverage" and r["hit_count"] == 0 and r["area"]["ellipsoidal_m2"] == 0
    assert any("无数据覆盖" in w for w in r["warnings"])
    jsonschema.validate(res.data, SCHEMA)


def test_not_touched_inside_the_extent_and_no_coverage_outside(tmp_path):
    red = layer([box(X0, Y0, X0 + 100, Y0 + 100), box(X0 + 5000, Y0 + 5000, X0 + 5100, Y0 + 5100)],
                HXBM=["A", "B"])
    cat = write_catalog(tmp_path, {"STBHHX": red}, {"STBHHX": "eco_redline"})
    inside = review_file(write_fp(tmp_path, box(X0 + 2000, Y0 + 2000, X0 + 2100, Y0 + 2100), 4545), cat)
    r = by_id(inside, "stbhhx")
    assert r["status"] == "not_touched" and not r["warnings"]
    # half in the extent, half out: still 未涉及, with a note on the uncovered share
    half = review_file(write_fp(tmp_path, box(X0 + 5050, Y0 + 2000, X0 + 5150, Y0 + 2100), 4545, name="h.gpkg"), cat)
    r = by_id(half, "stbhhx")
    assert r["status"] == "not_touched" and any("50.0 %" in w for w in r["warnings"])
    out = review_file(write_fp(tmp_path, box(X0 - 3000, Y0, X0 - 2900, Y0 + 100), 4545, name="o.gpkg"), cat,
                      activity="pv_power")
    r = by_id(out, "stbhhx")
    assert r["status"] == "no_coverage"
    zone = next(z for z in out.data["verdicts"]["zones"] if z["layer_id"] == "stbhhx")
    assert zone["status"] == "no_coverage" and zone["verdict"] == "需人工判定"
    jsonschema.validate(out.data, SCHEMA)


def test_touching_edge_and_sliver_are_not_occupation(tmp_path):
    red = layer([box(X0, Y0, X0 + 100, Y0 + 100)], HXBM=["A"])
    cat = write_catalog(tmp_path, {"STBHHX": red}, {"STBHHX": "eco_redline"})
    touching = review_file(write_fp(tmp_path, box(X0 + 100, Y0, X0 + 200, Y0 + 100), 4545, "t.gpkg"), cat)
    assert by_id(touching, "stbhhx")["status"] == "touching"
    sliver = review_file(write_fp(tmp_path, box(X0 + 99.995, Y0, X0 + 200, Y0 + 100), 4545, "s.gpkg"), cat)
    r = by_id(sliver, "stbhhx")
    assert r["status"] == "touching" and r["pieces"][0]["sliver"] is True
    assert r["area"]["planar_m2"] == pytest.approx(0.5, rel=1e-6)
    strict = review_file(write_fp(tmp_path, box(X0 + 99.995, Y0, X0 + 200, Y0 + 100), 4545, "s2.gpkg"), cat,
                       sliver_m2=0.1)
    assert by_id(strict, "stbhhx")["status"] == "occupied"


def test_self_intersecting_footprint_is_repaired_with_a_warning(tmp_path):
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    path = tmp_path / "bowtie.geojson"
    gpd.GeoDataFrame(geometry=[bowtie], crs=4545).to_file(path, engine="pyogrio")
    red = layer([box(X0 - 10, Y0 - 10, X0 + 200, Y0 + 200)], HXBM=["A"])
    cat = write_catalog(tmp_path, {"STBHHX": red}, {"STBHHX": "eco_redline"})
    res = review_file(path, cat)
    assert any("make_valid" in w for w in res.data["warnings"])
    assert res.data["footprint"]["area"]["planar_m2"] == pytest.approx(5000.0)  # two triangles of 2500 m²
    assert by_id(res, "stbhhx")["area"]["planar_m2"] == pytest.approx(5000.0)


def test_gbk_shapefile_without_cpg_is_decoded(tmp_path):
    gdf = gpd.GeoDataFrame({"TBBH": ["1"], "DLBM": ["0102"], "DLMC": ["水浇地"]},
                           geometry=[box(X0, Y0, X0 + 100, Y0 + 100)], crs=4545)
    shp = tmp_path / "DLTB.shp"
    gdf.to_file(shp, engine="pyogrio", encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    assert "水浇地".encode("gbk") in shp.with_suffix(".dbf").read_bytes()
    cat = load_catalog(tmp_path)  # roles guessed from the national layer name
    spec = cat.layers[0]
    assert spec.role == "cultivated_land" and spec.zone_field == "DLBM"
    res = review_file(write_fp(tmp_path, box(X0, Y0, X0 + 50, Y0 + 100), 4545), cat)
    piece = res.data["layers"][0]["pieces"][0]
    assert piece["attributes"]["DLMC"] == "水浇地" and piece["zone"] == "0102 水浇地"


def test_zone_prefixed_footprint_declared_without_prefix_is_repaired(tmp_path):
    """Coordinates with the 35 zone prefix but a .prj of EPSG:4544: read as EPSG:4523, with a warning."""
    g = box(35_594_000, 4_143_000, 35_594_100, 4_143_100)
    path = tmp_path / "fp.shp"
    gpd.GeoDataFrame(geometry=[g], crs=4544).to_file(path, engine="pyogrio")
    fp = load_footprint(path)
    assert fp.crs.to_epsg() == 4523
    res = review_file(fp, write_catalog(tmp_path, {"STBHHX": layer([box(X0, Y0, X0 + 1, Y0 + 1)])},
                                      {"STBHHX": "eco_redline"}))
    assert res.data["analysis_crs"]["epsg"] == 4544
    assert res.data["footprint"]["area"]["planar_m2"] == pytest.approx(10_000.0, abs=1e-3)


def test_bad_inputs_give_clear_errors(tmp_path):
    cat = write_catalog(tmp_path, {"STBHHX": layer([box(X0, Y0, X0 + 1, Y0 + 1)])}, {"STBHHX": "eco_redline"})
    with pytest.raises(InputError, match="not found"):
        load_footprint(tmp_path / "missing.geojson")
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not geojson", encoding="utf-8")
    with pytest.raises(InputError, match="junk.geojson"):
        load_footprint(junk)
    empty = tmp_path / "empty.geojson"
    empty.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(FootprintError, match="no polygon"):
        review_file(empty, cat)
    noprj = tmp_path / "noprj.shp"
    gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 10, Y0 + 10)], crs=4545).to_file(noprj, engine="pyogrio")
    noprj.with_suffix(".prj").unlink()
    with pytest.raises(FootprintError, match="no coordinate system"):
        load_footprint(noprj)
    nocrs_layer = tmp_path / "nocrs"
    nocrs_layer.mkdir()
    gpd.GeoDataFrame({"HXBM": ["A"]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)], crs=4545).to_file(
        nocrs_layer / "STBHHX.shp", engine="pyogrio")
    (nocrs_layer / "STBHHX.prj").unlink()
    with pytest.raises(CRSError, match="STBHHX.shp"):
        review_file(write_fp(tmp_path, box(X0, Y0, X0 + 10, Y0 + 10), 4545), nocrs_layer)
    bad_cat = tmp_path / "bad.toml"
    bad_cat.write_text('[[layers]]\nid = "x"\nrole = "eco_redline"\npath = "nope.gpkg"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="nope.gpkg"):
        load_catalog(bad_cat)
    bad_cat.write_text('[[layers]]\nid = "x"\nrole = "bogus"\npath = "layers.gpkg"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="unknown role 'bogus'"):
        load_catalog(bad_cat)


def test_sample_layers_are_synthetic_and_complete():
    cat = load_catalog(SAMPLE_CATALOG)
    assert cat.synthetic and "合成" in cat.note
    roles = {s.role for s in cat.layers}
    assert {"eco_redline", "permanent_basic_farmland", "cultivated_land", "urban_boundary", "grassland",
            "nature_reserve"} <= roles
    for src in cat.sources():
        assert src.source_crs.to_epsg() == 4490
        minx, miny, maxx, maxy = src.info["total_bounds"]
        if src.spec.role == "admin_boundary":  # the real counties of the whole region (issue 13)
            assert src.spec.path.name == "ningxia_counties.gpkg" and src.info["features"] == 22
            assert 104.2 < minx < 104.4 and 107.6 < maxx < 107.7 and 35.2 < miny < 35.3 and 39.3 < maxy < 39.4
        else:  # synthetic, around 红寺堡区
            assert 105.5 < minx and maxx < 107.0 and 36.6 < miny and maxy < 38.0


def test_folder_with_filegdb_and_kml_layers_is_recognised(tmp_path):
    """三区三线 FileGDB with Chinese feature-class names, and a KML from a handheld GPS."""
    data = tmp_path / "data"
    data.mkdir()
    red = gpd.GeoDataFrame({"HXBM": ["R1"], "HXMC": ["红线甲"]}, geometry=[box(106.60, 37.40, 106.61, 37.41)],
                           crs=4490)
    red.to_file(data / "三区三线下发版.gdb", layer="陆域生态保护红线", driver="OpenFileGDB", engine="pyogrio")
    farm = gpd.GeoDataFrame({"YJJBNTTBBH": ["F1"]}, geometry=[box(106.605, 37.40, 106.62, 37.41)], crs=4326)
    farm.to_file(data / "YJJBNT.kml", driver="KML", engine="pyogrio")
    cat = load_catalog(data)
    assert sorted(s.role for s in cat.layers) == ["eco_redline", "permanent_basic_farmland"]
    fp = box(106.600, 37.400, 106.610, 37.405)
    res = review_file(write_fp(tmp_path, fp, 4490), cat)
    red_r = next(x for x in res.data["layers"] if x["role"] == "eco_redline")
    farm_r = next(x for x in res.data["layers"] if x["role"] == "permanent_basic_farmland")
    full = ellipsoidal_areas([fp], 4326)[0]
    assert red_r["area"]["ellipsoidal_m2"] == pytest.approx(full, rel=1e-4)
    assert red_r["pieces"][0]["key"]["HXMC"] == "红线甲"
    assert farm_r["area"]["ellipsoidal_m2"] == pytest.approx(full / 2, rel=1e-3)
