"""The one table of verdicts, overlay statuses, rule statuses and case fields.

Every front end (CLI text, app, PDF/DOCX/XLSX report) renders from these tables; the rule engine emits
the verdict labels defined here (the Chinese label is the value stored in the result JSON)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    code: str  # stable English id, used by styles and tests
    zh: str  # the value in the result JSON
    en: str
    strictness: int  # 4 = strictest
    bg: str  # light background colour (tables, badges)
    fg: str  # dark text colour
    mark: str  # one character for terminals


VERDICTS: tuple[Verdict, ...] = (
    Verdict("prohibited", "禁止", "prohibited", 4, "#f8d0cc", "#a01010", "✗"),
    Verdict("needs_judgment", "需人工判定", "needs human judgment", 3, "#fde3b5", "#8a4b00", "?"),
    Verdict("conditional", "有条件允许", "conditionally permitted", 2, "#fff3b0", "#6b5a00", "△"),
    Verdict("permitted", "允许", "permitted", 1, "#cdebd3", "#0b6b2a", "✓"),
    Verdict("not_affected", "不涉及", "not affected", 0, "#ececec", "#555555", "–"),
)
BY_ZH: dict[str, Verdict] = {v.zh: v for v in VERDICTS}
BY_CODE: dict[str, Verdict] = {v.code: v for v in VERDICTS}

PROHIBITED, NEEDS_JUDGMENT, CONDITIONAL, PERMITTED, NOT_AFFECTED = (v.zh for v in VERDICTS)
VERDICTS_STRICTEST_FIRST: tuple[str, ...] = tuple(v.zh for v in VERDICTS)
#: verdicts a rule may give (不涉及 is the engine's, for zones the footprint does not touch)
RULE_VERDICTS: tuple[str, ...] = (PROHIBITED, CONDITIONAL, PERMITTED, NEEDS_JUDGMENT)


def verdict(label: str | None) -> Verdict | None:
    """The vocabulary entry of a verdict given by its Chinese label or its code."""
    if label is None:
        return None
    return BY_ZH.get(label) or BY_CODE.get(label)


def strictness(label: str) -> int:
    """0 for 不涉及 … 4 for 禁止."""
    v = verdict(label)
    if v is None:
        raise KeyError(f"unknown verdict {label!r}")
    return v.strictness


def strictest(labels) -> str:
    """The strictest of the given verdict labels (不涉及 when there are none)."""
    best = NOT_AFFECTED
    for label in labels:
        if label and strictness(label) > strictness(best):
            best = label
    return best


def verdict_label(label: str | None, lang: str = "zh") -> str:
    v = verdict(label)
    if v is None:
        return label or ""
    return v.en if lang == "en" else v.zh


@dataclass(frozen=True)
class Status:
    code: str
    zh: str
    en: str
    colour: str


#: how a footprint relates to one layer (result JSON ``layers[].status``)
STATUSES: dict[str, Status] = {s.code: s for s in (
    Status("occupied", "占用", "occupied", "#c0392b"),
    Status("touching", "相接（未占用）", "touching only", "#b9770e"),
    Status("not_touched", "未涉及", "not touched", "#7f8c8d"),
    Status("no_coverage", "无数据覆盖", "no data coverage", "#5d6d7e"),
)}


def status_label(code: str | None, lang: str = "zh") -> str:
    s = STATUSES.get(code or "")
    if s is None:
        return code or ""
    return s.en if lang == "en" else s.zh


#: rule status → (zh, en); 'seed' rules quote the seed documents, the others are labelled as such
RULE_STATUSES: dict[str, tuple[str, str]] = {
    "seed": ("源文件", "seed document"),
    "inferred": ("推断规则，须人工复核", "inferred rule, to be reviewed by a person"),
    "external": ("外部法规，未在种子文件中核实", "external regulation, not verified in the seed documents"),
}

#: case metadata printed in reports and kept in review cases: key → (zh, en)
CASE_FIELDS: dict[str, tuple[str, str]] = {
    "case_number": ("案卷编号", "case number"),
    "project_name": ("项目名称", "project name"),
    "applicant": ("申请单位", "applicant"),
    "reviewer": ("审查人", "reviewer"),
    "organisation": ("审查单位", "reviewing organisation"),
    "review_date": ("审查日期", "review date"),
}

#: area units and answers as the reports print them: key → (zh, en)
UNITS: dict[str, tuple[str, str]] = {"m2": ("平方米", "m²"), "ha": ("公顷", "ha"), "mu": ("亩", "mu"),
                                     "m": ("米", "m"), "km": ("千米", "km")}
ANSWERS: dict[object, tuple[str, str]] = {True: ("是", "yes"), False: ("否", "no"), None: ("未回答", "not answered")}

#: column titles of the national field names (三调, 三区三线, 草原, 自然保护地): field → (zh, en)
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "BSM": ("标识码", "Identifier"), "HXBM": ("红线编码", "Red-line code"), "HXMC": ("红线名称", "Name"),
    "HXLX": ("红线类型", "Type"), "LHLX": ("类型", "Type"), "ZRBHDMC": ("保护地名称", "Name"),
    "ZRBHDJB": ("保护地级别", "Level"), "ZRBHDLX": ("保护地类型", "Protected-area type"),
    "ZRBHDFQ": ("功能分区", "Zone"), "YJJBNTTBBH": ("永久基本农田图斑编号", "Farmland parcel no."),
    "DLBM": ("地类编码", "Land-use code"), "DLMC": ("地类名称", "Land-use name"),
    "KCXS": ("扣除系数", "Deduction factor"), "ZLDWMC": ("坐落单位", "Village / unit"), "TBBH": ("图斑编号", "Parcel no."),
    "QSXZ": ("权属性质", "Ownership"), "GHFQDM": ("规划分区代码", "Planning zone code"),
    "GHFQMC": ("规划分区", "Planning zone"), "CYBH": ("草原编号", "Grassland no."), "CYLX": ("草原类型", "Grassland type"),
    "SFJBCY": ("是否基本草原", "Basic grassland"), "XZQDM": ("行政区代码", "Division code"),
    "XZQMC": ("行政区名称", "Division name"), "MC": ("名称", "Name"), "GDDB": ("耕地等别", "Farmland grade"),
    "SJNF": ("数据年份", "Data year"),
}
