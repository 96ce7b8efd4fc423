"""Fuzzing the TXT, CSV, DXF and KML readers (hypothesis, bounded): whatever the bytes, the only
exceptions are the project's own errors (NingxiaGisError), never a Python or library exception.

The readers are called directly, without the ``guarded`` wrapper and with the TXT safety net off, so a
leak in the parser itself fails the test."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ningxia_gis.domain.errors import NingxiaGisError
from ningxia_gis.footprint_io import txt_format
from ningxia_gis.footprint_io.dxf import read_dxf
from ningxia_gis.footprint_io.kml import read_kml
from ningxia_gis.footprint_io.tables import read_table

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

NUM = st.one_of(
    st.sampled_from(["4150000.000", "36447000.000", "447000.5", "106.1", "37.4", "0", "-1", "1e308", "nan",
                     "inf", "１２３", "4,150", "", " ", "4150000.0.0", "+-1", "1_000", "0x10", "9" * 40]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**12, 10**12).map(str),
)
WORD = st.sampled_from(["J1", "J2", "地块", "面", "@", ",@", "=", "[地块坐标]", "[属性描述]", "坐标系=2000国家大地坐标系",
                        "带号=36", "几度分带=3", "计量单位=米", "，", "＠", "\ufeff", "\x00", "\t", "#"])


def _expect_own_errors(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except NingxiaGisError as exc:
        assert str(exc).strip(), "an empty message"


@pytest.fixture(autouse=True)
def no_safety_net(monkeypatch):
    monkeypatch.setattr(txt_format, "SAFETY_NET", False)


@st.composite
def txt_files(draw):
    lines = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.integers(0, 4))
        if kind == 0:
            lines.append(",".join(draw(st.lists(st.one_of(NUM, WORD), min_size=1, max_size=10))) + ",@")
        elif kind == 1:
            lines.append(",".join([draw(WORD), draw(NUM), draw(NUM), draw(NUM)]))
        elif kind == 2:
            lines.append(",".join(draw(st.lists(st.one_of(NUM, WORD), max_size=6))))
        elif kind == 3:
            lines.append(draw(WORD))
        else:
            lines.append(draw(st.text(max_size=30)))
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(lines)
    enc = draw(st.sampled_from(["utf-8", "gb18030", "utf-16", "latin-1"]))
    try:
        return text.encode(enc)
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


@SETTINGS
@given(data=st.one_of(txt_files(), st.binary(max_size=400)))
def test_txt_reader_fuzz(data):
    _expect_own_errors(txt_format.parse_txt_bytes, data, label="fuzz.txt")
    # a valid-looking head with the fuzz after it
    head = "[属性描述]\n坐标系=2000国家大地坐标系\n带号=36\n[地块坐标]\n5,1,DK,x,面,,,,@\n".encode("utf-8")
    _expect_own_errors(txt_format.parse_txt_bytes, head + data, label="fuzz.txt")


@st.composite
def csv_files(draw):
    header = draw(st.sampled_from(["X,Y", "点号,X,Y", "点号,圈号,X坐标,Y坐标", "经度,纬度", "lon,lat", "a,b,c", ""]))
    rows = [",".join(draw(st.lists(st.one_of(NUM, WORD), max_size=5))) for _ in range(draw(st.integers(0, 12)))]
    return "\n".join([header] + rows)


@SETTINGS
@given(text=csv_files(), enc=st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]))
def test_csv_reader_fuzz(text, enc):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "fuzz.csv"
        p.write_bytes(text.encode(enc, "replace"))
        _expect_own_errors(read_table, p)


TAG_CODES = st.sampled_from(["0", "2", "5", "8", "10", "20", "30", "42", "67", "70", "90", "100", "210", "230",
                             "  0", "abc", "", "999999"])
TAG_VALUES = st.one_of(NUM, st.sampled_from(["LWPOLYLINE", "POLYLINE", "HATCH", "LINE", "SECTION", "ENDSEC",
                                             "ENTITIES", "EOF", "红线", "0", "1", "AcDbPolyline", "VERTEX",
                                             "SEQEND"]))


@st.composite
def dxf_files(draw):
    out = ["0", "SECTION", "2", "HEADER", "9", "$ACADVER", "1", draw(st.sampled_from(["AC1015", "AC1027", "AC1009"])),
           "0", "ENDSEC", "0", "SECTION", "2", "ENTITIES"]
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.booleans()):  # a plausible LWPOLYLINE, possibly broken
            n = draw(st.integers(0, 6))
            out += ["0", "LWPOLYLINE", "5", "2F", "8", draw(st.sampled_from(["红线", "0", "用地", "\\U+7EA2"])),
                    "90", draw(st.sampled_from([str(n), str(n + 1), "x"])), "70", draw(st.sampled_from(["1", "0", "9"]))]
            for _k in range(n):
                out += ["10", draw(NUM), "20", draw(NUM)]
                if draw(st.integers(0, 5)) == 0:
                    out += ["42", draw(NUM)]
        else:
            for _k in range(draw(st.integers(1, 8))):
                out += [draw(TAG_CODES), draw(TAG_VALUES)]
    if draw(st.booleans()):
        out += ["0", "ENDSEC", "0", "EOF"]
    return "\n".join(out) + "\n"


@SETTINGS
@given(text=dxf_files())
def test_dxf_reader_fuzz(text):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "fuzz.dxf"
        p.write_text(text, encoding="utf-8")
        _expect_own_errors(read_dxf, p)


@st.composite
def kml_files(draw):
    coords = " ".join(",".join(draw(st.lists(NUM, min_size=1, max_size=3))) for _ in range(draw(st.integers(0, 7))))
    geom = draw(st.sampled_from([
        "<Polygon><outerBoundaryIs><LinearRing><coordinates>{c}</coordinates></LinearRing></outerBoundaryIs></Polygon>",
        "<LineString><coordinates>{c}</coordinates></LineString>", "<Point><coordinates>{c}</coordinates></Point>",
        "<MultiGeometry><Polygon><outerBoundaryIs><LinearRing><coordinates>{c}</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon></MultiGeometry>", "<Polygon>{c}", "{c}"]))
    body = "".join(f"<Placemark><name>{draw(st.text(max_size=5))}</name>{geom.format(c=coords)}</Placemark>"
                   for _ in range(draw(st.integers(0, 3))))
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="bogus"?>',
                                 "", "<!DOCTYPE x>"]))
    return f'{head}<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{body}</Document></kml>'


@SETTINGS
@given(text=st.one_of(kml_files(), st.text(max_size=200)), kmz=st.booleans())
def test_kml_reader_fuzz(text, kmz):
    import zipfile
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / ("fuzz.kmz" if kmz else "fuzz.kml")
        if kmz:
            with zipfile.ZipFile(p, "w") as z:
                z.writestr("doc.kml", text.encode("utf-8", "replace"))
        else:
            p.write_bytes(text.encode("utf-8", "replace"))
        _expect_own_errors(read_kml, p)
