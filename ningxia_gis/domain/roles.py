"""Layer roles: what each protected layer is, how its sub-zone is read, how it is recognised."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    id: str
    name_zh: str
    name_en: str
    key_fields: tuple[str, ...]  # candidates, the first present are kept
    id_fields: tuple[str, ...]
    zone_fields: tuple[str, ...]
    name_patterns: tuple[str, ...]  # regexes on the layer / file name
    signature: tuple[str, ...]  # fields that identify the layer
    protected: bool = True


ROLES: dict[str, Role] = {r.id: r for r in [
    Role("eco_redline", "生态保护红线", "Ecological protection red line",
         ("HXBM", "HXMC", "HXLX", "LHLX", "ZRBHDMC", "ZRBHDFQ", "MC", "BSM"), ("HXBM", "BSM"),
         ("ZRBHDFQ", "GKFQ", "FQ"), (r"stbhhx", r"生态保护红线", r"红线"), ("HXBM", "HXMC")),
    Role("permanent_basic_farmland", "永久基本农田", "Permanent basic farmland",
         ("YJJBNTTBBH", "DLBM", "DLMC", "KCXS", "ZLDWMC", "BSM"), ("YJJBNTTBBH", "BSM"), (),
         (r"yjjbnt", r"永久基本农田", r"基本农田"), ("YJJBNTTBBH",)),
    Role("cultivated_land", "耕地", "Cultivated land",
         ("TBBH", "DLBM", "DLMC", "KCXS", "QSXZ", "ZLDWMC", "BSM"), ("TBBH", "BSM"), ("DLBM",),
         (r"dltb", r"地类图斑", r"耕地"), ("DLBM", "TBBH")),
    Role("urban_boundary", "城镇开发边界", "Urban development boundary",
         ("GHFQDM", "GHFQMC", "XZQMC", "BSM"), ("BSM",), ("GHFQMC",),
         (r"czkfbj", r"城镇开发边界"), ("GHFQMC",)),
    Role("grassland", "草原", "Grassland",
         ("CYBH", "CYLX", "SFJBCY", "ZLDWMC", "BSM"), ("CYBH", "BSM"), ("SFJBCY", "JBCY"),
         (r"^cy$", r"jbcy", r"草原"), ("SFJBCY",)),
    Role("nature_reserve", "自然保护地", "Protected area",
         ("ZRBHDMC", "ZRBHDJB", "ZRBHDLX", "ZRBHDFQ", "BSM"), ("BSM",), ("ZRBHDFQ", "GKFQ"),
         (r"zrbhd", r"自然保护地", r"保护区"), ("ZRBHDMC",)),
    Role("admin_boundary", "行政区", "Administrative boundary",
         ("XZQDM", "XZQMC"), ("XZQDM",), ("XZQMC",), (r"^xzq", r"行政区"), ("XZQDM", "XZQMC"),
         protected=False),
]}

CULTIVATED_CODES = {"0101": "水田", "0102": "水浇地", "0103": "旱地"}
CULTIVATED_WHERE = "substr(DLBM, 1, 4) IN ('0101', '0102', '0103')"
_YES = {"是", "1", "y", "yes", "true", "基本草原"}


def normalise_zone(role: str, value) -> str:
    """The sub-zone label the rules use for a feature (see docs/result_schema.md)."""
    text = "" if value is None else str(value).strip()
    if text.lower() in ("nan", "none"):
        text = ""
    if role in ("eco_redline", "nature_reserve"):
        return "核心保护区" if "核心" in text else "核心保护区外"
    if role == "grassland":
        return "基本草原" if text.lower() in _YES else "一般草原"
    if role == "cultivated_land":
        code = text[:4]
        return f"{code} {CULTIVATED_CODES[code]}" if code in CULTIVATED_CODES else (text or "耕地")
    if role in ("urban_boundary", "admin_boundary"):
        return text or ROLES[role].name_zh
    return ROLES[role].name_zh


def guess_role(layer_name: str, fields) -> str | None:
    """Role from the national layer name (STBHHX, YJJBNT …) or its field signature."""
    name = layer_name.lower()
    for role in ROLES.values():
        if any(re.search(p, name) for p in role.name_patterns):
            return role.id
    upper = {f.upper() for f in fields}
    for role in ROLES.values():
        if all(f in upper for f in role.signature):
            return role.id
    return None
