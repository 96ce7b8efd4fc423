"""Excel (.xlsx) tables of the report (openpyxl): one sheet per table.

Cells hold the full-precision numbers of the result (as far as Excel's 15 significant digits go); only the number format rounds them for display
(m² 0.00, 公顷 0.0000, 亩 0.00, % 0.00), so sums and checks in Excel use the exact figures. A 合计 that is the
sum of its column is a SUM formula; a dissolved total (overlapping features counted once) stays a value.
Every sheet prints on A4 landscape, fitted to the page width, with the title and header rows repeated.
"""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from ..domain import messages
from ..domain.errors import InputError
from .model import ReportModel, Table

NUMBER_FORMATS = {"m2": "#,##0.00", "ha": "#,##0.0000", "mu": "#,##0.00", "pct": "0.00%", "coord": "0.000",
                  "int": "0"}
HEADER_FILL = PatternFill("solid", fgColor="DFE6EE")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
SLIVER_FILL = PatternFill("solid", fgColor="EEEEEE")
THIN = Side(style="thin", color="7F8C99")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "宋体"


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "表"
    out, n = base, 2
    while out in used:
        suffix = f"({n})"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(out)
    return out


def _width(text) -> float:
    s = "" if text is None else str(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


def _total_row(t: Table, cols) -> list | None:
    if t.total_values is None:
        return None
    if cols is t.columns:
        return list(t.total_values)
    by_kind = {c.kind: v for c, v in zip(t.columns, t.total_values) if c.kind in ("m2", "ha", "mu", "pct")}
    row, seen = [], set()
    for j, c in enumerate(cols):
        if j == 1:
            row.append(t.total_values[1])
        elif c.kind in by_kind and c.kind not in seen:
            row.append(by_kind[c.kind])
            seen.add(c.kind)
        else:
            row.append(None)
    return row


def _is_column_sum(total, column: list) -> bool:
    nums = [v for v in column if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if not isinstance(total, (int, float)) or isinstance(total, bool) or not nums:
        return False
    return abs(sum(nums) - total) <= 1e-9 * max(1.0, abs(total))


def _page_setup(ws, title_rows: str | None, lang: str = "zh") -> None:
    """A4 landscape, one page wide (as many pages tall as needed), repeated title rows, page numbers."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = messages.text("rpt.page", lang, i="&P", n="&N")


def _write_table(ws, t: Table, lang: str = "zh") -> None:
    cols = t.xlsx_columns or t.columns
    values = t.xlsx_values if t.xlsx_columns else t.values
    ncol = len(cols)
    ws.cell(row=1, column=1, value=t.title).font = Font(name=FONT, bold=True, size=12)
    if ncol > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    hr = 2
    widths = [_width(c.title) for c in cols]
    if not t.kv:
        for j, c in enumerate(cols, 1):
            cell = ws.cell(row=hr, column=j, value=c.title)
            cell.font = Font(name=FONT, bold=True)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        first = hr + 1
    else:
        first = hr
    r = first
    for i, row in enumerate(values):
        cls = t.row_classes[i] if i < len(t.row_classes) else ""
        for j, (c, v) in enumerate(zip(cols, row), 1):
            cell = ws.cell(row=r, column=j, value=v)
            cell.font = Font(name=FONT, bold=t.kv and j == 1)
            cell.border = BORDER
            if c.kind in NUMBER_FORMATS and isinstance(v, (int, float)):
                cell.number_format = NUMBER_FORMATS[c.kind]
            long_text = isinstance(v, str) and _width(v) > 60  # wrapped in the capped column, never cut off
            cell.alignment = Alignment(horizontal={"l": "left", "c": "center", "r": "right"}[c.align],
                                       vertical="center", wrap_text=(t.kv and j == 2) or long_text)
            if cls == "sliver":
                cell.fill = SLIVER_FILL
            widths[j - 1] = max(widths[j - 1], min(_width(v if not isinstance(v, float) else f"{v:,.4f}"), 60))
        r += 1
    total = _total_row(t, cols)
    if total is not None:
        for j, (c, v) in enumerate(zip(cols, total), 1):
            if c.kind in ("m2", "ha", "mu", "pct", "int") and r > first and _is_column_sum(
                    v, [row[j - 1] for row in values]):
                col = get_column_letter(j)
                v = f"=SUM({col}{first}:{col}{r - 1})"
            cell = ws.cell(row=r, column=j, value=v)
            cell.font = Font(name=FONT, bold=True)
            cell.fill = TOTAL_FILL
            cell.border = BORDER
            if c.kind in NUMBER_FORMATS and isinstance(v, (int, float)):
                cell.number_format = NUMBER_FORMATS[c.kind]
            elif c.kind in NUMBER_FORMATS and isinstance(v, str) and v.startswith("="):
                cell.number_format = NUMBER_FORMATS[c.kind]
        r += 1
    col_widths = [max(6.0, min(w + 2, 64)) for w in widths]
    for j, w in enumerate(col_widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    for n in t.notes:  # merged across the table and wrapped, so the printout keeps the whole note
        r += 1
        cell = ws.cell(row=r, column=1, value=messages.text("rpt.note_prefix", lang, text=n))
        cell.font = Font(name=FONT, size=9, color="444444")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if ncol > 1:
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        lines = -(-_width(cell.value) // max(1, int(sum(col_widths) * 0.9)))
        ws.row_dimensions[r].height = 13 * max(1, lines)  # merged cells are never auto-fitted
    if not t.kv:
        ws.freeze_panes = ws.cell(row=first, column=1)
    _page_setup(ws, None if t.kv else f"1:{hr}", lang)


def write_xlsx(model: ReportModel, path: str | Path) -> Path:
    """Write every table of the report (Excel-only ones included) to ``path``; returns the path."""
    out = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for t in model.tables():
        ws = wb.create_sheet(_sheet_name(t.sheet or t.title, used))
        _write_table(ws, t, model.lang)
    if model.verdict is not None:
        label = messages.text("rpt.verdict", model.lang)
        ws = wb.create_sheet(_sheet_name(label, used), 1)
        rows = [(label, model.verdict.verdict), (messages.text("rpt.col.remark", model.lang), model.verdict.text)]
        for i, (k, v) in enumerate(rows, 1):
            ws.cell(row=i, column=1, value=k).font = Font(name=FONT, bold=True)
            c = ws.cell(row=i, column=2, value=v)
            c.font = Font(name=FONT)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions["A"].width = 12
        ws.column_dimensions["B"].width = 100
        _page_setup(ws, None, model.lang)
    wb.properties.title = model.title
    wb.properties.creator = "ningxia_gis"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        wb.save(str(out))
    except OSError as exc:
        raise InputError("output.cannot_write", path=out, reason=exc.strerror or str(exc)) from None
    return out
