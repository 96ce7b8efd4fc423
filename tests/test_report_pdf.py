"""PDF report rendered for sample cases and checked with poppler (pdftotext, pdffonts, pdftoppm):
Chinese text, areas and every table row present, font embedded, a 300-row table paginates with
every row exactly once and its header repeated, page numbers."""

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from ningxia_gis.review import review_file
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.report import build_report_model
from ningxia_gis.report.pdf import write_pdf
from ningxia_gis.report.model import fmt_ha, fmt_m2, fmt_mu, fmt_pct
from ningxia_gis.report.testing import example_verdicts, synthetic_result

pytestmark = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdffonts")
                                     and shutil.which("pdftoppm")),
                                reason="poppler-utils missing (run tools/apt_deps.sh)")
MAP_DPI = 90  # enough for the checks, quick to render
META = {"case_number": "红自然资审〔2025〕第012号", "applicant": "宁夏测试新能源有限公司", "reviewer": "张审查",
        "organisation": "吴忠市红寺堡区自然资源局"}


def pdftext(pdf: Path, layout: bool = True, first: int | None = None, last: int | None = None) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else [])
    cmd += (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    return subprocess.run(cmd + [str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


def fonts(pdf: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:] if line.strip()]


def count_id(text: str, fid: str) -> int:
    return len(re.findall(rf"(?<![\w-]){re.escape(fid)}(?![\w-])", text))


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory):
    """PDFs of two sample cases: PV on farmland (no activity) and the zone-36 wind farm with verdicts
    (the real rule engine when it works, else a hand-built verdicts dict)."""
    out = tmp_path_factory.mktemp("pdf")
    made = {}
    data = review_file(find_scenario("pv_on_farmland").footprint).data
    made["pv_on_farmland"] = (data, write_pdf(build_report_model(data, META), out / "pv.pdf", map_dpi=MAP_DPI))
    sc = find_scenario("wind_farm_zone36")
    data = review_file(sc.footprint, activity=sc.activity, facts=sc.facts).data
    made["wind_farm_zone36"] = (data, write_pdf(build_report_model(data, META), out / "wind.pdf",
                                                map_dpi=MAP_DPI))
    return made


@pytest.mark.parametrize("case", ["pv_on_farmland", "wind_farm_zone36"])
def test_font_embedded(sample_pdfs, case):
    rows = fonts(sample_pdfs[case][1])
    assert rows, "no fonts listed"
    assert any("NotoSansSC" in r[0] for r in rows)
    for r in rows:  # every font embedded: name type… emb sub uni id gen
        assert r[-5] == "yes", f"font not embedded: {r}"
    assert not any(r[1] == "Type" and r[2] == "3" for r in rows)


@pytest.mark.parametrize("case", ["pv_on_farmland", "wind_farm_zone36"])
def test_text_areas_and_every_row(sample_pdfs, case):
    data, pdf = sample_pdfs[case]
    text = pdftext(pdf)
    flat = re.sub(r"\s+", "", text)
    for s in ("建设项目用地国土空间管控合规性审查报告", "项目基本信息", "管控图层压占情况汇总", "界址点坐标成果表",
              "计算方法与数据来源", META["case_number"], META["applicant"], "项目位置示意图"):
        assert s in flat, s
    assert "⽂" not in text and "⾯" not in text  # no radical look-alikes from the ToUnicode map
    fp = data["footprint"]["area"]["ellipsoidal_m2"]
    assert f"{fmt_ha(fp)}公顷（{fmt_mu(fp)}亩，{fmt_m2(fp)}平方米）" in flat
    lines = text.splitlines()
    for x in data["layers"]:
        if x["role"] == "admin_boundary":
            continue
        a = x["area"]["ellipsoidal_m2"]
        row = next((ln for ln in lines if ln.strip().startswith(x["name"]) and ln.strip().endswith("%")), None)
        assert row is not None, x["name"]
        assert [fmt_m2(a), fmt_ha(a), fmt_mu(a), fmt_pct(x["share_of_footprint"])] == row.split()[-4:]
        if x["status"] == "not_touched":
            continue
        assert f"{x['name']}压占明细表" in flat
        for p in x["pieces"]:
            pa = p["area"]["ellipsoidal_m2"]
            assert count_id(text, p["feature_id"]) == 1, p["feature_id"]
            row = next(ln for ln in lines if count_id(ln, p["feature_id"]))
            assert row.split()[-4:] == [fmt_m2(pa), fmt_ha(pa), fmt_mu(pa), fmt_pct(pa / fp)], row
    # 界址点: every vertex once (plus the closing repeat)
    n = len(re.findall(r"^\s*1\s+1\s+J\d+\s+\d{7}\.\d{3}\s+\d{8}\.\d{3}\s*$", text, re.M))
    assert n == data["footprint"]["vertex_count"]


def test_verdict_section(sample_pdfs):
    data, pdf = sample_pdfs["wind_farm_zone36"]
    flat = re.sub(r"\s+", "", pdftext(pdf, layout=False))
    v = data["verdicts"]
    assert "审查结论" in flat and re.sub(r"\s+", "", v["overall"]["verdict"]) in flat
    assert "分图层审查意见" in flat and "依据条款原文" in flat
    for z in v["zones"]:
        if z.get("quote"):
            assert re.sub(r"\s+", "", z["quote"])[:40] in flat


def test_pages_render(sample_pdfs, tmp_path):
    from PIL import Image

    pdf = sample_pdfs["pv_on_farmland"][1]
    n = pages(pdf)
    assert n >= 5
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    imgs = sorted(tmp_path.glob("p-*.png"))
    assert len(imgs) == n
    red_pages = 0
    for p in imgs:
        px = np.asarray(Image.open(p).convert("RGB"), dtype=np.int32).reshape(-1, 3)
        r, g, b = px.T
        assert ((r + g + b) < 600).sum() > 100, f"{p.name} looks blank"
        red_pages += ((r > 180) & (g < 90) & (b < 90)).sum() > 50
    assert red_pages >= 2  # the location map and the overlay maps show the red footprint / pieces
    # running footer with page numbers from page 2 on (the cover has none)
    for i in range(2, n + 1):
        assert f"第{i}页共{n}页" in re.sub(r"\s+", "", pdftext(pdf, first=i, last=i))
    assert "第1页" not in re.sub(r"\s+", "", pdftext(pdf, first=1, last=1))


def test_300_rows_paginate_each_once(tmp_path):
    data = synthetic_result(300)
    data["verdicts"] = example_verdicts(data)
    data["activity"] = data["verdicts"]["activity"]
    pdf = write_pdf(build_report_model(data, {"case_number": "T-300"}), tmp_path / "t300.pdf", map_dpi=60)
    text = pdftext(pdf)
    ids = [p["feature_id"] for p in data["layers"][1]["pieces"]]
    missing = [f for f in ids if count_id(text, f) != 1]
    assert not missing, f"rows missing or repeated: {missing[:10]}"
    # rows appear in order across the pages
    pos = [text.index(f) for f in ids]
    assert pos == sorted(pos)
    # the detail table runs over several pages, its caption and header repeated on each
    table_pages = [i for i in range(1, pages(pdf) + 1) if "NT0" in pdftext(pdf, first=i, last=i)]
    assert len(table_pages) >= 5
    for i in table_pages:
        page = re.sub(r"\s+", "", pdftext(pdf, first=i, last=i))
        assert "永久基本农田压占明细表" in page and "图斑编号" in page and "压占面积" in page
    assert text.count("合计（合并计算）") == 1
    assert re.sub(r"\s+", "", text).count("一、项目基本信息") == 1  # nothing drawn twice at a page break


def test_paint_report_on_a_qprinter(tmp_path):
    """The desktop app prints through the same painter code (QPrinter at printer resolution)."""
    from ningxia_gis.report.pdf import ensure_qt_app, paint_report

    ensure_qt_app()
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize
    from PySide6.QtPrintSupport import QPrinter

    out = tmp_path / "printed.pdf"
    pr = QPrinter(QPrinter.PrinterMode.HighResolution)
    pr.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    pr.setOutputFileName(str(out))
    pr.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    pr.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    data = synthetic_result(40)
    n = paint_report(build_report_model(data), pr, map_dpi=50)
    assert pages(out) == n
    text = pdftext(out)
    assert all(count_id(text, p["feature_id"]) == 1 for p in data["layers"][1]["pieces"])
