"""Readable text summary of a check result (Chinese or English) for the terminal."""

from __future__ import annotations

import unicodedata

from .domain.vocab import STATUSES

#: overlay status labels (domain.vocab.STATUSES): 未涉及 = the layer covers the place and nothing is
#: touched; 无数据覆盖 = the footprint lies outside the layer's data
STATUS = {"zh": {k: s.zh for k, s in STATUSES.items()}, "en": {k: s.en for k, s in STATUSES.items()}}
TEXT = {
    "zh": {"title": "项目用地压占分析", "footprint": "项目用地", "crs": "分析坐标系", "location": "所在行政区",
           "method": "面积为 CGCS2000 椭球面积（界址线按高斯平面直线加密计算；括号内为高斯平面面积）", "layer": "图层", "status": "情况",
           "features": "图斑数", "area": "压占面积 m²", "ha": "公顷", "mu": "亩", "share": "占比",
           "zones": "分区", "dem": "高程", "slope": "坡度", "landcover": "地表覆盖", "covered": "栅格覆盖",
           "synthetic": "注意：示例图层为合成数据，仅用于演示和培训", "warnings": "提示"},
    "en": {"title": "Footprint overlay check", "footprint": "Footprint", "crs": "Analysis CRS",
           "location": "County", "method": "Areas are CGCS2000 ellipsoidal (edges straight in the Gauss-Krüger plane, densified; planar in brackets)",
           "layer": "Layer", "status": "Status", "features": "Features", "area": "Overlap m²", "ha": "ha",
           "mu": "mu", "share": "Share", "zones": "zones", "dem": "Elevation", "slope": "Slope",
           "landcover": "Land cover", "covered": "raster coverage",
           "synthetic": "Note: the sample layers are synthetic, for demos and training only",
           "warnings": "Notes"},
}


def width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def pad(s: str, n: int, right: bool = False) -> str:
    fill = " " * max(n - width(s), 0)
    return fill + s if right else s + fill


def table(rows: list[list[str]], right_cols: set[int]) -> str:
    widths = [max(width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(pad(c, widths[i], i in right_cols) for i, c in enumerate(r)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_summary(data: dict, lang: str = "zh") -> str:
    t, st = TEXT[lang], STATUS[lang]
    fp = data["footprint"]
    a = fp["area"]
    out = [f"== {t['title']}: {fp['name']} ==",
           f"{t['footprint']}: {a['ellipsoidal_m2']:,.2f} m² = {a['ellipsoidal_ha']:,.4f} {t['ha']} = "
           f"{a['ellipsoidal_mu']:,.2f} {t['mu']}  ({a['planar_m2']:,.2f} m²)  "
           f"[{fp['parcel_count']} parcel(s), {fp['ring_count']} ring(s), {fp['vertex_count']} vertices]",
           f"{t['crs']}: {data['analysis_crs']['label']}"]
    if fp.get("area_vertex_only"):
        v = fp["area_vertex_only"]
        out.append(f"  {v['label']}: {v['ellipsoidal_m2']:,.2f} m²")
    if data.get("location"):
        out.append(f"{t['location']}: {data['location']['county']}")
    out.append(t["method"])
    rows = [[t["layer"], t["status"], t["features"], t["area"], t["ha"], t["mu"], t["share"]]]
    for layer in data["layers"]:
        if layer["role"] == "admin_boundary":
            continue
        la = layer["area"]
        rows.append([layer["name"], st.get(layer["status"], layer["status"]), str(layer["hit_count"]),
                     f"{la['ellipsoidal_m2']:,.2f} ({la['planar_m2']:,.2f})", f"{la['ellipsoidal_ha']:,.4f}",
                     f"{la['ellipsoidal_mu']:,.2f}", f"{100 * layer['share_of_footprint']:.2f}%"])
        for z in layer["by_zone"]:
            if z["zone"] == layer["role_name"]:
                continue
            za = z["area"]
            rows.append([f"  └ {z['zone']}", st[z.get("status", "occupied")], str(z["piece_count"]),
                         f"{za['ellipsoidal_m2']:,.2f}", f"{za['ellipsoidal_ha']:,.4f}", f"{za['ellipsoidal_mu']:,.2f}",
                         f"{100 * z['share_of_footprint']:.2f}%"])
    out.append("")
    out.append(table(rows, right_cols={2, 3, 4, 5, 6}))
    out.extend(format_rasters(data.get("rasters") or [], lang))
    if data.get("verdicts"):
        from .rules.cli import format_verdicts
        out.append("")
        out.append(format_verdicts(data["verdicts"], lang))
    if data.get("avoidance"):
        out.extend(format_avoidance(data["avoidance"], lang))
    notes = list(data.get("warnings", []))
    if data.get("catalog", {}).get("synthetic"):
        notes.append(t["synthetic"])
    if notes:
        out.append("")
        out.append(f"{t['warnings']}:")
        out.extend(f"  - {w}" for w in notes)
    return "\n".join(out)


def format_rasters(rasters: list[dict], lang: str = "zh") -> list[str]:
    """A few lines per raster: elevation/slope statistics or the area per land-cover class."""
    t = TEXT[lang]
    out = []
    for r in rasters:
        head = f"{r['name']} ({t['covered']} {100 * r['covered_share']:.1f}%)"
        st = r.get("stats")
        if st:
            e, s = st["elevation_m"], st["slope_deg"]
            out += ["", head,
                    f"  {t['dem']} min/mean/max: {e['min']:.1f} / {e['mean']:.1f} / {e['max']:.1f} m",
                    f"  {t['slope']} min/mean/max: {s['min']:.1f} / {s['mean']:.1f} / {s['max']:.1f}°"]
            for a in st.get("slope_above", []):
                out.append(f"  {t['slope']} > {a['threshold_deg']:g}°: {a['area']['ellipsoidal_m2']:,.2f} m² "
                           f"({100 * a['share_of_footprint']:.2f}%)")
        elif r.get("classes"):
            rows = [[t["landcover"], t["area"], t["ha"], t["mu"], t["share"]]]
            for c in r["classes"]:
                name = c["name_zh"] if lang == "zh" else (c.get("name_en") or c["name_zh"])
                a = c["area"]
                rows.append([f"{c['code']} {name}", f"{a['ellipsoidal_m2']:,.2f}", f"{a['ellipsoidal_ha']:,.4f}",
                             f"{a['ellipsoidal_mu']:,.2f}", f"{100 * c['share_of_footprint']:.2f}%"])
            out += ["", head, table(rows, right_cols={1, 2, 3, 4})]
    return out


def format_avoidance(block: dict, lang: str = "zh") -> list[str]:
    """A few lines for the CLI summary."""
    out = ["", "避让分析 / siting assistant:" if lang == "en" else "避让分析："]
    out.append(f"  {block.get('sentence_zh', '')}")
    for o in block.get("options", [])[:-1] if len(block.get("options", [])) > 1 else []:
        out.append(f"  - {o['sentence_zh']}")
    if block.get("distances"):
        out.append("  距离：")
        out += [f"  - {d['sentence_zh']}" for d in block["distances"]]
    if block.get("what_if"):
        out.append("  改变结论的条件：")
        for w in block["what_if"]:
            head = f"  - {_zone_label(w.get('layer_name') or w['layer_id'], w.get('zone'))}（{w['verdict']}）："
            items = [c["sentence_zh"] for c in w["facts"][:4]] + [a["sentence_zh"] for a in w["activities"][:2]]
            out.append(head + ("；".join(items) if items else "无（任何回答和项目类型均不改变结论）"))
    return out


def _zone_label(layer_name: str, zone: str | None) -> str:
    return f"{layer_name}（{zone}）" if zone and zone != layer_name else layer_name
