"""Command-line functions for the rule base: ``ningxia-gis rules list|show ID|check FILE|activities``
and the text rendering of verdicts used by ``ningxia-gis check … --activity``.

The main CLI (ningxia_gis/cli.py) calls :func:`add_rules_subcommand` and :func:`format_verdicts`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ningxia_gis.domain.errors import NingxiaGisError, RuleError

from ningxia_gis.domain.vocab import BY_ZH, RULE_STATUSES, verdict_label

from .activities import find_activity, list_activities
from .cite import cite
from .loader import check_rule_file, reload_rule_base
from .model import ROLE_NAMES_EN, ROLE_NAMES_ZH, ZONE_EN, Rule, RuleBase


def _mark(label: str | None) -> str:
    v = BY_ZH.get(label or "")
    return v.mark if v else " "


def add_rules_subcommand(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register the ``rules`` sub-command (list / show / check / activities) on ``subparsers``.

    The parser's handler is set with ``set_defaults(func=run_rules_command)``; it takes the argparse
    Namespace and returns an exit code (0 ok, 1 rule error, 2 usage).
    """
    p = subparsers.add_parser(
        "rules",
        help="permitted-activity rule base: list, show, check an edited file, list activity types",
        description="Permitted-activity rule base (resources/rules). 规则库：列出、查看、校验规则文件、列出活动类型。",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--rules-dir", dest="rules_dir", default=argparse.SUPPRESS,
                        help="rule directory (default: the shipped resources/rules)")
    common.add_argument("--lang", dest="lang", choices=["zh", "en"], default=argparse.SUPPRESS,
                        help="output language (default zh)")
    common.add_argument("--json", dest="rules_json", action="store_true", default=False,
                        help="print JSON instead of text")
    sub = p.add_subparsers(dest="rules_command", metavar="{list,show,check,activities,lint}")
    pl = sub.add_parser("list", parents=[common], help="list the rules (规则列表)")
    pl.add_argument("--role", help="only rules of this zone role (e.g. eco_redline)")
    pl.add_argument("--activity", help="only rules that can apply to this activity (id or name)")
    ps = sub.add_parser("show", parents=[common], help="show one rule with its quote and source (查看规则)")
    ps.add_argument("rule_id", metavar="ID")
    pc = sub.add_parser("check", parents=[common], help="validate an edited rule file (校验规则文件)")
    pc.add_argument("file", metavar="FILE")
    sub.add_parser("activities", parents=[common], help="list activity types and their questions (活动类型)")
    plint = sub.add_parser("lint", parents=[common],
                           help="check the rule pack: conflicts, dangling references, gaps, quotes, examples (规则自检)")
    plint.add_argument("--seeds", help="seed-document folder (default: $NINGXIA_GIS_SEEDS or ../shared/seeds)")
    p.set_defaults(func=run_rules_command, rules_parser=p)
    return p


def _lang(ns: argparse.Namespace) -> str:
    lang = getattr(ns, "lang", None) or "zh"
    return "en" if str(lang).lower().startswith("en") else "zh"


def run_rules_command(ns: argparse.Namespace) -> int:
    cmd = getattr(ns, "rules_command", None)
    out = sys.stdout
    if not cmd:
        parser = getattr(ns, "rules_parser", None)
        if parser is not None:
            parser.print_help(sys.stderr)
        return 2
    lang = _lang(ns)
    rules_dir = getattr(ns, "rules_dir", None)
    as_json = bool(getattr(ns, "rules_json", False))
    try:
        if cmd == "lint":
            from .lint import format_report, lint

            rep = lint(rules_dir, getattr(ns, "seeds", None))
            if as_json:
                print(json.dumps(rep.to_dict(), ensure_ascii=False, indent=2), file=out)
            else:
                print(format_report(rep), file=out)
            return 0 if rep.ok else 1
        if cmd == "check":
            rb = check_rule_file(ns.file, rules_dir)
            n_rules = len(rb.rules)
            msg = (f"OK: {ns.file} — rule base valid ({n_rules} rules, {len(rb.activities)} activity types, "
                   f"version {rb.version})")
            if as_json:
                print(json.dumps({"ok": True, "file": ns.file, "rules": n_rules, "version": rb.version},
                                 ensure_ascii=False), file=out)
            else:
                print(msg, file=out)
            return 0
        rb, err = reload_rule_base(rules_dir)
        if rb is None:
            raise err  # type: ignore[misc]
        if err is not None:
            print(f"warning: {err} — using the last good rule set", file=sys.stderr)
        if cmd == "list":
            return _cmd_list(rb, ns, lang, as_json, out)
        if cmd == "show":
            return _cmd_show(rb, ns.rule_id, lang, as_json, out)
        if cmd == "activities":
            return _cmd_activities(rb, lang, as_json, out)
    except RuleError as exc:
        if as_json:
            print(json.dumps({"ok": False, "error": str(exc)}, ensure_ascii=False), file=out)
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except NingxiaGisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 2


# --------------------------------------------------------------------------- list / show / activities
def _rule_applies_to(rb: RuleBase, rule: Rule, activity_id: str) -> bool:
    act = rb.activities[activity_id]
    if rule.kind == "procedure":
        return True
    groups = act.all_groups

    def hit(sels):
        return any(s == "*" or s == act.id or (s.startswith("group:") and s[6:] in groups) for s in sels)

    return hit(rule.activities) and not hit(rule.except_activities)


def _cmd_list(rb: RuleBase, ns, lang: str, as_json: bool, out) -> int:
    rules = list(rb.rules)
    if getattr(ns, "role", None):
        rules = [r for r in rules if r.role == ns.role]
    if getattr(ns, "activity", None):
        act = find_activity(ns.activity, rb)
        if act is None:
            print(f"error: unknown activity '{ns.activity}'", file=sys.stderr)
            return 2
        rules = [r for r in rules if _rule_applies_to(rb, r, act.id)]
    if as_json:
        print(json.dumps({"version": rb.version, "rules": [r.to_dict() for r in rules]}, ensure_ascii=False,
                         indent=2), file=out)
        return 0
    names = ROLE_NAMES_EN if lang == "en" else ROLE_NAMES_ZH
    head = (f"Rule base {rb.version} ({rb.path}): {len(rules)} rules" if lang == "en"
            else f"规则库 {rb.version}（{rb.path}）：{len(rules)} 条规则")
    print(head, file=out)
    role = None
    for r in rules:
        if r.role != role:
            role = r.role
            print(f"\n[{names.get(role, role)}]", file=out)
        zones = "、".join(r.zones) if r.zones else ("any zone" if lang == "en" else "全部分区")
        if r.kind == "procedure":
            verdict = "procedure" if lang == "en" else "程序"
        else:
            verdict = verdict_label(r.verdict, lang)
        flags = []
        if r.status != "seed":
            flags.append(r.status)
        if r.applies_in:
            flags.append(("only " if lang == "en" else "仅") + "、".join(r.applies_in))
        flag = f" [{'; '.join(flags)}]" if flags else ""
        title = r.title_en if lang == "en" and r.title_en else r.title
        print(f"  {r.id}\n      {verdict} · {zones} · {title} · {r.source.doc} {r.source.section} L{r.source.line}{flag}",
              file=out)
    return 0


def _cmd_show(rb: RuleBase, rule_id: str, lang: str, as_json: bool, out) -> int:
    rule = rb.rule(rule_id)
    if rule is None:
        close = [r.id for r in rb.rules if rule_id in r.id]
        hint = f" (did you mean: {', '.join(close[:5])})" if close else ""
        print(f"error: no rule '{rule_id}'{hint}", file=sys.stderr)
        return 2
    src = rb.sources.get(rule.source.doc)
    if as_json:
        d = rule.to_dict()
        d["source_document"] = src.to_dict() if src else None
        print(json.dumps(d, ensure_ascii=False, indent=2), file=out)
        return 0
    en = lang == "en"
    lines = [
        f"{rule.id}",
        f"  {'title' if en else '标题'}: {rule.title_en if en and rule.title_en else rule.title}",
        f"  {'role' if en else '管控图层'}: {(ROLE_NAMES_EN if en else ROLE_NAMES_ZH).get(rule.role, rule.role)}"
        + (f" · {'zones' if en else '分区'}: {'、'.join(rule.zones)}" if rule.zones else ""),
    ]
    if rule.kind == "procedure":
        lines.append(f"  {'kind' if en else '类型'}: {'procedure, attached to' if en else '程序规则，附加于'} "
                     f"{', '.join(rule.attaches_to)}")
    else:
        lines.append(f"  {'activities' if en else '适用活动'}: {', '.join(rule.activities)}"
                     + (f" ({'except' if en else '除'} {', '.join(rule.except_activities)})"
                        if rule.except_activities else ""))
        lines.append(f"  {'verdict' if en else '结论'}: {rule.verdict}" + (f" ({verdict_label(rule.verdict, 'en')})" if en else ""))
    if rule.when:
        lines.append(f"  {'when' if en else '适用条件（事实）'}: "
                     + ", ".join(f"{k} = {'yes' if v else 'no'}" if en else f"{k} = {'是' if v else '否'}"
                                 for k, v in rule.when.items()))
    if rule.applies_in:
        lines.append(f"  {'applies only in' if en else '仅适用于'}: {'、'.join(rule.applies_in)}")
    for c in rule.conditions:
        lines.append(f"  {'condition' if en else '条件'}: {c}")
    for s in rule.procedure.exemptions():
        lines.append(f"  {'exemption' if en else '免除'}: {s}")
    for s in rule.procedure.steps():
        lines.append(f"  {'procedure' if en else '程序'}: {s}")
    for a in rule.alternatives:
        lines.append(f"  {'instead' if en else '可采取'}: {a}")
    lines.append(f"  {'quote' if en else '原文'}: 「{rule.quote}」")
    if en and rule.gloss_en:
        lines.append(f"  gloss: {rule.gloss_en}")
    if src is not None:
        lines.append(f"  {'source' if en else '出处'}: {cite(src, rule.source.section)}"
                     f"（{src.seed_file} L{rule.source.line}"
                     + (f"–{rule.source.line_end}" if rule.source.line_end else "") + "）")
    lines.append(f"  {'effective' if en else '生效日期'}: {rule.effective or ('unknown' if en else '未载明')}")
    lines.append(f"  {'status' if en else '状态'}: {rule.status}"
                 + ("" if en else f"（{RULE_STATUSES.get(rule.status, (rule.status,))[0]}）")
                 + f" · priority {rule.priority}")
    if rule.inference:
        lines.append(f"  {'inference' if en else '推断依据'}: {rule.inference}")
    if rule.note:
        lines.append(f"  {'note' if en else '说明'}: {rule.note}")
    for ex in rule.examples:
        facts = ", ".join(f"{k}={'yes' if v else 'no'}" if en else f"{k}={'是' if v else '否'}" for k, v in ex.facts.items())
        lines.append(f"  {'example' if en else '示例'}: {ex.activity} / {ex.zone or '-'}"
                     + (f" / {facts}" if facts else "") + (f" / {ex.county}" if ex.county else "")
                     + f" → {verdict_label(ex.verdict, lang)}")
    lines.append(f"  {'defined in' if en else '定义位置'}: {rule.file} line {rule.line}")
    print("\n".join(lines), file=out)
    return 0


def _cmd_activities(rb: RuleBase, lang: str, as_json: bool, out) -> int:
    acts = list_activities(rb)
    if as_json:
        print(json.dumps({"activities": acts, "facts": [
            {"id": f.id, "question_zh": f.question_zh, "question_en": f.question_en, "default": f.default}
            for f in rb.facts.values()]}, ensure_ascii=False, indent=2), file=out)
        return 0
    en = lang == "en"
    for a in acts:
        tags = []
        if a["redline_limited_activity"]:
            tags.append(f"LA{a['redline_limited_activity']}")
        if a["national_major_project_class"]:
            tags.append(f"NMP{a['national_major_project_class']}")
        tag = f" [{', '.join(tags)}]" if tags else ""
        name = a["name_en"] if en else a["name_zh"]
        print(f"{a['id']:<32} {name}{tag}", file=out)
        if a["questions"]:
            qs = ", ".join(q["fact"] for q in a["questions"])
            print(f"{'':<32} {'facts' if en else '需回答'}: {qs}", file=out)
    print("", file=out)
    print("facts:" if en else "事实问题：", file=out)
    for f in rb.facts.values():
        q = f.question_en if en else f.question_zh
        d = "" if f.default is None else f" (default {'yes' if f.default else 'no'})" if en else \
            f"（默认{'是' if f.default else '否'}）"
        print(f"  {f.id:<24} {q}{d}", file=out)
    return 0


# --------------------------------------------------------------------------- verdict text
def _fact_text(v, en: bool) -> str:
    if v is True:
        return "yes" if en else "是"
    if v is False:
        return "no" if en else "否"
    return "unanswered" if en else "未回答"


def format_verdicts(verdicts: dict[str, Any], lang: str = "zh") -> str:
    """Human-readable block for the verdicts dict returned by :func:`ningxia_gis.rules.engine.evaluate`.

    Verdict labels and marks come from :mod:`ningxia_gis.domain.vocab`; citations from :func:`cite`
    (document, 文号, article — the seed file and line stay in the JSON)."""
    if not verdicts:
        return ""
    en = str(lang or "zh").lower().startswith("en")
    act = verdicts.get("activity") or {}
    overall = verdicts.get("overall") or {}
    lines: list[str] = []
    if en:
        lines.append(f"Activity: {act.get('name_en')} ({act.get('id')})")
        lines.append(f"Overall verdict: {verdict_label(overall.get('verdict'), 'en')} ({overall.get('verdict')})")
        if overall.get("summary_en"):
            lines.append(overall["summary_en"])
    else:
        lines.append(f"活动类型：{act.get('name_zh')}（{act.get('id')}）")
        lines.append(f"总体结论：{overall.get('verdict')}")
        if overall.get("summary_zh"):
            lines.append(overall["summary_zh"])
    if overall.get("overridden") and overall.get("machine_verdict") != overall.get("verdict"):
        lines.append(f"{'Machine verdict' if en else '系统结论'}: {verdict_label(overall.get('machine_verdict'), 'en' if en else 'zh')}"
                     + (" (officer's conclusion shown above)" if en else "（上为审查人员认定的结论）"))
    facts = act.get("facts") or {}
    assumed = act.get("assumed") or {}
    if facts:
        parts = []
        for k, v in facts.items():
            t = f"{k}={_fact_text(v, en)}"
            if k in assumed:
                t += f"（{assumed[k]}）" if not en else " (assumed)"
            parts.append(t)
        lines.append(("Facts: " if en else "事实：") + ("，" if not en else ", ").join(parts))
    lines.append("")
    for z in verdicts.get("zones") or []:
        role = z.get("role")
        name = (ROLE_NAMES_EN.get(role, z.get("layer_name") or role) if en else (z.get("layer_name") or
                ROLE_NAMES_ZH.get(role, role)))
        zone = z.get("zone")
        zone_txt = (f" / {ZONE_EN.get(zone, zone)}" if en else f" / {zone}") if zone and zone != name else ""
        share = z.get("share_of_footprint")
        share_txt = f" {share * 100:.1f}%" if isinstance(share, (int, float)) and z.get("status") != "not_touched" else ""
        scope = f" [{z['verdict_scope']}]" if z.get("verdict_scope") else ""
        officer = z.get("officer") or {}
        shown = officer.get("verdict") or z.get("verdict")
        lines.append(f"{_mark(shown)} {name}{zone_txt}{share_txt}{scope}: {verdict_label(shown, 'en' if en else 'zh')}")
        if officer:
            lines.append(f"    {'officer' if en else '审查人员认定'}: {verdict_label(officer['verdict'], 'en' if en else 'zh')}"
                         f" — {officer.get('reason')}"
                         + (f"（{officer['officer']}）" if officer.get("officer") else ""))
            lines.append(f"    {'machine verdict' if en else '系统结论'}: {verdict_label(z.get('verdict'), 'en' if en else 'zh')}")
        if z.get("verdict") == "不涉及" and not officer:
            for r in (z.get("reasons") or [])[:1]:
                if z.get("status") != "not_touched":
                    lines.append(f"    {'note' if en else '说明'}: {r}")
            continue
        if z.get("rule_id"):
            status = z.get("rule_status")
            st = "" if status == "seed" else f" [{status}]"
            title = z.get("rule_title_en") if en and z.get("rule_title_en") else z.get("rule_title")
            lines.append(f"    {'rule' if en else '规则'}: {z['rule_id']}{st} — {title}")
            src = z.get("source") or {}
            if z.get("quote"):
                lines.append(f"    {'quote' if en else '原文'}: 「{z['quote']}」")
            if en and z.get("gloss_en"):
                lines.append(f"    gloss: {z['gloss_en']}")
            if src:
                lines.append(f"    {'source' if en else '出处'}: {cite(src)}")
        for c in z.get("conditions") or []:
            lines.append(f"    {'condition' if en else '条件'}: {c}")
        proc = z.get("procedure") or {}
        for s in proc.get("exemptions") or []:
            lines.append(f"    {'exemption' if en else '免除'}: {s}")
        for s in proc.get("steps") or []:
            lines.append(f"    {'procedure' if en else '程序'}: {s}")
        for a in z.get("alternatives") or []:
            lines.append(f"    {'instead' if en else '可采取'}: {a}")
        for r in z.get("reasons") or []:
            if z.get("rule_id") and r.startswith(f"适用 {z['rule_id']}"):
                continue
            lines.append(f"    {'note' if en else '说明'}: {r}")
    procs = verdicts.get("procedures") or []
    if procs:
        lines.append("")
        lines.append("Procedures to complete:" if en else "须办理的程序：")
        for i, p in enumerate(procs, 1):
            lines.append(f"  {i}. {p['step']}  〔{', '.join(p.get('rule_ids') or [])}〕")
    ex = verdicts.get("exemptions") or []
    if ex:
        lines.append(("Exempted: " if en else "免除：") + "、".join(ex))
    alts = verdicts.get("alternatives") or []
    if alts:
        lines.append("")
        lines.append("What the officer can do instead:" if en else "可采取的做法：")
        for i, a in enumerate(alts, 1):
            lines.append(f"  {i}. {a}")
    qs = verdicts.get("open_questions") or []
    if qs:
        lines.append("")
        lines.append("Open questions (answer with --fact NAME=yes/no):" if en else "待确认的事实（可用 --fact 名称=是/否 回答）：")
        for q in qs:
            lines.append(f"  {q['fact']}: {q['question_en'] if en else q['question_zh']}")
    notes = verdicts.get("notes") or []
    if notes:
        lines.append("")
        for n in notes:
            lines.append(f"* {n}")
    rs = verdicts.get("rule_set") or {}
    if rs.get("version"):
        lines.append(f"* {'rule set' if en else '规则库版本'} {rs['version']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (``python -m ningxia_gis.rules.cli rules list``) for when the main CLI is absent."""
    parser = argparse.ArgumentParser(prog="ningxia-gis")
    subs = parser.add_subparsers(dest="command")
    add_rules_subcommand(subs)
    ns = parser.parse_args(argv)
    if not hasattr(ns, "func"):
        parser.print_help(sys.stderr)
        return 2
    return ns.func(ns)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
