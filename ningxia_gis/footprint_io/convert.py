"""Write a footprint to TXT / GeoJSON / GPKG / SHP / KML / KMZ / DXF / CSV / XLSX, and convert files.

==========  ====================================================================================
suffix      written as
==========  ====================================================================================
.txt        部标准 界址点坐标 TXT: GBK (``encoding=``), CGCS2000 3° zone-prefixed, closing point
            repeated, 公顷 to 4 decimals, NW start clockwise, one block per polygon part
.geojson    GeoJSON in EPSG:4490 lon/lat (``to_crs=`` to choose another CRS)
.json       same as .geojson
.gpkg       GeoPackage, layer = the footprint name, in the footprint's CRS
.shp        Shapefile (UTF-8 with .cpg), attribute names as the national codes (DKBH, DKMC …)
.kml .kmz   Placemarks in WGS 84 lon/lat
.dxf        closed LWPOLYLINEs on layer 红线 (holes on 红线_扣除), zone-prefixed eastings
.csv .xlsx  界址点坐标表 (地块编号, 地块名称, 点号, 圈号, X, Y)
==========  ====================================================================================
"""

from __future__ import annotations

import warnings as _warnings
from pathlib import Path

import pandas as pd

from ..domain.errors import FootprintError, InputError
from ..core.footprint import Footprint, load_footprint

WRITE_SUFFIXES = (".txt", ".geojson", ".json", ".gpkg", ".shp", ".kml", ".kmz", ".dxf", ".csv", ".xlsx")

SHP_FIELDS = {"界址点数": "JZDS", "地块面积": "DKMJ", "地块编号": "DKBH", "地块名称": "DKMC",
              "记录图形属性": "JLTXSX", "图幅号": "TFH", "地块用途": "DKYT", "地类编码": "DLBM", "图层": "LAYER",
              "图斑类型": "TBLX", "地类": "DL", "改造前平均质量等别": "GZQ", "改造后平均质量等别": "GZH",
              "备注": "BZ", "描述": "MS"}


def _attr_frame(fp: Footprint, gdf):
    keep = [c for c in gdf.columns if c != gdf.geometry.name and not str(c).startswith("_")]
    out = gdf[keep + [gdf.geometry.name]].copy()
    for c in keep:
        if out[c].dtype == object or str(out[c].dtype).startswith("string"):
            out[c] = out[c].map(lambda v: None if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
    return out


def write_footprint(fp: Footprint, dst, *, to_crs=None, encoding: str | None = None, **options) -> list[str]:
    """Write ``fp`` to ``dst`` in the format given by its suffix; returns notes on what was done."""
    p = Path(dst)
    suf = p.suffix.lower()
    if suf not in WRITE_SUFFIXES:
        raise InputError("footprint.cannot_write_kind", kind=p.suffix or p.name, kinds=", ".join(WRITE_SUFFIXES))
    if not p.parent.exists():
        raise InputError("footprint.no_out_folder", path=p.parent)
    if suf == ".txt":
        from .txt_format import write_txt
        if to_crs is not None:
            fp = _reprojected(fp, to_crs)
        return write_txt(fp, p, encoding=encoding or "gbk",
                         **{k: v for k, v in options.items() if k in ("zone", "area", "precision", "producer",
                                                                        "date", "project_info", "split_parts")})
    if suf == ".dxf":
        from .dxf import write_dxf
        return write_dxf(fp, p, to_crs=to_crs)
    if suf in (".kml", ".kmz"):
        from .kml import write_kml
        return write_kml(fp, p)
    if suf in (".csv", ".xlsx"):
        from .tables import write_table
        if to_crs is not None:
            fp = _reprojected(fp, to_crs)
        return write_table(fp, p)
    gdf = fp.gdf
    notes: list[str] = []
    if suf in (".geojson", ".json") and to_crs is None:
        to_crs = 4490
        notes.append("GeoJSON written in EPSG:4490 (CGCS2000 lon/lat)")
    if to_crs is not None:
        gdf = gdf.to_crs(to_crs)
    out = _attr_frame(fp, gdf)
    if suf == ".shp":
        out = out.rename(columns={k: v for k, v in SHP_FIELDS.items() if k in out.columns})
        for s in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            q = p.with_suffix(s)
            if q.exists():
                q.unlink()
        kwargs = {"driver": "ESRI Shapefile", "encoding": "UTF-8"}
    elif suf == ".gpkg":
        if p.exists():
            p.unlink()
        kwargs = {"driver": "GPKG", "layer": fp.name or "footprint"}
    else:
        if p.exists():
            p.unlink()
        kwargs = {"driver": "GeoJSON"}
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            out.to_file(p, engine="pyogrio", **kwargs)
    except Exception:  # noqa: BLE001 - GDAL's reason goes to the log
        import logging
        logging.getLogger("ningxia_gis").exception("writing %s", p)
        raise FootprintError("footprint.cannot_write", file=p.name) from None
    return notes


def _reprojected(fp: Footprint, crs) -> Footprint:
    return Footprint(gdf=fp.gdf.to_crs(crs), source=fp.source, sha256=fp.sha256, name=fp.name,
                     warnings=fp.warnings, repairs=fp.repairs, meta=fp.meta, notes=fp.notes)


def convert_footprint(src, dst, crs=None, *, to_crs=None, out_encoding: str | None = None,
                      write_options: dict | None = None, **read_options) -> tuple[Footprint, list[str]]:
    """Read ``src`` (any supported format, validated and repaired) and write ``dst``."""
    fp = load_footprint(src, crs=crs, **read_options)
    notes = write_footprint(fp, dst, to_crs=to_crs, encoding=out_encoding, **(write_options or {}))
    return fp, notes
