"""The review report as plain data (Qt-free), built from a check result dict.

`build_report_model(data, meta)` turns the JSON result (docs/result_schema.md) into an ordered list of
sections made of simple blocks (paragraphs, tables, figures, quotes, lists). The PDF, Word and Excel
writers only lay these blocks out, so the three files always carry the same content and the same
figures. Every number shown is formatted here from the full-precision value in the result
(formats.md §5.2: m² 2 dp, 公顷 4 dp, 亩 2 dp, % 2 dp); tables keep the raw values next to the text for
the Excel export.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath

import shapely

from .. import __version__
from ..domain import vocab
from ..core.boundary_points import boundary_points
from ..core.units import m2_to_ha, m2_to_mu
from ..domain.vocab import STATUSES
from ..rules.cite import cite

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
    """'79.9846 公顷（1,199.77 亩，799,845.72 平方米）'."""
    return f"{fmt_ha(m2)} 公顷（{fmt_mu(m2)} 亩，{fmt_m2(m2)} 平方米）"


def fmt_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.4f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.1f}" if abs(v) < 1 else f"{v:g}"
    return str(v)


STATUS_ZH = {code: s.zh for code, s in vocab.STATUSES.items()}
YES_NO = {True: "是", False: "否", None: "未回答"}

#: Chinese column titles for the national field names (三调, 三区三线, 草原, 自然保护地)
FIELD_LABELS = {
    "BSM": "标识码", "HXBM": "红线编码", "HXMC": "红线名称", "HXLX": "红线类型", "LHLX": "类型",
    "ZRBHDMC": "保护地名称", "ZRBHDJB": "保护地级别", "ZRBHDLX": "保护地类型", "ZRBHDFQ": "功能分区",
    "YJJBNTTBBH": "永久基本农田图斑编号", "DLBM": "地类编码", "DLMC": "地类名称", "KCXS": "扣除系数",
    "ZLDWMC": "坐落单位", "TBBH": "图斑编号", "QSXZ": "权属性质", "GHFQDM": "规划分区代码",
    "GHFQMC": "规划分区", "CYBH": "草原编号", "CYLX": "草原类型", "SFJBCY": "是否基本草原",
    "XZQDM": "行政区代码", "XZQMC": "行政区名称", "MC": "名称", "GDDB": "耕地等别", "SJNF": "数据年份",
}
#: roles whose normalised zone adds information to the detail table
ZONE_COLUMN_ROLES = {"eco_redline": "管控分区", "nature_reserve": "管控分区", "grassland": "草原类别",
                     "urban_boundary": "规划分区"}
MAX_KEY_COLUMNS = 4  # descriptive columns in the PDF/Word detail tables (Excel gets all)

RULE_STATUS_ZH = {k: zh for k, (zh, _) in vocab.RULE_STATUSES.items() if k != "seed"} | {"draft": "草案"}


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
        return {f["id"]: f.get("question_zh", f["id"]) for f in d.get("facts", [])}
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
    return data["footprint"].get("name") or "建设项目"


def _activity_name(data: dict, meta: CaseMeta) -> str:
    if meta.activity:
        return meta.activity
    act = data.get("activity") or (data.get("verdicts") or {}).get("activity") or {}
    return act.get("name_zh") or act.get("id") or ""


def _protected_layers(data: dict) -> list[dict]:
    return [x for x in data.get("layers", []) if x.get("role") != "admin_boundary"]


def summary_sentence(data: dict) -> str:
    """'项目用地总面积 79.9846 公顷（1,199.77 亩），涉及永久基本农田 50.5544 公顷（758.32 亩，占 63.21%）…'."""
    fp_m2 = _area(data["footprint"]["area"])
    occ = [x for x in _protected_layers(data) if x.get("status") == "occupied"]
    touch = [x for x in _protected_layers(data) if x.get("status") == "touching"]
    s = f"项目用地总面积 {fmt_ha(fp_m2)} 公顷（{fmt_mu(fp_m2)} 亩）"
    if occ:
        parts = [f"{x['name']} {fmt_ha(_area(x['area']))} 公顷（{fmt_mu(_area(x['area']))} 亩，占项目用地 "
                 f"{fmt_pct(x.get('share_of_footprint'))}）" for x in occ]
        s += "，其中占用" + "、".join(parts)
    else:
        s += "，未占用所列管控图层"
    if touch:
        s += "；与" + "、".join(x["name"] for x in touch) + "边界相接但未形成实际占用"
    return s + "。"


def _info_table(data: dict, meta: CaseMeta, project: str, activity: str) -> Table:
    fp = data["footprint"]
    a = fp["area"]
    loc = data.get("location") or {}
    crs = data.get("analysis_crs") or {}
    rows = [
        ("项目名称", project),
        ("申请单位", meta.applicant),
        ("案卷编号", meta.case_number),
        ("项目类型", activity or "（未指定，仅作压占分析）"),
        ("所在行政区", f"{loc.get('county', '')}{'（' + str(loc['code']) + '）' if loc.get('code') else ''}"),
        ("用地面积（椭球面积）", fmt_area_text(_area(a))),
        ("用地面积（高斯平面面积）", f"{fmt_m2(a.get('planar_m2'))} 平方米"),
        ("地块数 / 圈数 / 界址点数", f"{fp.get('parcel_count', '')} / {fp.get('ring_count', '')} / "
                                  f"{fp.get('vertex_count', '')}"),
        ("分析坐标系", crs.get("label", "")),
        ("用地范围文件", f"{_basename(fp.get('source'))}（输入坐标系：{fp.get('input_crs', '')}）"),
        ("审查人", meta.reviewer),
        ("审查日期", meta.review_date),
    ]
    if meta.organisation:
        rows.insert(-2, ("审查单位", meta.organisation))
    return Table("info", "项目基本信息", [Column("项目", weight=1.2), Column("内容", weight=3.8)],
                 [[k, v] for k, v in rows], values=[[k, v] for k, v in rows], sheet="项目信息", kv=True)


def _summary_table(data: dict) -> Table:
    cols = [Column("管控图层", weight=2.5), Column("情况", "c", 1.35), Column("涉及图斑数", "r", 1.0, "int"),
            Column("压占面积（平方米）", "r", 1.7, "m2"), Column("公顷", "r", 1.2, "ha"), Column("亩", "r", 1.2, "mu"),
            Column("占项目用地比例", "r", 1.35, "pct")]
    rows, values, classes = [], [], []
    for x in _protected_layers(data):
        m2 = _area(x["area"])
        rows.append([x["name"], STATUS_ZH.get(x["status"], x["status"]), str(x.get("hit_count", 0)), fmt_m2(m2),
                     fmt_ha(m2), fmt_mu(m2), fmt_pct(x.get("share_of_footprint"))])
        values.append([x["name"], STATUS_ZH.get(x["status"], x["status"]), x.get("hit_count", 0), m2,
                       m2_to_ha(m2), m2_to_mu(m2), x.get("share_of_footprint")])
        classes.append("occupied" if x["status"] == "occupied" else "")
        zones = x.get("by_zone") or []
        if len(zones) > 1 or (zones and zones[0]["zone"] != x["name"] and x["role"] != "permanent_basic_farmland"):
            for z in zones:
                zm2 = _area(z["area"])
                rows.append([f"　其中：{z['zone']}", STATUS_ZH.get(z.get("status"), ""), str(z.get("piece_count", "")),
                             fmt_m2(zm2), fmt_ha(zm2), fmt_mu(zm2), fmt_pct(z.get("share_of_footprint"))])
                values.append([f"{x['name']} / {z['zone']}", STATUS_ZH.get(z.get("status"), ""), z.get("piece_count"),
                               zm2, m2_to_ha(zm2), m2_to_mu(zm2), z.get("share_of_footprint")])
                classes.append("sub")
    notes = ["压占面积为各图层压占部分合并（重叠只计一次）后的 CGCS2000 椭球面积；占比 = 压占面积 ÷ 项目用地椭球面积。",
             f"“相接”指重叠面积小于 {fmt_value(data.get('sliver_threshold_m2', 1.0))} 平方米，视为边界相接、未形成实际占用。"]
    return Table("summary", "管控图层压占情况汇总", cols, rows, values, notes=notes, sheet="压占汇总",
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
    zone_title = ZONE_COLUMN_ROLES.get(role)
    # 是否基本草原 (是/否) only repeats the 草原类别 column in the PDF/Word table
    repeats_zone = {"SFJBCY", "JBCY"} if role == "grassland" and zone_title else set()
    # 地类编码 + 地类名称 read as one column "0102 水浇地"
    merged = "DLBM" in keys and "DLMC" in keys
    doc_keys = [k for k in keys if not (merged and k == "DLMC") and k.upper() not in repeats_zone]
    doc_keys = doc_keys[: MAX_KEY_COLUMNS - (1 if zone_title else 0)]
    cols = [Column("序号", "c", 0.75, "int"), Column("图斑编号", "l", 2.0)]
    cols += [Column("地类" if merged and k == "DLBM" else FIELD_LABELS.get(k, k), "l", 1.35 if k == "DLBM" else 1.2)
             for k in doc_keys]
    if zone_title:
        cols.append(Column(zone_title, "l", 1.1))
    cols += [Column("压占面积（平方米）", "r", 1.6, "m2"), Column("公顷", "r", 1.15, "ha"), Column("亩", "r", 1.05, "mu"),
             Column("占比", "r", 1.1, "pct")]
    rows, values, classes = [], [], []
    for i, p in enumerate(pieces, 1):
        m2 = _area(p["area"])
        key = p.get("key") or {}
        share = m2 / fp_m2 if fp_m2 else None
        row = [str(i), str(p["feature_id"])] + [
            f"{fmt_value(key.get('DLBM'))} {fmt_value(key.get('DLMC'))}".strip() if merged and k == "DLBM"
            else fmt_value(key.get(k)) for k in doc_keys]
        if zone_title:
            row.append(str(p.get("zone", "")))
        row += [fmt_m2(m2), fmt_ha(m2), fmt_mu(m2), fmt_pct(share)]
        rows.append(row)
        vrow = [i, p["feature_id"]] + [
            f"{fmt_value(key.get('DLBM'))} {fmt_value(key.get('DLMC'))}".strip() if merged and k == "DLBM"
            else key.get(k) for k in doc_keys] + ([p.get("zone")] if zone_title else [])
        values.append(vrow + [m2, m2_to_ha(m2), m2_to_mu(m2), share])
        classes.append("sliver" if p.get("sliver") else "")
    tm2 = _area(layer["area"])
    ncols = len(cols)
    total = ["", "合计（合并计算）"] + [""] * (ncols - 6) + [fmt_m2(tm2), fmt_ha(tm2), fmt_mu(tm2),
                                                            fmt_pct(layer.get("share_of_footprint"))]
    total_values = ["", "合计（合并计算）"] + [None] * (ncols - 6) + [tm2, m2_to_ha(tm2), m2_to_mu(tm2),
                                                                   layer.get("share_of_footprint")]
    notes = []
    if any(p.get("sliver") for p in pieces):
        notes.append(f"灰色行的重叠面积小于 {fmt_value(data.get('sliver_threshold_m2', 1.0))} 平方米，仅为边界相接。")
    notes.append("占比 = 压占面积 ÷ 项目用地面积。合计为各图斑压占部分合并后的面积（图斑重叠部分只计一次），各行分别四舍五入，与合计可能存在尾差。")
    if role in ("permanent_basic_farmland", "cultivated_land") and "KCXS" in keys:
        notes.append("表中面积为毛面积（未扣除田坎，扣除系数 KCXS 见属性）。")
    # Excel: every key field, the zone, gross ellipsoidal and planar areas, the sliver flag
    xcols = [Column("序号", "c", 0.7, "int"), Column("图斑编号", "l", 2.0)]
    xcols += [Column(f"{FIELD_LABELS.get(k, k)}（{k}）", "l", 1.4) for k in keys]
    xcols += [Column("分区", "l", 1.4), Column("压占面积（平方米）", "r", 1.6, "m2"), Column("公顷", "r", 1.2, "ha"),
              Column("亩", "r", 1.2, "mu"), Column("占比", "r", 1.0, "pct"),
              Column("高斯平面面积（平方米）", "r", 1.6, "m2"), Column("仅相接", "c", 0.8)]
    xvals = []
    for i, p in enumerate(pieces, 1):
        m2 = _area(p["area"])
        key = p.get("key") or {}
        xvals.append([i, p["feature_id"]] + [key.get(k) for k in keys] + [
            p.get("zone"), m2, m2_to_ha(m2), m2_to_mu(m2), m2 / fp_m2 if fp_m2 else None,
            (p.get("area") or {}).get("planar_m2"), "是" if p.get("sliver") else ""])
    return Table(f"pieces:{layer['id']}", f"{layer['name']}压占明细表", cols, rows, values, total=total,
                 total_values=total_values, notes=notes, sheet=f"明细-{layer['name']}"[:31], row_classes=classes,
                 xlsx_columns=xcols, xlsx_values=xvals)


def _coord_table(data: dict) -> Table | None:
    fp = data["footprint"]
    if not fp.get("geometry_wkt") or int(fp.get("vertex_count") or 0) > COORD_LIMIT:
        return None
    zone = _zone_number(data)
    pts = boundary_points(shapely.from_wkt(fp["geometry_wkt"]), zone)
    cols = [Column("地块", "c", 0.6, "int"), Column("圈号", "c", 0.6, "int"), Column("点号", "c", 0.8),
            Column("X 坐标（米）", "r", 2.0, "coord"), Column("Y 坐标（米）", "r", 2.0, "coord")]
    rows = [[str(p["parcel"]), str(p["ring"]), p["name"], f"{p['x']:.{COORD_DP}f}", f"{p['y']:.{COORD_DP}f}"]
            for p in pts]
    values = [[p["parcel"], p["ring"], p["name"], p["x"], p["y"]] for p in pts]
    crs = (data.get("analysis_crs") or {}).get("label", "")
    notes = [f"坐标系：{crs}；X 为纵坐标（北），Y 为横坐标（东），Y 含 3 度带带号 {zone}。"
             "每圈自西北角起顺时针编号，末点与首点相同以示闭合；圈号 1 为外圈，2 起为扣除的内圈。"]
    in_doc = len(rows) <= COORD_TABLE_MAX
    if not in_doc:
        notes.append(f"界址点共 {len(rows)} 个，超过 {COORD_TABLE_MAX} 个，坐标见 Excel 附表。")
    return Table("coords", "界址点坐标成果表", cols, rows, values, notes=notes, sheet="界址点坐标", in_document=in_doc)


def _zone_label(z: dict) -> str:
    name, zone = z.get("layer_name") or z.get("layer_id") or "", z.get("zone") or ""
    return f"{name}（{zone}）" if zone and zone != name else name


def _verdict_blocks(v: dict) -> tuple[VerdictBox, list]:
    overall = v.get("overall") or {}
    cls = verdict_class(overall.get("verdict"))
    text = _text(overall.get("summary_zh"))
    if overall.get("overridden"):
        text = f"本结论含审查人员认定；系统（机器）结论为：{overall.get('machine_verdict')}。{text}"
    box = VerdictBox("审查结论", overall.get("verdict") or overall.get("verdict_en") or "—", cls, text)
    blocks: list = []
    zones = v.get("zones") or []
    if zones:
        cols = [Column("管控图层（分区）", weight=2.1), Column("压占面积（公顷）", "r", 1.2, "ha"),
                Column("结论", "c", 1.1), Column("适用规则", "l", 2.6), Column("条件与说明", "l", 3.2)]
        rows, values, classes = [], [], []
        for z in zones:
            area = z.get("area")
            m2 = _area(area) if isinstance(area, dict) else float(area or 0.0)
            cond = _text(z.get("conditions"))
            st = RULE_STATUS_ZH.get(z.get("rule_status") or "")
            rule = z.get("rule_title") or z.get("rule_id") or ""
            if st:
                rule += f"（{st}）"
            name = _zone_label(z)
            verdict = z.get("verdict") or z.get("verdict_en") or ""
            officer = z.get("officer")
            if officer:  # the officer's conclusion shown, the machine's kept beside it
                cond = (f"审查人员认定：{officer['verdict']}（理由：{officer.get('reason', '')}"
                        f"{'；' + officer['officer'] if officer.get('officer') else ''}）。{cond}")
                verdict = f"{officer['verdict']}（人工）／系统：{verdict}"
            rows.append([name, fmt_ha(m2), verdict, rule, cond])
            values.append([name, m2_to_ha(m2), verdict, rule, cond])
            classes.append(verdict_class((officer or z).get("verdict")))
        blocks.append(Table("verdicts", "分图层审查意见", cols, rows, values, sheet="审查意见", row_classes=classes))
    quotes, seen = [], set()
    for z in zones:
        q = _text(z.get("quote"))
        if not q or q in seen:
            continue
        seen.add(q)
        src = z.get("source") or {}
        # document, 文号 and article only: rule ids and seed lines stay in the JSON trace
        note = RULE_STATUS_ZH.get(z.get("rule_status") or "", "")
        quotes.append(Quote(f"{_zone_label(z)}：{_source_text(src) or '（出处未注明）'}", q, note))
    if quotes:
        blocks.append(Paragraph("依据条款原文：", "lead"))
        blocks.extend(quotes)
    procs: list[str] = []
    for p in v.get("procedures") or []:
        t = _text(p)
        if isinstance(p, dict) and p.get("zones"):
            t += f"（{'、'.join(p['zones'])}）"
        if t and t not in procs:
            procs.append(t)
    if not procs:
        for z in zones:
            t = _text(z.get("procedure"))
            if t and t not in procs:
                procs.append(t)
    if procs:
        blocks.append(Paragraph("需办理的程序：", "lead"))
        blocks.append(Bullets(procs, ordered=True))
    facts = (v.get("activity") or {}).get("facts") or {}
    if facts:
        q = _fact_questions()
        blocks.append(Paragraph("审查所依据的事实认定：", "lead"))
        blocks.append(Bullets([f"{q.get(k, k)}　{YES_NO.get(val, '未回答') if isinstance(val, bool) or val is None else val}"
                               for k, val in facts.items()]))
    notes = _officer_notes(v)
    if notes:
        blocks.append(Paragraph("说明：", "lead"))
        blocks.append(Bullets(notes))
    return box, blocks


def _provenance(data: dict, generated_at: str) -> list:
    fp = data["footprint"]
    rows, values = [], []

    def add(kind, name, path, sha, origin=""):
        rows.append([kind, name, origin, _basename(path), _split_hash(sha)])
        values.append([kind, name, origin, str(path or ""), sha or ""])

    add("用地范围", fp.get("name", ""), fp.get("source"), fp.get("sha256"))
    # one row per layer file (a GeoPackage / GDB usually holds several layers)
    files: dict[tuple, list[dict]] = {}
    for x in data.get("layers", []):
        files.setdefault((x.get("source") or "", x.get("sha256") or ""), []).append(x)
    for (src, sha), layers in files.items():
        names = "、".join(f"{x['name']}（{x['source_layer'] + '，' if x.get('source_layer') else ''}"
                         f"{x.get('feature_count', '')} 个要素）" for x in layers)
        origin = "；".join(dict.fromkeys("，".join(v for v in (x.get("provider"), x.get("vintage")) if v)
                                          for x in layers if x.get("provider") or x.get("vintage")))
        rows.append(["管控图层", names, origin or "未注明", _basename(src), _split_hash(sha)])
        values.append(["管控图层", names, origin, src, sha])
    for r in data.get("rasters") or []:
        add("栅格图层", r.get("name", ""), r.get("source"), r.get("sha256"))
    for i in data.get("inputs", []):
        if i.get("kind") == "catalog":
            add("图层目录", (data.get("catalog") or {}).get("name", ""), i.get("path"), i.get("sha256"))
        elif i.get("kind") == "rules":
            add("规则文件", "", i.get("path"), i.get("sha256"))
        elif i.get("kind") == "class_table":
            add("栅格分类表", "", i.get("path"), i.get("sha256"))
    cols = [Column("类别", "l", 0.75), Column("名称", "l", 1.6), Column("数据来源/时点", "l", 1.2),
            Column("文件", "l", 1.3), Column("SHA-256", "l", 2.4, "hash")]
    table = Table("provenance", "数据来源与文件校验值", cols, rows, values, sheet="数据来源")
    v = data.get("verdicts") or {}
    rs = v.get("rule_set") or {}
    prog = data.get("program") or {}
    lines = [
        "面积计算方法：以 CGCS2000 椭球面积为准——界址线在高斯平面上为直线，每条边在高斯平面上加密"
        f"（步长 {fmt_value((data.get('area_method') or {}).get('densify_step_m', 100))} 米及其一半）后反算为 CGCS2000 经纬度，"
        "按国土调查办发〔2008〕32号《图斑椭球面积计算公式及要求》的梯形级数公式计算，两次结果作 Richardson 外推，"
        "与顶点分布无关（相对误差小于 1e-9）；高斯平面面积仅作对照"
        f"（{(data.get('analysis_crs') or {}).get('label', '')}，未作长度变形改正）。",
        "数值修约：计算全程保留全精度，仅在显示时修约——平方米保留 2 位小数，公顷保留 4 位小数，亩保留 2 位小数"
        "（1 亩 = 10000/15 平方米），比例保留 2 位小数。",
        f"压占判定：重叠面积不小于 {fmt_value(data.get('sliver_threshold_m2', 1.0))} 平方米为“占用”，小于该值为“相接”。",
        f"程序版本：{prog.get('name', 'ningxia_gis')} {prog.get('version', __version__)}；"
        f"规则库版本：{rs.get('version') or '（未应用规则）'}；"
        f"分析时间：{cn_time(data.get('created_at', ''))}；报告生成时间：{cn_time(generated_at)}（北京时间）。",
    ]
    blocks: list = [Bullets(lines), table]
    warns = [w for w in data.get("warnings", []) if w]
    for x in data.get("layers", []):
        warns += [f"{x['name']}：{w}" for w in x.get("warnings", []) if w and w not in data.get("warnings", [])]
    if warns:
        blocks.append(Paragraph("处理提示：", "lead"))
        blocks.append(Bullets(list(dict.fromkeys(warns))))
    return blocks


# ------------------------------------------------------------------------------------------------
# 栅格图层（高程/坡度、土地覆盖）

RASTER_SECTION_TITLE = "地形与地表覆盖"
ELEV_DP, SLOPE_DP = 2, 2
COVERED_EPS = 1e-9  # as core.raster: a share ≥ 1 − ε is full coverage


def fmt_num(v: float | None, dp: int = 2) -> str:
    return "—" if v is None else f"{v:,.{dp}f}"


def _area_cols(first: list[Column], share_title: str = "占项目用地比例") -> list[Column]:
    return first + [Column("面积（平方米）", "r", 1.6, "m2"), Column("公顷", "r", 1.2, "ha"),
                    Column("亩", "r", 1.1, "mu"), Column(share_title, "r", 1.3, "pct")]


def _area_cells(m2: float, share: float | None) -> tuple[list[str], list]:
    return [fmt_m2(m2), fmt_ha(m2), fmt_mu(m2), fmt_pct(share)], [m2, m2_to_ha(m2), m2_to_mu(m2), share]


def _raster_stats_table(r: dict) -> Table:
    st = r.get("stats") or {}
    cols = [Column("指标", "l", 1.6), Column("最小值", "r", 1.2), Column("平均值（面积加权）", "r", 1.5),
            Column("最大值", "r", 1.2), Column("统计像元数", "r", 1.0, "int")]
    rows, values = [], []
    for key, label, dp in (("elevation_m", "高程（米）", ELEV_DP), ("slope_deg", "坡度（度）", SLOPE_DP)):
        s = st.get(key) or {}
        rows.append([label] + [fmt_num(s.get(k), dp) for k in ("min", "mean", "max")]
                    + [str(s.get("cell_count", ""))])
        values.append([label, s.get("min"), s.get("mean"), s.get("max"), s.get("cell_count")])
    return Table(f"raster_stats:{r['id']}", f"{r['name']}高程与坡度统计表", cols, rows, values,
                 notes=["最小值、最大值取项目用地所触及的全部像元，平均值按各像元落在用地范围内的面积加权；"
                        "坡度按 Horn 3×3 算法由高程计算。"],
                 sheet=f"高程坡度-{r['id']}"[:31])


def _raster_bands_table(r: dict) -> Table:
    bands = (r.get("stats") or {}).get("slope_bands") or []
    cols = _area_cols([Column("坡度分级", "l", 1.4)])
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
    return Table(f"raster_slope:{r['id']}", f"{r['name']}坡度分级面积表", cols, rows, values,
                 total=["合计"] + ttext, total_values=["合计"] + tvals,
                 notes=["坡度分级按三调坡度分级，区间含上限（如 2–6° 为大于 2° 且不大于 6°）；"
                        "占比 = 面积 ÷ 项目用地面积，各行分别四舍五入，与合计可能存在尾差。"],
                 sheet=f"坡度分级-{r['id']}"[:31])


def _raster_class_table(r: dict) -> Table:
    classes = r.get("classes") or []
    cols = _area_cols([Column("代码", "c", 0.7), Column("地表覆盖类别", "l", 1.6)])
    rows, values, xvals = [], [], []
    for c in classes:
        m2 = _area(c.get("area"))
        text, vals = _area_cells(m2, c.get("share_of_footprint"))
        name = c.get("name_zh") or c.get("name_en") or str(c.get("code"))
        rows.append([str(c.get("code", "")), name] + text)
        values.append([c.get("code"), name] + vals)
        xvals.append([c.get("code"), name, c.get("name_en") or ""] + vals + [c.get("cell_count")])
    tm2 = sum(_area(c.get("area")) for c in classes)
    tshare = sum(float(c.get("share_of_footprint") or 0.0) for c in classes)
    ttext, tvals = _area_cells(tm2, tshare)
    xcols = _area_cols([Column("代码", "c", 0.7), Column("地表覆盖类别", "l", 1.6), Column("英文名称", "l", 1.4)])
    xcols.append(Column("触及像元数", "r", 1.0, "int"))
    return Table(f"raster_classes:{r['id']}", f"{r['name']}地表覆盖分类面积表", cols, rows, values,
                 total=["", "合计"] + ttext, total_values=["", "合计"] + tvals,
                 notes=["占比 = 面积 ÷ 项目用地面积；各行分别四舍五入，与合计可能存在尾差。"],
                 sheet=f"地表覆盖-{r['id']}"[:31], xlsx_columns=xcols, xlsx_values=xvals)


def _raster_blocks(data: dict, figures: list) -> list:
    """The 地形与地表覆盖 section's blocks: per raster a heading, a summary paragraph, a warning when it
    covers only part of the footprint, the map and its table(s), and the method."""
    blocks: list = []
    for n, r in enumerate(data.get("rasters") or [], 1):
        name = r.get("name") or r.get("id")
        share = r.get("covered_share")
        covered_m2 = _area(r.get("covered_area"))
        if n > 1:
            blocks.append(PageBreak())
        blocks.append(Paragraph(f"（{n}）{name}", "heading"))
        lead = (f"{name}（{r.get('role_name') or r.get('role')}）覆盖项目用地面积的 {fmt_pct(share)}，"
                f"覆盖面积 {fmt_area_text(covered_m2)}。")
        st = r.get("stats") or {}
        if r.get("role") == "dem" and st:
            e, sl = st.get("elevation_m") or {}, st.get("slope_deg") or {}
            lead += (f"用地范围内高程 {fmt_num(e.get('min'), ELEV_DP)}～{fmt_num(e.get('max'), ELEV_DP)} 米，"
                     f"平均 {fmt_num(e.get('mean'), ELEV_DP)} 米；坡度 {fmt_num(sl.get('min'), SLOPE_DP)}°～"
                     f"{fmt_num(sl.get('max'), SLOPE_DP)}°，平均 {fmt_num(sl.get('mean'), SLOPE_DP)}°。")
            steep = [a for a in st.get("slope_above") or [] if float(a.get("threshold_deg") or 0) == 25.0]
            if steep:
                m2 = _area(steep[0].get("area"))
                lead += (f"坡度大于 25° 的面积为 {fmt_area_text(m2)}，占项目用地面积的 "
                         f"{fmt_pct(steep[0].get('share_of_footprint'))}。")
        elif r.get("role") == "landcover" and r.get("classes"):
            top = r["classes"][0]
            lead += (f"用地范围内涉及地表覆盖类别 {len(r['classes'])} 类，面积最大的为{top.get('name_zh') or top.get('code')}"
                     f"（{fmt_ha(_area(top.get('area')))} 公顷，占 {fmt_pct(top.get('share_of_footprint'))}）。")
        blocks.append(Paragraph(lead))
        if share is None or float(share) < 1 - COVERED_EPS:
            missing = max(_area((data.get("footprint") or {}).get("area")) - covered_m2, 0.0)
            blocks.append(Paragraph(
                f"注意：{name}仅覆盖项目用地面积的 {fmt_pct(share)}，未覆盖部分约 {fmt_ha(missing)} 公顷"
                f"（{fmt_mu(missing)} 亩，位于栅格范围外或无数据区）未计入下列统计，相关结论须人工核实。", "warning"))
        f = Figure("raster", r["id"], f"{name}{'高程' if r.get('role') == 'dem' else '地表覆盖'}示意图")
        figures.append(f)
        blocks.append(f)
        if r.get("role") == "dem":
            if st:
                blocks.append(_raster_stats_table(r))
                blocks.append(_raster_bands_table(r))
        elif r.get("classes"):
            blocks.append(_raster_class_table(r))
        if (r.get("role") == "dem" and not st) or (r.get("role") == "landcover" and not r.get("classes")):
            blocks.append(Paragraph(f"{name}未覆盖项目用地，无统计结果。", "note"))
        method = r.get("method") or {}
        cell = r.get("cell_size_m")
        mtext = f"统计方法（{method.get('id', '')}）：{method.get('description_zh') or method.get('description', '')}"
        if r.get("role") == "dem" and method.get("slope"):
            mtext += f"；坡度：{method.get('slope_zh') or method['slope']}"
        if cell:
            mtext += f"。统计像元大小 {fmt_num(cell[0], 2)} × {fmt_num(cell[1], 2)} 米"
            if r.get("warped"):
                mtext += f"（由 {r.get('source_crs', '')} 重投影，重采样方法 {r.get('resampling', '')}）"
        mtext += f"；栅格文件：{_basename(r.get('source'))}。"
        blocks.append(Paragraph(mtext, "small"))
        for w in r.get("warnings") or []:
            if w:
                blocks.append(Paragraph(f"提示：{w}", "note"))
    return blocks


# ------------------------------------------------------------------------------------------------
# 避让分析 (review/avoidance.py)

AVOIDANCE_SECTION_TITLE = "避让分析"


def _avoidance_blocks(data: dict, figures: list) -> list:
    """The 避让分析 section: the sentence, the map of the remainder, the options, distances and what
    would change each verdict (all computed in review.avoidance, only formatted here)."""
    block = data.get("avoidance") or {}
    blocks: list = [Paragraph(block.get("sentence_zh") or "", "lead")]
    opts = block.get("options") or []
    if block.get("recommended") is not None:
        f = Figure("avoidance", str(block["recommended"]), "避让分析示意图")
        figures.append(f)
        blocks.append(f)
    if opts:
        cols = [Column("避让对象", weight=2.6), Column("避让面积（公顷）", "r", 1.3, "ha"),
                Column("剩余面积（公顷）", "r", 1.3, "ha"), Column("剩余面积（亩）", "r", 1.2, "mu"),
                Column("地块数", "r", 0.8, "int"), Column("剩余用地结论", "c", 1.3),
                Column("核实边界相接后", "c", 1.3)]
        rows, values, classes = [], [], []
        for o in opts:
            am, rm = _area(o.get("avoided_area")), _area((o.get("remainder") or {}).get("area"))
            n = (o.get("remainder") or {}).get("part_count", 0)
            v, vc = o.get("verdict") or "无剩余用地", o.get("verdict_if_edge_cleared") or ""
            rows.append([o.get("label", ""), fmt_ha(am), fmt_ha(rm), fmt_mu(rm), str(n), v,
                         vc if o.get("edge_contact") else "—"])
            values.append([o.get("label", ""), m2_to_ha(am), m2_to_ha(rm), m2_to_mu(rm), n, v, vc])
            classes.append(verdict_class(o.get("verdict")))
        blocks.append(Table("avoidance", "避让方案与剩余用地结论", cols, rows, values, sheet="避让分析",
                            row_classes=classes, notes=[
                                "剩余用地 = 项目用地减去所列分区的压占部分；结论为剩余用地按同一图层、项目类型和事实重新审查的结果。",
                                "剩余用地与避让分区共用分割线，规则引擎视为“边界相接”；“核实边界相接后”为确认不占用后的结论。"]))
    dists = block.get("distances") or []
    if dists:
        cols = [Column("管控图层", weight=2.0), Column("情况", "c", 1.1), Column("最近距离（米）", "r", 1.3),
                Column("最近图斑", "l", 1.5), Column("缓冲距离（米）", "r", 1.1), Column("说明", "l", 3.2)]
        rows, values = [], []
        for d in dists:
            dist = d.get("distance_m")
            cap = d.get("cap_m") or 0
            dtext = f"{dist:,.2f}" if dist is not None else f"> {cap:,.0f}"
            buf = d.get("buffer_m")
            rows.append([d.get("layer_name", ""), STATUS_ZH.get(d.get("status"), d.get("status", "")), dtext,
                         str(d.get("nearest_feature_id") or ""), f"{buf:g}" if buf else "—", d.get("sentence_zh", "")])
            values.append([d.get("layer_name", ""), STATUS_ZH.get(d.get("status"), d.get("status", "")), dist,
                           d.get("nearest_feature_id"), buf, d.get("sentence_zh", "")])
        blocks.append(Table("distances", "与各管控图层的最近距离", cols, rows, values, sheet="最近距离", notes=[
            f"最近距离为项目用地边界到图层要素的最短平面距离（分析坐标系），在项目用地周边逐级扩大的范围内查找，最远 "
            f"{(dists[0].get('cap_m') or 0):,.0f} 米；位于缓冲距离内但未占用的，记为“邻近”，不构成占用。"]))
    what = block.get("what_if") or []
    if what:
        blocks.append(Paragraph("改变结论的条件（由规则引擎对各分区以其他回答和其他项目类型重新判定）：", "lead"))
        items = []
        for w in what:
            name = _zone_label(w)
            found = [c["sentence_zh"] for c in w.get("facts") or []] + [a["sentence_zh"] for a in w.get("activities") or []]
            items.append(f"{name}（现结论：{w.get('verdict')}）：" + ("；".join(found) if found
                                                                    else "任何回答和项目类型均不改变结论"))
        blocks.append(Bullets(items))
    return blocks


DISCLAIMER = ("本报告由离线审查辅助工具根据所列数据自动生成，用于辅助审查人员判断，不替代法定审查程序和主管部门的正式意见；"
              "图层数据的现势性和准确性以数据提供部门的正式成果为准。")
SYNTHETIC_WARNING = "注意：本报告使用的管控图层为合成示例数据，仅用于演示和培训，不得作为实际审查依据。"


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


def build_report_model(data: dict, meta=None, *, title: str = "建设项目用地国土空间管控合规性审查报告",
                       base_dir: str | None = None, now: _dt.datetime | None = None) -> ReportModel:
    """The report for one check result.

    ``data`` is ``CheckResult.data`` or a loaded result JSON; ``meta`` a `CaseMeta` or a dict with
    project_name, applicant, case_number, reviewer, organisation, review_date, activity.
    ``base_dir`` resolves relative layer paths for the maps (e.g. the folder of the JSON file).
    """
    meta = CaseMeta.from_any(meta)
    now = now or _dt.datetime.now().astimezone()
    generated_at = now.isoformat(timespec="seconds")
    if not meta.review_date:
        meta = CaseMeta(**{**meta.__dict__, "review_date": f"{now.year}年{now.month}月{now.day}日"})
    project = _project_name(data, meta)
    activity = _activity_name(data, meta)
    fp = data["footprint"]
    fp_m2 = _area(fp["area"])
    synthetic = bool((data.get("catalog") or {}).get("synthetic"))
    v = data.get("verdicts") or None

    sections: list[Section] = []
    figures: list[Figure] = []
    # 一、基本信息
    sections.append(Section("一、项目基本信息", [_info_table(data, meta, project, activity)]))
    # 二、结论
    s2 = Section("二、审查结论")
    verdict_box = None
    if v:
        verdict_box, vblocks = _verdict_blocks(v)
        s2.blocks.append(verdict_box)
        s2.blocks.append(Paragraph(summary_sentence(data)))
        s2.blocks.extend(vblocks)
    else:
        s2.blocks.append(Paragraph(summary_sentence(data)))
        s2.blocks.append(Paragraph("本次审查未指定项目类型（用地用途），仅进行管控图层压占分析，未作准入结论。"
                                   "如需准入审查意见，请选择项目类型后重新审查。", "note"))
    s2.blocks.append(Paragraph(DISCLAIMER, "small"))
    s2.blocks.append(Signature(["审查人（签字）", "复核人（签字）", "审查日期"]))
    sections.append(s2)
    # 三、汇总
    sections.append(Section("三、管控图层压占情况", [_summary_table(data)]))
    # 四、位置
    fig = Figure("location", None, "项目位置示意图")
    figures.append(fig)
    loc = data.get("location") or {}
    sections.append(Section("四、项目位置", [
        Paragraph(f"项目位于{loc.get('county') or '（未能确定所在行政区）'}，用地中心点经纬度约为东经 "
                  f"{fp['centroid_lonlat'][0]:.5f}°、北纬 {fp['centroid_lonlat'][1]:.5f}°（CGCS2000）。"), fig],
        page_break=True))
    # 五、明细 per touched layer, each starting on a new page
    s5 = Section("五、压占分析图及明细", page_break=True)
    touched = [x for x in _protected_layers(data) if x.get("status") in ("occupied", "touching")]
    for n, x in enumerate(touched, 1):
        m2 = _area(x["area"])
        if n > 1:
            s5.blocks.append(PageBreak())
        s5.blocks.append(Paragraph(f"（{n}）{x['name']}", "heading"))
        s5.blocks.append(Paragraph(
            f"项目用地{STATUS_ZH[x['status']].replace('（未占用）', '但未占用')}{x['name']}，涉及图斑 {x.get('hit_count', 0)} 个，"
            f"压占面积 {fmt_area_text(m2)}，占项目用地面积的 {fmt_pct(x.get('share_of_footprint'))}。"))
        f = Figure("overlay", x["id"], f"{x['name']}叠加分析图")
        figures.append(f)
        s5.blocks.append(f)
        s5.blocks.append(_piece_table(data, x, fp_m2))
    if not touched:
        s5.page_break = False
        s5.blocks.append(Paragraph("项目用地未占用、也未相接任何所列管控图层，无压占明细。"))
    sections.append(s5)
    nums = iter("六七八九十")
    # 避让分析（仅当结果含 avoidance）
    if data.get("avoidance"):
        sections.append(Section(f"{next(nums)}、{AVOIDANCE_SECTION_TITLE}", _avoidance_blocks(data, figures),
                                page_break=True))
    # 六、地形与地表覆盖（仅当结果含栅格图层）
    if data.get("rasters"):
        sections.append(Section(f"{next(nums)}、{RASTER_SECTION_TITLE}", _raster_blocks(data, figures),
                                page_break=True))
    # 界址点
    ct = _coord_table(data)
    s6 = Section(f"{next(nums)}、界址点坐标", page_break=True)
    if ct is None:
        s6.blocks.append(Paragraph("界址点数量过多，未列出坐标。", "note"))
    else:
        s6.blocks.append(ct)
    sections.append(s6)
    # 七、方法与来源
    sections.append(Section(f"{next(nums)}、计算方法与数据来源", _provenance(data, generated_at),
                            page_break=ct is not None and ct.in_document and len(ct.rows) > 30))

    cover = [("项目名称", project), ("申请单位", meta.applicant), ("案卷编号", meta.case_number),
             ("项目类型", activity or "—"), ("所在行政区", loc.get("county") or ""),
             ("用地面积", f"{fmt_ha(fp_m2)} 公顷（{fmt_mu(fp_m2)} 亩）"),
             ("审查单位", meta.organisation), ("审查人", meta.reviewer), ("审查日期", meta.review_date)]
    footer = "　".join(t for t in (f"案卷编号：{meta.case_number}" if meta.case_number else "", project,
                                  f"校验码 {result_digest(data)[:12]}") if t)
    return ReportModel(title=title, meta=meta, cover=cover, verdict=verdict_box, sections=sections,
                       footer_left=footer, generated_at=generated_at, synthetic=synthetic, data=data,
                       figures=figures, base_dir=base_dir)
