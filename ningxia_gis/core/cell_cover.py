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
    return dilate_one_cell(mask)[1:-1, 1:-1]


def dilate_one_cell(mask: np.ndarray) -> np.ndarray:
    """``mask`` grown by one cell in all eight directions (a 3 × 3 box)."""
    grown = mask.copy()
    grown[1:, :] |= mask[:-1, :]
    grown[:-1, :] |= mask[1:, :]
    out = grown.copy()
    out[:, 1:] |= grown[:, :-1]
    out[:, :-1] |= grown[:, 1:]
    return out


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


def block_fractions(geom, rows, cols, transform, frac) -> None:
    """frac[rows, cols] = area(cell ∩ geom) / cell area. The block of cells is quartered (its rectangle
    split on grid lines) while its share of ``geom`` has more than ``LEAF_VERTICES`` coordinates; each
    split is checked: the quarters' areas must add up to the block's (see ``clip_quarters``)."""
    a, e, x0, y0 = transform.a, transform.e, transform.c, transform.f
    cell_area = abs(a * e)

    def rect(r0, r1, c0, c1):
        xs, ys = (x0 + a * c0, x0 + a * c1), (y0 + e * r0, y0 + e * r1)
        return min(xs), min(ys), max(xs), max(ys)

    block = (int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1)
    box0 = rect(*block)
    gx0, gy0, gx1, gy1 = shapely.bounds(geom)
    inside = box0[0] <= gx0 and box0[1] <= gy0 and gx1 <= box0[2] and gy1 <= box0[3]
    root = geom if inside else shapely.intersection(geom, shapely.box(*box0))
    stack = [(root, rows, cols, block)]
    while stack:
        g, r, c, (r0, r1, c0, c1) = stack.pop()
        if g.is_empty:
            frac[r, c] = 0.0
            continue
        if (r1 - r0) * (c1 - c0) == 1:  # g is geom's share of this very cell
            frac[r, c] = min(max(float(shapely.area(g)) / cell_area, 0.0), 1.0)
            continue
        if shapely.get_num_coordinates(g) <= LEAF_VERTICES:
            xa, xb = x0 + a * c, x0 + a * (c + 1)
            ya, yb = y0 + e * r, y0 + e * (r + 1)
            boxes = shapely.box(np.minimum(xa, xb), np.minimum(ya, yb), np.maximum(xa, xb), np.maximum(ya, yb))
            frac[r, c] = np.clip(shapely.area(shapely.intersection(boxes, g)) / cell_area, 0.0, 1.0)
            continue
        rm = (r0 + r1 + 1) // 2 if r1 - r0 > 1 else r1
        cm = (c0 + c1 + 1) // 2 if c1 - c0 > 1 else c1
        quads = [q for q in ((r0, rm, c0, cm), (r0, rm, cm, c1), (rm, r1, c0, cm), (rm, r1, cm, c1))
                 if q[0] < q[1] and q[2] < q[3]]
        for q, sub in zip(quads, clip_quarters(g, [rect(*q) for q in quads])):
            sel = (r >= q[0]) & (r < q[1]) & (c >= q[2]) & (c < q[3])
            if sel.any():
                stack.append((sub, r[sel], c[sel], q))


def clip_quarters(g, rects):
    """``g`` ∩ each rectangle (together they tile a rectangle holding g) by GEOS rectangle clipping; the
    robust overlay instead when a clip is invalid or the clips' areas do not add up to g's: rectangle
    clipping can return the complement of the answer when g has edges on the rectangle's sides."""
    subs = [shapely.clip_by_rect(g, *rc) for rc in rects]
    sizes = [(rc[2] - rc[0]) * (rc[3] - rc[1]) for rc in rects]
    parts = [float(shapely.area(s)) for s in subs]
    tol = 1e-9 * max(sizes)
    if (all(s.is_empty or shapely.is_valid(s) for s in subs) and abs(sum(parts) - float(shapely.area(g))) <= tol
            and all(p <= z + tol for p, z in zip(parts, sizes))):
        return subs
    return [shapely.intersection(g, shapely.box(*rc)) for rc in rects]


def complex_fractions(geom, transform, shape) -> np.ndarray:
    """``raster.cell_fractions`` for a polygon of many vertices (same figures to rounding)."""
    p, q = _ring_edges(geom, transform)
    frac = centres_inside(p, q, shape).astype(float)
    rows, cols = np.nonzero(boundary_cells(p, q, shape))
    if len(rows):
        block_fractions(geom, rows, cols, transform, frac)
    return frac
