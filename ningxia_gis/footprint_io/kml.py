"""KML / KMZ (奥维互动地图, Google Earth, handheld GPS): Placemark polygons → parcels, and the writer.

Each Placemark with a Polygon (also inside MultiGeometry), a LinearRing or a closed LineString is one
parcel named by its <name>; open LineStrings and Points are skipped (refused when nothing else is left).
Coordinates are WGS 84 lon,lat[,alt] (KML's definition): read as EPSG:4326; against CGCS2000 layers
the difference is at the decimetre level and is ignored.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import shapely

from ..domain.errors import FootprintError
from ..core.footprint import Footprint
from .common import RawParcel, RawPoint, build_footprint, parse_number, read_bounded, zip_member


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _kml_bytes(p: Path, label: str) -> bytes:
    data = read_bounded(p, label)
    if data[:2] == b"PK":
        data = zip_member(data, label, want=lambda n: n.lower().endswith(".kml"))
        if not data:
            raise FootprintError("footprint.kmz_no_kml", file=label)
    return data


def _coords(text: str | None, label: str, where: str) -> list[tuple[float, float]]:
    out = []
    for tok in (text or "").split():
        parts = tok.split(",")
        if len(parts) < 2:
            raise FootprintError("footprint.kml_not_lonlat", file=label, where=where, token=tok[:40])
        lon, lat = parse_number(parts[0]), parse_number(parts[1])
        if lon is None or lat is None:
            raise FootprintError("footprint.kml_not_numbers", file=label, where=where, token=tok[:40])
        out.append((lon, lat))
    return out


def read_kml(path, crs=None, *, check_range: bool = True, bounds=None, **_ignored) -> Footprint:
    p = Path(path)
    label = p.name
    data = _kml_bytes(p, label)
    if b"<!ENTITY" in data[:65536] or b"<!DOCTYPE" in data[:65536]:
        raise FootprintError("footprint.kml_doctype", file=label)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        line, col = (getattr(exc, "position", None) or (None, None))[:2]
        raise FootprintError("footprint.kml_not_well_formed", file=label, where=f" line {line}" if line else "",
                             column=col if col is not None else "?") from None
    except (LookupError, ValueError):   # unknown encoding in the XML declaration …
        raise FootprintError("footprint.kml_unreadable", file=label) from None
    parcels: list[RawParcel] = []
    open_lines: list[str] = []
    for k, pm in enumerate((e for e in root.iter() if _local(e.tag) == "Placemark"), start=1):
        name = next((c.text or "" for c in pm if _local(c.tag) == "name"), "").strip()
        desc = next((c.text or "" for c in pm if _local(c.tag) == "description"), "").strip()
        where = f"placemark {k}" + (f" '{name}'" if name else "")
        rings: list[list] = []
        for g in pm.iter():
            t = _local(g.tag)
            if t == "Polygon":
                for b in g.iter():
                    if _local(b.tag) == "LinearRing":
                        c = next((x.text for x in b if _local(x.tag) == "coordinates"), None)
                        rings.append(_coords(c, label, where))
            elif t in ("LineString", "LinearRing") and not _inside_polygon(pm, g):
                c = _coords(next((x.text for x in g if _local(x.tag) == "coordinates"), None), label, where)
                if len(c) >= 4 and c[0] == c[-1]:
                    rings.append(c)
                elif c:
                    open_lines.append(where)
        if not rings:
            continue
        attrs = {"地块编号": str(len(parcels) + 1), "地块名称": name}
        if desc:
            attrs["描述"] = desc
        parcel = RawParcel(attrs=attrs, loc=where, closed_rings=True)
        for r, ring in enumerate(rings, start=1):
            for j, (lon, lat) in enumerate(ring):
                parcel.points.append(RawPoint(name=f"{r}.{j + 1}", ring=r, a=lat, b=lon, loc=where))
        parcels.append(parcel)
    if not parcels:
        if open_lines:
            raise FootprintError("footprint.kml_open_line", file=label, where=open_lines[0])
        raise FootprintError("footprint.kml_no_polygon", file=label)
    fp = build_footprint(parcels, label, str(p), crs=crs or "EPSG:4326", fmt="KMZ" if data is not None and
                         p.suffix.lower() == ".kmz" else "KML",
                         crs_note=None if crs else "CRS EPSG:4326 WGS 84 lon/lat (KML's definition)",
                         check_range=check_range, bounds=bounds, columns=("latitude", "longitude"))
    fp.meta["encoding"] = "UTF-8"
    if open_lines:
        fp.warnings.append(f"{label}: {len(open_lines)} open line(s) skipped (not boundaries): "
                           f"{'; '.join(open_lines[:3])}")
    return fp


def _inside_polygon(pm, g) -> bool:
    for poly in pm.iter():
        if _local(poly.tag) == "Polygon" and any(x is g for x in poly.iter()):
            return True
    return False


def _esc(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def kml_text(fp: Footprint, name: str | None = None) -> str:
    """KML 2.2 document: one Placemark per parcel, lon/lat in EPSG:4326 (from CGCS2000 without shift)."""
    from .attributes import parcel_attributes, project_info

    def extended(items) -> str:
        return ("<ExtendedData>" + "".join(f'<Data name="{_esc(k)}"><value>{_esc(v)}</value></Data>'
                                           for k, v in items) + "</ExtendedData>") if items else ""

    gdf = fp.gdf.to_crs(4490) if fp.gdf.crs is not None else fp.gdf
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<kml xmlns="http://www.opengis.net/kml/2.2">', "<Document>",
           f"<name>{_esc(name or fp.name or 'footprint')}</name>",
           extended([(f"项目信息.{k}", v) for k, v in project_info(fp).items()]),
           '<Style id="fp"><LineStyle><color>ff0000ff</color><width>2</width></LineStyle>'
           "<PolyStyle><color>400000ff</color></PolyStyle></Style>"]
    for i, (_, row) in enumerate(gdf.iterrows()):
        g = row.geometry
        if g is None or g.is_empty:
            continue
        label = ""
        for k in ("地块名称", "DKMC", "name", "Name", "地块编号"):
            if k in row.index and row[k] is not None and str(row[k]).strip() and str(row[k]) != "nan":
                label = str(row[k]).strip()
                break
        out.append(f"<Placemark><name>{_esc(label or f'地块{i + 1}')}</name><styleUrl>#fp</styleUrl>"
                   + extended(list(parcel_attributes(row).items())))
        polys = [q for q in shapely.get_parts(g) if q.geom_type == "Polygon"]
        if len(polys) > 1:
            out.append("<MultiGeometry>")
        for q in polys:
            out.append("<Polygon><outerBoundaryIs><LinearRing><coordinates>"
                       + _ring(q.exterior) + "</coordinates></LinearRing></outerBoundaryIs>")
            for r in q.interiors:
                out.append("<innerBoundaryIs><LinearRing><coordinates>" + _ring(r)
                           + "</coordinates></LinearRing></innerBoundaryIs>")
            out.append("</Polygon>")
        if len(polys) > 1:
            out.append("</MultiGeometry>")
        out.append("</Placemark>")
    out += ["</Document>", "</kml>"]
    return "\n".join(out) + "\n"


def _ring(r) -> str:
    c = np.asarray(r.coords)
    return " ".join(f"{x:.9f},{y:.9f}" for x, y in c[:, :2])


def write_kml(fp: Footprint, path) -> list[str]:
    """Write .kml, or .kmz (zipped doc.kml) by the suffix."""
    p = Path(path)
    text = kml_text(fp).encode("utf-8")
    if p.suffix.lower() == ".kmz":
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("doc.kml", text)
    else:
        p.write_bytes(text)
    return ["KML coordinates are WGS 84 lon/lat (CGCS2000 written without a datum shift)"]
