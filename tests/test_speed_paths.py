"""The fast paths (prepared index, subdivided huge polygons, FID attribute fetch, mask reads) give the
same pieces and areas as a naive ``geopandas.overlay`` of the whole layer."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from ningxia_gis.core.areas import ellipsoidal_areas
from ningxia_gis.core.catalog import LayerSource, LayerSpec, load_catalog
from ningxia_gis.review import review_file
from ningxia_gis.core.footprint import Footprint
from ningxia_gis.footprint_io import prepare_footprint
from ningxia_gis.core.layers import read_attributes, read_vector
from ningxia_gis.core.overlay import overlay_layer, subdivide

EPSG = 4544
X0, Y0 = 600_000.0, 4_140_000.0  # near 红寺堡, CM 105E


def huge_polygon(n=20_000, r=3_000.0, cx=X0 + 2_500, cy=Y0 + 2_500, seed=3):
    """A red-line-like polygon with ``n`` vertices, a rough boundary and two holes."""
    rng = np.random.default_rng(seed)
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    k = np.arange(1, 200)
    amp = rng.uniform(0.5, 1, len(k)) * k ** -1.5
    amp *= 0.3 / amp.sum()
    rad = r * (1 + (amp[:, None] * np.sin(k[:, None] * ang + rng.uniform(0, 6.3, len(k))[:, None])).sum(0))
    shell = np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])
    holes = [shapely.Point(cx + dx, cy + dy).buffer(250, quad_segs=16).exterior.coords[::-1]
             for dx, dy in ((-900, 300), (800, -600))]
    return shapely.Polygon(shell, holes)


def parcels(n=30, cell=100.0, seed=5):
    """A jittered grid coverage of n × n parcels (shared edges, no overlaps)."""
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(X0 + np.arange(n + 1) * cell, Y0 + np.arange(n + 1) * cell, indexing="ij")
    c = np.stack([gx, gy], -1) + rng.uniform(-20, 20, (n + 1, n + 1, 2))
    rings = np.stack([c[:-1, :-1], c[1:, :-1], c[1:, 1:], c[:-1, 1:], c[:-1, :-1]], 2).reshape(-1, 5, 2)
    return shapely.polygons(rings)


@pytest.fixture(scope="module")
def layers(tmp_path_factory):
    d = tmp_path_factory.mktemp("speed")
    big = huge_polygon()
    small = [shapely.Point(X0 + 500 * i, Y0 - 400).buffer(120, quad_segs=8) for i in range(8)]
    red = gpd.GeoDataFrame({"HXBM": [f"HX{i:03d}" for i in range(1 + len(small))],
                            "ZRBHDFQ": ["核心保护区"] + ["一般控制区"] * len(small)},
                           geometry=[big, *small], crs=EPSG)
    g = parcels()
    farm = gpd.GeoDataFrame({"YJJBNTTBBH": [f"P{i:05d}" for i in range(len(g))],
                             "DLBM": np.where(np.arange(len(g)) % 3 == 0, "0101", "0103"),
                             "KCXS": np.round(np.arange(len(g)) % 7 * 0.01, 2)}, geometry=g, crs=EPSG)
    pyogrio.write_dataframe(red, d / "red.gpkg", layer="STBHHX")
    pyogrio.write_dataframe(red.to_crs(4490), d / "red4490.gpkg", layer="STBHHX")
    pyogrio.write_dataframe(farm, d / "farm.gpkg", layer="YJJBNT")
    pyogrio.write_dataframe(farm.to_crs(4490), d / "farm4490.shp")
    (d / "catalog.toml").write_text('''
[[layers]]
id = "red"
role = "eco_redline"
path = "red.gpkg"
layer = "STBHHX"
key_fields = ["HXBM", "ZRBHDFQ"]
id_field = "HXBM"
zone_field = "ZRBHDFQ"

[[layers]]
id = "red4490"
role = "eco_redline"
path = "red4490.gpkg"
id_field = "HXBM"
zone_field = "ZRBHDFQ"

[[layers]]
id = "farm"
role = "permanent_basic_farmland"
path = "farm.gpkg"
key_fields = ["YJJBNTTBBH", "DLBM"]
id_field = "YJJBNTTBBH"

[[layers]]
id = "farm4490"
role = "permanent_basic_farmland"
path = "farm4490.shp"
''', encoding="utf-8")
    return {"dir": d, "red": red, "farm": farm, "catalog": d / "catalog.toml"}


def footprints():
    """Footprints across the huge polygon's boundary, in a hole, a thin diagonal road, one far away."""
    road = shapely.LineString([(X0 - 200, Y0 - 600), (X0 + 5_800, Y0 + 5_600)]).buffer(15, cap_style="flat")
    return {
        "blob_on_boundary": shapely.Point(X0 + 5_480, Y0 + 2_500).buffer(400, quad_segs=6),
        "covers_a_hole": shapely.box(X0 + 1_300, Y0 + 2_500, X0 + 1_900, Y0 + 3_100),
        "road": road,
        "big_square": shapely.box(X0 + 100, Y0 + 100, X0 + 2_000, Y0 + 2_900),
        "far_away": shapely.Point(X0 + 40_000, Y0 + 40_000).buffer(300),
    }


def naive(fp, layer: gpd.GeoDataFrame, id_field: str) -> dict[str, tuple[float, float]]:
    """geopandas.overlay of the whole layer: {feature id: (planar m², ellipsoidal m²)}."""
    res = gpd.overlay(gpd.GeoDataFrame({"fp": [1]}, geometry=[fp], crs=EPSG), layer.to_crs(EPSG),
                      how="intersection", keep_geom_type=True)
    res = res[res.area > 0]
    geoms = np.asarray(res.geometry.values, dtype=object)
    return dict(zip(res[id_field], zip(shapely.area(geoms), ellipsoidal_areas(geoms, EPSG))))


def close(a, b, rel=1e-9):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-6)


def test_box_grid_finds_what_brute_force_finds():
    from ningxia_gis.core.layer_index import BoxGrid
    rng = np.random.default_rng(2)
    lo = rng.uniform(0, 10_000, (5_000, 2))
    size = rng.exponential(60, (5_000, 2))
    size[:5] *= 200  # a few very large envelopes (kept aside by the grid)
    boxes = np.column_stack([lo, lo + size])
    grid = BoxGrid(boxes)
    for q in [(100, 100, 400, 300), (-50, -50, 10, 10), (9_990, 9_990, 20_000, 20_000), (0, 0, 10_000, 10_000),
              (5_000, 5_000, 5_000, 5_000), (30_000, 30_000, 30_001, 30_001)]:
        brute = np.nonzero((boxes[:, 0] <= q[2]) & (boxes[:, 2] >= q[0]) & (boxes[:, 1] <= q[3]) & (boxes[:, 3] >= q[1]))[0]
        assert np.array_equal(grid.query(*q), brute), q


def test_subdivide_covers_the_polygon_exactly():
    g = huge_polygon()
    pieces = subdivide(g, max_vertices=256)
    assert len(pieces) > 20
    assert shapely.get_num_coordinates(pieces).max() <= 256
    assert close(shapely.area(pieces).sum(), g.area, 1e-12)
    assert close(shapely.area(shapely.union_all(pieces)), g.area, 1e-12)  # no overlap between pieces
    small = shapely.box(0, 0, 1, 1)
    assert len(subdivide(small)) == 1 and subdivide(small)[0].equals(small)


def test_huge_polygon_is_indexed_as_pieces(layers):
    src = LayerSource(LayerSpec(id="red", role="eco_redline", path=layers["dir"] / "red.gpkg", id_field="HXBM"))
    src.prepare()
    ix = src._ix
    assert ix.kind == "gpkg"  # the GeoPackage R-tree fast path
    assert ix.split.sum() == 1 and ix.piece_count > 20
    assert ix.n_rows == len(layers["red"])


@pytest.mark.parametrize("rtree", [True, False], ids=["gpkg-rtree", "in-memory"])
@pytest.mark.parametrize("name", list(footprints()))
@pytest.mark.parametrize("layer_id,frame,id_field", [("red", "red", "HXBM"), ("red4490", "red", "HXBM"),
                                                     ("farm", "farm", "YJJBNTTBBH")])
def test_prepared_index_matches_naive_overlay(layers, name, layer_id, frame, id_field, rtree, monkeypatch):
    """Both indexes: the GeoPackage R-tree one (geometry read by FID) and the in-memory STRtree one."""
    monkeypatch.setattr(LayerSource, "USE_GPKG_RTREE", rtree)
    fp = footprints()[name]
    cat = load_catalog(layers["catalog"])
    src = next(s for s in cat.sources() if s.spec.id == layer_id)
    src.prepare()
    assert src._ix.kind == ("gpkg" if rtree else "memory")
    cands = src.candidates(fp, EPSG)
    ov = overlay_layer(fp, cands, EPSG, src.spec.role, id_field=id_field)
    ours = {p.feature_id: (p.planar_m2, p.ellipsoidal_m2) for p in ov.pieces if p.planar_m2 > 0}
    ref = naive(fp, layers[frame], id_field)
    assert set(ours) == set(ref)
    for fid, (pa, ea) in ref.items():
        assert close(ours[fid][0], pa), (fid, ours[fid][0], pa)
        assert close(ours[fid][1], ea), (fid, ours[fid][1], ea)
    # one piece per source feature, even for the subdivided one
    assert len({p.feature_id for p in ov.pieces}) == len(ov.pieces)


def test_subdivided_feature_piece_has_the_original_vertices(layers):
    """The rebuilt local geometry brings no cut vertex into the piece (they would shift the ellipsoidal
    area of long edges): the piece equals shapely.intersection with the whole feature, vertex for vertex."""
    fp = footprints()["blob_on_boundary"]
    src = LayerSource(LayerSpec(id="red", role="eco_redline", path=layers["dir"] / "red.gpkg", id_field="HXBM"))
    src.prepare()
    ov = overlay_layer(fp, src.candidates(fp, EPSG), EPSG, "eco_redline", id_field="HXBM")
    (piece,) = [p for p in ov.pieces if p.feature_id == "HX000"]
    whole = shapely.intersection(layers["red"].geometry.iloc[0], fp)
    assert shapely.get_num_coordinates(piece.geometry) == shapely.get_num_coordinates(whole)
    assert shapely.equals_exact(shapely.normalize(piece.geometry), shapely.normalize(whole), tolerance=1e-6)


def _strip(data):
    data = json.loads(json.dumps(data))
    data.pop("created_at")
    return data


def assert_same_result(a, b, path="result"):
    """Equal JSON, but floats to 1e-9 relative and WKT as geometries (a piece rebuilt from a subdivided
    feature may start its rings at another vertex, which moves the last bits of its area)."""
    if isinstance(a, dict):
        assert set(a) == set(b), path
        for k in a:
            assert_same_result(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_result(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert close(a, b), (path, a, b)
    elif path.endswith("geometry_wkt") and a != b:
        ga, gb = shapely.from_wkt(a), shapely.from_wkt(b)
        assert shapely.equals_exact(shapely.normalize(ga), shapely.normalize(gb), tolerance=2e-3), path
    else:
        assert a == b, (path, a, b)


@pytest.mark.parametrize("name", ["blob_on_boundary", "road", "covers_a_hole", "far_away"])
def test_bbox_prepared_and_loaded_paths_give_the_same_result(layers, name):
    fp = Footprint(gdf=gpd.GeoDataFrame({"XMMC": [name]}, geometry=[footprints()[name]], crs=EPSG),
                   source=f"{name}.gpkg", sha256="0" * 64, name=name)
    fp = prepare_footprint(fp)
    plain, prepared, full, loaded = (load_catalog(layers["catalog"]) for _ in range(4))
    for s in prepared.sources():
        s.prepare()
    for s in full.sources():
        s.prepare(attributes=True)
    for s in loaded.sources():
        s.load(EPSG)
    results = [_strip(review_file(fp, c).data) for c in (plain, prepared, full, loaded)]
    for other in results[1:]:
        assert_same_result(results[0], other)
    # without a subdivided feature in play the paths agree to the last bit
    if name == "far_away":
        assert results[1] == results[0]


def test_feature_ids_without_id_field_agree_between_paths(layers):
    """``#n`` (position in the layer) is the same from a bbox read and from the index."""
    fp = footprints()["big_square"]
    ids = []
    for prep in (False, True):
        src = next(s for s in load_catalog(layers["catalog"]).sources() if s.spec.id == "farm4490")
        if prep:
            src.prepare()
        ov = overlay_layer(fp, src.candidates(fp, EPSG), EPSG, "permanent_basic_farmland")
        ids.append(sorted(p.feature_id for p in ov.pieces))
    assert ids[0] == ids[1] and ids[0][0].startswith("#")
    farm = layers["farm"]
    hit = farm.index[farm.intersects(fp)]
    assert sorted(f"#{i + 1}" for i in hit) == ids[0]


def test_attributes_by_fid_are_those_of_the_full_read(layers):
    path = layers["dir"] / "farm.gpkg"
    full = read_vector(path, fid_as_index=True)
    fids = full.index.to_numpy()[[5, 0, 77, 3]]
    got = read_attributes(path, fids=fids)
    want = pd.DataFrame(full.drop(columns="geometry")).loc[fids].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_arrow_read_falls_back_silently(layers):
    a = read_vector(layers["dir"] / "farm.gpkg", use_arrow=True)
    b = read_vector(layers["dir"] / "farm.gpkg")
    assert len(a) == len(b) and list(a.columns) == list(b.columns)
    assert shapely.equals_exact(np.asarray(a.geometry.values), np.asarray(b.geometry.values), 0).all()


def test_mask_read_for_a_thin_diagonal_footprint(layers):
    """A road's candidates come from a mask read: fewer than its bbox holds, none missing."""
    fp = footprints()["road"]
    src = next(s for s in load_catalog(layers["catalog"]).sources() if s.spec.id == "farm")
    cands = src.candidates(fp, EPSG)
    farm = layers["farm"]
    in_bbox = farm.intersects(shapely.box(*fp.bounds)).sum()
    hit = set(farm.loc[farm.intersects(fp), "YJJBNTTBBH"])
    assert hit <= set(cands["YJJBNTTBBH"])
    assert len(cands) < in_bbox
