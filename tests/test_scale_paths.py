"""The paths that keep a 10⁶-vertex footprint fast (issue 17, benchmarks/footprint_scale.py) give the same
figures as the plain computations they replace, checked against independent ones."""

import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from affine import Affine
from pyproj import Geod

from ningxia_gis.core import areas, cell_cover, overlay, raster
from ningxia_gis.core.areas import ellipsoidal_areas, to_lonlat
from ningxia_gis.core.check import _holds, run_check
from ningxia_gis.footprint_io import load_footprint
from ningxia_gis.paths import SAMPLE_CATALOG

EPSG = 4544  # CGCS2000 GK CM 105E
X0, Y0 = 615_000.0, 4_141_000.0  # ≈106.30°E 37.39°N


def circle(n, r=2000.0, x=X0, y=Y0, rough=0.0, seed=0):
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    rr = r * (1 + rough * np.random.default_rng(seed).random(n))
    return shapely.Polygon(np.column_stack([x + rr * np.cos(t), y + rr * np.sin(t)]))


def shapes():
    holey = circle(3000, 900, rough=0.05).difference(circle(400, 300, x=X0 + 100))
    return shapely.MultiPolygon([*shapely.get_parts(holey), shapely.box(X0 + 1200, Y0 + 1200, X0 + 1500, Y0 + 1310)])


# ------------------------------------------------------------------------------------------ areas.py


def test_chunked_series_gives_the_same_bits(monkeypatch):
    geoms = [circle(100_003), shapes(), shapely.box(X0, Y0, X0 + 30_000, Y0 + 40_000), circle(5)]
    ref = {}
    for chunk in (3, 1 << 15, 1 << 40):
        monkeypatch.setattr(areas, "_CHUNK", chunk)
        ref[chunk] = (ellipsoidal_areas(geoms, EPSG), ellipsoidal_areas(geoms, EPSG, vertices_only=True))
    for a, b in zip(ref[3], ref[1 << 40]):
        assert np.array_equal(a, b)
    for a, b in zip(ref[1 << 15], ref[1 << 40]):
        assert np.array_equal(a, b)


def test_many_vertex_ring_agrees_with_geodesic_area():
    poly = circle(200_000)  # edges of 6 cm: geodesic and GK-straight edges coincide
    expected = abs(Geod(ellps="GRS80").geometry_area_perimeter(to_lonlat([poly], EPSG)[0])[0])
    assert ellipsoidal_areas([poly], EPSG)[0] == pytest.approx(expected, rel=1e-9)


# ------------------------------------------------------------------------------------ cell_cover.py


def cell_by_cell(geom, tr, shape):
    """Each cell's share, one intersection with the whole polygon per cell (independent of both paths)."""
    h, w = shape
    r, c = np.divmod(np.arange(h * w), w)
    xa, xb = tr.c + tr.a * c, tr.c + tr.a * (c + 1)
    ya, yb = tr.f + tr.e * r, tr.f + tr.e * (r + 1)
    boxes = shapely.box(np.minimum(xa, xb), np.minimum(ya, yb), np.maximum(xa, xb), np.maximum(ya, yb))
    return (shapely.area(shapely.intersection(boxes, geom)) / abs(tr.a * tr.e)).reshape(h, w)


@pytest.mark.parametrize("tr,shape", [
    (Affine(37.0, 0, X0 - 1000, 0, -37.0, Y0 + 1400), (70, 80)),       # the whole shape
    (Affine(23.0, 0, X0 - 300, 0, -29.0, Y0 + 500), (40, 90)),         # a window cutting through it
    (Affine(-31.0, 0, X0 + 1600, 0, 31.0, Y0 - 1000), (90, 90)),       # axes flipped
    # cells larger than the hole; GEOS rectangle clipping of one quarter gave its complement here
    (Affine(400.0, 0, X0 - 1200, 0, -400.0, Y0 + 1600), (8, 8)),
])
def test_complex_fractions_are_the_exact_cell_shares(monkeypatch, tr, shape):
    monkeypatch.setattr(cell_cover, "LEAF_VERTICES", 60)  # deep quadtree on a small polygon
    g = shapes()
    got = cell_cover.complex_fractions(g, tr, shape)
    exact = cell_by_cell(g, tr, shape)
    assert np.abs(got - exact).max() < 1e-10  # shoelace rounding at GK coordinates of 4e6 m
    plain = raster.cell_fractions(g, tr, shape)  # below COMPLEX_VERTICES: rasterize + tiles
    assert np.abs(got - plain).max() < 1e-10


def test_cell_fractions_of_a_complex_polygon_take_the_vectorised_path(monkeypatch):
    g = circle(cell_cover.COMPLEX_VERTICES + 10_000, 1000)
    tr, shape = Affine(90.0, 0, X0 - 1100, 0, -90.0, Y0 + 1100), (25, 25)
    calls = []
    real = raster.complex_fractions
    monkeypatch.setattr(raster, "complex_fractions", lambda *a: calls.append(1) or real(*a))
    got = raster.cell_fractions(g, tr, shape)
    assert calls
    assert np.abs(got - cell_by_cell(g, tr, shape)).max() < 1e-10
    assert got.sum() * 90.0 ** 2 == pytest.approx(g.area, rel=1e-12)


# ------------------------------------------------------------------------------- overlay and check


def test_area_of_each_geometry_object_computed_once():
    a, b = circle(1000), shapes()
    arr = np.array([a, b, a, a, b], dtype=object)
    assert np.array_equal(overlay._areas_once(arr, EPSG), ellipsoidal_areas(arr, EPSG))


def test_holds_is_the_grown_piece_covering_the_point():
    sq = shapely.box(0, 0, 10, 10)
    for x, y in [(5, 5), (10, 5), (10 + 5e-7, 5), (10 + 2e-6, 5), (10 + 5e-7, 10 + 5e-7), (30, 30)]:
        pt = shapely.Point(x, y)
        assert _holds(sq, pt) == bool(sq.buffer(1e-6).covers(pt)), (x, y)


def _figures(data) -> list[tuple[str, float]]:
    out = []

    def walk(v, path):
        if isinstance(v, dict):
            for k, x in v.items():
                walk(x, f"{path}/{k}")
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk(x, f"{path}/{i}")
        elif isinstance(v, float) and ("area" in path or "share" in path or "_m2" in path):
            out.append((path, v))
    walk(data, "")
    return out


def test_complex_footprint_paths_give_the_same_check_figures(monkeypatch):
    """A sample footprint checked with every complex-footprint path forced on (footprint clipping, zone
    dissolve in candidate space, a one-piece zone as its piece, vectorised cell fractions) gives the same
    areas, to 1e-9, as the ordinary check of it."""
    from ningxia_gis.paths import RESOURCES  # noqa: F401 - the sample catalog's package data
    path = SAMPLE_CATALOG.parent / "footprints" / "pv_on_farmland.geojson"
    plain = run_check(load_footprint(path), SAMPLE_CATALOG).data
    monkeypatch.setattr(overlay, "FOOTPRINT_CLIP_VERTICES", 0)
    monkeypatch.setattr(raster, "COMPLEX_VERTICES", 0)
    fast = run_check(load_footprint(path), SAMPLE_CATALOG).data
    a, b = _figures(plain), _figures(fast)
    assert [p for p, _ in a] == [p for p, _ in b] and len(a) > 50
    for (p, x), (_, y) in zip(a, b):
        assert y == pytest.approx(x, rel=1e-9, abs=1e-6), p
    assert [lay["status"] for lay in plain["layers"]] == [lay["status"] for lay in fast["layers"]]
    assert any(r["stats"] or r["classes"] for r in fast["rasters"])


# ------------------------------------------------------------------------------------ DXF attributes


def test_dxf_attributes_are_looked_for_only_in_drawings_we_wrote(tmp_path, monkeypatch):
    """`footprint inspect` of a DXF restores our writers' fields; a drawing without our APPID is not
    loaded a second time by ezdxf (a minute and 1.5 GB for 10⁶ entities)."""
    import ezdxf

    from ningxia_gis.footprint_io import convert_footprint
    from ningxia_gis.footprint_io.attributes import APPID
    from ningxia_gis.footprint_io.convert import load_with_attributes

    src = Path(__file__).parent / "data" / "footprints" / "multi_parcel.txt"
    ours = tmp_path / "ours.dxf"
    convert_footprint(src, ours)
    assert APPID.encode() in ours.read_bytes()
    other = tmp_path / "other.dxf"
    doc = ezdxf.new()
    doc.modelspace().add_lwpolyline([(X0, Y0), (X0 + 50, Y0), (X0 + 50, Y0 + 40), (X0, Y0 + 40)], close=True,
                                    dxfattribs={"layer": "红线"})
    doc.saveas(other)
    reads = []
    real = ezdxf.readfile
    monkeypatch.setattr(ezdxf, "readfile", lambda *a, **k: reads.append(a[0]) or real(*a, **k))
    fp = load_with_attributes(ours)
    assert list(fp.gdf["地块编号"]) == ["DK05", "DK06"] and reads
    reads.clear()
    load_with_attributes(other, crs=EPSG)
    assert not reads
