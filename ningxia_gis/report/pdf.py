"""PDF report: Qt QTextDocument (rich text) painted page by page on a QPdfWriter.

Why Qt and not matplotlib PdfPages: the report is mostly flowing text and long tables. QTextDocument
wraps Chinese text, paginates tables without splitting or repeating rows and repeats their header row
(``<thead>``) on every page, and embeds the shipped TrueType font as a subset with a ToUnicode map
(searchable, copyable text). matplotlib would need all of that by hand. The price: PySide6 must be
importable (it is a dependency anyway) and a Q(Gui)Application must exist; this module creates an
offscreen one when there is none, and imports Qt only inside `write_pdf`, so importing the report
package never loads Qt. Maps are matplotlib PNGs (200 dpi) placed as images.

Pages are painted by hand (not ``QTextDocument.print_``) to get the running header, "第 n 页 共 N 页"
footers and a cover page without a header.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..domain.errors import InputError
from .html import model_html
from .model import ReportModel
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
        raise InputError(f"the PDF report needs PySide6 (Qt), which cannot be loaded: {exc}") from None

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


def write_pdf(model: ReportModel, path: str | Path, *, map_dpi: int = MAP_DPI, use_sources: bool = True) -> Path:
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
    paint_report(model, writer, map_dpi=map_dpi, use_sources=use_sources)
    return out


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


def paint_report(model: ReportModel, device, *, map_dpi: int = MAP_DPI, use_sources: bool = True) -> int:
    """Lay the report out and paint it page by page on a Qt paged device — a QPdfWriter, or a QPrinter
    for printing from the desktop app (set it to A4 with zero margins first; the report draws its own
    margins, header and footer). Call it from the GUI thread. Returns the number of pages."""
    ensure_qt_app()
    from PySide6.QtCore import QPointF, QRectF, QSizeF, Qt, QUrl
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QTextDocument

    from ..fonts import qt_font_family
    from .html import CSS

    family = qt_font_family()
    maps = render_figures(model, dpi=map_dpi, use_sources=use_sources)
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
    for f in model.figures:
        key = figure_key(f)
        p = maps.get(key)
        if p is None:
            images[key] = None
            continue
        name = f"map{len(images)}.png"
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), QImage(str(p)))
        images[key] = name
    doc.setHtml(model_html(model, images))
    doc.setPageSize(QSizeF(body_w, body_h))
    keep_paragraphs_whole(doc, body_h)
    n = doc.pageCount()

    painter = QPainter()
    if not painter.begin(device):
        raise InputError("cannot paint the report on the output device")
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
            if i == 0:
                continue  # the cover has no running header or footer
            painter.setFont(small)
            painter.setPen(QColor("#555555"))
            hy = top - 6 * mm
            painter.drawText(QRectF(left, hy - 6 * mm, body_w, 6 * mm),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom), model.title)
            if model.footer_left:
                painter.drawText(QRectF(left, hy - 6 * mm, body_w, 6 * mm),
                                 int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom), model.footer_left)
            painter.setPen(pen)
            painter.drawLine(QPointF(left, hy + 1 * mm), QPointF(left + body_w, hy + 1 * mm))
            painter.setPen(QColor("#333333"))
            painter.drawText(QRectF(left, page_h - bottom + 6 * mm, body_w, 8 * mm),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), f"第 {i + 1} 页 共 {n} 页")
    finally:
        painter.end()
    return n
