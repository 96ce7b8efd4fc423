"""避让分析 (siting assistant): what the project would have to avoid, how far it is from each protected
layer, and which answers or activity classes would change a verdict.

    result = run_review(request)
    block = add_avoidance(result, request)       # result.data["avoidance"] (docs/result_schema.md)
    write_remainder(block["options"][-1], "avoided.shp", epsg=result.epsg)

* **Remainder**: for every zone whose verdict is 禁止 or 需人工判定, the footprint minus that zone's overlap
  pieces (one option per zone, and one avoiding all of them), its areas and parts, and the verdict the
  rule engine gives the remainder on a full re-check (``run_review`` with the same catalog, activity and
  facts). A remainder always shares the cut line with the avoided zone; the engine reports that as
  "touching" (需人工判定 for a 禁止 zone), so the option also says what the verdict is once that edge
  contact is confirmed as not occupying (``verdict_if_edge_cleared``).
* **Distances**: the shortest distance from the footprint to each protected layer and to the nearest
  zone where the activity would be 禁止, searched in growing buffers up to ``cap_m`` (default 5 km);
  a catalog ``buffer_m`` makes "within N m" a 邻近 note, never an occupation.
* **What would change the verdict**: for each 禁止 / 需人工判定 / 有条件允许 zone, the rule engine
  (``rules.engine.evaluate``) is run again on that zone with other answers to the rule questions and
  with every other activity type; the ones giving another verdict are listed.
"""

from __future__ import annotations

import dataclasses
import re
from itertools import combinations
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..core.areas import ellipsoidal_areas
from ..core.check import CheckResult
from ..core.files import atomic_output
from ..core.footprint import Footprint
from ..core.units import area_block, m2_to_ha, m2_to_mu
from ..domain.errors import InputError
from ..domain.roles import CULTIVATED_CODES, normalise_zone
from ..domain.vocab import CONDITIONAL, NEEDS_JUDGMENT, NOT_AFFECTED, PROHIBITED, strictest, strictness
from .request import Feedback, ReviewRequest

AVOID_VERDICTS = (PROHIBITED, NEEDS_JUDGMENT)
WHAT_IF_VERDICTS = (PROHIBITED, NEEDS_JUDGMENT, CONDITIONAL)
DISTANCE_CAP_M = 5000.0
DISTANCE_STEPS_M = (500.0, 2000.0)  # then the cap: few reads of an unindexed layer
_BUFFER_SEGS = 16
_INSCRIBED = float(np.cos(np.pi / (4 * _BUFFER_SEGS)))  # a buffer polygon lies inside the true offset
EXPORT_SUFFIXES = (".txt", ".shp", ".gpkg")
SHP_SIDECARS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


# ------------------------------------------------------------------------------------------------
# formatting


def fmt_ha(m2: float) -> str:
    return f"{m2_to_ha(m2):,.4f} 公顷"


def fmt_m(d: float) -> str:
    return f"{d:,.0f} m" if d >= 10 else f"{d:,.1f} m"


def _label(layer_name: str, zone: str | None) -> str:
    return f"{layer_name}（{zone}）" if zone and zone != layer_name else layer_name


# ------------------------------------------------------------------------------------------------
# zone geometry


def _layer_pieces(result: CheckResult) -> dict[str, list[tuple[str, object]]]:
    """layer id → [(zone, geometry)] of the overlap pieces, full precision when the overlaps are at hand
    (a result read back from JSON has only the mm-rounded WKT)."""
    out: dict[str, list] = {}
    if result.overlaps:
        for src, ov in result.overlaps:
            out[src.spec.id] = [(p.zone, p.geometry) for p in ov.pieces]
        return out
    for layer in result.data.get("layers", []):
        out[layer["id"]] = [(p["zone"], shapely.from_wkt(p["geometry_wkt"])) for p in layer.get("pieces", [])]
    return out


def zone_geometry(result: CheckResult, zone_entry: dict, pieces: dict | None = None):
    """The part of the footprint in one verdict zone (``verdicts.zones[]`` entry); the zone the engine
    derives (城镇开发边界外) is the footprint minus the layer's pieces."""
    pieces = _layer_pieces(result) if pieces is None else pieces
    layer = pieces.get(zone_entry.get("layer_id"), [])
    fp = result.footprint_geom
    if zone_entry.get("derived"):
        return shapely.difference(fp, shapely.union_all([g for _z, g in layer])) if layer else fp
    geoms = [g for z, g in layer if z == zone_entry.get("zone")]
    return shapely.union_all(geoms) if geoms else shapely.Polygon()


SPIKE_TOL_M = 1e-6


def _clean_ring(coords: np.ndarray, tol: float = SPIKE_TOL_M) -> np.ndarray | None:
    """A closed ring without the vertices lying within ``tol`` of the line through their neighbours.

    A difference along an edge the footprint shares with a zone leaves zero-width spikes (out and back
    along that edge, area ~1e-6 m²): valid in the plane, but self-crossing once in lon/lat, where they
    spoil the ellipsoidal area. Dropping those vertices changes the area by less than tol × the edge."""
    pts = coords[:-1]
    while len(pts) >= 3:
        a, c = np.roll(pts, 1, axis=0), np.roll(pts, -1, axis=0)
        base = np.hypot(*(c - a).T)
        cross = np.abs((pts[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (pts[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))
        bad = (base == 0) | (cross < tol * np.where(base == 0, 1.0, base))
        if not bad.any():
            break
        # drop no two neighbours in one pass: each removal changes its neighbours' test
        drop = bad & ~np.roll(bad, 1)
        if not drop.any():
            drop = np.zeros(len(pts), dtype=bool)
            drop[np.argmax(bad)] = True
        pts = pts[~drop]
    return np.vstack([pts, pts[:1]]) if len(pts) >= 3 else None


def _despike(poly):
    shell = _clean_ring(np.asarray(poly.exterior.coords)[:, :2])
    if shell is None:
        return None
    holes = [h for h in (_clean_ring(np.asarray(r.coords)[:, :2]) for r in poly.interiors) if h is not None]
    out = shapely.Polygon(shell, holes)
    return out if out.is_valid and out.area > 0 else shapely.make_valid(out)


def _polygonal(g):
    parts = []
    for p in shapely.get_parts(g):
        if p.geom_type != "Polygon" or p.is_empty or p.area <= 0:
            continue
        q = _despike(p)
        if q is not None:
            parts += [x for x in shapely.get_parts(q) if x.geom_type == "Polygon" and x.area > 0]
    return shapely.MultiPolygon(parts) if len(parts) > 1 else parts[0] if parts else shapely.Polygon()


def remainder_geometry(result: CheckResult, zone_entries: list[dict], pieces: dict | None = None):
    """The footprint minus the given zones (polygonal parts only)."""
    pieces = _layer_pieces(result) if pieces is None else pieces
    cut = shapely.union_all([zone_geometry(result, z, pieces) for z in zone_entries])
    return _polygonal(shapely.difference(result.footprint_geom, cut))


def _areas(geom, epsg: int) -> dict:
    if geom.is_empty:
        return area_block(0.0, 0.0)
    return area_block(float(shapely.area(geom)), float(ellipsoidal_areas([geom], epsg)[0]))


def remainder_footprint(geom, epsg: int, name: str = "避让后用地") -> Footprint:
    """A footprint of the remainder: one parcel per part, numbered 1…, in the analysis CRS."""
    parts = list(shapely.get_parts(geom))
    gdf = gpd.GeoDataFrame({"地块编号": [str(i) for i in range(1, len(parts) + 1)],
                            "地块名称": [f"{name}{i}" for i in range(1, len(parts) + 1)]},
                           geometry=parts, crs=epsg)
    return Footprint(gdf=gdf, source="", name=name, notes=["避让分析生成的剩余用地范围"])


# ------------------------------------------------------------------------------------------------
# remainder options


def _target_zones(data: dict) -> list[dict]:
    """Zones of a layer to site around; project-level entries (no layer) cannot be avoided by siting."""
    zones = (data.get("verdicts") or {}).get("zones") or []
    return [z for z in zones if z.get("verdict") in AVOID_VERDICTS and z.get("status") != "not_touched"
            and z.get("layer_id")]


def _recheck(result: CheckResult, request: ReviewRequest, geom, name: str):
    fp = remainder_footprint(geom, result.epsg, name)
    # the rasters do not enter the verdict: the re-check reads the catalog's vector layers only
    cat = dataclasses.replace(request.catalog, rasters=[])
    from .pipeline import run_review
    return run_review(ReviewRequest(fp, cat, activity=request.activity, facts=dict(request.facts),
                                    sliver_m2=request.sliver_m2))


def _option(result: CheckResult, request: ReviewRequest, targets: list[dict], pieces: dict) -> dict:
    data = result.data
    fp_area = data["footprint"]["area"]
    geom = remainder_geometry(result, targets, pieces)
    rem = _areas(geom, result.epsg)
    avoided = area_block(max(fp_area["planar_m2"] - rem["planar_m2"], 0.0),
                         max(fp_area["ellipsoidal_m2"] - rem["ellipsoidal_m2"], 0.0))
    parts = [p for p in shapely.get_parts(geom)] if not geom.is_empty else []
    part_e = ellipsoidal_areas(parts, result.epsg) if parts else []
    label = "、".join(_label(t.get("layer_name") or t.get("layer_id"), t.get("zone")) for t in targets)
    opt = {
        "avoid": [{"layer_id": t["layer_id"], "layer_name": t.get("layer_name"), "zone": t.get("zone"),
                   "verdict": t["verdict"], "rule_id": t.get("rule_id")} for t in targets],
        "label": label,
        "avoided_area": avoided,
        "remainder": {"area": rem, "part_count": len(parts),
                      "parts": [area_block(float(p.area), float(e)) for p, e in zip(parts, part_e)],
                      "geometry_wkt": shapely.to_wkt(geom, rounding_precision=6, trim=True)},
        "verdict": None, "verdict_if_edge_cleared": None, "edge_contact": [], "zones": [], "summary_zh": "",
    }
    threshold = float(data.get("sliver_threshold_m2") or 0.0)
    if geom.is_empty or rem["ellipsoidal_m2"] <= max(threshold, 1e-6):
        opt["sentence_zh"] = f"若避让{label} {fmt_ha(avoided['ellipsoidal_m2'])}，无剩余用地（项目用地全部位于避让范围内）"
        return opt
    re_res = _recheck(result, request, geom, f"{data['footprint'].get('name') or '项目用地'}_避让后")
    v = re_res.data["verdicts"]
    avoided_keys = {(t["layer_id"], t.get("zone")) for t in targets}
    edge, rest, if_occupied = [], [], []
    for z in v["zones"]:
        if z["verdict"] == NOT_AFFECTED and z["status"] == "not_touched":
            continue
        key = (z["layer_id"], z.get("zone"))
        if key in avoided_keys and z["status"] == "touching":
            edge.append(_label(z.get("layer_name") or z["layer_id"], z.get("zone")))
            if_occupied.append(z.get("verdict_if_occupied") or z["verdict"])
        else:
            rest.append(z["verdict"])
        opt["zones"].append({"layer_id": z["layer_id"], "layer_name": z.get("layer_name"), "zone": z.get("zone"),
                             "status": z["status"], "verdict": z["verdict"], "rule_id": z.get("rule_id")})
    verdict = v["overall"]["verdict"]
    cleared = strictest(rest)
    opt.update(verdict=verdict, verdict_if_edge_cleared=cleared if edge else verdict, edge_contact=edge,
               summary_zh=v["overall"].get("summary_zh", ""))
    s = (f"若避让{label} {fmt_ha(avoided['ellipsoidal_m2'])}，剩余 {fmt_ha(rem['ellipsoidal_m2'])}"
         f"（{m2_to_mu(rem['ellipsoidal_m2']):,.2f} 亩，{len(parts)} 块），结论为 {verdict}")
    if edge and cleared != verdict:
        s += f"（剩余范围与{'、'.join(edge)}仅边界相接；经核实不占用时结论为 {cleared}）"
    elif edge:  # touching zones never decide (docs/rules.md): say the contact and what occupying it would mean
        s += (f"（剩余范围与{'、'.join(edge)}仅边界相接，不参与结论，请核实；"
              f"如实际占用，结论为 {strictest(rest + if_occupied)}）")
    opt["sentence_zh"] = s
    return opt


def remainder_options(result: CheckResult, request: ReviewRequest, feedback: Feedback | None = None) -> list[dict]:
    """One option per zone to avoid (verdict 禁止 / 需人工判定), and one avoiding them all."""
    targets = _target_zones(result.data)
    if not targets:
        return []
    pieces = _layer_pieces(result)
    groups = [[t] for t in targets] + ([targets] if len(targets) > 1 else [])
    out = []
    for i, g in enumerate(groups):
        if feedback is not None:
            feedback.check_cancelled()
            feedback.set_progress(0.1 + 0.5 * i / len(groups), "avoidance")
        out.append(_option(result, request, g, pieces))
    return out


# ------------------------------------------------------------------------------------------------
# hypothetical verdicts (rule engine on one zone)


def _zone_result(data: dict, layer: dict) -> dict:
    """``data`` reduced to one layer: what ``evaluate`` reads, for quick re-evaluations of its zones."""
    return {"layers": [layer], "location": data.get("location"), "footprint": data.get("footprint"),
            "sliver_threshold_m2": data.get("sliver_threshold_m2")}


def _find_zone(verdicts: dict, layer_id: str, zone: str | None) -> dict | None:
    return next((z for z in verdicts["zones"] if z["layer_id"] == layer_id and z.get("zone") == zone), None)


def verdict_if_occupied(data: dict, layer: dict, zone: str, activity: str, facts: dict) -> str | None:
    """The verdict a zone of ``layer`` would get if the footprint occupied it (rule engine)."""
    from ..rules.engine import evaluate

    fp = (data.get("footprint") or {}).get("area") or area_block(1.0, 1.0)
    fake = {"id": layer["id"], "name": layer.get("name"), "role": layer["role"], "status": "occupied",
            "area": fp, "share_of_footprint": 1.0,
            "by_zone": [{"zone": zone, "area": fp, "share_of_footprint": 1.0, "piece_count": 1, "status": "occupied"}]}
    z = _find_zone(evaluate(_zone_result(data, fake), activity, facts), layer["id"], zone)
    return z["verdict"] if z else None


# ------------------------------------------------------------------------------------------------
# distances


def _role_zones(role: str) -> set[str] | None:
    """Every zone a feature of ``role`` can be in (None when open-ended, e.g. planning zones)."""
    if role in ("eco_redline", "nature_reserve"):
        return {normalise_zone(role, "核心保护区"), normalise_zone(role, "")}
    if role == "grassland":
        return {normalise_zone(role, "是"), normalise_zone(role, "否")}
    if role == "cultivated_land":
        return {normalise_zone(role, code) for code in CULTIVATED_CODES}
    if role == "permanent_basic_farmland":
        return {normalise_zone(role, None)}
    return None


def _steps(cap_m: float, at_least: float = 0.0) -> list[float]:
    steps = [s for s in DISTANCE_STEPS_M if s < cap_m] + [cap_m]
    return [s for s in steps if s >= min(at_least, cap_m)] or [cap_m]


def _feature_distances(src, fp, epsg: int, radius: float):
    """[(zone, feature id, distance)] of the layer's features within ``radius`` of ``fp``."""
    spec = src.spec
    query = shapely.buffer(fp, radius / _INSCRIBED, quad_segs=_BUFFER_SEGS)
    cands = src.candidates(query, epsg)
    if cands is None or cands.empty:
        return []
    geoms = np.asarray(cands.geometry.values, dtype=object)
    if "__local" in cands.columns:
        local = cands["__local"].to_numpy()
        geoms = np.array([l if l is not None else g for l, g in zip(local, geoms)], dtype=object)
    d = shapely.distance(fp, geoms)
    zones = (cands[spec.zone_field].tolist() if spec.zone_field and spec.zone_field in cands.columns
             else [None] * len(cands))
    if spec.id_field and spec.id_field in cands.columns:
        ids = cands[spec.id_field].tolist()
    else:
        ids = [f"#{int(f) + 1}" for f in cands["__fid"]] if "__fid" in cands.columns else [""] * len(cands)
    return [(normalise_zone(spec.role, z), str(i), float(x)) for z, i, x, g in zip(zones, ids, d, geoms)
            if g is not None and not g.is_empty and x <= radius]


def layer_distances(result: CheckResult, request: ReviewRequest, *, cap_m: float = DISTANCE_CAP_M,
                    feedback: Feedback | None = None) -> list[dict]:
    """Per protected layer: the shortest distance from the footprint (None beyond ``cap_m``), the nearest
    feature, the distance per zone found, and the nearest zone where the activity would be 禁止."""
    data = result.data
    by_id = {x["id"]: x for x in data.get("layers", [])}
    sources = {s.spec.id: s for s in request.catalog.sources()}
    fp = result.footprint_geom
    out = []
    layers = [x for x in data.get("layers", []) if x["role"] != "admin_boundary" and x["id"] in sources]
    for n, layer in enumerate(layers):
        if feedback is not None:
            feedback.check_cancelled()
            feedback.set_progress(0.6 + 0.25 * n / max(len(layers), 1), "distances")
        src = sources[layer["id"]]
        buffer_m = getattr(src.spec, "buffer_m", None)
        best: dict[str, tuple[float, str]] = {}
        prohibited: dict[str, bool] = {}
        found_layer = searched = None
        for r in _steps(cap_m, float(buffer_m or 0.0)):
            searched = r
            for zone, fid, d in _feature_distances(src, fp, result.epsg, r):
                if zone not in best or d < best[zone][0]:
                    best[zone] = (d, fid)
            if request.activity:
                for zone in best:
                    if zone not in prohibited:
                        prohibited[zone] = verdict_if_occupied(data, layer, zone, request.activity,
                                                               request.facts) == PROHIBITED
            found_layer = bool(best)
            # go on looking for a zone where the activity would be 禁止 while one may exist further out
            known = _role_zones(layer["role"])
            need_prohibited = (request.activity and not any(prohibited.values())
                               and (known is None and not found_layer or known is not None and not known <= set(best)))
            if found_layer and not need_prohibited and r >= float(buffer_m or 0.0):
                break
        zones = [{"zone": z, "distance_m": d, "nearest_feature_id": fid,
                  "prohibited": prohibited.get(z) if request.activity else None}
                 for z, (d, fid) in sorted(best.items(), key=lambda kv: kv[1][0])]
        dist = zones[0]["distance_m"] if zones else None
        pz = next((z for z in zones if z["prohibited"]), None)
        entry = {"layer_id": layer["id"], "layer_name": layer["name"], "role": layer["role"],
                 "status": layer["status"], "distance_m": dist,
                 "nearest_feature_id": zones[0]["nearest_feature_id"] if zones else None,
                 "searched_m": searched, "cap_m": cap_m, "buffer_m": buffer_m,
                 "nearby": bool(buffer_m and dist is not None and layer["status"] == "not_touched"
                                and dist <= float(buffer_m)),
                 "zones": zones,
                 "nearest_prohibited_zone": ({"zone": pz["zone"], "distance_m": pz["distance_m"],
                                              "nearest_feature_id": pz["nearest_feature_id"]} if pz else None)}
        entry["sentence_zh"] = _distance_sentence(entry, by_id.get(layer["id"], layer))
        out.append(entry)
    return out


def _distance_sentence(e: dict, layer: dict) -> str:
    name = e["layer_name"]
    if e["status"] == "occupied":
        s = f"项目用地占用{name}（最近距离 0 m）"
    elif e["status"] == "touching":
        s = f"项目用地与{name}边界相接（最近距离 0 m）"
    elif e["distance_m"] is None:
        s = f"{name}：{e['cap_m'] / 1000:g} km 内无"
    else:
        s = f"距{name}最近距离 {fmt_m(e['distance_m'])}"
        if e["nearby"]:
            s += f"（在 {e['buffer_m']:g} m 缓冲范围内，属邻近，不构成占用）"
    pz = e.get("nearest_prohibited_zone")
    if pz and pz["distance_m"] > 0 and e["zones"] and (pz["zone"] != e["zones"][0]["zone"] or e["status"] != "not_touched"):
        s += f"；距禁止区（{pz['zone']}）最近距离 {fmt_m(pz['distance_m'])}"
    return s


# ------------------------------------------------------------------------------------------------
# what would change the verdict


def _fact_phrase(question: str, value: bool) -> str:
    """'是否属于国家重大项目（…）？' + True → '属于国家重大项目'; False → '不属于国家重大项目'."""
    q = re.sub(r"（[^）]*）", "", question).strip().rstrip("？?")
    q = q[2:] if q.startswith("是否") else q
    if value:
        return q
    if q.startswith("有"):
        return "无" + q[1:]
    if q.startswith("必须"):
        return "并非" + q
    return "不" + q


def _questions() -> dict[str, str]:
    from ..rules.activities import list_activities

    out: dict[str, str] = {}
    for a in list_activities():
        for q in a.get("questions", []):
            out.setdefault(q["fact"], q["question_zh"])
    return out


def what_would_change(data: dict, activity: str, facts: dict, *, max_pair_facts: int = 6) -> list[dict]:
    """For each 禁止 / 需人工判定 / 有条件允许 zone of ``data["verdicts"]``: the fact answers (one, or two
    together when neither alone does it) and the other activity types that give another verdict."""
    from ..rules.activities import list_activities
    from ..rules.engine import evaluate

    verdicts = data.get("verdicts") or {}
    questions = _questions()
    acts = list_activities()
    this = next((a for a in acts if a["id"] == activity), None)
    own = [q["fact"] for q in (this or {}).get("questions", [])]
    shown = (verdicts.get("activity") or {}).get("facts") or {}
    out = []
    layers = {x["id"]: x for x in data.get("layers", [])}
    for z in verdicts.get("zones") or []:
        if z.get("verdict") not in WHAT_IF_VERDICTS or z.get("status") == "not_touched":
            continue
        layer = layers.get(z["layer_id"])
        if layer is None:
            continue
        small = _zone_result(data, layer)

        def run(act: str, f: dict) -> dict | None:
            return _find_zone(evaluate(small, act, f), z["layer_id"], z.get("zone"))

        base = z["verdict"]
        asked = [q["fact"] for q in z.get("open_questions") or []]
        cand = list(dict.fromkeys(asked + own + list(questions)))
        singles: dict[tuple, str] = {}
        changes, tried = [], set()
        followups = []  # a change leaving an open question: answer that one too
        for f in cand:
            for val in (True, False):
                if shown.get(f, facts.get(f)) is val:
                    continue
                e = run(activity, {**facts, f: val})
                singles[(f, val)] = e["verdict"] if e else base
                tried.add(frozenset({(f, val)}))
                if e and e["verdict"] != base:
                    changes.append(_change({f: val}, e, questions))
                if e and e.get("open_questions"):
                    followups += [((f, val), (q["fact"], v2)) for q in e["open_questions"] if q["fact"] != f
                                  for v2 in (True, False)]
        pair_facts = list(dict.fromkeys(asked + own))[:max_pair_facts]
        pairs = [((f1, v1), (f2, v2)) for f1, f2 in combinations(pair_facts, 2)
                 for v1 in (True, False) for v2 in (True, False)] + followups
        for a1, a2 in pairs:
            key = frozenset({a1, a2})
            if key in tried or a1 not in singles:
                continue
            tried.add(key)
            if shown.get(a2[0], facts.get(a2[0])) is a2[1]:
                continue
            e = run(activity, {**facts, a1[0]: a1[1], a2[0]: a2[1]})
            if e and e["verdict"] not in (base, singles[a1], singles.get(a2, base)):
                changes.append(_change(dict((a1, a2)), e, questions))
        changes.sort(key=lambda c: (strictness(c["verdict"]), len(c["facts"])))
        by_verdict: dict[str, list] = {}
        for a in acts:
            if a["id"] == activity:
                continue
            e = run(a["id"], facts)
            if e and e["verdict"] != base:
                by_verdict.setdefault(e["verdict"], []).append(
                    {"id": a["id"], "name_zh": a["name_zh"], "short_zh": _short(a), "rule_id": e.get("rule_id")})
        alt = [{"verdict": v, "activities": lst,
                "sentence_zh": f"若项目类型为{'、'.join(a['short_zh'] for a in lst[:6])}"
                               f"{' 等 ' + str(len(lst)) + ' 类' if len(lst) > 6 else ''}：{v}"}
               for v, lst in sorted(by_verdict.items(), key=lambda kv: strictness(kv[0]))]
        out.append({"layer_id": z["layer_id"], "layer_name": z.get("layer_name"), "zone": z.get("zone"),
                    "verdict": base, "rule_id": z.get("rule_id"), "facts": changes, "activities": alt})
    return out


def _short(activity: dict) -> str:
    """An activity's name short enough for a sentence (a Chinese alias for the long ones)."""
    name = re.sub(r"（[^）]*）", "", activity["name_zh"])
    if len(name) <= 12:
        return name
    return next((a for a in activity.get("aliases", []) if not a.isascii()), name)


def _change(assign: dict, e: dict, questions: dict) -> dict:
    phrase = "，且".join(_fact_phrase(questions.get(f, f), v) for f, v in assign.items())
    return {"facts": assign, "verdict": e["verdict"], "rule_id": e.get("rule_id"),
            "sentence_zh": f"若{phrase}：{e['verdict']}"}


# ------------------------------------------------------------------------------------------------
# the whole block


def avoidance_analysis(result: CheckResult, request: ReviewRequest, *, cap_m: float = DISTANCE_CAP_M,
                       feedback: Feedback | None = None) -> dict:
    """The ``avoidance`` block of the result (docs/result_schema.md) — the function the GUI panel calls."""
    data = result.data
    options = remainder_options(result, request, feedback) if request.activity else []
    distances = layer_distances(result, request, cap_m=cap_m, feedback=feedback)
    changes = what_would_change(data, request.activity, request.facts) if request.activity else []
    if feedback is not None:
        feedback.set_progress(1.0, "done")
    if not request.activity:
        sentence = "未指定项目类型，未作避让结论（仅计算距离）。"
    elif not options:
        sentence = "无禁止或需人工判定的管控分区，无需避让。"
    else:
        sentence = options[-1]["sentence_zh"] + "。"
    return {"method": {"remainder": "项目用地减去结论为禁止或需人工判定的分区的压占部分（平面差集，分析坐标系），"
                                    "剩余范围按同一图层目录、项目类型和事实重新审查",
                       "distance": f"项目用地到图层要素的最短平面距离（分析坐标系），在逐级扩大的缓冲区内查找，"
                                   f"最远 {cap_m:g} m",
                       "what_if": "对各分区以规则问题的其他回答和其他项目类型重新运行规则引擎"},
            "sentence_zh": sentence, "options": options,
            "recommended": len(options) - 1 if options else None,
            "distances": distances, "what_if": changes}


def add_avoidance(result: CheckResult, request: ReviewRequest, *, cap_m: float = DISTANCE_CAP_M,
                  feedback: Feedback | None = None) -> dict:
    """Compute the avoidance block and store it as ``result.data["avoidance"]``."""
    block = avoidance_analysis(result, request, cap_m=cap_m, feedback=feedback)
    result.data["avoidance"] = block
    return block


# ------------------------------------------------------------------------------------------------
# export


def write_remainder(option: dict, path: str | Path, *, epsg: int, name: str | None = None) -> list[str]:
    """Write an option's remainder as a footprint file (TXT, SHP or GPKG), atomically; returns notes."""
    from ..footprint_io import write_footprint

    p = Path(path)
    if p.suffix.lower() not in EXPORT_SUFFIXES:
        raise InputError("avoidance.export_suffix", path=p, suffixes=" / ".join(EXPORT_SUFFIXES))
    geom = shapely.from_wkt((option.get("remainder") or {}).get("geometry_wkt") or "POLYGON EMPTY")
    if geom.is_empty:
        raise InputError("avoidance.no_remainder", label=option.get("label", ""))
    fp = remainder_footprint(geom, epsg, name or "避让后用地")
    if p.suffix.lower() != ".shp":
        with atomic_output(p) as tmp:
            return write_footprint(fp, tmp)
    # a shapefile is several files: write them next to the target, then move each one into place
    import os
    import tempfile

    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError("output.cannot_write", path=p, reason=exc.strerror or str(exc)) from None
    with tempfile.TemporaryDirectory(prefix=f".{p.stem}-", dir=p.parent) as d:
        notes = write_footprint(fp, Path(d) / p.name)
        for s in SHP_SIDECARS:
            q = (Path(d) / p.name).with_suffix(s)
            if q.exists():
                os.replace(q, p.with_suffix(s))
            elif p.with_suffix(s).exists():
                p.with_suffix(s).unlink()
    return notes


# ------------------------------------------------------------------------------------------------
# text for the terminal


__all__ = ["add_avoidance", "avoidance_analysis", "layer_distances", "remainder_footprint",
           "remainder_geometry", "remainder_options", "verdict_if_occupied", "what_would_change", "write_remainder",
           "zone_geometry"]
