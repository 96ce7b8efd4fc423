"""Cell coverage of a complex polygon (10⁵–10⁶ vertices) on a north-up grid, without per-vertex Python.

``raster.cell_fractions`` uses this above ``COMPLEX_VERTICES`` coordinates, where rasterio's rasterize
(which walks ``__geo_interface__`` vertex by vertex) and one intersection of every boundary cell with a
64×64-cell tile's share of the polygon (cells × tile vertices) took half a minute at 10⁶ vertices:

* the cells the boundary may touch: the rings sampled at ≤ ¼ cell, their cells grown by one cell
  (an edge piece of ≤ ½ cell only meets the 3×3 cells around its start);
* the other cells are wholly inside or outside: an even-odd scanline through the cell centres (one
  parity toggle per ring edge crossing a centre row, an XOR accumulation along each row);
* boundary cells get area(cell ∩ polygon) / cell area exactly: the polygon is clipped (GEOS rectangle
  clipping) into quarters of the block of cells, recursively, until a block's share has at most
  ``LEAF_VERTICES`` (then one intersection per cell) or the block is one cell (its share's area).
"""

from __future__ import annotations

import numpy as np
import shapely

#: polygons with more coordinates take this path (the footprint-clipping threshold of core.overlay)
COMPLEX_VERTICES = 50_000
#: a block of cells is split further while its share of the polygon has more coordinates
LEAF_VERTICES = 1_000


def _ring_edges(geom, transform):
    """Start and end of every ring edge in grid units (column, row), as two (n, 2) arrays."""
    parts = shapely.get_parts(geom)
    parts = parts[shapely.get_type_id(parts) == 3]
    rings = shapely.get_rings(parts)
    xy, idx = shapely.get_coordinates(rings, return_index=True)
    g = np.column_stack([(xy[:, 0] - transform.c) / transform.a, (xy[:, 1] - transform.f) / transform.e])
    same = idx[1:] == idx[:-1]
    return g[:-1][same], g[1:][same]


def boundary_cells(p, q, shape) -> np.ndarray:
    """Boolean grid: every cell the segments p→q (grid units) may touch, and their neighbours."""
    h, w = shape
    d = q - p
    m = np.maximum(1, np.ceil(4 * np.abs(d).max(axis=1))).astype(np.int64)  # samples ≤ ¼ cell apart
    k = np.arange(int(m.sum())) - np.repeat(np.cumsum(m) - m, m)
    s = np.repeat(p, m, axis=0) + (k / np.repeat(m, m))[:, None] * np.repeat(d, m, axis=0)
    s = np.vstack([s, q[-1:]]) if len(q) else s
    col, row = np.floor(s[:, 0]), np.floor(s[:, 1])
    ok = (col >= -1) & (col <= w) & (row >= -1) & (row <= h)
    mask = np.zeros((h + 2, w + 2), dtype=bool)
    mask[row[ok].astype(np.int64) + 1, col[ok].astype(np.int64) + 1] = True
    grown = mask.copy()
    grown[1:, :] |= mask[:-1, :]
    grown[:-1, :] |= mask[1:, :]
    g2 = grown.copy()
    g2[:, 1:] |= grown[:, :-1]
    g2[:, :-1] |= grown[:, 1:]
    return g2[1:-1, 1:-1]


def centres_inside(p, q, shape) -> np.ndarray:
    """Boolean grid: cell centres inside the rings (even-odd rule), edges p→q in grid units."""
    h, w = shape
    lo, hi = np.minimum(p[:, 1], q[:, 1]), np.maximum(p[:, 1], q[:, 1])
    first = np.ceil(lo - 0.5).astype(np.int64)  # centre rows r + ½ in [lo, hi)
    n = np.maximum(np.ceil(hi - 0.5).astype(np.int64) - first, 0)
    e = np.repeat(np.arange(len(p)), n)
    r = np.repeat(first, n) + (np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n))
    keep = (r >= 0) & (r < h)
    e, r = e[keep], r[keep]
    t = (r + 0.5 - p[e, 1]) / (q[e, 1] - p[e, 1])
    cx = p[e, 0] + t * (q[e, 0] - p[e, 0])
    c = np.clip(np.ceil(cx - 0.5), 0, w).astype(np.int64)  # first centre right of the crossing
    toggles = np.bincount(r * (w + 1) + c, minlength=h * (w + 1)).reshape(h, w + 1) & 1
    return np.bitwise_xor.accumulate(toggles.astype(np.uint8), axis=1)[:, :w].astype(bool)


def block_fractions(piece, rows, cols, transform, frac) -> None:
    """frac[rows, cols] = area(cell ∩ piece) / cell area, ``piece`` being the polygon's share of the
    cells' bounding box; blocks whose share has more than ``LEAF_VERTICES`` coordinates are quartered."""
    a, e, x0, y0 = transform.a, transform.e, transform.c, transform.f
    cell_area = abs(a * e)
    stack = [(piece, rows, cols, False)]
    while stack:
        g, r, c, clipped = stack.pop()
        if g.is_empty:
            frac[r, c] = 0.0
            continue
        if len(r) == 1 and clipped:  # g is the polygon clipped to this very cell
            frac[r, c] = min(max(float(shapely.area(g)) / cell_area, 0.0), 1.0)
            continue
        if len(r) == 1 or shapely.get_num_coordinates(g) <= LEAF_VERTICES:
            xa, xb = x0 + a * c, x0 + a * (c + 1)
            ya, yb = y0 + e * r, y0 + e * (r + 1)
            boxes = shapely.box(np.minimum(xa, xb), np.minimum(ya, yb), np.maximum(xa, xb), np.maximum(ya, yb))
            frac[r, c] = np.clip(shapely.area(shapely.intersection(boxes, g)) / cell_area, 0.0, 1.0)
            continue
        rm, cm = (int(r.min()) + int(r.max()) + 1) // 2, (int(c.min()) + int(c.max()) + 1) // 2
        for sel in ((r < rm) & (c < cm), (r < rm) & (c >= cm), (r >= rm) & (c < cm), (r >= rm) & (c >= cm)):
            if not sel.any():
                continue
            sr, sc = r[sel], c[sel]
            xs = (x0 + a * sc.min(), x0 + a * (sc.max() + 1))
            ys = (y0 + e * sr.min(), y0 + e * (sr.max() + 1))
            rect = (min(xs), min(ys), max(xs), max(ys))
            stack.append((clip(g, rect), sr, sc, True))


def clip(g, rect):
    """``g`` ∩ the rectangle (GEOS rectangle clipping; the robust overlay should that come out invalid,
    as in overlay.subdivide)."""
    sub = shapely.clip_by_rect(g, *rect)
    if not sub.is_empty and not shapely.is_valid(sub):
        sub = shapely.intersection(g, shapely.box(*rect))
    return sub


def complex_fractions(geom, transform, shape) -> np.ndarray:
    """``raster.cell_fractions`` for a polygon of many vertices (same figures to rounding)."""
    p, q = _ring_edges(geom, transform)
    frac = centres_inside(p, q, shape).astype(float)
    rows, cols = np.nonzero(boundary_cells(p, q, shape))
    if len(rows):
        block_fractions(geom, rows, cols, transform, frac)
    return frac
