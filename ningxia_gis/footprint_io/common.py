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


class Locs:
    """Where each point came from, worked out only for the points a message names: ``fmt`` filled
    with ``values[i]`` ("line {}" and the line numbers), or a list of texts."""

    def __init__(self, fmt: str = "{}", values=()):
        self.fmt, self.values = fmt, values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i):
        return self.fmt.format(self.values[int(i)])


class _ConcatLocs:
    def __init__(self, parts: list):
        self.parts = parts
        self.starts = np.cumsum([0] + [len(q) for q in parts])

    def __len__(self) -> int:
        return int(self.starts[-1])

    def __getitem__(self, i):
        i = int(i)
        k = int(np.searchsorted(self.starts, i, side="right")) - 1
        return self.parts[k][i - int(self.starts[k])]


@dataclass
class PointBlock:
    """A parcel's points as arrays (what the fast readers produce directly)."""

    names: np.ndarray          # object array of point names
    ring: np.ndarray | None    # 圈号 (int64), or None when the format has none
    a: np.ndarray              # first coordinate as written
    b: np.ndarray
    locs: object               # Locs, or a list of texts

    def __len__(self) -> int:
        return len(self.a)


@dataclass
class RawParcel:
    attrs: dict
    loc: str
    points: list[RawPoint] = field(default_factory=list)
    closed_rings: bool = False  # each ring number is one ring already closed by the format (DXF, KML)
    bulk: PointBlock | None = None  # the points as arrays (instead of ``points``)
    _split: list | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.bulk) if self.bulk is not None else len(self.points)

    def block(self) -> PointBlock:
        if self.bulk is None:
            pts = self.points
            rings = [pt.ring for pt in pts]
            ring = None if all(r is None for r in rings) else np.array([-1 if r is None else r for r in rings],
                                                                        dtype=np.int64)
            names = np.empty(len(pts), dtype=object)
            names[:] = [pt.name for pt in pts]
            self.bulk = PointBlock(names=names, ring=ring, a=np.array([pt.a for pt in pts], dtype=float),
                                   b=np.array([pt.b for pt in pts], dtype=float), locs=[pt.loc for pt in pts])
        return self.bulk

    def rings(self) -> list[tuple[np.ndarray, bool, int | None]]:
        """(point indices, closed by a repeated first point, 圈号) of each ring (cached)."""
        if self._split is None:
            b = self.block()
            self._split = split_rings(b.ring, b.a, b.b, self.closed_rings)
        return self._split


def split_rings(ring, a, b, closed_rings: bool = False) -> list[tuple[np.ndarray, bool, int | None]]:
    """Group points by 圈号 (first-appearance order), then split a group wherever a ring closes: a point
    repeating the ring's first point after at least 3 others. With ``closed_rings`` a group is one ring."""
    n = len(a)
    if ring is None:
        groups, nos = [np.arange(n)], [None]
    else:
        uniq, first, inv = np.unique(ring, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(len(uniq), dtype=np.int64)
        rank[order] = np.arange(len(uniq))
        key = rank[inv.ravel()]
        perm = np.argsort(key, kind="stable")
        groups = np.split(perm, np.cumsum(np.bincount(key, minlength=len(uniq)))[:-1])
        nos = [int(v) for v in uniq[order]]
    out = []
    for g, no in zip(groups, nos):
        if closed_rings:
            out.append((g, False, no))
            continue
        ga, gb = a[g], b[g]
        s, m = 0, len(g)
        while s < m:
            j = _next_equal(ga, gb, s, m)
            if j < 0:
                out.append((g[s:], False, no))
                break
            out.append((g[s:j + 1], True, no))
            s = j + 1
    return out


def _next_equal(ga, gb, s: int, m: int) -> int:
    """First j ≥ s + 3 with point j equal to point s, or -1 (windows doubling: linear in the ring)."""
    lo, w = s + 3, 64
    while lo < m:
        hi = min(m, lo + w)
        k = np.flatnonzero((ga[lo:hi] == ga[s]) & (gb[lo:hi] == gb[s]))
        if len(k):
            return lo + int(k[0])
        lo, w = hi, w * 2
    return -1


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
    parcels = [p for p in parcels if len(p) or p.attrs]
    if not parcels:
        raise FootprintError("footprint.no_parcels", file=label)
    for p in parcels:
        if not len(p):
            raise FootprintError("footprint.parcel_no_points", file=label, where=p.loc, parcel=_pname(p))
    blocks = [p.block() for p in parcels]
    a = np.concatenate([bl.a for bl in blocks])
    b = np.concatenate([bl.b for bl in blocks])
    locs = blocks[0].locs if len(blocks) == 1 else _ConcatLocs([bl.locs for bl in blocks])
    names = blocks[0].names if len(blocks) == 1 else np.concatenate([bl.names for bl in blocks])
    t = attr_texts or {}
    dec = decide_axes(a, b, locs, label, crs=crs, datum_text=t.get("datum"), width_text=t.get("width"),
                      zone_text=t.get("zone"), unit_text=t.get("unit"), legacy_datum=legacy_datum,
                      where_datum=where_datum, columns=columns)
    if crs is not None and crs_note:
        dec.notes = [crs_note]
    x, y = dec.to_xy(a, b)
    if check_range:
        check_plausible(x, y, dec.crs, locs, label, bounds=bounds, names=names)
    else:
        check_sane(x, y, dec.crs, locs, label)

    warnings = list(dec.warnings)
    repairs: list[str] = []
    notes = list(dec.notes)
    geoms = []
    k = 0
    closed_added = 0
    for pi, (p, bl) in enumerate(zip(parcels, blocks)):
        n = len(bl)
        px, py = x[k:k + n], y[k:k + n]
        k += n
        rings = p.rings()
        polys = []
        for idx, closed, ring_no in rings:
            poly, added = _ring_polygon(px[idx], py[idx], idx, ring_no, bl, p, pi, label, repairs)
            closed_added += added
            polys.append(poly)
        geom, shells = assemble_rings(polys, with_shells=True)
        if not p.closed_rings and len(shells) > 1:
            _warn_outside(rings, shells, bl, p, pi, label, warnings)
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


def check_sane(x, y, crs, locs, label) -> None:
    """Even without the Ningxia range check: refuse coordinates no CRS can hold (1e308 …), which would
    otherwise overflow later computations."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    lim_x, lim_y = (360.0, 90.0) if crs.is_geographic else (1e9, 1e9)
    with np.errstate(invalid="ignore"):
        bad = ~(np.isfinite(x) & np.isfinite(y) & (np.abs(x) <= lim_x) & (np.abs(y) <= lim_y))
    if bad.any():
        i = int(np.nonzero(bad)[0][0])
        raise FootprintError("footprint.absurd_coordinate", file=label, where=locs[i], x=f"{x[i]:.6g}",
                             y=f"{y[i]:.6g}")


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
        where = (f"{lon[i]:.4f}°E {lat[i]:.4f}°N" if abs(lon[i]) <= 360 and abs(lat[i]) <= 90
                 else "no valid position")
        name = f"{names[i]} " if names is not None and len(names) and names[i] else ""
        raise FootprintError("footprint.outside_ningxia", file=label, where=locs[i], name=name,
                             x=f"{x[i]:.10g}", y=f"{y[i]:.10g}", pos=where, crs=crs_label(crs),
                             w=w, e=e, s=s, n=n)


def _ring_polygon(xs, ys, idx, ring_no, bl: PointBlock, p: RawParcel, pi: int, label: str, repairs: list[str]):
    """A shapely Polygon from one ring's coordinates; refuses degenerate rings. Returns (polygon, 1 if
    closed here). ``idx``: the ring's point indices in the parcel (for messages)."""
    added = 0
    if len(xs) >= 2 and xs[-1] == xs[0] and ys[-1] == ys[0]:
        xs, ys, idx = xs[:-1], ys[:-1], idx[:-1]
    elif not p.closed_rings:
        added = 1
    # consecutive duplicate vertices, then trailing ones equal to the first (cyclic)
    keep = np.ones(len(xs), dtype=bool)
    keep[1:] = (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])
    dropped = [bl.locs[j] for j in idx[~keep][:6]]
    n_dropped = int((~keep).sum())
    kx, ky = xs[keep], ys[keep]
    while len(kx) > 1 and kx[-1] == kx[0] and ky[-1] == ky[0]:
        kx, ky = kx[:-1], ky[:-1]
        dropped.append("end of ring")
        n_dropped += 1
    rdesc = _rdesc(ring_no, p, pi)
    if n_dropped:
        repairs.append(f"{label} {', '.join(dropped[:5])}{' …' if n_dropped > 5 else ''}: "
                       f"{n_dropped} duplicate vertex(es) removed from {rdesc}")
    where = bl.locs[idx[0]] if len(idx) else p.loc
    if len(kx) < 3:
        raise FootprintError("footprint.ring_too_few", file=label, where=where, ring=rdesc, n=len(kx))
    coords = np.column_stack([np.append(kx, kx[0]), np.append(ky, ky[0])])
    poly = shapely.polygons(coords)
    area = shapely.area(poly)
    if not math.isfinite(area) or not (area > 0 or shapely.make_valid(poly).area > 0):
        raise FootprintError("footprint.ring_no_area", file=label, where=where, ring=rdesc)
    return poly, added


def _pname(p: RawParcel) -> str:
    for k in ("地块名称", "地块编号", "name", "Name"):
        v = p.attrs.get(k)
        if v not in (None, ""):
            return f"'{v}'"
    return ""


def _rdesc(ring_no, p: RawParcel, pi: int) -> str:
    ring = f"ring {ring_no}" if ring_no is not None else "ring"
    return f"{ring} of parcel {pi + 1}{(' ' + _pname(p)) if _pname(p) else ''}"


def _warn_outside(rings, shells, bl: PointBlock, p: RawParcel, pi: int, label: str, warnings: list[str]) -> None:
    """A numbered ring (圈号) that is in no other ring becomes a part of its own: say so, since it is
    usually a hole typed with a wrong coordinate (formats with one ring per boundary never warn)."""
    from ..domain import messages
    first = min(shells)
    for i in sorted(shells):
        if i == first:
            continue
        idx, _closed, no = rings[i]
        who = f"{label} {bl.locs[idx[0]] if len(idx) else p.loc}: parcel {pi + 1}" + \
            (f" {_pname(p)}" if _pname(p) else "")
        warnings.append(messages.text("footprint.ring_outside", who=who, ring=no if no is not None else i + 1,
                                      shell=rings[first][2] if rings[first][2] is not None else 1))


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
