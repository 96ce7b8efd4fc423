"""The case register: list/search a folder of cases, flag overlapping footprints, export to XLSX."""

import shutil

import geopandas as gpd
import pytest
import shapely
from openpyxl import load_workbook
from pyproj import Geod

from ningxia_gis.cli import main
from ningxia_gis.paths import SAMPLE_FOOTPRINTS
from ningxia_gis.review import build_request
from ningxia_gis.review.case import ReviewCase, open_case
from ningxia_gis.review.register import Register, iso_date

PV_FARM = SAMPLE_FOOTPRINTS / "pv_on_farmland.geojson"
NOTHING = SAMPLE_FOOTPRINTS / "nothing_touched.geojson"


def _save(folder, footprint, name, activity=None, facts=None, **fields):
    case = ReviewCase.new(build_request(footprint, activity=activity, facts=facts, case=fields), who="张三")
    case.run()
    return case.save(folder / name)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("register")
    shifted = gpd.read_file(PV_FARM).to_crs(4544)
    shifted["geometry"] = shifted.geometry.translate(300.0, 200.0)
    shifted.to_file(d / "pv_shifted.gpkg", driver="GPKG")
    cases = d / "cases"
    (cases / "2026").mkdir(parents=True)
    # not a national major project: PV on permanent farmland is 禁止 (S000-A L157); unanswered it is 需人工判定
    pv = {"national_major_project": False}
    _save(cases, PV_FARM, "A.gpkg", "pv_power", pv, case_number="宁审-001", project_name="光伏电站一期",
          review_date="2026年1月5日")
    _save(cases / "2026", d / "pv_shifted.gpkg", "B.gpkg", "pv_power", pv, case_number="宁审-002",
          project_name="光伏电站二期", review_date="2026-02-10")
    _save(cases, NOTHING, "C.gpkg", None, case_number="宁审-003", project_name="仓库", review_date="2026/3/1")
    shutil.copyfile(SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg", cases / "not_a_case.gpkg")
    (cases / "broken.gpkg").write_bytes(b"SQLite format 3\x00" + bytes(200))
    return d


def test_overlapping_footprints_are_flagged_with_the_overlap_area(folder):
    reg = Register(folder / "cases")
    overlaps = reg.overlaps()
    assert [(o.a.case_number, o.b.case_number) for o in overlaps] == [("宁审-001", "宁审-002")]
    o = overlaps[0]
    a = shapely.union_all(gpd.read_file(PV_FARM).to_crs(4544).geometry.values)
    b = shapely.union_all(gpd.read_file(folder / "pv_shifted.gpkg").to_crs(4544).geometry.values)
    inter = a.intersection(b)
    assert inter.area > 1000
    assert o.epsg == 4544
    # the results' footprint WKT is mm-rounded: each boundary point of the overlap moves by ≤ √2 · 0.5 mm
    mm = inter.length * 0.5e-3 * 2 ** 0.5
    assert abs(o.planar_m2 - inter.area) <= mm
    ll = gpd.GeoSeries([inter], crs=4544).to_crs(4490).iloc[0]
    geod = abs(Geod(ellps="GRS80").geometry_area_perimeter(shapely.geometry.polygon.orient(ll))[0])
    assert o.ellipsoidal_m2 == pytest.approx(geod, rel=1e-6, abs=mm)


def test_list_and_search_by_number_project_county_date_and_verdict(folder):
    reg = Register(folder / "cases")
    assert [e.case_number for e in reg.entries()] == ["宁审-001", "宁审-002", "宁审-003"]
    assert {e.date for e in reg.entries()} == {"2026-01-05", "2026-02-10", "2026-03-01"}
    assert any("broken.gpkg" in n and "damaged" in n for n in reg.notes)
    assert not any("not_a_case" in n for n in reg.notes)
    assert [e.case_number for e in reg.search(case_number="002")] == ["宁审-002"]
    assert [e.case_number for e in reg.search(project="光伏")] == ["宁审-001", "宁审-002"]
    county = open_case(folder / "cases" / "A.gpkg").result.data["location"]["county"]
    assert county and {e.county for e in reg.search(county=county[:2])} == {county}
    assert [e.case_number for e in reg.search(date_from="2026-02-01", date_to="2026年2月28日")] == ["宁审-002"]
    assert [e.case_number for e in reg.search(verdict="prohibited")] == ["宁审-001", "宁审-002"]
    assert reg.search(verdict="禁止", project="仓库") == []
    assert iso_date("2026年1月5日") == "2026-01-05"


def test_register_follows_changed_and_removed_cases(folder, tmp_path):
    cases = tmp_path / "cases"
    shutil.copytree(folder / "cases", cases)
    Register(cases)
    c = open_case(cases / "C.gpkg")
    c.set_fields({"project_name": "冷链仓库"})
    c.save()
    (cases / "2026" / "B.gpkg").unlink()
    (cases / "case_register.sqlite").write_bytes(b"garbage" * 100)  # a damaged index is rebuilt
    reg = Register(cases)
    assert [e.project_name for e in reg.entries()] == ["光伏电站一期", "冷链仓库"]
    assert reg.overlaps() == []


def test_register_export_xlsx_and_cli(folder, tmp_path, capsys):
    out = tmp_path / "register.xlsx"
    assert main(["case", "register-export", str(folder / "cases"), str(out)]) == 0
    wb = load_workbook(out)
    rows = list(wb["案卷登记"].iter_rows(values_only=True))
    assert rows[0][0] == "案卷编号" and [r[0] for r in rows[1:]] == ["宁审-001", "宁审-002", "宁审-003"]
    ov = list(wb["用地重叠"].iter_rows(values_only=True))
    assert len(ov) == 2 and ov[1][0] == "宁审-001" and ov[1][2] == "宁审-002"
    o = Register(folder / "cases").overlaps()[0]
    assert ov[1][4] == pytest.approx(o.ellipsoidal_m2) and ov[1][5] == pytest.approx(o.planar_m2)
    capsys.readouterr()
    assert main(["case", "search", str(folder / "cases"), "--project", "光伏", "--verdict", "禁止"]) == 0
    text = capsys.readouterr().out
    assert "宁审-001" in text and "宁审-002" in text and "宁审-003" not in text
    assert "用地重叠" in text and f"{o.ellipsoidal_m2:,.2f}" in text
    assert main(["case", "list", str(folder / "cases")]) == 0
    assert "宁审-003" in capsys.readouterr().out
