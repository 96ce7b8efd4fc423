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
from ..core.footprint import Footprint
from .common import RawParcel, RawPoint, build_footprint, parse_int, parse_number

# Turn off in tests to prove the parser itself never lets another exception type escape.
SAFETY_NET = True

HEADER_FIELDS = ["界址点数", "地块面积", "地块编号", "地块名称", "记录图形属性", "图幅号", "地块用途", "地类编码"]
EXTRA_FIELDS = ["图斑类型", "地类", "改造前平均质量等别", "改造后平均质量等别", "备注"]
TEXT_FIELDS = ["地块编号", "地块名称", "记录图形属性", "图幅号", "地块用途", "地类编码"]

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
        raise FootprintError(f"{label}{where}: the text is neither UTF-8 nor GBK/GB18030 "
                             f"({enc} fails at byte {exc.start}); is it a coordinate text file?") from None


# ------------------------------------------------------------------------------------------------ reading

def read_txt(path, crs=None, *, encoding: str | None = None, legacy_datum: str | None = None,
             allow_legacy_datum: bool = False, check_range: bool = True, bounds=None,
             **_ignored) -> Footprint:
    """Read a 部标准 界址点坐标 TXT file into a Footprint (one row per parcel, in the file's CRS)."""
    p = Path(path)
    label = p.name
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FootprintError(f"{label}: cannot read the file ({exc.strerror or exc})") from None
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
        raise FootprintError(f"{label}: {exc}") from None
    except Exception as exc:  # last resort: never a traceback for a bad file
        if not SAFETY_NET:
            raise
        raise FootprintError(f"{label}: cannot read the file ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:200] if str(exc) else ''})") from None


def _parse(data: bytes, label: str, source: str, crs, encoding, legacy_datum, check_range, bounds):
    if encoding:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise FootprintError(f"{label}: cannot decode as {encoding} ({exc})") from None
        if text.startswith("\ufeff"):
            text = text[1:]
        enc = encoding
    else:
        text, enc = decode_bytes(data, label)
    if "\x00" in text[:4096] and text[:4096].count("\x00") > 8:
        raise FootprintError(f"{label}: binary data, not a coordinate text file")

    sections: dict[str, dict] = {}
    key_lines: dict[str, int] = {}
    section = ""
    parcels: list[RawParcel] = []
    cur: RawParcel | None = None
    warnings: list[str] = []
    notes: list[str] = []
    lines = re.split(r"\r\n|\r|\n", text)
    for no, raw in enumerate(lines, start=1):
        line = raw.translate(_PUNCT).strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]") and "," not in line:
            section = line[1:-1].strip()
            continue
        in_coords = "地块坐标" in section
        tokens = [t.strip() for t in line.split(",")]
        is_header = tokens[-1].endswith("@")
        if not in_coords and not is_header and "=" in line:
            k, v = line.split("=", 1)
            k, v = k.strip(), v.strip()
            sections.setdefault(section, {})[k] = v
            key_lines.setdefault(k, no)
            continue
        if section and not in_coords and not is_header and not _looks_like_point(tokens):
            warnings.append(f"{label} line {no}: ignored (not key=value in [{section}])")
            continue
        if in_coords and not is_header and "=" in line and not _looks_like_point(tokens):
            warnings.append(f"{label} line {no}: ignored ('{line[:40]}' is a key=value line among the points)")
            continue
        # coordinate lines
        if is_header:
            cur = RawParcel(attrs=_header_attrs(tokens, label, no, warnings, notes), loc=f"line {no}")
            parcels.append(cur)
            continue
        pt = _point(tokens, line, label, no)
        if cur is None:
            cur = RawParcel(attrs={}, loc=f"line {no}")
            parcels.append(cur)
            warnings.append(f"{label} line {no}: points before any parcel header (…,@); read as one parcel")
        cur.points.append(pt)

    if not any(p.points for p in parcels):
        if not parcels:
            raise FootprintError(f"{label}: no 界址点 found (expected a [地块坐标] section with lines "
                                 "点号,圈号,X,Y)")
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
    if len(vals) < 8 and vals and parse_int(vals[0]) is None:
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
            raise FootprintError(f"{label} line {no}: '{line[:60]}' has 3 fields; expected 点号,圈号,X,Y "
                                 "(圈号 missing, or the line is cut off)")
        raise FootprintError(f"{label} line {no}: '{line[:60]}' is neither a parcel header (…,@) nor a point "
                             "line 点号,圈号,X,Y (cut off?)")
    ring = parse_int(tokens[1])
    if ring is None:
        raise FootprintError(f"{label} line {no}: 圈号 '{tokens[1][:20]}' is not a whole number "
                             f"(expected 点号,圈号,X,Y)")
    a = parse_number(tokens[2])
    if a is None:
        raise FootprintError(f"{label} line {no}: X coordinate '{tokens[2][:30]}' is not a number")
    b = parse_number(tokens[3])
    if b is None:
        raise FootprintError(f"{label} line {no}: Y coordinate '{tokens[3][:30]}' is not a number")
    return RawPoint(name=tokens[0], ring=ring, a=a, b=b, loc=f"line {no}")


def _check_counts(parcels: list[RawParcel], label: str, warnings: list[str]) -> None:
    """界址点数 against the point lines; an unclosed last parcel short of points means a truncated file."""
    for k, p in enumerate(parcels):
        jz = p.attrs.get("界址点数")
        n = len(p.points)
        if not p.points:
            raise FootprintError(f"{label} {p.loc}: parcel header without any point line (file truncated?)")
        start: dict = {}     # ring number -> (first point, count) of the ring being read
        closing = 0
        for pt in p.points:
            first, cnt = start.get(pt.ring, ((pt.a, pt.b), 0))
            cnt += 1
            if cnt >= 4 and (pt.a, pt.b) == first:
                closing += 1
                start.pop(pt.ring, None)
            else:
                start[pt.ring] = (first, cnt)
        last_open = p.points[-1].ring in start
        last = p.points[-1]
        if k == len(parcels) - 1 and jz and n < jz and last_open:
            raise FootprintError(f"{label} {last.loc}: the file ends in the middle of a parcel ({p.loc} says "
                                 f"{jz} points, {n} found, last ring not closed) — truncated file?")
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
        raise FootprintError(f"cannot write {crs_label(src)} coordinates as 2000国家大地坐标系 without a datum "
                             "transformation")
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


def _ring_cw_from_nw(coords: np.ndarray) -> np.ndarray:
    """Ring vertices (open, no repeat) clockwise in (E, N), starting at the vertex nearest the NW corner."""
    xy = coords[:-1] if len(coords) > 1 and np.array_equal(coords[0], coords[-1]) else coords
    area2 = np.sum(xy[:, 0] * np.roll(xy[:, 1], -1) - np.roll(xy[:, 0], -1) * xy[:, 1])
    if area2 > 0:  # counter-clockwise
        xy = xy[::-1]
    minx, maxy = xy[:, 0].min(), xy[:, 1].max()
    d = (xy[:, 0] - minx) ** 2 + (maxy - xy[:, 1]) ** 2
    start = int(np.argmin(d))
    return np.roll(xy, -start, axis=0)


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
        raise FootprintError("the footprint has no coordinate system")
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
                    xy = _ring_cw_from_nw(np.asarray(ring.coords)[:, :2])
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
        raise FootprintError(f"{Path(path).name} line {line}: character {ch!r} cannot be written in {encoding}; "
                             "write UTF-8 instead (--out-encoding utf-8)") from None
    except LookupError:
        raise FootprintError(f"unknown encoding {encoding!r}") from None
    Path(path).write_bytes(data)
    return notes
