"""CSV / XLSX coordinate tables (界址点坐标成果表) → parcels.

Columns are found by their header text (first 30 rows searched), or named by options:

============  ======================================================  ==========
option        header texts recognised                                  meaning
============  ======================================================  ==========
``x_col``     X, X坐标, X(北), 纵坐标, 北坐标, N, Northing              northing (m)
``y_col``     Y, Y坐标, Y(东), 横坐标, 东坐标, E, Easting               easting (m), with or without zone prefix
``lat_col``   纬度, 北纬, lat, latitude                                 degrees (decimal or 度分秒)
``lon_col``   经度, 东经, lon, lng, longitude                           degrees
``name_col``  点号, 点名, 界址点号, 序号, name, point                   point name
``ring_col``  圈号, 环号, ring                                          ring number (hole or part decided geometrically)
``parcel_col`` 地块, 地块号, 地块编号, 地块名称, 宗地号, parcel, block    parcel key
============  ======================================================  ==========

An option value is a header text or a 0-based column index. Without a parcel column, a row holding a
single text (e.g. ``地块二``) starts a new parcel; a blank row ends a ring; a point repeating its ring's
first point closes it. X/Y are checked by magnitude like the TXT reader (swapped columns detected).
Other options: ``sheet`` (name or index), ``header_row`` (1-based), ``delimiter``, ``encoding``, ``zone``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from pathlib import Path

from ..domain.errors import FootprintError
from ..core.footprint import Footprint
from ..domain.limits import MAX_FOOTPRINT_FILE
from .common import (RawParcel, RawPoint, build_footprint, check_regular, parse_degrees, parse_int, parse_number,
                     read_bounded, zip_member)
from .txt_format import decode_bytes

_PATTERNS = {
    "lon": re.compile(r"经度|东经|^lon|^lng|longitude"),
    "lat": re.compile(r"纬度|北纬|^lat|latitude"),
    "x": re.compile(r"^x(坐标)?([(\[（].*)?$|纵坐标|北坐标|^北$|^n$|northing|^x[:：]"),
    "y": re.compile(r"^y(坐标)?([(\[（].*)?$|横坐标|东坐标|^东$|^e$|easting|^y[:：]"),
    "name": re.compile(r"点号|点名|^序号$|^点$|^name$|^point|^id$|^编号$"),
    "ring": re.compile(r"圈号|环号|^ring"),
    "parcel": re.compile(r"^(地块|宗地|图斑)(号|编号|名称|名)?$|^parcel|^block"),
    "parcel_name": re.compile(r"^(地块|宗地|图斑)?名称$"),
}
ROLES = ("x", "y", "lat", "lon", "name", "ring", "parcel", "parcel_name")


def _norm(v) -> str:
    if v is None:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v))).lower()


def _rows_csv(p: Path, encoding, delimiter, label) -> tuple[list[list], str, str]:
    data = read_bounded(p, label)
    if encoding:
        try:
            text, enc = data.decode(encoding).lstrip("\ufeff"), encoding
        except (UnicodeDecodeError, LookupError):
            raise FootprintError("footprint.cannot_decode", file=label, enc=encoding) from None
    else:
        text, enc = decode_bytes(data, label)
    if delimiter is None:
        sample = text[:8192]
        counts = {d: sample.count(d) for d in (",", "\t", ";", "，")}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    if delimiter == "，":
        text, delimiter = text.replace("，", ","), ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise FootprintError("footprint.csv_unreadable", file=label) from None
    return rows, enc, "line"


def _rows_xlsx(p: Path, sheet, label) -> tuple[list[list], str, str]:
    import openpyxl
    st = check_regular(p, label)
    if st.st_size > MAX_FOOTPRINT_FILE:
        raise FootprintError("footprint.too_large", file=label, size=f"{st.st_size >> 20} MB",
                             limit=f"{MAX_FOOTPRINT_FILE >> 20} MB")
    zip_member(str(p), label, kind=".xlsx")  # refuses a zip bomb before openpyxl inflates it
    try:
        wb = openpyxl.load_workbook(str(p), read_only=True, data_only=True)
    except Exception:  # BadZipFile, InvalidFileException, KeyError …: the details go to the log
        import logging
        logging.getLogger("ningxia_gis").exception("reading %s", p)
        raise FootprintError("footprint.xlsx_unreadable", file=label) from None
    try:
        sheets = wb.worksheets
        if sheet is not None:
            if isinstance(sheet, int) or (isinstance(sheet, str) and sheet.isdigit() and sheet not in wb.sheetnames):
                k = int(sheet)
                if not 0 <= k < len(sheets):
                    raise FootprintError("footprint.no_sheet", file=label, sheet=k, sheets=", ".join(wb.sheetnames))
                candidates = [sheets[k]]
            elif sheet in wb.sheetnames:
                candidates = [wb[sheet]]
            else:
                raise FootprintError("footprint.no_sheet", file=label, sheet=f"'{sheet}'",
                                     sheets=", ".join(wb.sheetnames))
        else:
            candidates = sheets
        for ws in candidates:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            if sheet is not None or _find_header(rows, {})[0] is not None:
                return rows, f"sheet '{ws.title}'", f"sheet '{ws.title}' row"
        ws = candidates[0]
        return [list(r) for r in ws.iter_rows(values_only=True)], f"sheet '{ws.title}'", f"sheet '{ws.title}' row"
    finally:
        wb.close()


def _find_header(rows: list[list], opts: dict) -> tuple[int | None, dict]:
    """(row index, {role: column index}) of the first row that names coordinate columns."""
    for i, row in enumerate(rows[:30]):
        cells = [_norm(c) for c in row]
        cols: dict[str, int] = {}
        for j, c in enumerate(cells):
            if not c:
                continue
            for role in ROLES:
                if role not in cols and _PATTERNS[role].search(c):
                    if role == "parcel" and "面积" in c:
                        continue
                    cols[role] = j
                    break
        if ("x" in cols and "y" in cols) or ("lat" in cols and "lon" in cols):
            return i, cols
    return None, {}


def _resolve(opt, header: list, label: str, role: str) -> int:
    if isinstance(opt, int):
        return opt
    s = str(opt).strip()
    names = [_norm(h) for h in header]
    if _norm(s) in names:
        return names.index(_norm(s))
    if s.isdigit():
        return int(s)
    raise FootprintError("footprint.no_column", file=label, column=s, role=role,
                         columns=", ".join(str(h) for h in header if h)[:200])


def read_table(path, crs=None, *, sheet=None, header_row=None, x_col=None, y_col=None, lat_col=None,
               lon_col=None, name_col=None, ring_col=None, parcel_col=None, delimiter=None, encoding=None,
               zone=None, check_range: bool = True, bounds=None, legacy_datum: str | None = None,
               allow_legacy_datum: bool = False, **_ignored) -> Footprint:
    p = Path(path)
    label = p.name
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        rows, enc, where = _rows_xlsx(p, sheet, label)
        fmt = "XLSX坐标表"
    else:
        rows, enc, where = _rows_csv(p, encoding, delimiter, label)
        fmt = "CSV坐标表"
    opts = {"x": x_col, "y": y_col, "lat": lat_col, "lon": lon_col, "name": name_col, "ring": ring_col,
            "parcel": parcel_col}
    if header_row is not None:
        hi = int(header_row) - 1
        if not 0 <= hi < len(rows):
            raise FootprintError("footprint.header_row_beyond", file=label, row=header_row, n=len(rows))
        _, cols = _find_header([rows[hi]], {})
    else:
        hi, cols = _find_header(rows, opts)
    given = {k: v for k, v in opts.items() if v is not None}
    named = [_norm(v) for v in given.values() if isinstance(v, str) and not v.strip().isdigit()]
    if named and (hi is None or not all(n in [_norm(c) for c in rows[hi]] for n in named)):
        hi = next((i for i, row in enumerate(rows[:30]) if all(n in [_norm(c) for c in row] for n in named)), hi)
    if hi is None:
        if not (("x" in given and "y" in given) or ("lat" in given and "lon" in given)):
            raise FootprintError("footprint.no_header_row", file=label)
        hi = -1
    header = rows[hi] if hi >= 0 else []
    for role, v in given.items():
        cols[role] = _resolve(v, header, label, role)
    geographic = not ("x" in cols and "y" in cols) or (("lat" in given or "lon" in given)
                                                       and not ("x" in given or "y" in given))
    ca, cb = (cols["lat"], cols["lon"]) if geographic else (cols["x"], cols["y"])
    hdr = lambda j: str(header[j]).strip() if 0 <= j < len(header) and header[j] is not None else f"#{j + 1}"
    colnames = (f"column '{hdr(ca)}'", f"column '{hdr(cb)}'")

    parcels: list[RawParcel] = []
    by_key: dict = {}
    cur: RawParcel | None = None
    ring_no = 1
    blank_pending = False
    header_norm = [_norm(h) for h in header]
    parse = parse_degrees if geographic else parse_number
    for i in range(hi + 1, len(rows)):
        row = rows[i]
        loc = f"{where} {i + 1}"
        cell = lambda j: row[j] if j is not None and 0 <= j < len(row) else None
        va, vb = cell(ca), cell(cb)
        empty_a, empty_b = _empty(va), _empty(vb)
        if empty_a and empty_b:
            texts = [c for c in row if not _empty(c)]
            if len(texts) == 1 and parse_number(texts[0]) is None and "parcel" not in cols:
                cur = RawParcel(attrs={"地块编号": str(len(parcels) + 1), "地块名称": str(texts[0]).strip()},
                                loc=loc)
                parcels.append(cur)
                ring_no = 1
                blank_pending = False
            elif not texts:
                blank_pending = True
            continue
        if [_norm(c) for c in row] == header_norm:
            continue  # a repeated header row
        if empty_a or empty_b:
            raise FootprintError("footprint.cell_empty", file=label, where=loc,
                                 column=colnames[1] if empty_b else colnames[0])
        a, b = parse(va), parse(vb)
        if a is None:
            raise FootprintError("footprint.cell_not_number", file=label, where=loc, column=colnames[0],
                                 value=str(va)[:30])
        if b is None:
            raise FootprintError("footprint.cell_not_number", file=label, where=loc, column=colnames[1],
                                 value=str(vb)[:30])
        if "parcel" in cols:
            key = cell(cols["parcel"])
            key = "" if _empty(key) else str(key).strip()
            if key not in by_key:
                pname = cell(cols["parcel_name"]) if "parcel_name" in cols else None
                if "parcel_name" in cols and cols["parcel_name"] != cols["parcel"]:
                    attrs = {"地块编号": key, "地块名称": "" if _empty(pname) else str(pname).strip()}
                else:
                    attrs = {"地块编号": str(len(by_key) + 1), "地块名称": key}
                by_key[key] = RawParcel(attrs=attrs, loc=loc)
                parcels.append(by_key[key])
            target = by_key[key]
        else:
            if cur is None:
                cur = RawParcel(attrs={"地块编号": "1", "地块名称": ""}, loc=loc)
                parcels.append(cur)
            target = cur
        if blank_pending:
            ring_no += 1
            blank_pending = False
        if "ring" in cols:
            rv = cell(cols["ring"])
            r = parse_int(rv) if not _empty(rv) else 1
            if r is None:
                raise FootprintError("footprint.cell_bad_ring", file=label, where=loc, value=str(rv)[:20])
        else:
            r = ring_no
        name = cell(cols["name"]) if "name" in cols else None
        target.points.append(RawPoint(name="" if _empty(name) else str(name).strip(), ring=r, a=a, b=b, loc=loc))
    parcels = [q for q in parcels if q.points]
    if not parcels:
        raise FootprintError("footprint.no_rows", file=label, where=f"{where} {hi + 1}")
    fp = build_footprint(parcels, label, str(p), crs=crs, fmt=fmt,
                         attr_texts={"datum": "2000", "zone": None if zone is None else str(zone)},
                         legacy_datum=legacy_datum or ("read" if allow_legacy_datum else "refuse"),
                         check_range=check_range, bounds=bounds, columns=colnames,
                         meta={"encoding": enc if fmt.startswith("CSV") else ""})
    if crs is None:
        fp.meta["crs_notes"].append("datum assumed 2000国家大地坐标系 (CGCS2000): a coordinate table does not say")
    return fp


def _empty(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def write_table(fp: Footprint, path) -> list[str]:
    """界址点坐标表: 地块, 点号, 圈号, X (north), Y (east, zone prefix) — CSV (UTF-8 with BOM) or XLSX."""
    from .attributes import PROJECT_SHEET, attribute_columns, parcel_attributes, project_info
    from .txt_format import format_txt
    text, notes = format_txt(fp)
    # the parcel's other fields (地块用途, 地类编码, 土地整治 fields …) repeated on its point rows
    extra = [c for c in attribute_columns(fp.gdf) if c not in ("地块编号", "地块名称")]
    attrs = [parcel_attributes(r) for _, r in fp.gdf.iterrows()
             if r.geometry is not None and not r.geometry.is_empty]  # one per TXT block
    rows = [["地块编号", "地块名称", "点号", "圈号", "X", "Y"] + extra]
    block, k = None, -1
    for line in text.splitlines():
        t = line.split(",")
        if t[-1] == "@":
            k += 1
            block = (t[2], t[3])
        elif block is not None and len(t) == 4:
            a = attrs[k] if k < len(attrs) else {}
            rows.append([block[0], block[1], t[0], int(t[1]), float(t[2]), float(t[3])]
                        + [a.get(c, "") for c in extra])
    p = Path(path)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "界址点坐标"
        for r in rows:
            ws.append(r)
        for c in ("E", "F"):
            for cell in ws[c][1:]:
                cell.number_format = "0.000"
        info = project_info(fp)
        if info:
            ws2 = wb.create_sheet(PROJECT_SHEET)
            for kv in info.items():
                ws2.append(list(kv))
        wb.save(str(p))
    else:
        with open(p, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            for r in rows:
                w.writerow([f"{v:.3f}" if isinstance(v, float) else v for v in r])
    return notes
