"""Rendering the model's map figures once, shared by the PDF and the Word writer."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from .model import Figure, ReportModel

log = logging.getLogger(__name__)
MAP_DPI = 200


def figure_key(f: Figure) -> str:
    return f"{f.kind}:{f.layer_id or ''}"


def render_figures(model: ReportModel, *, dpi: int = MAP_DPI, out_dir: str | Path | None = None,
                   use_sources: bool = True, progress=None, fmt: str = "png") -> dict[str, Path | None]:
    """PNG file for every figure of ``model`` (key `figure_key`), rendered once and cached on the model.

    A map that fails to render maps to None (the report then says so instead of failing). ``progress(i, n)``
    is called before each map (it may raise to stop, e.g. `Cancelled`). ``fmt`` "svg" gives vector files
    (the PDF paints them as vector graphics).
    """
    cache_key = (dpi, use_sources) if fmt == "png" else (dpi, use_sources, fmt)
    if cache_key in model._maps:
        return model._maps[cache_key]
    from ..maps import avoidance_map, location_map, map_context, overlay_map, raster_map, save_map

    if out_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="ningxia_gis_maps_")
        model._maps.setdefault("_tmp", []).append(tmp)  # removed with the model
        out = Path(tmp.name)
    else:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
    ctx = map_context(model.data, base_dir=model.base_dir, use_sources=use_sources, lang=model.lang)
    paths: dict[str, Path | None] = {}
    for i, f in enumerate(model.figures):
        if progress is not None:
            progress(i, len(model.figures))
        try:
            project = model.cover[0][1] if model.cover else None  # the project name
            if f.kind == "location":
                fig = location_map(ctx, title=None, label=project)
            elif f.kind == "raster":
                fig = raster_map(ctx, f.layer_id, title=None)
            elif f.kind == "avoidance":
                fig = avoidance_map(ctx, int(f.layer_id) if f.layer_id else None, title=None)
            else:
                fig = overlay_map(ctx, f.layer_id, title=None)
            p = out / f"map_{i:02d}_{f.kind}{'_' + f.layer_id if f.layer_id else ''}.{fmt}"
            save_map(fig, p, dpi=dpi)
            paths[figure_key(f)] = p
        except Exception:  # noqa: BLE001 - a report without one map is better than no report
            log.exception("map %s failed", figure_key(f))
            paths[figure_key(f)] = None
    model._maps[cache_key] = paths
    return paths
