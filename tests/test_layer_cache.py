"""The GeoPackage copy of a large layer in another format (core.layer_cache): the next session opens it
through the GeoPackage fast path and gets exactly the pieces, ids, attributes and areas of the source."""

from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from ningxia_gis.core import layer_cache
from ningxia_gis.core.areas import ellipsoidal_areas
from ningxia_gis.core.catalog import LayerSource, LayerSpec
from ningxia_gis.core.overlay import overlay_layer
from ningxia_gis.logs import cache_dir

from test_speed_paths import EPSG, X0, Y0, huge_polygon, parcels

FOOTPRINTS = {
    "blob_on_boundary": shapely.Point(X0 + 5_480, Y0 + 2_500).buffer(400, quad_segs=6),
    "over_parcels_and_bowtie": shapely.box(X0 + 100, Y0 + 100, X0 + 2_000, Y0 + 2_900),
}


@pytest.fixture
def shp(tmp_path, app_home):
    """A shapefile in EPSG:4490 with GBK attributes: 900 parcels, a bow-tie, a null shape and a polygon
    of 20,000 vertices (subdivided by the index)."""
    g = list(parcels())
    bowtie = shapely.Polygon([(X0 + 150, Y0 + 150), (X0 + 450, Y0 + 450), (X0 + 450, Y0 + 150), (X0 + 150, Y0 + 450)])
    geoms = g + [bowtie, None, huge_polygon()]
    names = [f"地块{i:04d}" for i in range(len(geoms))]
    gdf = gpd.GeoDataFrame({"BH": names, "MC": ["基本草原" if i % 2 else "一般草原" for i in range(len(geoms))]},
                           geometry=gpd.GeoSeries(geoms, crs=EPSG).to_crs(4490), crs=4490)
    path = tmp_path / "cy.shp"
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    return path, gpd.GeoDataFrame({"BH": names}, geometry=gpd.GeoSeries(geoms, crs=EPSG), crs=EPSG)


def source(path):
    return LayerSource(LayerSpec(id="cy", role="grassland", path=path, id_field="BH", zone_field="MC"))


def pieces(src, fp):
    src.prepare()
    ov = overlay_layer(fp, src.candidates(fp, EPSG), EPSG, "grassland", id_field="BH", zone_field="MC")
    return {p.feature_id: (p.zone, p.planar_m2, p.ellipsoidal_m2) for p in ov.pieces}


@pytest.mark.parametrize("name", list(FOOTPRINTS))
def test_cached_copy_gives_the_sources_pieces(shp, name, monkeypatch):
    monkeypatch.setattr(LayerSource, "CACHE_MIN_FEATURES", 100)
    path, frame = shp
    fp = FOOTPRINTS[name]
    first = source(path)
    from_source = pieces(first, fp)
    assert first._ix.kind == "memory"
    copies = sorted(cache_dir().glob("*.gpkg"))
    assert len(copies) == 1

    second = source(path)
    from_copy = pieces(second, fp)
    assert second._ix.kind == "gpkg" and second._attr_from[0] == copies[0]
    assert from_copy == from_source  # ids, zones (GBK text), planar and ellipsoidal areas, bit for bit
    assert second.sha256 == first.sha256  # provenance is the source file's

    # and both equal an independent overlay of the source geometry (the bow-tie repaired as make_valid does)
    geoms = shapely.make_valid(np.asarray(frame.geometry.values, dtype=object))
    hit = ~shapely.is_missing(geoms) & shapely.intersects(geoms, fp)
    inter = shapely.intersection(geoms[hit], fp)
    ref = {bh: (pa, ea) for bh, pa, ea in zip(frame["BH"][hit], shapely.area(inter), ellipsoidal_areas(inter, EPSG))
           if pa > 0}
    assert set(ref) == {k for k, v in from_copy.items() if v[1] > 0}
    for bh, (pa, ea) in ref.items():
        assert from_copy[bh][1] == pytest.approx(pa, rel=1e-6)  # the copy went through EPSG:4490 and back
        assert from_copy[bh][2] == pytest.approx(ea, rel=1e-6)


def test_changed_source_gets_a_new_copy_and_the_old_one_goes(shp, monkeypatch):
    monkeypatch.setattr(LayerSource, "CACHE_MIN_FEATURES", 100)
    path, frame = shp
    fp = FOOTPRINTS["over_parcels_and_bowtie"]
    pieces(source(path), fp)
    (old,) = cache_dir().glob("*.gpkg")
    # the source is rewritten without its first parcel
    gdf = gpd.read_file(path, encoding="GBK").iloc[1:]
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    s = source(path)
    assert layer_cache.lookup(path, s._cache_options()) is None
    got = pieces(s, fp)
    assert s._ix.kind == "memory" and "地块0000" not in got
    (new,) = cache_dir().glob("*.gpkg")
    assert new != old and not old.exists()
    again = source(path)
    assert pieces(again, fp) == got and again._ix.kind == "gpkg"


def test_small_layers_and_geopackages_get_no_copy(shp, tmp_path):
    path, _frame = shp
    pieces(source(path), FOOTPRINTS["blob_on_boundary"])  # 903 features < CACHE_MIN_FEATURES
    assert not list(cache_dir().glob("*.gpkg"))


def test_unwritable_cache_never_fails_the_check(shp, monkeypatch, tmp_path):
    monkeypatch.setattr(LayerSource, "CACHE_MIN_FEATURES", 100)
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    monkeypatch.setattr(layer_cache, "cache_dir", lambda: blocker / "cache")
    path, _frame = shp
    got = pieces(source(path), FOOTPRINTS["blob_on_boundary"])
    assert got and layer_cache.lookup(path, source(path)._cache_options()) is None
