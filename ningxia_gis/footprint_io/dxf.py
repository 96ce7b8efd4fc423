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

import re
from pathlib import Path

import numpy as np
import shapely

from ..domain.errors import FootprintError
from ..core.footprint import Footprint
from .common import RawParcel, RawPoint, build_footprint

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


def read_dxf(path, crs=None, *, layer=None, arc_tolerance: float = 0.01, check_range: bool = True,
             bounds=None, legacy_datum: str | None = None, allow_legacy_datum: bool = False,
             **_ignored) -> Footprint:
    import ezdxf
    import ezdxf.path as ezpath
    from ezdxf import recover

    p = Path(path)
    label = p.name
    import logging
    ezlog = logging.getLogger("ezdxf")
    level = ezlog.level
    ezlog.setLevel(logging.ERROR)   # recover's per-value notes are not for the officer's screen
    try:
        doc, _auditor = recover.readfile(str(p))
    except OSError as exc:
        raise FootprintError(f"{label}: cannot read the file ({exc})") from None
    except Exception as exc:  # ezdxf.DXFStructureError and friends
        raise FootprintError(f"{label}: not a readable DXF file ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0][:200] if str(exc) else ''})") from None
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
                    rings.append((lyr, f"{where} boundary {k + 1}", pts))
                continue
            if t == "POLYLINE" and not (e.is_2d_polyline or e.is_3d_polyline):
                continue  # meshes
            closed = bool(e.closed if t == "LWPOLYLINE" else e.is_closed)
            pts = [(v.x, v.y) for v in ezpath.make_path(e).flattening(arc_tolerance)]
        except Exception as exc:  # a broken entity: say which
            raise FootprintError(f"{label} {where}: cannot read the entity ({type(exc).__name__})") from None
        if not closed:
            if len(pts) >= 4 and np.hypot(pts[0][0] - pts[-1][0], pts[0][1] - pts[-1][1]) <= CLOSE_TOLERANCE:
                repairs.append(f"{label} {where}: open polyline whose ends meet taken as closed")
            else:
                gap = (np.hypot(pts[0][0] - pts[-1][0], pts[0][1] - pts[-1][1]) if len(pts) >= 2 else 0.0)
                skipped_open.append(f"{where} (gap {gap:.3f})")
                continue
        rings.append((lyr, where, pts))

    all_layers = sorted({r[0] for r in rings})
    warnings: list[str] = []
    notes: list[str] = []
    if layer:
        wanted = {layer} if isinstance(layer, str) else set(layer)
        chosen = [r for r in rings if r[0] in wanted]
        if not chosen:
            raise FootprintError(f"{label}: no closed boundary on layer(s) {', '.join(sorted(wanted))}; layers "
                                 f"with closed boundaries: {', '.join(all_layers) or 'none'}")
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
            raise FootprintError(f"{label} {skipped_open[0]}: open polyline that cannot be closed (its ends do "
                                 f"not meet); {len(skipped_open)} open polyline(s) and no closed boundary")
        raise FootprintError(f"{label}: no closed LWPOLYLINE, POLYLINE or HATCH boundary in model space")
    if skipped_open:
        warnings.append(f"{label}: {len(skipped_open)} open polyline(s) skipped (not boundaries): "
                        f"{'; '.join(skipped_open[:3])}{' …' if len(skipped_open) > 3 else ''}")

    parcel = RawParcel(attrs={}, loc=chosen[0][1], closed_rings=True)
    for k, (lyr, where, pts) in enumerate(chosen, start=1):
        for j, (x, y) in enumerate(pts):
            parcel.points.append(RawPoint(name=f"{k}.{j + 1}", ring=k, a=y, b=x, loc=where))

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
    for i, part in enumerate(parts, start=1):
        lyr, where = _owner(part, chosen, fp.meta.get("axes_swapped", False))
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


def _owner(part, chosen, swapped) -> tuple[str, str]:
    """Layer and entity of the boundary that is the part's exterior (closest in area, covering it)."""
    target = shapely.Polygon(part.exterior).area
    rp = part.representative_point()
    best, best_d = (chosen[0][0], chosen[0][1]), float("inf")
    for lyr, where, pts in chosen:
        coords = [(y, x) for x, y in pts] if swapped else pts
        if len(coords) < 3:
            continue
        poly = shapely.Polygon(coords)
        if not poly.is_valid:
            poly = shapely.make_valid(poly)
        if not poly.covers(rp):
            continue
        d = abs(poly.area - target)
        if d < best_d:
            best, best_d = (lyr, where), d
    return best


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
