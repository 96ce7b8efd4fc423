"""Activity vocabulary helpers: listing, lookup by id / Chinese / English name, and facts."""

from __future__ import annotations

from typing import Any, Iterable

from ningxia_gis.domain.errors import InputError

from .model import Activity, RuleBase

_TRUE = {"true", "yes", "y", "1", "是", "有", "涉及", "对", "t"}
_FALSE = {"false", "no", "n", "0", "否", "无", "不涉及", "不", "f"}
_UNKNOWN = {"", "none", "null", "unknown", "?", "未知", "不确定"}


def _rb(rule_base: RuleBase | None) -> RuleBase:
    if rule_base is not None:
        return rule_base
    from .loader import load_rule_base

    return load_rule_base()


def list_activities(rule_base: RuleBase | None = None) -> list[dict[str, Any]]:
    """All activity types as JSON-ready dicts (vocabulary order), each with its group names and
    the yes/no questions (facts) that matter for it."""
    rb = _rb(rule_base)
    out = []
    for a in rb.activities.values():
        d = a.to_dict()
        d["group_names"] = {g: rb.groups[g].name_zh for g in a.all_groups if g in rb.groups}
        d["questions"] = [
            {"fact": f, "question_zh": rb.facts[f].question_zh, "question_en": rb.facts[f].question_en}
            for f in a.facts if f in rb.facts
        ]
        out.append(d)
    return out


def find_activity(text: str, rule_base: RuleBase | None = None) -> Activity | None:
    """The activity whose id, Chinese name, English name or alias is ``text``.

    Exact matches win (id, then names, then aliases, English case-insensitive); failing that, a
    unique activity whose Chinese or English name contains ``text``.  ``None`` if nothing or
    several activities match loosely.
    """
    rb = _rb(rule_base)
    if not text:
        return None
    t = text.strip()
    tl = t.lower()
    if t in rb.activities:
        return rb.activities[t]
    acts = list(rb.activities.values())
    for a in acts:
        if t == a.name_zh or tl == a.name_en.lower() or tl == a.id.lower():
            return a
    for a in acts:
        if t in a.aliases or tl in (x.lower() for x in a.aliases):
            return a
    loose = [a for a in acts if t in a.name_zh or tl in a.name_en.lower()]
    if len(loose) == 1:
        return loose[0]
    return None


def _coerce(name: str, value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    if s in _UNKNOWN:
        return None
    raise InputError("rules.fact_not_yes_no", fact=name, value=value)


def parse_facts(items: Iterable[str] | dict | None, rule_base: RuleBase | None = None) -> dict[str, bool | None]:
    """Facts from ``["unavoidable=yes", "new_construction_land=否", "temporary"]`` or a dict.

    A bare name means true.  Unknown fact names raise :class:`InputError` listing the known ones.
    """
    rb = _rb(rule_base)
    if items is None:
        return {}
    pairs: list[tuple[str, Any]] = []
    if isinstance(items, dict):
        pairs = list(items.items())
    else:
        for item in items:
            for part in str(item).replace("，", ",").split(","):
                part = part.strip()
                if not part:
                    continue
                if "=" in part:
                    k, v = part.split("=", 1)
                elif ":" in part:
                    k, v = part.split(":", 1)
                else:
                    k, v = part, True
                pairs.append((k.strip(), v.strip() if isinstance(v, str) else v))
    out: dict[str, bool | None] = {}
    for k, v in pairs:
        if k not in rb.facts:
            raise InputError("rules.unknown_fact", fact=k, known=", ".join(rb.facts))
        out[k] = _coerce(k, v)
    return out


def resolve_facts(activity: Activity, facts: dict | None, rule_base: RuleBase | None = None) -> dict[str, bool | None]:
    """The facts the engine uses: fact defaults < the activity's default_facts < the user's answers.

    Every fact of the vocabulary is present; ``None`` = unknown.
    """
    rb = _rb(rule_base)
    user = parse_facts(facts or {}, rb)
    out: dict[str, bool | None] = {f.id: f.default for f in rb.facts.values()}
    out.update(activity.default_facts)
    for k, v in user.items():
        out[k] = v
    return out
