"""Issue 15, report part: officer-facing text without rule ids, the English report, the 摘要版 on 2–3 pages,
the sign-off and seal at the end of the PDF and the DOCX, no page holding only a line, Beijing time —
checked on the rendered files (pdftotext per page, the DOCX XML) of the demo case."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn

from ningxia_gis.cli import main
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.report import build_report_model
from ningxia_gis.report.docx import write_docx
from ningxia_gis.report.pdf import write_pdf
from ningxia_gis.review import review_file

pytestmark = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
                                reason="poppler-utils missing (run tools/apt_deps.sh)")
MAP_DPI = 90
META = {"organisation": "同心县自然资源局", "reviewer": "张审查", "case_number": "同自然资审〔2026〕第7号"}
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def page_texts(pdf, mode: str = "-layout") -> list[str]:
    """Text per page; ``mode`` "-raw" keeps table cells whole (content-stream order)."""
    out = subprocess.run(["pdftotext", mode, "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                         text=True).stdout
    return [p for p in out.split("\f") if p.strip()]


def page_count(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The demo case (road across the red line, its scenario's activity and facts) as PDF (zh/en, full and
    summary) and DOCX (zh/en); the English summary PDF made by the CLI."""
    out = tmp_path_factory.mktemp("editions")
    sc = find_scenario("road_crossing_redline")
    data = review_file(sc.footprint, activity=sc.activity, facts=sc.facts).data
    files = {}
    for lang in ("zh", "en"):
        model = build_report_model(data, META, lang=lang)
        files[("pdf", lang, "full")] = write_pdf(model, out / f"full_{lang}.pdf", map_dpi=MAP_DPI)
        files[("docx", lang, "full")] = write_docx(model, out / f"full_{lang}.docx", map_dpi=MAP_DPI)
        summary = build_report_model(data, META, lang=lang, edition="summary")
        files[("docx", lang, "summary")] = write_docx(summary, out / f"summary_{lang}.docx", map_dpi=MAP_DPI)
        if lang == "zh":
            files[("pdf", lang, "summary")] = write_pdf(summary, out / f"summary_{lang}.pdf", map_dpi=MAP_DPI)
    cli_pdf = out / "summary_en.pdf"
    assert main(["check", "--demo", "--report", str(cli_pdf), "--lang", "en", "--edition", "summary",
                 "--organisation", META["organisation"], "--reviewer", META["reviewer"],
                 "--case-number", META["case_number"]]) == 0
    files[("pdf", "en", "summary")] = cli_pdf
    return data, files


def _rule_ids(data: dict) -> set[str]:
    v = data["verdicts"]
    ids = {z["rule_id"] for z in v["zones"] if z.get("rule_id")}
    ids |= {t["rule_id"] for z in v["zones"] for t in z.get("trace") or []}
    ids |= {r for p in v.get("procedures") or [] for r in p.get("rule_ids") or []}
    ids |= {r for z in v["zones"] for r in (z.get("procedure") or {}).get("rule_ids") or []}
    return ids


def _el_text(el) -> str:
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def _docx_text(path) -> str:
    return _el_text(Document(str(path)).element.body)


def test_no_rule_ids_or_seed_lines_in_the_officer_facing_text(case):
    data, files = case
    ids = _rule_ids(data)
    assert len(ids) >= 3  # the demo applies several rules: the check below can fail
    seeds = {z["source"]["file"] for z in data["verdicts"]["zones"] if (z.get("source") or {}).get("file")}
    for key, path in files.items():
        text = flat("".join(page_texts(path))) if key[0] == "pdf" else flat(_docx_text(path))
        found = [i for i in ids if i in text]
        assert not found, (key, found)
        assert not [s for s in seeds if s in text], key
        assert not re.search(r"第\d+行", text), key
        assert not re.search(r"〔[a-z_]+\.[a-z0-9_.]+〕", text), key
    # the document, 文号 and article are what the officer reads
    zh = flat("".join(page_texts(files[("pdf", "zh", "full")])))
    assert "《关于加强生态保护红线管理的实施意见》（宁党办〔2023〕63号）二（一）2" in zh
    assert "。；" not in zh


def test_engine_summary_has_no_rule_ids(case):
    data, _ = case
    overall = data["verdicts"]["overall"]
    assert not [i for i in _rule_ids(data) if i in overall["summary_zh"]]
    assert "生态保护红线（核心保护区外）：有条件允许" in overall["summary_zh"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_summary_edition_is_two_to_three_pages_with_what_it_promises(case, lang):
    _, files = case
    pdf = files[("pdf", lang, "summary")]
    assert 2 <= page_count(pdf) <= 3
    full = page_count(files[("pdf", lang, "full")])
    assert full >= 8
    text = flat("".join(page_texts(pdf)))
    want = (["摘要版", "一、项目基本信息", "二、审查结论", "分图层审查意见", "三、管控图层压占情况", "管控图层压占情况汇总",
             "项目位置示意图", "审查意见与签章", "同心县自然资源局（盖章）", "罗山南麓县道改建工程"] if lang == "zh" else
            ["Summaryedition", "1.Basicinformation", "2.Reviewconclusion", "Conclusionpercontrollayerandzone",
             "3.Overlapwiththecontrollayers", "Figure1", "Reviewopinion,signaturesandseal",
             "同心县自然资源局(seal)"])
    missing = [w for w in want if w not in text]
    assert not missing, missing
    assert ("界址点" if lang == "zh" else "Boundarypoint") not in text
    # the sign-off closes the last page
    last = flat(page_texts(pdf)[-1])
    assert ("审查意见与签章" if lang == "zh" else "Reviewopinion,signaturesandseal") in last


@pytest.mark.parametrize("key", [("pdf", "zh", "full"), ("pdf", "zh", "summary"), ("pdf", "en", "full"),
                                 ("pdf", "en", "summary")])
def test_no_page_holds_only_a_line(case, key):
    _, files = case
    pages = page_texts(files[key])
    for i, page in enumerate(pages, 1):
        lines = [ln for ln in page.splitlines() if ln.strip()]
        body = lines[1:-1] if (i > 1 or key[2] == "summary") else lines  # without running header and footer
        assert len(body) > 3, f"{key} page {i}: {body}"
    last = flat(pages[-1])
    seal = "盖章" if key[1] == "zh" else "(seal)"
    assert seal in last and all(seal not in flat(p) for p in pages[:-1]), key


def _strip_originals(page: str) -> str:
    """A page's text without the 「…」 originals (a span running over a page end is cut at the page)."""
    t = flat(page)
    t = re.sub(r"「[^「」]*」", "", t)
    t = re.sub(r"^[^「」]*」", "", t)  # the end of a span begun on the page before
    return re.sub(r"「[^」]*$", "", t)  # a span running on to the next page


def _proper_nouns(data: dict) -> set[str]:
    """Names the English report prints as they are: the case details, the county, the project, and the
    attribute values of the features (names of protected areas, villages, map labels of counties)."""
    names = set(META.values()) | {data["location"]["county"], "罗山南麓县道改建工程"}
    for x in data["layers"]:
        for p in x.get("pieces") or []:
            for v in list((p.get("key") or {}).values()) + list((p.get("attributes") or {}).values()):
                if isinstance(v, str) and CJK.search(v):
                    names.add(v)
    return names


@pytest.mark.parametrize("edition", ["full", "summary"])
def test_english_report_has_no_chinese_outside_quotations_and_names(case, edition):
    data, files = case
    pages = page_texts(files[("pdf", "en", edition)], "-raw")
    names = sorted(_proper_nouns(data), key=len, reverse=True)
    text = flat("".join(pages))
    for heading in ("Reviewconclusion", "Overlapwiththecontrollayers", "Projectlocation", "Page2of"):
        assert heading in text, heading
    if edition == "full":
        assert text.count("Policyquotations,theruleconditionsandproceduresteps") == 1  # said once
        assert "Englishgloss:" in text and "Beijingtime" in text
        assert "conditionallypermitted" in text and "needshumanjudgment" in text
    rest = []
    for page in pages:
        t = flat(_strip_originals(page))  # a name wrapped in a table cell is still the name
        for n in names:
            t = t.replace(flat(n), "")
        # a long name elided in a table cell or map label: its head … its tail
        t = re.sub(r"([\u4e00-\u9fff]+)[…⋯]+([\u4e00-\u9fff]+)",
                   lambda m: "" if any(n.startswith(m[1]) and n.endswith(m[2]) for n in names) else m[0], t)
        # county names on the maps (from the boundary layer): proper nouns ending 县/区/市
        t = re.sub(r"[\u4e00-\u9fff]{1,5}[县区市]", "", t)
        rest += re.findall(r"[\u3400-\u9fff]+", t)
    # table cells that wrap side by side interleave their lines in the extracted text: a run made only of
    # the characters of the names is the names' fragments, anything else is untranslated text
    name_chars = set("".join(names))
    rest = [r for r in rest if not set(r) <= name_chars]
    assert not rest, rest


def test_docx_ends_with_the_seal_block_and_has_no_empty_page(case):
    _, files = case
    for key in (("docx", "zh", "full"), ("docx", "en", "full"), ("docx", "zh", "summary")):
        doc = Document(str(files[key]))
        body = [el for el in doc.element.body if el.tag != qn("w:sectPr")]
        heading, table = body[-2], body[-1]
        title = "审查意见与签章" if key[1] == "zh" else "Review opinion, signatures and seal"
        assert heading.tag == qn("w:p") and _el_text(heading).strip() == title, key
        assert table.tag == qn("w:tbl")
        cells = "".join(t.text or "" for t in table.iter(qn("w:t")))
        for word in (["审查意见：", "审查人（签字）", "复核人（签字）", "（盖章处）", "同心县自然资源局（盖章）", "年　　月　　日"]
                     if key[1] == "zh" else ["Review opinion:", "Reviewer (signature)", "(seal)",
                                            "同心县自然资源局 (seal)"]):
            assert word in cells, (key, word)
        # the seal square: a nested cell with dashed borders
        assert table.findall(f".//{qn('w:tcBorders')}/{qn('w:top')}")[0].get(qn("w:val")) == "dashed"
        xml = doc.element.body.xml
        assert 'w:type="page"' not in xml, key  # no page-break runs: breaks are page_break_before
        for p in doc.element.body.iter(qn("w:p")):  # a page break never sits on an empty paragraph
            if p.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None:
                assert _el_text(p).strip() or p.find(f".//{qn('w:drawing')}") is not None, key
        assert doc.element.body.find(qn("w:sectPr")) is not None and not doc.element.body[-1].tag.endswith("}p")
        for tc in doc.element.body.iter(qn("w:tc")):  # Word requires every cell to end with a paragraph
            kids = [k for k in tc if k.tag != qn("w:tcPr")]
            assert kids and kids[-1].tag == qn("w:p"), key


def test_english_docx_text_and_original_quotations(case):
    data, files = case
    text = _docx_text(files[("docx", "en", "full")])
    rest = re.sub(r"「[^「」]*」", "", text)
    for n in sorted(_proper_nouns(data), key=len, reverse=True):
        rest = rest.replace(n, "")
    assert not re.findall(r"[\u3400-\u9fff]+", rest)
    assert Document(str(files[("docx", "en", "full")])).core_properties.language == "en-GB"
    assert "Review conclusion" in text and "Conclusion per control layer and zone" in text
    assert "「《关于加强生态保护红线管理的实施意见》（宁党办〔2023〕63号）二（一）2」" in text
    assert "English gloss:" in text
    body = [p.text for p in Document(str(files[("docx", "en", "full")])).paragraphs]
    assert body[-1] == "Review opinion, signatures and seal"


def test_times_are_beijing_time(case):
    data, files = case
    zh = flat("".join(page_texts(files[("pdf", "zh", "full")])))
    en = flat("".join(page_texts(files[("pdf", "en", "full")])))
    from ningxia_gis.report.model import cn_time

    assert f"分析时间：{flat(cn_time(data['created_at']))}" in zh and "（北京时间）" in zh
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", zh + en)
    assert "(Beijingtime,UTC+8)" in en and re.search(r"analysed:\d{1,2}[A-Z][a-z]+\d{4}\d\d:\d\d", en)


def test_english_maps_have_english_legends(case):
    data, _ = case
    from ningxia_gis.maps import location_map, map_context, overlay_map

    ctx = map_context(data, lang="en")
    for fig in (location_map(ctx, title=None), overlay_map(ctx, "stbhhx", title="")):
        texts = [t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))]
        legend = [t.get_text() for lg in fig.legends for t in lg.get_texts()]
        assert legend and not [t for t in legend if CJK.search(t)], legend
        assert any(t.startswith("Scale 1:") for t in texts) and any("Gauss-Krüger" in t for t in texts)
        assert not [t for t in texts if t in ("北", "米", "千米", "位置示意")]
