"""DXF (AutoCAD / 南方CASS 勘测定界图, 红线图): closed LWPOLYLINE / POLYLINE / HATCH boundaries → parcels.

* Which entities: closed LWPOLYLINE and 2-D/3-D POLYLINE, and every HATCH boundary path, in model space.
  An open polyline whose ends meet (≤ 1 mm) is taken as closed (a repair); other open polylines are
  skipped with a warning — and refused when nothing closed is left.
* Which layers: ``layer=`` (a name or a list) if given; otherwise, when some layers are named like a
  red line (红线, 用地, 界址, 范围, 征地, JZX, HX, REDLINE, BOUNDARY …), only those; otherwise all.
* Arcs (bulges, hatch arc edges) are flattened to vertices at most ``arc_tolerance`` m off the arc.
* Rings: a ring inside another is a hole (扣除), inside a hole an island, else a separate parcel; every
  resulting polygon part is one parcel (attribute 图层 = its layer).
* CRS: ``crs=`` if given; else an EPSG code, a zone (``35带``) or a central meridian (``CM105``,
  ``105E``) in a layer name or the file name; else the coordinates: x = easting, y = northing, a zone
  prefix on x gives the zone (formats.md §3). Swapped axes are detected and warned about.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import shapely

from ..domain.errors import FootprintError
from ..core.footprint import Footprint
from ..domain.limits import ARC_TOLERANCE_M, MAX_FOOTPRINT_FILE
from .common import PointBlock, RawParcel, build_footprint, check_regular, read_bounded

REDLINE_LAYER_RE = re.compile(r"红线|用地|界址|范围|征地|边界|地块|JZX|JZD|HX|REDLINE|BOUNDARY|FOOTPRINT|PARCEL",
                              re.IGNORECASE)
CLOSE_TOLERANCE = 0.001


def _hint(texts: list[str]) -> tuple[str | None, str | None, str | None]:
    """(epsg, zone, where) from layer names / file name."""
    for t in texts:
        m = re.search(r"EPSG\D{0,2}(\d{4,5})", t, re.IGNORECASE)
        if m:
            return m.group(1), None, t
    for t in texts:
        m = re.search(r"(\d{2})\s*(?:度带|带|号带)|ZONE\s*(\d{2})", t, re.IGNORECASE)
        if m:
            return None, m.group(1) or m.group(2), t
        m = re.search(r"CM\s*(\d{3})|(\d{3})\s*[°度]?\s*E\b|中央子午线\s*(\d{3})|(\d{3})\s*[°度]", t, re.IGNORECASE)
        if m:
            cm = int(next(g for g in m.groups() if g))
            if cm % 3 == 0:
                return None, str(cm // 3), t
    return None, None, None


def _ezdxf_rings(p: Path, label: str, arc_tolerance: float):
    """(rings, open polylines skipped, repairs) through ezdxf: every entity kind, arcs flattened."""
    import ezdxf.path as ezpath
    from ezdxf import recover

    import logging
    ezlog = logging.getLogger("ezdxf")
    level = ezlog.level
    ezlog.setLevel(logging.ERROR)   # recover's per-value notes are not for the officer's screen
    try:
        doc, _auditor = recover.readfile(str(p))
    except OSError as exc:
        raise FootprintError("footprint.unreadable", file=label, reason=exc.strerror or "") from None
    except Exception:  # ezdxf.DXFStructureError and friends: the details go to the log
        logging.getLogger("ningxia_gis").exception("reading %s", p)
        raise FootprintError("footprint.dxf_unreadable", file=label) from None
    finally:
        ezlog.setLevel(level)

    rings: list[tuple[str, str, list]] = []   # (layer, where, [(x, y), …])
    skipped_open: list[str] = []
    repairs: list[str] = []
    kinds = {"LWPOLYLINE", "POLYLINE", "HATCH"}
    for e in doc.modelspace():
        t = e.dxftype()
        if t not in kinds:
            continue
        lyr = e.dxf.get("layer", "0")
        where = f"entity {e.dxf.get('handle', '?')} ({t}, layer {lyr})"
        try:
            if t == "HATCH":
                for k, path_ in enumerate(ezpath.from_hatch(e)):
                    pts = [(v.x, v.y) for v in path_.flattening(arc_tolerance)]
                    rings.append((lyr, f"{where} boundary {k + 1}", np.asarray(pts, dtype=float).reshape(-1, 2)))
                continue
            if t == "POLYLINE" and not (e.is_2d_polyline or e.is_3d_polyline):
                continue  # meshes
            closed = bool(e.closed if t == "LWPOLYLINE" else e.is_closed)
            pts = [(v.x, v.y) for v in ezpath.make_path(e).flattening(arc_tolerance)]
        except Exception as exc:  # a broken entity: say which
            logging.getLogger("ningxia_gis").warning("%s %s: %r", label, where, exc)
            raise FootprintError("footprint.dxf_bad_entity", file=label, where=where) from None
        if not closed:
            if len(pts) >= 4 and np.hypot(pts[0][0] - pts[-1][0], pts[0][1] - pts[-1][1]) <= CLOSE_TOLERANCE:
                repairs.append(f"{label} {where}: open polyline whose ends meet taken as closed")
            else:
                gap = (np.hypot(pts[0][0] - pts[-1][0], pts[0][1] - pts[-1][1]) if len(pts) >= 2 else 0.0)
                skipped_open.append(f"{where} (gap {gap:.3f})")
                continue
        rings.append((lyr, where, np.asarray(pts, dtype=float).reshape(-1, 2)))
    return rings, skipped_open, repairs


_ENTITIES_RE = re.compile(r"\n[ \t]*0\r?\nSECTION\r?\n[ \t]*2\r?\nENTITIES\r?\n")
_ENTITY_RE = re.compile(r"\n[ \t]*0\r?\n")
_LWPOLY_RE = re.compile(r"\n[ \t]*0\r?\nLWPOLYLINE\r?\n")
_OTHER_BOUNDARY_RE = re.compile(r"\n[ \t]*0\r?\n(?:HATCH|POLYLINE)\r?\n")
_CODEPAGES = {"ANSI_936": "gb18030", "ANSI_1252": "cp1252", "ANSI_950": "big5", "ANSI_932": "cp932",
              "ANSI_949": "cp949", "UTF-8": "utf-8", "UTF8": "utf-8"}
_UNICODE_ESC = re.compile(r"\\U\+([0-9A-Fa-f]{4})")


def _entity_end(text: str, start: int, hi: int) -> int:
    """Where the entity whose tags begin at ``start`` ends: the next group-code-0 line (a line "0" at a
    code position, not a value such as layer "0")."""
    pos = start - 1
    while True:
        cand = _ENTITY_RE.search(text, pos, hi)
        if cand is None:
            return hi
        if text.count("\n", start, cand.start() + 1) % 2 == 0:
            return cand.start()
        pos = cand.start() + 1


def _fast_rings(p: Path, label: str):
    """(rings, open polylines skipped, repairs) of an ASCII DXF whose boundaries are all straight
    LWPOLYLINEs, read without building an object per entity: only the LWPOLYLINE entities of the
    ENTITIES section are parsed, every other entity (lines, texts … often 10⁶ of them) is skipped as text.
    None when the file needs ezdxf (binary, HATCH / POLYLINE boundaries, arcs, an unknown code page …)."""
    data = read_bounded(p, label)
    if data.startswith(b"AutoCAD Binary DXF"):
        return None
    head = data[:65536].decode("latin-1")
    ver = re.search(r"\$ACADVER\r?\n[ \t]*1\r?\n([^\r\n]*)", head)
    cp = re.search(r"\$DWGCODEPAGE\r?\n[ \t]*3\r?\n([^\r\n]*)", head)
    if ver and ver.group(1).strip().upper() >= "AC1021":
        enc = "utf-8"
    else:
        enc = _CODEPAGES.get(cp.group(1).strip().upper()) if cp else "cp1252"
        if enc is None:
            return None
    try:
        text = "\n" + data.decode(enc)
    except UnicodeDecodeError:
        return None
    m = _ENTITIES_RE.search(text)
    if not m:
        return None
    end = re.compile(r"\n[ \t]*0\r?\nENDSEC\r?\n").search(text, m.end() - 1)
    if not end:
        return None
    lo, hi = m.end() - 1, end.start() + 1
    if _OTHER_BOUNDARY_RE.search(text, lo, hi):
        return None
    rings, skipped_open, repairs = [], [], []
    for hit in _LWPOLY_RE.finditer(text, lo, hi):
        chunk = text[hit.end():_entity_end(text, hit.end(), hi)]
        tags = chunk.split("\n")
        if len(tags) % 2:
            tags = tags[:-1]
        codes, vals = tags[0::2], tags[1::2]
        layer, handle, flags, xs, ys, n_decl = "0", "?", 0, [], [], None
        try:
            for c, v in zip(codes, vals):
                c = int(c)
                v = v.rstrip("\r")
                if c == 10:
                    xs.append(float(v))
                elif c == 20:
                    ys.append(float(v))
                elif c == 8:
                    layer = _UNICODE_ESC.sub(lambda g: chr(int(g.group(1), 16)), v.strip()) or "0"
                elif c == 5:
                    handle = v.strip()
                elif c == 70:
                    flags = int(v)
                elif c == 90:
                    n_decl = int(v)
                elif c == 42 and float(v) != 0:
                    return None  # an arc segment: ezdxf flattens it
                elif c in (210, 220) and float(v) != 0 or c == 230 and float(v) != 1:
                    return None  # another extrusion (OCS): ezdxf transforms it
                elif c == 67 and int(v) == 1:
                    layer = None  # paper space
                    break
        except ValueError:
            return None
        if layer is None:
            continue
        if len(xs) != len(ys) or (n_decl is not None and n_decl != len(xs)):
            return None
        where = f"entity {handle} (LWPOLYLINE, layer {layer})"
        pts = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)]) if xs else \
            np.empty((0, 2))
        if flags & 1:
            if len(pts):
                pts = np.vstack([pts, pts[:1]])  # as ezdxf's path of a closed polyline
        elif len(pts) >= 4 and np.hypot(*(pts[0] - pts[-1])) <= CLOSE_TOLERANCE:
            repairs.append(f"{label} {where}: open polyline whose ends meet taken as closed")
        else:
            gap = float(np.hypot(*(pts[0] - pts[-1]))) if len(pts) >= 2 else 0.0
            skipped_open.append(f"{where} (gap {gap:.3f})")
            continue
        rings.append((layer, where, pts))
    return rings, skipped_open, repairs


def read_dxf(path, crs=None, *, layer=None, arc_tolerance: float = 0.01, check_range: bool = True,
             bounds=None, legacy_datum: str | None = None, allow_legacy_datum: bool = False,
             **_ignored) -> Footprint:
    p = Path(path)
    label = p.name
    st = check_regular(p, label)
    if st.st_size > MAX_FOOTPRINT_FILE:
        raise FootprintError("footprint.too_large", file=label, size=f"{st.st_size >> 20} MB",
                             limit=f"{MAX_FOOTPRINT_FILE >> 20} MB")
    arc_tolerance = ARC_TOLERANCE_M.check(arc_tolerance)
    got = _fast_rings(p, label)
    if got is None:  # HATCH, POLYLINE, bulges, binary DXF …: ezdxf reads it
        got = _ezdxf_rings(p, label, arc_tolerance)
    rings, skipped_open, repairs = got

    all_layers = sorted({r[0] for r in rings})
    warnings: list[str] = []
    notes: list[str] = []
    if layer:
        wanted = {layer} if isinstance(layer, str) else set(layer)
        chosen = [r for r in rings if r[0] in wanted]
        if not chosen:
            raise FootprintError("footprint.dxf_no_layer", file=label, wanted=", ".join(sorted(wanted)),
                                 layers=", ".join(all_layers) or "—")
        notes.append(f"layers used: {', '.join(sorted(wanted))} (as asked)")
    else:
        red = [r for r in rings if REDLINE_LAYER_RE.search(r[0])]
        if red and len(red) < len(rings):
            chosen = red
            used = sorted({r[0] for r in red})
            warnings.append(f"{label}: only layer(s) {', '.join(used)} read (named like a red line); other "
                            f"layers with closed boundaries ignored: "
                            f"{', '.join(sorted(set(all_layers) - set(used)))} (choose with --layer)")
        else:
            chosen = rings
            if len(all_layers) > 1 and len(red) < len(rings):
                warnings.append(f"{label}: closed boundaries of all layers read: {', '.join(all_layers)} "
                                "(choose with --layer)")
    if not chosen:
        if skipped_open:
            raise FootprintError("footprint.dxf_open_only", file=label, where=skipped_open[0], n=len(skipped_open))
        raise FootprintError("footprint.dxf_no_boundary", file=label)
    if skipped_open:
        warnings.append(f"{label}: {len(skipped_open)} open polyline(s) skipped (not boundaries): "
                        f"{'; '.join(skipped_open[:3])}{' …' if len(skipped_open) > 3 else ''}")

    parcel = RawParcel(attrs={}, loc=chosen[0][1], closed_rings=True, bulk=_block(chosen))

    epsg, zone, hint_where = _hint([r[0] for r in chosen] + [p.stem])
    crs_note = None
    if crs is None and epsg:
        crs, crs_note = f"EPSG:{epsg}", f"CRS EPSG:{epsg} from the name '{hint_where}'"
    if zone and crs is None:
        notes.append(f"zone {zone} taken from the name '{hint_where}'")
    fp = build_footprint([parcel], label, str(p), crs=crs, fmt="DXF",
                         attr_texts={"datum": "2000", "zone": zone}, crs_note=crs_note,
                         legacy_datum=legacy_datum or ("read" if allow_legacy_datum else "refuse"),
                         check_range=check_range, bounds=bounds, columns=("the drawing's y", "the drawing's x"))
    # one parcel per polygon part, attributed with the layer of its outer boundary
    geom = fp.gdf.geometry.iloc[0]
    parts = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"]
    rows = []
    for i, (lyr, where) in enumerate(_owners(parts, chosen, fp.meta.get("axes_swapped", False)), start=1):
        rows.append({"地块编号": str(i), "地块名称": f"{lyr}-{i}", "图层": lyr, "_where": where})
    import geopandas as gpd
    gdf = gpd.GeoDataFrame([{k: v for k, v in r.items() if k != "_where"} for r in rows],
                           geometry=gpd.GeoSeries(parts, crs=fp.gdf.crs), crs=fp.gdf.crs)
    fp.gdf = gdf
    fp.meta["parcel_locs"] = [r["_where"] for r in rows]
    fp.meta["layers"] = all_layers
    fp.meta["crs_notes"][:0] = notes
    fp.warnings[:0] = warnings
    fp.repairs[:0] = repairs
    return fp


class _PerRing:
    """``values[ring_of[i]]`` for point i: one text per ring without one per point."""

    def __init__(self, values, ring_of):
        self.values, self.ring_of = values, ring_of

    def __len__(self) -> int:
        return len(self.ring_of)

    def __getitem__(self, i):
        return self.values[int(self.ring_of[int(i)])]


class _PointNames(_PerRing):
    """Point names ``k.j`` (ring k, vertex j), made only for the point a message names."""

    def __init__(self, ring_of, starts):
        self.ring_of, self.starts = ring_of, starts

    def __getitem__(self, i):
        k = int(self.ring_of[int(i)])
        return f"{k + 1}.{int(i) - int(self.starts[k]) + 1}"


def _block(chosen) -> PointBlock:
    """The chosen rings' vertices as one PointBlock (a = drawing y, b = drawing x), ring k = k + 1."""
    sizes = np.array([len(pts) for _l, _w, pts in chosen], dtype=np.int64)
    xy = np.concatenate([pts for _l, _w, pts in chosen]) if len(chosen) else np.empty((0, 2))
    ring_of = np.repeat(np.arange(len(chosen)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return PointBlock(names=_PointNames(ring_of, starts), ring=ring_of + 1, a=xy[:, 1].copy(), b=xy[:, 0].copy(),
                      locs=_PerRing([w for _l, w, _p in chosen], ring_of))


def _owners(parts, chosen, swapped) -> list[tuple[str, str]]:
    """Layer and entity of each part's exterior boundary: of the chosen rings covering the part's
    representative point, the one closest in area to the exterior (the first on ties)."""
    if not parts:
        return []
    rings = [pts[:, ::-1] if swapped else pts for _l, _w, pts in chosen]
    usable = np.array([len(r) >= 3 for r in rings])
    polys = np.full(len(rings), None, dtype=object)
    idx = np.flatnonzero(usable)
    if len(idx):
        polys[idx] = [shapely.polygons(np.vstack([r, r[:1]]) if not np.array_equal(r[0], r[-1]) else r)
                      for r in (rings[i] for i in idx)]
        bad = idx[~shapely.is_valid(polys[idx])]
        if len(bad):
            polys[bad] = shapely.make_valid(polys[bad])
    targets = shapely.area(shapely.polygons(shapely.get_exterior_ring(np.asarray(parts, dtype=object))))
    rps = shapely.point_on_surface(np.asarray(parts, dtype=object))
    out = [(chosen[0][0], chosen[0][1])] * len(parts)
    if not len(idx):
        return out
    tree = shapely.STRtree(polys[idx])
    pi, ri = tree.query(rps, predicate="covered_by")
    if len(pi):
        ri = idx[ri]
        d = np.abs(shapely.area(polys[ri]) - targets[pi])
        order = np.lexsort((ri, d, pi))  # per part: smallest difference, then first ring
        first = order[np.concatenate([[True], pi[order][1:] != pi[order][:-1]])]
        for k in first:
            out[int(pi[k])] = (chosen[int(ri[k])][0], chosen[int(ri[k])][1])
    return out


def write_dxf(fp: Footprint, path, *, to_crs=None, layer: str = "红线", hole_layer: str = "红线_扣除",
              label_parcels: bool = True) -> list[str]:
    """Closed LWPOLYLINEs (exterior on ``layer``, holes on ``hole_layer``) in E, N metres.

    Lon/lat footprints are written in the 3° Gauss-Krüger zone (with prefix) of their centroid, so the
    drawing is metric; eastings carry the zone prefix so the file reads back without a CRS hint.
    """
    import ezdxf
    from .txt_format import gk3_target
    notes: list[str] = []
    gdf = fp.gdf
    if to_crs is not None:
        gdf = gdf.to_crs(to_crs)
    elif gdf.crs is not None:
        try:
            target, _zone, n = gk3_target(gdf.crs, gdf.geometry.values)
        except FootprintError:
            notes.append(f"written in the footprint's own CRS {gdf.crs.name}")
        else:
            if not gdf.crs.equals(target):
                gdf = gdf.to_crs(target)
                notes += n or [f"written in {target.name} (zone-prefixed eastings)"]
    from .attributes import APPID, parcel_attributes, project_info
    doc = ezdxf.new("R2010", setup=False)
    doc.layers.add(layer, color=1)
    doc.layers.add(hole_layer, color=3)
    doc.appids.add(APPID)
    for k, v in project_info(fp).items():  # 项目信息 as drawing properties (File → Properties → Custom)
        doc.header.custom_vars.append(f"项目信息.{k}", v)
    msp = doc.modelspace()
    for i, geom in enumerate(gdf.geometry.values):
        if geom is None or geom.is_empty:
            continue
        # the parcel's fields on each outer boundary (all parts of one parcel share index i)
        xdata = [(1071, i)] + [(1000, f"{k}={v}"[:255]) for k, v in parcel_attributes(gdf.iloc[i]).items()]
        for part in shapely.get_parts(geom):
            if part.geom_type != "Polygon":
                continue
            outer = msp.add_lwpolyline(list(part.exterior.coords)[:-1], format="xy", close=True,
                                       dxfattribs={"layer": layer})
            outer.set_xdata(APPID, xdata)
            for r in part.interiors:
                msp.add_lwpolyline(list(r.coords)[:-1], format="xy", close=True, dxfattribs={"layer": hole_layer})
            if label_parcels:
                rp = part.representative_point()
                name = _name(gdf.iloc[i], i)
                msp.add_text(name, height=2.5, dxfattribs={"layer": layer}).set_placement((rp.x, rp.y))
    doc.saveas(str(path))
    return notes


def _name(row, i: int) -> str:
    for k in ("地块名称", "DKMC", "name", "Name", "地块编号"):
        if k in row.index and row[k] is not None and str(row[k]).strip() and str(row[k]) != "nan":
            return str(row[k]).strip()
    return f"地块{i + 1}"
