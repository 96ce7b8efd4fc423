"""Write a footprint to TXT / GeoJSON / GPKG / SHP / KML / KMZ / DXF / CSV / XLSX, and convert files.

==========  ====================================================================================
suffix      written as
==========  ====================================================================================
.txt        部标准 界址点坐标 TXT: GBK (``encoding=``), CGCS2000 3° zone-prefixed, closing point
            repeated, 公顷 to 4 decimals, NW start clockwise, one block per parcel, [项目信息] kept
.geojson    GeoJSON in EPSG:4490 lon/lat (``to_crs=`` to choose another CRS)
.json       same as .geojson
.gpkg       GeoPackage, layer = the footprint name, in the footprint's CRS
.shp        Shapefile, UTF-8 (or ``encoding="GBK"`` for older ArcGIS) with a .cpg, attribute names as the
            national codes (DKBH, DKMC …)
.kml .kmz   Placemarks in WGS 84 lon/lat, the parcel fields as <ExtendedData>
.dxf        closed LWPOLYLINEs on layer 红线 (holes on 红线_扣除), zone-prefixed eastings, the parcel
            fields as XDATA, 项目信息 as drawing properties
.csv .xlsx  界址点坐标表 (地块编号, 地块名称, 点号, 圈号, X, Y, then the other parcel fields; XLSX: a
            项目信息 sheet)
==========  ====================================================================================

`convert_footprint` reads back what these writers stored (footprint_io.attributes), so round trips keep
the parcel fields and 项目信息.
"""

from __future__ import annotations

import warnings as _warnings
from pathlib import Path

import pandas as pd

from ..domain.errors import FootprintError, InputError
from ..core.footprint import Footprint
from .load import load_footprint
from .attributes import SHP_FIELDS, frame_for_shp, restore_attributes  # noqa: F401 (SHP_FIELDS re-exported)

WRITE_SUFFIXES = (".txt", ".geojson", ".json", ".gpkg", ".shp", ".kml", ".kmz", ".dxf", ".csv", ".xlsx")

SHP_ENCODINGS = {"utf-8": ("UTF-8", "UTF-8"), "utf8": ("UTF-8", "UTF-8"), "gbk": ("CP936", "936"),
                 "cp936": ("CP936", "936"), "gb2312": ("CP936", "936"), "gb18030": ("CP936", "936")}


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
    cpg = None
    if suf == ".shp":
        out = frame_for_shp(out)
        for s in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            q = p.with_suffix(s)
            if q.exists():
                q.unlink()
        shp_enc, cpg = SHP_ENCODINGS.get((encoding or "utf-8").lower().replace("_", "-"), (None, None))
        if shp_enc is None:
            raise InputError("export.shp_encoding", encoding=str(encoding))
        kwargs = {"driver": "ESRI Shapefile", "encoding": shp_enc}
        if shp_enc != "UTF-8":
            notes.append(f"shapefile attributes written in GBK (code page {cpg}, for older ArcGIS)")
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
    if cpg:  # the code page by number: what ArcGIS and GDAL both read
        p.with_suffix(".cpg").write_text(cpg, encoding="ascii")
        if cpg == "936":  # and the DBF language driver byte, for tools that ignore the .cpg
            with open(p.with_suffix(".dbf"), "r+b") as fh:
                fh.seek(29)
                fh.write(bytes([0x4D]))
    return notes


def _reprojected(fp: Footprint, crs) -> Footprint:
    return Footprint(gdf=fp.gdf.to_crs(crs), source=fp.source, sha256=fp.sha256, name=fp.name,
                     warnings=fp.warnings, repairs=fp.repairs, meta=fp.meta, notes=fp.notes)


def load_with_attributes(src, crs=None, **read_options) -> Footprint:
    """`load_footprint`, plus the parcel fields and 项目信息 our writers stored in the file."""
    fp = load_footprint(src, crs=crs, **read_options)
    before = (len(fp.gdf), list(fp.gdf.columns))
    fp = restore_attributes(fp, src)
    if (len(fp.gdf), list(fp.gdf.columns)) != before:  # the report from the restored parcels
        from .validate import finalize
        if len(fp.gdf) != before[0]:  # parts of one parcel merged again
            fp.meta.pop("parcel_locs", None)
        fp = finalize(fp)
        fp.warnings[:] = list(dict.fromkeys(fp.warnings))  # finalize repeats its own warnings
        fp.meta["report"].warnings = [w for w in fp.warnings if w not in fp.repairs]
    return fp


def convert_footprint(src, dst, crs=None, *, to_crs=None, out_encoding: str | None = None,
                      write_options: dict | None = None, **read_options) -> tuple[Footprint, list[str]]:
    """Read ``src`` (any supported format, validated and repaired) and write ``dst``."""
    fp = load_with_attributes(src, crs=crs, **read_options)
    notes = write_footprint(fp, dst, to_crs=to_crs, encoding=out_encoding, **(write_options or {}))
    return fp, notes
