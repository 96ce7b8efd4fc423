"""`ningxia-gis case …`: new, show, recheck, verify, export of one case; list, search, register-export of a
folder of cases (docs/case_file.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

EXPORTS = (("--report", "pdf"), ("--docx", "docx"), ("--xlsx", "xlsx"), ("--json", "json"), ("--gpkg", "gpkg"))
REASONS = {"layer": ("图层数据变化", "layer changed"), "rules": ("规则变化", "rule changed"),
           "other": ("其他图层或所在县变化", "another layer or the county changed")}


def add_case_subcommand(sub) -> None:
    from . import add_check_args

    case = sub.add_parser("case", help="review cases: save, show, recheck, verify, export; a register of cases")
    cs = case.add_subparsers(dest="case_command", required=True)

    p = cs.add_parser("new", help="run a review and save it as a case file (.gpkg)")
    p.add_argument("case", help="the case file to write (.gpkg)")
    add_check_args(p)
    p.add_argument("--who", default="", help="who makes the change (audit log; default the reviewer)")
    p.add_argument("--force", action="store_true", help="replace an existing case file")
    p.set_defaults(func=cmd_new)

    p = cs.add_parser("show", help="print a case: metadata, answers, overrides, verdict, data used, reports, audit log")
    p.add_argument("case")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--json", action="store_true", help="print the stored result JSON instead")
    p.set_defaults(func=cmd_show)

    p = cs.add_parser("recheck", help="run the case again on new layer or rule data and report what changed")
    p.add_argument("case")
    p.add_argument("--layers", help="the new layer catalog (.toml) or folder (default: the case's catalog, read again)")
    p.add_argument("--rules", help="a rule directory (default: the installed rules)")
    p.add_argument("--save", action="store_true", help="keep the new result in the case (audit-logged)")
    p.add_argument("--who", default="")
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(func=cmd_recheck)

    p = cs.add_parser("verify", help="check that a case, and reports written from it, were not altered")
    p.add_argument("case")
    p.add_argument("reports", nargs="*", metavar="REPORT", help="report files written by `case export` / `case new`")
    p.set_defaults(func=cmd_verify)

    p = cs.add_parser("export", help="write reports of the stored result (recorded in the case with their sha256)")
    p.add_argument("case")
    for flag, fmt in EXPORTS:
        p.add_argument(flag, dest=f"out_{fmt}", metavar=f"OUT.{fmt}")
    p.add_argument("--source", metavar="FOLDER", help="write the stored copy of the footprint file(s) here")
    p.add_argument("--no-layer-files", action="store_true", help="maps from the stored result only")
    p.add_argument("--who", default="")
    p.set_defaults(func=cmd_export)

    p = cs.add_parser("list", help="list the cases of a folder (indexed in FOLDER/case_register.sqlite)")
    p.add_argument("folder")
    p.set_defaults(func=cmd_list)

    p = cs.add_parser("search", help="search the cases of a folder")
    p.add_argument("folder")
    p.add_argument("--number", help="案卷编号 contains")
    p.add_argument("--project", help="项目名称 contains")
    p.add_argument("--county", help="县（区） contains")
    p.add_argument("--date-from", metavar="YYYY-MM-DD")
    p.add_argument("--date-to", metavar="YYYY-MM-DD")
    p.add_argument("--verdict", help="overall verdict (禁止, 有条件允许 … or its code)")
    p.set_defaults(func=cmd_search)

    p = cs.add_parser("register-export", help="export the register of a folder (and footprint overlaps) to XLSX")
    p.add_argument("folder")
    p.add_argument("out", metavar="OUT.xlsx")
    p.set_defaults(func=cmd_register_export)


# ------------------------------------------------------------------------------------------- one case
def cmd_new(args) -> int:
    from ..domain.errors import InputError
    from .report import meta_of
    from ..review import build_request
    from ..review.request import parse_facts
    from ..summary import format_summary
    from ..review.case import CaseError, ReviewCase

    target = Path(args.case)
    if target.suffix.lower() != ".gpkg":
        raise CaseError("case.wrong_suffix", path=target)
    if target.exists() and not args.force:
        raise CaseError("case.exists", path=target)
    activity, facts = args.activity, parse_facts(args.fact)
    if args.demo:
        from ..core.scenarios import find_scenario
        sc = find_scenario(args.demo)
        path, activity, facts = sc.footprint, activity or sc.activity, {**sc.facts, **facts}
    elif args.footprint:
        path = args.footprint
    else:
        raise InputError("cli.no_footprint")
    request = build_request(path, args.layers, crs=args.crs, activity=activity, facts=facts,
                            sliver_m2=args.sliver, case=meta_of(args))
    case = ReviewCase.new(request, who=args.who)
    result = case.run(who=args.who)
    print(format_summary(result.data, lang=args.lang))
    from ..review.outputs import OUTPUTS
    targets = {fmt: getattr(args, f"out_{fmt}") for fmt in OUTPUTS if getattr(args, f"out_{fmt}", None)}
    for fmt, p in case.export(targets, who=args.who):
        print(f"{OUTPUTS[fmt].label} → {p}")
    case.save(target, who=args.who)
    print(f"案卷 case → {target}  ({case.policy_pack})")
    return 0


def _fmt(v, en: bool = False) -> str:
    words = ("yes", "no", "unknown") if en else ("是", "否", "未知")
    return words[0] if v is True else words[1] if v is False else words[2] if v is None else str(v)


def _rule_base_or_none():
    """The shipped rule base for names and questions; None when it cannot be read (the ids are printed)."""
    from ..domain.errors import RuleError
    from ..rules.loader import load_rule_base
    try:
        return load_rule_base()
    except RuleError:
        return None


def cmd_show(args) -> int:
    from ..domain.messages import text
    from ..domain.vocab import CASE_FIELDS
    from ..summary import format_summary
    from ..review.case import open_case
    from ..review.outputs import result_json

    case = open_case(args.case)
    if args.json:
        if case.result is not None:
            sys.stdout.write(result_json(case.result.data) + "\n")
        return 0
    en = args.lang == "en"
    if case.altered:
        print(text("case.altered_warning", path=Path(args.case)))
    print(f"{'Case' if en else '审查案卷'}: {Path(args.case).name}  id {case.case_id}  "
          f"{'created' if en else '建立'} {case.created}")
    for k, (zh, en_label) in CASE_FIELDS.items():
        if case.fields.get(k):
            print(f"  {en_label if en else zh}: {case.fields[k]}")
    print(f"{'Footprint' if en else '项目用地'}: {Path(case.footprint.source).name}  sha256 {case.footprint.sha256[:16]}…"
          f"  ({len(case.source_files)} {'file(s) stored' if en else '个源文件副本'})")
    rb = _rule_base_or_none()
    act = rb.activities.get(case.activity) if rb is not None and case.activity else None
    act_name = (act.name_en if en else act.name_zh) if act is not None else None
    print(f"{'Activity' if en else '项目类型'}: "
          f"{f'{act_name} ({case.activity})' if act_name else case.activity or '—'}")
    answers = case.answers()
    if answers:
        print("Answers (* = assumed, not answered):" if en else "问题回答（* 为默认假定，未经审查人回答）：")
        for a in answers:
            fact = rb.facts.get(a["fact"]) if rb is not None else None
            question = (fact.question_en if en else fact.question_zh) if fact is not None else a["fact"]
            print(f"  {'*' if a['assumed'] else ' '} {question} = {_fmt(a['value'], en)}")
    if case.overrides:
        print("Officer verdicts:" if en else "审查人改定结论：")
        for o in case.overrides:
            print(f"  {o.layer_id}（{o.zone}）: {case.engine_verdict(o.layer_id, o.zone) or '—'} → {o.verdict}"
                  f"  {'reason' if en else '理由'}: {o.reason}  [{o.who} {o.at}]")
    if case.result is not None:
        print(format_summary(case.result.data, lang=args.lang))
    print(f"{'Policy pack' if en else '数据与规则版本（政策包）'}: {case.policy_pack or '—'}")
    for r in case.identity:
        if r["kind"] != "footprint":
            label = r["layer_id"] or Path(r["path"] or "").name
            print(f"  {r['kind']:<11} {label:<24} {(r['content_sha256'] or r['sha256'] or '')[:16]}")
    if case.catalog_problem:
        print(case.catalog_problem)
    if case.reports:
        print("Reports:" if en else "已出具报告：")
        for r in case.reports:
            print(f"  {r.written_at}  {r.format:<5} {r.name}  sha256 {r.sha256[:16]}…  code {r.short_code}")
    print("Audit log:" if en else "审查日志：")
    for e in case.audit:
        print(f"  {e.seq:>3} {e.at}  {e.who or '—'}  {e.action}  {json.dumps(e.detail, ensure_ascii=False)[:160]}")
    return 0


def _area(v: float) -> str:
    return f"{v:,.2f}"


def cmd_recheck(args) -> int:
    from ..domain.vocab import verdict_label
    from ..review.case import open_case, recheck

    case = open_case(args.case, layers=args.layers)
    _warn_altered(case)
    rc = recheck(case, layers=args.layers, rules=args.rules)
    i = 1 if args.lang == "en" else 0
    vl = lambda v: verdict_label(v, args.lang) or "—"  # noqa: E731
    if rc.changed_layers or rc.added_layers or rc.removed_layers:
        for lid in rc.changed_layers:
            print(f"{REASONS['layer'][i]}: {lid}")
        for lid in rc.added_layers:
            print(f"{'new layer' if i else '新增图层'}: {lid}")
        for lid in rc.removed_layers:
            print(f"{'layer removed' if i else '图层已移除'}: {lid}")
    else:
        print("layer data unchanged" if i else "图层数据未变化")
    if rc.rules_changed:
        print(f"{REASONS['rules'][i]}: {', '.join(rc.changed_rule_files)}")
    else:
        print("rules unchanged" if i else "规则未变化")
    if not rc.rows:
        print("no change in areas or verdicts" if i else "各图层分区的面积与结论均无变化")
    else:
        head = ("layer (zone)", "area before m²", "area after m²", "verdict before", "verdict after", "reason") if i \
            else ("图层（分区）", "原面积 m²", "新面积 m²", "原结论", "新结论", "原因")
        print(" | ".join(head))
        for r in rc.rows:
            why = "、".join(REASONS[x][i] for x in r.reasons)
            line = f"{r.layer_name}（{r.zone}） | {_area(r.area_before_m2)} | {_area(r.area_after_m2)} | " \
                   f"{vl(r.verdict_before)} | {vl(r.verdict_after)} | {why}"
            if r.override:
                line += f" | {'officer verdict to review' if i else '审查人改定结论待复核'}: {r.override}"
            print(line)
    print(f"{'overall' if i else '总体结论'}: {vl(rc.verdict_before)} → {vl(rc.verdict_after)}")
    if args.save:
        case.apply_recheck(rc, who=args.who)
        case.save(who=args.who)
        print(f"案卷 case → {args.case}  ({case.policy_pack})")
    return 0


def cmd_verify(args) -> int:
    from ..domain.messages import text
    from ..review.case import CaseError, open_case, verify_case, verify_report

    try:
        v = verify_case(args.case)
    except CaseError as exc:  # damaged, not a case, newer format: not verified
        print(str(exc))
        return 1
    ok = v.ok
    for line in v.problems or [text("case.verify_ok", path=Path(args.case))]:
        print(line)
    for line in v.notes:
        print("  " + line)
    if args.reports:
        case = open_case(args.case)
        for rep in args.reports:
            r = verify_report(case, rep)
            ok = ok and r.ok
            for line in r.problems + r.notes:
                print(line)
    return 0 if ok else 1


def _warn_altered(case) -> None:
    from ..domain.messages import text
    if case.altered:
        print(text("case.altered_warning", path=case.path), file=sys.stderr)


def cmd_export(args) -> int:
    from ..review.case import CaseError, open_case
    from ..review.outputs import OUTPUTS

    case = open_case(args.case)
    _warn_altered(case)
    targets = {fmt: getattr(args, f"out_{fmt}") for _, fmt in EXPORTS if getattr(args, f"out_{fmt}")}
    if not targets and not args.source:
        raise CaseError("case.nothing_to_export")
    for fmt, p in case.export(targets, who=args.who, use_sources=not args.no_layer_files):
        print(f"{OUTPUTS[fmt].label} → {p}")
    if args.source:
        for p in case.export_source(args.source):
            print(f"→ {p}")
    if targets:
        case.save(who=args.who)
    return 0


# ------------------------------------------------------------------------------------------- register
def _print_entries(reg, entries) -> None:
    print("案卷编号 | 项目名称 | 县（区） | 审查日期 | 结论 | 面积 m² | 文件")
    for e in entries:
        print(" | ".join([e.case_number or "—", e.project_name or "—", e.county or "—", e.date or "—",
                          e.verdict or "—", _area(e.area_m2) if e.area_m2 is not None else "—", e.name]))
    overlaps = reg.overlaps(entries)
    if overlaps:
        print("用地重叠（两个案卷占用同一地块） footprint overlaps:")
        for o in overlaps:
            print(f"  {o.a.case_number or o.a.name} × {o.b.case_number or o.b.name}: "
                  f"{_area(o.ellipsoidal_m2)} m²（椭球 ellipsoidal; 平面 planar {_area(o.planar_m2)} m², EPSG:{o.epsg}）")
    for note in reg.notes:
        print(note, file=sys.stderr)


def cmd_list(args) -> int:
    from ..review.register import Register
    reg = Register(args.folder)
    _print_entries(reg, reg.entries())
    return 0


def cmd_search(args) -> int:
    from ..review.register import Register
    reg = Register(args.folder)
    _print_entries(reg, reg.search(case_number=args.number, project=args.project, county=args.county,
                                   date_from=args.date_from, date_to=args.date_to, verdict=args.verdict))
    return 0


def cmd_register_export(args) -> int:
    from ..review.register import Register
    reg = Register(args.folder)
    print(f"Excel → {reg.export_xlsx(args.out)}")
    return 0
