"""The report's 界址点 table and the TXT writer number every ring the same way: clockwise from the NW."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ningxia_gis.core.boundary_points import boundary_points
from ningxia_gis.core.footprint import Footprint
from ningxia_gis.footprint_io import format_txt

SHELL = [(500000, 4130000), (500300, 4130000), (500300, 4130200), (500000, 4130200)]
HOLE = [(500100, 4130050), (500200, 4130050), (500200, 4130150), (500100, 4130150)]  # counter-clockwise


def _signed_area(pts):
    x, y = np.asarray(pts, dtype=float).T
    return 0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))


def test_every_ring_runs_clockwise_from_the_north_west():
    rows = boundary_points(shapely.Polygon(SHELL, [HOLE]), 36)
    for ring in (1, 2):
        pts = [(r["y"] - 36_000_000, r["x"]) for r in rows if r["ring"] == ring][:-1]  # (E, N), open
        assert _signed_area(pts) < 0  # clockwise
        e, n = zip(*pts)
        assert pts[0] == (min(e), max(n))  # the NW corner first
    assert rows[4]["name"] == rows[0]["name"] == "J1"  # closed by repeating the first point


def test_txt_writer_lists_the_hole_in_the_report_order():
    poly = shapely.Polygon(SHELL, [HOLE])
    fp = Footprint(gdf=gpd.GeoDataFrame({"地块编号": ["DK1"]}, geometry=[poly], crs=4545), source="x.gpkg")
    text = format_txt(fp)[0]
    pts = []
    for line in text.splitlines():
        parts = line.split(",")
        if len(parts) == 4 and parts[0].startswith("J"):
            pts.append((parts[0], int(parts[1]), float(parts[2]), float(parts[3])))
    want = [(r["name"], r["ring"], r["x"], r["y"]) for r in boundary_points(poly, 36)]
    assert [(a, b) for a, b, _, _ in pts] == [(a, b) for a, b, _, _ in want]
    assert np.allclose([p[2:] for p in pts], [w[2:] for w in want], atol=1e-3)
