"""Report layout (issue 15): signatures and seal at the end, no page holding only a line or two, times as
Beijing time 「2026年12月2日 14:30」 — checked on the PDF's own text, page by page."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from ningxia_gis.paths import SAMPLE_FOOTPRINTS
from ningxia_gis.report.model import cn_time


def test_cn_time_is_beijing_time():
    assert cn_time("2026-12-02T06:31:50+00:00") == "2026年12月2日 14:31"
    assert cn_time("2026-12-02T14:30:00+08:00") == "2026年12月2日 14:30"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdf_layout_end_signature_no_orphan_pages(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764657000")  # 2025-12-02 06:30 UTC = 14:30 Beijing
    from ningxia_gis.review import review_file, write_outputs

    result = review_file(SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg", activity="road",
                         facts={"unavoidable": True, "new_construction_land": True})
    pdf = tmp_path / "r.pdf"
    write_outputs(result, {"pdf": pdf}, case={"organisation": "红寺堡区自然资源局"})
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    body = [[ln for ln in p.splitlines() if ln.strip()][1:-1] for p in pages]  # without header and footer
    for i, lines in enumerate(body[1:], start=2):
        assert len(lines) >= 3, f"page {i} holds only {lines}"
    last = "".join(pages[-1].split())
    assert "审查意见与签章" in last and "盖章" in last and "复核人（签字）" in last
    assert "红寺堡区自然资源局（盖章）" in last
    assert all("审查意见与签章" not in "".join(p.split()) for p in pages[:-1])
    flat = "".join(text.split())
    assert "分析时间：2025年12月2日14:30" in flat
    assert not re.search(r"分析时间：\d{4}-\d\d-\d\dT", flat)


def test_maps_carry_a_numeric_scale_and_an_overview_inset():
    from ningxia_gis.maps import map_context, overlay_map
    from ningxia_gis.maps.draw import AX_RECT
    from ningxia_gis.maps.figures import PRINT_WIDTH_MM, print_scale
    from ningxia_gis.review import review_file

    r = review_file(SAMPLE_FOOTPRINTS / "mine_in_core_zone.geojson", activity="mining")
    ctx = map_context(r.data)
    lid = next(x["id"] for x in r.data["layers"] if x["status"] == "occupied" and x["role"] != "admin_boundary")
    fig = overlay_map(ctx, lid, title=None)
    ax = fig.axes[0]
    x0, x1 = ax.get_xlim()
    expected = (x1 - x0) / (PRINT_WIDTH_MM * AX_RECT[2] / 1000)
    texts = [t.get_text() for t in fig.texts]
    note = next(t for t in texts if t.startswith("比例尺 1:"))
    n = int(note.split("1:", 1)[1].split("（")[0].replace(",", ""))
    assert n == print_scale((x0, 0, x1, 0)) and abs(n - expected) / expected < 0.01
    insets = ax.child_axes
    assert len(insets) == 1 and insets[0].get_zorder() > 50
    inset = insets[0]
    ix0, ix1 = inset.get_xlim()
    assert ix1 - ix0 > 5 * (x1 - x0)  # the overview shows the county around the tight frame


def test_data_sources_list_provider_and_vintage_from_the_catalog():
    from ningxia_gis.core.catalog import load_catalog
    from ningxia_gis.paths import SAMPLE_CATALOG
    from ningxia_gis.report import build_report_model
    from ningxia_gis.review import review_file

    cat = load_catalog(SAMPLE_CATALOG)
    spec = cat.layers[0]
    assert spec.provider and spec.vintage  # optional catalog fields, given in the sample catalog
    r = review_file(SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg", SAMPLE_CATALOG)
    entry = next(x for x in r.data["layers"] if x["id"] == spec.id)
    assert (entry["provider"], entry["vintage"]) == (spec.provider, spec.vintage)
    model = build_report_model(r.data)
    table = next(b for s in model.sections for b in s.blocks if getattr(b, "key", None) == "provenance"
                 or getattr(b, "title", "") == "数据来源与文件校验值")
    assert [c.title for c in table.columns][2] == "数据来源/时点"
    row = next(row for row in table.rows if row[0] == "管控图层")
    assert spec.provider in row[2] and spec.vintage in row[2]


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="pdfimages (poppler-utils) not installed")
def test_pdf_maps_are_vector_graphics(tmp_path):
    from ningxia_gis.review import review_file, write_outputs

    result = review_file(SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg", activity="road")
    pdf = tmp_path / "r.pdf"
    write_outputs(result, {"pdf": pdf})
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages_with_images = {int(ln.split()[0]) for ln in images.splitlines()[2:] if ln.split()[2] == "image"}
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    overlay = [i + 1 for i, p in enumerate(pages) if "叠加分析图" in p and "比例尺 1:" in p]
    assert overlay, "an overlay map with its (searchable) scale statement"
    assert not set(overlay) & pages_with_images  # drawn as vectors, not as a picture
