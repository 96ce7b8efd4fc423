"""The report model as Qt rich-text HTML (the subset QTextDocument understands), for the PDF writer."""

from __future__ import annotations

import html as _html

from ..domain import messages
from .model import (Bullets, Figure, PageBreak, Paragraph, Quote, ReportModel, Signature, Table, VerdictBox,
                    render_block, summary_edition)  # noqa: F401 - summary_edition: the app imports it from here
from .render import figure_key
from ..domain.vocab import VERDICTS

VERDICT_COLORS = {v.code: v.fg for v in VERDICTS}
VERDICT_BG = {v.code: v.bg for v in VERDICTS}
HEADER_BG = "#dfe6ee"
BORDER = "#7f8c99"
IMAGE_WIDTH = 570  # Qt text-document pixels (1/96 inch): ≈ 151 mm

CSS = f"""
body {{ font-size: 10.5pt; color: #111111; }}
p {{ margin-top: 3pt; margin-bottom: 3pt; line-height: 135%; }}
h1 {{ font-size: 22pt; font-weight: bold; text-align: center; margin-top: 0pt; margin-bottom: 6pt; }}
h2 {{ font-size: 14pt; font-weight: bold; margin-top: 14pt; margin-bottom: 6pt; color: #1b2a3a; }}
h3 {{ font-size: 11.5pt; font-weight: bold; margin-top: 10pt; margin-bottom: 4pt; color: #1b2a3a; }}
td, th {{ font-size: 9pt; }}
th {{ font-weight: bold; background-color: {HEADER_BG}; }}
.caption {{ font-size: 9.5pt; font-weight: bold; text-align: center; margin-top: 8pt; margin-bottom: 3pt; }}
.figcap {{ font-size: 9.5pt; font-weight: bold; text-align: center; margin-top: 2pt; margin-bottom: 8pt; }}
.note {{ font-size: 8.5pt; color: #444444; margin-top: 2pt; margin-bottom: 2pt; }}
.small {{ font-size: 8.5pt; color: #555555; }}
.lead {{ font-weight: bold; margin-top: 8pt; }}
h4 {{ font-size: 10.5pt; font-weight: bold; margin-top: 8pt; margin-bottom: 3pt; }}
.warning {{ color: #b00000; font-weight: bold; }}
"""


def esc(text) -> str:
    return _html.escape("" if text is None else str(text)).replace("\n", "<br/>")


class HtmlBuilder:
    def __init__(self, model: ReportModel, images: dict[str, str | None], heights: dict[str, float] | None = None):
        self.m = model
        self.lang = model.lang
        self.images = images  # figure key → resource name (None: failed)
        self.heights = heights or {}  # resource name → height at IMAGE_WIDTH (vector maps: no pixels)
        self.n_table = 0
        self.n_figure = 0
        self.out: list[str] = []
        self.pending_break = False  # a PageBreak is applied to the next heading
        self.signatures: list[Signature] = []

    def t(self, key: str, **kw) -> str:
        return messages.text(f"rpt.{key}", self.lang, **kw)

    # -- cover -----------------------------------------------------------------------------------
    def cover(self) -> None:
        m = self.m
        o = self.out
        if m.edition == "summary":  # no cover page: the title heads the first page
            o.append(f"<h1 style='font-size:18pt'>{esc(m.title)}</h1>")
            o.append(f"<p align='center' style='font-size:12pt; margin-top:0px'>（{esc(self.t('edition_summary'))}）</p>"
                     if self.lang == "zh" else
                     f"<p align='center' style='font-size:12pt; margin-top:0px'>({esc(self.t('edition_summary'))})</p>")
            if m.synthetic:
                o.append(f"<p align='center' class='warning'>{esc(self.t('synthetic'))}</p>")
            return
        o.append("<p style='margin-top:60px'>&nbsp;</p>")
        o.append(f"<h1>{esc(m.title)}</h1>")
        o.append(f"<p align='center' style='font-size:13pt; color:#333333; margin-bottom:50px'>{esc(self.t('subtitle'))}</p>")
        o.append("<table align='center' width='78%' cellspacing='0' cellpadding='7' border='0'>")
        colon = "：" if self.lang == "zh" else ":"
        for label, value in m.cover:
            o.append(f"<tr><td width='28%' align='right' style='font-size:12pt; color:#333333'>{esc(label)}{colon}</td>"
                     f"<td style='font-size:12pt; border-bottom: 1px solid #999999'>{esc(value) or '&nbsp;'}</td></tr>")
        o.append("</table>")
        if m.verdict is not None:
            o.append("<p style='margin-top:16px'>&nbsp;</p>")
            self.verdict_box(m.verdict, cover=True)
        if m.synthetic:
            o.append(f"<p align='center' class='warning' style='margin-top:30px'>{esc(self.t('synthetic'))}</p>")
        o.append("<p align='center' style='margin-top:50px; font-size:12pt'>"
                 f"{esc(m.meta.organisation or '')}</p>")
        o.append(f"<p align='center' style='font-size:12pt'>{esc(m.meta.review_date)}</p>")

    def verdict_box(self, v: VerdictBox, cover: bool = False) -> None:
        col, bg = VERDICT_COLORS.get(v.verdict_class, "#333333"), VERDICT_BG.get(v.verdict_class, "#f2f2f2")
        width = "78%" if cover else "100%"
        self.out.append(
            f"<table align='center' width='{width}' cellspacing='0' cellpadding='8' border='2' "
            f"style='border-collapse:collapse; border-color:{col}; border-style:solid'>"
            f"<tr><td bgcolor='{bg}'><p style='font-size:13pt'>{esc(v.label)}{'：' if self.lang == 'zh' else ': '}"
            f"<span style='font-size:15pt; font-weight:bold; color:{col}'>{esc(v.verdict)}</span></p>"
            + (f"<p style='font-size:10.5pt'>{esc(v.text)}</p>" if v.text and not cover else "")
            + "</td></tr></table>")

    # -- blocks ----------------------------------------------------------------------------------
    def table(self, t: Table) -> None:
        if not t.in_document:
            for n in t.notes:
                self.out.append(f"<p class='note'>{esc(n)}</p>")
            return

        o = self.out
        total_w = sum(c.weight for c in t.columns) or 1.0
        if t.kv:
            o.append(f"<table width='100%' cellspacing='0' cellpadding='4' border='1' "
                     f"style='border-collapse:collapse; border-color:{BORDER}'>")
            for label, value in t.rows:
                o.append(f"<tr><td width='{100 * t.columns[0].weight / total_w:.0f}%' bgcolor='#f0f3f6'>"
                         f"<b>{esc(label)}</b></td><td>{esc(value) or '&nbsp;'}</td></tr>")
            o.append("</table>")
            return
        self.n_table += 1
        o.append(f"<table width='100%' cellspacing='0' cellpadding='3' border='1' "
                 f"style='border-collapse:collapse; border-color:{BORDER}; margin-top:8px'>")
        # the caption is a header row: it can never be left alone at a page foot, and it is
        # repeated with the column titles on every page the table runs over
        o.append(f"<thead><tr><td colspan='{len(t.columns)}' align='center' bgcolor='#ffffff' "
                 f"style='font-size:9.5pt; font-weight:bold; padding:4px'>{esc(self.t('table_no', n=self.n_table))}"
                 f"　{esc(t.title)}</td></tr>"
                 "<tr>" + "".join(
            f"<th width='{100 * c.weight / total_w:.1f}%' align='center' valign='middle'>{esc(c.title)}</th>"
            for c in t.columns) + "</tr></thead>")
        align = {"l": "left", "c": "center", "r": "right"}
        for i, row in enumerate(t.rows):
            cls = t.row_classes[i] if i < len(t.row_classes) else ""
            bg = {"sliver": " bgcolor='#eeeeee'", "sub": "", "occupied": " bgcolor='#fff3f0'",
                  "not_affected": " bgcolor='#f6f6f6'"}.get(cls, "")
            cells = []
            for j, (c, text) in enumerate(zip(t.columns, row)):
                style = ""
                if cls == "sub":
                    style = " style='color:#444444'"
                elif cls in VERDICT_COLORS and c.kind == "verdict":
                    style = f" style='color:{VERDICT_COLORS[cls]}; font-weight:bold'"
                elif cls == "occupied" and j == 1:
                    style = " style='color:#b00000; font-weight:bold'"
                elif c.kind == "hash":
                    style = " style='font-size:7.5pt'"
                cells.append(f"<td align='{align[c.align]}' valign='middle'{style}>{esc(text) or '&nbsp;'}</td>")
            o.append(f"<tr{bg}>" + "".join(cells) + "</tr>")
        if t.total:
            o.append("<tr bgcolor='#f2f2f2'>" + "".join(
                f"<td align='{align[c.align]}'><b>{esc(text) or '&nbsp;'}</b></td>"
                for c, text in zip(t.columns, t.total)) + "</tr>")
        o.append("</table>")
        for n in t.notes:
            o.append(f"<p class='note'>{esc(self.t('note_prefix', text=n))}</p>")

    def figure(self, f: Figure) -> None:
        self.n_figure += 1
        res = self.images.get(figure_key(f))
        # a 2-row borderless table keeps the caption on the picture's page
        if res:
            h = self.heights.get(res)
            scale = SUMMARY_MAP_SCALE if self.m.edition == "summary" else RASTER_MAP_SCALE if f.kind == "raster" else 1.0
            pic = (f"<img src='{res}' width='{IMAGE_WIDTH * scale:.0f}'" + (f" height='{h * scale:.0f}'" if h else "")
                   + "/>")
        else:
            pic = f"<span class='note'>{esc(self.t('map_failed'))}</span>"
        self.out.append("<table width='100%' cellspacing='0' cellpadding='0' border='0' style='margin-top:6px'>"
                        f"<tr><td align='center'>{pic}</td></tr><tr><td align='center' style='font-size:9.5pt; "
                        f"font-weight:bold; padding-top:3px; padding-bottom:6px'>{esc(self.t('figure_no', n=self.n_figure))}"
                        f"　{esc(f.caption)}"
                        "</td></tr></table>")

    def quote(self, q: Quote) -> None:
        self.out.append("<table width='100%' cellspacing='0' cellpadding='6' border='0' style='margin-top:3pt; "
                        "margin-bottom:3pt'><tr><td bgcolor='#f5f3ec'>"
                        f"<p style='font-size:9pt; color:#5a4a1a'><b>{esc(q.source)}</b>"
                        + (f"　<span style='color:#777777'>{esc(q.note)}</span>" if q.note else "") + "</p>"
                        f"<p style='font-size:10pt'>{esc(q.text) if q.text.startswith('「') else '“' + esc(q.text) + '”'}</p>"
                        + (f"<p style='font-size:9pt; color:#333333'><i>{esc(self.t('gloss', text=q.gloss))}</i></p>"
                           if q.gloss else "") + "</td></tr></table>")

    def bullets(self, b: Bullets) -> None:
        tag = "ol" if b.ordered else "ul"
        self.out.append(f"<{tag} style='margin-top:2pt; margin-bottom:4pt'>"
                        + "".join(f"<li style='margin-bottom:2pt'>{esc(i)}</li>" for i in b.items) + f"</{tag}>")

    def paragraph(self, p: Paragraph) -> None:
        if p.style == "heading":
            brk = " style='page-break-before: always'" if self.pending_break else ""
            self.pending_break = False
            self.out.append(f"<h3{brk}>{esc(p.text)}</h3>")
        elif p.style == "lead":  # a heading to Qt (h4), so it is kept with what follows (pdf.keep_headings_with_next)
            self.out.append(f"<h4>{esc(p.text)}</h4>")
        elif p.style == "body":
            self.out.append(f"<p style='text-indent:28px'>{esc(p.text)}</p>")
        else:
            self.out.append(f"<p class='{p.style}'>{esc(p.text)}</p>")

    def signature(self, s: Signature) -> None:
        """Kept for the end of the report (`sign_off`): the signatures close the report."""
        self.signatures.append(s)

    def sign_off(self) -> None:
        """审查意见 / 签字 / 盖章 at the very end, with a blank square for the unit's seal; one table, so it
        is never split over two pages."""
        fields = [f for s in self.signatures for f in s.fields] or [self.t("sign.reviewer"), self.t("sign.checker"),
                                                                    self.t("sign.date")]
        colon = "：" if self.lang == "zh" else ":"
        rows = "".join(f"<tr><td style='font-size:11pt; padding-top:14px'>{esc(f)}{colon}</td>"
                       f"<td width='48%' style='border-bottom:1px solid #333333'>&nbsp;</td></tr>" for f in fields)
        unit = self.m.meta.organisation or self.t("sign.unit")
        opinion_h = 70 if self.m.edition == "summary" else 110
        self.out.append(
            f"<h2 style='page-break-before: auto'>{esc(self.t('sign.title'))}</h2>"  # pdf keeps it on one page
            "<table width='100%' cellspacing='0' cellpadding='6' border='1' style='border-collapse:collapse; "
            f"border-color:{BORDER}'><tr><td height='{opinion_h}' valign='top'><b>{esc(self.t('sign.opinion'))}</b>"
            "<br/>&nbsp;<br/>&nbsp;<br/>&nbsp;"
            "</td></tr><tr><td><table width='100%' cellspacing='0' cellpadding='4' border='0'><tr>"
            f"<td width='55%' valign='top'><table width='100%' cellspacing='0' cellpadding='4' border='0'>{rows}</table></td>"
            "<td width='45%' align='center' valign='top'>"
            "<table cellspacing='0' cellpadding='8' border='1' style='border-style:dashed; border-color:#999999'>"
            "<tr><td width='150' align='center' valign='middle' style='color:#999999; font-size:9pt'>"
            + "&nbsp;<br/>" * 4 + esc(self.t("sign.seal_here")) + "<br/>&nbsp;" * 4 + "</td></tr></table>"
            f"<p style='font-size:11pt; margin-top:6px'>{esc(self.t('sign.unit_seal', unit=unit))}</p>"
            f"<p style='font-size:11pt'>{esc(self.t('sign.date_blank'))}</p></td></tr></table></td></tr></table>")

    def build(self) -> str:
        self.cover()
        for k, s in enumerate(self.m.sections):
            first = k == 0 and self.m.edition != "summary"  # after the cover page
            brk = "page-break-before: always; " if (first or s.page_break) else ""
            self.out.append(f"<h2 style='{brk}'>{esc(s.title)}</h2>")
            for b in s.blocks:
                if isinstance(b, PageBreak):
                    self.pending_break = True
                    continue
                render_block(self, b)
        self.sign_off()
        return "<html><body>" + "\n".join(self.out) + "</body></html>"


SUMMARY_MAP_SCALE = 0.72  # the 摘要版's location map, a little smaller so the report keeps to 2–3 pages
RASTER_MAP_SCALE = 0.72  # a raster's map, its tables and method note then fit on one page


def model_html(model: ReportModel, images: dict[str, str | None], heights: dict[str, float] | None = None) -> str:
    """The whole report as Qt rich text; ``images`` maps figure keys to document resource names,
    ``heights`` gives a figure's height (at IMAGE_WIDTH) where the resource is only a placeholder."""
    return HtmlBuilder(model, images, heights).build()
