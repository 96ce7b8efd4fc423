"""Footprint conversion keeps the parcels: geometry, every 部标准 parcel field (地块编号, 名称, 用途, 地类编码,
the 土地整治 fields) and [项目信息], through TXT → DXF / KML / KMZ / XLSX / CSV / SHP → TXT; a parcel in
several parts is one TXT block; a shapefile can be written in GBK."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
import shapely

from ningxia_gis.footprint_io import convert_footprint, report_of
from ningxia_gis.footprint_io.txt_format import decode_bytes

DATA = Path(__file__).parent / "data" / "footprints"
SRC = DATA / "multi_parcel.txt"


def _headers(path: Path) -> list[list[str]]:
    text, _ = decode_bytes(path.read_bytes(), path.name)
    return [line.split(",")[:-1] for line in text.splitlines() if line.rstrip().endswith("@")]


def _section(path: Path, name: str) -> dict:
    text, _ = decode_bytes(path.read_bytes(), path.name)
    out, cur = {}, None
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("["):
            cur = s
        elif cur == f"[{name}]" and "=" in s:
            k, v = s.split("=", 1)
            out[k] = v
    return out


def _point_lines(path: Path) -> list[int]:
    """Point lines under each parcel header (closing points included)."""
    text, _ = decode_bytes(path.read_bytes(), path.name)
    counts: list[int] = []
    for line in text.splitlines():
        if line.rstrip().endswith("@"):
            counts.append(0)
        elif counts and line.count(",") == 3:
            counts[-1] += 1
    return counts


def _pad(fields: list[str], n: int = 13) -> list[str]:
    return [f.strip() for f in fields] + [""] * (n - len(fields))


@pytest.fixture(scope="module")
def source():
    headers = [_pad(h) for h in _headers(SRC)]
    assert [h[2] for h in headers] == ["DK05", "DK06"]  # the test file has a 3-ring parcel and a 土地整治 one
    return headers, _section(SRC, "项目信息")


CHAINS = [("dxf",), ("kml",), ("kmz",), ("xlsx",), ("csv",), ("shp",), ("dxf", "kml", "xlsx"),
          ("shp", "dxf", "kmz", "csv")]


@pytest.mark.parametrize("chain", CHAINS, ids=["-".join(c) for c in CHAINS])
def test_round_trip_keeps_parcel_fields(chain, source, tmp_path):
    headers, project = source
    src = SRC
    for k, suffix in enumerate(chain):
        dst = tmp_path / f"{k}.{suffix}"
        convert_footprint(src, dst)
        src = dst
    fp, _ = convert_footprint(src, tmp_path / "back.txt")
    back = [_pad(h) for h in _headers(tmp_path / "back.txt")]
    # every field but the point count (the source's 15 counts the 3 closing points the same way)
    # every field but 界址点数 (the source's DK06 has 4 points and no closing point; we write it closed)
    assert [h[1:] for h in back] == [h[1:] for h in headers]
    assert [int(h[0]) for h in back] == _point_lines(tmp_path / "back.txt") == [15, 5]
    carries_project = "shp" not in chain and "csv" not in chain  # no place for it in SHP / CSV
    if carries_project:
        assert _section(tmp_path / "back.txt", "项目信息") == project and project
    # geometry unchanged (KML's 9-decimal degrees round back to the same millimetre)
    a = convert_footprint(SRC, tmp_path / "a.geojson")[0].gdf.geometry
    b = fp.gdf.to_crs(a.crs).geometry
    assert len(a) == len(b)
    for ga, gb in zip(a, b):
        assert ga.hausdorff_distance(gb) < 1e-3 and ga.symmetric_difference(gb).area < 1e-5 * ga.area


def test_multi_part_parcel_is_one_txt_block(tmp_path):
    fp, _ = convert_footprint(SRC, tmp_path / "x.txt")
    dk05 = fp.gdf[fp.gdf["地块编号"] == "DK05"].geometry.iloc[0]
    assert len(shapely.get_parts(dk05)) == 2  # a holed square and a separate square
    text, _ = decode_bytes((tmp_path / "x.txt").read_bytes(), "x.txt")
    blocks = [line for line in text.splitlines() if line.endswith("@")]
    assert [b.split(",")[2] for b in blocks] == ["DK05", "DK06"]
    assert blocks[0].split(",")[0] == "15"  # 3 rings of 4 points + 3 closing points in one block
    # and through DXF (one polyline per part) it comes back as one parcel
    convert_footprint(SRC, tmp_path / "x.dxf")
    fp2, _ = convert_footprint(tmp_path / "x.dxf", tmp_path / "y.txt")
    assert list(fp2.gdf["地块编号"]) == ["DK05", "DK06"] and report_of(fp2).parcel_count == 2
    assert [(p.id, p.name, p.parts) for p in report_of(fp2).parcels] == [("DK05", "一号地块", 2), ("DK06", "二号地块", 1)]


def test_shapefile_in_gbk_for_older_arcgis(tmp_path):
    convert_footprint(SRC, tmp_path / "gbk.shp", out_encoding="GBK")
    assert (tmp_path / "gbk.cpg").read_text() == "936"
    dbf = (tmp_path / "gbk.dbf").read_bytes()
    assert dbf[29] == 0x4D  # language driver: code page 936
    assert "一号地块".encode("gbk") in dbf and "一号地块".encode("utf-8") not in dbf
    (tmp_path / "gbk.cpg").unlink()  # a reader that knows only the DBF header still decodes it
    df = pyogrio.read_dataframe(tmp_path / "gbk.shp")
    assert list(df["DKMC"]) == ["一号地块", "二号地块"] and list(df["DL"].fillna("")) == ["", "水浇地"]
    convert_footprint(SRC, tmp_path / "utf8.shp")
    assert (tmp_path / "utf8.cpg").read_text().strip().upper() == "UTF-8"
    assert "一号地块".encode("utf-8") in (tmp_path / "utf8.dbf").read_bytes()


def test_shapefile_encoding_other_than_utf8_or_gbk_is_refused(tmp_path):
    from ningxia_gis.domain.errors import InputError

    with pytest.raises(InputError, match="UTF-8 or GBK, not latin1") as err:
        convert_footprint(SRC, tmp_path / "x.shp", out_encoding="latin1")
    assert "只能以 UTF-8 或 GBK" in str(err.value)


def test_dxf_island_in_a_hole_keeps_its_own_fields(tmp_path):
    import geopandas as gpd

    e, n = 35595000.0, 4144000.0
    outer = shapely.Polygon([(e, n), (e + 300, n), (e + 300, n + 300), (e, n + 300)],
                            [[(e + 100, n + 100), (e + 200, n + 100), (e + 200, n + 200), (e + 100, n + 200)]])
    island = shapely.box(e + 130, n + 130, e + 170, n + 170)
    gdf = gpd.GeoDataFrame({"地块编号": ["A1", "B2"], "地块名称": ["外圈地块", "岛状地块"], "地类编码": ["0101", "0301"]},
                           geometry=[outer, island], crs="EPSG:4523")
    gdf.to_file(tmp_path / "src.gpkg", driver="GPKG")
    convert_footprint(tmp_path / "src.gpkg", tmp_path / "x.dxf")
    convert_footprint(tmp_path / "x.dxf", tmp_path / "back.txt")
    got = [(h[2], h[3], h[7]) for h in _headers(tmp_path / "back.txt")]
    assert sorted(got) == [("A1", "外圈地块", "0101"), ("B2", "岛状地块", "0301")]
