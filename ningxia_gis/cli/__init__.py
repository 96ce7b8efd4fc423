"""`ningxia-gis` command line: check, scenarios, rules, footprint, report, batch.

Every sub-command builds a ``review.ReviewRequest`` and writes through ``review.outputs`` (atomic), like
the desktop app and the batch. Errors are one line on stderr (exit 2), never a traceback."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from .. import __version__

DEFAULT_DEMO = "road_crossing_redline"
OUTPUT_OPTIONS = (  # (flag, format, help) — the outputs of `check`
    ("--json", "json", "write the machine-readable result ('-' for standard output)"),
    ("--gpkg", "gpkg", "write the overlap pieces as a GeoPackage"),
    ("--report", "pdf", "write the review report as PDF"),
    ("--docx", "docx", "write the report as an editable Word file"),
    ("--xlsx", "xlsx", "write the report's tables as an Excel workbook"),
)


def add_check_args(p: argparse.ArgumentParser) -> None:
    from ..domain.limits import SLIVER_M2
    from .report import add_meta_options

    p.add_argument("footprint", nargs="?", help="project footprint file (TXT, SHP, GPKG, GeoJSON, KML, DXF, CSV, XLSX)")
    p.add_argument("--demo", nargs="?", const=DEFAULT_DEMO, metavar="SCENARIO",
                   help=f"run a shipped sample scenario (default {DEFAULT_DEMO}); see `ningxia-gis scenarios`")
    p.add_argument("--layers", help="layer catalog (.toml) or a folder / data file of layers (default: sample layers)")
    p.add_argument("--activity", help="project activity type (id, Chinese or English name): adds the verdicts")
    p.add_argument("--fact", action="append", metavar="KEY=VALUE",
                   help="answer a rule question, e.g. --fact unavoidable=yes (repeatable)")
    p.add_argument("--crs", help="CRS of the footprint when the file has none (e.g. EPSG:4544)")
    p.add_argument("--sliver", type=SLIVER_M2.arg_type(), default=1.0,
                   help=f"overlaps below this many m² only touch (default 1, {SLIVER_M2.lo:g}–{SLIVER_M2.hi:g})")
    for flag, fmt, help_ in OUTPUT_OPTIONS:
        p.add_argument(flag, dest=f"out_{fmt}", metavar=f"OUT.{fmt}", help=help_)
    p.add_argument("--avoidance", action="store_true",
                   help="避让分析: the remainder after avoiding 禁止/需人工判定 zones, distances, what would change the verdict")
    p.add_argument("--avoidance-out", metavar="OUT.txt|.shp|.gpkg",
                   help="write the remainder avoiding all those zones as a footprint (implies --avoidance)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh",
                   help="language of the printed summary and of the reports (policy quotations stay Chinese)")
    p.add_argument("--edition", choices=("full", "summary"), default="full",
                   help="report edition: full (完整版) or summary (摘要版, 2–3 pages)")
    p.add_argument("--no-range-check", action="store_true",
                   help="accept a footprint outside Ningxia's boundary (the location check is skipped)")
    p.add_argument("--vertex-area", action="store_true",
                   help="also give the vertex-only ellipsoidal area (not densified; labelled, never the primary one)")
    add_meta_options(p)


def cmd_check(args) -> int:
    from .report import meta_of
    from ..review import build_request, run_review, write_outputs
    from ..review.outputs import result_json
    from ..review.request import parse_facts
    from ..summary import format_summary

    activity, facts = args.activity, parse_facts(args.fact)
    if args.demo:
        from ..core.scenarios import find_scenario
        sc = find_scenario(args.demo)
        path = sc.footprint
        activity = activity or sc.activity
        facts = {**sc.facts, **facts}
    elif args.footprint:
        path = args.footprint
    else:
        from ..domain.errors import InputError
        raise InputError("cli.no_footprint")
    request = build_request(path, args.layers, crs=args.crs, activity=activity, facts=facts,
                            sliver_m2=args.sliver, case=meta_of(args), check_range=not args.no_range_check,
                            vertex_area=args.vertex_area)
    result = run_review(request)
    if args.avoidance or args.avoidance_out:
        from ..review.avoidance import add_avoidance
        block = add_avoidance(result, request)
    to_stdout = args.out_json == "-"
    summary_stream = sys.stderr if to_stdout else sys.stdout
    print(format_summary(result.data, lang=args.lang), file=summary_stream)
    if to_stdout:
        sys.stdout.write(result_json(result.data) + "\n")
    targets = {fmt: getattr(args, f"out_{fmt}") for _, fmt, _ in OUTPUT_OPTIONS}
    if to_stdout:
        targets["json"] = None
    from ..review.outputs import OUTPUTS
    for fmt, p in write_outputs(result, targets, case=request.case, lang=args.lang, edition=args.edition):
        print(f"{OUTPUTS[fmt].label} → {p}", file=summary_stream)
    if args.avoidance_out:
        from ..review.avoidance import write_remainder
        if block["recommended"] is None:
            from ..domain.errors import InputError
            raise InputError("avoidance.no_remainder", label=block["sentence_zh"])
        write_remainder(block["options"][block["recommended"]], args.avoidance_out, epsg=result.epsg)
        print(f"避让后用地 → {args.avoidance_out}", file=summary_stream)
    return 0


def cmd_scenarios(args) -> int:
    from ..core.scenarios import load_scenarios
    for s in load_scenarios():
        facts = " ".join(f"{k}={v}" for k, v in s.facts.items())
        print(f"{s.id:28s} {s.title_zh}  [{s.activity}{' ' + facts if facts else ''}]")
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage errors (an option out of range …) as one line and exit 2, like every other error."""

    def error(self, message):
        from ..domain.messages import text
        self.exit(2, f"{text('error.prefix')}: {self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    from ..batch import add_batch_subcommand
    from ..footprint_io.cli import add_footprint_subcommand
    from .report import add_report_subcommand
    from ..rules.cli import add_rules_subcommand
    from .case import add_case_subcommand

    parser = _Parser(prog="ningxia-gis", description="宁夏国土空间管控审查工具 — offline footprint review")
    parser.add_argument("--version", action="version", version=f"ningxia_gis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="overlay a footprint on the protected layers (and apply the rules)")
    add_check_args(p)
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("scenarios", help="list the shipped training scenarios")
    p.set_defaults(func=cmd_scenarios)
    for add in (add_rules_subcommand, add_footprint_subcommand, add_report_subcommand, add_batch_subcommand,
                add_case_subcommand):
        add(sub)
    return parser


def _print_error(text: str) -> None:
    from ..domain.messages import text as msg
    print(f"{msg('error.prefix')}: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv in (["--version"], ["-V"]):  # answered before anything heavy is imported
        print(f"ningxia_gis {__version__}")
        return 0
    from ..console import safe_console
    safe_console()
    from ..domain.errors import NingxiaGisError
    from ..logs import capture_warnings, log_path, setup_logging

    setup_logging()
    capture_warnings()
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NingxiaGisError as exc:
        _print_error(str(exc))
        return 2
    except KeyboardInterrupt:
        from ..domain.messages import text as msg
        print(msg("error.interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ningxia-gis … | head`: the reader went away, that is not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception:  # never a traceback on the user's screen
        from ..domain.messages import text as msg
        logging.getLogger("ningxia_gis").exception("unexpected error")
        _print_error(msg("error.internal", log=str(log_path())))
        return 3


if __name__ == "__main__":
    sys.exit(main())
