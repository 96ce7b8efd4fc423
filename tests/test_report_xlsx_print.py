"""The Excel report prints: A4 landscape, one page wide, title/header rows repeated; 合计 rows that are
column sums are formulas (recomputed here from the cells), dissolved totals stay values."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from openpyxl import Workbook, load_workbook

from ningxia_gis.review import review_file
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.report import build_report_model
from ningxia_gis.report.xlsx import write_xlsx
from ningxia_gis.report.model import Column, Table
from ningxia_gis.report.xlsx import _write_table


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    data = review_file(find_scenario("pv_on_farmland").footprint).data
    model = build_report_model(data, {"case_number": "X-1"})
    path = write_xlsx(model, tmp_path_factory.mktemp("xlsx") / "r.xlsx")
    return path, model


def test_every_sheet_prints_a4_landscape_fit_to_width(workbook):
    path, _ = workbook
    wb = load_workbook(path)
    for ws in wb:
        ps = ws.page_setup
        assert (ps.paperSize, ps.orientation) == (9, "landscape"), ws.title  # 9 = A4
        assert (int(ps.fitToWidth), int(ps.fitToHeight)) == (1, 0) and ws.sheet_properties.pageSetUpPr.fitToPage
        if ws["A2"].value is not None and ws.title not in ("项目信息", "审查结论"):
            assert ws.print_title_rows == "$1:$2", ws.title  # title + column headers on every page
        assert "&P" in ws.oddFooter.center.text


def _formula_sum(ws, formula: str) -> float:
    col, r0, r1 = re.fullmatch(r"=SUM\(([A-Z]+)(\d+):\1(\d+)\)", formula).groups()
    return sum(ws[f"{col}{r}"].value for r in range(int(r0), int(r1) + 1))


def test_column_totals_are_sum_formulas(workbook):
    path, model = workbook
    wb = load_workbook(path)  # formulas, not cached values
    checked = 0
    for t in model.tables():
        if not t.total_values:
            continue
        ws = next(ws for ws in wb if ws["A1"].value == t.title)
        total_row = next(r for r in ws.iter_rows() if any(c.value in ("合计", "合计（合并计算）") for c in r))
        for cell in total_row:
            if isinstance(cell.value, str) and cell.value.startswith("=SUM("):
                assert int(re.search(r"(\d+)\)$", cell.value).group(1)) == cell.row - 1  # ends above the total
                got = _formula_sum(ws, cell.value)
                want = [v for v in t.total_values if isinstance(v, float)]
                assert any(got == pytest.approx(w, rel=1e-9) for w in want), (t.key, cell.coordinate)
                checked += 1
    assert checked >= 3


def test_a_dissolved_total_stays_a_value():
    """Overlapping features: the 合计 (merged area) is less than the sum of the rows, so no SUM formula."""
    cols = [Column("序号", "c", 1, "int"), Column("图斑编号"), Column("面积", "r", 1, "m2"), Column("占比", "r", 1, "pct")]
    t = Table("pieces:x", "测试明细表", cols, [["1", "a", "", ""], ["2", "b", "", ""]],
              values=[[1, "a", 100.0, 0.1], [2, "b", 50.0, 0.05]], total_values=["", "合计（合并计算）", 120.0, 0.12])
    ws = Workbook().active
    _write_table(ws, t)
    assert ws["C5"].value == 120.0 and ws["D5"].value == 0.12
    t.total_values = ["", "合计", 150.0, 0.15]
    ws = Workbook().active
    _write_table(ws, t)
    assert ws["C5"].value == "=SUM(C3:C4)" and ws["D5"].value == "=SUM(D3:D4)"
    assert ws["C5"].number_format == "#,##0.00"


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                    reason="LibreOffice (optional print check) or poppler-utils is not installed")
def test_libreoffice_prints_one_page_wide_on_a4(workbook, tmp_path):
    path, _ = workbook
    env = {**os.environ, "HOME": str(tmp_path)}  # a throwaway LibreOffice profile
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180, env=env)
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    w, h = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M).groups())
    assert (round(w), round(h)) == (842, 595)  # A4 landscape in points
    sheets = len(load_workbook(path).sheetnames)
    # one page wide: a sheet takes more than one page only when it is long (the 界址点 table is not here)
    assert sheets <= pages <= sheets + 2, pages
