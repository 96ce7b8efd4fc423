"""The report maps: the location map, one overlay map per touched layer and one map per raster layer
(matplotlib, Qt-free)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import shapely
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..fonts import setup_matplotlib_fonts
from ..styles import Style, StyleSet, load_styles
from .context import MapContext, map_context
from .draw import (AX_RECT, FIG_H, FIG_W, axes_aspect, draw_polygons, fit_extent, halo_text, legend_handle,
                   note_box, north_arrow, scale_bar, setup_grid, words)


def layer_label(ctx: MapContext, entry: dict) -> str:
    """A layer's name on the map: the catalog's, or its role's English name."""
    if ctx.lang == "en":
        from ..domain.roles import ROLES

        role = ROLES.get(entry.get("role") or "")
        return role.name_en if role else entry.get("name", "")
    return entry.get("name", "")


def zone_label(ctx: MapContext, zone: str) -> str:
    if ctx.lang == "en":
        from ..rules.model import ZONE_EN

        return ZONE_EN.get(zone, zone)
    return zone


def footprint_label(ctx: MapContext, fst: Style) -> str:
    return words(ctx.lang, "footprint") if ctx.lang == "en" or not fst.label else fst.label

#: roles drawn as context on the county-scale location map (large polygons; parcels would be clutter)
LOCATION_ROLES = ("eco_redline", "nature_reserve", "urban_boundary")
#: roles shown as context on every overlay map, drawn under the map's own layer
OVERLAY_CONTEXT_ROLES = ("urban_boundary", "eco_redline", "nature_reserve")
TOUCHED = ("occupied", "touching")


@dataclass
class MapInfo:
    """One rendered map."""

    kind: str  # "location" | "overlay"
    layer_id: str | None
    title: str
    path: Path | None = None
    note: str = ""


def _figure(title: str | None):
    setup_matplotlib_fonts()
    fig = Figure(figsize=(FIG_W, FIG_H))
    ax = fig.add_axes(AX_RECT)
    ax.set_facecolor("white")
    if title:
        fig.text(0.5, 0.975, title, ha="center", va="top", fontsize=12)
    return fig, ax


def _legend(fig, ax, handles) -> None:
    """The legend in rows under the map frame (below the Y grid labels)."""
    if handles:
        bottom = ax.get_position().y0
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, bottom - 0.075), ncol=3, fontsize=7.5,
                   frameon=True, edgecolor="#888888", fancybox=False, handlelength=2.2, handleheight=1.1,
                   columnspacing=1.4, borderpad=0.5)


def _crs_note(fig, ctx: MapContext) -> None:
    label = ctx.data["analysis_crs"].get("label", f"EPSG:{ctx.epsg}")
    fig.text(0.97, 0.951, words(ctx.lang, "crs", epsg=label.split(" ", 1)[0]),
             ha="right", va="bottom", fontsize=6.5, color="#444444")


#: the maps' printed width in the PDF and Word reports (the whole figure, ≈ 151 mm on A4)
PRINT_WIDTH_MM = 150.0


def print_scale(extent) -> int:
    """The scale denominator of the map frame when the figure is printed PRINT_WIDTH_MM wide (3 digits)."""
    frame_m = PRINT_WIDTH_MM * AX_RECT[2] / 1000.0
    n = (extent[2] - extent[0]) / frame_m
    digits = max(0, len(str(int(n))) - 3)
    return int(round(n / 10 ** digits) * 10 ** digits)


def overview_inset(ax, ctx: MapContext, extent, styles: StyleSet) -> None:
    """A small overview in the upper left of the frame: the home county, the map frame (red) and the
    project (dot), so a tight overlay map keeps its context."""
    admin = next((x for x in ctx.layers.values() if x["role"] == "admin_boundary"), None)
    fp = ctx.footprint
    if admin is None or not ctx.available(admin["id"]):
        return
    home = ctx.features(admin["id"], fp.envelope.buffer(1.0))
    if home is None or home.empty:
        return
    home = home[home.geometry.intersects(fp)]
    if home.empty:
        return
    ins = ax.inset_axes([0.012, 0.745, 0.24, 0.24])
    ins.set_zorder(80)  # a child of the map axes: above its hatches and labels
    ins.set_facecolor("white")
    st = styles.role("admin_boundary")
    draw_polygons(ins, home.geometry.values, st, facecolor="#efefea", linewidth=0.5, linestyle="-")
    box = shapely.box(*extent)
    b = shapely.union_all([*home.geometry.values, box]).bounds
    pad = 0.04 * max(b[2] - b[0], b[3] - b[1])
    cx, cy, half = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, max(b[2] - b[0], b[3] - b[1]) / 2 + pad
    ins.set_xlim(cx - half, cx + half)  # a square view: the inset is square
    ins.set_ylim(cy - half, cy + half)
    x0, y0, x1, y1 = extent
    ins.plot([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0], color="#d00000", linewidth=0.9)
    c = fp.representative_point()
    ins.plot([c.x], [c.y], marker="o", markersize=2.5, color="#d00000", linestyle="none")
    ins.set_xticks([])
    ins.set_yticks([])
    for sp in ins.spines.values():
        sp.set_edgecolor("#555555")
        sp.set_linewidth(0.6)
    ins.text(0.03, 0.03, words(ctx.lang, "overview"), transform=ins.transAxes, fontsize=5.5, color="#444444", va="bottom")


def scale_note(fig, extent, lang: str = "zh") -> None:
    """「比例尺 1:N」 under the frame, for the map as printed in the report."""
    fig.text(0.03, 0.951, words(lang, "scale", n=f"{print_scale(extent):,}", width=f"{PRINT_WIDTH_MM:.0f}"),
             ha="left", va="bottom", fontsize=6.5, color="#444444")


def _ctx(data_or_ctx) -> MapContext:
    return data_or_ctx if isinstance(data_or_ctx, MapContext) else map_context(data_or_ctx)


def _draw_zoned(ax, gdf, role: str, styles: StyleSet, name: str, handles: list, *, muted: bool = False,
                ctx: MapContext | None = None) -> None:
    """Features of one layer, grouped by zone so zone styles (核心保护区, 基本草原 …) apply."""
    if gdf is None or gdf.empty:
        return
    for zone, grp in gdf.groupby("zone", sort=True):
        st = styles.role(role, zone)
        kw = {"alpha": 0.55} if muted else {}
        if draw_polygons(ax, grp.geometry.values, st, **kw) is not None:
            zoned = zone in styles.zones.get(role, {}) or role in ("cultivated_land",)
            if ctx is not None and ctx.lang == "en":
                zname = zone_label(ctx, zone)
                label = f"{name} ({zname})" if zoned and zname.lower() != name.lower() else name
            else:
                label = f"{name}（{zone}）" if zoned and zone != name else name
            if label not in {h.get_label() for h in handles}:
                handles.append(legend_handle(st, label, **kw))


def project_label(data: dict) -> str:
    """The project's name for map labels: the footprint's XMMC/项目名称 attribute, else its file name."""
    for p in data["footprint"].get("parcels", []):
        for k in ("XMMC", "项目名称", "DKMC", "地块名称"):
            v = (p.get("attributes") or {}).get(k)
            if v:
                return str(v)
    return data["footprint"].get("name") or "项目用地"


def location_map(data_or_ctx, *, title: str | None = "项目位置示意图", styles: StyleSet | None = None,
                 label: str | None = None) -> Figure:
    """The footprint within its county (``admin_boundary`` layer) with the large protected zones.

    ``title`` None draws no title (the reports caption the map instead); ``label`` names the project
    at its marker (default `project_label`).

    Without an admin layer file the map falls back to a 5 km frame around the footprint.
    """
    ctx = _ctx(data_or_ctx)
    styles = styles or load_styles()
    fig, ax = _figure(title)
    handles: list = []
    notes: list[str] = []
    fp = ctx.footprint
    admin = next((x for x in ctx.layers.values() if x["role"] == "admin_boundary"), None)
    home = None
    if admin is not None:
        home = ctx.features(admin["id"], fp.envelope.buffer(1.0))
        if home is not None and not home.empty:
            home = home[home.geometry.intersects(fp)]
    if home is not None and not home.empty:
        bounds = shapely.union_all(home.geometry.values).bounds
        extent = fit_extent(bounds, 0.06, 200.0, axes_aspect(fig, ax))
    else:
        c = fp.centroid
        half = max(2500.0, 3 * max(fp.bounds[2] - fp.bounds[0], fp.bounds[3] - fp.bounds[1]))
        extent = fit_extent((c.x - half, c.y - half, c.x + half, c.y + half), 0, 0, axes_aspect(fig, ax))
        notes.append(words(ctx.lang, "no_admin") if admin is None or not ctx.available(admin["id"])
                     else words(ctx.lang, "outside_admin"))
    frame = shapely.box(*extent)
    if admin is not None:
        allc = ctx.features(admin["id"], frame)
        if allc is not None and not allc.empty:
            st = styles.role("admin_boundary")
            others = allc[~allc.geometry.intersects(fp)]
            draw_polygons(ax, others.geometry.values, st, facecolor="#fbfbfb")
            if home is not None and not home.empty:
                draw_polygons(ax, home.geometry.values, st, facecolor="#efefea", linewidth=st.width * 1.8,
                              linestyle="-")
            handles.append(legend_handle(st, words(ctx.lang, "county_boundary"), facecolor="#efefea"))
            name_col = "XZQMC" if "XZQMC" in allc.columns else None
            for _, row in allc.iterrows():
                g = row.geometry.intersection(frame)
                if g.is_empty or g.area < 0.02 * frame.area:
                    continue
                p = g.representative_point() if not row.geometry.intersects(fp) else None
                if p is None:  # the home county: label away from the footprint
                    p = _label_point_away(g, fp)
                if name_col and row[name_col]:
                    halo_text(ax, p.x, p.y, str(row[name_col]), size=9, color="#404040")
    for role in LOCATION_ROLES:
        for entry in ctx.layers_of_role(role):
            _draw_zoned(ax, ctx.features(entry["id"], frame), role, styles, layer_label(ctx, entry), handles,
                        muted=True, ctx=ctx)
    # the footprint: outline + marker (it is often a few pixels at county scale)
    fst, mst = styles.footprint, styles.location_marker
    draw_polygons(ax, [fp], fst, zorder=fst.zorder)
    c = fp.representative_point()
    ax.plot([c.x], [c.y], marker="o", markersize=mst.size, markerfacecolor=mst.face, markeredgecolor=mst.edge,
            markeredgewidth=1.2, zorder=fst.zorder + 1, linestyle="none")
    name = label or project_label(ctx.data)
    ax.annotate(f"{words(ctx.lang, 'project')}\n{name}", (c.x, c.y), xytext=(18, 18), textcoords="offset points", fontsize=8,
                color="#b00000", zorder=70, ha="left",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "#b00000", "linewidth": 0.6},
                arrowprops={"arrowstyle": "-", "color": "#b00000", "linewidth": 0.8})
    handles.append(Line2D([], [], marker="o", markersize=7, markerfacecolor=mst.face, markeredgecolor="#800000",
                          linestyle="none", label=words(ctx.lang, "project")))
    setup_grid(ax, extent, ctx.zone_number, lang=ctx.lang)
    scale_bar(ax, extent, lang=ctx.lang)
    scale_note(fig, extent, ctx.lang)
    north_arrow(ax, lang=ctx.lang)
    _crs_note(fig, ctx)
    notes += [n for n in ctx.notes if n not in notes]
    if notes:
        note_box(ax, "\n".join(notes))
    _legend(fig, ax, handles)
    return fig


def _label_point_away(g, fp):
    """A label point of the polygon ``g`` that does not sit on the footprint."""
    p = g.representative_point()
    if p.distance(fp) > 0.15 * (g.bounds[3] - g.bounds[1]):
        return p
    minx, miny, maxx, maxy = g.bounds
    for fx, fy in ((0.5, 0.8), (0.5, 0.2), (0.25, 0.5), (0.75, 0.5), (0.3, 0.75), (0.7, 0.25)):
        q = shapely.Point(minx + fx * (maxx - minx), miny + fy * (maxy - miny))
        if g.contains(q) and q.distance(fp) > 0.1 * (maxy - miny):
            return q
    return p


def overlay_map(data_or_ctx, layer_id: str, *, title: str | None = "", styles: StyleSet | None = None,
                max_labels: int | None = None) -> Figure:
    """One protected layer around the footprint, the overlap pieces highlighted (and labelled with their
    feature ids when there are at most ``max_labels`` of them, default from the styles).

    ``title`` "" gives "<layer name>叠加分析图", None no title.
    """
    ctx = _ctx(data_or_ctx)
    styles = styles or load_styles()
    entry = ctx.layers[layer_id]
    role, name = entry["role"], layer_label(ctx, entry)
    fig, ax = _figure(words(ctx.lang, "overlay_title", name=name) if title == "" else title)
    handles: list = []
    fp = ctx.footprint
    pieces = ctx.pieces(layer_id)
    bounds = shapely.union_all([fp, *[p.geometry for p in pieces]]).bounds
    extent = fit_extent(bounds, 0.22, 40.0, axes_aspect(fig, ax))
    frame = shapely.box(*extent)
    # context: the other large zones, faint, under the layer itself
    for crole in OVERLAY_CONTEXT_ROLES:
        if crole == role:
            continue
        for e in ctx.layers_of_role(crole):
            g = ctx.features(e["id"], frame)
            if g is not None and not g.empty:
                st = styles.role(crole)
                draw_polygons(ax, g.geometry.values, st, facecolor="none", hatch=None, alpha=None,
                              linewidth=max(st.width * 0.8, 0.6), zorder=st.zorder + 10)
                handles.append(legend_handle(st, layer_label(ctx, e), facecolor="none", hatch=None))
    feats = ctx.features(layer_id, frame)
    note = ""
    if feats is None:
        note = words(ctx.lang, "layer_unavailable")
    else:
        _draw_zoned(ax, feats, role, styles, name, handles, ctx=ctx)
    pst = styles.piece
    draw_polygons(ax, [p.geometry for p in pieces], pst)
    handles.append(legend_handle(pst, words(ctx.lang, "overlap", name=name)))
    fst = styles.footprint
    draw_polygons(ax, [fp], fst)
    # pieces narrower than the footprint outline (roads, pipelines at this scale) would vanish under it:
    # draw them again as a broad band on top
    pts_per_m = ax.get_position().width * fig.get_figwidth() * 72 / (extent[2] - extent[0])
    thin = [p.geometry for p in pieces if not p.sliver and p.geometry.length > 0
            and 2 * p.geometry.area / p.geometry.length * pts_per_m < 2 * fst.width]
    if thin:
        draw_polygons(ax, thin, pst, facecolor="none", hatch=None, edgecolor=pst.edge,
                      linewidth=max(2.2 * fst.width, 4.0), zorder=fst.zorder + 1)
    handles.append(Line2D([], [], color=fst.edge, linewidth=fst.width, label=footprint_label(ctx, fst)))
    lst = styles.piece_label
    limit = lst.max_labels if max_labels is None else max_labels
    labelled = [p for p in pieces if not p.sliver]
    if 0 < len(labelled) <= limit:
        for p in labelled:
            q = p.geometry.representative_point()
            halo_text(ax, q.x, q.y, p.feature_id, size=lst.size, color=lst.color, halo=lst.halo)
    elif len(labelled) > limit:
        note = (note + "\n" if note else "") + words(ctx.lang, "many_pieces", n=len(labelled))
    setup_grid(ax, extent, ctx.zone_number, lang=ctx.lang)
    scale_bar(ax, extent, lang=ctx.lang)
    scale_note(fig, extent, ctx.lang)
    overview_inset(ax, ctx, extent, styles)
    north_arrow(ax, lang=ctx.lang)
    _crs_note(fig, ctx)
    notes = [note] if note else []
    notes += [n for n in ctx.notes if n not in notes and entry.get("name", "") in n]
    if notes:
        note_box(ax, "\n".join(notes))
    _legend(fig, ax, handles)
    return fig


REMAINDER_STYLE = Style(label="避让后剩余用地", face="#74c476", alpha=0.55, edge="#1b7837", width=1.0, zorder=40)


def avoidance_map(data_or_ctx, option: int | None = None, *, title: str | None = "", styles: StyleSet | None = None
                  ) -> Figure:
    """避让分析图: the footprint, the part to avoid (the avoided zones' overlap, hatched), the remainder
    (green) and the avoided layers' features around, for ``avoidance.options[option]`` (default: the
    recommended option, avoiding every 禁止 / 需人工判定 zone).

    ``title`` "" gives "避让分析示意图", None no title.
    """
    ctx = _ctx(data_or_ctx)
    styles = styles or load_styles()
    block = ctx.data.get("avoidance") or {}
    opts = block.get("options") or []
    k = block.get("recommended") if option is None else option
    if k is None or not 0 <= int(k) < len(opts):
        raise KeyError("the result has no avoidance option to draw")
    opt = opts[int(k)]
    fig, ax = _figure(words(ctx.lang, "avoidance_title") if title == "" else title)
    fp = ctx.footprint
    rem = shapely.from_wkt(opt["remainder"]["geometry_wkt"])
    avoided = shapely.difference(fp, rem) if not rem.is_empty else fp
    extent = fit_extent(fp.bounds, 0.22, 40.0, axes_aspect(fig, ax))
    frame = shapely.box(*extent)
    handles: list = []
    for lid in dict.fromkeys(a["layer_id"] for a in opt["avoid"]):
        entry = ctx.layers.get(lid)
        if entry is not None:
            _draw_zoned(ax, ctx.features(lid, frame), entry["role"], styles, layer_label(ctx, entry), handles,
                        muted=True, ctx=ctx)
    pst = styles.piece
    draw_polygons(ax, [avoided], pst)
    handles.append(legend_handle(pst, words(ctx.lang, "to_avoid") if ctx.lang == "en" else f"须避让部分（{opt['label']}）"))
    if not rem.is_empty:
        draw_polygons(ax, [rem], REMAINDER_STYLE)
        handles.append(legend_handle(REMAINDER_STYLE, words(ctx.lang, "remainder")))
    fst = styles.footprint
    draw_polygons(ax, [fp], fst)
    handles.append(Line2D([], [], color=fst.edge, linewidth=fst.width, label=footprint_label(ctx, fst)))
    setup_grid(ax, extent, ctx.zone_number, lang=ctx.lang)
    scale_bar(ax, extent, lang=ctx.lang)
    north_arrow(ax, lang=ctx.lang)
    _crs_note(fig, ctx)
    ha = opt["remainder"]["area"]["ellipsoidal_ha"]
    from ..domain.vocab import verdict_label

    note = (words(ctx.lang, "remainder_note", ha=f"{ha:,.4f}", n=opt["remainder"]["part_count"],
                  verdict=verdict_label(opt["verdict"], ctx.lang)) if opt.get("verdict")
            else words(ctx.lang, "no_remainder"))
    if opt.get("edge_contact") and opt.get("verdict_if_edge_cleared") not in (None, opt.get("verdict")):
        note += "\n" + words(ctx.lang, "edge_note", verdict=verdict_label(opt["verdict_if_edge_cleared"], ctx.lang))
    note_box(ax, note)
    _legend(fig, ax, handles)
    return fig


RASTER_MAP_TITLES = {"dem": "高程示意图", "slope": "坡度分级示意图", "landcover": "地表覆盖示意图"}


def _raster_entry(ctx: MapContext, raster_id: str) -> dict:
    for r in ctx.data.get("rasters") or []:
        if r.get("id") == raster_id:
            return r
    raise KeyError(f"no raster {raster_id!r} in the result")


def raster_map(data_or_ctx, raster_id: str, *, kind: str | None = None, title: str | None = "",
               styles: StyleSet | None = None) -> Figure:
    """One raster of the result (``rasters[]`` entry ``raster_id``) around the footprint, drawn with
    `draw_raster` (DEM colour ramp over a hillshade, slope classes or land-cover classes) under the
    footprint outline, with legend, grid, north arrow and scale bar.

    ``kind``: ``"dem"``, ``"slope"`` or ``"landcover"`` (default: the raster's role). ``title`` "" gives
    "<raster name><高程/地表覆盖>示意图", None no title. When the GeoTIFF named in ``source`` is missing,
    changed (SHA-256) or does not reach the map, the map shows the footprint only and says so.
    """
    from .raster_draw import draw_raster

    ctx = _ctx(data_or_ctx)
    styles = styles or load_styles()
    entry = _raster_entry(ctx, raster_id)
    kind = kind or ("landcover" if entry.get("role") == "landcover" else "dem")
    name = entry.get("name") or raster_id
    fig, ax = _figure(f"{name}{RASTER_MAP_TITLES.get(kind, '示意图')}" if title == "" and ctx.lang != "en"
                      else words(ctx.lang, f"raster_{kind}") if title == "" else title)
    fp = ctx.footprint
    extent = fit_extent(fp.bounds, 0.22, 40.0, axes_aspect(fig, ax))
    handles: list = []
    note = ""
    src = ctx._resolve(entry.get("source")) if ctx.use_sources else None
    if src is None:
        note = words(ctx.lang, "raster_unavailable")
    else:
        sha = entry.get("sha256")
        if sha:
            from ..core.files import file_sha256

            if file_sha256(src) != sha:
                src, note = None, words(ctx.lang, "raster_changed")
    if src is not None:
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
        ax.set_autoscale_on(False)
        handles = draw_raster(ax, {**entry, "source": str(src)}, extent, ctx.epsg, kind, zorder=1, lang=ctx.lang)
        if not handles:
            note = words(ctx.lang, "raster_outside")
    fst = styles.footprint
    draw_polygons(ax, [fp], fst)
    handles.append(Line2D([], [], color=fst.edge, linewidth=fst.width, label=footprint_label(ctx, fst)))
    setup_grid(ax, extent, ctx.zone_number, lang=ctx.lang)
    scale_bar(ax, extent, lang=ctx.lang)
    scale_note(fig, extent, ctx.lang)
    north_arrow(ax, lang=ctx.lang)
    _crs_note(fig, ctx)
    share = entry.get("covered_share")
    if share is not None and float(share) < 1 - 1e-9:
        note = (note + "\n" if note else "") + words(ctx.lang, "raster_partial", pct=f"{float(share) * 100:.2f}")
    if note:
        note_box(ax, note)
    _legend(fig, ax, handles)
    return fig


def save_map(fig: Figure, path: str | Path, *, dpi: int = 200) -> Path:
    """Save a map figure trimmed to its content (the legend height varies). An SVG keeps its text as text
    (the PDF then carries searchable map labels in the embedded font)."""
    import matplotlib

    svg = Path(path).suffix.lower() == ".svg"
    if svg:
        _clip_polygons_to_frames(fig)
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        fig.savefig(path, dpi=dpi, facecolor="white", bbox_inches="tight", pad_inches=0.06)
    if svg:
        _clip_paths_first(Path(path))
    return Path(path)


def _clip_polygons_to_frames(fig) -> None:
    """Cut the polygons to their map frame: an SVG renderer that ignores clip paths (Qt SVG) would
    otherwise draw whole counties over the margins."""
    from matplotlib.patches import PathPatch
    from matplotlib.transforms import Bbox

    def frames(axes):
        for ax in axes:
            yield ax
            yield from frames(ax.child_axes)

    for ax in frames(fig.axes):
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        box = Bbox([[min(x0, x1), min(y0, y1)], [max(x0, x1), max(y0, y1)]])
        for p in ax.patches:
            if isinstance(p, PathPatch) and p.get_clip_on() and p.get_transform() == ax.transData:
                path = p.get_path()
                ext = path.get_extents()
                if len(path.vertices) and (ext.x0 < box.x0 or ext.y0 < box.y0 or ext.x1 > box.x1 or ext.y1 > box.y1):
                    p.set_path(path.clip_to_bbox(box))


def _clip_paths_first(path: Path) -> None:
    """matplotlib writes the clip paths at the end of the SVG; renderers that resolve references in
    document order (Qt SVG) would then draw polygons beyond the map frame. Move them to the start."""
    import re

    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"<defs>\s*<clipPath.*?</defs>", text, flags=re.S)
    if not blocks:
        return
    for b in blocks:
        text = text.replace(b, "", 1)
    svg = text.find("<svg")
    head_end = text.find(">", svg) + 1
    path.write_text(text[:head_end] + "\n" + "\n".join(blocks) + text[head_end:], encoding="utf-8")


def touched_layers(data: dict) -> list[dict]:
    """Layers with an overlay map: occupied or touched, except the administrative boundary."""
    return [x for x in data.get("layers", []) if x.get("status") in TOUCHED and x["role"] != "admin_boundary"]


def render_maps(data_or_ctx, out_dir: str | Path, *, dpi: int = 200, fmt: str = "png",
                titles: bool = False, styles: StyleSet | None = None) -> list[MapInfo]:
    """Render the location map and every overlay map into ``out_dir``; returns them in report order.

    ``titles`` draws the title inside the image (the reports put it in a caption instead).
    """
    ctx = _ctx(data_or_ctx)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    maps: list[MapInfo] = []
    jobs = [("location", None, "项目位置示意图")]
    jobs += [("overlay", x["id"], f"{x['name']}叠加分析图") for x in touched_layers(ctx.data)]
    for i, (kind, lid, title) in enumerate(jobs):
        fig = (location_map(ctx, title=title if titles else None, styles=styles) if kind == "location"
               else overlay_map(ctx, lid, title=title if titles else None, styles=styles))
        path = out / f"map_{i:02d}_{kind}{'_' + lid if lid else ''}.{fmt}"
        save_map(fig, path, dpi=dpi)
        maps.append(MapInfo(kind, lid, title, path))
    return maps
