"""The 界址点 order shared by the report's coordinate table and the 界址点 TXT writer: every ring (shell and
holes) clockwise, starting at the vertex nearest its north-west corner."""

from __future__ import annotations

import numpy as np
import shapely


def ring_cw_from_nw(coords: np.ndarray) -> np.ndarray:
    """Ring vertices (open, no repeat) clockwise in (E, N), starting at the vertex nearest the NW corner."""
    xy = coords[:-1] if len(coords) > 1 and np.array_equal(coords[0], coords[-1]) else coords
    area2 = np.sum(xy[:, 0] * np.roll(xy[:, 1], -1) - np.roll(xy[:, 0], -1) * xy[:, 1])
    if area2 > 0:  # counter-clockwise
        xy = xy[::-1]
    minx, maxy = xy[:, 0].min(), xy[:, 1].max()
    d = (xy[:, 0] - minx) ** 2 + (maxy - xy[:, 1]) ** 2
    start = int(np.argmin(d))
    return np.roll(xy, -start, axis=0)


def boundary_points(geom, zone_number: int) -> list[dict]:
    """The 界址点 of a (multi)polygon as officers list them: one 地块 per part, 圈号 1 for the shell and
    2… for holes, each ring in ``ring_cw_from_nw`` order, closed by repeating its first point (same name),
    names J1, J2 … continuing across rings and parcels. X = northing, Y = easting with the zone prefix."""
    prefix = zone_number * 1_000_000 if zone_number else 0
    rows, n = [], 0
    for k, poly in enumerate(shapely.get_parts(geom), 1):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring_no, ring in enumerate((poly.exterior, *poly.interiors), 1):
            coords = np.asarray(ring.coords)
            if len(coords) < 4:
                continue
            xy = ring_cw_from_nw(coords)
            first = n + 1
            for x, y in xy:
                n += 1
                rows.append({"parcel": k, "ring": ring_no, "name": f"J{n}", "x": float(y), "y": float(x) + prefix})
            rows.append({"parcel": k, "ring": ring_no, "name": f"J{first}", "x": float(xy[0][1]),
                         "y": float(xy[0][0]) + prefix})
    return rows
