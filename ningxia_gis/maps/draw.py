"""Drawing helpers for the report maps: polygons, grid, scale bar, north arrow, legend (matplotlib)."""

from __future__ import annotations

import math

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.patches import PathPatch, Polygon as MplPolygon, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..styles import Style

# figure layout (inches / figure fractions), shared by every map so they look alike in the report
FIG_W, FIG_H = 6.7, 6.3
AX_RECT = (0.115, 0.215, 0.855, 0.725)  # left, bottom, width, height


def polygons_path(geoms) -> MplPath | None:
    """One compound path for many (multi)polygons; holes cut out (shells CCW, holes CW)."""
    verts, codes = [], []
    for g in geoms:
        if g is None or g.is_empty:
            continue
        for poly in shapely.get_parts(g):
            if poly.geom_type != "Polygon" or poly.is_empty:
                continue
            poly = shapely.orient_polygons(poly, exterior_cw=False)
            for ring in (poly.exterior, *poly.interiors):
                xy = np.asarray(ring.coords)[:, :2]
                if len(xy) < 3:
                    continue
                verts.append(xy)
                c = np.full(len(xy), MplPath.LINETO, dtype=np.uint8)
                c[0] = MplPath.MOVETO
                c[-1] = MplPath.CLOSEPOLY
                codes.append(c)
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def draw_polygons(ax, geoms, style: Style, **overrides) -> PathPatch | None:
    path = polygons_path(geoms)
    if path is None:
        return None
    kw = style.mpl_patch_kwargs()
    kw.update(overrides)
    patch = PathPatch(path, **kw)
    ax.add_patch(patch)
    return patch


def legend_handle(style: Style, label: str, **overrides) -> Rectangle:
    kw = style.mpl_patch_kwargs()
    kw.pop("zorder", None)
    kw.update(overrides)
    return Rectangle((0, 0), 1, 1, label=label, **kw)


def fit_extent(bounds, pad_frac: float, min_pad: float, aspect: float) -> tuple[float, float, float, float]:
    """Bounds padded by ``pad_frac`` of their size (≥ ``min_pad`` metres), then widened to the axes'
    height/width ``aspect`` so the map fills the frame."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    pad = max(pad_frac * max(w, h), min_pad)
    minx, maxx, miny, maxy = minx - pad, maxx + pad, miny - pad, maxy + pad
    w, h = maxx - minx, maxy - miny
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if h / w < aspect:
        h = w * aspect
    else:
        w = h / aspect
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def axes_aspect(fig, ax) -> float:
    bb = ax.get_position()
    return (bb.height * fig.get_figheight()) / (bb.width * fig.get_figwidth())


def words(lang: str, key: str, **kw) -> str:
    """The map text ``rpt.map.<key>`` of the message catalog in ``lang``."""
    from ..domain.messages import text

    return text(f"rpt.map.{key}", lang, **kw)


def setup_grid(ax, extent, zone_number: int, *, fontsize: float = 7.0, lang: str = "zh") -> None:
    """Equal-aspect axes over ``extent`` with a coordinate grid in Gauss-Krüger metres.

    X (northing) on the left, Y (easting) at the bottom *with the zone prefix* (e.g. 35 588 000),
    as in the 界址点 table and the 报盘 TXT.
    """
    minx, miny, maxx, maxy = extent
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=True))
    prefix = zone_number * 1_000_000 if zone_number else 0
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v + prefix:.0f}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0f}"))
    ax.tick_params(labelsize=fontsize, direction="in", length=3, top=True, right=True)
    for lab in ax.get_yticklabels():
        lab.set_rotation(90)
        lab.set_verticalalignment("center")
    ax.tick_params(axis="y", labelrotation=90)
    ax.grid(True, color="#8a8a8a", linewidth=0.35, linestyle=(0, (4, 3)), zorder=40, alpha=0.8)
    ax.set_xlabel(words(lang, "y_zone", zone=zone_number) if zone_number else words(lang, "y"),
                  fontsize=fontsize + 0.5, labelpad=2)
    ax.set_ylabel(words(lang, "x"), fontsize=fontsize + 0.5, labelpad=2)
    for s in ax.spines.values():
        s.set_linewidth(1.2)
        s.set_zorder(50)


def nice_length(target: float) -> float:
    if target <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * e <= target:
            return m * e
    return e


def scale_bar(ax, extent, *, fontsize: float = 7.0, lang: str = "zh") -> None:
    """Alternating black/white bar (4 segments) in the lower left, ≈ 1/4 of the map width."""
    minx, miny, maxx, maxy = extent
    w, h = maxx - minx, maxy - miny
    length = nice_length(w / 4)
    seg = length / 4
    x0, y0 = minx + 0.04 * w, miny + 0.05 * h
    bh = 0.012 * h
    km = length >= 1000
    from ..domain.vocab import UNITS

    unit = UNITS["km" if km else "m"][1 if lang == "en" else 0]
    ax.add_patch(Rectangle((x0 - 0.015 * w, y0 - 0.03 * h), length + 0.065 * w + (0.03 * w if km else 0.04 * w),
                           0.085 * h, facecolor="white", edgecolor="#555555", linewidth=0.5, alpha=0.9,
                           zorder=60))
    for i in range(4):
        ax.add_patch(Rectangle((x0 + i * seg, y0), seg, bh, facecolor="black" if i % 2 == 0 else "white",
                               edgecolor="black", linewidth=0.6, zorder=61))
    for v in (0, length / 2, length):
        lab = f"{v / 1000:g}" if km else f"{v:g}"
        ax.text(x0 + v, y0 + bh + 0.006 * h, lab, ha="center", va="bottom", fontsize=fontsize - 0.5, zorder=62)
    ax.text(x0 + length + 0.012 * w, y0 + bh / 2, unit, ha="left", va="center", fontsize=fontsize - 0.5,
            zorder=62)


def north_arrow(ax, *, x: float = 0.93, y: float = 0.86, size: float = 0.075, lang: str = "zh") -> None:
    """A split-arrow north pointer with 北/N, in axes fractions (grid north = map up)."""
    t = ax.transAxes
    w = size * 0.38
    left = MplPolygon([(x, y + size), (x - w, y), (x, y + size * 0.28)], closed=True, transform=t,
                      facecolor="black", edgecolor="black", linewidth=0.6, zorder=62)
    right = MplPolygon([(x, y + size), (x + w, y), (x, y + size * 0.28)], closed=True, transform=t,
                       facecolor="white", edgecolor="black", linewidth=0.6, zorder=62)
    ax.add_patch(Rectangle((x - w * 1.6, y - size * 0.42), w * 3.2, size * 1.55, transform=t,
                           facecolor="white", edgecolor="#555555", linewidth=0.5, alpha=0.9, zorder=61))
    ax.add_patch(left)
    ax.add_patch(right)
    ax.text(x, y - size * 0.05, "N" if lang == "en" else "北", transform=t, ha="center", va="top", fontsize=8, zorder=63)


def halo_text(ax, x, y, text, *, size=6.5, color="black", halo="white", **kw):
    return ax.text(x, y, text, fontsize=size, color=color, ha="center", va="center", zorder=70,
                   path_effects=[patheffects.withStroke(linewidth=2.2, foreground=halo)], **kw)


def note_box(ax, text: str, *, fontsize: float = 6.5) -> None:
    """A small note in the upper left of the map (e.g. "layer file not available")."""
    ax.text(0.015, 0.985, text, transform=ax.transAxes, ha="left", va="top", fontsize=fontsize, zorder=64,
            color="#7a4a00", bbox={"boxstyle": "round,pad=0.3", "facecolor": "#fff8e0", "edgecolor": "#c9a040",
                                   "linewidth": 0.5})
