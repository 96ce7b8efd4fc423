"""部标准 界址点坐标 TXT: hand-written samples with areas known by construction, writer, malformed files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod

from ningxia_gis.core.areas import to_lonlat
from ningxia_gis.domain.errors import FootprintError
from ningxia_gis.footprint_io import READERS, load_footprint, report_of
from ningxia_gis.footprint_io.txt_format import format_txt, parse_txt_bytes, read_txt, write_txt

DATA = Path(__file__).parent / "data" / "footprints"
GEOD = Geod(ellps="GRS80")


def geod_area(geom, crs) -> float:
    """Independent ellipsoidal area: pyproj.Geod on the vertices in lon/lat."""
    ll = to_lonlat([geom], crs)[0]
    return sum(abs(GEOD.geometry_area_perimeter(p)[0]) for p in shapely.get_parts(ll))


def test_readers_registered():
    load_footprint(DATA / "standard_gbk.txt")
    for suffix in (".txt", ".dxf", ".csv", ".xlsx", ".kml", ".kmz"):
        assert suffix in READERS


def test_standard_gbk_zone_prefixed_with_hole():
    fp = load_footprint(DATA / "standard_gbk.txt")
    assert fp.crs.to_epsg() == 4523
    assert fp.meta["encoding"] == "GB18030/GBK"
    assert len(fp.gdf) == 1
    g = fp.gdf.geometry.iloc[0]
    assert g.geom_type == "Polygon" and len(g.interiors) == 1
    assert g.area == pytest.approx(19200.0, abs=1e-6)       # 200 x 100 − 40 x 20
    row = fp.gdf.iloc[0]
    assert row["地块编号"] == "DK01"
    assert row["地块名称"] == "光伏一号地块"
    assert row["地块用途"] == "工矿仓储用地"
    assert row["地类编码"] == "0602"
    assert row["图幅号"] == "J48G012034"
    assert row["地块面积"] == pytest.approx(1.92)
    assert row["界址点数"] == 10
    rep = report_of(fp)
    assert (rep.parcel_count, rep.ring_count, rep.vertex_count) == (1, 2, 8)
    assert rep.planar_m2 == pytest.approx(19200.0)
    assert rep.ellipsoidal_m2 == pytest.approx(geod_area(g, fp.crs), abs=0.01)
    assert not [w for w in fp.warnings if "地块面积" in w]
    assert fp.meta["attributes"]["数据产生单位"] == "红寺堡区自然资源局"
    # exterior counter-clockwise, hole clockwise after import
    assert shapely.is_ccw(g.exterior) and not shapely.is_ccw(g.interiors[0])


def test_utf8_bom_without_zone_prefix_uses_daihao():
    fp = load_footprint(DATA / "utf8_bom_noprefix.txt")
    assert fp.meta["encoding"] == "UTF-8 (BOM)"
    assert fp.crs.to_epsg() == 4544            # 4534 + (35 − 25), CM 105E
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(30000.0)
    assert fp.gdf.iloc[0]["地块名称"] == "道路地块"
    assert any("closing point" in n for n in fp.meta["crs_notes"])


def test_swapped_columns_detected_with_warning():
    fp = load_footprint(DATA / "swapped_columns.txt")
    assert fp.crs.to_epsg() == 4523
    g = fp.gdf.geometry.iloc[0]
    assert g.area == pytest.approx(10000.0)
    minx, miny, maxx, maxy = g.bounds
    assert (minx, maxy) == (35594500.0, 4143000.0)
    assert any("swapped" in w for w in fp.warnings)


def test_latlon_variant():
    fp = load_footprint(DATA / "latlon.txt")
    assert fp.crs.to_epsg() == 4490
    g = fp.gdf.geometry.iloc[0]
    assert g.bounds == pytest.approx((106.07, 37.419, 106.071, 37.42))
    assert any("degrees" in w and "latitude" in w for w in fp.warnings)
    assert fp.gdf.iloc[0]["地块面积"] == pytest.approx(0.9824)        # '0.9824公顷'
    assert report_of(fp).ellipsoidal_m2 == pytest.approx(geod_area(g, fp.crs), abs=0.01)
    assert not [w for w in fp.warnings if "地块面积" in w]


def test_multi_parcel_hole_and_separate_part():
    fp = load_footprint(DATA / "multi_parcel.txt")
    assert len(fp.gdf) == 2
    g1, g2 = fp.gdf.geometry
    assert g1.geom_type == "MultiPolygon"
    parts = sorted(shapely.get_parts(g1), key=lambda p: -p.area)
    assert len(parts[0].interiors) == 1 and len(parts[1].interiors) == 0   # 圈号 2 hole, 圈号 3 part
    assert g1.area == pytest.approx(20000 - 800 + 2500)
    assert g2.area == pytest.approx(6000.0)                                  # no closing point, full-width commas
    r2 = fp.gdf.iloc[1]
    assert r2["图斑类型"] == "新增耕地" and r2["备注"] == "整治后"              # 13-field 土地整治 header
    assert fp.meta["project"]["项目名称"] == "红寺堡区高标准农田示范项目"
    rep = report_of(fp)
    assert (rep.parcel_count, rep.part_count, rep.ring_count, rep.vertex_count) == (2, 3, 4, 16)
    assert rep.planar_m2 == pytest.approx(27700.0)
    assert not [w for w in fp.warnings if "地块面积" in w or "界址点数" in w]


def test_six_degree_and_zone36():
    fp = load_footprint(DATA / "sixdeg_zone18.txt")
    assert fp.crs.to_epsg() == 4496
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(5000.0)
    fp = load_footprint(DATA / "zone36.txt")
    assert fp.crs.to_epsg() == 4524
    w, s, e, n = report_of(fp).bounds_lonlat
    assert 107.3 < w < e < 107.5


def test_legacy_datum_refused_or_read_loudly():
    with pytest.raises(FootprintError, match=r"xian80\.txt line 5 .*Xi'an 1980.*--allow-legacy-datum"):
        load_footprint(DATA / "xian80.txt")
    fp = load_footprint(DATA / "xian80.txt", allow_legacy_datum=True)
    assert fp.crs.to_epsg() == 2359
    assert any("WARNING" in w and "WITHOUT a datum transformation" in w for w in fp.warnings)


def test_user_crs_wins():
    fp = load_footprint(DATA / "xian80.txt", crs="EPSG:4523")
    assert fp.crs.to_epsg() == 4523
    fp = load_footprint(DATA / "utf8_bom_noprefix.txt", crs="EPSG:4544")
    assert fp.crs.to_epsg() == 4544
    # a CM-only CRS given for zone-prefixed coordinates is fixed, with a warning
    fp = load_footprint(DATA / "standard_gbk.txt", crs="EPSG:4544")
    assert fp.crs.to_epsg() == 4523
    assert any("zone prefix" in w for w in fp.warnings)


def test_stated_area_mismatch_reported():
    fp = load_footprint(DATA / "area_mismatch.txt")
    msgs = [w for w in fp.warnings if "地块面积" in w]
    assert len(msgs) == 2
    assert "line 13" in msgs[0] and "+100.00 %" in msgs[0]
    assert "line 19" in msgs[1] and "平方米" in msgs[1]


def test_area_tolerance_is_point_one_percent():
    base = (DATA / "zone36.txt").read_bytes()
    ok = parse_txt_bytes(base.replace(b"1.5000", b"1.5014"), label="t.txt")     # +0.093 %
    assert not [w for w in ok.warnings if "地块面积" in w]
    bad = parse_txt_bytes(base.replace(b"1.5000", b"1.5020"), label="t.txt")    # +0.133 %
    from ningxia_gis.footprint_io.validate import finalize
    finalize(bad)
    assert [w for w in bad.warnings if "地块面积" in w]


def test_self_intersection_and_duplicate_vertex_repaired():
    fp = load_footprint(DATA / "bowtie_dup.txt")
    g = fp.gdf.geometry.iloc[0]
    assert g.is_valid
    assert g.area == pytest.approx(5000.0)       # two triangles 100 x 50 / 2
    assert any("duplicate vertex" in r and "line 16" in r for r in fp.repairs)
    assert any("make_valid" in r for r in fp.repairs)
    assert any("make_valid" in w for w in fp.warnings)


@pytest.mark.parametrize("name, pattern", [
    ("bad_truncated.txt", r"bad_truncated\.txt line 16: .*cut off"),
    ("bad_truncated_ring.txt", r"bad_truncated_ring\.txt line 20: .*truncated"),
    ("bad_text_in_number.txt", r"bad_text_in_number\.txt line 16: X coordinate '4142900\.OOO' is not a number"),
    ("bad_ring_of_two.txt", r"bad_ring_of_two\.txt line 19: ring 2 of parcel 1 .* 2 distinct point"),
    ("bad_outside_ningxia.txt", r"bad_outside_ningxia\.txt line 14: point J1 .*outside Ningxia"),
    ("bad_no_zone.txt", r"bad_no_zone\.txt: .*带号 is not stated"),
])
def test_malformed_files_name_file_and_line(name, pattern):
    with pytest.raises(FootprintError, match=pattern):
        load_footprint(DATA / name)


def test_range_check_can_be_switched_off():
    fp = load_footprint(DATA / "bad_outside_ningxia.txt", check_range=False)
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(10000.0)


@pytest.mark.parametrize("text, pattern", [
    ("", r"no 界址点"),
    ("[地块坐标]\n5,1,a,b,面,,,,@\n", r"line 2: .*without any point line"),
    ("[地块坐标]\n5,1,a,b,面,,,,@\nJ1,x,4143000,35594000\n", r"line 3: 圈号 'x'"),
    ("[地块坐标]\nJ1,1,4143000,35594000\nJ2,1,4143000,35594100\nJ3,1,4142900,35594100\n"
     "J4,1,4142900,3559400\n", r"line 5: .*do not match the other points"),
    ("[地块坐标]\nJ1,1,4143000,35594000\nJ2,1,4143000,36594100\nJ3,1,4142900,35594100\n",
     r"line 3: easting .* zone prefix 36"),
    ("[地块坐标]\nJ1,1,nan,35594000\n", r"line 2: X coordinate 'nan'"),
    ("[地块坐标]\nJ1,1,4143000,1e400\n", r"line 2: Y coordinate"),
    ("[属性描述]\n坐标系=火星坐标系\n[地块坐标]\nJ1,1,4143000,35594000\nJ2,1,4143000,35594100\n"
     "J3,1,4142900,35594100\n", r"line 2 \(坐标系=火星坐标系\): 坐标系 '火星坐标系' is not recognised"),
    ("[地块坐标]\nJ1,1,4143000,35594000\nJ2,1,4143000,35594100\nJ3,1,4143000,35594200\n",
     r"line 2: .*cannot be closed into an area"),
    ("hello world\n", r"line 1: .*neither a parcel header"),
])
def test_malformed_snippets(text, pattern):
    with pytest.raises(FootprintError, match=pattern):
        parse_txt_bytes(text.encode("utf-8"), label="snippet.txt")


def test_bad_encoding_names_the_line():
    data = "[地块坐标]\n".encode("utf-8") + b"J1,1,4143000,35594000\n\xff\xfe\xfd\x80\x80\n"
    with pytest.raises(FootprintError, match=r"line 3: .*neither UTF-8 nor GBK"):
        parse_txt_bytes(data, label="x.txt")


def test_utf16_and_fullwidth_sections():
    text = ("【属性描述】\n坐标系＝2000国家大地坐标系\n带号＝35\n【地块坐标】\n"
            "5，1.0000，DK1，地块，面，，，，＠\nJ1，1，4143000，35594000\nJ2，1，4143000，35594100\n"
            "J3，1，4142900，35594100\nJ4，1，4142900，35594000\nJ1，1，4143000，35594000\n")
    fp = parse_txt_bytes(b"\xff\xfe" + text.encode("utf-16-le"), label="u16.txt")
    assert fp.meta["encoding"] == "UTF-16"
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(10000.0)
    assert fp.gdf.iloc[0]["地块编号"] == "DK1"


def test_all_ring_numbers_one_split_at_closure():
    """Writers that give every ring 圈号 1 in one block: rings split where they close, then decided."""
    text = ("[地块坐标]\n10,,A,a,面,,,,@\n"
            "J1,1,4143200,35594000\nJ2,1,4143200,35594200\nJ3,1,4143100,35594200\nJ4,1,4143100,35594000\n"
            "J1,1,4143200,35594000\n"
            "J5,1,4143180,35594050\nJ6,1,4143180,35594090\nJ7,1,4143160,35594090\nJ8,1,4143160,35594050\n"
            "J5,1,4143180,35594050\n")
    fp = parse_txt_bytes(text.encode(), label="one.txt")
    g = fp.gdf.geometry.iloc[0]
    assert g.geom_type == "Polygon" and len(g.interiors) == 1 and g.area == pytest.approx(19200)


def test_island_inside_hole_is_a_part():
    def sq(ring, n0, e0, size, start):
        pts = [(n0, e0), (n0, e0 + size), (n0 - size, e0 + size), (n0 - size, e0)]
        return "".join(f"J{start + i},{ring},{n},{e}\n" for i, (n, e) in enumerate(pts))
    text = ("[地块坐标]\n12,,A,a,面,,,,@\n" + sq(1, 4143300, 35594000, 300, 1) + sq(2, 4143200, 35594100, 100, 5)
            + sq(3, 4143175, 35594125, 50, 9))
    g = parse_txt_bytes(text.encode(), label="island.txt").gdf.geometry.iloc[0]
    assert g.geom_type == "MultiPolygon"
    assert g.area == pytest.approx(90000 - 10000 + 2500)


# --------------------------------------------------------------------------------------------- writer

def test_writer_gbk_prefixed_closing_point_and_area(tmp_path):
    fp = load_footprint(DATA / "multi_parcel.txt")
    out = tmp_path / "out.txt"
    write_txt(fp, out)
    raw = out.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("gbk")
    assert "\r\n" in text
    lines = text.split("\r\n")
    # the source's [项目信息] is written back first
    assert lines[0] == "[项目信息]" and lines[1].startswith("项目名称=") and "[属性描述]" in lines
    assert "坐标系=2000国家大地坐标系" in lines and "带号=35" in lines
    assert "[地块坐标]" in lines
    headers = [ln for ln in lines if ln.endswith(",@")]
    # parcel 1 (a holed part and a separate part) is one block, like parcel 2
    assert len(headers) == 2
    h = headers[0].split(",")
    assert h[1] == "2.1700" and h[2] == "DK05" and h[3] == "一号地块" and h[4] == "面" and h[6] == "农用地"
    assert headers[1].split(",")[1] == "0.6000" and headers[1].split(",")[8] == "新增耕地"
    # the old layout (one block per part, same 地块编号) on request
    split = [ln for ln in format_txt(fp, split_parts=True)[0].split("\r\n") if ln.endswith(",@")]
    assert [ln.split(",")[1:3] for ln in split] == [["1.9200", "DK05"], ["0.2500", "DK05"], ["0.6000", "DK06"]]
    # block 1: JZDS counts the point lines; rings start at the NW corner, clockwise, closing point repeated
    i = lines.index(headers[0])
    jz = int(h[0])
    block = lines[i + 1:i + 1 + jz]
    assert block[0] == "J1,1,4144200.000,35595000.000"
    assert block[1] == "J2,1,4144200.000,35595200.000"      # east along the north edge = clockwise
    assert block[4] == "J1,1,4144200.000,35595000.000"
    assert block[5].startswith("J5,2,") and block[9].startswith("J5,2,")
    assert jz == 15 and block[10].startswith("J9,3,") and block[-1].startswith("J9,3,")
    assert all(ln.split(",")[3].startswith("35") for ln in block)
    back = read_txt(out)
    assert not [w for w in back.warnings if "地块面积" in w or "界址点数" in w]


def test_writer_roundtrip_exact(tmp_path):
    for name in ("standard_gbk.txt", "multi_parcel.txt", "utf8_bom_noprefix.txt", "zone36.txt"):
        fp = load_footprint(DATA / name)
        out = tmp_path / name
        write_txt(fp, out)
        back = load_footprint(out)
        a = shapely.normalize(fp.union())
        b = shapely.normalize(back.union())
        if fp.crs.to_epsg() == 4544:   # CM-only input is written zone-prefixed
            b = shapely.affinity.translate(b, xoff=-35_000_000)
        assert a.equals_exact(b, 1e-6), name
        assert report_of(back).planar_m2 == pytest.approx(report_of(fp).planar_m2)


def test_writer_utf8_option_and_unencodable(tmp_path):
    fp = load_footprint(DATA / "standard_gbk.txt")
    fp.gdf.loc[0, "地块名称"] = "地块\u20ac\U0001F600"
    with pytest.raises(FootprintError, match=r"cannot be written in gbk"):
        write_txt(fp, tmp_path / "x.txt")
    write_txt(fp, tmp_path / "x.txt", encoding="utf-8")
    assert read_txt(tmp_path / "x.txt").gdf.iloc[0]["地块名称"] == "地块\u20ac\U0001F600"


def test_writer_from_lonlat_picks_zone(tmp_path):
    fp = load_footprint(DATA / "latlon.txt")
    text, notes = format_txt(fp)
    assert "带号=35" in text and any("zone 35" in n for n in notes)
    (tmp_path / "ll.txt").write_text(text, encoding="utf-8")
    back = load_footprint(tmp_path / "ll.txt")
    assert back.crs.to_epsg() == 4523
    assert report_of(back).ellipsoidal_m2 == pytest.approx(report_of(fp).ellipsoidal_m2, rel=1e-6)


def test_writer_commas_in_attributes_do_not_break_the_header(tmp_path):
    fp = load_footprint(DATA / "standard_gbk.txt")
    fp.gdf.loc[0, "地块名称"] = "甲,乙@"
    write_txt(fp, tmp_path / "c.txt")
    back = read_txt(tmp_path / "c.txt")
    assert back.gdf.iloc[0]["地块名称"] == "甲、乙@"
    assert back.gdf.iloc[0]["地块用途"] == "工矿仓储用地"


def test_sections_and_spaces_tolerated():
    text = (" [属性描述] \n 坐标系 = 2000国家大地坐标系 \n带号=35\n\n[地块坐标]\n"
            "5,1.0000,DK1,地块,面,,,, @ \n J1 , 1 , 4143000 , 35594000 \nJ2,1,4143000,35594100\n"
            "J3,1,4142900,35594100\nJ4,1,4142900,35594000\nJ1,1,4143000,35594000\n")
    fp = parse_txt_bytes(text.encode("gbk"), label="sp.txt")
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(10000.0)
    assert np.isclose(fp.gdf.iloc[0]["地块面积"], 1.0)


def test_key_value_line_among_points_is_ignored_with_warning():
    t = ("[地块坐标]\n,,A,a,面,,,,@\nJ1,1,4143000,35594000\nJ2,1,4143000,35594100\nJ3,1,4142900,35594100\n"
         "总面积=0.5\n")
    fp = parse_txt_bytes(t.encode(), label="k.txt")
    assert fp.gdf.geometry.iloc[0].area == pytest.approx(5000.0)
    assert any("line 6: ignored" in w for w in fp.warnings)
