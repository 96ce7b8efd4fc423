"""Raster layers in the review report (issue 8): the 地形与地表覆盖 section with a DEM statistics table, a
slope-band table and a land-cover class table, one map per raster in the PDF and Word copies, one Excel
sheet per table — checked on the real `mine_in_core_zone` sample result (pdftotext, openpyxl)."""

import copy
import shutil
import subprocess
from pathlib import Path

import pytest

from ningxia_gis.review import review_file
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.report import build_report_model
from ningxia_gis.report.docx import write_docx
from ningxia_gis.report.pdf import write_pdf
from ningxia_gis.report.xlsx import write_xlsx
from ningxia_gis.report.model import (RASTER_SECTION_TITLE, Figure, Paragraph, fmt_ha, fmt_m2, fmt_mu, fmt_num,
                                      fmt_pct)
from ningxia_gis.report.render import figure_key, render_figures

HAVE_POPPLER = bool(shutil.which("pdftotext") and shutil.which("pdftoppm"))
MAP_DPI = 60


def area(block: dict) -> float:
    return float(block["ellipsoidal_m2"])


@pytest.fixture(scope="module")
def data():
    d = review_file(find_scenario("mine_in_core_zone").footprint).data
    assert {r["role"] for r in d["rasters"]} == {"dem", "landcover"}, "the sample catalog has a DEM and a land cover"
    return d


@pytest.fixture(scope="module")
def model(data):
    return build_report_model(data)


def raster(data, role: str) -> dict:
    return next(r for r in data["rasters"] if r["role"] == role)


def section(model):
    return next(s for s in model.sections if s.title.endswith(RASTER_SECTION_TITLE))


# ------------------------------------------------------------------------------------------------ model


def test_section_and_numbering(model):
    titles = [s.title for s in model.sections]
    assert titles[5] == f"六、{RASTER_SECTION_TITLE}"
    assert titles[6:] == ["七、界址点坐标", "八、计算方法与数据来源"]
    assert {figure_key(f) for f in model.figures} >= {"raster:dem", "raster:landcover"}
    figs = [b for b in section(model).blocks if isinstance(b, Figure)]
    assert [f.layer_id for f in figs] == ["dem", "landcover"]


def test_dem_tables_equal_the_json(model, data):
    r = raster(data, "dem")
    st = r["stats"]
    t = model.table("raster_stats:dem")
    assert t.values[0][1:4] == [st["elevation_m"][k] for k in ("min", "mean", "max")]
    assert t.values[1][1:4] == [st["slope_deg"][k] for k in ("min", "mean", "max")]
    assert t.rows[0][2] == fmt_num(st["elevation_m"]["mean"], 2) == f"{st['elevation_m']['mean']:,.2f}"
    b = model.table("raster_slope:dem")
    assert [row[0] for row in b.values] == [x["label"] for x in st["slope_bands"]]
    for row, vals, band in zip(b.rows, b.values, st["slope_bands"]):
        m2 = area(band["area"])
        assert vals[1:] == [m2, m2 / 10_000, m2 * 0.0015, band["share_of_footprint"]]
        assert row[1:] == [fmt_m2(m2), fmt_ha(m2), fmt_mu(m2), fmt_pct(band["share_of_footprint"])]
    # full slope coverage: the bands add up to the footprint
    assert b.total_values[1] == pytest.approx(area(data["footprint"]["area"]), rel=1e-9)


def test_landcover_table_equals_the_json(model, data):
    r = raster(data, "landcover")
    t = model.table("raster_classes:landcover")
    assert len(t.rows) == len(r["classes"]) >= 1
    for row, vals, c in zip(t.rows, t.values, r["classes"]):
        m2 = area(c["area"])
        assert vals == [c["code"], c["name_zh"], m2, m2 / 10_000, m2 * 0.0015, c["share_of_footprint"]]
        assert row == [str(c["code"]), c["name_zh"], fmt_m2(m2), fmt_ha(m2), fmt_mu(m2),
                       fmt_pct(c["share_of_footprint"])]
    assert t.total_values[2] == pytest.approx(area(r["covered_area"]), rel=1e-9)


def test_paragraphs_state_coverage_and_method(model, data):
    texts = [b.text for b in section(model).blocks if isinstance(b, Paragraph)]
    for r in data["rasters"]:
        assert any(r["name"] in t and fmt_pct(r["covered_share"]) in t for t in texts)
        assert any(r["method"]["description_zh"] in t for t in texts)  # the Chinese wording in a Chinese report
    # both sample rasters cover the whole footprint: no warning line
    assert not [b for b in section(model).blocks if isinstance(b, Paragraph) and b.style == "warning"]


def test_partial_coverage_warns(data):
    d = copy.deepcopy(data)
    r = raster(d, "landcover")
    r["covered_share"], r["status"] = 0.6, "partly_covered"
    m = build_report_model(d)
    warns = [b.text for b in section(m).blocks if isinstance(b, Paragraph) and b.style == "warning"]
    assert len(warns) == 1 and r["name"] in warns[0] and "60.00%" in warns[0]


def test_no_rasters_no_section(data):
    d = copy.deepcopy(data)
    d["rasters"] = []
    m = build_report_model(d)
    assert not [s for s in m.sections if RASTER_SECTION_TITLE in s.title]
    assert not [f for f in m.figures if f.kind == "raster"]
    assert [s.title for s in m.sections][5:] == ["六、界址点坐标", "七、计算方法与数据来源"]


def test_raster_map_without_the_file_still_renders(data, tmp_path):
    d = copy.deepcopy(data)
    for r in d["rasters"]:
        r["source"] = str(tmp_path / "gone.tif")
    m = build_report_model(d)
    paths = render_figures(m, dpi=40)
    assert paths["raster:dem"] is not None and paths["raster:dem"].stat().st_size > 0
    assert paths["raster:landcover"] is not None


def test_raster_map_draws_the_raster(data):
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from ningxia_gis.maps import raster_map

    fig = raster_map(data, "landcover")
    ax = fig.axes[0]
    assert ax.images, "the raster is drawn as an image"
    assert fig.legends and "林地" in [t.get_text() for t in fig.legends[0].get_texts()]
    FigureCanvasAgg(fig).draw()
    assert np.asarray(fig.canvas.buffer_rgba()).shape[2] == 4
    fig = raster_map(data, "dem", kind="slope")
    assert any("坡度" in t.get_text() for t in fig.legends[0].get_texts())


# ------------------------------------------------------------------------------------------------ files


@pytest.fixture(scope="module")
def pdf(model, tmp_path_factory):
    if not HAVE_POPPLER:
        pytest.skip("poppler-utils missing")
    return write_pdf(model, tmp_path_factory.mktemp("rpdf") / "r.pdf", map_dpi=MAP_DPI)


def pdftext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_carries_the_section_tables_and_maps(pdf, data, model):
    text = pdftext(pdf, "-layout")
    assert f"六、{RASTER_SECTION_TITLE}" in text
    st = raster(data, "dem")["stats"]
    assert fmt_num(st["elevation_m"]["mean"], 2) in text
    assert fmt_num(st["slope_deg"]["max"], 2) in text
    for band in st["slope_bands"]:
        assert fmt_m2(area(band["area"])) in text
    for c in raster(data, "landcover")["classes"]:
        assert c["name_zh"] in text
        m2 = area(c["area"])
        assert fmt_m2(m2) in text and fmt_ha(m2) in text and fmt_mu(m2) in text
    for f in model.figures:
        if f.kind == "raster":
            assert f.caption in text
    assert "地图未能生成" not in text
    # the maps are vector graphics in the PDF: only the raster maps' grids are images
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True)
    if out.returncode == 0:
        assert len(out.stdout.strip().splitlines()) - 2 >= sum(1 for f in model.figures if f.kind == "raster")


def test_docx_has_every_map(model, tmp_path):
    import docx

    path = write_docx(model, tmp_path / "r.docx", map_dpi=MAP_DPI)
    d = docx.Document(str(path))
    assert len(d.inline_shapes) == len(model.figures)
    body = "\n".join(p.text for p in d.paragraphs)
    assert RASTER_SECTION_TITLE in body


def test_xlsx_sheets_hold_the_json_figures(model, data, tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(write_xlsx(model, tmp_path / "r.xlsx"))
    st = raster(data, "dem")["stats"]
    ws = wb["高程坡度"]
    rows = list(ws.iter_rows(values_only=True))
    elev = next(r for r in rows if r[0] == "高程（米）")
    assert list(elev[1:4]) == pytest.approx([st["elevation_m"][k] for k in ("min", "mean", "max")], rel=1e-12)
    ws = wb["坡度分级"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r[0]}
    for band in st["slope_bands"]:
        assert rows[band["label"]][1] == pytest.approx(area(band["area"]), rel=1e-12, abs=1e-9)
        assert rows[band["label"]][4] == pytest.approx(band["share_of_footprint"], rel=1e-12, abs=1e-12)
    ws = wb["地表覆盖"]
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if isinstance(r[0], int)}
    for c in raster(data, "landcover")["classes"]:
        row = rows[c["code"]]
        assert row[1] == c["name_zh"] and row[2] == c["name_en"]
        assert row[3] == pytest.approx(area(c["area"]), rel=1e-12)
        assert row[4] == pytest.approx(area(c["area"]) / 10_000, rel=1e-12)
        assert row[5] == pytest.approx(area(c["area"]) * 0.0015, rel=1e-12)
        assert row[6] == pytest.approx(c["share_of_footprint"], rel=1e-12)
        assert ws.cell(row=3, column=4).number_format == "#,##0.00"
