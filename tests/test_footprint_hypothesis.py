"""Property tests: TXT writer → reader round-trips exactly; garbage never escapes as another error type."""

from __future__ import annotations

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ningxia_gis.domain.errors import FootprintError
from ningxia_gis.core.footprint import Footprint
from ningxia_gis.footprint_io import prepare_footprint
from ningxia_gis.footprint_io import txt_format
from ningxia_gis.footprint_io.txt_format import format_txt, parse_txt_bytes
from ningxia_gis.footprint_io.validate import finalize

import geopandas as gpd


@pytest.fixture(autouse=True)
def no_safety_net(monkeypatch):
    """The reader's catch-all is switched off: the parser itself must only raise FootprintError."""
    monkeypatch.setattr(txt_format, "SAFETY_NET", False)


# ------------------------------------------------------------------------------------- round trip

ZONES = {35: (35_450_000_000, 35_600_000_000), 36: (36_350_000_000, 36_450_000_000)}  # eastings in mm
TEXT = st.text(alphabet=st.sampled_from(list("地块一二三光伏道路农用工矿仓储ABCxyz0123456789-_()#")), max_size=12)


@st.composite
def parcel(draw, zone):
    e_lo, e_hi = ZONES[zone]
    e0 = draw(st.integers(e_lo, e_hi))
    n0 = draw(st.integers(3_950_000_000, 4_300_000_000))
    size = draw(st.integers(2_000, 2_000_000))          # 2 m … 2 km, in mm
    pts = draw(st.lists(st.tuples(st.integers(0, size), st.integers(0, size)), min_size=3, max_size=14))
    hull = shapely.MultiPoint([((e0 + x) / 1000, (n0 + y) / 1000) for x, y in pts]).convex_hull
    if hull.geom_type != "Polygon" or hull.area < 1.0:
        return None
    holes = []
    if draw(st.booleans()):
        f = draw(st.floats(0.2, 0.6))
        c = hull.centroid
        ring = [(round((c.x + (x - c.x) * f) * 1000) / 1000, round((c.y + (y - c.y) * f) * 1000) / 1000)
                for x, y in hull.exterior.coords]
        hole = shapely.remove_repeated_points(shapely.Polygon(ring))
        if hole.is_valid and hole.area > 0.5 and shapely.Polygon(hull.exterior).contains(hole) \
                and hull.exterior.distance(hole) > 0.01 and len(hole.exterior.coords) >= 4:
            holes.append(list(hole.exterior.coords))
    poly = shapely.Polygon(hull.exterior.coords, holes)
    if not poly.is_valid:
        return None
    return poly, {"地块编号": draw(TEXT), "地块名称": draw(TEXT), "地块用途": draw(TEXT), "地类编码": draw(TEXT)}


@st.composite
def footprints(draw):
    zone = draw(st.sampled_from([35, 36]))
    items = [p for p in draw(st.lists(parcel(zone), min_size=1, max_size=4)) if p is not None]
    if not items:
        items = [(shapely.box(ZONES[zone][0] / 1000, 4_100_000, ZONES[zone][0] / 1000 + 50, 4_100_050), {})]
    rows = [{**{k: v for k, v in a.items()}} for _, a in items]
    gdf = gpd.GeoDataFrame(rows, geometry=[g for g, _ in items], crs=4488 + zone)
    return Footprint(gdf=gdf, source="random.txt", name="random"), zone


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(footprints(), st.sampled_from(["gbk", "utf-8"]))
def test_txt_roundtrip_identical(fp_zone, encoding):
    fp, zone = fp_zone
    text, _ = format_txt(fp, date="2025-01-01")
    back = parse_txt_bytes(text.encode(encoding), label="rt.txt")
    assert back.crs.to_epsg() == 4488 + zone
    assert len(back.gdf) == len(fp.gdf)
    for i in range(len(fp.gdf)):
        a = shapely.normalize(fp.gdf.geometry.iloc[i])
        b = shapely.normalize(back.gdf.geometry.iloc[i])
        assert a.equals_exact(b, 0.0), (a.wkt, b.wkt)
        for k in ("地块编号", "地块名称", "地块用途", "地类编码"):
            want = fp.gdf.iloc[i].get(k) or ("" if k not in ("地块编号", "地块名称") else None)
            if want is not None:
                assert back.gdf.iloc[i][k] == want
    back = finalize(prepare_footprint(back))
    assert not [w for w in back.warnings if "地块面积" in w or "界址点数" in w]
    assert not back.repairs


# ------------------------------------------------------------------------------------------ garbage

def _pipeline(data: bytes, **kw):
    """What load_footprint does after reading the file."""
    try:
        fp = parse_txt_bytes(data, label="fuzz.txt", **kw)
        finalize(prepare_footprint(fp))
    except FootprintError as exc:
        assert str(exc).startswith("fuzz.txt") or "coordinate system" in str(exc)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_only_footprint_error(data):
    _pipeline(data)


NUM = st.one_of(
    st.integers(3_900_000, 4_400_000).map(str), st.integers(35_300_000, 36_700_000).map(str),
    st.integers(300_000, 700_000).map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(30, 110).map(lambda v: f"{v:.6f}"), st.sampled_from(["", "x", "1e400", "-0", "4143000.OOO", "１２３"]),
    st.integers(-10**30, 10**30).map(str))
TOK = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=",\r\n"), max_size=8)
LINE = st.one_of(
    st.sampled_from(["[属性描述]", "[地块坐标]", "[项目信息]", "【地块坐标】", "[]", "[x", ""]),
    st.tuples(st.sampled_from(["坐标系", "几度分带", "分带", "带号", "计量单位", "转换参数", "精度"]),
              st.one_of(TOK, st.sampled_from(["2000国家大地坐标系", "1980西安坐标系", "1954北京坐标系", "WGS84",
                                              "3", "6", "35", "36", "18", "99", "度", ",,,,,,", "1,2,3"])))
    .map(lambda kv: f"{kv[0]}={kv[1]}"),
    st.lists(st.one_of(TOK, NUM), max_size=14).map(lambda t: ",".join(t + ["@"])),
    st.tuples(TOK, st.one_of(st.integers(-3, 5).map(str), TOK), NUM, NUM).map(",".join),
    st.tuples(TOK, NUM, NUM).map(",".join),
    TOK,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE, max_size=40), st.sampled_from(["utf-8", "gbk", "utf-8-sig", "utf-16"]),
       st.sampled_from([None, "EPSG:4523", "EPSG:4490", "EPSG:4544", "EPSG:3857"]), st.booleans(),
       st.integers(0, 5))
def test_structured_garbage_only_footprint_error(lines, enc, crs, check_range, cut):
    data = "\r\n".join(lines).encode(enc, errors="ignore")
    if cut:
        data = data[: max(0, len(data) - cut)]
    _pipeline(data, crs=crs, check_range=check_range)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(footprints(), st.data())
def test_mutated_valid_files_only_footprint_error(fp_zone, data):
    fp, _ = fp_zone
    raw = bytearray(format_txt(fp, date="2025-01-01")[0].encode("gbk"))
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(st.sampled_from(["flip", "cut", "dup", "del"]))
        if not raw:
            break
        i = data.draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[i:]
        elif op == "dup":
            raw[i:i] = raw[i:i + data.draw(st.integers(1, 40))]
        else:
            del raw[i:i + data.draw(st.integers(1, 40))]
    _pipeline(bytes(raw), check_range=data.draw(st.booleans()))


@st.composite
def near_valid(draw):
    """Files that are mostly right: real sections, plausible coordinates, odd rings, duplicates, mixups."""
    zone = draw(st.sampled_from([35, 36]))
    e0 = draw(st.integers(*ZONES[zone])) / 1000
    n0 = draw(st.integers(4_000_000, 4_300_000))
    lines = []
    if draw(st.booleans()):
        lines += ["[属性描述]", "坐标系=" + draw(st.sampled_from(["2000国家大地坐标系", "", "1980西安坐标系"])),
                  "带号=" + draw(st.sampled_from([str(zone), "", "18", "x"])),
                  "几度分带=" + draw(st.sampled_from(["3", "6", ""]))]
    lines.append(draw(st.sampled_from(["[地块坐标]", "", "【地块坐标】"])))
    prefixed = draw(st.booleans())
    swapped = draw(st.booleans())
    for _ in range(draw(st.integers(1, 3))):
        lines.append(f"{draw(st.sampled_from(['', '', '5', '30']))},{draw(st.sampled_from(['', '1.0', '0.01', '1e3公顷']))},A,B,面,,,,@")
        for _ in range(draw(st.integers(2, 14))):
            dx = draw(st.sampled_from([0, 0, 1, 10, 100, 0.5, 1e-4, -50]))
            dy = draw(st.sampled_from([0, 0, 1, 10, 100, 0.5, 1e-4, -50]))
            e = e0 + dx + (0 if prefixed else -zone * 1_000_000)
            n = n0 + dy
            a, b = (e, n) if swapped else (n, e)
            ring = draw(st.sampled_from(["1", "1", "1", "1", "2", "3", "-1"]))
            lines.append(f"J,{ring},{a:.4f},{b:.4f}")
    return "\r\n".join(lines)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid(), st.sampled_from([None, "EPSG:4523", "EPSG:4545"]), st.booleans())
def test_near_valid_files_only_footprint_error(text, crs, check_range):
    _pipeline(text.encode("gbk"), crs=crs, check_range=check_range)


_DATA = __import__("pathlib").Path(__file__).parent / "data" / "footprints"


def _dxf_bytes() -> bytes:
    import io

    import ezdxf
    doc = ezdxf.new()
    doc.modelspace().add_lwpolyline([(35594000, 4143000), (35594100, 4143000), (35594100, 4142900)], close=True)
    s = io.StringIO()
    doc.write(s)
    return s.getvalue().encode("utf-8")


_BASES = {".csv": (_DATA / "table_gbk.csv").read_bytes(), ".kml": (_DATA / "parcel.kml").read_bytes(),
          ".dxf": _dxf_bytes()}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(_BASES)), st.data())
def test_other_readers_mutated_only_footprint_error(suffix, data):
    import tempfile

    from ningxia_gis.footprint_io import load_footprint
    raw = bytearray(_BASES[suffix])
    for _ in range(data.draw(st.integers(1, 5))):
        if not raw:
            break
        i = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["flip", "cut", "del"]))
        if op == "flip":
            raw[i] = data.draw(st.integers(0, 255))
        elif op == "cut":
            del raw[i:]
        else:
            del raw[i:i + data.draw(st.integers(1, 40))]
    with tempfile.TemporaryDirectory() as d:
        p = __import__("pathlib").Path(d) / f"m{suffix}"
        p.write_bytes(bytes(raw))
        try:
            load_footprint(p)
        except FootprintError as exc:
            assert str(exc).startswith(f"m{suffix}")
