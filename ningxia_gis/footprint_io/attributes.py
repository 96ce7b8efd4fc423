"""Parcel attributes and 项目信息 carried through every footprint format `convert` writes.

The writers store the 部标准 parcel fields where each format has room for them: DXF XDATA on the
boundary polylines (application NINGXIA_GIS) and header custom properties, KML <ExtendedData>, extra
columns and a 项目信息 sheet in tables, the national field codes in SHP. `restore_attributes` reads them
back after the format's reader (which knows only the geometry and a name), so a round trip
TXT → DXF/KML/XLSX/SHP → TXT keeps 地块编号, 地块名称, 地块用途, 地类编码, the 土地整治 fields and 项目信息,
and a parcel written in several parts is one parcel again.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import shapely

#: the 部标准 TXT header fields a parcel carries (界址点数 and 地块面积 are computed, not carried)
PARCEL_FIELDS = ["地块编号", "地块名称", "记录图形属性", "图幅号", "地块用途", "地类编码", "图斑类型", "地类",
                 "改造前平均质量等别", "改造后平均质量等别", "备注", "描述"]
#: DBF field names (≤ 10 ASCII characters) of the fields, as other Chinese GIS tools name them
SHP_FIELDS = {"界址点数": "JZDS", "地块面积": "DKMJ", "地块编号": "DKBH", "地块名称": "DKMC",
              "记录图形属性": "JLTXSX", "图幅号": "TFH", "地块用途": "DKYT", "地类编码": "DLBM", "图层": "LAYER",
              "图斑类型": "TBLX", "地类": "DL", "改造前平均质量等别": "GZQ", "改造后平均质量等别": "GZH",
              "备注": "BZ", "描述": "MS"}
_FROM_SHP = {v: k for k, v in SHP_FIELDS.items()}
_ALIASES = {"地块名称": ["name", "Name", "NAME"]}
APPID = "NINGXIA_GIS"
PROJECT_SHEET = "项目信息"
_KML_NS = "{http://www.opengis.net/kml/2.2}"


def clean(v) -> str:
    """Text of an attribute value ("" for None/NaN)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    s = str(v).strip()
    return "" if s.lower() in ("nan", "none", "<na>") else s


def parcel_attributes(row) -> dict[str, str]:
    """The non-empty parcel fields of a gdf row, by their Chinese names (SHP codes and aliases accepted)."""
    out = {}
    for f in PARCEL_FIELDS:
        for k in [f, SHP_FIELDS.get(f, ""), *_ALIASES.get(f, [])]:
            if k and k in row.index and clean(row[k]):
                out[f] = clean(row[k])
                break
    return out


def project_info(fp) -> dict[str, str]:
    """项目信息 of a footprint (read from a TXT [项目信息] section or restored from another format)."""
    info = fp.meta.get("project") or {}
    return {clean(k): clean(v) for k, v in info.items() if clean(k)}


def attribute_columns(gdf) -> list[str]:
    """The parcel fields that are non-empty in at least one row, in PARCEL_FIELDS order."""
    rows = [parcel_attributes(r) for _, r in gdf.iterrows()]
    return [f for f in PARCEL_FIELDS if any(f in r for r in rows)]


# ------------------------------------------------------------------------------------------------ reading

def restore_attributes(fp, path):
    """Put back what our writers stored in ``path`` (see the module doc); other files are left as read."""
    p = Path(path)
    suf = p.suffix.lower()
    try:
        if suf == ".dxf":
            return _restore_dxf(fp, p)
        if suf in (".kml", ".kmz"):
            return _restore_kml(fp, p)
        if suf in (".csv", ".xlsx", ".xlsm"):
            return _restore_table(fp, p)
    except (OSError, ValueError, KeyError, ET.ParseError):
        return fp  # the geometry was read; attributes are a bonus
    codes = [c for c in fp.gdf.columns if c in _FROM_SHP and _FROM_SHP[c] not in fp.gdf.columns]
    if codes:  # a shapefile / GPKG with the national field codes
        fp.gdf = fp.gdf.rename(columns={c: _FROM_SHP[c] for c in codes})
    return fp


def _apply(fp, rows: list[dict | None], project: dict | None, groups: list | None = None):
    """Set the restored attributes (one dict per gdf row, None = keep) and merge rows of one parcel."""
    gdf = fp.gdf.copy()
    for i, attrs in enumerate(rows):
        for k, v in (attrs or {}).items():
            if k not in gdf.columns:
                gdf[k] = None
            gdf[k] = gdf[k].astype(object)
            gdf.iat[i, gdf.columns.get_loc(k)] = v
    if groups and len(set(groups)) < len(groups):
        keep, geoms, seen = [], [], {}
        for i, g in enumerate(groups):
            if g in seen:
                geoms[seen[g]].append(gdf.geometry.iloc[i])
            else:
                seen[g] = len(keep)
                keep.append(i)
                geoms.append([gdf.geometry.iloc[i]])
        gdf = gdf.iloc[keep].copy()
        gdf[gdf.geometry.name] = [shapely.union_all(g) if len(g) > 1 else g[0] for g in geoms]
        gdf = gdf.reset_index(drop=True)
    fp.gdf = gdf
    if project:
        fp.meta["project"] = project
    return fp


def _restore_dxf(fp, p: Path):
    import re

    import ezdxf

    from .common import read_bounded
    # only a drawing that registers our APPID holds our attributes: without the name anywhere in the
    # file, ezdxf is not asked to build the whole document (a minute and 1.5 GB at 10⁶ entities)
    if not re.search(re.escape(APPID.encode("ascii")), read_bounded(p), re.IGNORECASE):
        return fp
    doc = ezdxf.readfile(str(p))
    if APPID not in doc.appids:
        return fp
    project = {k[len("项目信息."):]: v for k, v in doc.header.custom_vars if k.startswith("项目信息.")}
    tagged = []  # (polygon, parcel index, attributes)
    for e in doc.modelspace().query("LWPOLYLINE"):
        if not e.has_xdata(APPID):
            continue
        attrs, index = {}, None
        for code, value in e.get_xdata(APPID):
            if code == 1071:
                index = int(value)
            elif code == 1000 and "=" in value:
                k, v = value.split("=", 1)
                attrs[k] = v
        pts = [(x, y) for x, y, *_ in e.get_points("xy")]
        if len(pts) >= 3:
            tagged.append((shapely.Polygon(pts), index, attrs))
    if not tagged:
        return fp
    rows, groups = [], []
    # our DXF files hold E, N in the CRS the reader returns, so the boundaries match the parcels as read
    for k, geom in enumerate(fp.gdf.geometry.values):
        rp = geom.representative_point()
        # the smallest outer boundary around it (an island in another parcel's hole is inside both)
        covering = sorted((poly.area, n) for n, (poly, _i, _a) in enumerate(tagged) if poly.covers(rp))
        hit = (tagged[covering[0][1]][1], tagged[covering[0][1]][2]) if covering else (None, None)
        rows.append(hit[1])
        groups.append(hit[0] if hit[0] is not None else f"row{k}")
    return _apply(fp, rows, project, groups)


def _restore_kml(fp, p: Path):
    import zipfile

    if p.suffix.lower() == ".kmz":
        with zipfile.ZipFile(p) as z:
            name = next(n for n in z.namelist() if n.lower().endswith(".kml"))
            data = z.read(name)
    else:
        data = p.read_bytes()
    if b"<!DOCTYPE" in data[:65536] or b"<!ENTITY" in data[:65536]:
        return fp
    root = ET.fromstring(data)

    def extended(el) -> dict:
        ext = el.find(f"{_KML_NS}ExtendedData")
        if ext is None:
            return {}
        return {d.get("name"): (d.findtext(f"{_KML_NS}value") or "") for d in ext.findall(f"{_KML_NS}Data")}

    doc = root.find(f"{_KML_NS}Document")
    project = {k[len("项目信息."):]: v for k, v in (extended(doc) if doc is not None else {}).items()
               if k.startswith("项目信息.")}
    # the reader makes one parcel per Placemark that has a polygon, in document order
    marks = [pm for pm in root.iter(f"{_KML_NS}Placemark") if pm.find(f".//{_KML_NS}Polygon") is not None]
    if len(marks) != len(fp.gdf):
        return fp
    rows = [{k: v for k, v in extended(pm).items() if k in PARCEL_FIELDS and v} or None for pm in marks]
    return _apply(fp, rows, project)


def _restore_table(fp, p: Path):
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
        table = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        project = {}
        if PROJECT_SHEET in wb.sheetnames:
            project = {clean(r[0]): clean(r[1]) for r in wb[PROJECT_SHEET].iter_rows(values_only=True)
                       if len(r) >= 2 and clean(r[0])}
        wb.close()
    else:
        import csv

        with open(p, encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh))
        project = {}
    if not table or "地块编号" not in table[0]:
        return fp
    header = [clean(h) for h in table[0]]
    cols = {f: header.index(f) for f in PARCEL_FIELDS if f in header}
    by_key: dict[str, dict] = {}
    for r in table[1:]:
        key = clean(r[cols["地块编号"]]) if cols["地块编号"] < len(r) else ""
        if key and key not in by_key:
            by_key[key] = {f: clean(r[j]) for f, j in cols.items() if j < len(r) and clean(r[j])}
    if "地块编号" not in fp.gdf.columns:
        return fp
    rows = [by_key.get(clean(v)) for v in fp.gdf["地块编号"]]
    return _apply(fp, rows, project)


def frame_for_shp(out: pd.DataFrame) -> pd.DataFrame:
    """Rename the Chinese parcel fields to their DBF codes."""
    return out.rename(columns={k: v for k, v in SHP_FIELDS.items() if k in out.columns})
