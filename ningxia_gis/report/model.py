"""The review report as plain data (Qt-free), built from a check result dict.

`build_report_model(data, meta)` turns the JSON result (docs/result_schema.md) into an ordered list of
sections made of simple blocks (paragraphs, tables, figures, quotes, lists). The PDF, Word and Excel
writers only lay these blocks out, so the three files always carry the same content and the same
figures. Every number shown is formatted here from the full-precision value in the result
(formats.md §5.2: m² 2 dp, 公顷 4 dp, 亩 2 dp, % 2 dp); tables keep the raw values next to the text for
the Excel export.
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath

import shapely

from .. import __version__
from ..domain import messages, vocab
from ..core.boundary_points import boundary_points
from ..core.units import m2_to_ha, m2_to_mu
from ..domain.roles import ROLES
from ..rules.cite import cite
from ..rules.model import ZONE_EN

# ------------------------------------------------------------------------------------------------
# language: the report's texts come from the message catalog (resources/messages/report_text.toml)

#: the language of the report being built ("zh" | "en"), set by build_report_model
LANG: contextvars.ContextVar[str] = contextvars.ContextVar("report_lang", default="zh")


def en() -> bool:
    return LANG.get() == "en"


def T(key: str, **kw) -> str:
    """The report text ``rpt.<key>`` in the report's language."""
    return messages.text(f"rpt.{key}", LANG.get(), **kw)


def unit(key: str) -> str:
    zh, e = vocab.UNITS[key]
    return e if en() else zh


def original(text: str) -> str:
    """Chinese source text (a quotation, a rule condition) as the English report prints it: 「…」 marks
    it as the original; the Chinese report prints it as it is."""
    text = (text or "").strip()
    return f"「{text}」" if text and en() and CJK.search(text) else text


CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

# ------------------------------------------------------------------------------------------------
# formatting (presentation only)

M2_DP, HA_DP, MU_DP, PCT_DP, COORD_DP = 2, 4, 2, 2, 3
COORD_TABLE_MAX = 300  # 界址点 rows shown in the PDF/Word; beyond this only the Excel file lists them
COORD_LIMIT = 50_000  # never build a larger coordinate table at all


def fmt_m2(v: float | None) -> str:
    return "—" if v is None else f"{v:,.{M2_DP}f}"


def fmt_ha(m2: float | None) -> str:
    return "—" if m2 is None else f"{m2_to_ha(m2):,.{HA_DP}f}"


def fmt_mu(m2: float | None) -> str:
    return "—" if m2 is None else f"{m2_to_mu(m2):,.{MU_DP}f}"


def fmt_pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.{PCT_DP}f}%"


def fmt_area_text(m2: float) -> str:
    """'79.9846 公顷（1,199.77 亩，799,845.72 平方米）' / '79.9846 ha (1,199.77 mu, 799,845.72 m²)'."""
    if en():
        return f"{fmt_ha(m2)} ha ({fmt_mu(m2)} mu, {fmt_m2(m2)} m²)"
    return f"{fmt_ha(m2)} 公顷（{fmt_mu(m2)} 亩，{fmt_m2(m2)} 平方米）"


def fmt_area_short(m2: float) -> str:
    """'79.9846 公顷（1,199.77 亩）' / '79.9846 ha (1,199.77 mu)'."""
    return f"{fmt_ha(m2)} ha ({fmt_mu(m2)} mu)" if en() else f"{fmt_ha(m2)} 公顷（{fmt_mu(m2)} 亩）"


ZH_NUMERALS = "一 二 三 四 五 六 七 八 九 十 十一 十二".split()


def fmt_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return answer(v)
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.4f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.1f}" if abs(v) < 1 else f"{v:g}"
    return str(v)


def answer(v) -> str:
    """是 / 否 / 未回答 (yes / no / not answered)."""
    zh, e = vocab.ANSWERS.get(v if isinstance(v, bool) or v is None else bool(v), vocab.ANSWERS[None])
    return e if en() else zh


STATUS_ZH = {code: s.zh for code, s in vocab.STATUSES.items()}  # the Chinese labels (status_name for either)


def status_name(code: str | None) -> str:
    return vocab.status_label(code, LANG.get())


def field_label(k: str) -> str:
    pair = vocab.FIELD_LABELS.get(k)
    return (pair[1] if en() else pair[0]) if pair else k


#: roles whose normalised zone adds information to the detail table
ZONE_COLUMN_ROLES = {"eco_redline": "col.control_zone", "nature_reserve": "col.control_zone",
                     "grassland": "col.grassland_class", "urban_boundary": "col.planning_zone"}
MAX_KEY_COLUMNS = 4  # descriptive columns in the PDF/Word detail tables (Excel gets all)



def rule_status_name(status: str | None) -> str:
    """推断规则，须人工复核 … for a rule that is not a plain seed quotation ("" for seed rules)."""
    if status == "draft":
        return T("rule_draft")
    pair = vocab.RULE_STATUSES.get(status or "")
    if pair is None or status == "seed":
        return ""
    return pair[1] if en() else pair[0]


def verdict_class(verdict: str | None) -> str:
    """The vocabulary code of a verdict label (``domain.vocab``), "none" for no verdict."""
    v = vocab.verdict(verdict)
    return v.code if v else "none"


# ------------------------------------------------------------------------------------------------
# blocks


@dataclass
class Column:
    title: str
    align: str = "l"  # "l" | "c" | "r"
    weight: float = 1.0  # relative width
    kind: str = "text"  # "text" | "m2" | "ha" | "mu" | "pct" | "int" | "coord" | "hash"


@dataclass
class Table:
    key: str  # stable id ("summary", "pieces:yjjbnt", "coords" …), also the Excel sheet's source
    title: str
    columns: list[Column]
    rows: list[list[str]]  # display text
    values: list[list] = field(default_factory=list)  # raw values (full precision) for Excel
    total: list[str] | None = None  # a closing 合计 row (display), not repeated
    total_values: list | None = None
    notes: list[str] = field(default_factory=list)
    sheet: str = ""  # Excel sheet name (≤ 31 chars)
    kv: bool = False  # a two-column label/value table without a header row
    in_document: bool = True  # False: Excel only (too long for the PDF/Word)
    row_classes: list[str] = field(default_factory=list)  # per row: "" | "sub" | "deny" | "allow" …
    xlsx_columns: list[Column] | None = None  # a wider version for Excel (all attributes)
    xlsx_values: list[list] | None = None


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # "body" | "note" | "small" | "lead" | "warning"


@dataclass
class VerdictBox:
    label: str  # "审查结论"
    verdict: str
    verdict_class: str
    text: str


@dataclass
class Figure:
    kind: str  # "location" | "overlay" | "raster" (layer_id = the raster's id)
    layer_id: str | None
    caption: str


@dataclass
class Quote:
    source: str  # "《…》（宁党办〔2023〕63号）第二条"
    text: str
    note: str = ""
    gloss: str = ""  # the English report's translation of the (Chinese) quotation


@dataclass
class Bullets:
    items: list[str]
    ordered: bool = False


@dataclass
class PageBreak:
    """Start a new page (PDF, Word)."""


@dataclass
class Signature:
    fields: list[str]  # "审查人（签字）", "复核人（签字）", "审查日期"


BLOCK_METHODS = {Table: "table", Figure: "figure", Quote: "quote", Bullets: "bullets", Paragraph: "paragraph",
                 VerdictBox: "verdict_box", Signature: "signature"}


def render_block(builder, block) -> None:
    """Call the builder's method for this block type (``builder.table(block)`` …); page breaks excepted."""
    getattr(builder, BLOCK_METHODS[type(block)])(block)


@dataclass
class Section:
    title: str
    blocks: list = field(default_factory=list)
    page_break: bool = False  # start on a new page


@dataclass
class CaseMeta:
    """Case metadata given by the reviewer (empty strings are printed as blanks to fill in)."""

    project_name: str = ""
    applicant: str = ""
    case_number: str = ""
    reviewer: str = ""
    organisation: str = ""  # 审查单位
    review_date: str = ""  # default: today
    activity: str = ""  # default: the activity of the result

    @classmethod
    def from_any(cls, meta) -> "CaseMeta":
        if meta is None:
            return cls()
        if isinstance(meta, CaseMeta):
            return meta
        known = {k: ("" if v is None else str(v)) for k, v in dict(meta).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class ReportModel:
    title: str
    meta: CaseMeta
    cover: list[tuple[str, str]]  # label → value on the cover page
    verdict: VerdictBox | None
    sections: list[Section]
    footer_left: str  # printed on every page
    generated_at: str
    synthetic: bool
    data: dict = field(repr=False, default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    base_dir: str | None = None  # resolves relative layer paths when the maps read the layer files
    lang: str = "zh"  # "zh" | "en"
    edition: str = "full"  # "full" (完整版) | "summary" (摘要版)
    _maps: dict = field(default_factory=dict, repr=False)  # rendered maps cache (see figures.py)

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables() if t.key == key)


# ------------------------------------------------------------------------------------------------
# helpers


def _text(v) -> str:
    """A verdict field (str, list, dict or None) as one line of text."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (list, tuple)):  # 「甲；乙。」, never 「甲。；乙。」
        items = [t.rstrip("。；;") for t in (_text(x) for x in v) if t]
        return "；".join(items) + ("。" if items and v and _text(v[-1]).endswith("。") else "")
    if isinstance(v, dict):
        for k in ("steps", "step", "text_zh", "name_zh", "title_zh", "text", "name", "title", "description",
                  "summary_zh", "id"):
            if v.get(k):
                return _text(v[k])
        return "；".join(f"{k}: {_text(x)}" for k, x in v.items() if x not in (None, "", [], {}))
    return str(v)


def _basename(path: str | None) -> str:
    if not path:
        return ""
    return PurePath(str(path).replace("\\", "/")).name


def _split_hash(h: str | None) -> str:
    h = h or ""
    return f"{h[:32]}\n{h[32:]}" if len(h) > 40 else h


def _area(block: dict | None) -> float:
    return float((block or {}).get("ellipsoidal_m2") or 0.0)


def _source_text(src: dict | None) -> str:
    """'《关于加强生态保护红线管理的实施意见》（宁党办〔2023〕63号）二（一）2' (``rules.cite``)."""
    if not src:
        return ""
    return src.get("citation") or cite(src)


#: a rule id as the engine writes it ("eco_redline.la6.unavoidable_linear_infrastructure")
RULE_ID = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")
#: the engine's generic notes that the report states itself (DISCLAIMER, the rule-status labels)
ENGINE_GENERIC_NOTES = ("规则状态：", "本结论为辅助审查意见")


def _officer_notes(v: dict) -> list[str]:
    """The engine's notes as the officer reads them: rule ids replaced by the rule titles (or dropped),
    the generic notes the report states in its own words left out."""
    titles = {z.get("rule_id"): z.get("rule_title") for z in v.get("zones") or [] if z.get("rule_id")}
    out = []
    for n in (_text(x) for x in v.get("notes") or []):
        if not n or n.startswith(ENGINE_GENERIC_NOTES):
            continue
        ids_only = "：" in n and re.fullmatch(rf"(?:{RULE_ID.pattern}[、，, ]*)+", n.split("：", 1)[1].strip("。 "))
        if ids_only:  # 「本次结论使用了推断规则（inferred）：id、id」
            head, ids = n.split("：", 1)
            named = [f"“{titles[i]}”" for i in RULE_ID.findall(ids) if titles.get(i)]
            if not named:
                continue
            n = f"{re.sub(r'（[a-z]+(，)?', '（', head).replace('（）', '')}：{'、'.join(named)}"
        out.append(n)
    return out


def _fact_questions() -> dict[str, str]:
    """fact id → Chinese question, from the rule base's activities.yaml (empty when unreadable)."""
    try:
        import yaml

        from ..paths import RULES_DIR

        d = yaml.safe_load((RULES_DIR / "activities.yaml").read_text(encoding="utf-8"))
        key = "question_en" if en() else "question_zh"
        return {f["id"]: f.get(key) or f.get("question_zh", f["id"]) for f in d.get("facts", [])}
    except Exception:  # noqa: BLE001 - the ids are shown instead
        return {}


# ------------------------------------------------------------------------------------------------
# 界址点


# ------------------------------------------------------------------------------------------------
# building


def _zone_number(data: dict) -> int:
    cm = (data.get("analysis_crs") or {}).get("central_meridian")
    return int(round(float(cm) / 3.0)) if cm else 0


def _project_name(data: dict, meta: CaseMeta) -> str:
    if meta.project_name:
        return meta.project_name
    for p in data["footprint"].get("parcels", []):
        for k in ("XMMC", "项目名称", "DKMC", "地块名称", "name", "NAME"):
            v = (p.get("attributes") or {}).get(k)
            if v:
                return str(v)
    return data["footprint"].get("name") or T("project_default")


def _activity_name(data: dict, meta: CaseMeta) -> str:
    if meta.activity:
        return meta.activity
    act = data.get("activity") or (data.get("verdicts") or {}).get("activity") or {}
    return (act.get("name_en") if en() else act.get("name_zh")) or act.get("name_zh") or act.get("id") or ""


def _protected_layers(data: dict) -> list[dict]:
    return [x for x in data.get("layers", []) if x.get("role") != "admin_boundary"]


def layer_name(x: dict) -> str:
    """A layer's name: the catalog's (Chinese) name, or its role's English name in the English report."""
    name = x.get("name") or x.get("layer_name") or ""
    if en():
        role = ROLES.get(x.get("role") or "")
        return role.name_en if role else name
    return name


def zone_name(zone: str | None) -> str:
    """A normalised zone (核心保护区外, 0102 水浇地 …) in the report's language."""
    if not zone:
        return ""
    return ZONE_EN.get(zone, zone) if en() else zone


def summary_sentence(data: dict) -> str:
    """'项目用地总面积 79.9846 公顷（1,199.77 亩），涉及永久基本农田 50.5544 公顷（758.32 亩，占 63.21%）…'."""
    fp_m2 = _area(data["footprint"]["area"])
    occ = [x for x in _protected_layers(data) if x.get("status") == "occupied"]
    touch = [x for x in _protected_layers(data) if x.get("status") == "touching"]
    sep = ", " if en() else "、"
    s = T("sum.total", ha=fmt_ha(fp_m2), mu=fmt_mu(fp_m2))
    if occ:
        s += T("sum.occupied", parts=sep.join(
            T("sum.part", name=layer_name(x), ha=fmt_ha(_area(x["area"])), mu=fmt_mu(_area(x["area"])),
              pct=fmt_pct(x.get("share_of_footprint"))) for x in occ))
    else:
        s += T("sum.none")
    if touch:
        s += T("sum.touching", names=sep.join(layer_name(x) for x in touch))
    return s + ("." if en() else "。")


def _info_rows(data: dict, meta: CaseMeta, project: str, activity: str, compact: bool = False) -> list:
    fp = data["footprint"]
    a = fp["area"]
    loc = data.get("location") or {}
    crs = data.get("analysis_crs") or {}
    code = f"（{loc['code']}）" if loc.get("code") and not en() else f" ({loc['code']})" if loc.get("code") else ""
    rows = [
        (T("f.project"), project),
        (T("f.applicant"), meta.applicant),
        (T("f.case_number"), meta.case_number),
        (T("f.activity"), activity or T("no_activity")),
        (T("f.county"), f"{loc.get('county', '')}{code}"),
        (T("f.area_ell"), fmt_area_text(_area(a))),
    ]
    if not compact:
        rows += [
            (T("f.area_planar"), f"{fmt_m2(a.get('planar_m2'))} {unit('m2')}"),
            (T("f.counts"), f"{fp.get('parcel_count', '')} / {fp.get('ring_count', '')} / {fp.get('vertex_count', '')}"),
            (T("f.crs"), crs.get("label", "")),
            (T("f.footprint_file"), T("f.footprint_file_value", file=_basename(fp.get("source")),
                                      crs=fp.get("input_crs", ""))),
        ]
    rows += [(T("f.reviewer"), meta.reviewer), (T("f.review_date"), meta.review_date)]
    if meta.organisation:
        rows.insert(-2, (T("f.organisation"), meta.organisation))
    return rows


def _info_table(data: dict, meta: CaseMeta, project: str, activity: str, compact: bool = False) -> Table:
    rows = _info_rows(data, meta, project, activity, compact)
    return Table("info", T("t.info"), [Column(T("col.item"), weight=1.2), Column(T("col.content"), weight=3.8)],
                 [[k, v] for k, v in rows], values=[[k, v] for k, v in rows], sheet=T("sheet.info"), kv=True)


def _summary_table(data: dict, compact: bool = False) -> Table:
    cols = [Column(T("col.layer"), weight=2.5), Column(T("col.status"), "c", 1.35),
            Column(T("col.hits"), "r", 1.0, "int"), Column(T("col.area_m2"), "r", 1.7, "m2"),
            Column(unit("ha"), "r", 1.2, "ha"), Column(unit("mu"), "r", 1.2, "mu"),
            Column(T("col.share"), "r", 1.35, "pct")]
    rows, values, classes = [], [], []
    for x in _protected_layers(data):
        m2 = _area(x["area"])
        name, st = layer_name(x), status_name(x["status"])
        rows.append([name, st, str(x.get("hit_count", 0)), fmt_m2(m2), fmt_ha(m2), fmt_mu(m2),
                     fmt_pct(x.get("share_of_footprint"))])
        values.append([name, st, x.get("hit_count", 0), m2, m2_to_ha(m2), m2_to_mu(m2), x.get("share_of_footprint")])
        classes.append("occupied" if x["status"] == "occupied" else "")
        zones = x.get("by_zone") or []
        if compact and x["status"] not in ("occupied", "touching"):
            continue
        if len(zones) > 1 or (zones and zones[0]["zone"] != x["name"] and x["role"] != "permanent_basic_farmland"):
            for z in zones:
                zm2 = _area(z["area"])
                zst = status_name(z.get("status")) if z.get("status") else ""
                rows.append([T("of_which", zone=zone_name(z["zone"])), zst, str(z.get("piece_count", "")),
                             fmt_m2(zm2), fmt_ha(zm2), fmt_mu(zm2), fmt_pct(z.get("share_of_footprint"))])
                values.append([f"{name} / {zone_name(z['zone'])}", zst, z.get("piece_count"),
                               zm2, m2_to_ha(zm2), m2_to_mu(zm2), z.get("share_of_footprint")])
                classes.append("sub")
    sliver = fmt_value(data.get("sliver_threshold_m2", 1.0))
    notes = [T("note.summary_area"), T("note.touching", sliver=sliver)]
    return Table("summary", T("t.summary"), cols, rows, values, notes=notes, sheet=T("sheet.summary"),
                 row_classes=classes)


def _piece_table(data: dict, layer: dict, fp_m2: float) -> Table:
    pieces = layer.get("pieces", [])
    role = layer["role"]
    keys: list[str] = []
    for p in pieces:
        for k in (p.get("key") or {}):
            if k not in keys:
                keys.append(k)
    # drop key columns that only repeat the feature id, or the zone
    keys = [k for k in keys if not all(str((p.get("key") or {}).get(k)) == str(p["feature_id"]) for p in pieces)]
    zone_title = T(ZONE_COLUMN_ROLES[role]) if role in ZONE_COLUMN_ROLES else None
    # 是否基本草原 (是/否) only repeats the 草原类别 column in the PDF/Word table
    repeats_zone = {"SFJBCY", "JBCY"} if role == "grassland" and zone_title else set()
    # 地类编码 + 地类名称 read as one column "0102 水浇地"
    merged = "DLBM" in keys and "DLMC" in keys
    doc_keys = [k for k in keys if not (merged and k == "DLMC") and k.upper() not in repeats_zone]
    doc_keys = doc_keys[: MAX_KEY_COLUMNS - (1 if zone_title else 0)]
    cols = [Column(T("col.no"), "c", 0.75, "int"), Column(T("col.feature_id"), "l", 2.0)]
    cols += [Column(T("col.land_use") if merged and k == "DLBM" else field_label(k), "l", 1.35 if k == "DLBM" else 1.2)
             for k in doc_keys]
    if zone_title:
        cols.append(Column(zone_title, "l", 1.1))
    cols += [Column(T("col.area_m2"), "r", 1.6, "m2"), Column(unit("ha"), "r", 1.15, "ha"),
             Column(unit("mu"), "r", 1.05, "mu"), Column(T("col.share_short"), "r", 1.1, "pct")]
    rows, values, classes = [], [], []
    for i, p in enumerate(pieces, 1):
        m2 = _area(p["area"])
        key = p.get("key") or {}
        share = m2 / fp_m2 if fp_m2 else None
        row = [str(i), str(p["feature_id"])] + [
            f"{fmt_value(key.get('DLBM'))} {fmt_value(key.get('DLMC'))}".strip() if merged and k == "DLBM"
            else fmt_value(key.get(k)) for k in doc_keys]
        if zone_title:
            row.append(zone_name(p.get("zone")))
        row += [fmt_m2(m2), fmt_ha(m2), fmt_mu(m2), fmt_pct(share)]
        rows.append(row)
        vrow = [i, p["feature_id"]] + [
            f"{fmt_value(key.get('DLBM'))} {fmt_value(key.get('DLMC'))}".strip() if merged and k == "DLBM"
            else key.get(k) for k in doc_keys] + ([p.get("zone")] if zone_title else [])
        values.append(vrow + [m2, m2_to_ha(m2), m2_to_mu(m2), share])
        classes.append("sliver" if p.get("sliver") else "")
    tm2 = _area(layer["area"])
    ncols = len(cols)
    total = ["", T("total_dissolved")] + [""] * (ncols - 6) + [fmt_m2(tm2), fmt_ha(tm2), fmt_mu(tm2),
                                                            fmt_pct(layer.get("share_of_footprint"))]
    total_values = ["", T("total_dissolved")] + [None] * (ncols - 6) + [tm2, m2_to_ha(tm2), m2_to_mu(tm2),
                                                                   layer.get("share_of_footprint")]
    notes = []
    if any(p.get("sliver") for p in pieces):
        notes.append(T("note.grey_rows", sliver=fmt_value(data.get("sliver_threshold_m2", 1.0))))
    notes.append(T("note.pieces"))
    if role in ("permanent_basic_farmland", "cultivated_land") and "KCXS" in keys:
        notes.append(T("note.gross"))
    # Excel: every key field, the zone, gross ellipsoidal and planar areas, the sliver flag
    xcols = [Column(T("col.no"), "c", 0.7, "int"), Column(T("col.feature_id"), "l", 2.0)]
    xcols += [Column(f"{field_label(k)} ({k})" if en() else f"{field_label(k)}（{k}）", "l", 1.4) for k in keys]
    xcols += [Column(T("col.zone"), "l", 1.4), Column(T("col.area_m2"), "r", 1.6, "m2"),
              Column(unit("ha"), "r", 1.2, "ha"), Column(unit("mu"), "r", 1.2, "mu"),
              Column(T("col.share_short"), "r", 1.0, "pct"), Column(T("col.planar_m2"), "r", 1.6, "m2"),
              Column(T("col.touch_only"), "c", 0.8)]
    xvals = []
    for i, p in enumerate(pieces, 1):
        m2 = _area(p["area"])
        key = p.get("key") or {}
        xvals.append([i, p["feature_id"]] + [key.get(k) for k in keys] + [
            zone_name(p.get("zone")), m2, m2_to_ha(m2), m2_to_mu(m2), m2 / fp_m2 if fp_m2 else None,
            (p.get("area") or {}).get("planar_m2"), answer(True) if p.get("sliver") else ""])
    name = layer_name(layer)
    return Table(f"pieces:{layer['id']}", T("t.pieces", name=name), cols, rows, values, total=total,
                 total_values=total_values, notes=notes, sheet=T("sheet.pieces", name=name)[:31], row_classes=classes,
                 xlsx_columns=xcols, xlsx_values=xvals)


def _coord_table(data: dict) -> Table | None:
    fp = data["footprint"]
    if not fp.get("geometry_wkt") or int(fp.get("vertex_count") or 0) > COORD_LIMIT:
        return None
    zone = _zone_number(data)
    pts = boundary_points(shapely.from_wkt(fp["geometry_wkt"]), zone)
    cols = [Column(T("col.parcel"), "c", 0.6, "int"), Column(T("col.ring"), "c", 0.6, "int"),
            Column(T("col.point"), "c", 0.8), Column(T("col.x"), "r", 2.0, "coord"), Column(T("col.y"), "r", 2.0, "coord")]
    rows = [[str(p["parcel"]), str(p["ring"]), p["name"], f"{p['x']:.{COORD_DP}f}", f"{p['y']:.{COORD_DP}f}"]
            for p in pts]
    values = [[p["parcel"], p["ring"], p["name"], p["x"], p["y"]] for p in pts]
    crs = (data.get("analysis_crs") or {}).get("label", "")
    notes = [T("note.coords", crs=crs, zone=zone)]
    in_doc = len(rows) <= COORD_TABLE_MAX
    if not in_doc:
        notes.append(T("note.coords_excel", n=len(rows), max=COORD_TABLE_MAX))
    return Table("coords", T("t.coords"), cols, rows, values, notes=notes, sheet=T("sheet.coords"), in_document=in_doc)


def _zone_label(z: dict) -> str:
    name, zone = z.get("layer_name") or z.get("layer_id") or "", z.get("zone") or ""
    if en():
        if zone == "城镇开发边界外":  # the zone says it all (as rules.engine._layer_label)
            return zone_name(zone)[:1].upper() + zone_name(zone)[1:]
        lname = layer_name(z) if z.get("role") else name
        return f"{lname} ({zone_name(zone)})" if zone and zone != name else lname
    if zone == "城镇开发边界外":
        return zone
    return f"{name}（{zone}）" if zone and zone != name else name


#: the engine's procedure step kinds (「论证：…」) → report text keys
PROCEDURE_KINDS = {"论证": "proc.justification", "审核": "proc.review", "认定/审批": "proc.approval",
                   "附件": "proc.attachment", "豁免": "proc.exemption"}


def _procedure_step(step: str) -> str:
    """「论证：县级人民政府组织论证」 → 'Justification: 「县级人民政府组织论证」' in the English report."""
    if not en():
        return step
    kind, sep, rest = step.partition("：")
    if sep and kind in PROCEDURE_KINDS:
        return f"{T(PROCEDURE_KINDS[kind])}: {original(rest)}"
    return original(step)


def _engine_label(z: dict) -> str:
    """A zone's label as the engine writes it in procedures and summaries (rules.engine._layer_label)."""
    name, zone = z.get("layer_name") or "", z.get("zone") or ""
    if zone == "城镇开发边界外":
        return zone
    return f"{name}（{zone}）" if zone and zone != name else name


def _verdict_text(z_or_overall: dict) -> str:
    verdict = z_or_overall.get("verdict") or ""
    return vocab.verdict_label(verdict, LANG.get()) if verdict else (z_or_overall.get("verdict_en") or "")


def _verdict_blocks(v: dict, compact: bool = False) -> tuple[VerdictBox, list]:
    overall = v.get("overall") or {}
    cls = verdict_class(overall.get("verdict"))
    text = _text(overall.get("summary_en") if en() else overall.get("summary_zh"))
    if overall.get("overridden"):
        text = T("officer_overall", machine=vocab.verdict_label(overall.get("machine_verdict"), LANG.get())) + text
    box = VerdictBox(T("verdict"), _verdict_text(overall) or "—", cls, text)
    blocks: list = []
    zones = v.get("zones") or []
    labels = {_engine_label(z): _zone_label(z) for z in zones}
    if zones:
        cols = [Column(T("col.layer_zone"), weight=2.1), Column(T("col.area_ha"), "r", 1.2, "ha"),
                Column(T("col.verdict"), "c", 1.6 if en() else 1.1, "verdict"),
                Column(T("col.basis" if compact else "col.rule"), "l", 2.6)]
        if not compact:
            cols.append(Column(T("col.conditions"), "l", 3.2))
        rows, values, classes = [], [], []
        for z in zones:
            if compact and z.get("verdict") == vocab.NOT_AFFECTED and not z.get("officer"):
                continue
            area = z.get("area")
            m2 = _area(area) if isinstance(area, dict) else float(area or 0.0)
            cond = original(_text(z.get("conditions")))
            st = rule_status_name(z.get("rule_status"))
            rule = (z.get("rule_title_en") if en() else z.get("rule_title")) or z.get("rule_title") or ""
            if compact:
                rule = original(_source_text(z.get("source"))) or rule
            elif st:
                rule += f" ({st})" if en() else f"（{st}）"
            name = _zone_label(z)
            verdict = _verdict_text(z)
            officer = z.get("officer")
            if officer:  # the officer's conclusion shown, the machine's kept beside it
                ov = vocab.verdict_label(officer["verdict"], LANG.get())
                cond = T("officer_zone", verdict=ov, reason=original(officer.get("reason", "")),
                         officer=officer.get("officer") or "—") + cond
                verdict = T("officer_verdict", verdict=ov, machine=verdict)
            row = [name, fmt_ha(m2), verdict, rule] + ([] if compact else [cond])
            rows.append(row)
            values.append([name, m2_to_ha(m2), verdict, rule] + ([] if compact else [cond]))
            classes.append(verdict_class((officer or z).get("verdict")))
        blocks.append(Table("verdicts", T("t.verdicts"), cols, rows, values, sheet=T("sheet.verdicts"),
                            row_classes=classes,
                            notes=[T("note.others_not_affected")] if compact and len(rows) < len(zones) else []))
    if compact:
        return box, blocks
    quotes, seen = [], set()
    for z in zones:
        q = _text(z.get("quote"))
        if not q or q in seen:
            continue
        seen.add(q)
        src = z.get("source") or {}
        # document, 文号 and article only: rule ids and seed lines stay in the JSON trace
        note = rule_status_name(z.get("rule_status"))
        source = original(_source_text(src)) or T("no_source")
        quotes.append(Quote(f"{_zone_label(z)}: {source}" if en() else f"{_zone_label(z)}：{source}", original(q),
                            note, gloss=(z.get("gloss_en") or "") if en() else ""))
    if quotes:
        blocks.append(Paragraph(T("lead.quotes"), "lead"))
        blocks.extend(quotes)
    procs: list[str] = []
    sep = ", " if en() else "、"
    for p in v.get("procedures") or []:
        t = _procedure_step(_text(p))
        if isinstance(p, dict) and p.get("zones"):
            names = sep.join(labels.get(x, original(x)) if en() else x for x in p["zones"])
            t += f" ({names})" if en() else f"（{names}）"
        if t and t not in procs:
            procs.append(t)
    if not procs:
        for z in zones:
            steps = (z.get("procedure") or {}).get("steps") if isinstance(z.get("procedure"), dict) else None
            t = "; ".join(_procedure_step(x) for x in steps) if en() and steps else original(_text(z.get("procedure")))
            if t and t not in procs:
                procs.append(t)
    if procs:
        blocks.append(Paragraph(T("lead.procedures"), "lead"))
        blocks.append(Bullets(procs, ordered=True))
    facts = (v.get("activity") or {}).get("facts") or {}
    if facts:
        q = _fact_questions()
        blocks.append(Paragraph(T("lead.facts"), "lead"))
        blocks.append(Bullets([f"{q.get(k, k)}　{answer(val) if isinstance(val, bool) or val is None else val}"
                               for k, val in facts.items()]))
    notes = [original(n) for n in _officer_notes(v)]
    if notes:
        blocks.append(Paragraph(T("lead.notes"), "lead"))
        blocks.append(Bullets(notes))
    return box, blocks


def _provenance(data: dict, generated_at: str) -> list:
    fp = data["footprint"]
    rows, values = [], []

    def add(kind, name, path, sha, origin=""):
        rows.append([kind, name, origin, _basename(path), _split_hash(sha)])
        values.append([kind, name, origin, str(path or ""), sha or ""])

    add(T("src.footprint"), original(fp.get("name", "")), fp.get("source"), fp.get("sha256"))
    # one row per layer file (a GeoPackage / GDB usually holds several layers)
    files: dict[tuple, list[dict]] = {}
    for x in data.get("layers", []):
        files.setdefault((x.get("source") or "", x.get("sha256") or ""), []).append(x)
    sep = "; " if en() else "、"
    for (src, sha), layers in files.items():
        names = sep.join(T("src.layer", name=layer_name(x) if x.get("role") != "admin_boundary" or not en()
                           else T("src.admin"), layer=(x["source_layer"] + ("，" if not en() else ", "))
                           if x.get("source_layer") else "", n=x.get("feature_count", "")) for x in layers)
        origin = "；".join(dict.fromkeys("，".join(v for v in (x.get("provider"), x.get("vintage")) if v)
                                          for x in layers if x.get("provider") or x.get("vintage")))
        rows.append([T("src.layers"), names, original(origin) or T("src.not_given"), _basename(src), _split_hash(sha)])
        values.append([T("src.layers"), names, origin, src, sha])
    for r in data.get("rasters") or []:
        add(T("src.raster"), original(r.get("name", "")), r.get("source"), r.get("sha256"))
    for i in data.get("inputs", []):
        if i.get("kind") == "catalog":
            add(T("src.catalog"), original((data.get("catalog") or {}).get("name", "")), i.get("path"), i.get("sha256"))
        elif i.get("kind") == "rules":
            add(T("src.rules"), "", i.get("path"), i.get("sha256"))
        elif i.get("kind") == "class_table":
            add(T("src.class_table"), "", i.get("path"), i.get("sha256"))
    cols = [Column(T("col.kind"), "l", 0.75), Column(T("col.name"), "l", 1.6), Column(T("col.origin"), "l", 1.2),
            Column(T("col.file"), "l", 1.3), Column("SHA-256", "l", 2.4, "hash")]
    table = Table("provenance", T("t.provenance"), cols, rows, values, sheet=T("sheet.provenance"))
    v = data.get("verdicts") or {}
    rs = v.get("rule_set") or {}
    prog = data.get("program") or {}
    lines = [
        T("method.area", step=fmt_value((data.get("area_method") or {}).get("densify_step_m", 100)),
          crs=(data.get("analysis_crs") or {}).get("label", "")),
        T("method.rounding"),
        T("method.sliver", sliver=fmt_value(data.get("sliver_threshold_m2", 1.0))),
        T("method.versions", program=f"{prog.get('name', 'ningxia_gis')} {prog.get('version', __version__)}",
          rules=rs.get("version") or T("method.no_rules"), analysed=local_time(data.get("created_at", "")),
          generated=local_time(generated_at)),
    ]
    blocks: list = [Bullets(lines), table]
    warns = [w for w in data.get("warnings", []) if w]
    for x in data.get("layers", []):
        warns += [f"{layer_name(x)}: {original(w)}" if en() else f"{x['name']}：{w}"
                  for w in x.get("warnings", []) if w and w not in data.get("warnings", [])]
    if warns:
        blocks.append(Paragraph(T("lead.warnings"), "lead"))
        blocks.append(Bullets([original(w) for w in dict.fromkeys(warns)]))
    return blocks


# ------------------------------------------------------------------------------------------------
# 栅格图层（高程/坡度、土地覆盖）

RASTER_SECTION_TITLE = "地形与地表覆盖"  # the Chinese title (T("s.rasters"))
ELEV_DP, SLOPE_DP = 2, 2
COVERED_EPS = 1e-9  # as core.raster: a share ≥ 1 − ε is full coverage


def fmt_num(v: float | None, dp: int = 2) -> str:
    return "—" if v is None else f"{v:,.{dp}f}"


def _area_cols(first: list[Column]) -> list[Column]:
    return first + [Column(T("col.area_plain_m2"), "r", 1.6, "m2"), Column(unit("ha"), "r", 1.2, "ha"),
                    Column(unit("mu"), "r", 1.1, "mu"), Column(T("col.share"), "r", 1.3, "pct")]


def raster_name(r: dict) -> str:
    """The catalog's name of a raster; the English report names it by its role."""
    if en():
        return T("raster.name_dem") if r.get("role") == "dem" else T("raster.name_landcover")
    return r.get("name") or r.get("id") or ""


def _area_cells(m2: float, share: float | None) -> tuple[list[str], list]:
    return [fmt_m2(m2), fmt_ha(m2), fmt_mu(m2), fmt_pct(share)], [m2, m2_to_ha(m2), m2_to_mu(m2), share]


def _raster_stats_table(r: dict) -> Table:
    st = r.get("stats") or {}
    cols = [Column(T("col.measure"), "l", 1.6), Column(T("col.min"), "r", 1.2), Column(T("col.mean"), "r", 1.5),
            Column(T("col.max"), "r", 1.2), Column(T("col.cells"), "r", 1.0, "int")]
    rows, values = [], []
    for key, label, dp in (("elevation_m", T("col.elevation"), ELEV_DP), ("slope_deg", T("col.slope"), SLOPE_DP)):
        s = st.get(key) or {}
        rows.append([label] + [fmt_num(s.get(k), dp) for k in ("min", "mean", "max")]
                    + [str(s.get("cell_count", ""))])
        values.append([label, s.get("min"), s.get("mean"), s.get("max"), s.get("cell_count")])
    return Table(f"raster_stats:{r['id']}", T("t.raster_stats", name=raster_name(r)), cols, rows, values,
                 notes=[T("note.raster_stats")], sheet=T("sheet.raster_stats")[:31])


def _raster_bands_table(r: dict) -> Table:
    bands = (r.get("stats") or {}).get("slope_bands") or []
    cols = _area_cols([Column(T("col.slope_band"), "l", 1.4)])
    rows, values = [], []
    for b in bands:
        m2 = _area(b.get("area"))
        text, vals = _area_cells(m2, b.get("share_of_footprint"))
        label = b.get("label") or ""
        rows.append([label] + text)
        values.append([label] + vals)
    tm2 = sum(_area(b.get("area")) for b in bands)
    tshare = sum(float(b.get("share_of_footprint") or 0.0) for b in bands)
    ttext, tvals = _area_cells(tm2, tshare)
    return Table(f"raster_slope:{r['id']}", T("t.raster_slope", name=raster_name(r)), cols, rows, values,
                 total=[T("total")] + ttext, total_values=[T("total")] + tvals, notes=[T("note.raster_slope")],
                 sheet=T("sheet.raster_slope")[:31])


def _raster_class_table(r: dict) -> Table:
    classes = r.get("classes") or []
    cols = _area_cols([Column(T("col.code"), "c", 0.7), Column(T("col.lc_class"), "l", 1.6)])
    rows, values, xvals = [], [], []
    for c in classes:
        m2 = _area(c.get("area"))
        text, vals = _area_cells(m2, c.get("share_of_footprint"))
        name = (c.get("name_en") if en() else c.get("name_zh")) or c.get("name_en") or str(c.get("code"))
        rows.append([str(c.get("code", "")), name] + text)
        values.append([c.get("code"), name] + vals)
        xvals.append([c.get("code"), name, c.get("name_en") or ""] + vals + [c.get("cell_count")])
    tm2 = sum(_area(c.get("area")) for c in classes)
    tshare = sum(float(c.get("share_of_footprint") or 0.0) for c in classes)
    ttext, tvals = _area_cells(tm2, tshare)
    xcols = _area_cols([Column(T("col.code"), "c", 0.7), Column(T("col.lc_class"), "l", 1.6),
                        Column(T("col.name_en"), "l", 1.4)])
    xcols.append(Column(T("col.cells_touched"), "r", 1.0, "int"))
    return Table(f"raster_classes:{r['id']}", T("t.raster_classes", name=raster_name(r)), cols, rows, values,
                 total=["", T("total")] + ttext, total_values=["", T("total")] + tvals, notes=[T("note.raster_classes")],
                 sheet=T("sheet.raster_classes")[:31], xlsx_columns=xcols, xlsx_values=xvals)


def _raster_blocks(data: dict, figures: list) -> list:
    """The 地形与地表覆盖 section's blocks: per raster a heading, a summary paragraph, a warning when it
    covers only part of the footprint, the map and its table(s), and the method."""
    blocks: list = []
    for n, r in enumerate(data.get("rasters") or [], 1):
        name = raster_name(r)
        share = r.get("covered_share")
        covered_m2 = _area(r.get("covered_area"))
        # no page break between rasters: a raster's tail (a table's last rows, the method) then never
        # holds a page alone; the heading moves with its lead and map (pdf.keep_headings_with_next)
        blocks.append(Paragraph(T("numbered", n=n, title=name), "heading"))
        role_name = T("raster.role_dem") if r.get("role") == "dem" else T("raster.role_landcover")
        lead = T("raster.lead", name=name, role=role_name, pct=fmt_pct(share), area=fmt_area_text(covered_m2))
        st = r.get("stats") or {}
        if r.get("role") == "dem" and st:
            e, sl = st.get("elevation_m") or {}, st.get("slope_deg") or {}
            lead += T("raster.dem_lead", emin=fmt_num(e.get("min"), ELEV_DP), emax=fmt_num(e.get("max"), ELEV_DP),
                      emean=fmt_num(e.get("mean"), ELEV_DP), smin=fmt_num(sl.get("min"), SLOPE_DP),
                      smax=fmt_num(sl.get("max"), SLOPE_DP), smean=fmt_num(sl.get("mean"), SLOPE_DP))
            steep = [a for a in st.get("slope_above") or [] if float(a.get("threshold_deg") or 0) == 25.0]
            if steep:
                lead += T("raster.steep", area=fmt_area_text(_area(steep[0].get("area"))),
                          pct=fmt_pct(steep[0].get("share_of_footprint")))
        elif r.get("role") == "landcover" and r.get("classes"):
            top = r["classes"][0]
            top_name = (top.get("name_en") if en() else top.get("name_zh")) or top.get("code")
            lead += T("raster.lc_lead", n=len(r["classes"]), name=top_name, ha=fmt_ha(_area(top.get("area"))),
                      pct=fmt_pct(top.get("share_of_footprint")))
        blocks.append(Paragraph(lead))
        if share is None or float(share) < 1 - COVERED_EPS:
            missing = max(_area((data.get("footprint") or {}).get("area")) - covered_m2, 0.0)
            blocks.append(Paragraph(T("raster.partial", name=name, pct=fmt_pct(share), ha=fmt_ha(missing),
                                      mu=fmt_mu(missing)), "warning"))
        method = r.get("method") or {}
        cell = r.get("cell_size_m")
        desc = method.get("description") if en() else (method.get("description_zh") or method.get("description", ""))
        mtext = T("raster.method", desc=(desc or "").rstrip("."))
        if r.get("role") == "dem" and method.get("slope"):
            mtext += T("raster.slope_method", slope=method["slope"] if en() else
                       (method.get("slope_zh") or method["slope"]))
        if cell:
            mtext += T("raster.cell", x=fmt_num(cell[0], 2), y=fmt_num(cell[1], 2))
            if r.get("warped"):
                mtext += T("raster.warped", crs=r.get("source_crs", ""), resampling=r.get("resampling", ""))
        mtext += T("raster.file", file=_basename(r.get("source")))
        blocks.append(Paragraph(mtext, "small"))  # before the map: never a page's only text after the table
        f = Figure("raster", r["id"], T("fig.dem" if r.get("role") == "dem" else "fig.landcover", name=name))
        figures.append(f)
        blocks.append(f)
        if r.get("role") == "dem":
            if st:
                blocks.append(_raster_stats_table(r))
                blocks.append(_raster_bands_table(r))
        elif r.get("classes"):
            blocks.append(_raster_class_table(r))
        if (r.get("role") == "dem" and not st) or (r.get("role") == "landcover" and not r.get("classes")):
            blocks.append(Paragraph(T("raster.no_stats", name=name), "note"))
        for w in r.get("warnings") or []:
            if w:
                blocks.append(Paragraph(T("hint", text=original(w)), "note"))
    return blocks


# ------------------------------------------------------------------------------------------------
# 避让分析 (review/avoidance.py)



def _avoidance_blocks(data: dict, figures: list) -> list:
    """The 避让分析 section: the sentence, the map of the remainder, the options, distances and what
    would change each verdict (all computed in review.avoidance, only formatted here)."""
    block = data.get("avoidance") or {}
    blocks: list = [Paragraph(original(block.get("sentence_zh") or ""), "lead")]
    opts = block.get("options") or []
    if block.get("recommended") is not None:
        f = Figure("avoidance", str(block["recommended"]), T("fig.avoidance"))
        figures.append(f)
        blocks.append(f)
    if opts:
        cols = [Column(T("col.avoided"), weight=2.6), Column(T("col.avoided_ha"), "r", 1.3, "ha"),
                Column(T("col.remainder_ha"), "r", 1.3, "ha"), Column(T("col.remainder_mu"), "r", 1.2, "mu"),
                Column(T("col.parts"), "r", 0.8, "int"), Column(T("col.remainder_verdict"), "c", 1.3),
                Column(T("col.edge_cleared"), "c", 1.3)]
        rows, values, classes = [], [], []
        for o in opts:
            am, rm = _area(o.get("avoided_area")), _area((o.get("remainder") or {}).get("area"))
            n = (o.get("remainder") or {}).get("part_count", 0)
            v = vocab.verdict_label(o.get("verdict"), LANG.get()) if o.get("verdict") else T("no_remainder")
            vc = vocab.verdict_label(o.get("verdict_if_edge_cleared"), LANG.get())
            label = original(o.get("label", ""))
            rows.append([label, fmt_ha(am), fmt_ha(rm), fmt_mu(rm), str(n), v, vc if o.get("edge_contact") else "—"])
            values.append([label, m2_to_ha(am), m2_to_ha(rm), m2_to_mu(rm), n, v, vc])
            classes.append(verdict_class(o.get("verdict")))
        blocks.append(Table("avoidance", T("t.avoidance"), cols, rows, values, sheet=T("sheet.avoidance"),
                            row_classes=classes, notes=[T("note.avoidance1"), T("note.avoidance2")]))
    dists = block.get("distances") or []
    if dists:
        cols = [Column(T("col.layer"), weight=2.0), Column(T("col.status"), "c", 1.1), Column(T("col.distance"), "r", 1.3),
                Column(T("col.nearest"), "l", 1.5), Column(T("col.buffer"), "r", 1.1), Column(T("col.remark"), "l", 3.2)]
        rows, values = [], []
        for d in dists:
            dist = d.get("distance_m")
            cap = d.get("cap_m") or 0
            dtext = f"{dist:,.2f}" if dist is not None else f"> {cap:,.0f}"
            buf = d.get("buffer_m")
            lname = layer_name({"name": d.get("layer_name", ""), "role": d.get("role")}) if d.get("role") else \
                original(d.get("layer_name", ""))
            st = status_name(d.get("status")) if d.get("status") else ""
            rows.append([lname, st, dtext, str(d.get("nearest_feature_id") or ""), f"{buf:g}" if buf else "—",
                         original(d.get("sentence_zh", ""))])
            values.append([lname, st, dist, d.get("nearest_feature_id"), buf, original(d.get("sentence_zh", ""))])
        blocks.append(Table("distances", T("t.distances"), cols, rows, values, sheet=T("sheet.distances"), notes=[
            T("note.distances", cap=f"{(dists[0].get('cap_m') or 0):,.0f}")]))
    what = block.get("what_if") or []
    if what:
        blocks.append(Paragraph(T("lead.what_if"), "lead"))
        items = []
        for w in what:
            role = next((x["role"] for x in data.get("layers", []) if x.get("id") == w.get("layer_id")), None)
            name = _zone_label({"role": role, **w})
            found = [c["sentence_zh"] for c in w.get("facts") or []] + [a["sentence_zh"] for a in w.get("activities") or []]
            now = vocab.verdict_label(w.get("verdict"), LANG.get())
            items.append(T("what_if_item", name=name, verdict=now) + (original("；".join(found)) if found
                                                                       else T("what_if_none")))
        blocks.append(Bullets(items))
    return blocks


# the disclaimer and the synthetic-data warning: T("disclaimer"), T("synthetic")


def result_digest(data: dict) -> str:
    """SHA-256 of a result (keys sorted); its first 12 digits in the footer tie a printed report to its case."""
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


BEIJING = _dt.timezone(_dt.timedelta(hours=8), "北京时间")


def cn_time(iso: str) -> str:
    """An ISO 8601 time as Beijing time in the report's form, 「2026年12月2日 14:30」 (text kept if unparsable)."""
    try:
        t = _dt.datetime.fromisoformat(str(iso))
    except ValueError:
        return str(iso or "")
    t = (t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)).astimezone(BEIJING)
    return f"{t.year}年{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}"


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def _beijing(t: _dt.datetime) -> _dt.datetime:
    return (t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)).astimezone(BEIJING)


def local_date(t: _dt.datetime) -> str:
    """「2026年12月2日」 / '2 December 2026' (Beijing date)."""
    t = _beijing(t)
    return f"{t.day} {MONTHS_EN[t.month - 1]} {t.year}" if en() else f"{t.year}年{t.month}月{t.day}日"


def local_time(iso: str) -> str:
    """An ISO 8601 time as Beijing time: 「2026年12月2日 14:30」 / '2 December 2026 14:30'."""
    if not en():
        return cn_time(iso)
    try:
        t = _beijing(_dt.datetime.fromisoformat(str(iso)))
    except ValueError:
        return str(iso or "")
    return f"{local_date(t)} {t.hour:02d}:{t.minute:02d}"


EDITIONS = ("full", "summary")


def build_report_model(data: dict, meta=None, *, title: str | None = None, base_dir: str | None = None,
                       now: _dt.datetime | None = None, lang: str = "zh", edition: str = "full") -> ReportModel:
    """The report for one check result.

    ``data`` is ``CheckResult.data`` or a loaded result JSON; ``meta`` a `CaseMeta` or a dict with
    project_name, applicant, case_number, reviewer, organisation, review_date, activity.
    ``base_dir`` resolves relative layer paths for the maps (e.g. the folder of the JSON file).
    ``lang`` "zh" or "en" (quotations of the Chinese policy documents stay Chinese, marked 「…」);
    ``edition`` "full" (完整版) or "summary" (摘要版: information, conclusion per zone, totals, location map,
    sign-off on 2–3 pages).
    """
    if lang not in ("zh", "en") or edition not in EDITIONS:
        raise ValueError(f"lang {lang!r} / edition {edition!r}")
    token = LANG.set(lang)
    try:
        return _build(data, meta, title, base_dir, now, lang, edition)
    finally:
        LANG.reset(token)


def _build(data, meta, title, base_dir, now, lang, edition) -> ReportModel:
    meta = CaseMeta.from_any(meta)
    now = now or _dt.datetime.now().astimezone()
    generated_at = now.isoformat(timespec="seconds")
    if not meta.review_date:
        meta = CaseMeta(**{**meta.__dict__, "review_date": local_date(now)})
    title = title or T("title")
    summary = edition == "summary"
    project = _project_name(data, meta)
    activity = _activity_name(data, meta)
    fp = data["footprint"]
    fp_m2 = _area(fp["area"])
    synthetic = bool((data.get("catalog") or {}).get("synthetic"))
    v = data.get("verdicts") or None
    nums = iter(ZH_NUMERALS if lang == "zh" else [str(n) for n in range(1, 13)])

    def heading(key: str) -> str:
        return T("section", n=next(nums), title=T(key))

    sections: list[Section] = []
    figures: list[Figure] = []
    # 一、基本信息
    sections.append(Section(heading("s.info"), [_info_table(data, meta, project, activity, compact=summary)]))
    # 二、结论
    s2 = Section(heading("s.conclusion"))
    verdict_box = None
    if v:
        verdict_box, vblocks = _verdict_blocks(v, compact=summary)
        s2.blocks.append(verdict_box)
        s2.blocks.append(Paragraph(summary_sentence(data)))
        s2.blocks.extend(vblocks)
    else:
        s2.blocks.append(Paragraph(summary_sentence(data)))
        s2.blocks.append(Paragraph(T("no_verdicts"), "note"))
    if lang == "en" and not summary:
        s2.blocks.append(Paragraph(T("originals_note"), "note"))
    s2.blocks.append(Paragraph(T("disclaimer"), "small"))
    s2.blocks.append(Signature([T("sign.reviewer"), T("sign.checker"), T("sign.date")]))
    sections.append(s2)
    # 三、汇总
    sections.append(Section(heading("s.summary"), [_summary_table(data, compact=summary)]))
    # 四、位置
    fig = Figure("location", None, T("fig.location"))
    figures.append(fig)
    loc = data.get("location") or {}
    lon, lat = fp["centroid_lonlat"]
    sections.append(Section(heading("s.location"), [
        Paragraph(T("location", county=loc.get("county") or T("county_unknown"), lon=f"{lon:.5f}", lat=f"{lat:.5f}")),
        fig]))  # no forced page break: the map (one table cell) moves to the next page by itself
    if not summary:
        _full_sections(data, sections, figures, heading, fp_m2, generated_at)

    cover = [(T("f.project"), project), (T("f.applicant"), meta.applicant), (T("f.case_number"), meta.case_number),
             (T("f.activity"), activity or "—"), (T("f.county"), loc.get("county") or ""),
             (T("f.area"), fmt_area_short(fp_m2)),
             (T("f.organisation"), meta.organisation), (T("f.reviewer"), meta.reviewer),
             (T("f.review_date"), meta.review_date)]
    footer = "　".join(t for t in (T("footer.case", case=meta.case_number) if meta.case_number else "", project,
                                  T("footer.digest", digest=result_digest(data)[:12]),
                                  T("edition_summary") if summary else "") if t)
    return ReportModel(title=title, meta=meta, cover=cover, verdict=verdict_box, sections=sections,
                       footer_left=footer, generated_at=generated_at, synthetic=synthetic, data=data,
                       figures=figures, base_dir=base_dir, lang=lang, edition=edition)


def _full_sections(data: dict, sections: list, figures: list, heading, fp_m2: float, generated_at: str) -> None:
    """The 完整版's sections after the location: overlay maps and detail tables per touched layer, avoidance,
    terrain and land cover, 界址点, method and data sources."""
    s5 = Section(heading("s.details"), page_break=True)
    touched = [x for x in _protected_layers(data) if x.get("status") in ("occupied", "touching")]
    for n, x in enumerate(touched, 1):
        m2 = _area(x["area"])
        if n > 1:
            s5.blocks.append(PageBreak())
        name = layer_name(x)
        s5.blocks.append(Paragraph(T("numbered", n=n, title=name), "heading"))
        s5.blocks.append(Paragraph(T("details.occupied" if x["status"] == "occupied" else "details.touching",
                                     name=name, n=x.get("hit_count", 0), area=fmt_area_text(m2),
                                     pct=fmt_pct(x.get("share_of_footprint")))))
        f = Figure("overlay", x["id"], T("fig.overlay", name=name))
        figures.append(f)
        s5.blocks.append(f)
        s5.blocks.append(_piece_table(data, x, fp_m2))
    if not touched:
        s5.page_break = False
        s5.blocks.append(Paragraph(T("details.none")))
    sections.append(s5)
    if data.get("avoidance"):
        sections.append(Section(heading("s.avoidance"), _avoidance_blocks(data, figures), page_break=True))
    if data.get("rasters"):
        sections.append(Section(heading("s.rasters"), _raster_blocks(data, figures), page_break=True))
    ct = _coord_table(data)
    # a short table follows on the same page (a long one starts its own): no page half empty before it
    s6 = Section(heading("s.coords"), page_break=ct is not None and ct.in_document and len(ct.rows) > 30)
    if ct is None:
        s6.blocks.append(Paragraph(T("coords.too_many"), "note"))
    else:
        s6.blocks.append(ct)
    sections.append(s6)
    sections.append(Section(heading("s.provenance"), _provenance(data, generated_at),
                            page_break=ct is not None and ct.in_document and len(ct.rows) > 30))


def summary_edition(model: ReportModel) -> ReportModel:
    """The 摘要版 of a report (same data, case details, language and time)."""
    now = _dt.datetime.fromisoformat(model.generated_at)
    return build_report_model(model.data, model.meta, base_dir=model.base_dir, now=now, lang=model.lang,
                              edition="summary")
