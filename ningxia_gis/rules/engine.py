"""Verdict engine: check result + activity type (+ facts) -> per-zone verdicts with their legal trace.

Pure functions; the rule base is data.  For every checked control layer (``result["layers"]``, roles
that are not protected excepted) and every zone the footprint occupies or touches (``by_zone``):

1. the verdict rules of the layer's role are filtered by zone, county (``applies_in``) and activity;
2. the facts those rules ask about and the user has not answered are *open*.  The zone is decided for
   every yes/no combination of the open facts.  If all combinations give the same verdict, that is the
   verdict and each open fact is shown as assumed (「未回答，按否处理」 where the fact has a default);
   otherwise the verdict is 需人工判定 and every fact that changes it is asked at once;
3. the matching rule with the highest priority decides; a seed rule giving the same verdict is shown in
   place of an inferred one; procedure rules attached to the deciding rule add the approval chain.

Only zones the footprint *occupies* decide the overall verdict (touching zones and the derived
城镇开发边界外 part without an applicable rule do not).  A 禁止 result lists no procedure: it lists what
the officer can do instead (``alternatives``).  For an urban_boundary layer the part of the footprint
outside the boundary is judged as zone 城镇开发边界外 when it is at least the sliver threshold.  A red
line layer without a sub-zone field takes its 核心保护区 from the 自然保护地 layer (a warning says so, or
says that neither layer tells).
"""

from __future__ import annotations

import fnmatch
import itertools
from typing import Any

import shapely

from ningxia_gis.domain.errors import InputError, RuleError
from ningxia_gis.domain.roles import ROLES
from ningxia_gis.domain.vocab import BY_ZH

from .activities import find_activity, list_activities, parse_facts
from .cite import cite
from .loader import load_rule_base, reload_rule_base
from .model import (
    CONDITIONAL,
    NEEDS_JUDGMENT,
    NO_RULE_REASON,
    NOT_AFFECTED,
    OUTSIDE_URBAN_ZONE,
    PERMITTED,
    PROHIBITED,
    PROJECT_ROLE,
    PROJECT_ZONE,
    PROTECTED_ROLES,
    ROLE_NAMES_EN,
    ROLE_NAMES_ZH,
    ROLE_ZONES,
    VERDICT_EN,
    ZONE_EN,
    Activity,
    Procedure,
    Rule,
    RuleBase,
    strictest,
    strictness,
)

__all__ = ["evaluate", "evaluate_zone", "find_activity", "list_activities", "load_rule_base", "reload_rule_base",
           "record_override", "ASSUMED_NO", "STATUS_RANK"]

AREA_KEYS = ("planar_m2", "planar_ha", "planar_mu", "ellipsoidal_m2", "ellipsoidal_ha", "ellipsoidal_mu")
ASSUMED_NO = "未回答，按否处理"
ASSUMED_YES = "未回答，按是处理"
UNANSWERED_NO_EFFECT = "未回答，不影响结论"
UNANSWERED_SKIP = "未回答，按否处理（该规则仅在确认后适用，其要求已列为条件）"
#: seed beats external beats inferred when two matching rules give the same verdict
STATUS_RANK = {"seed": 2, "external": 1, "inferred": 0}
MAX_OPEN_FACTS = 8
CORE = "核心保护区"
OUTSIDE_CORE = "核心保护区外"


def _yn(value: bool | None) -> str:
    return "是" if value is True else "否" if value is False else "未知"


def _zero_area() -> dict[str, float]:
    return {k: 0.0 for k in AREA_KEYS}


# --------------------------------------------------------------------------- matching
def _selector_hits(selectors: tuple[str, ...], activity: Activity) -> bool:
    groups = activity.all_groups
    for sel in selectors:
        if sel == "*" or sel == activity.id:
            return True
        if sel.startswith("group:") and sel[6:] in groups:
            return True
    return False


def _static_exclusion(rule: Rule, zone: str, activity: Activity, county: str | None,
                      skip_activity: bool = False) -> str | None:
    """Why ``rule`` cannot apply whatever the facts (zone, county, activity), or None."""
    if rule.zones is not None and zone not in rule.zones:
        return f"分区不符：规则仅适用于{'、'.join(rule.zones)}，本区为{zone}"
    if rule.applies_in:
        if county is None:
            return f"仅适用于{'、'.join(rule.applies_in)}；项目所在县（区）未知，未适用"
        if county not in rule.applies_in:
            return f"仅适用于{'、'.join(rule.applies_in)}；项目位于{county}"
    if not skip_activity:
        if not _selector_hits(rule.activities, activity):
            return f"活动类型不符：规则适用于 {', '.join(rule.activities)}"
        if rule.except_activities and _selector_hits(rule.except_activities, activity):
            return f"活动类型被排除：{', '.join(rule.except_activities)}"
    return None


def _fact_match(rule: Rule, facts: dict, assumed: dict[str, str]) -> tuple[str, str, list[str]]:
    """('matched' | 'excluded' | 'pending', why, unknown facts) on the facts alone."""
    unknown: list[str] = []
    for name, wanted in rule.when.items():
        have = facts.get(name)
        if have is None:
            unknown.append(name)
        elif have != wanted:
            note = f"（{assumed[name]}）" if name in assumed else ""
            return "excluded", f"事实不符：{name} = {_yn(have)}{note}（规则要求 {_yn(wanted)}）", []
    if unknown:
        if rule.on_unknown == "skip":
            return "excluded", f"事实未提供：{', '.join(unknown)}（{UNANSWERED_SKIP}）", unknown
        return "pending", f"事实未知：{', '.join(unknown)}（规则要求 " + "、".join(
            f"{n} = {_yn(rule.when[n])}" for n in unknown) + "）", unknown
    conds = [f"{n} = {_yn(v)}" + (f"（{assumed[n]}）" if n in assumed else "") for n, v in rule.when.items()]
    return "matched", "适用" + (f"（{'，'.join(conds)}）" if conds else ""), []


def _rank(rule: Rule) -> tuple:
    return (rule.priority, strictness(rule.verdict or NEEDS_JUDGMENT))


def _decide(cands: list[Rule], facts: dict) -> tuple[Rule | None, Rule | None]:
    """(winner by priority, rule to show) among ``cands`` matching ``facts``; the rule shown is a
    seed rule of the same verdict when the winner is inferred (it says the same, on the seed's word)."""
    matched = [r for r in cands if all(facts.get(n) == v for n, v in r.when.items())]
    if not matched:
        return None, None
    matched.sort(key=_rank, reverse=True)
    winner = matched[0]
    same = [r for r in matched if r.verdict == winner.verdict]
    shown = max(same, key=lambda r: (STATUS_RANK.get(r.status, 0), r.priority))
    return winner, shown


def _source_block(rb: RuleBase, rule: Rule) -> dict[str, Any]:
    src = rb.sources.get(rule.source.doc)
    block = {
        "doc": rule.source.doc,
        "title": src.title if src else None,
        "doc_number": src.doc_number if src else None,
        "attachment": src.attachment if src else None,
        "issuer": src.issuer if src else None,
        "date": src.date if src else None,
        "section": rule.source.section,
        "line": rule.source.line,
        "line_end": rule.source.line_end,
        "file": src.seed_file if src else None,
        "status": src.status if src else None,
        "draft": bool(src.draft) if src else False,
    }
    block["citation"] = cite(src, rule.source.section) if src else rule.source.doc
    return block


def _merge_procedures(procs: list[tuple[str, Procedure]]) -> dict[str, Any]:
    out: dict[str, Any] = {"论证": None, "审核": None, "认定/审批": None, "attachments": [], "exempt": [],
                           "other": [], "steps": [], "exemptions": [], "rule_ids": []}
    for rule_id, p in procs:
        if p.is_empty():
            continue
        out["rule_ids"].append(rule_id)
        for key, val in (("论证", p.demonstrate), ("审核", p.review), ("认定/审批", p.approve)):
            if val:
                out[key] = val if not out[key] else f"{out[key]}；{val}"
        for key, vals in (("attachments", p.attachments), ("exempt", p.exempt), ("other", p.other)):
            for v in vals:
                if v not in out[key]:
                    out[key].append(v)
        for s in p.steps():
            if s not in out["steps"]:
                out["steps"].append(s)
        for s in p.exemptions():
            if s not in out["exemptions"]:
                out["exemptions"].append(s)
    for name in out["exempt"]:
        if name in ("论证", "审核", "认定/审批"):
            out[name] = None
    return out


def _question(rb: RuleBase, fact: str, rule_id: str | None, affects: str) -> dict[str, Any]:
    f = rb.facts.get(fact)
    return {"fact": fact, "question_zh": f.question_zh if f else fact, "question_en": f.question_en if f else fact,
            "rule_id": rule_id, "affects": affects}


def _combo_text(combo: dict[str, bool]) -> str:
    return "、".join(f"{f} = {_yn(v)}" for f, v in combo.items())


def evaluate_zone(rb: RuleBase, role: str, zone: str, activity: Activity, facts: dict,
                  county: str | None) -> dict[str, Any]:
    """Verdict for one zone of one role (no area bookkeeping): verdict, rule, trace, procedure, questions.

    ``facts`` maps fact → True/False/None; None = not answered (fact defaults are *not* filled in: the
    engine decides whether an unanswered fact matters, see the module docstring)."""
    rules = rb.rules_for_role(role)
    verdict_rules = [r for r in rules if r.kind == "verdict"]
    proc_rules = [r for r in rules if r.kind == "procedure"]
    trace_map: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    cands: list[Rule] = []
    for r in verdict_rules:
        why = _static_exclusion(r, zone, activity, county)
        order.append(r.id)
        if why is not None:
            trace_map[r.id] = {"rule_id": r.id, "matched": False, "why": why, "state": "excluded"}
        else:
            cands.append(r)

    # --- the open facts and every combination of them
    open_facts: list[str] = []
    skipped: list[str] = []
    for r in cands:
        for name in r.when:
            if facts.get(name) is None:
                target = skipped if r.on_unknown == "skip" else open_facts
                if name not in target:
                    target.append(name)
    skipped = [f for f in skipped if f not in open_facts]
    open_facts = open_facts[:MAX_OPEN_FACTS]
    outcomes: list[tuple[dict[str, bool], Rule | None, Rule | None]] = []
    for values in itertools.product((True, False), repeat=len(open_facts)):
        combo = dict(zip(open_facts, values))
        winner, shown = _decide(cands, {**facts, **combo})
        outcomes.append((combo, winner, shown))

    def verdict_of(rule: Rule | None) -> str:
        return (rule.verdict or NEEDS_JUDGMENT) if rule is not None else NEEDS_JUDGMENT

    by_combo = {tuple(c.items()): verdict_of(w) for c, w, _s in outcomes}
    matters: list[str] = []
    for f in open_facts:
        for c, w, _s in outcomes:
            flipped = dict(c)
            flipped[f] = not c[f]
            if by_combo[tuple(flipped.items())] != verdict_of(w):
                matters.append(f)
                break
    verdicts_seen = {verdict_of(w) for _c, w, _s in outcomes}

    # --- assumed values of the open facts that do not change the verdict
    assumed: dict[str, str] = {}
    assumed_values: dict[str, bool] = {}
    for f in open_facts:
        if f in matters:
            continue
        default = rb.facts[f].default if f in rb.facts else None
        if default is None:
            assumed[f] = UNANSWERED_NO_EFFECT
        else:
            assumed[f] = ASSUMED_NO if default is False else ASSUMED_YES
            assumed_values[f] = default
    for f in skipped:
        assumed[f] = UNANSWERED_SKIP
    trace_facts = {**facts, **assumed_values}

    reasons: list[str] = []
    open_questions: list[dict[str, Any]] = []
    alternatives_by_facts: list[dict[str, Any]] = []
    decisive: Rule | None
    if len(verdicts_seen) > 1:
        verdict = NEEDS_JUDGMENT
        # the rule to confirm: the highest-priority rule any answer could make decide (the more
        # permissive one among equals: it is the one whose conditions the officer must check)
        # ... preferring the answers that agree with the facts' defaults (temporary = 否 …)
        def with_defaults(combo: dict) -> int:
            return sum(1 for f, v in combo.items() if f in rb.facts and rb.facts[f].default == v)

        ranked = [(c, s) for c, _w, s in outcomes if s is not None]
        decisive = max(ranked, key=lambda cs: (with_defaults(cs[0]), cs[1].priority,
                                               -strictness(cs[1].verdict or NEEDS_JUDGMENT)))[1] if ranked else None
        reasons.append("须先确认：" + "；".join(
            f"{f}：{rb.facts[f].question_zh if f in rb.facts else f}" for f in matters))
        seen: set = set()
        for combo, winner, shown in outcomes:
            key_combo = {f: combo[f] for f in matters}
            key = (tuple(key_combo.items()), shown.id if shown else None)
            if key in seen:
                continue
            seen.add(key)
            label = f"{shown.id}：{shown.title}（{verdict_of(winner)}）" if shown else f"{NO_RULE_REASON}（{NEEDS_JUDGMENT}）"
            reasons.append(f"若 {_combo_text(key_combo)}，则适用 {label}")
            alternatives_by_facts.append({"facts": key_combo, "verdict": verdict_of(winner),
                                          "rule_id": shown.id if shown else None})
        for f in matters:
            rid = next((r.id for r in cands if f in r.when), None)
            open_questions.append(_question(rb, f, rid, "verdict"))
    else:
        base_winner, decisive = _decide(cands, trace_facts) if not any(
            f not in trace_facts or trace_facts[f] is None for f in open_facts) else (None, None)
        if decisive is None:
            # an open fact without a default that does not change the verdict: show the strongest rule
            # among the answers that agree with the defaults of the other facts
            def agrees(combo: dict) -> bool:
                return all(combo[f] == assumed_values[f] for f in combo if f in assumed_values)

            ranked = [(w, s) for c, w, s in outcomes if s is not None and agrees(c)] or \
                [(w, s) for _c, w, s in outcomes if s is not None]
            if ranked:
                base_winner, decisive = max(ranked, key=lambda ws: _rank(ws[0]))
        verdict = verdict_of(base_winner) if base_winner is not None else NEEDS_JUDGMENT
        if decisive is not None:
            reasons.append(f"适用 {decisive.id}：{decisive.title}")
            if base_winner is not None and base_winner.id != decisive.id:
                reasons.append(f"{base_winner.id}（{base_winner.status}）结论相同，按源文件规则 {decisive.id} 引用")
        else:
            reasons.append(NO_RULE_REASON)
            known = ROLE_ZONES.get(role)
            if known and zone not in known:
                reasons.append(f"图层未区分管控分区（分区“{zone}”不是 {'、'.join(known)} 之一），无法确定适用哪条规则")
    for f, label in assumed.items():
        reasons.append(f"{f}：{label}")

    # --- trace of every candidate on the facts as decided
    for r in cands:
        state, why, _unknown = _fact_match(r, trace_facts, assumed)
        entry = {"rule_id": r.id, "matched": state == "matched", "why": why, "state": state}
        if decisive is not None and r.id == decisive.id:
            entry["why"] += "；待确认事实，结论暂为需人工判定" if verdict == NEEDS_JUDGMENT and len(verdicts_seen) > 1 \
                else "；选定"
        elif state == "matched" and decisive is not None:
            entry["state"] = "superseded"
            entry["why"] += f"；由 {decisive.id}（{decisive.verdict}）决定"
        trace_map[r.id] = entry

    if decisive is not None:
        if decisive.status == "inferred" and decisive.inference:
            reasons.append(f"推断规则（inferred，须人工复核）：{decisive.inference}")
        if decisive.status == "external":
            reasons.append("外部规则（external）：源文件以外的国家法规，未在种子文件中核实")
        if decisive.note:
            reasons.append(decisive.note)
        src = rb.sources.get(decisive.source.doc)
        if src is not None and src.draft:
            reasons.append(f"依据文件 {src.key} 为征求意见稿（draft source）")

    # --- procedure rules attach to the deciding rule when the verdict lets the project proceed
    procs: list[tuple[str, Procedure]] = []
    proceeds = decisive is not None and verdict in (CONDITIONAL, PERMITTED)
    if proceeds:
        procs.append((decisive.id, decisive.procedure))
    for p in proc_rules:
        entry = {"rule_id": p.id, "matched": False, "why": "", "state": "excluded"}
        trace_map[p.id] = entry
        order.append(p.id)
        if not proceeds:
            entry["why"] = f"程序规则未附加：结论为{verdict}"
            continue
        if not any(fnmatch.fnmatchcase(decisive.id, pat) for pat in p.attaches_to):
            entry["why"] = f"程序规则仅附加于 {', '.join(p.attaches_to)}，本结论依据 {decisive.id}"
            continue
        if p.id in decisive.excludes:
            entry["why"] = f"被 {decisive.id} 排除" + ("（免于论证）" if "论证" in decisive.procedure.exempt else "")
            continue
        why = _static_exclusion(p, zone, activity, county, skip_activity=not p.activities)
        if why is not None:
            entry["why"] = why
            continue
        state, why, unknown = _fact_match(p, trace_facts, assumed)
        entry["why"] = why
        entry["state"] = state
        if state == "matched":
            entry["matched"] = True
            procs.append((p.id, p.procedure))
        elif state == "pending":
            reasons.append("审批程序待定：须确认 " + "、".join(
                f"{f}（{rb.facts[f].question_zh}）" for f in unknown if f in rb.facts)
                + f"，以确定是否适用 {p.id}：{p.title}")
            for f in unknown:
                if not any(q["fact"] == f for q in open_questions):
                    open_questions.append(_question(rb, f, p.id, "procedure"))
    procedure = _merge_procedures(procs)
    trace = [{"rule_id": trace_map[i]["rule_id"], "matched": trace_map[i]["matched"],
              "state": trace_map[i]["state"], "why": trace_map[i]["why"]} for i in order if i in trace_map]
    alternatives = list(decisive.alternatives) if decisive is not None and verdict == PROHIBITED else []
    return {
        "verdict": verdict,
        "rule": decisive,
        "conditions": list(decisive.conditions) if decisive is not None else [],
        "procedure": procedure,
        "reasons": reasons,
        "trace": trace,
        "open_questions": open_questions,
        "assumed": [{"fact": f, "value": assumed_values.get(f), "label": label} for f, label in assumed.items()],
        "outcomes": alternatives_by_facts,
        "alternatives": alternatives,
        "candidates": len(cands),
    }


# --------------------------------------------------------------------------- result walking
def _area_block(area: Any) -> dict[str, float]:
    out = _zero_area()
    if isinstance(area, dict):
        for k in AREA_KEYS:
            v = area.get(k)
            if isinstance(v, (int, float)):
                out[k] = float(v)
    return out


def _scaled(area: dict[str, float], factor: float) -> dict[str, float]:
    return {k: v * factor for k, v in area.items()}


def _minus(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    return {k: max(0.0, a[k] - b.get(k, 0.0)) for k in AREA_KEYS}


def _has_subzone_field(layer: dict) -> bool:
    """Whether the layer's features carry one of the role's sub-zone fields (ZRBHDFQ …), empty or not."""
    fields = {f.upper() for f in ROLES[layer["role"]].zone_fields} if layer.get("role") in ROLES else set()
    return any(k.upper() in fields for p in layer.get("pieces") or [] for k in (p.get("attributes") or {}))


def _union_of(pieces: list[dict]):
    geoms = []
    for p in pieces:
        wkt = p.get("geometry_wkt")
        if wkt:
            try:
                geoms.append(shapely.from_wkt(wkt))
            except shapely.errors.GEOSException:
                continue
    return shapely.union_all(geoms) if geoms else None


def _redline_core_from_reserve(result: dict, layer: dict, threshold: float) -> tuple[list[dict] | None, str | None]:
    """Zones of a red-line layer without a sub-zone field, its 核心保护区 taken from the 自然保护地 layer.

    Returns (zone entries or None to keep the layer's own, a warning or None)."""
    if layer.get("role") != "eco_redline" or _has_subzone_field(layer):
        return None, None
    name = layer.get("name") or "生态保护红线"
    reserves = [x for x in result.get("layers") or [] if x.get("role") == "nature_reserve"]
    reserve_says = [x for x in reserves if _has_subzone_field(x)]
    if not reserve_says:
        return None, (f"{name}：图层无核心保护区分区字段，且未提供带功能分区的自然保护地图层，"
                      f"无法判定红线内是否涉及自然保护地核心保护区；已按{OUTSIDE_CORE}判定，须人工核实")
    total = _area_block(layer.get("area"))
    red = _union_of(layer.get("pieces") or [])
    core = _union_of([p for x in reserve_says for p in x.get("pieces") or [] if p.get("zone") == CORE])
    core_planar = float(shapely.area(shapely.intersection(red, core))) if red is not None and core is not None else 0.0
    ratio = total["ellipsoidal_m2"] / total["planar_m2"] if total["planar_m2"] else 1.0
    core_area = _zero_area()
    core_area["planar_m2"] = core_planar
    core_area["ellipsoidal_m2"] = core_planar * ratio
    for unit, factor in (("ha", 1e-4), ("mu", 15e-4)):
        core_area[f"planar_{unit}"] = core_area["planar_m2"] * factor
        core_area[f"ellipsoidal_{unit}"] = core_area["ellipsoidal_m2"] * factor
    share_total = float(layer.get("share_of_footprint") or 0.0)
    entries = []
    source = "、".join(x.get("name") or x.get("id") or "自然保护地" for x in reserve_says)
    if core_area["ellipsoidal_m2"] >= max(threshold, 1e-9):
        share = share_total * core_area["ellipsoidal_m2"] / total["ellipsoidal_m2"] if total["ellipsoidal_m2"] else 0.0
        entries.append({"zone": CORE, "status": "occupied", "area": core_area, "share_of_footprint": share,
                        "zone_from": source})
    rest = _minus(total, core_area) if entries else total
    if rest["ellipsoidal_m2"] >= max(threshold, 1e-9) or not entries:
        share = share_total - (entries[0]["share_of_footprint"] if entries else 0.0)
        status = "occupied" if rest["ellipsoidal_m2"] >= threshold else "touching"
        entries.append({"zone": OUTSIDE_CORE, "status": status, "area": rest, "share_of_footprint": max(0.0, share),
                        "zone_from": source})
    warning = (f"{name}：图层无核心保护区分区字段，核心保护区取自自然保护地图层（{source}）的核心保护区"
               + (f"，重叠 {core_area['ellipsoidal_m2']:.2f} m²" if len(entries) and entries[0]["zone"] == CORE
                  else "；项目未涉及其核心保护区"))
    return entries, warning


def _zone_entries(result: dict, layer: dict, warnings: list[str]) -> list[dict[str, Any]]:
    """(zone, status, area, share) of every zone to judge in ``layer``."""
    role = layer.get("role")
    layer_status = layer.get("status") or "not_touched"
    threshold = float(result.get("sliver_threshold_m2") or 0.0)
    entries: list[dict[str, Any]] = []
    if layer_status == "no_coverage":  # no data where the footprint lies: no zone, nothing derived (issue 13)
        return [{"zone": None, "status": "no_coverage", "area": _area_block(layer.get("area")),
                 "share_of_footprint": 0.0}]
    if role == "urban_boundary":
        share_in = float(layer.get("share_of_footprint") or 0.0) if layer_status != "not_touched" else 0.0
    if layer_status == "not_touched":
        if role != "urban_boundary":
            entries.append({"zone": None, "status": "not_touched", "area": _area_block(layer.get("area")),
                            "share_of_footprint": float(layer.get("share_of_footprint") or 0.0)})
    else:
        derived, warning = _redline_core_from_reserve(result, layer, threshold) if layer_status == "occupied" \
            else (None, None)
        if warning:
            warnings.append(warning)
        zones = layer.get("by_zone") or []
        if derived is not None:
            entries.extend(derived)
        elif not zones:
            entries.append({"zone": ROLE_NAMES_ZH.get(role, role or "?"), "status": layer_status,
                            "area": _area_block(layer.get("area")),
                            "share_of_footprint": float(layer.get("share_of_footprint") or 0.0)})
        for z in zones if derived is None else []:
            area = _area_block(z.get("area"))
            if layer_status == "touching":
                status = "touching"
            elif z.get("status") in ("occupied", "touching"):
                status = z["status"]
            else:
                status = "occupied" if area["ellipsoidal_m2"] >= threshold else "touching"
            entry = {"zone": z.get("zone") or ROLE_NAMES_ZH.get(role, role or "?"), "status": status,
                     "area": area, "share_of_footprint": float(z.get("share_of_footprint") or 0.0)}
            if warning and role == "eco_redline":
                entry["zone_warning"] = warning
            entries.append(entry)
    if role == "urban_boundary":
        fp = (result.get("footprint") or {}).get("area")
        inside = _area_block(layer.get("area")) if layer_status != "not_touched" else _zero_area()
        if isinstance(fp, dict):
            area_out = _minus(_area_block(fp), inside)
            occupied = area_out["ellipsoidal_m2"] >= max(threshold, 1e-9)
        else:
            area_out = None
            occupied = (1.0 - share_in) > 1e-9
        # a residual below the sliver threshold (floating point, or a sliver) is no zone at all
        if occupied:
            entries.append({"zone": OUTSIDE_URBAN_ZONE, "status": "occupied", "area": area_out,
                            "share_of_footprint": max(0.0, 1.0 - share_in), "derived": True})
    return entries


def _activity_block(rb: RuleBase, activity: Activity, facts: dict, answered: dict,
                    assumed: dict[str, str]) -> dict[str, Any]:
    shown = {k: facts.get(k) for k in dict.fromkeys(list(answered) + list(activity.default_facts)
                                                      + list(activity.facts) + list(assumed))}
    origin = {}
    for k in shown:
        if k in answered and answered[k] is not None:
            origin[k] = "answered"
        elif k in activity.default_facts:
            origin[k] = "activity"
        else:
            origin[k] = "unanswered"
    return {
        "id": activity.id, "name_zh": activity.name_zh, "name_en": activity.name_en,
        "group": activity.group, "groups": list(activity.all_groups),
        "redline_limited_activity": activity.redline_limited_activity,
        "national_major_project_class": activity.national_major_project_class,
        "facts": shown,
        "fact_origin": origin,
        "assumed": dict(assumed),
    }


def _layer_label(entry: dict) -> str:
    name = entry.get("layer_name") or ROLE_NAMES_ZH.get(entry.get("role"), entry.get("role"))
    zone = entry.get("zone")
    if zone == OUTSIDE_URBAN_ZONE:
        label = OUTSIDE_URBAN_ZONE
    else:
        label = f"{name}（{zone}）" if zone and zone != name else str(name)
    if entry.get("verdict_scope"):
        # the verdict is about something other than the zone (e.g. not inside an industrial park)
        return f"{entry['verdict_scope']}（位于{zone or name}）"
    return label


def _layer_label_en(entry: dict) -> str:
    name = ROLE_NAMES_EN.get(entry.get("role"), entry.get("layer_name") or entry.get("role"))
    zone = entry.get("zone")
    return f"{name} ({ZONE_EN.get(zone, zone)})" if zone else str(name)


def _ha(area: dict | None) -> str:
    return f"{(area or {}).get('ellipsoidal_ha', 0.0):.4f} 公顷"


def _urban_relation(zones: list[dict]) -> dict[str, Any] | None:
    """How the footprint relates to the urban development boundary, said once."""
    urban = [z for z in zones if z["role"] == "urban_boundary" and z["status"] != "not_touched"]
    checked = any(z["role"] == "urban_boundary" for z in zones) or bool(urban)
    if not checked:
        return None
    inside = [z for z in urban if z["zone"] != OUTSIDE_URBAN_ZONE and z["status"] == "occupied"]
    outside = [z for z in urban if z["zone"] == OUTSIDE_URBAN_ZONE]
    share_out = outside[0]["share_of_footprint"] if outside else 0.0
    if inside and outside:
        code, zh = "partly_inside", f"部分位于城镇开发边界内（{'、'.join(z['zone'] for z in inside)}），" \
                                    f"城镇开发边界外占 {share_out * 100:.1f}%"
    elif inside:
        code, zh = "inside", f"全部位于城镇开发边界内（{'、'.join(z['zone'] for z in inside)}）"
    elif outside:
        code, zh = "outside", "全部位于城镇开发边界外"
    else:
        code, zh = "touching", "仅与城镇开发边界边缘接触，位于城镇开发边界外"
    return {"code": code, "zh": zh, "share_outside": share_out}


def evaluate(result: dict, activity_id: str, facts: dict | None = None, rule_base: RuleBase | None = None,
             *, overrides: list[dict] | None = None, rule_base_error: RuleError | None = None) -> dict:
    """Verdicts of every checked control layer/zone of ``result`` for ``activity_id``.

    ``result`` is the check-result dict (docs/result_schema.md); ``layers``, ``location``,
    ``footprint.area`` and ``sliver_threshold_m2`` are read.  ``facts`` answers the activity's yes/no
    questions (e.g. ``{"unavoidable": True}``; "是"/"否" accepted); unanswered facts are decided about
    as the module docstring says.  ``rule_base`` defaults to :data:`ningxia_gis.paths.RULES_DIR`.
    ``overrides`` (officer conclusions kept from an earlier run, see :func:`record_override`) are
    re-applied.  ``rule_base_error``: the error ``reload_rule_base`` gave with a given ``rule_base`` (the
    last good one), named in the notes.  Returns a JSON-ready dict (layout in docs/rules.md).
    """
    if rule_base is None:
        rule_base, rule_base_error = reload_rule_base()
        if rule_base is None:
            raise rule_base_error  # no good rule set was ever loaded
    rb = rule_base
    activity = rb.activities.get(activity_id) or find_activity(activity_id or "", rb)
    if activity is None:
        raise InputError("rules.unknown_activity", activity=activity_id, known=", ".join(rb.activities))
    answered = parse_facts(facts or {}, rb)
    merged: dict[str, bool | None] = {f: None for f in rb.facts}
    merged.update(activity.default_facts)
    merged.update({k: v for k, v in answered.items() if v is not None})
    location = result.get("location") or None
    county = location.get("county") if isinstance(location, dict) else None

    zones_out: list[dict[str, Any]] = []
    open_questions: list[dict[str, Any]] = []
    used_rules: list[Rule] = []
    warnings: list[str] = []
    all_assumed: dict[str, str] = {}
    for layer in result.get("layers") or []:
        role = layer.get("role")
        if role not in PROTECTED_ROLES:
            continue
        for z in _zone_entries(result, layer, warnings):
            entry: dict[str, Any] = {
                "layer_id": layer.get("id"), "layer_name": layer.get("name"), "role": role,
                "zone": z["zone"], "status": z["status"], "area": z["area"],
                "share_of_footprint": z["share_of_footprint"],
            }
            if z.get("derived"):
                entry["derived"] = "项目用地中位于城镇开发边界以外的部分（项目面积 − 边界内面积）"
            if z.get("zone_from"):
                entry["zone_from"] = f"核心保护区取自自然保护地图层：{z['zone_from']}"
            if z["status"] == "not_touched":
                entry.update({
                    "verdict": NOT_AFFECTED, "verdict_en": VERDICT_EN[NOT_AFFECTED],
                    "verdict_code": BY_ZH[NOT_AFFECTED].code, "rule_id": None,
                    "rule_title": None, "rule_status": None, "quote": None, "source": None, "conditions": [],
                    "procedure": _merge_procedures([]), "reasons": ["项目范围未涉及该图层（分区）"], "trace": [],
                    "decides": False,
                })
                zones_out.append(entry)
                continue
            if z["status"] == "no_coverage":  # no data there: nothing can be concluded (issue 13)
                # an unknown occupation is not a clearance: it decides the overall verdict
                entry.update({
                    "verdict": NEEDS_JUDGMENT, "verdict_en": VERDICT_EN[NEEDS_JUDGMENT],
                    "verdict_code": BY_ZH[NEEDS_JUDGMENT].code, "rule_id": None,
                    "rule_title": None, "rule_status": None, "quote": None, "source": None, "conditions": [],
                    "procedure": _merge_procedures([]),
                    "reasons": ["项目用地位于该图层数据范围之外（无数据覆盖），不能判定是否涉及，须补充数据后人工判定"],
                    "trace": [], "decides": True,
                })
                zones_out.append(entry)
                continue
            ev = evaluate_zone(rb, role, z["zone"], activity, merged, county)
            rule: Rule | None = ev["rule"]
            verdict = ev["verdict"]
            reasons = list(ev["reasons"])
            if z.get("zone_warning"):
                reasons.append(z["zone_warning"])
            decides = z["status"] == "occupied"
            if z["status"] == "touching":
                # overlap below the sliver threshold: "touching, not occupying" - never decides
                entry["verdict_if_occupied"] = verdict
                thr = result.get("sliver_threshold_m2")
                if verdict == PROHIBITED:
                    reasons.insert(0, f"仅边界接触（重叠面积小于阈值 {thr} m²），可能为数据误差：请核实是否实际占用；"
                                      f"若占用，结论为{verdict}")
                    verdict = NEEDS_JUDGMENT
                else:
                    reasons.insert(0, f"仅边界接触（重叠面积小于阈值 {thr} m²），不构成占用；若实际占用，结论为{verdict}")
                    verdict = NOT_AFFECTED
            if z.get("derived") and rule is None:
                # the part outside the urban boundary is no protected zone: without a rule it decides nothing
                reasons = [f"城镇开发边界外：源文件对“{activity.name_zh}”在城镇开发边界外无专门规定，不影响总体结论"]
                verdict = NOT_AFFECTED
                decides = False
            entry.update({
                "verdict": verdict, "verdict_en": VERDICT_EN[verdict], "verdict_code": BY_ZH[verdict].code,
                "rule_id": rule.id if rule else None,
                "rule_title": rule.title if rule else None,
                "rule_title_en": rule.title_en if rule else None,
                "rule_status": rule.status if rule else None,
                "quote": rule.quote if rule else None,
                "gloss_en": rule.gloss_en if rule else None,
                "source": _source_block(rb, rule) if rule else None,
                "citation": _source_block(rb, rule)["citation"] if rule else None,
                "verdict_scope": rule.scope_zh if rule and rule.scope_zh and verdict != NOT_AFFECTED else None,
                "effective": rule.effective if rule else None,
                "applies_in": list(rule.applies_in) if rule else [],
                "conditions": ev["conditions"] if verdict != NOT_AFFECTED else [],
                "procedure": ev["procedure"] if verdict in (CONDITIONAL, PERMITTED) else _merge_procedures([]),
                "reasons": reasons,
                "trace": ev["trace"],
                "assumed": ev["assumed"],
                "decides": decides,
            })
            if verdict == PROHIBITED:
                entry["alternatives"] = ev["alternatives"]
            if ev["outcomes"]:
                entry["outcomes"] = ev["outcomes"]
            for a in ev["assumed"]:
                all_assumed.setdefault(a["fact"], a["label"])
            if ev["open_questions"] and verdict != NOT_AFFECTED:
                entry["open_questions"] = ev["open_questions"]
                if decides:
                    for q in ev["open_questions"]:
                        if not any(o["fact"] == q["fact"] for o in open_questions):
                            open_questions.append({k: q[k] for k in ("fact", "question_zh", "question_en", "affects")})
            if rule is not None:
                used_rules.append(rule)
            for rid in entry["procedure"]["rule_ids"]:
                r = rb.rule(rid)
                if r is not None and r not in used_rules:
                    used_rules.append(r)
            zones_out.append(entry)

    if rb.rules_for_role(PROJECT_ROLE):
        ev = evaluate_zone(rb, PROJECT_ROLE, PROJECT_ZONE, activity, merged, county)
        if ev["candidates"]:
            zones_out.append(_project_entry(rb, result, ev, used_rules, open_questions, all_assumed))
    return _finish(rb, activity, merged, answered, all_assumed, zones_out, open_questions, used_rules,
                   warnings, county, rule_base_error, overrides)


def _project_entry(rb: RuleBase, result: dict, ev: dict, used_rules: list, open_questions: list,
                   all_assumed: dict) -> dict:
    """The verdict on the project as a whole (rules of role ``project``: preconditions, approvals)."""
    rule: Rule | None = ev["rule"]
    verdict = ev["verdict"]
    fp = (result.get("footprint") or {}).get("area")
    entry = {
        "layer_id": None, "layer_name": PROJECT_ZONE, "role": PROJECT_ROLE, "zone": PROJECT_ZONE,
        "status": "occupied", "area": _area_block(fp), "share_of_footprint": 1.0,
        "verdict": verdict, "verdict_en": VERDICT_EN[verdict], "verdict_code": BY_ZH[verdict].code,
        "rule_id": rule.id if rule else None, "rule_title": rule.title if rule else None,
        "rule_title_en": rule.title_en if rule else None, "rule_status": rule.status if rule else None,
        "quote": rule.quote if rule else None, "gloss_en": rule.gloss_en if rule else None,
        "source": _source_block(rb, rule) if rule else None,
        "citation": _source_block(rb, rule)["citation"] if rule else None,
        "effective": rule.effective if rule else None, "applies_in": list(rule.applies_in) if rule else [],
        "conditions": ev["conditions"],
        "procedure": ev["procedure"] if verdict in (CONDITIONAL, PERMITTED) else _merge_procedures([]),
        "reasons": ev["reasons"], "trace": ev["trace"], "assumed": ev["assumed"], "decides": True,
    }
    if verdict == PROHIBITED:
        entry["alternatives"] = ev["alternatives"]
    if ev["outcomes"]:
        entry["outcomes"] = ev["outcomes"]
    if ev["open_questions"]:
        entry["open_questions"] = ev["open_questions"]
        for q in ev["open_questions"]:
            if not any(o["fact"] == q["fact"] for o in open_questions):
                open_questions.append({k: q[k] for k in ("fact", "question_zh", "question_en", "affects")})
    for a in ev["assumed"]:
        all_assumed.setdefault(a["fact"], a["label"])
    for rid in ([rule.id] if rule else []) + entry["procedure"]["rule_ids"]:
        r = rb.rule(rid)
        if r is not None and r not in used_rules:
            used_rules.append(r)
    return entry


def _overall(zones_out: list[dict]) -> tuple[str, list[dict]]:
    deciding = [e for e in zones_out if e.get("decides")]
    verdict = strictest(e.get("officer", {}).get("verdict") or e["verdict"] for e in deciding)
    return verdict, deciding


def _finish(rb: RuleBase, activity: Activity, merged: dict, answered: dict, assumed: dict[str, str],
            zones_out: list[dict], open_questions: list[dict], used_rules: list[Rule], warnings: list[str],
            county: str | None, rule_base_error, overrides: list[dict] | None) -> dict:
    out = {
        "activity": _activity_block(rb, activity, merged, answered, assumed),
        "zones": zones_out,
        "open_questions": open_questions,
        "location": {"county": county},
        "rule_set": {"version": rb.version, "path": rb.path, "files": list(rb.files),
                     "error": str(rule_base_error) if rule_base_error is not None else None},
        "warnings": warnings,
        "overrides": [],
    }
    notes = [
        "规则状态：seed = 引自种子文件原文（quote 为原文）；inferred = 本规则库依据种子文件条文作出的推断，"
        "仅供参考、须人工复核；external = 种子文件以外的国家法规，未在种子文件中核实。"
        "External rules are labelled as such (rule_status = external) in every output; "
        "inferred rules are labelled rule_status = inferred.",
        "本结论为辅助审查意见，不替代法定审批程序。Advisory result; it does not replace the statutory approval.",
        "总体结论只由项目实际占用的分区得出；仅边界接触的分区和无适用规则的城镇开发边界外部分不参与总体结论。",
    ]
    if rule_base_error is not None:
        notes.insert(0, f"规则库有错误，已沿用上一次有效的规则库（version {rb.version}）：{rule_base_error}")
    inferred = sorted({r.id for r in used_rules if r.status == "inferred"})
    external = sorted({r.id for r in used_rules if r.status == "external"})
    if inferred:
        notes.append("本次结论使用了推断规则（inferred）：" + "、".join(inferred))
    if external:
        notes.append("本次结论使用了外部规则（external，未在种子文件中核实）：" + "、".join(external))
    drafts = sorted({r.source.doc for r in used_rules if rb.sources.get(r.source.doc) and rb.sources[r.source.doc].draft})
    if drafts:
        notes.append("依据文件含征求意见稿：" + "、".join(drafts))
    if assumed:
        notes.append("假定的事实：" + "；".join(f"{f} {label}" for f, label in assumed.items()))
    touched_roles = {e["role"] for e in zones_out if e["verdict"] != NOT_AFFECTED}
    if county is None and any(r.applies_in for r in rb.rules if r.role in touched_roles):
        notes.append("项目所在县（区）未知：仅适用于特定县区的规则（如红寺堡区）未参与判定。")
    notes.extend(warnings)
    out["notes"] = notes
    for ov in overrides or []:
        _apply_override(out, ov)
    _summarise(out, activity)
    return out


def _summarise(out: dict, activity: Activity) -> None:
    """(Re)compute overall verdict, summary, procedures and alternatives from the zones."""
    zones_out = out["zones"]
    for e in zones_out:  # undo an earlier deferral (an override may have lifted the 禁止)
        if "deferred_procedure" in e:
            e["procedure"] = e.pop("deferred_procedure")
    overall_verdict, deciding = _overall(zones_out)
    machine_verdict = strictest(e["verdict"] for e in deciding)

    def zv(e: dict) -> str:
        return (e.get("officer") or {}).get("verdict") or e["verdict"]

    shown = [e for e in zones_out if e["verdict"] != NOT_AFFECTED or e.get("officer")]
    relation = _urban_relation(zones_out)
    if not zones_out:
        summary_zh = "未检查任何管控图层，无法给出结论。"
        summary_en = "No control layer was checked."
    elif not deciding:
        summary_zh = f"结论：{NOT_AFFECTED}。项目范围未占用所检查的管控图层。"
        summary_en = "Verdict: not affected. The footprint occupies none of the checked control layers."
    else:
        # officer-facing: no rule ids here (they stay in zones[].rule_id and the trace)
        parts = "；".join(f"{_layer_label(e)}：{zv(e)}" + ("（审查人员认定）" if e.get("officer") else "")
                         for e in deciding if zv(e) != NOT_AFFECTED)
        summary_zh = f"结论：{overall_verdict}（{activity.name_zh}）。{parts}。" if parts else \
            f"结论：{overall_verdict}（{activity.name_zh}）。"
        parts_en = "; ".join(f"{_layer_label_en(e)}: {VERDICT_EN[zv(e)]}" for e in deciding if zv(e) != NOT_AFFECTED)
        summary_en = f"Verdict: {VERDICT_EN[overall_verdict]} ({activity.name_en}). {parts_en}."
    if relation is not None:
        summary_zh += f"与城镇开发边界关系：{relation['zh']}。"
    touching = [e for e in zones_out if e["status"] == "touching" and e.get("verdict_if_occupied")]
    to_verify = [e for e in touching if e["verdict_if_occupied"] in (PROHIBITED, NEEDS_JUDGMENT)]
    if to_verify:
        summary_zh += "仅边界接触（不参与总体结论，请核实是否实际占用）：" + "、".join(
            f"{_layer_label(e)}（若占用：{e['verdict_if_occupied']}）" for e in to_verify) + "。"
    top = [e for e in deciding if zv(e) == overall_verdict]
    # seed-backed zones first, so the citation shown first is a seed rule where one says the same
    top.sort(key=lambda e: -STATUS_RANK.get(e.get("rule_status") or "", -1))

    procedures: list[dict[str, Any]] = []
    alternatives: list[str] = []
    if overall_verdict == PROHIBITED:
        for e in top:
            cit = (e.get("source") or {}).get("citation") or ""
            ref = f"依据{cit}" if cit else "依据所列规则"
            if not e.get("verdict_scope"):
                alternatives.append(f"调整选址，避让{_layer_label(e)}（{_ha(e.get('area'))}；{ref}，该部分禁止）")
            for a in e.get("alternatives") or []:
                a = f"{a}（{ref}）" if e.get("verdict_scope") else a
                if a not in alternatives:
                    alternatives.append(a)
        # no to-do list anywhere under 禁止: the procedure of a zone that could proceed waits in
        # deferred_procedure (beside, not inside, `procedure`, which is left empty)
        for e in zones_out:
            proc = e.get("procedure") or {}
            if proc.get("rule_ids") or proc.get("steps") or proc.get("exemptions"):
                e["deferred_procedure"] = proc
                e["procedure"] = _merge_procedures([])
        rest = [e for e in deciding if zv(e) in (CONDITIONAL, PERMITTED)]
        # a prohibited zone over the whole footprint leaves nothing to proceed with (the zones' geometry is
        # not known here: the remainder itself is the 避让分析's)
        whole = any((e.get("share_of_footprint") or 0.0) >= 1.0 - 1e-9 for e in top if not e.get("verdict_scope"))
        if rest and not whole:
            alternatives.append("避让后可继续办理的部分：" + "；".join(f"{_layer_label(e)}：{zv(e)}" for e in rest)
                                + "（须按各分区的条件和程序办理）")
    else:
        for e in zones_out:
            if zv(e) not in (CONDITIONAL, PERMITTED) or not e.get("decides"):
                continue
            for step in e["procedure"]["steps"]:
                found = next((p for p in procedures if p["step"] == step), None)
                if found is None:
                    found = {"step": step, "rule_ids": [], "zones": []}
                    procedures.append(found)
                for rid in e["procedure"]["rule_ids"]:
                    if rid not in found["rule_ids"]:
                        found["rule_ids"].append(rid)
                label = _layer_label(e)
                if label not in found["zones"]:
                    found["zones"].append(label)
    exemptions = []
    if overall_verdict != PROHIBITED:
        for e in deciding:
            for s in e["procedure"].get("exemptions") or []:
                if s not in exemptions:
                    exemptions.append(s)
    out["overall"] = {
        "verdict": overall_verdict,
        "verdict_en": VERDICT_EN[overall_verdict],
        "verdict_code": BY_ZH[overall_verdict].code,
        "machine_verdict": machine_verdict,
        "summary_zh": summary_zh,
        "summary_en": summary_en,
        "deciding_zones": [_layer_label(e) for e in top],
        "rule_id": top[0]["rule_id"] if top else None,
        "citation": (top[0].get("source") or {}).get("citation") if top else None,
        "urban_boundary_relation": relation,
        "touching_zones": [_layer_label(e) for e in touching],
        "overridden": any(e.get("officer") for e in zones_out),
    }
    out["procedures"] = procedures
    out["exemptions"] = exemptions
    out["alternatives"] = alternatives


# --------------------------------------------------------------------------- officer override
def _zone_key(e: dict) -> tuple:
    return (e.get("layer_id"), e.get("zone"))


def _normal_override(layer_id, zone, verdict, reason, officer=None, recorded_at=None, who=None, at=None,
                     **_) -> dict:
    """An override with its verdict checked against the vocabulary and its mandatory reason."""
    import datetime as _dt

    from ningxia_gis.domain.vocab import verdict as _vocab_verdict

    v = _vocab_verdict(verdict)
    if v is None:
        raise InputError("rules.override_unknown_verdict", verdict=verdict)
    if not reason or not str(reason).strip():
        raise InputError("rules.override_reason_missing")
    return {"layer_id": layer_id, "zone": zone, "verdict": v.zh, "verdict_en": v.en, "reason": str(reason).strip(),
            "officer": officer or who or None,
            "recorded_at": recorded_at or at or _dt.datetime.now().isoformat(timespec="seconds")}


def _apply_override(verdicts: dict, ov: dict) -> dict:
    ov = _normal_override(**ov)
    zone = next((e for e in verdicts["zones"] if _zone_key(e) == (ov["layer_id"], ov["zone"])), None)
    if zone is None:
        raise InputError("rules.override_no_zone", layer=ov["layer_id"], zone=ov["zone"])
    zone["officer"] = {k: ov[k] for k in ("verdict", "verdict_en", "reason", "officer", "recorded_at")}
    zone["officer"]["verdict_code"] = BY_ZH[ov["verdict"]].code
    zone["officer"]["machine_verdict"] = zone["verdict"]
    if zone["status"] == "occupied":
        zone["decides"] = True
    verdicts["overrides"] = [o for o in verdicts.get("overrides") or []
                             if (o["layer_id"], o["zone"]) != (ov["layer_id"], ov["zone"])] + [dict(ov)]
    return zone


def record_override(verdicts: dict, layer_id: str, zone: str | None, verdict: str, reason: str, *,
                    officer: str | None = None, recorded_at: str | None = None) -> dict:
    """Record the officer's own conclusion for one zone; the machine verdict is kept beside it.

    ``verdict`` is a verdict label or code of :mod:`ningxia_gis.domain.vocab`; ``reason`` is mandatory
    (an override without a reason raises :class:`InputError`).  The zone gets ``officer`` = {verdict,
    verdict_en, reason, officer, recorded_at, machine_verdict}; ``verdicts["overrides"]`` lists every
    override (to re-apply with ``evaluate(..., overrides=…)``); the overall verdict is recomputed with the
    officer's verdicts, ``overall.machine_verdict`` keeps the machine's.  Modifies and returns ``verdicts``.
    """
    _apply_override(verdicts, _normal_override(layer_id, zone, verdict, reason, officer, recorded_at))
    act = verdicts.get("activity") or {}
    activity = Activity(id=act.get("id", ""), name_zh=act.get("name_zh", ""), name_en=act.get("name_en", ""),
                        group=act.get("group", ""))
    _summarise(verdicts, activity)
    return verdicts
