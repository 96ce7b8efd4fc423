"""The rule pack checks itself: ``ningxia-gis rules lint``.

* **conflicts** — two verdict rules that can both decide the same zone × activity (their ``when`` facts
  can hold together) with the same priority but different verdicts or procedures, and neither
  ``excludes`` the other: the precedence is not declared;
* **dangling** — ``excludes`` / ``attaches_to`` / example rule ids naming no rule;
* **gaps** — activity × zone cells no verdict rule covers (listed, so that a gap is a decision);
* **quotes** — every seed quote verbatim (whitespace normalised) on the cited lines of its seed file;
* **examples** — every rule's worked examples (activity, facts, zone → verdict) give what they say.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from .engine import evaluate
from .loader import build_for_lint
from .model import PROJECT_ROLE, PROJECT_ZONE, ROLE_ZONES, OUTSIDE_URBAN_ZONE, Example, Rule, RuleBase

SEEDS_ENV = "NINGXIA_GIS_SEEDS"


def seeds_dir() -> Path:
    """The seed-document folder: $NINGXIA_GIS_SEEDS, else ../shared/seeds beside the checkout."""
    env = os.environ.get(SEEDS_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "seeds"


@dataclass
class LintReport:
    rules: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    dangling: list[str] = field(default_factory=list)
    gaps: dict[str, list[str]] = field(default_factory=dict)  # "role/zone" -> activity ids
    quote_errors: list[str] = field(default_factory=list)
    quotes_checked: int = 0
    seeds: str | None = None  # folder read, None when not found
    example_failures: list[str] = field(default_factory=list)
    examples_run: int = 0

    @property
    def ok(self) -> bool:
        return not (self.conflicts or self.dangling or self.quote_errors or self.example_failures)

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "rules": self.rules, "conflicts": self.conflicts, "dangling": self.dangling,
                "gaps": self.gaps, "quote_errors": self.quote_errors, "quotes_checked": self.quotes_checked,
                "seeds": self.seeds, "example_failures": self.example_failures, "examples_run": self.examples_run}


# --------------------------------------------------------------------------- a synthetic check result
def _area(m2: float) -> dict[str, float]:
    return {"planar_m2": m2, "planar_ha": m2 / 1e4, "planar_mu": m2 * 15 / 1e4,
            "ellipsoidal_m2": m2, "ellipsoidal_ha": m2 / 1e4, "ellipsoidal_mu": m2 * 15 / 1e4}


def synthetic_result(role: str, zone: str | None, county: str | None = None, m2: float = 10_000.0) -> dict:
    """A check result whose footprint lies wholly in ``zone`` of a layer of ``role`` (for examples)."""
    layers = []
    if role == "urban_boundary" and zone == OUTSIDE_URBAN_ZONE:
        layers.append({"id": role, "name": role, "role": role, "status": "not_touched", "area": _area(0.0),
                       "share_of_footprint": 0.0, "by_zone": [], "pieces": []})
    elif role != PROJECT_ROLE:
        layers.append({"id": role, "name": role, "role": role, "status": "occupied", "area": _area(m2),
                       "share_of_footprint": 1.0, "by_zone": [{"zone": zone, "area": _area(m2), "share_of_footprint": 1.0,
                                                               "piece_count": 1, "status": "occupied"}],
                       "pieces": [{"zone": zone, "attributes": {"ZRBHDFQ": zone}}]})
    return {"schema_version": "1.0", "sliver_threshold_m2": 1.0, "footprint": {"area": _area(m2)},
            "location": {"county": county} if county else None, "layers": layers}


def run_example(rb: RuleBase, rule: Rule, ex: Example) -> str | None:
    """None when the example gives what it says, else what went wrong."""
    res = synthetic_result(rule.role, ex.zone, ex.county)
    v = evaluate(res, ex.activity, ex.facts, rule_base=rb)
    zones = [z for z in v["zones"] if z["role"] == rule.role and z["zone"] == (ex.zone or PROJECT_ZONE)]
    label = f"{rule.id}: example {ex.activity} / {ex.zone} / {ex.facts}"
    if not zones:
        return f"{label}: no verdict for the zone"
    z = zones[0]
    problems = []
    if z["verdict"] != ex.verdict:
        problems.append(f"verdict {z['verdict']} (expected {ex.verdict})")
    expected_rule = rule.id if ex.rule is None and rule.kind == "verdict" else ex.rule
    if expected_rule is not None and (z["rule_id"] or "") != expected_rule:
        problems.append(f"rule {z['rule_id']} (expected {expected_rule or 'none'})")
    if rule.kind == "procedure" and rule.id not in z["procedure"]["rule_ids"]:
        problems.append(f"procedure {rule.id} not attached (attached: {z['procedure']['rule_ids']})")
    steps = " ".join(z["procedure"]["steps"])
    for phrase in ex.steps_contain:
        if phrase not in steps:
            problems.append(f"no step with '{phrase}'")
    if z["verdict"] == "禁止" and z["procedure"]["steps"]:
        problems.append("a 禁止 zone lists procedure steps")
    return f"{label}: " + "; ".join(problems) if problems else None


# --------------------------------------------------------------------------- checks
def _hits(selectors, act) -> bool:
    groups = act.all_groups
    return any(s == "*" or s == act.id or (s.startswith("group:") and s[6:] in groups) for s in selectors)


def _applies(rule: Rule, zone: str, act, county: str | None) -> bool:
    if rule.zones is not None and zone not in rule.zones:
        return False
    if rule.applies_in and county not in rule.applies_in:
        return False
    return _hits(rule.activities, act) and not (rule.except_activities and _hits(rule.except_activities, act))


def _compatible(a: Rule, b: Rule, fixed: dict) -> bool:
    both = {**fixed}
    for r in (a, b):
        for k, v in r.when.items():
            if both.get(k, v) != v:
                return False
            both[k] = v
    return True


def _cells(rb: RuleBase):
    counties = [None] + sorted({c for r in rb.rules for c in r.applies_in})
    for role in list(dict.fromkeys([*ROLE_ZONES])):
        if not rb.rules_for_role(role):
            continue
        for zone in ROLE_ZONES[role]:
            for act in rb.activities.values():
                for county in counties:
                    yield role, zone, act, county


def check_conflicts(rb: RuleBase) -> list[dict[str, Any]]:
    out: dict[tuple, dict[str, Any]] = {}
    for role, zone, act, county in _cells(rb):
        cands = [r for r in rb.rules_for_role(role) if r.kind == "verdict" and _applies(r, zone, act, county)]
        for i, a in enumerate(cands):
            for b in cands[i + 1:]:
                if a.priority != b.priority or a.id in b.excludes or b.id in a.excludes:
                    continue
                if a.verdict == b.verdict and a.procedure == b.procedure:
                    continue
                if not _compatible(a, b, act.default_facts):
                    continue
                key = (a.id, b.id)
                if key not in out:
                    out[key] = {"rules": [a.id, b.id], "priority": a.priority, "verdicts": [a.verdict, b.verdict],
                                "example": f"{role}/{zone}/{act.id}" + (f"/{county}" if county else "")}
    return list(out.values())


def check_gaps(rb: RuleBase) -> dict[str, list[str]]:
    gaps: dict[str, list[str]] = {}
    for role, zone, act, county in _cells(rb):
        if county is not None or role == PROJECT_ROLE:  # project rules are for some activities only
            continue
        counties = [None] + sorted({c for r in rb.rules for c in r.applies_in})
        if not any(_applies(r, zone, act, c) for r in rb.rules_for_role(role) if r.kind == "verdict" for c in counties):
            gaps.setdefault(f"{role}/{zone}", []).append(act.id)
    return gaps


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def check_quotes(rb: RuleBase, seeds: Path) -> tuple[list[str], int]:
    errors: list[str] = []
    n = 0
    texts: dict[str, list[str]] = {}
    for r in rb.rules:
        src = rb.sources.get(r.source.doc)
        if src is None or src.status != "seed" or not src.seed_file:
            continue
        if src.seed_file not in texts:
            path = seeds / src.seed_file
            if not path.is_file():
                errors.append(f"{r.id}: seed file {src.seed_file} not found in {seeds}")
                texts[src.seed_file] = []
                continue
            texts[src.seed_file] = path.read_text(encoding="utf-8").split("\n")
        lines = texts[src.seed_file]
        if not lines:
            continue
        n += 1
        window = _norm("".join(lines[r.source.line - 1:r.source.last_line]))
        if _norm(r.quote) not in window:
            where = "elsewhere in the file" if _norm(r.quote) in _norm("".join(lines)) else "nowhere in the file"
            errors.append(f"{r.file}: {r.id}: quote not on lines {r.source.line}-{r.source.last_line} of "
                          f"{src.seed_file} (found {where})")
    return errors, n


def lint(path: str | Path | None = None, seeds: str | Path | None = None) -> LintReport:
    """Run every check on the rule directory ``path`` (default: the shipped rules)."""
    rb, dangling = build_for_lint(path)
    rep = LintReport(rules=len(rb.rules), dangling=dangling)
    rep.conflicts = check_conflicts(rb)
    rep.gaps = check_gaps(rb)
    folder = Path(seeds) if seeds is not None else seeds_dir()
    if folder.is_dir():
        rep.seeds = str(folder)
        rep.quote_errors, rep.quotes_checked = check_quotes(rb, folder)
    for r in rb.rules:
        for ex in r.examples:
            rep.examples_run += 1
            msg = run_example(rb, r, ex)
            if msg:
                rep.example_failures.append(msg)
        if not r.examples:
            rep.example_failures.append(f"{r.id}: no example (each rule needs at least one)")
    return rep


def format_report(rep: LintReport) -> str:
    out = [f"rules: {rep.rules}"]
    out.append(f"conflicts (same priority, no declared precedence): {len(rep.conflicts)}")
    for c in rep.conflicts:
        out.append(f"  {c['rules'][0]} ⟷ {c['rules'][1]} (priority {c['priority']}, {c['verdicts'][0]} / "
                   f"{c['verdicts'][1]}), e.g. {c['example']}")
    out.append(f"dangling references: {len(rep.dangling)}")
    out.extend(f"  {d}" for d in rep.dangling)
    if rep.seeds is None:
        out.append(f"quotes: not checked (seed folder not found; set {SEEDS_ENV})")
    else:
        out.append(f"quotes: {rep.quotes_checked} checked against {rep.seeds}, {len(rep.quote_errors)} not verbatim")
        out.extend(f"  {e}" for e in rep.quote_errors)
    out.append(f"examples: {rep.examples_run} run, {len(rep.example_failures)} failing")
    out.extend(f"  {e}" for e in rep.example_failures)
    n = sum(len(v) for v in rep.gaps.values())
    out.append(f"cells with no rule (activity × zone, listed so a gap is a decision; verdict 需人工判定): {n}")
    for cell, acts in rep.gaps.items():
        out.append(f"  {cell}: {', '.join(acts)}")
    out.append("OK" if rep.ok else "FAILED")
    return "\n".join(out)
