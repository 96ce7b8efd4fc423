"""``ningxia-gis footprint inspect FILE`` and ``ningxia-gis footprint convert IN OUT``.

The main CLI calls ``add_footprint_subcommand(subparsers)``; every handler takes the argparse Namespace and
returns an exit code (0 ok, 2 for a user-facing error, printed as one line ``错误 / error: …``).
Also runnable alone: ``python -m ningxia_gis.footprint_io.cli footprint inspect FILE``.
"""

from __future__ import annotations

import argparse
import json
import sys

from .validate import report_of
from ..domain.errors import NingxiaGisError


def _read_options(ns) -> dict:
    opts: dict = {}
    if getattr(ns, "encoding", None):
        opts["encoding"] = ns.encoding
    if getattr(ns, "layer", None):
        opts["layer"] = ns.layer
    if getattr(ns, "sheet", None) is not None:
        opts["sheet"] = ns.sheet
    if getattr(ns, "allow_legacy_datum", False):
        opts["allow_legacy_datum"] = True
    if getattr(ns, "no_range_check", False):
        opts["check_range"] = False
    for kv in getattr(ns, "option", None) or []:
        if "=" not in kv:
            raise NingxiaGisError("footprint.option_syntax", value=kv[:40])
        k, v = kv.split("=", 1)
        opts[k.strip().replace("-", "_")] = v.strip()
    return opts


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--crs", help="coordinate system of the input (e.g. EPSG:4523); overrides what the file "
                                 "says or what is guessed")
    p.add_argument("--encoding", help="text encoding of the input (default: detected: UTF-8 / GBK)")
    p.add_argument("--layer", help="DXF layer (or GIS layer) to read")
    p.add_argument("--sheet", help="Excel sheet name or number")
    p.add_argument("--allow-legacy-datum", action="store_true",
                   help="read Xi'an 80 / Beijing 54 files as they are (no datum shift; a warning is given)")
    p.add_argument("--no-range-check", action="store_true",
                   help="do not refuse coordinates outside Ningxia")
    p.add_argument("-o", "--option", action="append", metavar="KEY=VALUE",
                   help="reader option, e.g. x_col=北坐标 y_col=东坐标 zone=35 (repeatable)")


def add_footprint_subcommand(subparsers) -> argparse.ArgumentParser:
    """Register ``footprint inspect`` and ``footprint convert`` on the main CLI's subparsers."""
    fp = subparsers.add_parser("footprint", help="项目红线 import / validate / convert (TXT, DXF, KML, XLSX …)",
                               description="Read, validate and convert project footprints.")
    sub = fp.add_subparsers(dest="footprint_command", metavar="{inspect,convert}")
    sub.required = True

    ins = sub.add_parser("inspect", help="read a footprint and print its validation report")
    ins.add_argument("file", help="footprint file (.txt .dxf .kml .kmz .csv .xlsx .shp .gpkg .geojson)")
    _common(ins)
    ins.add_argument("--json", action="store_true", help="print the report as JSON")
    ins.set_defaults(func=cmd_inspect)

    cv = sub.add_parser("convert", help="convert a footprint to another format (by the output suffix)")
    cv.add_argument("input")
    cv.add_argument("output", help="output file: .txt .geojson .gpkg .shp .kml .kmz .dxf .csv .xlsx")
    _common(cv)
    cv.add_argument("--to-crs", help="CRS of the output (default: TXT/DXF CGCS2000 3° zone, GeoJSON/KML "
                                     "lon/lat, others the input's)")
    cv.add_argument("--out-encoding", help="encoding of a TXT output (default GBK) or a SHP output "
                                            "(default UTF-8; GBK for older ArcGIS)")
    cv.add_argument("--area", choices=["planar", "ellipsoidal"], default="planar",
                    help="地块面积 written in a TXT output (default planar)")
    cv.set_defaults(func=cmd_convert)
    return fp


def _error(exc: Exception) -> int:
    print(f"错误 / error: {exc}", file=sys.stderr)
    return 2


def cmd_inspect(ns) -> int:
    from .convert import load_with_attributes
    try:
        fp = load_with_attributes(ns.file, crs=ns.crs, **_read_options(ns))
        rep = report_of(fp)
    except NingxiaGisError as exc:
        return _error(exc)
    if ns.json:
        print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(rep.to_text())
    return 0


def cmd_convert(ns) -> int:
    from .convert import convert_footprint
    try:
        fp, notes = convert_footprint(ns.input, ns.output, crs=ns.crs, to_crs=ns.to_crs,
                                      out_encoding=ns.out_encoding, write_options={"area": ns.area},
                                      **_read_options(ns))
    except NingxiaGisError as exc:
        return _error(exc)
    rep = report_of(fp)
    print(f"已写出 / written: {ns.output}  ({rep.parcel_count} 地块 parcels, {rep.ellipsoidal_ha:.4f} 公顷 "
          f"ellipsoidal, from {rep.crs})")
    for n in notes:
        print(f"  - {n}")
    for w in rep.warnings:
        print(f"  警告 / warning: {w}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ningxia-gis")
    sub = parser.add_subparsers(dest="command")
    sub.required = True
    add_footprint_subcommand(sub)
    ns = parser.parse_args(argv)
    return ns.func(ns)


if __name__ == "__main__":
    sys.exit(main())
