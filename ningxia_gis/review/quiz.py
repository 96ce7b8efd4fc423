"""Trainer mode that teaches: the scenario library (sample_layers/training_cases.toml) and a Qt-free quiz.

    cases = load_training_cases()
    quiz = Quiz.start(cases, n=5, seed=1, trainee="张三")
    for q in quiz.questions(case_id):                  # the zones to judge
        fb = quiz.answer(case_id, q.key, "有条件允许", ["论证", "认定/审批"])
        print(fb.points, fb.explanation_zh)            # the answer, the clause, the difference
    quiz.answer_overall(case_id, "禁止")
    quiz.score(); quiz.write_xlsx("成绩.xlsx")

The expected answers are data (the library); ``check_case`` compares them with the rule engine (the
tests run it on every case). The GUI drives the same ``Quiz`` object.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..core.catalog import Catalog, load_catalog
from ..core.check import CheckResult
from ..core.files import atomic_output
from ..domain.errors import InputError
from ..domain.vocab import VERDICTS, strictness, verdict as vocab_verdict
from ..paths import SAMPLE_CATALOG, SAMPLE_LAYERS
from .request import ReviewRequest

TRAINING_CASES = SAMPLE_LAYERS / "training_cases.toml"
PROCEDURE_STAGES = ("论证", "审核", "认定/审批")
VERDICT_CHOICES = tuple(v.zh for v in VERDICTS)
ALWAYS_LAYERS = ("xzq",)  # the county decides county rules (红寺堡区 …)
POINTS = {"verdict": 2, "procedure": 1, "overall": 1}


@dataclass(frozen=True)
class ZoneExpectation:
    layer: str
    zone: str
    verdict: str
    status: str = "occupied"
    rule: str | None = None
    source: str | None = None
    clause: str | None = None
    procedure: tuple[str, ...] | None = None  # None: not part of the expectation
    questions: tuple[str, ...] = ()
    pending: str | None = None

    @property
    def key(self) -> str:
        return f"{self.layer}|{self.zone}"


@dataclass(frozen=True)
class TrainingCase:
    id: str
    title_zh: str
    footprint: Path
    activity: str
    overall: str
    facts: dict = field(default_factory=dict)
    layers: tuple[str, ...] | None = None
    zones: tuple[ZoneExpectation, ...] = ()
    teaching_zh: str = ""
    pending: str | None = None


def _bad(path: Path, reason: str) -> InputError:
    return InputError("quiz.cases_file", path=path, reason=reason)


def _chain(value, path: Path, where: str) -> tuple[str, ...]:
    steps = tuple(value)
    if any(s not in PROCEDURE_STAGES for s in steps):
        raise _bad(path, f"{where}: procedure must be a subset of {list(PROCEDURE_STAGES)}")
    return tuple(s for s in PROCEDURE_STAGES if s in steps)


def load_training_cases(path: str | Path = TRAINING_CASES) -> list[TrainingCase]:
    """The scenario library; a malformed file raises InputError naming the case."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _bad(p, str(exc)) from None
    out, seen = [], set()
    for i, c in enumerate(data.get("case", []), 1):
        where = f"case #{i} {c.get('id', '')}".strip()
        try:
            for need in ("id", "title_zh", "footprint", "activity", "overall"):
                if need not in c:
                    raise _bad(p, f"{where}: missing {need!r}")
            if c["id"] in seen:
                raise _bad(p, f"{where}: duplicate id")
            seen.add(c["id"])
            for v in [c["overall"]] + [z["verdict"] for z in c.get("zones", [])]:
                if v not in VERDICT_CHOICES:
                    raise _bad(p, f"{where}: unknown verdict {v!r}")
            zones = tuple(ZoneExpectation(
                layer=z["layer"], zone=z["zone"], verdict=z["verdict"], status=z.get("status", "occupied"),
                rule=z.get("rule"), source=z.get("source"), clause=z.get("clause"),
                procedure=_chain(z["procedure"], p, where) if "procedure" in z else None,
                questions=tuple(z.get("questions", ())), pending=z.get("pending")) for z in c.get("zones", []))
        except KeyError as exc:
            raise _bad(p, f"{where}: missing {exc}") from None
        fp = (p.parent / c["footprint"]).resolve()
        if not fp.exists():
            raise _bad(p, f"{where}: footprint not found: {fp.name}")
        out.append(TrainingCase(id=c["id"], title_zh=c["title_zh"], footprint=fp, activity=c["activity"],
                                overall=c["overall"], facts=dict(c.get("facts", {})),
                                layers=tuple(c["layers"]) if "layers" in c else None, zones=zones,
                                teaching_zh=c.get("teaching_zh", ""), pending=c.get("pending")))
    return out


def find_case(cases: list[TrainingCase], case_id: str) -> TrainingCase:
    for c in cases:
        if c.id == case_id:
            return c
    raise InputError("quiz.unknown_case", case=case_id)


# ------------------------------------------------------------------------------------------------
# running a case


def case_catalog(case: TrainingCase, catalog: Catalog | None = None) -> Catalog:
    """The catalog restricted to the case's layers (and the county layer); no rasters."""
    cat = catalog or load_catalog(SAMPLE_CATALOG)
    if case.layers is None:
        return cat
    keep = set(case.layers) | set(ALWAYS_LAYERS)
    return dataclasses.replace(cat, layers=[s for s in cat.layers if s.id in keep], rasters=[], _sources={})


def run_case(case: TrainingCase, catalog: Catalog | None = None) -> CheckResult:
    from .pipeline import build_request, run_review

    req = build_request(case.footprint, case_catalog(case, catalog), activity=case.activity, facts=case.facts)
    return run_review(ReviewRequest(req.footprint, req.catalog, activity=req.activity, facts=req.facts))


def procedure_chain(zone_entry: dict) -> tuple[str, ...]:
    """The approval stages (论证 / 审核 / 认定/审批) an engine zone entry requires; under an overall 禁止 the
    engine keeps a proceeding zone's procedure in ``deferred_procedure`` (its ``procedure`` is left empty)."""
    proc = zone_entry.get("deferred_procedure") or zone_entry.get("procedure") or {}
    return tuple(s for s in PROCEDURE_STAGES if proc.get(s))


def engine_zone(result: CheckResult, layer: str, zone: str) -> dict | None:
    for z in (result.data.get("verdicts") or {}).get("zones", []):
        if z["layer_id"] == layer and z.get("zone") == zone:
            return z
    return None


@dataclass
class Mismatch:
    what: str  # "overall", "stbhhx|核心保护区外 verdict" …
    expected: object
    got: object
    pending: str | None = None


def check_case(case: TrainingCase, result: CheckResult) -> list[Mismatch]:
    """Every difference between the case's expectations and the rule engine's result."""
    out: list[Mismatch] = []
    v = result.data["verdicts"]
    if v["overall"]["verdict"] != case.overall:
        out.append(Mismatch("overall", case.overall, v["overall"]["verdict"], case.pending))
    for e in case.zones:
        pending = e.pending or case.pending
        z = engine_zone(result, e.layer, e.zone)
        if z is None:
            out.append(Mismatch(f"{e.key}", "zone present", "zone absent", pending))
            continue
        src = z.get("source") or {}
        checks = [("status", e.status, z["status"]), ("verdict", e.verdict, z["verdict"])]
        if e.rule is not None:
            checks.append(("rule", e.rule, z.get("rule_id")))
        if e.source is not None:
            checks.append(("source", e.source, src.get("doc")))
        if e.clause is not None:
            checks.append(("clause", e.clause, src.get("section")))
        if e.procedure is not None:
            checks.append(("procedure", e.procedure, procedure_chain(z)))
        if e.questions:
            got = tuple(dict.fromkeys(q["fact"] for q in z.get("open_questions") or []))
            checks.append(("questions", tuple(sorted(e.questions)), tuple(sorted(got))))
        out += [Mismatch(f"{e.key} {what}", exp, got, pending) for what, exp, got in checks if exp != got]
    return out


# ------------------------------------------------------------------------------------------------
# the quiz


@dataclass(frozen=True)
class ZoneQuestion:
    case_id: str
    key: str
    layer_name: str
    zone: str
    status: str
    area_ha: float | None

    @property
    def label(self) -> str:
        return f"{self.layer_name}（{self.zone}）" if self.zone and self.zone != self.layer_name else self.layer_name


@dataclass
class Feedback:
    """What the trainee is told after one answer."""

    case_id: str
    key: str  # zone key, or "overall"
    given_verdict: str
    expected_verdict: str
    verdict_ok: bool
    given_procedure: tuple[str, ...] = ()
    expected_procedure: tuple[str, ...] | None = None
    procedure_ok: bool | None = None
    points: int = 0
    max_points: int = 0
    clause_zh: str = ""
    explanation_zh: str = ""


def _clause_text(e: ZoneExpectation, z: dict | None) -> str:
    """'《…》（宁党办〔2023〕63号）二（一）2：「…」（规则 eco_redline.la6…）' from the engine's entry for the
    expected rule, else from the library's data."""
    if z is not None and (e.rule is None or z.get("rule_id") == e.rule) and z.get("rule_id"):
        src = z.get("source") or {}
        title = (src.get("title") or "").strip("《》")
        doc = f"《{title}》" if title else (src.get("doc") or "")
        if src.get("doc_number") and src["doc_number"] not in doc:
            doc += f"（{src['doc_number']}）"
        text = f"{doc}{src.get('section') or ''}"
        if z.get("quote"):
            text += f"：「{z['quote']}」"
        return text + f"（规则 {z['rule_id']}）"
    parts = [p for p in (e.source, e.clause) if p]
    return " ".join(parts) + (f"（规则 {e.rule}）" if e.rule else "")


def _difference(given: str, expected: str) -> str:
    if given == expected:
        return "结论正确。"
    if strictness(given) > strictness(expected):
        return f"你的结论“{given}”比规定更严格，正确结论为“{expected}”。"
    return f"你的结论“{given}”比规定更宽松，正确结论为“{expected}”。"


def _procedure_difference(given: tuple, expected: tuple) -> str:
    if given == expected:
        return "审批程序正确。" if expected else "无需审批程序，回答正确。"
    missing = [s for s in expected if s not in given]
    extra = [s for s in given if s not in expected]
    out = []
    if missing:
        out.append("缺少：" + "、".join(missing))
    if extra:
        out.append("多选：" + "、".join(extra))
    chain = " → ".join(expected) if expected else "无（不办理审批程序）"
    return f"审批程序有误（{'；'.join(out)}），正确程序：{chain}。"


class Quiz:
    """One training session: chosen cases, the trainee's answers, the score."""

    def __init__(self, cases: list[TrainingCase], *, trainee: str = "", session: str = "",
                 catalog: Catalog | None = None):
        self.cases = list(cases)
        self.trainee = trainee
        self.session = session
        self.started = _dt.datetime.now().astimezone().isoformat(timespec="seconds")
        self._catalog = catalog
        self._results: dict[str, CheckResult] = {}
        self.answers: dict[tuple[str, str], Feedback] = {}

    @classmethod
    def start(cls, cases: list[TrainingCase] | None = None, *, ids: list[str] | None = None, n: int | None = None,
              seed: int | None = None, include_pending: bool = False, **kw) -> "Quiz":
        """Pick the cases: the given ids, else ``n`` at random (``seed`` for a repeatable draw). Cases
        waiting for a rule fix (``pending``) are left out unless asked for."""
        cases = load_training_cases() if cases is None else cases
        if ids:
            chosen = [find_case(cases, i) for i in ids]
        else:
            pool = [c for c in cases if include_pending or not (c.pending or any(z.pending for z in c.zones))]
            chosen = random.Random(seed).sample(pool, min(n, len(pool))) if n else pool
        return cls(chosen, **kw)

    def case(self, case_id: str) -> TrainingCase:
        return find_case(self.cases, case_id)

    def result(self, case_id: str) -> CheckResult:
        """The check of the case (for the map, the areas and the clause texts), run once."""
        if case_id not in self._results:
            self._results[case_id] = run_case(self.case(case_id), self._catalog)
        return self._results[case_id]

    def questions(self, case_id: str) -> list[ZoneQuestion]:
        res = self.result(case_id)
        names = {x["id"]: x["name"] for x in res.data["layers"]}
        out = []
        for e in self.case(case_id).zones:
            z = engine_zone(res, e.layer, e.zone)
            area = (z or {}).get("area") or {}
            out.append(ZoneQuestion(case_id, e.key, names.get(e.layer, e.layer), e.zone, e.status,
                                    area.get("ellipsoidal_ha")))
        return out

    def _expectation(self, case_id: str, key: str) -> ZoneExpectation:
        for e in self.case(case_id).zones:
            if e.key == key:
                return e
        raise InputError("quiz.unknown_zone", case=case_id, zone=key)

    @staticmethod
    def _verdict(v: str) -> str:
        got = vocab_verdict(v)
        if got is None:
            raise InputError("quiz.bad_verdict", verdict=v, choices="、".join(VERDICT_CHOICES))
        return got.zh

    def answer(self, case_id: str, key: str, verdict: str, procedure=()) -> Feedback:
        """Score one zone: the verdict (2 points) and the approval chain (1 point)."""
        e = self._expectation(case_id, key)
        given = self._verdict(verdict)
        steps = tuple(procedure or ())
        if any(s not in PROCEDURE_STAGES for s in steps):
            raise InputError("quiz.bad_verdict", verdict="、".join(steps), choices="、".join(PROCEDURE_STAGES))
        steps = tuple(s for s in PROCEDURE_STAGES if s in steps)
        ok = given == e.verdict
        proc_ok = None if e.procedure is None else steps == e.procedure
        points = POINTS["verdict"] * ok + (POINTS["procedure"] * bool(proc_ok) if proc_ok is not None else 0)
        max_points = POINTS["verdict"] + (POINTS["procedure"] if e.procedure is not None else 0)
        clause = _clause_text(e, engine_zone(self.result(case_id), e.layer, e.zone))
        text = _difference(given, e.verdict)
        if e.procedure is not None:
            text += _procedure_difference(steps, e.procedure)
        if e.questions:
            text += "须确认的问题：" + "、".join(e.questions) + "。"
        if clause:
            text += f"依据：{clause}"
        fb = Feedback(case_id, key, given, e.verdict, ok, steps, e.procedure, proc_ok, points, max_points, clause,
                      text)
        self.answers[(case_id, key)] = fb
        return fb

    def answer_overall(self, case_id: str, verdict: str) -> Feedback:
        """Score the overall verdict of a case (1 point); the explanation is what the case teaches."""
        c = self.case(case_id)
        given = self._verdict(verdict)
        ok = given == c.overall
        text = _difference(given, c.overall).replace("结论正确。", "总体结论正确。") + c.teaching_zh
        fb = Feedback(case_id, "overall", given, c.overall, ok, points=POINTS["overall"] * ok,
                      max_points=POINTS["overall"], explanation_zh=text)
        self.answers[(case_id, "overall")] = fb
        return fb

    def max_points(self, case_id: str | None = None) -> int:
        cases = [self.case(case_id)] if case_id else self.cases
        return sum(POINTS["overall"] + sum(POINTS["verdict"] + (POINTS["procedure"] if e.procedure is not None else 0)
                                           for e in c.zones) for c in cases)

    def score(self) -> dict:
        """Points per case and in total (unanswered questions count 0)."""
        per = []
        for c in self.cases:
            got = sum(f.points for (cid, _k), f in self.answers.items() if cid == c.id)
            per.append({"case_id": c.id, "title_zh": c.title_zh, "points": got, "max_points": self.max_points(c.id),
                        "answered": sum(1 for (cid, _k) in self.answers if cid == c.id)})
        total, top = sum(p["points"] for p in per), sum(p["max_points"] for p in per)
        return {"trainee": self.trainee, "session": self.session, "points": total, "max_points": top,
                "percent": 100.0 * total / top if top else 0.0, "cases": per}

    def write_xlsx(self, path: str | Path) -> Path:
        """The score sheet (成绩汇总 + 答题明细), written atomically."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        p = Path(path)
        if p.suffix.lower() != ".xlsx":
            raise InputError("output.wrong_suffix", path=p, suffix=".xlsx", label="Excel")
        s = self.score()
        wb = Workbook()
        ws = wb.active
        ws.title = "成绩汇总"
        for row in (("学员", self.trainee), ("培训场次", self.session), ("开始时间", self.started),
                    ("得分", s["points"]), ("满分", s["max_points"]), ("得分率（%）", round(s["percent"], 2))):
            ws.append(row)
        ws.append([])
        ws.append(["案例", "名称", "得分", "满分", "已答题数"])
        for c in s["cases"]:
            ws.append([c["case_id"], c["title_zh"], c["points"], c["max_points"], c["answered"]])
        d = wb.create_sheet("答题明细")
        head = ["案例", "题目", "你的结论", "正确结论", "结论正确", "你的程序", "正确程序", "程序正确", "得分", "满分",
                "依据条款", "解析"]
        d.append(head)
        for cell in d[1]:
            cell.font = Font(bold=True)
        for (cid, key), f in self.answers.items():
            d.append([cid, "总体结论" if key == "overall" else key.replace("|", "／"), f.given_verdict,
                      f.expected_verdict, "是" if f.verdict_ok else "否", " → ".join(f.given_procedure),
                      "" if f.expected_procedure is None else (" → ".join(f.expected_procedure) or "无"),
                      "" if f.procedure_ok is None else ("是" if f.procedure_ok else "否"), f.points, f.max_points,
                      f.clause_zh, f.explanation_zh])
        with atomic_output(p) as tmp:
            wb.save(tmp)
        return p


__all__ = ["PROCEDURE_STAGES", "TRAINING_CASES", "VERDICT_CHOICES", "Feedback", "Mismatch", "Quiz", "TrainingCase",
           "ZoneExpectation", "ZoneQuestion", "case_catalog", "check_case", "find_case", "load_training_cases",
           "procedure_chain", "run_case"]
