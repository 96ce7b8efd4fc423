"""`ningxia-gis` command line: check, rules, footprint, report, batch."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import __version__
from .domain.errors import NingxiaGisError
from .domain.limits import SLIVER_M2
from .logs import capture_warnings, log_path, setup_logging

DEFAULT_DEMO = "road_crossing_redline"


def parse_facts(items: list[str] | None) -> dict:
    facts = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise NingxiaGisError(f"--fact expects KEY=VALUE (e.g. unavoidable=yes), got {item!r}")
        v = value.strip().lower()
        facts[key.strip()] = True if v in ("1", "yes", "true", "y", "是") else False if v in (
            "0", "no", "false", "n", "否") else value.strip()
    return facts


def add_check_args(p: argparse.ArgumentParser) -> None:
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
    p.add_argument("--json", metavar="OUT.json", help="write the machine-readable result")
    p.add_argument("--gpkg", metavar="OUT.gpkg", help="write the overlap pieces as a GeoPackage")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the printed summary")


def cmd_check(args) -> int:
    from .core.check import run_check
    from .core.footprint import load_footprint
    from .summary import format_summary

    activity, facts = args.activity, parse_facts(args.fact)
    if args.demo:
        from .core.scenarios import find_scenario
        sc = find_scenario(args.demo)
        path = sc.footprint
        activity = activity or sc.activity
        facts = {**sc.facts, **facts}
    elif args.footprint:
        path = Path(args.footprint)
    else:
        raise NingxiaGisError("give a footprint file, or --demo to run a sample scenario")
    fp = load_footprint(path, crs=args.crs)
    result = run_check(fp, args.layers, activity=activity, facts=facts, sliver_m2=args.sliver)
    print(format_summary(result.data, lang=args.lang))
    if args.json:
        result.to_json(args.json)
        print(f"JSON → {args.json}")
    if args.gpkg:
        from .exports import write_pieces_gpkg
        write_pieces_gpkg(result, args.gpkg)
        print(f"GeoPackage → {args.gpkg}")
    for hook in _check_output_hooks:
        hook(args, result)
    return 0


def cmd_scenarios(args) -> int:
    from .core.scenarios import load_scenarios
    for s in load_scenarios():
        facts = " ".join(f"{k}={v}" for k, v in s.facts.items())
        print(f"{s.id:28s} {s.title_zh}  [{s.activity}{' ' + facts if facts else ''}]")
    return 0


# extra outputs of `check` (reports …) registered by optional modules: hook(args, result)
_check_output_hooks: list = []


class _Parser(argparse.ArgumentParser):
    """Usage errors (an option out of range …) as one line and exit 2, like every other error."""

    def error(self, message):
        self.exit(2, f"错误 / error: {self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ningxia-gis", description="宁夏国土空间管控审查工具 — offline footprint review")
    parser.add_argument("--version", action="version", version=f"ningxia_gis {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="overlay a footprint on the protected layers (and apply the rules)")
    add_check_args(p)
    p.set_defaults(func=cmd_check)
    p_check = p
    p = sub.add_parser("scenarios", help="list the shipped training scenarios")
    p.set_defaults(func=cmd_scenarios)
    for module, fn in (("ningxia_gis.rules.cli", "add_rules_subcommand"),
                       ("ningxia_gis.footprint_io.cli", "add_footprint_subcommand"),
                       ("ningxia_gis.report.cli", "add_report_subcommand"),
                       ("ningxia_gis.batch", "add_batch_subcommand")):
        try:
            mod = __import__(module, fromlist=[fn])
        except ImportError:
            continue
        getattr(mod, fn)(sub)
        extend = getattr(mod, "extend_check_parser", None)
        if extend:
            extend(p_check, _check_output_hooks)
    return parser


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    capture_warnings()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except NingxiaGisError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断 / interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback on the user's screen
        logging.getLogger("ningxia_gis").exception("unexpected error")
        print(f"内部错误 / internal error: {type(exc).__name__}: {exc} (details: {log_path()})", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
