"""Word (.docx) copy of the report: the same blocks as the PDF, editable (python-docx).

Word only *names* fonts, it cannot embed them here: the text runs name 宋体 (body) / 黑体 (headings) for
East-Asian text (``w:eastAsia``) and Times New Roman for Latin text, the fonts a Chinese Windows/Office
has; elsewhere the viewer substitutes its own CJK font. The document language is zh-CN, and the font table
describes 宋体 (SimSun, serif) and 黑体 (SimHei, sans) with their panose and GB2312 charset, plus the shipped
Noto Sans SC, so a viewer without them picks a serif body and a sans heading instead of one sans font.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from ..domain import messages
from ..domain.errors import InputError
from ..domain.vocab import VERDICTS
from ..fonts import FALLBACK_FAMILY, WORD_FONT_BODY, WORD_FONT_HEADING, WORD_FONT_LATIN
from .model import (Bullets, Figure, PageBreak, Paragraph, Quote, ReportModel, Signature,
                    Table, VerdictBox, render_block)
from .render import MAP_DPI, figure_key, render_figures

VERDICT_RGB = {v.code: v.fg.lstrip("#").upper() for v in VERDICTS}
VERDICT_FILL = {v.code: v.bg.lstrip("#").upper() for v in VERDICTS}
HEADER_FILL = "DFE6EE"
ALIGN = {"l": WD_ALIGN_PARAGRAPH.LEFT, "c": WD_ALIGN_PARAGRAPH.CENTER, "r": WD_ALIGN_PARAGRAPH.RIGHT}
BODY_W_MM = 165.0


def _set_fonts(obj, east_asia: str = WORD_FONT_BODY, latin: str = WORD_FONT_LATIN) -> None:
    """Set ascii/hAnsi and eastAsia fonts on a style or a run (``w:rFonts``)."""
    el = obj.element if hasattr(obj, "element") else obj._element
    rpr = el.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr, val in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        rfonts.set(qn(attr), val)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


LANG = "zh-CN"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: (name, altName, panose, charset, family, pitch, usb0-3 + csb0-1) as Word writes them for these fonts
FONT_TABLE = [
    (WORD_FONT_BODY, "SimSun", "02010600030101010101", "86", "roman", "variable",
     ("00000003", "288F0000", "00000016", "00000000", "00040001", "00000000")),
    (WORD_FONT_HEADING, "SimHei", "02010609060101010101", "86", "modern", "fixed",
     ("800002BF", "38CF7CFA", "00000016", "00000000", "00040001", "00000000")),
    (FALLBACK_FAMILY, "", "020B0500000000000000", "86", "swiss", "variable",
     ("30000003", "2BDF3C10", "00000016", "00000000", "00060107", "00000000")),
    (WORD_FONT_LATIN, "", "02020603050405020304", "00", "roman", "variable",
     ("E0002AFF", "C0007841", "00000009", "00000000", "000001FF", "00000000")),
    ("Symbol", "", "05050102010706020507", "02", "roman", "variable",
     ("00000000", "10000000", "00000000", "00000000", "80000000", "00000000")),
]


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


def _font_table_xml() -> bytes:
    root = etree.Element(_w("fonts"), nsmap={"w": W_NS})
    for name, alt, panose, charset, family, pitch, sig in FONT_TABLE:
        f = etree.SubElement(root, _w("font"), {_w("name"): name})
        if alt:
            etree.SubElement(f, _w("altName"), {_w("val"): alt})
        etree.SubElement(f, _w("panose1"), {_w("val"): panose})
        etree.SubElement(f, _w("charset"), {_w("val"): charset})
        etree.SubElement(f, _w("family"), {_w("val"): family})
        etree.SubElement(f, _w("pitch"), {_w("val"): pitch})
        etree.SubElement(f, _w("sig"), dict(zip(map(_w, ("usb0", "usb1", "usb2", "usb3", "csb0", "csb1")), sig)))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_lang(styles_root, latin: str = LANG) -> None:
    """docDefaults: the document is Chinese (proofing and East-Asian line breaking)."""
    for lang in styles_root.iter(_w("lang")):
        if lang.getparent().getparent().tag == _w("rPrDefault"):
            lang.set(_w("val"), latin)  # the English report: en-GB text, East-Asian text still zh-CN
            lang.set(_w("eastAsia"), LANG)


def _chinese_document(doc, latin: str = LANG) -> None:
    """zh-CN language in docDefaults, settings and the core properties; the Chinese font table."""
    _set_lang(doc.styles.element, latin)
    for el in doc.settings.element.iter(_w("themeFontLang")):
        el.set(_w("eastAsia"), LANG)
    doc.core_properties.language = latin
    for part in doc.part.package.iter_parts():
        name = str(part.partname)
        if name == "/word/fontTable.xml":
            part._blob = _font_table_xml()
        elif name == "/word/stylesWithEffects.xml":
            root = etree.fromstring(part.blob)
            _set_lang(root, latin)
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(row) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _col_widths(tbl, widths_mm: list[float]) -> None:
    """Fixed column widths (grid + every cell): Word and LibreOffice then keep the layout."""
    tbl.autofit = False
    for col, w in zip(tbl.columns, widths_mm):
        col.width = Mm(w)
        for cell in col.cells:
            cell.width = Mm(w)


def _field(paragraph, instr: str) -> None:
    """A Word field (PAGE, NUMPAGES) in ``paragraph``."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instr)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "1"
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _run(p, text: str, *, size: float | None = None, bold: bool = False, color: str | None = None,
         heading: bool = False):
    run = p.add_run(text)
    if size:
        run.font.size = Pt(size)
    if bold:
        run.bold = True
    if color:
        run.font.color.rgb = RGBColor.from_string(color)
    if heading:
        _set_fonts(run, WORD_FONT_HEADING)
    return run


class DocxBuilder:
    def __init__(self, model: ReportModel, maps: dict[str, Path | None]):
        self.m = model
        self.maps = maps
        self.doc = Document()
        self.n_table = 0
        self.n_figure = 0
        self.lang = model.lang
        self.signatures: list[Signature] = []
        self.pending_break = False  # the next paragraph starts a new page (page_break_before, never an empty page)
        self._setup()

    def t(self, key: str, **kw) -> str:
        return messages.text(f"rpt.{key}", self.lang, **kw)

    def _para(self, style=None):
        """A new paragraph that takes a pending page break."""
        p = self.doc.add_paragraph(style=style) if style else self.doc.add_paragraph()
        if self.pending_break:
            p.paragraph_format.page_break_before = True
            self.pending_break = False
        return p

    def _heading(self, text: str, level: int):
        h = self.doc.add_heading(text, level=level)
        if self.pending_break:
            h.paragraph_format.page_break_before = True
            self.pending_break = False
        h.paragraph_format.keep_with_next = True
        return h

    def _setup(self) -> None:
        d = self.doc
        sec = d.sections[0]
        sec.orientation = WD_ORIENT.PORTRAIT
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Mm(25), Mm(20), Mm(24), Mm(22)
        sec.header_distance, sec.footer_distance = Mm(12), Mm(12)
        sec.different_first_page_header_footer = True
        _chinese_document(d, "en-GB" if self.lang == "en" else LANG)
        styles = d.styles
        normal = styles["Normal"]
        normal.font.size = Pt(10.5)
        _set_fonts(normal)
        normal.paragraph_format.space_after = Pt(3)
        normal.paragraph_format.line_spacing = 1.25
        for name, size in (("Title", 22), ("Heading 1", 15), ("Heading 2", 12.5), ("Heading 3", 11.5)):
            st = styles[name]
            st.font.size = Pt(size)
            st.font.bold = True
            st.font.color.rgb = RGBColor(0x1B, 0x2A, 0x3A) if name != "Title" else RGBColor(0, 0, 0)
            _set_fonts(st, WORD_FONT_HEADING)
        for name in ("List Bullet", "List Number", "Caption"):
            if name in [s.name for s in styles]:
                _set_fonts(styles[name])
        # running header and page-number footer (not on the cover)
        hp = sec.header.paragraphs[0]
        hp.text = ""
        hp.paragraph_format.tab_stops.add_tab_stop(Mm(BODY_W_MM), WD_TAB_ALIGNMENT.RIGHT)
        _run(hp, self.m.title, size=8, color="555555")
        if self.m.footer_left:
            _run(hp, "\t" + self.m.footer_left, size=8, color="555555")
        fp = sec.footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        before, _, rest = self.t("page", i="\0", n="\1").partition("\0")
        middle, _, after = rest.partition("\1")
        _run(fp, before, size=8)
        _field(fp, "PAGE")
        _run(fp, middle, size=8)
        _field(fp, "NUMPAGES")
        _run(fp, after, size=8)

    # -- cover -----------------------------------------------------------------------------------
    def cover(self) -> None:
        d, m = self.doc, self.m
        if m.edition == "summary":  # no cover page: the title heads the first page
            t = d.add_paragraph(style="Title")
            t.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(t, m.title, heading=True, size=18)
            sub = d.add_paragraph()
            sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(sub, f"（{self.t('edition_summary')}）" if self.lang == "zh" else f"({self.t('edition_summary')})",
                 size=12)
            if m.synthetic:
                p = d.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                _run(p, self.t("synthetic"), bold=True, color="B00000")
            return
        for _ in range(3):
            d.add_paragraph()
        t = d.add_paragraph(style="Title")
        t.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(t, m.title, heading=True)
        sub = d.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(sub, self.t("subtitle"), size=12, color="333333")
        d.add_paragraph()
        tbl = d.add_table(rows=0, cols=2)
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        colon = "：" if self.lang == "zh" else ":"
        for label, value in m.cover:
            cells = tbl.add_row().cells
            p = cells[0].paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _run(p, f"{label}{colon}", size=12)
            _run(cells[1].paragraphs[0], value or "", size=12)
        _col_widths(tbl, [35, 95])
        if m.verdict is not None:
            d.add_paragraph()
            self.verdict_box(m.verdict, cover=True)
        if m.synthetic:
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, self.t("synthetic"), bold=True, color="B00000")
        for text in (m.meta.organisation, m.meta.review_date):
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, text or "", size=12)
        self.pending_break = True  # the first section starts on page 2

    def verdict_box(self, v: VerdictBox, cover: bool = False) -> None:
        tbl = self.doc.add_table(rows=1, cols=1, style="Table Grid")
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        _col_widths(tbl, [130 if cover else BODY_W_MM])
        cell = tbl.rows[0].cells[0]
        _shade(cell, VERDICT_FILL.get(v.verdict_class, "F2F2F2"))
        p = cell.paragraphs[0]
        _run(p, f"{v.label}：" if self.lang == "zh" else f"{v.label}: ", size=13)
        _run(p, v.verdict, size=15, bold=True, color=VERDICT_RGB.get(v.verdict_class, "333333"))
        if v.text and not cover:
            _run(cell.add_paragraph(), v.text, size=10.5)
        self.doc.add_paragraph()

    # -- blocks ----------------------------------------------------------------------------------
    def table(self, t: Table) -> None:
        d = self.doc
        if not t.in_document:
            for n in t.notes:
                _run(self._para(), n, size=8.5, color="444444")
            return
        widths = [c.weight for c in t.columns]
        total = sum(widths) or 1.0
        if t.kv:
            tbl = d.add_table(rows=0, cols=2, style="Table Grid")
            for label, value in t.rows:
                cells = tbl.add_row().cells
                _shade(cells[0], "F0F3F6")
                _run(cells[0].paragraphs[0], label, size=9.5, bold=True)
                _run(cells[1].paragraphs[0], value or "", size=9.5)
            _col_widths(tbl, [BODY_W_MM * w / total for w in widths])
            d.add_paragraph()
            return
        self.n_table += 1
        cap = self._para()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        cap.paragraph_format.keep_with_next = True
        _run(cap, f"{self.t('table_no', n=self.n_table)}　{t.title}", size=9.5, bold=True)
        tbl = d.add_table(rows=1, cols=len(t.columns), style="Table Grid")
        tbl.alignment = WD_TABLE_ALIGNMENT.CENTER
        hdr = tbl.rows[0]
        _repeat_header(hdr)
        for c, cell in zip(t.columns, hdr.cells):
            _shade(cell, HEADER_FILL)
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, c.title, size=9, bold=True)
        for i, row in enumerate(t.rows):
            cls = t.row_classes[i] if i < len(t.row_classes) else ""
            self._row(tbl, t, row, cls)
        if t.total:
            self._row(tbl, t, t.total, "total")
        _col_widths(tbl, [BODY_W_MM * w / total for w in widths])
        for n in t.notes:
            _run(d.add_paragraph(), self.t("note_prefix", text=n), size=8.5, color="444444")

    def _row(self, tbl, t: Table, row: list[str], cls: str) -> None:
        cells = tbl.add_row().cells
        for j, (c, cell, text) in enumerate(zip(t.columns, cells, row)):
            p = cell.paragraphs[0]
            p.alignment = ALIGN[c.align]
            color, bold = None, cls == "total"
            if cls in VERDICT_RGB and c.kind == "verdict":
                color, bold = VERDICT_RGB[cls], True
            elif cls == "occupied" and j == 1:
                color, bold = "B00000", True
            _run(p, text, size=7.5 if c.kind == "hash" else 9, bold=bold, color=color)
            fill = {"sliver": "EEEEEE", "total": "F2F2F2", "occupied": "FFF3F0", "not_affected": "F6F6F6"}.get(cls)
            if fill:
                _shade(cell, fill)

    def figure(self, f: Figure) -> None:
        self.n_figure += 1
        path = self.maps.get(figure_key(f))
        p = self._para()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        if path:
            width = 110 if self.m.edition == "summary" else 128 if f.kind == "raster" else 150
            p.add_run().add_picture(str(path), width=Mm(width))
        else:
            _run(p, self.t("map_failed"), size=9, color="777777")
        cap = self.doc.add_paragraph()
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(cap, f"{self.t('figure_no', n=self.n_figure)}　{f.caption}", size=9.5, bold=True)

    def quote(self, q: Quote) -> None:
        tbl = self.doc.add_table(rows=1, cols=1)
        _col_widths(tbl, [BODY_W_MM])
        cell = tbl.rows[0].cells[0]
        _shade(cell, "F5F3EC")
        p = cell.paragraphs[0]
        _run(p, q.source, size=9, bold=True, color="5A4A1A")
        if q.note:
            _run(p, f"　{q.note}", size=8.5, color="777777")
        _run(cell.add_paragraph(), q.text if q.text.startswith("「") else f"“{q.text}”", size=10)
        if q.gloss:
            gp = cell.add_paragraph()
            _run(gp, self.t("gloss", text=q.gloss), size=9, color="333333").italic = True
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    def bullets(self, b: Bullets) -> None:
        for i, item in enumerate(b.items, 1):
            p = self.doc.add_paragraph()
            p.paragraph_format.left_indent = Mm(6)
            p.paragraph_format.first_line_indent = Mm(-5)
            _run(p, f"{i}. " if b.ordered else "• ")
            _run(p, item)

    def paragraph(self, p: Paragraph) -> None:
        if p.style == "heading":
            self._heading(p.text, 2)
            return
        para = self._para()
        if p.style == "body":
            para.paragraph_format.first_line_indent = Pt(21)
            _run(para, p.text)
        elif p.style == "lead":
            para.paragraph_format.keep_with_next = True
            _run(para, p.text, bold=True)
        elif p.style == "warning":
            _run(para, p.text, bold=True, color="B00000")
        else:
            _run(para, p.text, size=8.5, color="444444")

    def signature(self, s: Signature) -> None:
        """Kept for the end of the document (`sign_off`), as in the PDF."""
        self.signatures.append(s)

    def sign_off(self) -> None:
        """审查意见 / 签字 / 盖章 closing the document: an opinion box, the signature lines and a dashed
        square for the unit's seal with the unit and date under it; rows never split, heading kept with it."""
        d = self.doc
        fields = [f for s in self.signatures for f in s.fields] or [self.t("sign.reviewer"), self.t("sign.checker"),
                                                                    self.t("sign.date")]
        self._heading(self.t("sign.title"), 1)
        tbl = d.add_table(rows=2, cols=1, style="Table Grid")
        _col_widths(tbl, [BODY_W_MM])
        for row in tbl.rows:
            trpr = row._tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:cantSplit"))
        op = tbl.rows[0].cells[0]
        _run(op.paragraphs[0], self.t("sign.opinion"), bold=True)
        op.paragraphs[0].paragraph_format.keep_with_next = True
        for _ in range(4 if self.m.edition != "summary" else 2):
            op.add_paragraph().paragraph_format.keep_with_next = True
        inner = tbl.rows[1].cells[0].add_table(rows=1, cols=2)
        _col_widths(inner, [BODY_W_MM * 0.55 - 2, BODY_W_MM * 0.45 - 2])
        left, right = inner.rows[0].cells
        colon = "：" if self.lang == "zh" else ":"
        for k, f in enumerate(fields):
            p = left.paragraphs[0] if k == 0 else left.add_paragraph()
            p.paragraph_format.space_before = Pt(12)
            _run(p, f"{f}{colon}________________", size=11)
        seal = right.add_table(rows=1, cols=1)
        seal.alignment = WD_TABLE_ALIGNMENT.CENTER
        _col_widths(seal, [40])
        box = seal.rows[0].cells[0]
        _dashed_border(box)
        seal.rows[0].height = Mm(40)
        bp = box.paragraphs[0]
        bp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        bp.paragraph_format.space_before = Pt(45)
        _run(bp, self.t("sign.seal_here"), size=9, color="999999")
        for text in (self.t("sign.unit_seal", unit=self.m.meta.organisation or self.t("sign.unit")),
                     self.t("sign.date_blank")):
            p = right.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _run(p, text, size=11)
        # python-docx leaves an empty first paragraph in the outer cell before the nested table: drop it
        first = tbl.rows[1].cells[0].paragraphs[0]
        if not first.text:
            first._p.getparent().remove(first._p)
        for cell in (left, right):
            if cell.paragraphs and not cell.paragraphs[0].text and cell is right:
                cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)

    def build(self) -> Document:
        self.cover()
        for k, s in enumerate(self.m.sections):
            if s.page_break and k > 0:
                self.pending_break = True
            self._heading(s.title, 1)
            for b in s.blocks:
                if isinstance(b, PageBreak):
                    self.pending_break = True
                else:
                    render_block(self, b)
        self.sign_off()
        props = self.doc.core_properties
        props.title = self.m.title
        props.subject = self.m.cover[0][1] if self.m.cover else ""
        props.author = self.m.meta.reviewer or "ningxia_gis"
        props.comments = f"generated by ningxia_gis at {self.m.generated_at}"
        return self.doc


def _dashed_border(cell) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "dashed")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:color"), "999999")
        borders.append(el)
    tcpr.append(borders)


def write_docx(model: ReportModel, path: str | Path, *, map_dpi: int = MAP_DPI, use_sources: bool = True) -> Path:
    """Write the editable Word copy of the report; returns the path."""
    out = Path(path)
    maps = render_figures(model, dpi=map_dpi, use_sources=use_sources)
    doc = DocxBuilder(model, maps).build()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        doc.save(str(out))
    except OSError as exc:
        raise InputError("output.cannot_write", path=out, reason=exc.strerror or str(exc)) from None
    return out
