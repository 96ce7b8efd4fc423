"""部标准 界址点坐标 TXT (国土TXT / 电子报盘格式): reader and writer.

Layout (formats.md §1)::

    [属性描述]                      key=value: 坐标系, 几度分带, 投影类型, 计量单位, 带号, 精度, 转换参数 …
    [地块坐标]
    界址点数,地块面积,地块编号,地块名称,面,图幅号,地块用途,地类编码,@      one header per parcel
    J1,1,4260000.000,35610000.000                                      点号,圈号,X(north),Y(east)

The reader accepts what real writers produce: BOM-UTF-8 / UTF-8 / GB18030(GBK) / UTF-16 text, full-width
punctuation, `[项目信息]` and other sections, headers with any number of fields (13-field 土地整治
variant, missing 界址点数), zone-prefixed or plain eastings, swapped columns and lat/lon files (detected
from the coordinate magnitudes, with a warning), rings with or without the repeated closing point, and
several 圈号 per parcel (holes or extra parts, decided geometrically).

Every problem comes out as ``FootprintError`` naming the file and the line.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS

from ..core.areas import ellipsoidal_areas
from ..domain.errors import FootprintError, NingxiaGisError
from ..core.boundary_points import ring_cw_from_nw
from ..core.footprint import Footprint
from .common import (Locs, PointBlock, RawParcel, RawPoint, build_footprint, parse_int, parse_number,
                     read_bounded)

# Turn off in tests to prove the parser itself never lets another exception type escape.
SAFETY_NET = True

HEADER_FIELDS = ["界址点数", "地块面积", "地块编号", "地块名称", "记录图形属性", "图幅号", "地块用途", "地类编码"]
EXTRA_FIELDS = ["图斑类型", "地类", "改造前平均质量等别", "改造后平均质量等别", "备注"]
TEXT_FIELDS = ["地块编号", "地块名称", "记录图形属性", "图幅号", "地块用途", "地类编码"]

_PUNCT_CHARS = "，【】＠＝\ufeff\x00"
_PUNCT = str.maketrans({"，": ",", "【": "[", "】": "]", "＠": "@", "＝": "=", "\ufeff": "", "\x00": ""})


# ----------------------------------------------------------------------------------------------- decoding

def decode_bytes(data: bytes, label: str) -> tuple[str, str]:
    """Text and encoding name: BOM (UTF-8/UTF-16) → strict UTF-8 → GB18030 (superset of GBK/GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return _decode(data[3:], "utf-8", label), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode(data, "utf-16", label), "UTF-16"
    try:
        return data.decode("utf-8"), ("ASCII" if data.isascii() else "UTF-8")
    except UnicodeDecodeError:
        pass
    return _decode(data, "gb18030", label), "GB18030/GBK"


def _decode(data: bytes, enc: str, label: str) -> str:
    try:
        return data.decode(enc)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1 if enc != "utf-16" else None
        where = f" line {line}" if line else ""
        raise FootprintError("footprint.txt_encoding", file=label, where=where, enc=enc, pos=exc.start) from None


# ------------------------------------------------------------------------------------------------ reading

def read_txt(path, crs=None, *, encoding: str | None = None, legacy_datum: str | None = None,
             allow_legacy_datum: bool = False, check_range: bool = True, bounds=None,
             **_ignored) -> Footprint:
    """Read a 部标准 界址点坐标 TXT file into a Footprint (one row per parcel, in the file's CRS)."""
    p = Path(path)
    label = p.name
    data = read_bounded(p, label)
    return parse_txt_bytes(data, label=label, source=str(p), crs=crs, encoding=encoding,
                           legacy_datum=legacy_datum, allow_legacy_datum=allow_legacy_datum,
                           check_range=check_range, bounds=bounds)


def parse_txt_bytes(data: bytes, label: str = "<txt>", source: str = "", crs=None, *,
                    encoding: str | None = None, legacy_datum: str | None = None,
                    allow_legacy_datum: bool = False, check_range: bool = True, bounds=None) -> Footprint:
    """Parse the bytes of a TXT file. Only ``FootprintError`` (or another NingxiaGisError) can come out."""
    try:
        return _parse(data, label, source, crs, encoding,
                      legacy_datum or ("read" if allow_legacy_datum else "refuse"), check_range, bounds)
    except NingxiaGisError as exc:
        if isinstance(exc, FootprintError):
            raise
        raise FootprintError("footprint.wrapped", file=label, text=exc.text()) from None
    except MemoryError:
        raise FootprintError("footprint.out_of_memory", file=label) from None
    except Exception:  # last resort: never a traceback or Python's text for a bad file
        if not SAFETY_NET:
            raise
        import logging
        logging.getLogger("ningxia_gis").exception("reading %s", label)
        raise FootprintError("footprint.cannot_read", file=label) from None


def _parse(data: bytes, label: str, source: str, crs, encoding, legacy_datum, check_range, bounds):
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise FootprintError("footprint.cannot_decode", file=label, enc=encoding) from None
        if text.startswith("\ufeff"):
            text = text[1:]
        enc = encoding
    else:
        text, enc = decode_bytes(data, label)
    if "\x00" in text[:4096] and text[:4096].count("\x00") > 8:
        raise FootprintError("footprint.txt_binary", file=label)

    sections: dict[str, dict] = {}
    key_lines: dict[str, int] = {}
    section = ""
    parcels: list[RawParcel] = []
    cur: RawParcel | None = None
    pending: dict[int, list] = {}  # parcel → runs (lines, line numbers) of its point lines
    warnings: list[str] = []
    notes: list[str] = []
    if any(ch in text for ch in _PUNCT_CHARS):
        text = text.translate(_PUNCT)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    in_coords = False

    def handle(no: int, raw: str) -> None:
        """One line that is not plainly a point line: section, key=value, parcel header, odd point line."""
        nonlocal section, in_coords, cur
        line = raw.strip()
        if not line:
            return
        if line.startswith("[") and line.endswith("]") and "," not in line:
            section = line[1:-1].strip()
            in_coords = "地块坐标" in section
            return
        tokens = [t.strip() for t in line.split(",")]
        is_header = tokens[-1].endswith("@")
        if not in_coords and not is_header and "=" in line:
            k, v = line.split("=", 1)
            k, v = k.strip(), v.strip()
            sections.setdefault(section, {})[k] = v
            key_lines.setdefault(k, no)
            return
        if section and not in_coords and not is_header and not _looks_like_point(tokens):
            warnings.append(f"{label} line {no}: ignored (not key=value in [{section}])")
            return
        if in_coords and not is_header and "=" in line and not _looks_like_point(tokens):
            warnings.append(f"{label} line {no}: ignored ('{line[:40]}' is a key=value line among the points)")
            return
        if is_header:
            cur = RawParcel(attrs=_header_attrs(tokens, label, no, warnings, notes), loc=f"line {no}")
            parcels.append(cur)
            pending[id(cur)] = []
            return
        if cur is None:
            _point(tokens, line, label, no)  # refuses a malformed first line with its own message
            cur = RawParcel(attrs={}, loc=f"line {no}")
            parcels.append(cur)
            pending[id(cur)] = []
            warnings.append(f"{label} line {no}: points before any parcel header (…,@); read as one parcel")
        pending[id(cur)].append(([line], [no], None))

    # the bulk of a file is runs of plain point lines between the few lines holding '@', '=' or '[':
    # a run goes to its parcel whole and is parsed in one go (see _bulk_points)
    pos = 0
    for stop in _special_lines(text, lines) + [len(lines)]:
        if pos < stop:
            if cur is not None and (in_coords or not section):
                _add_run(pending[id(cur)], lines[pos:stop], pos + 1)
            else:
                for k in range(pos, stop):
                    handle(k + 1, lines[k])
        if stop < len(lines):
            handle(stop + 1, lines[stop])
        pos = stop + 1

    for p in parcels:
        p.bulk = _bulk_points(pending.pop(id(p)), label)
    if not parcels:
        raise FootprintError("footprint.txt_no_points", file=label)
    _check_counts(parcels, label, warnings)

    attrs = {}
    for sec, kv in sections.items():
        if "项目信息" not in sec:
            attrs.update(kv)
    project = next((kv for s, kv in sections.items() if "项目信息" in s), {})

    def get(*keys):
        for k in keys:
            if k in attrs:
                return attrs[k], key_lines.get(k)
        return None, None

    datum_text, datum_line = get("坐标系", "坐标系统")
    width_text, _ = get("几度分带", "分带", "分带方式")
    zone_text, _ = get("带号")
    unit_text, _ = get("计量单位", "单位")
    where = f" line {datum_line} (坐标系={datum_text})" if datum_line else ""
    params, params_line = get("转换参数")
    if params and any(parse_number(t) not in (None, 0.0) for t in params.split(",")):
        warnings.append(f"{label} line {params_line}: 转换参数 given ({params}) but not applied; coordinates "
                        "are read as written")

    fp = build_footprint(
        parcels, label, source, crs=crs, fmt="部标准界址点TXT",
        attr_texts={"datum": datum_text, "width": width_text, "zone": zone_text, "unit": unit_text},
        legacy_datum=legacy_datum, check_range=check_range, bounds=bounds, where_datum=where,
        meta={"encoding": enc, "attributes": attrs, "project": project,
              "sections": {k: dict(v) for k, v in sections.items()}})
    fp.warnings[:0] = warnings
    fp.meta["crs_notes"][:0] = notes
    return fp


def _looks_like_point(tokens) -> bool:
    return len(tokens) >= 4 and parse_number(tokens[2]) is not None and parse_number(tokens[3]) is not None


def _header_attrs(tokens: list[str], label: str, no: int, warnings: list[str], notes: list[str]) -> dict:
    vals = tokens[:-1] if tokens[-1] == "@" else tokens[:-1] + [tokens[-1][:-1].strip()]
    if vals and vals[-1] == "" and tokens[-1] != "@":
        vals = vals[:-1]
    names = list(HEADER_FIELDS)
    if _lacks_point_count(vals):
        names = HEADER_FIELDS[1:]  # exporter that leaves out 界址点数
        notes.append(f"line {no}: parcel header without 界址点数")
    names = names + EXTRA_FIELDS
    attrs: dict = {k: None for k in HEADER_FIELDS}
    for i, v in enumerate(vals):
        key = names[i] if i < len(names) else f"属性{i + 1}"
        attrs[key] = v
    jz = attrs.get("界址点数")
    attrs["界址点数"] = parse_int(jz) if jz not in (None, "") else None
    if jz not in (None, "") and attrs["界址点数"] is None:
        warnings.append(f"{label} line {no}: 界址点数 '{jz}' is not a number; ignored")
    attrs["地块面积"] = _area_ha(attrs.get("地块面积"), label, no, warnings)
    for k in TEXT_FIELDS:
        if attrs.get(k) is None:
            attrs[k] = ""
    return attrs


_SHAPE_WORDS = {"面", "线", "点", "多边形", "polygon"}


def _lacks_point_count(vals: list[str]) -> bool:
    """Whether a parcel header leaves out 界址点数, judged by its shape, not by whether the first field
    is a whole number (a whole 地块面积 such as ``5`` is one): 记录图形属性 (面/线/点) is the 5th field of
    a full header and the 4th without 界址点数; without that word, 7 fields or a first field that is
    not a whole number tell."""
    words = [v.strip().lower() for v in vals[:6]]
    if len(words) > 4 and words[4] in _SHAPE_WORDS:
        return False
    if len(words) > 3 and words[3] in _SHAPE_WORDS:
        return True
    return bool(vals) and (len(vals) == 7 or (len(vals) < 8 and parse_int(vals[0]) is None))


_AREA_UNITS = [("平方米", 1e-4), ("m²", 1e-4), ("m2", 1e-4), ("㎡", 1e-4), ("公顷", 1.0), ("hm²", 1.0),
               ("hm2", 1.0), ("ha", 1.0), ("亩", 1 / 15)]


def _area_ha(text, label, no, warnings) -> float | None:
    """Stated 地块面积 in 公顷; a unit suffix (公顷, 平方米, 亩) is honoured."""
    if text in (None, ""):
        return None
    t = text.strip()
    factor = 1.0
    for suffix, f in _AREA_UNITS:
        if t.lower().endswith(suffix):
            t, factor = t[: -len(suffix)].strip(), f
            break
    v = parse_number(t)
    if v is None:
        warnings.append(f"{label} line {no}: 地块面积 '{text}' is not a number; ignored")
        return None
    return v * factor


def _point(tokens: list[str], line: str, label: str, no: int) -> RawPoint:
    if len(tokens) < 4:
        if len(tokens) == 3 and parse_number(tokens[1]) is not None and parse_number(tokens[2]) is not None:
            raise FootprintError("footprint.txt_three_fields", file=label, no=no, line=line[:60])
        raise FootprintError("footprint.txt_not_a_point", file=label, no=no, line=line[:60])
    ring = parse_int(tokens[1])
    if ring is None:
        raise FootprintError("footprint.txt_bad_ring", file=label, no=no, value=tokens[1][:20])
    a = parse_number(tokens[2])
    if a is None:
        raise FootprintError("footprint.txt_bad_number", file=label, no=no, axis="X", value=tokens[2][:30])
    b = parse_number(tokens[3])
    if b is None:
        raise FootprintError("footprint.txt_bad_number", file=label, no=no, axis="Y", value=tokens[3][:30])
    return RawPoint(name=tokens[0], ring=ring, a=a, b=b, loc=f"line {no}")


_COORD_CHARS = str.maketrans("", "", "0123456789.+-eE \t")


_SPECIAL_RE = re.compile(r"[@=\[]")


def _special_lines(text: str, lines: list[str]) -> list[int]:
    """Indices of the lines holding '@', '=' or '[' (headers, sections, key=value), found without a
    Python loop over the other lines (newlines are counted between hits, in C)."""
    out: list[int] = []
    line, last = 0, 0
    for m in _SPECIAL_RE.finditer(text):
        pos = m.start()
        line += text.count("\n", last, pos)
        last = pos
        if not out or out[-1] != line:
            out.append(line)
    return out


def _add_run(runs: list, run: list[str], first_no: int) -> None:
    """A run of plain point lines (numbered from ``first_no``), blank lines and padding removed."""
    while run and not run[-1].strip():
        run = run[:-1]
    while run and not run[0].strip():
        run, first_no = run[1:], first_no + 1
    if not run:
        return
    blob = "\n".join(run)
    if all(run) and " " not in blob and "\t" not in blob:
        runs.append((run, range(first_no, first_no + len(run)), blob))
        return
    kept = [(first_no + k, ln.strip()) for k, ln in enumerate(run) if ln.strip()]
    if kept:
        runs.append(([ln for _n, ln in kept], [n for n, _ln in kept], None))


def _bulk_points(runs: list, label: str) -> PointBlock:
    """Point lines ``点号,圈号,X,Y`` → arrays, in bulk: pandas' C parser for the whole block, numpy
    for four-field lines of plain decimals otherwise; any line that is neither goes through ``_point``
    (its exact message on an error; full-width digits and extra fields as there)."""
    blob = None
    if len(runs) == 1:
        lines, nos, blob = runs[0][0], np.asarray(runs[0][1], dtype=np.int64), runs[0][2]
    else:
        lines = [ln for run, _n, _b in runs for ln in run]
        nos = np.concatenate([np.asarray(n, dtype=np.int64) for _r, n, _b in runs]) if runs else \
            np.empty(0, np.int64)
    n = len(lines)
    names = np.empty(n, dtype=object)
    ring = np.zeros(n, dtype=np.int64)
    a = np.zeros(n, dtype=float)
    b = np.zeros(n, dtype=float)
    if n:
        got = _read_block(lines, blob)
        if got is not None:
            todo = np.ones(n, dtype=bool)
            fast = np.arange(n)
        else:
            todo = ~np.fromiter(map(_three_commas, lines), dtype=bool, count=n)
            fast = np.flatnonzero(~todo)
            got = _split_block([lines[i] for i in fast]) if len(fast) else None
        if got is not None:
            nm, r, va, vb = got
            with np.errstate(invalid="ignore"):
                ok = np.isfinite(r) & np.isfinite(va) & np.isfinite(vb) & (r == np.round(r)) & (np.abs(r) <= 1e9)
            good = fast[ok]
            names[good] = nm[ok]
            ring[good] = r[ok].astype(np.int64)
            a[good] = va[ok]
            b[good] = vb[ok]
            todo[:] = True
            todo[good] = False
        for i in np.flatnonzero(todo):  # the rest, one by one (raises on the first bad line)
            line = lines[i]
            pt = _point([t.strip() for t in line.split(",")], line, label, int(nos[i]))
            names[i], ring[i], a[i], b[i] = pt.name, pt.ring, pt.a, pt.b
    return PointBlock(names=names, ring=ring, a=a, b=b, locs=Locs("line {}", nos))


def _three_commas(line: str) -> bool:
    return line.count(",") == 3


def _read_block(lines: list[str], blob: str | None = None):
    """(names, ring, a, b) of four-field lines by pandas' C parser (NaN for a missing field), or None
    when a field is not a number or a line has more fields. ``blob``: the lines joined, if at hand."""
    import csv
    import io
    import warnings

    import pandas as pd
    blob = "\n".join(lines) if blob is None else blob
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            df = pd.read_csv(io.StringIO(blob), header=None, names=["n", "r", "a", "b"], engine="c",
                             dtype={"n": object, "r": np.float64, "a": np.float64, "b": np.float64},
                             na_filter=False, quoting=csv.QUOTE_NONE, skip_blank_lines=False)
    except Exception:  # noqa: BLE001 - judged column by column or line by line instead
        return None
    if len(df) != len(lines):
        return None
    nm = df["n"].to_numpy(dtype=object)
    if " " in blob or "\t" in blob:
        nm = np.array([str(t).strip() for t in nm], dtype=object)
    return nm, df["r"].to_numpy(), df["a"].to_numpy(), df["b"].to_numpy()


def _split_block(lines: list[str]):
    """(names, ring, a, b) of lines with exactly four fields (NaN where a field is not a number)."""
    f = ",".join(lines).split(",")
    spaced = any(" " in t or "\t" in t for t in f[0::4])
    nm = np.empty(len(lines), dtype=object)
    nm[:] = [t.strip() for t in f[0::4]] if spaced else f[0::4]
    out = [nm]
    for k in (1, 2, 3):
        col = f[k::4]
        v = None
        if not "".join(col).translate(_COORD_CHARS):  # only characters of plain decimals
            try:
                v = np.array(col, dtype=float)
            except ValueError:  # '1.2.3', '+-1', an empty field …
                v = None
        out.append(v if v is not None else np.array([_num_or_nan(t) for t in col], dtype=float))
    return out


def _num_or_nan(t) -> float:
    v = parse_number(t)
    return np.nan if v is None else v


def _check_counts(parcels: list[RawParcel], label: str, warnings: list[str]) -> None:
    """界址点数 against the point lines; an unclosed last parcel short of points means a truncated file."""
    for k, p in enumerate(parcels):
        jz = p.attrs.get("界址点数")
        n = len(p)
        if not n:
            raise FootprintError("footprint.txt_header_only", file=label, where=p.loc)
        rings = p.rings()
        closing = sum(1 for _idx, closed, _no in rings if closed)
        last = n - 1
        last_open = any(idx[-1] == last and not closed for idx, closed, _no in rings if len(idx))
        if k == len(parcels) - 1 and jz and n < jz and last_open:
            raise FootprintError("footprint.txt_truncated", file=label, where=p.block().locs[last], header=p.loc,
                                 said=jz, found=n)
        if jz is not None and jz not in (n, n - closing):
            warnings.append(f"{label} {p.loc}: 界址点数 says {jz} but the parcel has {n} point lines")


# ------------------------------------------------------------------------------------------------ writing

ATTRIBUTE_ALIASES = {
    "地块编号": ["地块编号", "DKBH", "dkbh"],
    "地块名称": ["地块名称", "DKMC", "dkmc", "name", "Name", "NAME"],
    "图幅号": ["图幅号", "TFH", "tfh"],
    "地块用途": ["地块用途", "DKYT", "dkyt"],
    "地类编码": ["地类编码", "DLBM", "dlbm"],
}


def gk3_target(crs, geoms, zone: int | None = None) -> tuple[CRS, int, list[str]]:
    """The CGCS2000 3° zone-prefixed CRS to write, its zone, and notes on what was chosen."""
    from ..core.crs import crs_label, gk3_zone_for_lon
    from ..core.areas import to_lonlat
    src = CRS.from_user_input(crs)
    notes: list[str] = []
    datum = (src.datum.name if src.datum else "") or ""
    if not ("China 2000" in datum or "China Geodetic" in datum or "WGS" in datum or "World Geodetic" in datum
            or "2000" in datum):
        raise FootprintError("footprint.write_needs_datum_shift", crs=crs_label(src))
    if zone is None:
        lon0 = _lon0(src)
        if lon0 is not None and abs(lon0 / 3 - round(lon0 / 3)) < 1e-9 and 25 <= round(lon0 / 3) <= 45 \
                and ("China 2000" in datum or "2000" in datum):
            zone = int(round(lon0 / 3))
        else:
            u = shapely.union_all(np.asarray(geoms, dtype=object))
            c = to_lonlat([u.centroid], src)[0]
            zone = gk3_zone_for_lon(c.x)
            notes.append(f"re-projected from {crs_label(src)} to the 3° zone {zone} of the footprint's centroid")
    target = CRS.from_epsg(4488 + zone)
    return target, zone, notes


def _lon0(crs: CRS) -> float | None:
    if not crs.is_projected or crs.coordinate_operation is None:
        return None
    for p in crs.coordinate_operation.params:
        if p.name.lower() in ("longitude of natural origin", "longitude of origin", "central meridian"):
            return float(p.value)
    return None


def _clean(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    s = str(v)
    if s.lower() in ("nan", "none", "<na>"):
        return ""
    return re.sub(r"[\r\n]+", " ", s).replace(",", "、").replace("，", "、").strip()


def _attr(row, key: str) -> str:
    for k in ATTRIBUTE_ALIASES.get(key, [key]):
        if k in row.index:
            v = _clean(row[k])
            if v:
                return v
    return ""


def _fmt(v: float, nd: int) -> str:
    s = f"{v:.{nd}f}"
    return "0" + s[2:] if s.startswith("-0") and float(s) == 0 else s


def format_txt(fp: Footprint, *, zone: int | None = None, area: str = "planar", precision: int = 3,
               area_decimals: int = 4, producer: str = "ningxia_gis", date: str | None = None,
               project_info: dict | None = None, split_parts: bool = False) -> tuple[str, list[str]]:
    """The TXT text (CRLF line ends) and notes on what was done (re-projection, parts split).

    A parcel of several parts is one block (ring numbers continue; readers tell parts from holes by
    geometry) unless ``split_parts``. ``project_info`` defaults to the footprint's own 项目信息."""
    from .attributes import parcel_attributes
    from .attributes import project_info as _project_info
    gdf = fp.gdf
    if gdf.crs is None:
        raise FootprintError("footprint.no_crs", label="")
    target, zone, notes = gk3_target(gdf.crs, gdf.geometry.values, zone)
    g = gdf.to_crs(target) if not CRS.from_user_input(gdf.crs).equals(target) else gdf
    # the 土地整治 fields are positional: write them up to the last one any parcel has
    row_attrs = [parcel_attributes(r) for _, r in g.iterrows()]
    used = [j for j, c in enumerate(EXTRA_FIELDS) if any(c in a for a in row_attrs)]
    extra_cols = EXTRA_FIELDS[: used[-1] + 1] if used else []
    if project_info is None:
        project_info = _project_info(fp)
    out = []
    if project_info:
        out.append("[项目信息]")
        out += [f"{_clean(k)}={_clean(v)}" for k, v in project_info.items()]
    out += ["[属性描述]", "格式版本号=1.01", f"数据产生单位={_clean(producer)}",
            f"数据产生日期={date or _dt.date.today().isoformat()}", "坐标系=2000国家大地坐标系", "几度分带=3",
            "投影类型=高斯克吕格", "计量单位=米", f"带号={zone}", f"精度={10 ** -precision:.{precision}f}",
            "转换参数=,,,,,,", "[地块坐标]"]
    for i, (idx, row) in enumerate(g.iterrows()):
        geom = row.geometry
        if geom is None or geom.is_empty:
            continue
        parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
        groups = [[p] for p in parts] if split_parts else [parts]
        if split_parts and len(parts) > 1:
            notes.append(f"parcel {i + 1} has {len(parts)} separate parts, written as {len(parts)} blocks")
        for group in groups:
            lines = []
            n = 0
            ring_no = 0
            for part in group:
                for ring in [part.exterior, *part.interiors]:
                    ring_no += 1
                    xy = ring_cw_from_nw(np.asarray(ring.coords)[:, :2])
                    pts = []
                    for e, nn in xy:
                        t = (_fmt(nn, precision), _fmt(e, precision))
                        if pts and pts[-1] == t:
                            continue
                        pts.append(t)
                    while len(pts) > 1 and pts[-1] == pts[0]:
                        pts.pop()
                    first = n + 1
                    for j, (ns, es) in enumerate(pts):
                        n += 1
                        lines.append((f"J{n}", ring_no, ns, es))
                    lines.append((f"J{first}", ring_no, pts[0][0], pts[0][1]))
            sub = shapely.MultiPolygon(group) if len(group) > 1 else group[0]
            if area == "ellipsoidal":
                a_m2 = float(ellipsoidal_areas([sub], target)[0])
            else:
                a_m2 = float(sub.area)
            fields = [str(len(lines)), f"{a_m2 / 10000:.{area_decimals}f}", _attr(row, "地块编号") or str(i + 1),
                      _attr(row, "地块名称") or f"地块{i + 1}", "面", _attr(row, "图幅号"), _attr(row, "地块用途"),
                      _attr(row, "地类编码")]
            fields += [_clean(row_attrs[i].get(c, "")) for c in extra_cols]
            out.append(",".join(fields + ["@"]))
            out += [f"{nm},{rn},{ns},{es}" for nm, rn, ns, es in lines]
    return "\r\n".join(out) + "\r\n", notes


def write_txt(fp: Footprint, path, *, encoding: str = "gbk", **kwargs) -> list[str]:
    """Write a footprint as 部标准 TXT (GBK by default); returns notes on what was done."""
    text, notes = format_txt(fp, **kwargs)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as exc:
        ch = exc.object[exc.start:exc.end]
        line = exc.object[: exc.start].count("\n") + 1
        raise FootprintError("footprint.write_encoding", file=Path(path).name, line=line, ch=repr(ch), enc=encoding) \
            from None
    except LookupError:
        raise FootprintError("footprint.unknown_encoding", enc=encoding) from None
    Path(path).write_bytes(data)
    return notes
