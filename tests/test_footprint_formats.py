"""DXF, KML/KMZ, CSV/XLSX tables, GIS formats and conversion between them."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import ezdxf
import openpyxl
import pytest
import shapely
from pyproj import Geod

from ningxia_gis.core.areas import to_lonlat
from ningxia_gis.domain.errors import FootprintError, InputError
from ningxia_gis.footprint_io import load_footprint, report_of
from ningxia_gis.footprint_io.convert import convert_footprint, write_footprint

DATA = Path(__file__).parent / "data" / "footprints"
GEOD = Geod(ellps="GRS80")
E0, N0 = 35_594_000.0, 4_143_000.0


def geod_area(geom, crs) -> float:
    ll = to_lonlat([geom], crs)[0]
    return sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(ll))


def rect(e, n, w, h):
    """Corners (x = easting, y = northing) of a w x h rectangle with its NW corner at (e, n)."""
    return [(e, n), (e + w, n), (e + w, n - h), (e, n - h)]


# ------------------------------------------------------------------------------------------------ DXF

@pytest.fixture
def two_polylines_dxf(tmp_path):
    """Two closed LWPOLYLINEs on 红线 (200 x 100 and 100 x 50 m), one 扣除 ring inside the first (40 x 20),
    a map frame on 图框 and an open road line — areas known by construction."""
    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    msp.add_lwpolyline(rect(E0, N0, 200, 100), close=True, dxfattribs={"layer": "红线"})
    msp.add_lwpolyline(rect(E0 + 300, N0, 100, 50), close=True, dxfattribs={"layer": "红线"})
    msp.add_lwpolyline(rect(E0 + 50, N0 - 20, 40, 20), close=True, dxfattribs={"layer": "红线"})
    msp.add_lwpolyline(rect(E0 - 1000, N0 + 1000, 3000, 3000), close=True, dxfattribs={"layer": "图框"})
    msp.add_lwpolyline([(E0, N0), (E0 + 500, N0 + 300)], dxfattribs={"layer": "道路"})
    p = tmp_path / "two_polylines.dxf"
    doc.saveas(p)
    return p


def test_dxf_two_closed_polylines(two_polylines_dxf):
    fp = load_footprint(two_polylines_dxf)
    assert fp.crs.to_epsg() == 4523
    assert len(fp.gdf) == 2
    areas = sorted(fp.gdf.geometry.area)
    assert areas == pytest.approx([5000.0, 20000.0 - 800.0])
    assert set(fp.gdf["图层"]) == {"红线"}
    assert any("图框" in w for w in fp.warnings)             # frame ignored, said so
    assert any("open polyline" in w for w in fp.warnings)    # road skipped, said so
    rep = report_of(fp)
    assert (rep.parcel_count, rep.ring_count, rep.vertex_count) == (2, 3, 12)
    assert rep.ellipsoidal_m2 == pytest.approx(geod_area(fp.union(), fp.crs), abs=0.01)


def test_dxf_layer_option_and_missing_layer(two_polylines_dxf):
    fp = load_footprint(two_polylines_dxf, layer="图框", check_range=True)
    assert len(fp.gdf) == 1 and fp.gdf.geometry.iloc[0].area == pytest.approx(9e6)
    with pytest.raises(FootprintError, match=r"two_polylines\.dxf: no closed boundary on layer\(s\) 规划"):
        load_footprint(two_polylines_dxf, layer="规划")


def test_dxf_zone_hint_from_layer_name_and_user_crs(tmp_path):
    doc = ezdxf.new()
    doc.modelspace().add_lwpolyline(rect(594000, N0, 100, 100), close=True, dxfattribs={"layer": "用地红线_35带"})
    p = tmp_path / "noprefix.dxf"
    doc.saveas(p)
    fp = load_footprint(p)
    assert fp.crs.to_epsg() == 4544
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(10000.0)
    doc = ezdxf.new()
    doc.modelspace().add_lwpolyline(rect(594000, N0, 100, 100), close=True)
    p2 = tmp_path / "plain.dxf"
    doc.saveas(p2)
    with pytest.raises(FootprintError, match="带号 is not stated"):
        load_footprint(p2)
    assert load_footprint(p2, crs="EPSG:4544").crs.to_epsg() == 4544
    p3 = tmp_path / "红线_EPSG4545.dxf"
    doc.saveas(p3)
    fp = load_footprint(p3, check_range=False)            # the EPSG code in the file name is used
    assert fp.crs.to_epsg() == 4545
    assert any("红线_EPSG4545" in n for n in fp.meta["crs_notes"])
    with pytest.raises(FootprintError, match=r"point .* is at 109\.\d+°E .*outside Ningxia"):
        load_footprint(p3)


def test_dxf_hatch_polyline_and_bulge(tmp_path):
    doc = ezdxf.new()
    msp = doc.modelspace()
    h = msp.add_hatch(dxfattribs={"layer": "0"})
    h.paths.add_polyline_path(rect(E0, N0, 100, 100), is_closed=True)
    pl = msp.add_polyline2d(rect(E0 + 200, N0, 50, 50), close=True)
    assert pl.is_closed
    # 100 x 100 square whose east edge is a half circle bulging outwards (bulge 1 = 180°)
    pts = [(E0 + 400, N0, 0, 0, 0), (E0 + 500, N0, 0, 0, -1), (E0 + 500, N0 - 100, 0, 0, 0),
           (E0 + 400, N0 - 100, 0, 0, 0)]
    msp.add_lwpolyline(pts, format="xyseb", close=True)
    p = tmp_path / "mixed.dxf"
    doc.saveas(p)
    fp = load_footprint(p)
    areas = sorted(fp.gdf.geometry.area)
    assert areas[0] == pytest.approx(2500.0)
    assert areas[1] == pytest.approx(10000.0)
    assert areas[2] == pytest.approx(10000 + math.pi * 50 ** 2 / 2, rel=2e-3)


def test_dxf_only_open_polylines_refused(tmp_path):
    doc = ezdxf.new()
    doc.modelspace().add_lwpolyline(rect(E0, N0, 100, 100), close=False, dxfattribs={"layer": "红线"})
    p = tmp_path / "open.dxf"
    doc.saveas(p)
    with pytest.raises(FootprintError, match=r"open\.dxf entity \w+ \(LWPOLYLINE, layer 红线\).*open polyline "
                                             r"that cannot be closed"):
        load_footprint(p)


def test_dxf_open_polyline_with_meeting_ends_is_closed(tmp_path):
    doc = ezdxf.new()
    doc.modelspace().add_lwpolyline(rect(E0, N0, 100, 100) + [(E0, N0 + 0.0005)], close=False)
    p = tmp_path / "almost.dxf"
    doc.saveas(p)
    fp = load_footprint(p)
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(10000.0, abs=0.1)
    assert any("ends meet" in r for r in fp.repairs)


def test_dxf_garbage_refused(tmp_path):
    p = tmp_path / "bad.dxf"
    p.write_bytes(b"0\nSECTION\n2\nENTITIES\n0\nLWPOLYLINE\n10\nabc\n")
    with pytest.raises(FootprintError, match=r"bad\.dxf"):
        load_footprint(p)
    p.write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(FootprintError, match=r"bad\.dxf"):
        load_footprint(p)


# ------------------------------------------------------------------------------------------------ KML

def _kml_expected():
    outer = shapely.Polygon([(106.070, 37.420), (106.072, 37.420), (106.072, 37.418), (106.070, 37.418)])
    hole = shapely.Polygon([(106.0705, 37.4195), (106.0705, 37.4190), (106.0710, 37.4190), (106.0710, 37.4195)])
    return (abs(GEOD.geometry_area_perimeter(outer)[0]) - abs(GEOD.geometry_area_perimeter(hole)[0]))


def test_kml_polygon_with_hole():
    fp = load_footprint(DATA / "parcel.kml")
    assert fp.crs.to_epsg() == 4326
    assert len(fp.gdf) == 1 and fp.gdf.iloc[0]["地块名称"] == "光伏场区"
    g = fp.gdf.geometry.iloc[0]
    assert len(g.interiors) == 1
    assert report_of(fp).ellipsoidal_m2 == pytest.approx(_kml_expected(), rel=1e-6)


def test_kmz(tmp_path):
    p = tmp_path / "p.kmz"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("doc.kml", (DATA / "parcel.kml").read_bytes())
    fp = load_footprint(p)
    assert report_of(fp).ellipsoidal_m2 == pytest.approx(_kml_expected(), rel=1e-6)
    (tmp_path / "bad.kmz").write_bytes(b"PK\x03\x04broken")
    with pytest.raises(FootprintError, match=r"bad\.kmz"):
        load_footprint(tmp_path / "bad.kmz")


def test_kml_malformed_and_open_lines(tmp_path):
    p = tmp_path / "bad.kml"
    p.write_text("<kml><Document><Placemark><Polygon>\n<outerBoundaryIs>", encoding="utf-8")
    with pytest.raises(FootprintError, match=r"bad\.kml line \d+: not well-formed"):
        load_footprint(p)
    p.write_text('<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>路</name><LineString><coordinates>'
                 "106.07,37.42 106.08,37.42 106.08,37.41</coordinates></LineString></Placemark></kml>",
                 encoding="utf-8")
    with pytest.raises(FootprintError, match=r"bad\.kml placemark 1 '路': open line that cannot be closed"):
        load_footprint(p)
    p.write_text('<kml><Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>106.07,abc'
                 "</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark></kml>", encoding="utf-8")
    with pytest.raises(FootprintError, match=r"placemark 1: coordinate '106.07,abc' is not a number pair"):
        load_footprint(p)


# --------------------------------------------------------------------------------------------- tables

def test_csv_gbk_subheader_parcels():
    fp = load_footprint(DATA / "table_gbk.csv")
    assert fp.crs.to_epsg() == 4523
    assert list(fp.gdf["地块名称"]) == ["一号地块", "二号地块"]
    assert list(fp.gdf.geometry.area) == pytest.approx([20000.0, 2500.0])


def test_csv_dms_latlon():
    fp = load_footprint(DATA / "table_dms.csv")
    assert fp.crs.to_epsg() == 4490
    g = fp.gdf.geometry.iloc[0]
    assert g.bounds == pytest.approx((106.07, 37.419, 106.071, 37.42))
    assert report_of(fp).ellipsoidal_m2 == pytest.approx(geod_area(g, fp.crs), abs=0.01)


def _xlsx(path, rows, title="坐标"):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为界址点坐标成果表"])
    ws = wb.create_sheet(title)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_xlsx_ring_column_hole(tmp_path):
    rows = [["某项目界址点坐标成果表"], ["点号", "圈号", "X", "Y", "边长"]]
    for i, (e, n) in enumerate(rect(E0, N0, 200, 100) + [rect(E0, N0, 200, 100)[0]]):
        rows.append([f"J{i + 1}", 1, n, e, None])
    for i, (e, n) in enumerate(rect(E0 + 50, N0 - 20, 40, 20)):
        rows.append([f"K{i + 1}", 2, n, e, None])
    p = _xlsx(tmp_path / "t.xlsx", rows)
    fp = load_footprint(p)
    g = fp.gdf.geometry.iloc[0]
    assert fp.crs.to_epsg() == 4523
    assert len(g.interiors) == 1 and g.area == pytest.approx(19200.0)


def test_xlsx_swapped_columns_and_options(tmp_path):
    rows = [["序号", "北坐标", "东坐标"]]
    for i, (e, n) in enumerate(rect(E0, N0, 100, 100)):
        rows.append([i + 1, e, n])                 # columns swapped by mistake
    p = _xlsx(tmp_path / "s.xlsx", rows)
    fp = load_footprint(p)
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(10000.0)
    assert any("swapped" in w and "北坐标" in w for w in fp.warnings)
    rows = [["a", "b", "c"]] + [[i, n, e] for i, (e, n) in enumerate(rect(594000, N0, 100, 100))]
    p = _xlsx(tmp_path / "o.xlsx", rows)
    with pytest.raises(FootprintError, match="no header row"):
        load_footprint(p)
    fp = load_footprint(p, x_col="b", y_col="c", zone=35, sheet="坐标")
    assert fp.crs.to_epsg() == 4544


def test_xlsx_text_in_number_names_row(tmp_path):
    rows = [["点号", "X", "Y"], ["J1", N0, E0], ["J2", N0, E0 + 100], ["J3", "4142900,5", E0 + 100]]
    p = _xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(FootprintError, match=r"bad\.xlsx sheet '坐标' row 4: column 'X' value '4142900,5' is not"):
        load_footprint(p)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(FootprintError, match=r"broken\.xlsx: not a readable \.xlsx"):
        load_footprint(tmp_path / "broken.xlsx")


# ------------------------------------------------------------------------------------ GIS + conversion

@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp", ".kml", ".kmz", ".dxf", ".csv", ".xlsx", ".txt"])
def test_convert_roundtrip_every_format(tmp_path, suffix):
    src = DATA / "multi_parcel.txt"
    fp0 = load_footprint(src)
    out = tmp_path / f"out{suffix}"
    fp, notes = convert_footprint(src, out)
    back = load_footprint(out)
    assert report_of(back).ellipsoidal_m2 == pytest.approx(report_of(fp0).ellipsoidal_m2, rel=1e-6)
    u0 = to_lonlat([fp0.union()], fp0.crs)[0]
    u1 = to_lonlat([back.union()], back.crs)[0]
    assert shapely.hausdorff_distance(u0, u1) < 1e-7        # ≈ 1 cm
    if suffix in (".gpkg", ".geojson"):
        assert list(back.gdf["地块名称"]) == ["一号地块", "二号地块"]
    if suffix == ".shp":
        assert list(back.gdf["DKMC"]) == ["一号地块", "二号地块"]
        assert not [w for w in back.warnings if "地块面积" in w]


def test_gis_without_crs_and_out_of_range(tmp_path):
    convert_footprint(DATA / "standard_gbk.txt", tmp_path / "a.shp")
    (tmp_path / "a.prj").unlink()
    with pytest.raises(FootprintError, match=r"a\.shp: the file has no coordinate system"):
        load_footprint(tmp_path / "a.shp")
    fp = load_footprint(tmp_path / "a.shp", crs="EPSG:4523")
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(19200.0)
    with pytest.raises(FootprintError, match=r"a\.shp feature 1: .*outside Ningxia"):
        load_footprint(tmp_path / "a.shp", crs="EPSG:4545")


def test_write_unknown_suffix(tmp_path):
    fp = load_footprint(DATA / "standard_gbk.txt")
    with pytest.raises(InputError, match="cannot write '.doc'"):
        write_footprint(fp, tmp_path / "x.doc")


def test_geojson_default_lonlat_and_to_crs(tmp_path):
    fp = load_footprint(DATA / "zone36.txt")
    write_footprint(fp, tmp_path / "a.geojson")
    assert load_footprint(tmp_path / "a.geojson").crs.to_epsg() == 4490
    write_footprint(fp, tmp_path / "b.gpkg", to_crs="EPSG:4545")
    b = load_footprint(tmp_path / "b.gpkg")
    assert b.crs.to_epsg() == 4545
    assert report_of(b).ellipsoidal_m2 == pytest.approx(report_of(fp).ellipsoidal_m2, rel=1e-6)
