"""Shared building blocks of the coordinate-list readers (TXT, tables, DXF, KML).

A reader turns its file into ``RawParcel`` objects — attribute dict plus the points as written, each with
the place it came from ("line 12", "row 7", "entity 3A") — and ``build_footprint`` does the rest the same
way for every format: axis/CRS decision, Ningxia range check, ring splitting and closing, duplicate vertex
removal, refusal of degenerate rings, and the geometric hole-or-part decision.
"""

from __future__ import annotations

import math
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely import STRtree

from ..core.crs import transformer
from ..domain.errors import FootprintError
from ..domain.limits import MAX_FOOTPRINT_FILE, MAX_INFLATED
from ..core.footprint import Footprint
from .crs_detect import NINGXIA_PLAUSIBLE_LONLAT, AxisDecision, decide_axes

_NUM_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DMS_RE = re.compile(
    r"^([+-]?\d+(?:\.\d+)?)\s*[°度:]\s*(?:(\d+(?:\.\d+)?)\s*['′分:]?\s*)?(?:(\d+(?:\.\d+)?)\s*(?:\"|″|''|′′|秒)?\s*)?"
    r"([NSEW北南东西]?)$")


def check_regular(path, label: str | None = None) -> os.stat_result:
    """The file's stat, refusing what is not a regular file (FIFO, device such as /dev/zero behind a
    link, socket, symlink loop) before anything opens it: opening a FIFO would block forever."""
    p = Path(path)
    label = label or p.name
    try:
        st = os.stat(p)
    except OSError as exc:
        raise FootprintError("footprint.unreadable", file=label, reason=exc.strerror or "") from None
    if stat.S_ISDIR(st.st_mode):
        raise FootprintError("footprint.is_folder", file=label)
    if not stat.S_ISREG(st.st_mode):
        raise FootprintError("footprint.not_regular", file=label)
    return st


def read_bounded(path, label: str | None = None, limit: int = MAX_FOOTPRINT_FILE) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (read with that bound, in case it grows)."""
    p = Path(path)
    label = label or p.name
    st = check_regular(p, label)
    if st.st_size > limit:
        raise FootprintError("footprint.too_large", file=label, size=_mb(st.st_size), limit=_mb(limit))
    try:
        with open(p, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FootprintError("footprint.unreadable", file=label, reason=exc.strerror or "") from None
    if len(data) > limit:
        raise FootprintError("footprint.too_large", file=label, size=f"> {_mb(limit)}", limit=_mb(limit))
    return data


def zip_member(data_or_path, label: str, want=None, limit: int = MAX_INFLATED, kind: str = "KMZ") -> bytes | None:
    """Check a zip (KMZ, XLSX) against a zip bomb: every member's declared size and the total stay under
    ``limit`` uncompressed. With ``want`` (a name → bool choice of the member), the member's bytes, read
    with that bound (a lying header cannot get past it); else None."""
    import io
    import zipfile
    src = io.BytesIO(data_or_path) if isinstance(data_or_path, (bytes, bytearray)) else data_or_path
    try:
        with zipfile.ZipFile(src) as z:
            infos = z.infolist()
            total = sum(i.file_size for i in infos)
            if len(infos) > 10_000 or total > limit:
                raise FootprintError("footprint.zip_too_large", file=label, size=_mb(total), limit=_mb(limit))
            if want is None:
                return None
            names = [i.filename for i in infos if want(i.filename)]
            if not names:
                return b""
            name = "doc.kml" if "doc.kml" in names else names[0]
            with z.open(name) as fh:
                data = fh.read(limit + 1)
            if len(data) > limit:
                raise FootprintError("footprint.zip_too_large", file=label, size=f"> {_mb(limit)}",
                                     limit=_mb(limit))
            return data
    except FootprintError:
        raise
    except Exception:  # noqa: BLE001 - BadZipFile, zlib.error, EOFError, NotImplementedError (method) …
        raise FootprintError("footprint.bad_zip", file=label, kind=kind) from None


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.0f} MB" if n >= 1 << 20 else f"{n} B"


def parse_number(token) -> float | None:
    """A finite float from a plain decimal token (full-width digits allowed); None otherwise.

    Stricter than ``float()``: no 'nan', 'inf', '1_000' or hex.
    """
    if isinstance(token, bool):
        return None
    if isinstance(token, (int, float)):
        v = float(token)
        return v if math.isfinite(v) else None
    if not isinstance(token, str):
        return None
    t = unicodedata.normalize("NFKC", token).strip().replace(" ", "")
    if not t or len(t) > 64 or not _NUM_RE.match(t):
        return None
    try:
        v = float(t)
    except (ValueError, OverflowError):
        return None
    return v if math.isfinite(v) else None


def parse_degrees(token) -> float | None:
    """Decimal degrees from '106.0712', '106°04′16.32″', '106度4分16.32秒', '37:25:12.5N'; None otherwise."""
    v = parse_number(token)
    if v is not None:
        return v
    if not isinstance(token, str):
        return None
    t = unicodedata.normalize("NFKC", token).strip().replace(" ", "")
    m = _DMS_RE.match(t)
    if not m or (m.group(2) is None and m.group(3) is None):
        return None
    d = float(m.group(1))
    mi = float(m.group(2) or 0)
    s = float(m.group(3) or 0)
    if mi >= 60 or s >= 60:
        return None
    sign = -1 if d < 0 or m.group(4) in ("S", "W", "南", "西") else 1
    return sign * (abs(d) + mi / 60 + s / 3600)


def parse_int(token) -> int | None:
    v = parse_number(token)
    if v is None or v != int(v) or abs(v) > 1e9:
        return None
    return int(v)


@dataclass
class RawPoint:
    name: str
    ring: int | None    # 圈号 as written; None when the format has no ring numbers
    a: float            # first coordinate as written (TXT: X = northing; tables: X column)
    b: float            # second coordinate as written (TXT: Y = easting)
    loc: str            # "line 12"


@dataclass
class RawParcel:
    attrs: dict
    loc: str
    points: list[RawPoint] = field(default_factory=list)
    closed_rings: bool = False  # each ring number is one ring already closed by the format (DXF, KML)


@dataclass
class BuildResult:
    geoms: list
    decision: AxisDecision
    warnings: list[str]
    repairs: list[str]
    notes: list[str]


def build_footprint(parcels: list[RawParcel], label: str, source: str, *, crs=None, fmt: str = "",
                    attr_texts: dict | None = None, legacy_datum: str = "refuse", check_range: bool = True,
                    bounds=None, crs_note: str | None = None, where_datum: str = "",
                    meta: dict | None = None,
                    columns: tuple[str, str] = ("the 3rd field", "the 4th field")) -> Footprint:
    """Turn raw parcels into a Footprint (geometry in the decided CRS, one row per parcel)."""
    parcels = [p for p in parcels if p.points or p.attrs]
    if not parcels:
        raise FootprintError(f"{label}: no parcels / 界址点 found")
    for p in parcels:
        if not p.points:
            raise FootprintError(f"{label} {p.loc}: parcel {_pname(p)} has no points (file truncated?)")
    pts = [pt for p in parcels for pt in p.points]
    a = np.array([pt.a for pt in pts], dtype=float)
    b = np.array([pt.b for pt in pts], dtype=float)
    locs = [pt.loc for pt in pts]
    t = attr_texts or {}
    dec = decide_axes(a, b, locs, label, crs=crs, datum_text=t.get("datum"), width_text=t.get("width"),
                      zone_text=t.get("zone"), unit_text=t.get("unit"), legacy_datum=legacy_datum,
                      where_datum=where_datum, columns=columns)
    if crs is not None and crs_note:
        dec.notes = [crs_note]
    x, y = dec.to_xy(a, b)
    if check_range:
        check_plausible(x, y, dec.crs, locs, label, bounds=bounds, names=[pt.name for pt in pts])

    warnings = list(dec.warnings)
    repairs: list[str] = []
    notes = list(dec.notes)
    geoms = []
    k = 0
    closed_added = 0
    for pi, p in enumerate(parcels):
        n = len(p.points)
        px, py = x[k:k + n], y[k:k + n]
        k += n
        rings = _split_rings(p, px, py)
        polys = []
        for r in rings:
            poly, added = _ring_polygon(r, p, pi, label, repairs)
            closed_added += added
            polys.append(poly)
        geom, shells = assemble_rings(polys, with_shells=True)
        if not p.closed_rings and len(shells) > 1:
            _warn_outside(rings, shells, p, pi, label, warnings)
        geoms.append(geom)
    if closed_added:
        notes.append(f"{closed_added} ring(s) written without the repeated closing point were closed")
    rows = [dict(p.attrs) for p in parcels]
    gdf = gpd.GeoDataFrame(rows, geometry=gpd.GeoSeries(geoms, crs=dec.crs), crs=dec.crs)
    fp = Footprint(gdf=gdf, source=source, name=Path(source).stem if source else label)
    fp.warnings.extend(warnings)
    fp.repairs.extend(repairs)
    fp.meta.update(meta or {})
    fp.meta.setdefault("format", fmt)
    fp.meta["crs_notes"] = notes
    fp.meta["parcel_locs"] = [p.loc for p in parcels]
    fp.meta["axes_swapped"] = dec.swapped
    return fp


def check_plausible(x, y, crs, locs, label, bounds=None, names=None) -> None:
    """Refuse coordinates that do not fall in (or near) Ningxia in ``crs``, naming the first bad point."""
    w, s, e, n = bounds or NINGXIA_PLAUSIBLE_LONLAT
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if crs.is_geographic:
        lon, lat = x, y
    else:
        try:
            lon, lat = transformer(crs, 4490).transform(x, y, errcheck=False)
        except Exception:  # pyproj errors on absurd input
            lon = lat = np.full(len(x), np.inf)
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(lon) & np.isfinite(lat) & (lon >= w) & (lon <= e) & (lat >= s) & (lat <= n))
    if bad.any():
        i = int(np.nonzero(bad)[0][0])
        from ..core.crs import crs_label
        where = (f"{lon[i]:.4f}°E {lat[i]:.4f}°N" if np.isfinite(lon[i]) and np.isfinite(lat[i])
                 else "no valid position")
        nm = f"point {names[i]} " if names and names[i] else "point "
        raise FootprintError(
            f"{label} {locs[i]}: {nm}({x[i]:.10g}, {y[i]:.10g}) is at {where} in {crs_label(crs)}, outside "
            f"Ningxia's plausible range ({w}–{e}°E, {s}–{n}°N); wrong zone, wrong CRS or a typing error? "
            "(give the CRS with --crs)")


@dataclass
class _Ring:
    ring_no: int | None
    x: list
    y: list
    names: list
    locs: list
    closed: bool = False


def _split_rings(p: RawParcel, px, py) -> list[_Ring]:
    """Group points by 圈号 (first-appearance order), then split a group wherever a ring closes."""
    groups: dict = {}
    for j, pt in enumerate(p.points):
        groups.setdefault(pt.ring, []).append(j)
    rings: list[_Ring] = []
    for ring_no, idx in groups.items():
        cur = None
        for j in idx:
            if cur is None:
                cur = _Ring(ring_no, [], [], [], [])
            cur.x.append(float(px[j]))
            cur.y.append(float(py[j]))
            cur.names.append(p.points[j].name)
            cur.locs.append(p.points[j].loc)
            if (len(cur.x) >= 4 and cur.x[-1] == cur.x[0] and cur.y[-1] == cur.y[0]) and not p.closed_rings:
                cur.closed = True
                rings.append(cur)
                cur = None
        if cur is not None:
            rings.append(cur)
    return rings


def _ring_polygon(r: _Ring, p: RawParcel, pi: int, label: str, repairs: list[str]):
    """A shapely Polygon from one ring; refuses degenerate rings. Returns (polygon, 1 if closed here)."""
    xs, ys, locs = list(r.x), list(r.y), list(r.locs)
    added = 0
    if len(xs) >= 2 and xs[-1] == xs[0] and ys[-1] == ys[0]:
        xs, ys, locs = xs[:-1], ys[:-1], locs[:-1]
    elif not p.closed_rings:
        added = 1
    # consecutive duplicate vertices (cyclic)
    keep_x, keep_y, dropped = [], [], []
    for j in range(len(xs)):
        if keep_x and xs[j] == keep_x[-1] and ys[j] == keep_y[-1]:
            dropped.append(locs[j])
            continue
        keep_x.append(xs[j])
        keep_y.append(ys[j])
    while len(keep_x) > 1 and keep_x[-1] == keep_x[0] and keep_y[-1] == keep_y[0]:
        keep_x.pop()
        keep_y.pop()
        dropped.append("end of ring")
    rdesc = _rdesc(r, p, pi)
    if dropped:
        repairs.append(f"{label} {', '.join(dropped[:5])}{' …' if len(dropped) > 5 else ''}: "
                       f"{len(dropped)} duplicate vertex(es) removed from {rdesc}")
    where = r.locs[0] if r.locs else p.loc
    if len(keep_x) < 3:
        raise FootprintError(f"{label} {where}: {rdesc} has only {len(keep_x)} distinct point(s); a boundary "
                             "ring needs at least 3 (file truncated or a ring number wrong?)")
    coords = list(zip(keep_x, keep_y))
    poly = shapely.Polygon(coords + [coords[0]])
    if not math.isfinite(poly.area) or not (poly.area > 0 or shapely.make_valid(poly).area > 0):
        raise FootprintError(f"{label} {where}: {rdesc} cannot be closed into an area (its points lie on one "
                             "line)")
    return poly, added


def _pname(p: RawParcel) -> str:
    for k in ("地块名称", "地块编号", "name", "Name"):
        v = p.attrs.get(k)
        if v not in (None, ""):
            return f"'{v}'"
    return ""


def _rdesc(r: _Ring, p: RawParcel, pi: int) -> str:
    ring = f"ring {r.ring_no}" if r.ring_no is not None else "ring"
    return f"{ring} of parcel {pi + 1}{(' ' + _pname(p)) if _pname(p) else ''}"


def _warn_outside(rings, shells, p: RawParcel, pi: int, label: str, warnings: list[str]) -> None:
    """A numbered ring (圈号) that is in no other ring becomes a part of its own: say so, since it is
    usually a hole typed with a wrong coordinate (formats with one ring per boundary never warn)."""
    from ..domain import messages
    first = rings[min(shells)]
    for i in sorted(shells):
        r = rings[i]
        if r is first:
            continue
        who = f"{label} {r.locs[0] if r.locs else p.loc}: parcel {pi + 1}{(' ' + _pname(p)) if _pname(p) else ''}"
        warnings.append(messages.text("footprint.ring_outside", who=who,
                                      ring=r.ring_no if r.ring_no is not None else i + 1,
                                      shell=first.ring_no if first.ring_no is not None else 1))


def assemble_rings(polys: list, with_shells: bool = False):
    """Rings → Polygon/MultiPolygon: a ring inside a shell is a hole, inside a hole an island, else a part.

    Decided by containment (largest first, each ring nested in the smallest ring that covers it), so
    圈号 numbering — holes or extra parts — does not matter.
    """
    n = len(polys)
    if n == 1:
        return (polys[0], [0]) if with_shells else polys[0]
    arr = np.empty(n, dtype=object)
    arr[:] = polys
    areas = shapely.area(arr)
    order = np.argsort(-areas, kind="stable")
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    tree = STRtree(arr)
    inp, cont = tree.query(arr, predicate="covered_by")
    containers: dict[int, list[int]] = {}
    for i, j in zip(inp.tolist(), cont.tolist()):
        if i != j and rank[j] < rank[i]:
            containers.setdefault(i, []).append(j)
    depth = np.zeros(n, dtype=int)
    shell_of = np.arange(n)
    holes: dict[int, list] = {}
    shells: list[int] = []
    for i in order.tolist():
        cs = containers.get(i)
        if cs:
            j = max(cs, key=lambda c: rank[c])  # smallest container (processed last among them)
            depth[i] = depth[j] + 1
        if depth[i] % 2 == 0:
            shells.append(i)
            shell_of[i] = i
        else:
            holes.setdefault(int(shell_of[j]), []).append(polys[i].exterior)
    parts = [shapely.Polygon(polys[i].exterior, holes.get(i, [])) for i in shells]
    geom = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return (geom, shells) if with_shells else geom
