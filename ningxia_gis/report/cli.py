"""CLI: `ningxia-gis report RESULT.json --pdf OUT.pdf [--docx] [--xlsx] [--gpkg]` and the report options
of `ningxia-gis check` (`--report OUT.pdf --docx OUT.docx --xlsx OUT.xlsx` + case metadata)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..domain.errors import InputError

META_OPTIONS = (
    ("--project-name", "project_name", "项目名称 (default: from the footprint file)"),
    ("--applicant", "applicant", "申请单位"),
    ("--case-number", "case_number", "案卷编号"),
    ("--reviewer", "reviewer", "审查人"),
    ("--organisation", "organisation", "审查单位"),
    ("--review-date", "review_date", "审查日期 (default: today)"),
)


def _add_meta(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("report case metadata")
    for flag, dest, help_ in META_OPTIONS:
        g.add_argument(flag, dest=dest, metavar="TEXT", help=help_)


def _meta(args) -> dict:
    return {dest: getattr(args, dest, None) for _, dest, _ in META_OPTIONS if getattr(args, dest, None)}


def _check_out(path: str | None, suffix: str, option: str) -> Path | None:
    if not path:
        return None
    p = Path(path)
    if p.suffix.lower() != suffix:
        raise InputError(f"{option} expects a {suffix} file name, got {path!r}")
    if p.exists() and p.is_dir():
        raise InputError(f"{option}: {path} is a folder")
    return p


def _write(data: dict, args, *, pdf, docx, xlsx, gpkg=None, base_dir=None) -> None:
    from . import build_report_model, write_reports

    pdf = _check_out(pdf, ".pdf", "--pdf/--report")
    docx = _check_out(docx, ".docx", "--docx")
    xlsx = _check_out(xlsx, ".xlsx", "--xlsx")
    gpkg = _check_out(gpkg, ".gpkg", "--gpkg")
    model = build_report_model(data, _meta(args), base_dir=base_dir)
    for path in write_reports(model, pdf=pdf, docx=docx, xlsx=xlsx, gpkg=gpkg,
                              use_sources=not getattr(args, "no_layer_files", False)):
        kind = {".pdf": "PDF", ".docx": "Word", ".xlsx": "Excel", ".gpkg": "GeoPackage"}[path.suffix.lower()]
        print(f"{kind} → {path}")


def cmd_report(args) -> int:
    from . import load_result

    if not (args.pdf or args.docx or args.xlsx or args.gpkg):
        raise InputError("nothing to write: give --pdf OUT.pdf and/or --docx, --xlsx, --gpkg")
    data = load_result(args.result)
    _write(data, args, pdf=args.pdf, docx=args.docx, xlsx=args.xlsx, gpkg=args.gpkg,
           base_dir=str(Path(args.result).resolve().parent))
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
    _add_meta(p)
    p.set_defaults(func=cmd_report)


def _check_hook(args, result) -> None:
    if not (args.report or args.docx or args.xlsx):
        return
    _write(result.data, args, pdf=args.report, docx=args.docx, xlsx=args.xlsx)


def extend_check_parser(check_parser: argparse.ArgumentParser, hooks: list) -> None:
    g = check_parser.add_argument_group("reports")
    g.add_argument("--report", metavar="OUT.pdf", help="write the review report as PDF")
    g.add_argument("--docx", metavar="OUT.docx", help="write the report as an editable Word file")
    g.add_argument("--xlsx", metavar="OUT.xlsx", help="write the report's tables as an Excel workbook")
    _add_meta(check_parser)
    hooks.append(_check_hook)
