"""Data model of the permitted-activity rule base (Qt-free, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..domain.roles import ROLES
from ..domain.vocab import (CONDITIONAL, NEEDS_JUDGMENT, NOT_AFFECTED, PERMITTED, PROHIBITED,  # noqa: F401
                            RULE_STATUSES, RULE_VERDICTS, VERDICTS, VERDICTS_STRICTEST_FIRST, strictest, strictness)

VERDICT_EN: dict[str, str] = {v.zh: v.en for v in VERDICTS}

NO_RULE_REASON = "源文件中无相应规定 (no rule in the source documents)"

PROTECTED_ROLES: tuple[str, ...] = tuple(r.id for r in ROLES.values() if r.protected)
ROLE_NAMES_ZH: dict[str, str] = {r: ROLES[r].name_zh for r in PROTECTED_ROLES} | {"project": "项目整体"}
ROLE_NAMES_EN: dict[str, str] = {r: ROLES[r].name_en for r in PROTECTED_ROLES} | {"project": "Project as a whole"}

OUTSIDE_URBAN_ZONE = "城镇开发边界外"
#: pseudo-role of rules about the project as a whole, whatever it occupies (new-energy preconditions …)
PROJECT_ROLE = "project"
PROJECT_ZONE = "项目整体"

# Normalised zone values of each role (docs/result_schema.md) plus the engine's derived
# 城镇开发边界外.  A layer without sub-zones reports the role's own name as its zone.
ROLE_ZONES: dict[str, tuple[str, ...]] = {
    "eco_redline": ("核心保护区", "核心保护区外"),
    "nature_reserve": ("核心保护区", "核心保护区外"),
    "urban_boundary": ("城镇集中建设区", "城镇弹性发展区", "特别用途区", OUTSIDE_URBAN_ZONE),
    "grassland": ("基本草原", "一般草原"),
    "cultivated_land": ("0101 水田", "0102 水浇地", "0103 旱地"),
    "permanent_basic_farmland": ("永久基本农田",),
    PROJECT_ROLE: (PROJECT_ZONE,),
}

ZONE_EN: dict[str, str] = {
    "核心保护区": "core protection zone",
    "核心保护区外": "outside the core protection zone",
    "城镇集中建设区": "centralised construction area",
    "城镇弹性发展区": "flexible development area",
    "特别用途区": "special-use area",
    "一般控制区": "general control zone",
    OUTSIDE_URBAN_ZONE: "outside the urban development boundary",
    "基本草原": "basic grassland",
    "一般草原": "general grassland",
    "0101 水田": "0101 paddy field",
    "0102 水浇地": "0102 irrigated land",
    "0103 旱地": "0103 dry land",
    "永久基本农田": "permanent basic farmland",
    PROJECT_ZONE: "the project as a whole",
}

PROCEDURE_KEYS: tuple[str, ...] = ("论证", "审核", "认定/审批")


@dataclass(frozen=True)
class SourceRef:
    doc: str
    section: str
    line: int
    line_end: int | None = None

    @property
    def last_line(self) -> int:
        return self.line_end if self.line_end is not None else self.line


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    status: str
    seed_file: str | None = None
    lines: tuple[int, int] | None = None
    title_en: str = ""
    doc_number: str | None = None
    issuer: str | None = None
    date: str | None = None
    draft: bool = False
    applies_in: tuple[str, ...] = ()
    note: str = ""
    attachment: str | None = None  # 附件N of the notice that issued it

    def to_dict(self) -> dict[str, Any]:
        return {
            "attachment": self.attachment,
            "key": self.key, "title": self.title, "title_en": self.title_en, "status": self.status,
            "seed_file": self.seed_file, "lines": list(self.lines) if self.lines else None,
            "doc_number": self.doc_number, "issuer": self.issuer, "date": self.date,
            "draft": self.draft, "applies_in": list(self.applies_in), "note": self.note,
        }


@dataclass(frozen=True)
class Procedure:
    demonstrate: str | None = None  # 论证
    review: str | None = None  # 审核
    approve: str | None = None  # 认定/审批
    attachments: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()
    other: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.demonstrate or self.review or self.approve or self.attachments or self.exempt or self.other)

    def exemptions(self) -> list[str]:
        """What the applicant is exempted from (免于论证 …): not a step, listed apart."""
        return [f"免于{name}" for name in self.exempt]

    def steps(self) -> list[str]:
        """The applicant's steps in order, as short Chinese sentences (exemptions are not steps)."""
        out: list[str] = []
        if self.demonstrate and "论证" not in self.exempt:
            out.append(f"论证：{self.demonstrate}")
        if self.review and "审核" not in self.exempt:
            out.append(f"审核：{self.review}")
        if self.approve and "认定/审批" not in self.exempt:
            out.append(f"认定/审批：{self.approve}")
        out.extend(f"附件：{a}" for a in self.attachments)
        out.extend(self.other)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "论证": self.demonstrate, "审核": self.review, "认定/审批": self.approve,
            "attachments": list(self.attachments), "exempt": list(self.exempt), "other": list(self.other),
        }

    @classmethod
    def from_dict(cls, d: dict | None) -> "Procedure":
        d = d or {}
        return cls(
            demonstrate=d.get("论证"), review=d.get("审核"), approve=d.get("认定/审批"),
            attachments=tuple(d.get("attachments") or ()), exempt=tuple(d.get("exempt") or ()),
            other=tuple(d.get("other") or ()),
        )


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str  # "verdict" | "procedure"
    title: str
    role: str
    source: SourceRef
    quote: str
    status: str  # seed | external | inferred
    title_en: str = ""
    zones: tuple[str, ...] | None = None  # None = any zone of the role
    activities: tuple[str, ...] = ()
    except_activities: tuple[str, ...] = ()
    attaches_to: tuple[str, ...] = ()
    when: dict[str, bool] = field(default_factory=dict)
    on_unknown: str = "pending"
    verdict: str | None = None
    conditions: tuple[str, ...] = ()
    procedure: Procedure = field(default_factory=Procedure)
    excludes: tuple[str, ...] = ()
    gloss_en: str = ""
    effective: str | None = None
    inference: str = ""
    applies_in: tuple[str, ...] = ()
    priority: int = 50
    note: str = ""
    file: str = ""
    line: int = 0  # line of the rule in its YAML file
    examples: tuple["Example", ...] = ()
    alternatives: tuple[str, ...] = ()  # what the officer can advise instead of a 禁止
    scope_zh: str = ""  # what the verdict is about when it is not the zone itself (工业园区以外 …)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "title": self.title, "title_en": self.title_en,
            "role": self.role, "zones": list(self.zones) if self.zones is not None else None,
            "activities": list(self.activities), "except_activities": list(self.except_activities),
            "attaches_to": list(self.attaches_to), "when": dict(self.when), "on_unknown": self.on_unknown,
            "verdict": self.verdict, "verdict_en": VERDICT_EN.get(self.verdict or "", None),
            "conditions": list(self.conditions), "procedure": self.procedure.to_dict(),
            "excludes": list(self.excludes),
            "source": {"doc": self.source.doc, "section": self.source.section, "line": self.source.line,
                       "line_end": self.source.line_end},
            "quote": self.quote, "gloss_en": self.gloss_en, "effective": self.effective,
            "status": self.status, "inference": self.inference, "applies_in": list(self.applies_in),
            "priority": self.priority, "note": self.note, "file": self.file, "file_line": self.line,
            "examples": [e.to_dict() for e in self.examples], "alternatives": list(self.alternatives),
            "scope_zh": self.scope_zh,
        }


@dataclass(frozen=True)
class Example:
    """A worked case inside a rule's YAML: activity + facts in a zone -> the expected verdict."""
    activity: str
    zone: str | None
    verdict: str
    facts: dict[str, bool] = field(default_factory=dict)
    rule: str | None = None  # the rule expected to decide (None: the rule carrying the example; "": no rule)
    county: str | None = None
    steps_contain: tuple[str, ...] = ()  # phrases the procedure steps must contain

    def to_dict(self) -> dict[str, Any]:
        return {"activity": self.activity, "zone": self.zone, "facts": dict(self.facts), "verdict": self.verdict,
                "rule": self.rule, "county": self.county, "steps_contain": list(self.steps_contain)}


@dataclass(frozen=True)
class Fact:
    id: str
    question_zh: str
    question_en: str
    default: bool | None = None


@dataclass(frozen=True)
class ActivityGroup:
    id: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Activity:
    id: str
    name_zh: str
    name_en: str
    group: str
    groups: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    redline_limited_activity: int | None = None
    national_major_project_class: int | None = None
    facts: tuple[str, ...] = ()
    default_facts: dict[str, bool] = field(default_factory=dict)

    @property
    def all_groups(self) -> tuple[str, ...]:
        out = [self.group]
        out.extend(g for g in self.groups if g != self.group)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "name_zh": self.name_zh, "name_en": self.name_en, "group": self.group,
            "groups": list(self.all_groups), "aliases": list(self.aliases),
            "redline_limited_activity": self.redline_limited_activity,
            "national_major_project_class": self.national_major_project_class,
            "facts": list(self.facts), "default_facts": dict(self.default_facts),
        }


@dataclass
class RuleBase:
    version: str
    path: str
    rules: tuple[Rule, ...]
    activities: dict[str, Activity]
    groups: dict[str, ActivityGroup]
    facts: dict[str, Fact]
    sources: dict[str, Source]
    files: list[dict[str, str]]  # [{"path", "sha256"}]
    meta: dict[str, Any] = field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    def rules_for_role(self, role: str) -> list[Rule]:
        return [r for r in self.rules if r.role == role]

    @property
    def roles(self) -> list[str]:
        seen: list[str] = []
        for r in self.rules:
            if r.role not in seen:
                seen.append(r.role)
        return seen
