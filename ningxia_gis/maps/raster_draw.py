"""Raster layers on a matplotlib map (Qt-free): DEM hillshade + colour ramp, slope classes, land cover.

    handles = draw_raster(ax, raster, (minx, miny, maxx, maxy), epsg, "dem")
    ax.legend(handles=handles)

``raster`` is a ``RasterSpec`` (``ningxia_gis.core.raster.load_raster_specs``), a ``rasters[]`` entry of
the check result (its ``source``, ``role`` and ``classes`` are used) or a GeoTIFF path. Only the part
of the grid under ``bounds`` is read, warped to EPSG ``epsg`` at no more than ``max_pixels`` cells
across. The image is drawn at ``zorder`` (default 1, under the vector layers, whose styles use ≥ 5).
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgba
from matplotlib.patches import Rectangle

from ..core.raster import RasterSpec, as_spec, horn_slope, read_window

KINDS = ("dem", "slope", "landcover")
#: elevation ramp: plain greens → steppe yellow → brown mountains → pale summits
DEM_CMAP = LinearSegmentedColormap.from_list(
    "ningxia_dem", ["#5f9a5a", "#a8c98a", "#e9dfa0", "#d2a96c", "#9c7350", "#7a5a48", "#ecebe6"])
#: slope classes (≤2°, 2–6°, 6–15°, 15–25°, >25° by default), green → red
SLOPE_COLOURS = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027", "#8b0000", "#4d0000"]
#: land-cover colours when the class table gives none (by code; then a fixed palette)
DEFAULT_CLASS_COLOURS = {1: "#f3e08c", 2: "#b5d98a", 3: "#3f8f4f", 4: "#d9534f", 5: "#4f8fd9", 6: "#d9cbb0"}
_PALETTE = ["#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
            "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f"]


def hillshade(z: np.ndarray, dx: float, dy: float, azimuth: float = 315.0, altitude: float = 45.0) -> np.ndarray:
    """Hillshade (0–1) of an elevation grid (rows north → south, cell size dx × dy metres); NaN stays NaN."""
    p = np.pad(np.asarray(z, dtype="float64"), 1, mode="edge")
    dzdx = (p[1:-1, 2:] - p[1:-1, :-2]) / (2.0 * dx)
    dzdy = (p[:-2, 1:-1] - p[2:, 1:-1]) / (2.0 * dy)  # towards north
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(-dzdx, -dzdy)  # direction the surface faces, clockwise from north
    az, alt = np.radians(azimuth), np.radians(altitude)
    shade = np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)
    return np.clip(shade, 0.0, 1.0)


def class_colour(spec: RasterSpec, code: int) -> str:
    cls = spec.classes.get(int(code))
    if cls is not None and cls.color:
        return cls.color
    return DEFAULT_CLASS_COLOURS.get(int(code), _PALETTE[int(code) % len(_PALETTE)])


def _nice_breaks(lo: float, hi: float, n: int = 5) -> np.ndarray:
    if not np.isfinite(lo) or not np.isfinite(hi) or hi <= lo:
        return np.array([lo, lo + 1.0])
    step = (hi - lo) / n
    mag = 10 ** np.floor(np.log10(step))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= step), default=step)
    start = np.floor(lo / step) * step
    return np.arange(start, hi + step * 0.999, step)


def draw_raster(ax, raster, bounds, epsg: int, kind: str | None = None, *, max_pixels: int = 1200,
                alpha: float = 1.0, zorder: float = 1, hillshade_strength: float = 0.55, lang: str = "zh") -> list:
    """Draw the part of ``raster`` under ``bounds`` (minx, miny, maxx, maxy in EPSG ``epsg``) on ``ax``.

    ``kind``: ``"dem"`` (colour ramp over a hillshade), ``"slope"`` (slope classes from the DEM,
    breaks = the spec's ``slope_thresholds``) or ``"landcover"`` (class colours); default: the raster's
    role. Returns legend handles (``Rectangle`` patches with labels); an empty list when the raster does
    not reach ``bounds``. The axes limits are left as they were unless the axes still autoscale.
    """
    role_hint = "landcover" if kind == "landcover" else ("dem" if kind in ("dem", "slope") else None)
    spec = as_spec(raster, role=role_hint) if not isinstance(raster, RasterSpec) else raster
    kind = kind or spec.role
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    win = read_window(spec, (minx, miny, maxx, maxy), epsg, pad_cells=1, max_size=max_pixels)
    if win is None or not win.valid.any():
        return []
    auto = ax.get_autoscale_on()
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    dx, dy = win.cell_size
    h, w = win.shape
    rgba = np.zeros((h, w, 4))
    handles: list = []
    if kind == "dem":
        z = win.data
        v = z[win.valid]
        lo, hi = float(v.min()), float(v.max())
        if hi - lo < 1.0:
            lo, hi = lo - 0.5, hi + 0.5
        norm = Normalize(lo, hi, clip=True)
        rgba = DEM_CMAP(norm(np.where(win.valid, z, lo)))
        hs = hillshade(np.where(win.valid, z, np.nanmean(v)), dx, dy)
        shade = (1 - hillshade_strength) + hillshade_strength * hs * 1.25
        rgba[..., :3] = np.clip(rgba[..., :3] * np.clip(shade, 0, 1.25)[..., None], 0, 1)
        breaks = _nice_breaks(lo, hi)
        for a, b in zip(breaks[:-1], breaks[1:]):
            handles.append(Rectangle((0, 0), 1, 1, facecolor=DEM_CMAP(norm((a + b) / 2)), edgecolor="#666666",
                                     linewidth=0.4, label=f"{a:g}–{b:g} m"))
    elif kind == "slope":
        s = horn_slope(win.data, dx, dy)
        ok = np.isfinite(s)
        edges = list(spec.slope_thresholds)
        cls = np.digitize(np.where(ok, s, 0.0), edges, right=True)  # ≤t counts in the lower class
        colours = SLOPE_COLOURS[: len(edges) + 1] if len(edges) + 1 <= len(SLOPE_COLOURS) else \
            [DEM_CMAP(i / len(edges)) for i in range(len(edges) + 1)]
        lut = np.array([to_rgba(c) for c in colours])
        rgba = lut[cls]
        win_valid = ok
        bounds_ = [None, *edges, None]
        for i, (a, b) in enumerate(zip(bounds_[:-1], bounds_[1:])):
            label = f"≤{b:g}°" if a is None else (f">{a:g}°" if b is None else f"{a:g}–{b:g}°")
            handles.append(Rectangle((0, 0), 1, 1, facecolor=colours[i], edgecolor="#666666", linewidth=0.4,
                                     label=f"{'slope' if lang == 'en' else '坡度'} {label}"))
        rgba[..., 3] = np.where(win_valid, alpha, 0.0)
    else:
        codes = win.data
        present = np.unique(codes[win.valid])
        for code in present:
            m = win.valid & (codes == code)
            rgba[m] = to_rgba(class_colour(spec, code))
            c = spec.class_of(code)
            handles.append(Rectangle((0, 0), 1, 1, facecolor=class_colour(spec, code), edgecolor="#666666",
                                     linewidth=0.4, label=(getattr(c, "en", "") or c.zh) if lang == "en" else c.zh))
    if kind != "slope":
        rgba[..., 3] = np.where(win.valid, alpha, 0.0)
    x0, y0, x1, y1 = win.bounds
    ax.imshow(rgba, extent=(x0, x1, y0, y1), origin="upper", interpolation="nearest", zorder=zorder,
              resample=False)
    if auto:
        ax.set_xlim(minx, maxx)
        ax.set_ylim(miny, maxy)
    else:
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
    return handles
