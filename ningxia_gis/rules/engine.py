"""Verdict engine: check result + activity type (+ facts) -> per-zone verdicts with their legal trace.

Pure functions; the rule base is data.  For every checked control layer (``result["layers"]``, the
``admin_boundary`` layer excepted) and every zone it touches (``by_zone``), the rules of the layer's
role are tried in turn and each gets a trace line saying why it applies or not:

* a rule is *excluded* when its zone filter, activity selectors or ``applies_in`` (county) do not
  fit, or a ``when`` fact has the other value;
* it is *pending* when a ``when`` fact it needs is unknown (unless ``on_unknown: skip``);
* otherwise it *matches*.

The matching verdict rule with the highest priority (ties: the stricter verdict) decides.  A pending
rule that outranks it turns the verdict into 需人工判定 and names the question to answer.  No
matching rule at all -> 需人工判定 "源文件中无相应规定".  Procedure rules (``kind: procedure``)
attached to the deciding rule add the approval chain.  A zone that is only touched (overlap below
the sliver threshold) gets 需人工判定 with the verdict it would get if occupied.  Untouched layers
get 不涉及.  For an urban_boundary layer the part of the footprint outside the boundary
(1 - share_of_footprint) is judged as zone 城镇开发边界外.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from ningxia_gis.domain.errors import InputError

from .activities import find_activity, list_activities, resolve_facts
from .loader import load_rule_base, reload_rule_base
from .model import (
    CONDITIONAL,
    NEEDS_JUDGMENT,
    NO_RULE_REASON,
    NOT_AFFECTED,
    OUTSIDE_URBAN_ZONE,
    PERMITTED,
    PROHIBITED,
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

__all__ = ["evaluate", "evaluate_zone", "find_activity", "list_activities", "load_rule_base", "reload_rule_base"]

AREA_KEYS = ("planar_m2", "planar_ha", "planar_mu", "ellipsoidal_m2", "ellipsoidal_ha", "ellipsoidal_mu")
NON_CONTROL_ROLES = ("admin_boundary",)


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


def _match(rule: Rule, zone: str, activity: Activity, facts: dict, county: str | None,
           skip_activity: bool = False) -> tuple[str, str, list[str]]:
    """('matched' | 'excluded' | 'pending', why, unknown facts)."""
    if rule.zones is not None and zone not in rule.zones:
        return "excluded", f"分区不符：规则仅适用于{'、'.join(rule.zones)}，本区为{zone}", []
    if rule.applies_in:
        if county is None:
            return "excluded", f"仅适用于{'、'.join(rule.applies_in)}；项目所在县（区）未知，未适用", []
        if county not in rule.applies_in:
            return "excluded", f"仅适用于{'、'.join(rule.applies_in)}；项目位于{county}", []
    if not skip_activity:
        if not _selector_hits(rule.activities, activity):
            return "excluded", f"活动类型不符：规则适用于 {', '.join(rule.activities)}", []
        if rule.except_activities and _selector_hits(rule.except_activities, activity):
            return "excluded", f"活动类型被排除：{', '.join(rule.except_activities)}", []
    unknown: list[str] = []
    for name, wanted in rule.when.items():
        have = facts.get(name)
        if have is None:
            unknown.append(name)
        elif have != wanted:
            return "excluded", f"事实不符：{name} = {_yn(have)}（规则要求 {_yn(wanted)}）", []
    if unknown:
        if rule.on_unknown == "skip":
            return "excluded", f"事实未提供：{', '.join(unknown)}（本规则仅在已确认时适用）", unknown
        return "pending", f"事实未知：{', '.join(unknown)}（规则要求 " + "、".join(
            f"{n} = {_yn(rule.when[n])}" for n in unknown) + "）", unknown
    conds = [f"{n} = {_yn(v)}" for n, v in rule.when.items()]
    return "matched", "适用" + (f"（{'，'.join(conds)}）" if conds else ""), []


def _rank(rule: Rule) -> tuple:
    return (rule.priority, strictness(rule.verdict or NEEDS_JUDGMENT))


def _source_block(rb: RuleBase, rule: Rule) -> dict[str, Any]:
    src = rb.sources.get(rule.source.doc)
    return {
        "doc": rule.source.doc,
        "title": src.title if src else None,
        "doc_number": src.doc_number if src else None,
        "issuer": src.issuer if src else None,
        "date": src.date if src else None,
        "section": rule.source.section,
        "line": rule.source.line,
        "line_end": rule.source.line_end,
        "file": src.seed_file if src else None,
        "status": src.status if src else None,
        "draft": bool(src.draft) if src else False,
    }


def _merge_procedures(procs: list[tuple[str, Procedure]]) -> dict[str, Any]:
    out: dict[str, Any] = {"论证": None, "审核": None, "认定/审批": None, "attachments": [], "exempt": [],
                           "other": [], "steps": [], "rule_ids": []}
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
    for name in out["exempt"]:
        if name in ("论证", "审核", "认定/审批"):
            out[name] = None
    return out


def evaluate_zone(rb: RuleBase, role: str, zone: str, activity: Activity, facts: dict,
                  county: str | None) -> dict[str, Any]:
    """Verdict for one zone of one role (no area bookkeeping): verdict, rule, trace, procedure…"""
    rules = rb.rules_for_role(role)
    verdict_rules = [r for r in rules if r.kind == "verdict"]
    proc_rules = [r for r in rules if r.kind == "procedure"]
    matched: list[Rule] = []
    pending: list[tuple[Rule, list[str]]] = []
    trace_map: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for r in verdict_rules:
        state, why, unknown = _match(r, zone, activity, facts, county)
        trace_map[r.id] = {"rule_id": r.id, "matched": state == "matched", "why": why, "state": state}
        order.append(r.id)
        if state == "matched":
            matched.append(r)
        elif state == "pending":
            pending.append((r, unknown))
    matched.sort(key=_rank, reverse=True)
    winner = matched[0] if matched else None
    for r in matched[1:]:
        trace_map[r.id]["why"] += f"；但被优先级更高的 {winner.id}（{winner.verdict}）取代"
        trace_map[r.id]["state"] = "superseded"
    outranking = [(r, u) for r, u in pending if winner is None or _rank(r) > _rank(winner)]
    # highest priority first; among equals the more permissive outcome is shown as the rule to confirm
    outranking.sort(key=lambda ru: (-ru[0].priority, strictness(ru[0].verdict or NEEDS_JUDGMENT)))
    for r, _u in pending:
        if (r, _u) not in outranking:
            trace_map[r.id]["why"] += f"；优先级低于已适用的 {winner.id}，不影响结论"

    reasons: list[str] = []
    open_questions: list[dict[str, Any]] = []
    decisive: Rule | None = None
    verdict: str
    if outranking:
        decisive, unknown = outranking[0]
        verdict = NEEDS_JUDGMENT
        all_unknown: list[str] = []
        for _r, unk in outranking:
            all_unknown.extend(f for f in unk if f not in all_unknown)
        questions = "；".join(f"{f}：{rb.facts[f].question_zh}" for f in all_unknown if f in rb.facts)
        reasons.append(f"须先确认：{questions}")
        for r, unk in outranking:
            reasons.append("若确认 " + "、".join(f"{f} = {_yn(r.when[f])}" for f in unk)
                           + f"，则适用 {r.id}：{r.title}（{r.verdict}）")
        if winner is not None:
            reasons.append(f"若以上均不适用，则适用 {winner.id}：{winner.title}（{winner.verdict}）")
        for r, unk in outranking:
            for f in unk:
                if any(q["fact"] == f for q in open_questions):
                    continue
                open_questions.append({"fact": f, "question_zh": rb.facts[f].question_zh if f in rb.facts else f,
                                       "question_en": rb.facts[f].question_en if f in rb.facts else f,
                                       "rule_id": r.id})
        trace_map[decisive.id]["why"] += "；待确认事实，结论暂为需人工判定"
    elif winner is not None:
        decisive = winner
        verdict = winner.verdict or NEEDS_JUDGMENT
        trace_map[winner.id]["why"] += "；选定（优先级最高）"
        reasons.append(f"适用 {winner.id}：{winner.title}")
    else:
        verdict = NEEDS_JUDGMENT
        reasons.append(NO_RULE_REASON)
        known = ROLE_ZONES.get(role)
        if known and zone not in known:
            reasons.append(f"图层未区分管控分区（分区“{zone}”不是 {'、'.join(known)} 之一），无法确定适用哪条规则")

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

    # procedure rules attach to the deciding rule when the verdict lets the project proceed
    procs: list[tuple[str, Procedure]] = []
    if decisive is not None and verdict in (CONDITIONAL, PERMITTED):
        procs.append((decisive.id, decisive.procedure))
    for p in proc_rules:
        entry = {"rule_id": p.id, "matched": False, "why": "", "state": "excluded"}
        trace_map[p.id] = entry
        order.append(p.id)
        if decisive is None or verdict not in (CONDITIONAL, PERMITTED):
            entry["why"] = f"程序规则未附加：结论为{verdict}"
            continue
        if not any(fnmatch.fnmatchcase(decisive.id, pat) for pat in p.attaches_to):
            entry["why"] = f"程序规则仅附加于 {', '.join(p.attaches_to)}，本结论依据 {decisive.id}"
            continue
        if p.id in decisive.excludes:
            entry["why"] = f"被 {decisive.id} 排除" + ("（免于论证）" if "论证" in decisive.procedure.exempt else "")
            continue
        state, why, unknown = _match(p, zone, activity, facts, county, skip_activity=True)
        entry["why"] = why
        entry["state"] = state
        if state == "matched":
            entry["matched"] = True
            procs.append((p.id, p.procedure))
        elif state == "pending":
            reasons.append(f"审批程序待定：须确认 " + "、".join(
                f"{f}（{rb.facts[f].question_zh}）" for f in unknown if f in rb.facts)
                + f"，以确定是否适用 {p.id}：{p.title}")
            for f in unknown:
                open_questions.append({"fact": f, "question_zh": rb.facts[f].question_zh if f in rb.facts else f,
                                       "question_en": rb.facts[f].question_en if f in rb.facts else f,
                                       "rule_id": p.id})
    procedure = _merge_procedures(procs)
    trace = [{"rule_id": trace_map[i]["rule_id"], "matched": trace_map[i]["matched"],
              "state": trace_map[i]["state"], "why": trace_map[i]["why"]} for i in order]
    return {
        "verdict": verdict,
        "rule": decisive,
        "conditions": list(decisive.conditions) if decisive is not None else [],
        "procedure": procedure,
        "reasons": reasons,
        "trace": trace,
        "open_questions": open_questions,
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


def _outside_area(result: dict, layer: dict, share_out: float) -> dict[str, float] | None:
    fp = (result.get("footprint") or {}).get("area")
    if not isinstance(fp, dict):
        return None
    inside = _area_block(layer.get("area"))
    total = _area_block(fp)
    return {k: max(0.0, total[k] - inside[k]) for k in AREA_KEYS}


def _zone_entries(result: dict, layer: dict) -> list[dict[str, Any]]:
    """(zone, status, area, share) of every zone to judge in ``layer``."""
    role = layer.get("role")
    layer_status = layer.get("status") or "not_touched"
    threshold = float(result.get("sliver_threshold_m2") or 0.0)
    entries: list[dict[str, Any]] = []
    if layer_status in ("not_touched", "no_coverage"):
        entries.append({"zone": None, "status": layer_status, "area": _area_block(layer.get("area")),
                        "share_of_footprint": float(layer.get("share_of_footprint") or 0.0)})
    else:
        zones = layer.get("by_zone") or []
        if not zones:
            entries.append({"zone": ROLE_NAMES_ZH.get(role, role or "?"), "status": layer_status,
                            "area": _area_block(layer.get("area")),
                            "share_of_footprint": float(layer.get("share_of_footprint") or 0.0)})
        for z in zones:
            area = _area_block(z.get("area"))
            if layer_status == "touching":
                status = "touching"
            elif z.get("status") in ("occupied", "touching"):
                status = z["status"]
            else:
                status = "occupied" if area["ellipsoidal_m2"] >= threshold else "touching"
            entries.append({"zone": z.get("zone") or ROLE_NAMES_ZH.get(role, role or "?"), "status": status,
                            "area": area, "share_of_footprint": float(z.get("share_of_footprint") or 0.0)})
    if role == "urban_boundary":
        share_in = float(layer.get("share_of_footprint") or 0.0)
        share_out = max(0.0, 1.0 - share_in)
        area_out = _outside_area(result, layer, share_out)
        if area_out is not None:
            occupied = area_out["ellipsoidal_m2"] >= max(threshold, 1e-9)
            touching = not occupied and area_out["ellipsoidal_m2"] > 0
        else:
            occupied = share_out > 1e-9
            touching = False
        status = "occupied" if occupied else "touching" if touching else "not_touched"
        entries.append({"zone": OUTSIDE_URBAN_ZONE, "status": status, "area": area_out,
                        "share_of_footprint": share_out, "derived": True})
    return entries


def _activity_block(rb: RuleBase, activity: Activity, facts: dict) -> dict[str, Any]:
    shown = {k: v for k, v in facts.items() if v is not None or k in activity.facts}
    return {
        "id": activity.id, "name_zh": activity.name_zh, "name_en": activity.name_en,
        "group": activity.group, "groups": list(activity.all_groups),
        "redline_limited_activity": activity.redline_limited_activity,
        "national_major_project_class": activity.national_major_project_class,
        "facts": shown,
    }


def _layer_label(entry: dict) -> str:
    name = entry.get("layer_name") or ROLE_NAMES_ZH.get(entry.get("role"), entry.get("role"))
    zone = entry.get("zone")
    return f"{name}（{zone}）" if zone and zone != name else str(name)


def _layer_label_en(entry: dict) -> str:
    name = ROLE_NAMES_EN.get(entry.get("role"), entry.get("layer_name") or entry.get("role"))
    zone = entry.get("zone")
    return f"{name} ({ZONE_EN.get(zone, zone)})" if zone else str(name)


def evaluate(result: dict, activity_id: str, facts: dict | None = None, rule_base: RuleBase | None = None) -> dict:
    """Verdicts of every checked control layer/zone of ``result`` for ``activity_id``.

    ``result`` is the check-result dict (docs/result_schema.md); only ``layers``, ``location``,
    ``footprint.area`` and ``sliver_threshold_m2`` are read.  ``facts`` answers the activity's
    yes/no questions (e.g. ``{"unavoidable": True, "new_construction_land": True}``; strings such
    as "是"/"否" are accepted).  ``rule_base`` defaults to :data:`ningxia_gis.paths.RULES_DIR`.
    Returns a JSON-ready dict (layout in docs/rules.md).
    """
    rule_base_error = None
    if rule_base is None:
        rule_base, rule_base_error = reload_rule_base()
        if rule_base is None:
            raise rule_base_error  # no good rule set was ever loaded
    rb = rule_base
    activity = rb.activities.get(activity_id) or find_activity(activity_id or "", rb)
    if activity is None:
        raise InputError(f"unknown activity type '{activity_id}' (see `ningxia-gis rules activities`; "
                         f"known ids: {', '.join(rb.activities)})")
    merged = resolve_facts(activity, facts, rb)
    location = result.get("location") or None
    county = location.get("county") if isinstance(location, dict) else None

    zones_out: list[dict[str, Any]] = []
    open_questions: list[dict[str, Any]] = []
    used_rules: list[Rule] = []
    for layer in result.get("layers") or []:
        role = layer.get("role")
        if role in NON_CONTROL_ROLES:
            continue
        for z in _zone_entries(result, layer):
            entry: dict[str, Any] = {
                "layer_id": layer.get("id"), "layer_name": layer.get("name"), "role": role,
                "zone": z["zone"], "status": z["status"], "area": z["area"],
                "share_of_footprint": z["share_of_footprint"],
            }
            if z.get("derived"):
                entry["derived"] = "1 - share_of_footprint（城镇开发边界以外部分）"
            if z["status"] == "not_touched":
                entry.update({
                    "verdict": NOT_AFFECTED, "verdict_en": VERDICT_EN[NOT_AFFECTED], "rule_id": None,
                    "rule_title": None, "rule_status": None, "quote": None, "source": None, "conditions": [],
                    "procedure": _merge_procedures([]), "reasons": ["项目范围未涉及该图层（分区）"], "trace": [],
                })
                zones_out.append(entry)
                continue
            if z["status"] == "no_coverage":  # no data there: nothing can be concluded (issue 13)
                entry.update({
                    "verdict": NEEDS_JUDGMENT, "verdict_en": VERDICT_EN[NEEDS_JUDGMENT], "rule_id": None,
                    "rule_title": None, "rule_status": None, "quote": None, "source": None, "conditions": [],
                    "procedure": _merge_procedures([]),
                    "reasons": ["项目用地位于该图层数据范围之外（无数据覆盖），不能判定是否涉及，须补充数据后人工判定"],
                    "trace": [],
                })
                zones_out.append(entry)
                continue
            ev = evaluate_zone(rb, role, z["zone"], activity, merged, county)
            rule: Rule | None = ev["rule"]
            verdict = ev["verdict"]
            reasons = list(ev["reasons"])
            if z["status"] == "touching":
                # overlap below the sliver threshold: "touching, not occupying"
                entry["verdict_if_occupied"] = verdict
                thr = result.get("sliver_threshold_m2")
                if verdict == PROHIBITED:
                    reasons.insert(0, f"仅边界接触（重叠面积小于阈值 {thr} m²），可能为数据误差：请核实是否实际占用；"
                                      f"若占用，结论为{verdict}")
                    verdict = NEEDS_JUDGMENT
                else:
                    reasons.insert(0, f"仅边界接触（重叠面积小于阈值 {thr} m²），不构成占用；若实际占用，结论为{verdict}")
                    verdict = NOT_AFFECTED
            entry.update({
                "verdict": verdict, "verdict_en": VERDICT_EN[verdict],
                "rule_id": rule.id if rule else None,
                "rule_title": rule.title if rule else None,
                "rule_title_en": rule.title_en if rule else None,
                "rule_status": rule.status if rule else None,
                "quote": rule.quote if rule else None,
                "gloss_en": rule.gloss_en if rule else None,
                "source": _source_block(rb, rule) if rule else None,
                "effective": rule.effective if rule else None,
                "applies_in": list(rule.applies_in) if rule else [],
                "conditions": ev["conditions"], "procedure": ev["procedure"], "reasons": reasons,
                "trace": ev["trace"],
            })
            if ev["open_questions"]:
                entry["open_questions"] = ev["open_questions"]
                for q in ev["open_questions"]:
                    if not any(o["fact"] == q["fact"] for o in open_questions):
                        open_questions.append({k: q[k] for k in ("fact", "question_zh", "question_en")})
            if rule is not None:
                used_rules.append(rule)
            for rid in ev["procedure"]["rule_ids"]:
                r = rb.rule(rid)
                if r is not None and r not in used_rules:
                    used_rules.append(r)
            zones_out.append(entry)

    overall_verdict = strictest(e["verdict"] for e in zones_out)
    affected = [e for e in zones_out if e["verdict"] != NOT_AFFECTED]
    if not zones_out:
        summary_zh = "未检查任何管控图层，无法给出结论。"
        summary_en = "No control layer was checked."
    elif not affected:
        summary_zh = f"结论：{NOT_AFFECTED}。项目范围未涉及所检查的管控图层。"
        summary_en = "Verdict: not affected. The footprint touches none of the checked control layers."
    else:
        parts = "；".join(f"{_layer_label(e)}：{e['verdict']}" + (f"〔{e['rule_id']}〕" if e["rule_id"] else "")
                         for e in affected)
        summary_zh = f"结论：{overall_verdict}（{activity.name_zh}）。{parts}。"
        parts_en = "; ".join(f"{_layer_label_en(e)}: {e['verdict_en']}" for e in affected)
        summary_en = f"Verdict: {VERDICT_EN[overall_verdict]} ({activity.name_en}). {parts_en}."
    deciding = [e for e in affected if e["verdict"] == overall_verdict]

    procedures: list[dict[str, Any]] = []
    for e in zones_out:
        if e["verdict"] not in (CONDITIONAL, PERMITTED):
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

    notes = [
        "规则状态：seed = 引自种子文件原文（quote 为原文）；inferred = 本规则库依据种子文件条文作出的推断，"
        "仅供参考、须人工复核；external = 种子文件以外的国家法规，未在种子文件中核实。"
        "External rules are labelled as such (rule_status = external) in every output; "
        "inferred rules are labelled rule_status = inferred.",
        "本结论为辅助审查意见，不替代法定审批程序。Advisory result; it does not replace the statutory approval.",
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
    touched_roles = {e["role"] for e in affected}
    if county is None and any(r.applies_in for r in rb.rules if r.role in touched_roles):
        notes.append("项目所在县（区）未知：仅适用于特定县区的规则（如红寺堡区）未参与判定。")

    return {
        "activity": _activity_block(rb, activity, merged),
        "overall": {
            "verdict": overall_verdict,
            "verdict_en": VERDICT_EN[overall_verdict],
            "summary_zh": summary_zh,
            "summary_en": summary_en,
            "deciding_zones": [_layer_label(e) for e in deciding],
        },
        "zones": zones_out,
        "procedures": procedures,
        "open_questions": open_questions,
        "location": {"county": county},
        "rule_set": {"version": rb.version, "path": rb.path, "files": list(rb.files),
                     "error": str(rule_base_error) if rule_base_error is not None else None},
        "notes": notes,
    }
