"""Regenerate the synthetic sample layers and footprints in ningxia_gis/sample_layers/.

    python tools/make_sample_layers.py

The layers are SYNTHETIC (for demos, training and tests only): invented shapes and attributes with the
national field names, laid out on the REAL county boundaries of 红寺堡区 and its neighbours (read from
ningxia_counties.gpkg, the catalog's 行政区 layer) around 红寺堡镇 and 罗山:

* DLTB (三调 地类图斑) — a wall-to-wall mosaic in an irrigation district west of 红寺堡镇: field strips along
  a curving main canal, jittered so every parcel is an irregular quadrilateral, cut by laterals (沟渠) and
  field roads (农村道路); villages (农村宅基地), greenhouses (设施农用地), shelter-belts (林地) and abandoned
  fields (其他草地) mixed in, so the catalog's ``where`` (cultivated codes only) matters. The town is a
  Voronoi mosaic of 城镇住宅/工业/公路 用地; the desert steppe around it warped Voronoi 图斑; a patch of
  旱地 east of the town.
* YJJBNT — a subset of the cultivated DLTB parcels, geometry copied parcel-exactly.
* STBHHX — the 罗山 mountain block (with the reserve's sub-zones as ZRBHDFQ, the part outside the reserve
  without one), drainage-following patches (buffers of meandering gullies, width varying downstream,
  merged per drainage) and a wind-sand belt; split along the county boundaries (SZXJXZQMC).
* ZRBHD — 罗山 nature reserve: an irregular 核心保护区 inside the 一般控制区, both inside the red line.
* CZKFBJ — 城镇集中建设区 / 城镇弹性发展区 / 特别用途区 around 红寺堡镇.
* CY — warped Voronoi 草原 图斑 over 红寺堡区 (clipped to the county), 基本草原 in coherent clusters.

The sample footprints are rebuilt from the same geometry and checked (``verify``) against the zones they
were designed for: the script fails instead of writing a footprint that lost its meaning.

Geometry is designed in CGCS2000 3° GK CM 105E (EPSG:4544) metres and stored in CGCS2000 geographic
(EPSG:4490), coordinates rounded to 1e-10° so the GeoPackage and the GeoJSON footprints hold the very
same vertices (a footprint edge drawn on a parcel edge stays exactly on it). The output is deterministic.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point, box

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ningxia_gis" / "sample_layers"
GPKG = OUT / "ningxia_sample.gpkg"
COUNTIES = OUT / "ningxia_counties.gpkg"
DESIGN = 4544
STORE = 4490
TOWN = (594700.0, 4143700.0)  # 红寺堡镇
LUOSHAN = (613000.0, 4130000.0)  # 罗山 summit
SURVEY = (582000.0, 4131000.0, 601500.0, 4152000.0)  # bounds of the DLTB survey area (clipped to 红寺堡区)
MOSAIC_PIVOT = (590600.0, 4141500.0)
SYNTHETIC_NOTE = "合成示例数据，仅用于演示、培训和测试 / synthetic sample data, for demos, training and tests only"
HSB, TONGXIN = "红寺堡区", "同心县"

DLTB_CLASSES = {"0101": "水田", "0102": "水浇地", "0103": "旱地", "0301": "乔木林地", "0305": "灌木林地",
                "0401": "天然牧草地", "0404": "其他草地", "0601": "工业用地", "0701": "城镇住宅用地",
                "0702": "农村宅基地", "1003": "公路用地", "1006": "农村道路", "1104": "坑塘水面",
                "1107": "沟渠", "1202": "设施农用地", "1205": "沙地", "1206": "裸土地"}
CULTIVATED = ("0101", "0102", "0103")
VILLAGES = ["红寺堡村", "新庄集村", "大河村", "柳泉村", "中圈塘村", "东源村"]


# ------------------------------------------------------------------------------------------------
# geometry helpers (design CRS metres)


def blob(cx, cy, a, b, rng, *, n=240, rough=0.16, rot=0.0, k_max=14):
    """An irregular closed outline of semi-axes a × b around (cx, cy): a few smooth harmonics for the
    overall shape, many small ones for a ragged, hand-digitised edge."""
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    k = np.arange(1, k_max + 1)
    amp = rough * rng.uniform(0.3, 1.0, k.size) / k ** 1.05
    phase = rng.uniform(0, 2 * np.pi, k.size)
    rad = 1 + (amp[:, None] * np.sin(k[:, None] * ang + phase[:, None])).sum(0)
    x, y = a * rad * np.cos(ang), b * rad * np.sin(ang)
    c, s = np.cos(rot), np.sin(rot)
    return shapely.make_valid(shapely.Polygon(np.column_stack([cx + c * x - s * y, cy + s * x + c * y])))


def smooth_noise(rng, n=4, scale=(1500.0, 6000.0)):
    """A smooth scalar field f(x, y) in about [-1, 1] (a sum of random plane waves)."""
    k = rng.uniform(*scale, n)
    th = rng.uniform(0, np.pi, n)
    ph = rng.uniform(0, 2 * np.pi, n)
    w = rng.uniform(0.5, 1.0, n)
    w = w / w.sum()

    def f(x, y):
        x, y = np.asarray(x, float), np.asarray(y, float)
        return sum(wi * np.sin((x * np.cos(t) + y * np.sin(t)) / ki * 2 * np.pi + p)
                   for wi, t, ki, p in zip(w, th, k, ph))
    return f


def warp(geoms, rng, amp=90.0, scale=(900.0, 2500.0), step=120.0):
    """Displace every vertex by one smooth vector field: shared edges stay shared (a tiling stays a
    tiling), straight Voronoi edges become gently wavy."""
    fx, fy = smooth_noise(rng, 5, scale), smooth_noise(rng, 5, scale)
    geoms = shapely.segmentize(np.asarray(geoms, dtype=object), step)
    return shapely.transform(geoms, lambda c: c + amp * np.column_stack([fx(c[:, 0], c[:, 1]),
                                                                         fy(c[:, 0], c[:, 1])]))


def meander(points, rng, *, amp=160.0, step=40.0):
    """A meandering line through ``points``: lateral sinusoidal wander of a few wavelengths, pinned at
    both ends."""
    base = LineString(points).segmentize(step)
    c = np.asarray(base.coords)
    d = np.diff(c, axis=0)
    s = np.concatenate([[0.0], np.cumsum(np.hypot(d[:, 0], d[:, 1]))])
    t = np.gradient(c, axis=0)
    t /= np.hypot(t[:, 0], t[:, 1])[:, None]
    normal = np.column_stack([-t[:, 1], t[:, 0]])
    off = np.zeros_like(s)
    for lam in rng.uniform(350.0, 2200.0, 4):
        off += amp * rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * s / lam + rng.uniform(0, 2 * np.pi))
    off *= np.sin(np.pi * s / s[-1]) ** 0.5  # pinned ends: tributaries meet their stream
    return LineString(c + normal * off[:, None])


def variable_buffer(line, rng, w0, w1):
    """A gully corridor: the line buffered by a width growing from w0 (head) to w1 (mouth) with a
    random wobble, as a union of segment buffers."""
    c = np.asarray(line.coords)
    n = len(c) - 1
    t = np.linspace(0, 1, n)
    wob = 1 + 0.35 * np.sin(2 * np.pi * t * rng.uniform(2, 5) + rng.uniform(0, 6.3)) \
        + 0.08 * np.sin(2 * np.pi * t * rng.uniform(7, 13) + rng.uniform(0, 6.3))
    width = (w0 + (w1 - w0) * t) * wob
    segs = shapely.linestrings(np.stack([c[:-1], c[1:]], axis=1))
    return shapely.simplify(shapely.union_all(shapely.buffer(segs, width, quad_segs=4)), 4.0)


def voronoi_cells(region, spacing, rng, *, jitter=0.45):
    """Voronoi cells of a jittered grid of points, clipped to ``region`` (cells cut into several parts by
    the clip stay one multi-part feature only if the parts are large; small parts are dropped)."""
    x0, y0, x1, y1 = region.bounds
    gx, gy = np.meshgrid(np.arange(x0 - spacing, x1 + spacing, spacing),
                         np.arange(y0 - spacing, y1 + spacing, spacing * 0.87))
    gx = gx + (np.arange(gx.shape[0])[:, None] % 2) * spacing / 2  # hexagonal-ish packing
    pts = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-jitter, jitter, (gx.size, 2)) * spacing
    vor = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box(x0 - 3 * spacing, y0 - 3 * spacing,
                                                                            x1 + 3 * spacing, y1 + 3 * spacing),
                                   ordered=True)
    return np.asarray(shapely.get_parts(vor), dtype=object)


def grid_cells(region, dx, dy, rot, rng, jitter=0.12):
    """A rotated grid of jittered quadrilaterals (small fields) covering ``region``'s bounds."""
    x0, y0, x1, y1 = region.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    r = np.hypot(x1 - x0, y1 - y0) / 2
    u, v = np.meshgrid(np.arange(-r, r + dx, dx), np.arange(-r, r + dy, dy), indexing="ij")
    u = u + rng.uniform(-jitter, jitter, u.shape) * dx
    v = v + rng.uniform(-jitter, jitter, v.shape) * dy
    x, y = cx + np.cos(rot) * u - np.sin(rot) * v, cy + np.sin(rot) * u + np.cos(rot) * v
    quads = [shapely.Polygon([(x[i, j], y[i, j]), (x[i + 1, j], y[i + 1, j]), (x[i + 1, j + 1], y[i + 1, j + 1]),
                              (x[i, j + 1], y[i, j + 1])]) for i in range(x.shape[0] - 1) for j in range(x.shape[1] - 1)]
    return np.asarray(quads, dtype=object)


def polys(geoms, min_area=200.0):
    """Polygonal parts of each geometry, tiny parts dropped; empty results removed."""
    out = []
    for g in geoms:
        g = shapely.make_valid(g) if not g.is_valid else g
        parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon" and p.area >= min_area]
        if parts:
            out.append(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
        else:
            out.append(None)
    return out


# ------------------------------------------------------------------------------------------------
# counties (real)


def counties():
    c = gpd.read_file(COUNTIES, layer="XZQ", engine="pyogrio").to_crs(DESIGN)
    return {r.XZQMC: (r.XZQDM, shapely.make_valid(r.geometry)) for r in c.itertuples()}


def split_by_county(rows, geoms, cty, names):
    """Each feature cut along the county boundaries; the county written to SZXJXZQMC."""
    out_rows, out_geoms = [], []
    for row, g in zip(rows, geoms):
        for name in names:
            code, cg = cty[name]
            part = polys([shapely.intersection(g, cg)], 500.0)[0]
            if part is not None:
                out_rows.append({**row, "SZXJXZQMC": name, "XZQDM": code})
                out_geoms.append(part)
    return out_rows, out_geoms


# ------------------------------------------------------------------------------------------------
# 罗山: reserve and red line


def luoshan(rng):
    """(core, general outline, red-line block): core ⊂ general ⊂ block."""
    lx, ly = LUOSHAN
    general = mountain(lx, ly + 300, 7300, 10000, rng, rough=0.16, lobes=5)
    core = mountain(lx, ly + 500, 2600, 3900, rng, rough=0.16, lobes=3)
    core = shapely.intersection(core, general.buffer(-400))
    block = shapely.union(general, mountain(lx + 300, ly - 200, 8600, 11600, rng, rough=0.17, lobes=8))
    return core, general, block


def mountain(cx, cy, a, b, rng, *, rough, lobes):
    """A mountain block: a ragged N–S ellipse with spurs along the ridges running off it."""
    g = blob(cx, cy, a, b, rng, n=720, rough=rough, rot=0.08, k_max=48)
    spurs = []
    for phi in rng.uniform(0, 2 * np.pi, lobes):
        d = 0.9 * a * b / np.hypot(b * np.cos(phi), a * np.sin(phi))
        length = rng.uniform(0.25, 0.45) * a
        spurs.append(blob(cx + (d + length * 0.3) * np.cos(phi), cy + (d + length * 0.3) * np.sin(phi),
                          length, length * rng.uniform(0.25, 0.4), rng, rough=0.2, rot=phi, k_max=20))
    return shapely.union_all([g] + spurs)


STREAMS = [  # drainage red line: gully lines from the 罗山 flanks and the plain (head → mouth), widths
    dict(name="大河子沟", pts=[(607400, 4134800), (603500, 4136600), (600500, 4137300), (597200, 4137100)],
         w=(70, 340), tribs=[[(604200, 4133000), (603000, 4135600)], [(601500, 4139300), (601200, 4137400)]]),
    dict(name="苦水沟", pts=[(606600, 4126800), (603000, 4127600), (599000, 4129500), (596000, 4131500),
                             (593500, 4132500)], w=(60, 300), tribs=[[(602500, 4124800), (601700, 4127900)]]),
    dict(name="甜水河", pts=[(618800, 4136500), (621500, 4139800), (625500, 4141200), (630500, 4141800)],
         w=(60, 280), tribs=[[(624000, 4136800), (624800, 4140700)]]),
]


def redline(rng, cty, core, general, block):
    rows, geoms = [], []
    base = dict(HXMC="罗山生物多样性维护生态保护红线", HXLX="生物多样性维护", ZRBHDMC="宁夏罗山国家级自然保护区")
    rows += [dict(base, ZRBHDFQ="核心保护区"), dict(base, ZRBHDFQ="一般控制区"),
             dict(base, ZRBHDMC="", ZRBHDFQ="")]  # the block outside the reserve: no sub-zone
    geoms += [core, shapely.difference(general, core), shapely.difference(block, general)]
    for st in STREAMS:  # water conservation: the gullies, merged per drainage; outside the core zone
        main = meander(st["pts"], rng)
        lines = [main] + [meander(t, rng, amp=90.0) for t in st["tribs"]]
        patch = shapely.union_all([variable_buffer(ln, rng, st["w"][0], st["w"][1] * f)
                                   for ln, f in zip(lines, [1.0] + [0.5] * len(st["tribs"]))])
        rows.append(dict(HXMC=f"{st['name']}水源涵养生态保护红线", HXLX="水源涵养", ZRBHDMC="", ZRBHDFQ=""))
        geoms.append(shapely.difference(patch, core.buffer(150)))
    # wind-sand belt north-west of the town: dune ridges elongated NW–SE, merged
    dunes = [blob(x, y, 2600 * s, 700 * s, rng, rough=0.22, rot=-0.6)
             for (x, y, s) in [(575500, 4145200, 1.0), (578300, 4142600, 0.9), (580600, 4140300, 0.7),
                               (574000, 4141800, 0.6)]]
    rows.append(dict(HXMC="红寺堡西北防风固沙生态保护红线", HXLX="防风固沙", ZRBHDMC="", ZRBHDFQ=""))
    geoms.append(shapely.union_all(dunes))
    rows, geoms = split_by_county(rows, geoms, cty, [HSB, TONGXIN, "中宁县", "利通区"])
    for i, r in enumerate(rows, 1):
        r["BSM"] = str(i)
        r["HXBM"] = f"{r['XZQDM']}-STBHHX-{i:04d}"
    cols = ["BSM", "HXBM", "HXMC", "HXLX", "ZRBHDMC", "ZRBHDFQ", "SZXJXZQMC"]
    return pd.DataFrame(rows)[cols], geoms


def nature_reserve(core, general):
    rows = [dict(BSM="1", ZRBHDMC="宁夏罗山国家级自然保护区", ZRBHDJB="国家级", ZRBHDLX="自然保护区",
                 ZRBHDFQ="核心保护区"),
            dict(BSM="2", ZRBHDMC="宁夏罗山国家级自然保护区", ZRBHDJB="国家级", ZRBHDLX="自然保护区",
                 ZRBHDFQ="一般控制区")]
    return pd.DataFrame(rows), [core, shapely.difference(general, core)]


# ------------------------------------------------------------------------------------------------
# 城镇开发边界


def urban(rng):
    tx, ty = TOWN
    central = blob(tx + 100, ty + 150, 2200, 1600, rng, rough=0.12, rot=0.15)
    elastic = shapely.difference(shapely.union(blob(tx + 1900, ty + 700, 900, 1000, rng, rough=0.18),
                                               blob(tx - 600, ty + 1900, 1100, 600, rng, rough=0.18)),
                                 central)
    ring = shapely.difference(central.buffer(380, quad_segs=8), central.buffer(10))
    special = shapely.difference(shapely.intersection(ring, blob(tx - 2000, ty - 600, 1200, 1600, rng)), elastic)
    geoms = polys([central, elastic, special], 1000.0)
    rows = [dict(BSM=str(i + 1), XZQDM="640303", XZQMC=HSB, GHFQDM=c, GHFQMC=n)
            for i, (c, n) in enumerate([("010", "城镇集中建设区"), ("020", "城镇弹性发展区"), ("030", "特别用途区")])]
    return pd.DataFrame(rows), geoms


# ------------------------------------------------------------------------------------------------
# 三调 地类图斑 and 永久基本农田


class Mosaic:
    """Field strips along a curving canal: node (i, j) = canal(y_i) + v_j · normal(y_i) + jitter."""

    def __init__(self, rng):
        y0, y1 = SURVEY[1] - 2500, SURVEY[3] + 2500
        self.y = np.cumsum(np.concatenate([[y0], rng.uniform(160, 270, 300)]))
        self.y = self.y[self.y < y1]
        self.v = np.concatenate([-np.cumsum(rng.uniform(220, 400, 16))[::-1], [0.0],
                                 np.cumsum(rng.uniform(220, 400, 16))])
        self.j0 = int(np.flatnonzero(self.v == 0.0)[0])  # the main canal
        cx = 590600 + 1400 * np.sin((self.y - y0) / 6000) + 450 * np.sin((self.y - y0) / 2600 + 1.0)
        dx = np.gradient(cx, self.y)
        nx, ny = 1 / np.hypot(1, dx), -dx / np.hypot(1, dx)  # east-pointing normal
        jit = rng.uniform(-32, 32, (len(self.y), len(self.v), 2))
        jit[:, self.j0] *= 0.2  # the canal runs smooth
        nodes = np.stack([cx[:, None] + self.v[None, :] * nx[:, None],
                          self.y[:, None] + self.v[None, :] * ny[:, None]], axis=-1) + jit
        th, (ox, oy) = -0.33, MOSAIC_PIVOT  # the district runs SSW–NNE, like the 扬水 canals
        dx_, dy_ = nodes[..., 0] - ox, nodes[..., 1] - oy
        self.nodes = np.stack([ox + np.cos(th) * dx_ - np.sin(th) * dy_, oy + np.sin(th) * dx_ + np.cos(th) * dy_],
                              axis=-1)
        # laterals (沟渠) every 4–6 strips, field roads (农村道路) every 2–4 columns, not the canal
        self.laterals = set(np.cumsum(rng.integers(4, 7, 60)).tolist())
        self.roads = {j for j in range(len(self.v)) if j != self.j0 and (abs(j - self.j0) % 3 == 0)}

    def quad(self, i, j):
        n = self.nodes
        return shapely.Polygon([n[i, j], n[i + 1, j], n[i + 1, j + 1], n[i, j + 1]])

    def line_i(self, i, j_a=0, j_b=None):
        return LineString(self.nodes[i, j_a:(j_b if j_b is not None else len(self.v))])

    def line_j(self, j, i_a=0, i_b=None):
        return LineString(self.nodes[i_a:(i_b if i_b is not None else len(self.y)), j])


def dltb(rng, cty, czkfbj_union):
    hsb = cty[HSB][1]
    sx0, sy0, sx1, sy1 = SURVEY
    survey = shapely.intersection(blob((sx0 + sx1) / 2, (sy0 + sy1) / 2, (sx1 - sx0) / 2, (sy1 - sy0) / 2, rng,
                                       rough=0.1), box(*SURVEY))
    survey = shapely.intersection(survey, hsb)
    tx, ty = TOWN
    town = shapely.intersection(blob(tx, ty, 2300, 1650, rng, rough=0.14, rot=0.15), survey)
    m = Mosaic(rng)
    ni, nj = len(m.y) - 1, len(m.v) - 1
    w_west, w_east = smooth_noise(rng, 5, (1800, 9000)), smooth_noise(rng, 5, (1800, 9000))
    keep = np.zeros((ni, nj), bool)
    quads = np.empty((ni, nj), dtype=object)
    town_zone = town.buffer(60)
    shapely.prepare(survey)
    shapely.prepare(town_zone)
    for i in range(ni):
        for j in range(nj):
            q = m.quad(i, j)
            quads[i, j] = q
            c = q.centroid
            vmid = (m.v[j] + m.v[j + 1]) / 2
            lim = 3400 + 900 * w_west(c.x, c.y) if vmid < 0 else 3200 + 900 * w_east(c.x, c.y)
            keep[i, j] = abs(vmid) < lim and survey.contains(q) and not town_zone.intersects(q)
    field_area = shapely.union_all(quads[keep])
    # ditches and roads, each a polygon of its own
    lin_rows, lin_geoms = [], []

    def add_line(line, width, code):
        g = shapely.intersection(line.buffer(width / 2, cap_style="flat"), field_area)
        for p in shapely.get_parts(g):
            if p.area > 150:
                lin_rows.append(code)
                lin_geoms.append(p)
    canal = m.line_j(m.j0).buffer(14, cap_style="flat")
    lateral_lines = [m.line_i(i) for i in sorted(m.laterals) if 0 < i < ni]
    laterals = shapely.union_all([ln.buffer(4, cap_style="flat") for ln in lateral_lines])
    add_line(m.line_j(m.j0), 28, "1107")
    for ln in lateral_lines:
        for part in shapely.get_parts(shapely.difference(ln, canal)):
            add_line(part, 8, "1107")
    for j in sorted(m.roads):
        for part in shapely.get_parts(shapely.difference(m.line_j(j), shapely.union(canal, laterals))):
            add_line(part, 6, "1006")
    highway = LineString([(tx - 1500, ty - 200), (588000, 4142600), (583500, 4141400), (581000, 4141000)])
    hw = shapely.intersection(highway.buffer(18, cap_style="flat"), field_area)
    lin_geoms = polys([shapely.difference(g, hw) for g in lin_geoms], 150.0) + [hw]
    lin_rows.append("1003")
    lin_rows = [c for c, g in zip(lin_rows, lin_geoms) if g is not None]
    lin_geoms = [g for g in lin_geoms if g is not None]
    # the parcels: quads minus the linear features, classes by place
    village_pts = [Point(588200, 4137200), Point(592600, 4139600), Point(587300, 4145800), Point(591600, 4148200),
                   Point(589400, 4133400), Point(593400, 4134900)]
    rows, geoms, cell = [], [], []
    tree = shapely.STRtree(np.asarray(lin_geoms, dtype=object))
    lin_arr = np.asarray(lin_geoms, dtype=object)
    for i in range(ni):
        for j in range(nj):
            if not keep[i, j]:
                continue
            q = quads[i, j]
            near = tree.query(q, predicate="intersects")
            g = q if len(near) == 0 else shapely.difference(q, shapely.union_all(lin_arr[near]))
            g = polys([g], 300.0)[0]
            if g is None:
                continue
            c = q.centroid
            dv = min(c.distance(p) for p in village_pts)
            vmid = abs((m.v[j] + m.v[j + 1]) / 2)
            r = rng.random()
            if dv < 420 and r < 0.8:
                code = "0702"
            elif dv < 700 and r < 0.35:
                code = "1202"
            elif r < 0.04:
                code = "0101" if vmid < 900 else "0102"
            elif r < 0.12:
                code = "0103"
            elif r < 0.15:
                code = "0404"
            elif r < 0.18:
                code = "0301"
            elif r < 0.195:
                code = "1104"
            elif vmid > 2500 and r < 0.45:
                code = "0103"  # the dry fringe of the district
            else:
                code = "0102"
            rows.append(code)
            geoms.append(g)
            cell.append((i, j))
    village_of = lambda g: VILLAGES[int(np.argmin([g.centroid.distance(p) for p in village_pts]))]  # noqa: E731
    # the town: Voronoi parcels, industry in its south-east corner
    tcells = polys(shapely.intersection(warp(voronoi_cells(town, 230, rng), rng, 25.0), town), 300.0)
    town_codes = []
    for g in tcells:
        if g is None:
            continue
        c = g.centroid
        r = rng.random()
        town_codes.append("0601" if (c.x > tx + 900 and c.y < ty - 300 and r < 0.8) else
                          "1003" if r < 0.06 else "0701" if r < 0.9 else "0702")
    tcells = [g for g in tcells if g is not None]
    # dry farmland east of the town (旱地, some abandoned)
    dry = shapely.difference(shapely.intersection(blob(597300, 4140700, 1150, 950, rng, rough=0.16), survey),
                             shapely.union(town, field_area).buffer(30))
    dcells = [g for g in polys(shapely.intersection(grid_cells(dry, 240, 170, 0.5, rng), dry), 300.0)
              if g is not None]
    dry_codes = ["0103" if rng.random() < 0.85 else "0404" for _ in dcells]
    # the desert steppe: the rest of the survey window
    rest = shapely.difference(survey, shapely.union_all([field_area, town, dry]))
    rcells = [g for g in polys(shapely.intersection(warp(voronoi_cells(rest, 650, rng), rng, 110.0), rest), 2000.0)
              if g is not None]
    nz = smooth_noise(rng, 4, (3000, 9000))
    rest_codes = []
    for g in rcells:
        c = g.centroid
        f, r = nz(c.x, c.y), rng.random()
        rest_codes.append("1205" if f > 0.55 else "1206" if f < -0.6 else
                          "0401" if r < 0.25 else "0305" if r < 0.3 else "0404")
    # attributes
    out_rows, out_geoms, cells = [], [], []
    allp = [(c, g, ce) for c, g, ce in zip(rows, geoms, cell)] + \
           [(c, g, None) for c, g in zip(lin_rows, lin_geoms)] + \
           [(c, g, None) for c, g in zip(town_codes, tcells)] + \
           [(c, g, None) for c, g in zip(dry_codes, dcells)] + \
           [(c, g, None) for c, g in zip(rest_codes, rcells)]
    for n, (code, g, ce) in enumerate(allp, 1):
        if g is None or g.is_empty:
            continue
        if code in ("0102", "0101"):
            kcxs = float(rng.choice([0.0, 0.0, 0.02, 0.03]))
        elif code == "0103":
            kcxs = float(rng.choice([0.05, 0.08, 0.12]))
        else:
            kcxs = 0.0
        out_rows.append(dict(BSM=str(len(out_rows) + 1), TBBH=f"{len(out_rows) + 1:05d}", DLBM=code,
                             DLMC=DLTB_CLASSES[code], KCXS=kcxs,
                             QSXZ="30" if code in CULTIVATED + ("0702", "1202", "1006", "1107") else "10",
                             ZLDWMC=village_of(g) if ce is not None else HSB, SJNF=2023))
        out_geoms.append(g)
        cells.append(ce)
    del czkfbj_union  # CZKFBJ may cover fields (planned expansion): YJJBNT stays clear of it instead
    return pd.DataFrame(out_rows), out_geoms, cells, m, quads, keep, (field_area, town, dry)


def farmland(rng, dl, geoms, cells, czkfbj_union, pv_block):
    """YJJBNT: cultivated DLTB parcels, block-wise designated, never inside the urban boundary; the PV
    sample block (``pv_block``: the cells under the footprint) is designated except its last cell, so the
    footprint also has non-farmland remainder."""
    keep_out = czkfbj_union.buffer(60)
    block_ok = {}
    rows, out = [], []
    for k, (r, g, ce) in enumerate(zip(dl.itertuples(), geoms, cells)):
        if r.DLBM not in CULTIVATED or ce is None or g.intersects(keep_out):
            continue
        i, j = ce
        blk = (i // 5, j // 3)
        if blk not in block_ok:
            block_ok[blk] = rng.random() < 0.8
        take = block_ok[blk] and rng.random() < 0.93
        if ce in pv_block:
            take = ce != pv_block[-1]
        if not take:
            continue
        n = len(rows) + 1
        rows.append(dict(BSM=str(n), YJJBNTTBBH=f"640303{n:06d}", DLBM=r.DLBM, DLMC=r.DLMC, KCXS=r.KCXS,
                         ZLDWMC=r.ZLDWMC, GDDB=int(rng.integers(6, 11))))
        out.append(g)
    return pd.DataFrame(rows), out


# ------------------------------------------------------------------------------------------------
# 草原


def grassland(rng, cty, exclude, forced_general, forced_pairs):
    """CY over 红寺堡区 outside the irrigated district, the town and the 罗山 block. ``forced_general``:
    areas whose 图斑 are 一般草原; ``forced_pairs``: (footprint, b): its largest cell is 基本草原 if b, else
    一般草原, the next one the other."""
    hsb = cty[HSB][1]
    region = shapely.difference(hsb, exclude)
    cells = warp(voronoi_cells(region, 1700, rng), rng, 220.0, (2500, 7000), step=300.0)
    cells = [g for g in polys(shapely.simplify(shapely.intersection(cells, region), 4.0), 20000.0) if g is not None]
    nz = smooth_noise(rng, 4, (6000, 16000))
    basic = [bool(nz(g.centroid.x, g.centroid.y) > 0.15) for g in cells]
    for fp, largest_basic in forced_pairs:
        order = sorted(range(len(cells)), key=lambda k: -cells[k].intersection(fp).area)
        basic[order[0]], basic[order[1]] = largest_basic, not largest_basic
    for area in forced_general:
        for k, g in enumerate(cells):
            if g.intersects(area):
                basic[k] = False
    rows = []
    for n, (g, b) in enumerate(zip(cells, basic), 1):
        c = g.centroid
        desert = c.x > 603000 or c.y > 4150000
        rows.append(dict(BSM=str(n), CYBH=f"CY640303{n:04d}",
                         CYLX="温性荒漠草原" if desert else ("温性草原化荒漠" if rng.random() < 0.5 else "温性草原"),
                         SFJBCY="是" if b else "否", QSXZ="国有", ZLDWMC=HSB,
                         BZ="荒漠化草地" if desert and not b else ""))
    return pd.DataFrame(rows), cells


# ------------------------------------------------------------------------------------------------
# footprints


def footprint(geom, **attrs):
    return gpd.GeoDataFrame(pd.DataFrame([attrs]), geometry=[geom], crs=DESIGN)


def pv_farm_block(m, keep, codes_at):
    """A 4 × 3 block of parcels (PV site) west of the canal, with no lateral or canal inside it and an
    undivided neighbour strip to the north (its 水田 parcel touches the footprint along one edge)."""
    target = Point(588600, 4140400)
    best = None
    for i in range(len(m.y) - 6):
        for j in range(len(m.v) - 4):
            if j + 3 > m.j0 or any(i + d in m.laterals for d in range(1, 5)):
                continue
            cells = [(i + a, j + b) for a in range(4) for b in range(3)]
            # the neighbour's shared edge must be a plain grid edge (no road cutting it into pieces)
            side = [b for b in range(3) if j + b not in m.roads and j + b + 1 not in m.roads]
            if not side or not all(keep[c] and c in codes_at for c in cells) or not keep[i + 4, j + side[0]] \
                    or (i + 4, j + side[0]) not in codes_at:
                continue
            d = m.quad(i, j).centroid.distance(target)
            if best is None or d < best[0]:
                best = (d, i, j, side[0])
    _, i, j, b = best
    return i, j, [(i + a, j + b_) for a in range(4) for b_ in range(3)], (i + 4, j + b)


def footprints(m, quads, pv_cells, mine_box, village_box, temp_box):
    lx, ly = LUOSHAN
    tx, ty = TOWN
    road = LineString([(600000, ly - 5500), (613000, ly - 5200), (626000, ly - 5600)]).buffer(15, cap_style="flat")
    pv = shapely.union_all([quads[c] for c in pv_cells])
    return {
        "pv_desert_grassland": footprint(box(605000, 4140000, 607000, 4141000), XMMC="红寺堡区荒漠草原光伏电站"),
        "road_crossing_redline": footprint(road, XMMC="罗山南麓县道改建工程"),
        "village_house_in_redline": footprint(village_box, XMMC="原住民自住房翻建"),
        "factory_outside_urban": footprint(box(597800, 4141000, 598600, 4141600), XMMC="新材料加工厂"),
        "mine_in_core_zone": footprint(mine_box, XMMC="罗山采石场"),
        "nothing_touched": footprint(box(568000, 4140000, 568500, 4140400), XMMC="戈壁物流仓储点"),
        "pv_on_farmland": footprint(shapely.normalize(pv), XMMC="农光互补光伏项目"),
        "housing_in_urban_core": footprint(box(tx - 700, ty - 700, tx - 300, ty - 400), XMMC="红寺堡镇安置住宅小区"),
        "wind_farm_zone36": footprint(box(640000, 4143000, 642500, 4144500), XMMC="红寺堡东部风电场"),
        "temporary_land_in_redline": footprint(temp_box, XMMC="罗山施工临时用地"),
    }


def write_footprints(fps):
    fdir = OUT / "footprints"
    if fdir.exists():
        shutil.rmtree(fdir)
    fdir.mkdir(parents=True)
    for name, gdf in fps.items():
        if name == "wind_farm_zone36":  # delivered in GK zone 36 as a shapefile
            gdf.to_crs(4545).to_file(fdir / f"{name}.shp", engine="pyogrio", encoding="UTF-8")
        elif name == "road_crossing_redline":  # delivered as a GeoPackage in GK zone 35 with prefix
            gdf.to_crs(4523).to_file(fdir / f"{name}.gpkg", engine="pyogrio")
        else:
            stored(gdf).to_file(fdir / f"{name}.geojson", engine="pyogrio", driver="GeoJSON")


# ------------------------------------------------------------------------------------------------
# storing and checking


def stored(gdf):
    """To CGCS2000 lon/lat with coordinates rounded to 1e-10° (exact in GeoJSON's 15 digits too)."""
    g = gdf.to_crs(STORE)
    geoms = shapely.transform(np.asarray(g.geometry.values, dtype=object), lambda c: np.round(c, 10))
    bad = ~shapely.is_valid(geoms)
    geoms[bad] = shapely.make_valid(geoms[bad])
    return g.set_geometry(gpd.GeoSeries(geoms, index=g.index, crs=STORE))


def opened(g, d=0.05):
    """``g`` without spikes and slivers narrower than 2·d (they cross themselves once reprojected)."""
    return shapely.make_valid(shapely.buffer(shapely.buffer(g, -d, join_style="mitre"), d, join_style="mitre"))


def frame(df, geoms):
    keep = [g is not None and not g.is_empty for g in geoms]
    gdf = gpd.GeoDataFrame(df[keep].reset_index(drop=True), geometry=[g for g, k in zip(geoms, keep) if k],
                           crs=DESIGN)
    gdf = gdf.set_geometry(gpd.GeoSeries(shapely.make_valid(np.asarray(gdf.geometry.values, dtype=object)),
                                         index=gdf.index, crs=DESIGN))
    for _ in range(3):  # valid where stored and where analysed
        out = stored(gdf)
        back = np.asarray(out.to_crs(DESIGN).geometry.values, dtype=object)
        bad = ~(shapely.is_valid(back) & shapely.is_valid(np.asarray(out.geometry.values, dtype=object)))
        if not bad.any():
            return out
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        geoms[bad] = opened(geoms[bad])
        gdf = gdf.set_geometry(gpd.GeoSeries(geoms, index=gdf.index, crs=DESIGN))
    raise SystemExit(f"{bad.sum()} geometries stay invalid")


def overlap(fp, gdf, mask=None):
    g = gdf if mask is None else gdf[mask]
    g = g[g.intersects(fp)]
    return float(shapely.intersection(fp, shapely.union_all(shapely.make_valid(g.geometry.values))).area) \
        if len(g) else 0.0


def verify(layers, fps, cty):
    """Each footprint still occupies (> 1 m²) the zones it was designed for, and no others it must not."""
    L = {k: v.to_crs(DESIGN) for k, v in layers.items()}
    for k, v in L.items():
        bad = ~shapely.is_valid(v.geometry.values)
        if bad.any():
            print(f"{k}: {bad.sum()} invalid in EPSG:{DESIGN}:", [shapely.is_valid_reason(g) for g in v.geometry.values[bad]][:3])
        bad = ~shapely.is_valid(layers[k].geometry.values)
        if bad.any():
            print(f"{k}: {bad.sum()} invalid stored:", [shapely.is_valid_reason(g) for g in layers[k].geometry.values[bad]][:3])
    F = {k: shapely.union_all(stored(v).to_crs(DESIGN).geometry.values) for k, v in fps.items()}  # as written
    red, zr, yj, dl, cz, cy = L["STBHHX"], L["ZRBHD"], L["YJJBNT"], L["DLTB"], L["CZKFBJ"], L["CY"]
    core_r = red["ZRBHDFQ"] == "核心保护区"
    core_z = zr["ZRBHDFQ"] == "核心保护区"
    cult = dl["DLBM"].isin(CULTIVATED)
    basic = cy["SFJBCY"] == "是"
    problems = []

    def need(cond, what):
        if not cond:
            problems.append(what)

    def county(fp):
        return max(cty, key=lambda n: cty[n][1].intersection(fp).area)

    def none_of(name, *keys):
        for k in keys:
            g = dl[cult] if k == "DLTB" else L[k]
            need(not g.intersects(F[name]).any(), f"{name} touches {k}")

    def inside(f, g):
        return shapely.union_all(g.geometry.values).buffer(1e-6).contains(f)

    for name, c in [("pv_desert_grassland", HSB), ("road_crossing_redline", TONGXIN),
                    ("village_house_in_redline", TONGXIN), ("factory_outside_urban", HSB),
                    ("mine_in_core_zone", TONGXIN), ("nothing_touched", "中宁县"), ("pv_on_farmland", HSB),
                    ("housing_in_urban_core", HSB), ("wind_farm_zone36", HSB), ("temporary_land_in_redline", HSB)]:
        need(county(F[name]) == c, f"{name} in {c}")

    f = F["pv_desert_grassland"]
    g_, b_ = overlap(f, cy, ~basic), overlap(f, cy, basic)
    need(g_ > b_ > 1, "pv_desert_grassland: 一般草原 > 基本草原 > 0")
    none_of("pv_desert_grassland", "STBHHX", "ZRBHD", "YJJBNT", "DLTB", "CZKFBJ")
    need(0 < float(red.distance(f).min()) < 5000, "pv_desert_grassland: the red line within 5 km (distances)")
    f = F["road_crossing_redline"]
    need(overlap(f, red, ~core_r) > 1e4 and not red[core_r].intersects(f).any(), "road: red line outside core")
    need(overlap(f, zr, ~core_z) > 1e4 and not zr[core_z].intersects(f).any(), "road: reserve outside core")
    none_of("road_crossing_redline", "YJJBNT", "DLTB", "CZKFBJ", "CY")
    f = F["village_house_in_redline"]
    need(inside(f, red[~core_r]) and inside(f, zr[~core_z]) and not red[core_r].intersects(f).any(),
         "village house inside the red line and the reserve, outside the core")
    f = F["temporary_land_in_redline"]
    need(inside(f, red[~core_r]) and inside(f, zr[~core_z]) and not red[core_r].intersects(f).any(),
         "temporary land inside the red line and the reserve, outside the core")
    none_of("temporary_land_in_redline", "CY", "CZKFBJ", "DLTB", "YJJBNT")
    f = F["mine_in_core_zone"]
    need(inside(f, red[core_r]) and inside(f, zr[core_z]), "mine inside both core zones")
    need(overlap(f, red, ~core_r) == 0.0, "mine: no red line outside the core")
    need(float(yj.distance(f).min()) > 5000, "mine > 5 km from YJJBNT")
    none_of("mine_in_core_zone", "CY", "CZKFBJ", "DLTB")
    f = F["nothing_touched"]
    need(all(float(L[k].distance(f).min()) > 100 for k in L), "nothing_touched touches nothing")
    f = F["factory_outside_urban"]
    codes = set(dl[cult & dl.intersects(f)]["DLBM"])
    need(codes == {"0103"} and overlap(f, dl, dl["DLBM"] == "0103") > 1000, "factory: 旱地 only")
    need(overlap(f, cy, ~basic) > 1000 and not cy[basic].intersects(f).any(), "factory: 一般草原 only")
    none_of("factory_outside_urban", "CZKFBJ", "STBHHX", "YJJBNT", "ZRBHD")
    f = F["pv_on_farmland"]
    need(1 < overlap(f, yj) < f.area - 1000, "pv_on_farmland: partly on YJJBNT")
    for code in ("0102", "0103"):
        need(overlap(f, dl, dl["DLBM"] == code) > 1000, f"pv_on_farmland on {code}")
    rice = dl[dl["DLBM"] == "0101"]
    need(rice.intersects(f).any() and overlap(f, rice) < 1e-3,
         f"pv_on_farmland: 0101 touching only ({rice.intersects(f).sum()} parcels, {overlap(f, rice):.3g} m²)")
    none_of("pv_on_farmland", "STBHHX", "CY", "CZKFBJ", "ZRBHD")
    d = float(cz.distance(f).min())
    need(1000 < d <= 4500, f"pv_on_farmland: CZKFBJ at 1–4.5 km ({d:.0f} m)")
    f = F["housing_in_urban_core"]
    need(inside(f, cz[cz["GHFQMC"] == "城镇集中建设区"]), "housing inside 城镇集中建设区")
    none_of("housing_in_urban_core", "STBHHX", "YJJBNT", "DLTB", "CY", "ZRBHD")
    f = F["wind_farm_zone36"]
    need(overlap(f, cy, basic) > 1e4 and overlap(f, cy, ~basic) > 1e4, "wind farm: both grassland zones")
    none_of("wind_farm_zone36", "STBHHX", "YJJBNT", "DLTB", "CZKFBJ", "ZRBHD")
    # layer consistency
    need(shapely.union_all(zr[core_z].geometry.values).difference(shapely.union_all(red[core_r].geometry.values))
         .area < 1.0, "the reserve's core zone is inside the red line's")
    need(shapely.union_all(zr.geometry.values).difference(shapely.union_all(red.geometry.values)).area < 1.0,
         "the reserve is inside the red line")
    cz_u = shapely.union_all(cz.geometry.values)
    need(float(shapely.intersection(shapely.union_all(yj.geometry.values), cz_u).area) < 1.0,
         "no YJJBNT inside the urban boundary")
    if problems:
        raise SystemExit("sample footprints lost their meaning:\n  " + "\n  ".join(problems))


def box_inside(area, center, size, step=(-150.0, 0.0), tries=80):
    """The first w × h box from ``center`` stepping by ``step`` that lies inside ``area`` (with margin)."""
    (w, h), (cx, cy) = size, center
    inner = area.buffer(-60)
    for _ in range(tries):
        b = box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        if inner.contains(b):
            return b
        cx, cy = cx + step[0], cy + step[1]
    raise SystemExit(f"no {w}×{h} box inside the area from {center}")


def main() -> int:
    rng = np.random.default_rng(20231002)
    OUT.mkdir(exist_ok=True)
    if GPKG.exists():
        GPKG.unlink()
    cty = counties()
    hsb, tongxin = cty[HSB][1], cty[TONGXIN][1]
    core, general, block = luoshan(rng)
    red_df, red_g = redline(rng, cty, core, general, block)
    zr_df, zr_g = nature_reserve(core, general)
    cz_df, cz_g = urban(rng)
    cz_u = shapely.union_all([g for g in cz_g if g is not None])
    dl_df, dl_g, cells, m, quads, keep, (field_area, town, dry) = dltb(rng, cty, cz_u)
    codes_at = {ce: (code, k) for k, (code, ce) in enumerate(zip(dl_df["DLBM"], cells)) if ce is not None}
    # the PV sample block: 水浇地 with one 旱地 parcel, no 水田 inside; its northern neighbour 水田
    _, _, pv_cells, rice = pv_farm_block(m, keep, codes_at)
    for n, ce in enumerate(pv_cells):
        dl_df.loc[codes_at[ce][1], ["DLBM", "DLMC"]] = ("0103", "旱地") if n in (4, 7) else ("0102", "水浇地")
    dl_df.loc[codes_at[rice][1], ["DLBM", "DLMC"]] = ("0101", "水田")
    for ce in [(i + di, j + dj) for (i, j) in pv_cells for di in (-1, 0, 1) for dj in (-1, 0, 1)]:
        if ce in codes_at and ce not in pv_cells and ce != rice and dl_df.loc[codes_at[ce][1], "DLBM"] == "0101":
            dl_df.loc[codes_at[ce][1], ["DLBM", "DLMC"]] = ("0102", "水浇地")
    dl_df.loc[dl_df["DLBM"].isin(["0102", "0101"]) & (dl_df["KCXS"] > 0.05), "KCXS"] = 0.02
    dl_df.loc[(dl_df["DLBM"] == "0103") & (dl_df["KCXS"] == 0.0), "KCXS"] = 0.05
    yj_df, yj_g = farmland(rng, dl_df, dl_g, cells, cz_u, pv_cells)
    # sample sites inside the 罗山 zones
    lx, ly = LUOSHAN
    general_only = shapely.difference(general, core.buffer(150))
    mine = box_inside(core, (lx, ly + 500), (600, 600), step=(0.0, 100.0))
    village = box_inside(shapely.intersection(general_only, tongxin), (lx, ly + 5500), (20, 15), step=(120.0, 0.0))
    temp = box_inside(shapely.intersection(general_only, hsb), (lx - 6500, ly), (200, 100), step=(150.0, 0.0))
    # CY: not on the irrigated fields, the town, the urban boundary, the 罗山 block or the county road; over
    # the east of the dry farmland (the two surveys disagree there, as they do in real data)
    fps = footprints(m, quads, pv_cells, mine, village, temp)
    county_road = shapely.union_all(fps["road_crossing_redline"].geometry.values).buffer(25)  # 公路用地, not 草原
    exclude = shapely.union_all([field_area.buffer(40), town.buffer(40), cz_u.buffer(200), block.buffer(30),
                                 shapely.intersection(dry, box(590000, 4130000, 597950, 4150000)), county_road])
    factory = box(597800, 4141000, 598600, 4141600)
    pv_desert = box(605000, 4140000, 607000, 4141000)
    wind = box(640000, 4143000, 642500, 4144500)
    cy_df, cy_g = grassland(rng, cty, exclude, [factory], [(pv_desert, False), (wind, True)])
    layers = {
        "STBHHX": frame(red_df, red_g),
        "ZRBHD": frame(zr_df, zr_g),
        "YJJBNT": frame(yj_df, yj_g),
        "DLTB": frame(dl_df, dl_g),
        "CZKFBJ": frame(cz_df, cz_g),
        "CY": frame(cy_df, cy_g),
    }
    verify(layers, fps, cty)
    for name, gdf in layers.items():
        gdf.to_file(GPKG, layer=name, engine="pyogrio", driver="GPKG",
                    layer_options={"DESCRIPTION": SYNTHETIC_NOTE})
    write_footprints(fps)
    for name, gdf in layers.items():
        print(f"{name:8s} {len(gdf):6d} features  {shapely.get_num_coordinates(gdf.geometry.values).sum():7d} vertices")
    bounds = np.array([g.total_bounds for g in layers.values()]
                      + [stored(f).total_bounds for f in fps.values()])
    bbox = [bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()]
    print("data and footprints bbox (lon/lat):", [round(float(v), 3) for v in bbox])
    extent = tomllib.loads((OUT / "catalog.toml").read_text(encoding="utf-8"))["catalog"]["extent"]
    if not (extent[0] <= bbox[0] and extent[1] <= bbox[1] and bbox[2] <= extent[2] and bbox[3] <= extent[3]):
        raise SystemExit(f"catalog.toml [catalog] extent {extent} must contain the sample data {bbox}")
    print(f"wrote {GPKG} ({GPKG.stat().st_size / 1e6:.1f} MB) and {OUT / 'footprints'}")
    # --- raster samples (issue 8): DEM and land-cover GeoTIFFs, see tools/make_sample_rasters.py ---
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_sample_rasters import write_sample_rasters

    write_sample_rasters(OUT, GPKG)
    # --- end raster samples ---
    return 0


if __name__ == "__main__":
    sys.exit(main())
