"""The Word report is a Chinese document: zh-CN language, 宋体/SimSun body, 黑体/SimHei headings, and a
font table that describes them (plus the shipped Noto Sans SC) instead of python-docx's Japanese default."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from ningxia_gis.review import review_file
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.report import build_report_model
from ningxia_gis.report.docx import write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    data = review_file(find_scenario("road_crossing_redline").footprint).data
    path = write_docx(build_report_model(data, {}), tmp_path_factory.mktemp("docx") / "r.docx", map_dpi=40)
    with zipfile.ZipFile(path) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xml")}


def test_language_is_zh_cn(parts):
    for name in ("word/styles.xml", "word/stylesWithEffects.xml"):
        lang = parts[name].find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
        assert (lang.get(f"{W}val"), lang.get(f"{W}eastAsia")) == ("zh-CN", "zh-CN"), name
    assert parts["word/settings.xml"].find(f"{W}themeFontLang").get(f"{W}eastAsia") == "zh-CN"
    core = parts["docProps/core.xml"]
    assert [e.text for e in core if e.tag.endswith("}language")] == ["zh-CN"]


def test_font_table_has_songti_heiti_and_noto(parts):
    fonts = {f.get(f"{W}name"): f for f in parts["word/fontTable.xml"].findall(f"{W}font")}
    assert {"宋体", "黑体", "Noto Sans SC", "Times New Roman"} <= set(fonts)
    assert not [n for n in fonts if "ＭＳ" in n]  # python-docx's Japanese defaults are gone

    def val(name, tag):
        return fonts[name].find(f"{W}{tag}").get(f"{W}val")

    assert (val("宋体", "altName"), val("宋体", "charset"), val("宋体", "family")) == ("SimSun", "86", "roman")
    assert (val("黑体", "altName"), val("黑体", "charset"), val("黑体", "family")) == ("SimHei", "86", "modern")
    assert val("Noto Sans SC", "charset") == "86" and val("Noto Sans SC", "family") == "swiss"


def test_styles_name_the_chinese_fonts(parts):
    styles = {s.get(f"{W}styleId"): s for s in parts["word/styles.xml"].findall(f"{W}style")}

    def east_asia(style_id):
        return styles[style_id].find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia")

    assert east_asia("Normal") == "宋体"
    assert east_asia("Heading1") == east_asia("Heading2") == east_asia("Title") == "黑体"
    used = {r.get(f"{W}eastAsia") for r in parts["word/document.xml"].iter(f"{W}rFonts")} - {None}
    fonts = {f.get(f"{W}name") for f in parts["word/fontTable.xml"].findall(f"{W}font")}
    assert used <= fonts  # every East-Asian font a run names is described in the table
