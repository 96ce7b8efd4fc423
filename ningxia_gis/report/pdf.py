"""PDF report: Qt QTextDocument (rich text) painted page by page on a QPdfWriter.

Why Qt and not matplotlib PdfPages: the report is mostly flowing text and long tables. QTextDocument
wraps Chinese text, paginates tables without splitting or repeating rows and repeats their header row
(``<thead>``) on every page, and embeds the shipped TrueType font as a subset with a ToUnicode map
(searchable, copyable text). matplotlib would need all of that by hand. The price: PySide6 must be
importable (it is a dependency anyway) and a Q(Gui)Application must exist; this module creates an
offscreen one when there is none, and imports Qt only inside `write_pdf`, so importing the report
package never loads Qt. Maps are matplotlib SVGs painted with QSvgRenderer: vector graphics in the PDF (PNG when an SVG
cannot be read, and on request).

Pages are painted by hand (not ``QTextDocument.print_``) to get the running header, "第 n 页 共 N 页"
footers and a cover page without a header.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..domain import messages
from ..domain.errors import InputError
from ..fonts import cjk_font_path
from .html import model_html
from .model import ReportModel
from .html import IMAGE_WIDTH
from .render import MAP_DPI, figure_key, render_figures

DPI = 300
MARGINS_MM = (25.0, 24.0, 20.0, 22.0)  # left, top, right, bottom (left wider for binding)
_APP = None
EPS = 0.5  # device pixels (at 300 dpi ≈ 0.04 mm)


def ensure_qt_app():
    """The running Q(Gui)Application, or a new offscreen QGuiApplication."""
    global _APP
    try:
        from PySide6.QtCore import QCoreApplication
    except ImportError as exc:
        raise InputError("report.no_qt") from exc

    app = QCoreApplication.instance()
    if app is not None:
        return app
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    try:  # a QApplication also serves widgets made later in the same process (the desktop app, tests)
        from PySide6.QtWidgets import QApplication as AppClass
    except ImportError:
        from PySide6.QtGui import QGuiApplication as AppClass

    _APP = AppClass(["ningxia-gis"])
    return _APP


_QT_FAMILY: str | None = None


def qt_font_family() -> str:
    """Register the shipped font with Qt (needs a Q(Gui)Application) and return its family name."""
    global _QT_FAMILY
    if _QT_FAMILY is None:
        from PySide6.QtGui import QFontDatabase

        fid = QFontDatabase.addApplicationFont(str(cjk_font_path()))
        fams = QFontDatabase.applicationFontFamilies(fid) if fid >= 0 else []
        if not fams:
            raise InputError("report.qt_font", path=cjk_font_path())
        _QT_FAMILY = fams[0]
    return _QT_FAMILY


def write_pdf(model: ReportModel, path: str | Path, *, map_dpi: int = MAP_DPI, use_sources: bool = True,
              vector_maps: bool = True) -> Path:
    """Write the report as an A4 PDF with the shipped Chinese font embedded; returns the path."""
    ensure_qt_app()
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    out = Path(path)  # written in place: callers go through review.outputs (atomic)
    writer = QPdfWriter(str(out))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    writer.setResolution(DPI)
    writer.setTitle(model.title)
    writer.setCreator("ningxia_gis")
    paint_report(model, writer, map_dpi=map_dpi, use_sources=use_sources, vector_maps=vector_maps)
    return out


def _svg(path):
    from PySide6.QtSvg import QSvgRenderer

    r = QSvgRenderer(str(path))
    return r if r.isValid() else None


_SVG_OBJECT = None


def _use_vector_maps(doc, svgs: dict, scale: float):
    """Turn the placeholder images named in ``svgs`` into text objects that paint their SVG (vectors)."""
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QPyTextObject, QTextCharFormat, QTextCursor, QTextFormat

    kind = QTextFormat.ObjectTypes.UserObject + 1
    name_p, w_p, h_p = (QTextFormat.Property.UserProperty + i for i in (1, 2, 3))

    class SvgObject(QPyTextObject):
        def intrinsicSize(self, _doc, _pos, fmt):  # noqa: N802 - Qt override
            return QSizeF(float(fmt.property(w_p)), float(fmt.property(h_p)))

        def drawObject(self, painter, rect, _doc, _pos, fmt):  # noqa: N802 - Qt override
            svgs[fmt.property(name_p)].render(painter, rect)

    found = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            cf = frag.charFormat()
            if cf.isImageFormat() and cf.toImageFormat().name() in svgs:
                im = cf.toImageFormat()
                found.append((frag.position(), im.name(), im.width() * scale, im.height() * scale))
            it += 1
        block = block.next()
    handler = SvgObject(doc)
    doc.documentLayout().registerHandler(int(kind), handler)
    for pos, name, w, h in found:
        c = QTextCursor(doc)
        c.setPosition(pos)
        c.setPosition(pos + 1, QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setObjectType(int(kind))
        fmt.setProperty(name_p, name)
        fmt.setProperty(w_p, float(w))
        fmt.setProperty(h_p, float(h))
        c.setCharFormat(fmt)
    return handler


SIGN_OFF = "审查意见与签章"


def keep_sign_off_together(doc, body_h: float, title: str = SIGN_OFF) -> None:
    """The signature and seal block (heading and its table) on one page: when it would run over a page
    end, it starts on a new page."""
    from PySide6.QtGui import QTextCursor, QTextFormat

    block = doc.begin()
    while block.isValid() and block.text().strip() != title:
        block = block.next()
    if not block.isValid():
        return
    table = QTextCursor(block.next()).currentTable()
    if table is None:
        return
    layout = doc.documentLayout()
    top = layout.blockBoundingRect(block).top()
    bottom = layout.frameBoundingRect(table).bottom()
    if int(top // body_h) != int((bottom - 1) // body_h):
        fmt = block.blockFormat()
        fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
        QTextCursor(block).setBlockFormat(fmt)


def _lines_per_page(doc, body_h: float) -> dict[int, list]:
    """page → [(block, index of the block's first page)] for every text line laid out on that page."""
    layout = doc.documentLayout()
    pages: dict[int, list] = {}
    block = doc.begin()
    while block.isValid():
        tl = block.layout()
        top = layout.blockBoundingRect(block).top()
        first = None
        for i in range(tl.lineCount()):
            page = int((top + tl.lineAt(i).y() + 0.5) // body_h)
            first = page if first is None else first
            pages.setdefault(page, []).append((block, first))
        block = block.next()
    return pages


def keep_paragraphs_whole(doc, body_h: float, max_lines: int = 2) -> None:
    """No page may hold only the last line or two of a paragraph: such a paragraph starts on the next page
    instead (widow control, which QTextDocument lacks). Blocks in tables are left alone (their rows
    already move whole), and so are paragraphs of a third of a page or more."""
    from PySide6.QtGui import QTextCursor, QTextFormat

    layout = doc.documentLayout()
    for _ in range(4):
        moved = False
        for page, lines in sorted(_lines_per_page(doc, body_h).items()):
            if len(lines) > max_lines or any(first == page for _b, first in lines):
                continue
            block = lines[-1][0]
            cursor = QTextCursor(block)
            if cursor.currentTable() is None and layout.blockBoundingRect(block).height() < body_h / 3:
                fmt = block.blockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                cursor.setBlockFormat(fmt)
                moved = True
        if not moved:
            return


def keep_headings_with_next(doc, body_h: float) -> None:
    """A heading (h1–h3) never ends a page: when the block after it starts on the next page, the heading
    moves there too."""
    from PySide6.QtGui import QTextCursor, QTextFormat

    layout = doc.documentLayout()
    block = doc.begin()
    while block.isValid():
        nxt = block.next()
        if block.blockFormat().headingLevel() and nxt.isValid() and block.text().strip():
            top = layout.blockBoundingRect(block).top()
            # the heading's content: up to two short paragraphs (a lead) and the table or figure after them
            follow, end = nxt, None
            for _ in range(3):
                if not follow.isValid():
                    break
                table = QTextCursor(follow).currentTable()
                if table is not None:  # a table's (a figure's) first row, which moves whole
                    rect = layout.frameBoundingRect(table)
                    first_row_h = min(rect.height(), body_h / 2)
                    end = layout.blockBoundingRect(follow).top() if rect.height() > body_h / 2 else \
                        rect.top() + first_row_h
                    end = max(end, rect.top() + 1)
                    break
                r = layout.blockBoundingRect(follow)
                end = r.top() + min(r.height(), body_h / 4)
                if follow.blockFormat().headingLevel() or r.height() > body_h / 6:
                    break
                follow = follow.next()
            if end is not None and int(top // body_h) != int((end - 1) // body_h):
                fmt = block.blockFormat()
                fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
                QTextCursor(block).setBlockFormat(fmt)
        block = nxt


def paint_report(model: ReportModel, device, *, map_dpi: int = MAP_DPI, use_sources: bool = True,
                 vector_maps: bool = True) -> int:
    """Lay the report out and paint it page by page on a Qt paged device — a QPdfWriter, or a QPrinter
    for printing from the desktop app (set it to A4 with zero margins first; the report draws its own
    margins, header and footer). Returns the number of pages.

    ``vector_maps``: the maps are SVG painted with QSvgRenderer, i.e. vector graphics in the PDF (sharp
    at any zoom, text as outlines); a map whose SVG cannot be read falls back to its PNG."""
    ensure_qt_app()
    from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, QUrl
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QTextDocument

    from .html import CSS

    family = qt_font_family()
    maps = render_figures(model, dpi=map_dpi, use_sources=use_sources, fmt="svg" if vector_maps else "png")
    mm = device.logicalDpiY() / 25.4
    left, top, right, bottom = (v * mm for v in MARGINS_MM)
    page_w, page_h = float(device.width()), float(device.height())
    body_w, body_h = page_w - left - right, page_h - top - bottom

    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(device)
    doc.setDocumentMargin(0)
    doc.setDefaultFont(QFont(family, 10.5))
    doc.setDefaultStyleSheet(CSS)
    images: dict[str, str | None] = {}
    svgs: dict[str, object] = {}
    heights: dict[str, float] = {}
    for f in model.figures:
        key = figure_key(f)
        p = maps.get(key)
        if p is None:
            images[key] = None
            continue
        name = f"map{len(images)}.png"
        if p.suffix == ".svg":
            renderer = _svg(p)
            if renderer is None:  # unreadable SVG: the raster map instead
                p = render_figures(model, dpi=map_dpi, use_sources=use_sources).get(key)
                if p is None:
                    images[key] = None
                    continue
            else:
                size = renderer.defaultSize()
                svgs[name] = renderer
                heights[name] = IMAGE_WIDTH * size.height() / max(size.width(), 1)
                placeholder = QImage(1, 1, QImage.Format.Format_RGB32)
                placeholder.fill(QColor("white"))
                doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), placeholder)
                images[key] = name
                continue
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), QImage(str(p)))
        images[key] = name
    doc.setHtml(model_html(model, images, heights))
    handler = _use_vector_maps(doc, svgs, device.logicalDpiX() / 96.0) if svgs else None
    doc.setPageSize(QSizeF(body_w, body_h))
    keep_paragraphs_whole(doc, body_h)
    keep_headings_with_next(doc, body_h)
    keep_sign_off_together(doc, body_h, messages.text("rpt.sign.title", model.lang))
    n = doc.pageCount()

    painter = QPainter()
    if not painter.begin(device):
        raise InputError("report.cannot_paint")
    try:
        small = QFont(family, 8)
        pen = QPen(QColor("#666666"))
        pen.setWidthF(0.25 * mm)
        for i in range(n):
            if i:
                device.newPage()
            painter.save()
            painter.translate(left, top - i * body_h)
            # the clip is a hair inside the page: a line or row that starts exactly on the page boundary
            # belongs to the next page and must not be drawn (clipped, yet extractable) on this one
            doc.drawContents(painter, QRectF(0, i * body_h + EPS, body_w, body_h - 2 * EPS))
            painter.restore()
            if i == 0 and model.edition != "summary":
                continue  # the cover has no running header or footer
            painter.setFont(small)
            painter.setPen(QColor("#555555"))
            hy = top - 6 * mm
            # the running title gives way to the case line on the right (elided, never overprinted)
            room = body_w - (painter.fontMetrics().horizontalAdvance(model.footer_left) + 4 * mm
                             if model.footer_left else 0)
            title = painter.fontMetrics().elidedText(model.title, Qt.TextElideMode.ElideRight, int(room))
            painter.drawText(QRectF(left, hy - 6 * mm, body_w, 6 * mm),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), title)
            if model.footer_left:
                painter.drawText(QRectF(left, hy - 6 * mm, body_w, 6 * mm),
                                 int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom), model.footer_left)
            painter.setPen(pen)
            painter.drawLine(QPointF(left, hy + 1 * mm), QPointF(left + body_w, hy + 1 * mm))
            painter.setPen(QColor("#333333"))
            painter.drawText(QRectF(left, page_h - bottom + 6 * mm, body_w, 8 * mm),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), messages.text("rpt.page", model.lang, i=i + 1, n=n))
    finally:
        painter.end()
    del handler  # the document layout only borrows it
    return n
