"""CLI: `ningxia-gis report RESULT.json --pdf OUT.pdf [--docx] [--xlsx] [--gpkg]` and the case-metadata
options shared with `ningxia-gis check`."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..domain.vocab import CASE_FIELDS

CASE_FIELD_DEFAULTS = {"project_name": "default: from the footprint file", "review_date": "default: today"}


def add_meta_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("report case metadata")
    for key, (zh, en) in CASE_FIELDS.items():
        extra = f" ({CASE_FIELD_DEFAULTS[key]})" if key in CASE_FIELD_DEFAULTS else ""
        g.add_argument("--" + key.replace("_", "-"), dest=key, metavar="TEXT", help=f"{zh} / {en}{extra}")


def meta_of(args) -> dict:
    return {k: getattr(args, k) for k in CASE_FIELDS if getattr(args, k, None)}


def cmd_report(args) -> int:
    import shapely

    from ..core.check import CheckResult
    from ..domain.errors import InputError
    from ..review.outputs import OUTPUTS, write_outputs
    from ..report import load_result

    targets = {"pdf": args.pdf, "docx": args.docx, "xlsx": args.xlsx, "gpkg": args.gpkg}
    if not any(targets.values()):
        raise InputError("cli.nothing_to_write")
    data = load_result(args.result)
    result = CheckResult(data=data, epsg=int(data["analysis_crs"]["epsg"]),
                         footprint_geom=shapely.from_wkt(data["footprint"]["geometry_wkt"]))
    for fmt, p in write_outputs(result, targets, case=meta_of(args), use_sources=not args.no_layer_files,
                                base_dir=str(Path(args.result).resolve().parent), lang=args.lang,
                                edition=args.edition):
        print(f"{OUTPUTS[fmt].label} → {p}")
    return 0


def add_report_subcommand(subparsers) -> None:
    p = subparsers.add_parser("report", help="render a saved check result (JSON) as PDF / Word / Excel / GeoPackage")
    p.add_argument("result", metavar="RESULT.json", help="result written by `ningxia-gis check … --json`")
    p.add_argument("--pdf", metavar="OUT.pdf", help="the review report (A4 PDF, maps, Chinese font embedded)")
    p.add_argument("--docx", metavar="OUT.docx", help="editable Word copy of the report")
    p.add_argument("--xlsx", metavar="OUT.xlsx", help="the report's tables, one sheet each")
    p.add_argument("--gpkg", metavar="OUT.gpkg", help="GeoPackage of the overlap pieces and the footprint")
    p.add_argument("--no-layer-files", action="store_true",
                   help="draw the maps from the JSON only (do not read the layer files around the footprint)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="report language (policy quotations stay Chinese)")
    p.add_argument("--edition", choices=("full", "summary"), default="full",
                   help="full (完整版) or summary (摘要版, 2–3 pages)")
    add_meta_options(p)
    p.set_defaults(func=cmd_report)
