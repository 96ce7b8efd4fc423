"""Word and Excel copies carry the same tables and figures as the PDF; the GeoPackage of the pieces
can be written from a saved JSON."""

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from ningxia_gis.core.check import CheckResult, run_check
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.report import build_report_model
from ningxia_gis.report.docx import write_docx
from ningxia_gis.report.xlsx import write_xlsx
from ningxia_gis.review import review_file, write_output
from ningxia_gis.report.model import fmt_m2
from ningxia_gis.report.testing import example_verdicts


@pytest.fixture(scope="module")
def case():
    sc = find_scenario("pv_on_farmland")
    data = review_file(sc.footprint, activity=sc.activity, facts=sc.facts).data
    return data, build_report_model(data, {"case_number": "T-42", "reviewer": "张三"})


def test_docx_same_content(case, tmp_path):
    data, model = case
    path = write_docx(model, tmp_path / "r.docx", map_dpi=60)
    doc = Document(str(path))
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "宋体"
    text = "\n".join(p.text for p in doc.paragraphs)
    assert model.title in text and "项目位置示意图" in text
    # one picture per figure
    assert len(doc.inline_shapes) == len(model.figures)
    tables = {t.rows[0].cells[0].text: t for t in doc.tables if t.rows}
    for x in data["layers"]:
        if x["role"] == "admin_boundary" or x["status"] == "not_touched":
            continue
        mt = model.table(f"pieces:{x['id']}")
        # the Word table whose data rows are this layer's pieces
        t = next(t for t in doc.tables if len(t.rows) == len(mt.rows) + 2
                 and t.rows[1].cells[1].text == str(x["pieces"][0]["feature_id"]))
        hdr = t.rows[0]._tr.trPr.find(qn("w:tblHeader"))
        assert hdr is not None  # header row repeats on every page
        for row, p in zip(t.rows[1:], x["pieces"]):
            cells = [c.text for c in row.cells]
            assert cells[1] == str(p["feature_id"])
            assert fmt_m2(p["area"]["ellipsoidal_m2"]) in cells
        assert t.rows[-1].cells[1].text.startswith("合计")
    assert tables  # non-empty
    assert any(data["verdicts"]["overall"]["verdict"] in p.text for p in doc.paragraphs) or any(
        data["verdicts"]["overall"]["verdict"] in c.text for t in doc.tables for r in t.rows for c in r.cells)


def test_xlsx_exact_values(case, tmp_path):
    data, model = case
    wb = load_workbook(write_xlsx(model, tmp_path / "r.xlsx"))
    assert {"项目信息", "审查结论", "压占汇总", "界址点坐标", "数据来源", "审查意见"} <= set(wb.sheetnames)
    ws = wb["明细-永久基本农田"]
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    header = [c.value for c in ws[2]]
    i_m2 = header.index("压占面积（平方米）")
    pieces = next(x for x in data["layers"] if x["id"] == "yjjbnt")["pieces"]
    for row, p in zip(rows, pieces):
        assert row[1] == p["feature_id"]
        # full precision (Excel keeps 15 significant digits), not rounded to the displayed 0.01
        assert row[i_m2] == pytest.approx(p["area"]["ellipsoidal_m2"], rel=1e-13, abs=0)
    assert ws.cell(row=3, column=i_m2 + 1).number_format == "#,##0.00"
    summary = wb["压占汇总"]
    vals = {r[0]: r for r in summary.iter_rows(min_row=3, values_only=True) if r[0]}
    for x in data["layers"]:
        if x["role"] != "admin_boundary":
            assert vals[x["name"]][3] == pytest.approx(x["area"]["ellipsoidal_m2"], rel=1e-13, abs=0)


def test_gpkg_from_json(case, tmp_path):
    import pyogrio

    data, _ = case
    result = CheckResult(data=data, epsg=data["analysis_crs"]["epsg"], footprint_geom=None)
    path = write_output("gpkg", result, tmp_path / "p.gpkg")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    per_layer = {f"pieces_{x['id']}" for x in data["layers"] if x["pieces"]}
    assert per_layer and layers == {"overlap_pieces", "footprint", "layer_styles"} | per_layer
    pieces = pyogrio.read_dataframe(path, layer="overlap_pieces")
    assert len(pieces) == sum(len(x["pieces"]) for x in data["layers"])
    assert pieces.crs.to_epsg() == data["analysis_crs"]["epsg"]
