"""Generate large, realistic SYNTHETIC layers for the speed benchmark (benchmarks/run.py).

    python benchmarks/make_layers.py                 # full scale (about 2 min, 1.1 GB on disk)
    python benchmarks/make_layers.py --scale small   # a few seconds

Written to ``benchmarks/data/<scale>/`` (git-ignored):

| file | layer | role | full | small |
|---|---|---|---|---|
| ``yjjbnt.gpkg`` | YJJBNT | 永久基本农田 parcels (12-vertex jittered-lattice coverage, ~1 ha) | 1,000,000 | 50,000 |
| ``dltb.gpkg`` | DLTB | 三调 cultivated parcels (0101/0102/0103, overlapping the farmland) | 600,000 | 30,000 |
| ``cy.gpkg`` | CY | 草原 (stored in EPSG:4490, so loading includes a reprojection) | 300,000 | 15,000 |
| ``stbhhx.gpkg`` | STBHHX | 生态保护红线: star polygons of 16–160 vertices + a few huge ones with holes | 100,000 (5 with 100k–200k vertices) | 5,000 (2 with 20k–30k) |
| ``footprints.gpkg`` | footprints | project footprints (blobs 0.5–50 ha and road corridors) with ``XMMC`` and ``activity`` | 10,000 | 200 |

plus ``catalog.toml`` (the four layers, 2,000,000 polygons at full scale) and ``catalog_1m.toml`` (YJJBNT only).
Everything is in CGCS2000 3° Gauss-Krüger CM 105E (EPSG:4544) metres except CY. The output is deterministic
(seeded); the shapes and attributes are invented — never use them for a real review.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
EPSG = 4544
# Ningxia in EPSG:4544, roughly: x 440–730 km, y 3 900–4 360 km
X0, X1, Y0, Y1 = 440_000.0, 730_000.0, 3_900_000.0, 4_360_000.0
TILE = 24_000.0

SCALES = {
    #        yjjbnt     dltb    cy      stbhhx  huge  huge_vertices        footprints
    "full": (1_000_000, 600_000, 300_000, 100_000, 5, (100_000, 200_000), 10_000),
    "small": (50_000, 30_000, 15_000, 5_000, 2, (20_000, 30_000), 200),
}
ZLDW = ["兴庆区", "西夏区", "金凤区", "永宁县", "贺兰县", "灵武市", "大武口区", "惠农区", "平罗县", "利通区",
        "红寺堡区", "盐池县", "同心县", "青铜峡市", "原州区", "西吉县", "隆德县", "泾源县", "彭阳县", "沙坡头区",
        "中宁县", "海原县"]
ACTIVITIES = ["road", "pipeline", "power_line", "resident_housing", "tourism_facility", "mineral_exploration_mining",
              "ecological_restoration", "water_flood_communication_facility"]


def tiles(rng, n: int, taken: set) -> list[tuple[float, float]]:
    """``n`` free tiles (lower-left corners) of the province grid, so clusters never overlap."""
    nx, ny = int((X1 - X0) // TILE), int((Y1 - Y0) // TILE)
    free = [(i, j) for i in range(nx) for j in range(ny) if (i, j) not in taken]
    pick = rng.choice(len(free), size=min(n, len(free)), replace=False)
    out = []
    for k in pick:
        taken.add(free[k])
        out.append((X0 + free[k][0] * TILE, Y0 + free[k][1] * TILE))
    return out


def lattice(rng, x0: float, y0: float, cell: float, nx: int, ny: int, drop: float) -> np.ndarray:
    """A jittered-lattice coverage of nx × ny cells: 12-vertex polygons that share their edges exactly."""
    cx = x0 + np.arange(nx + 1) * cell
    cy = y0 + np.arange(ny + 1) * cell
    gx, gy = np.meshgrid(cx, cy, indexing="ij")
    corners = np.stack([gx, gy], -1) + rng.uniform(-0.2, 0.2, (nx + 1, ny + 1, 2)) * cell

    def edge_pts(a, b, n_shape):
        # two points at 1/3 and 2/3 of each edge a→b, pushed sideways a little
        d = b - a
        nrm = np.stack([-d[..., 1], d[..., 0]], -1) / np.linalg.norm(d, axis=-1, keepdims=True)
        off = rng.uniform(-0.06, 0.06, n_shape + (2,)) * cell
        return np.stack([a + d / 3 + nrm * off[..., 0:1], a + 2 * d / 3 + nrm * off[..., 1:2]], -2)

    h = edge_pts(corners[:-1, :, :], corners[1:, :, :], (nx, ny + 1))  # horizontal edges, left→right
    v = edge_pts(corners[:, :-1, :], corners[:, 1:, :], (nx + 1, ny))  # vertical edges, bottom→top
    ring = np.concatenate([
        corners[:-1, :-1, None], h[:, :-1],  # bottom
        corners[1:, :-1, None], v[1:, :],  # right
        corners[1:, 1:, None], h[:, 1:, ::-1],  # top (right→left)
        corners[:-1, 1:, None], v[:-1, :, ::-1],  # left (top→bottom)
        corners[:-1, :-1, None],
    ], axis=2).reshape(nx * ny, 13, 2)
    keep = rng.random(nx * ny) >= drop
    return shapely.polygons(ring[keep])


def coverage(rng, n: int, cell: tuple[float, float], drop: float, taken: set, tiles_for=None):
    """``n`` parcels in clusters of one province tile each; returns (geoms, the tiles used)."""
    out, used, total = [], [], 0
    pool = list(tiles_for or [])
    while total < n:
        if pool:
            x0, y0 = pool.pop(0)
        else:
            x0, y0 = tiles(rng, 1, taken)[0]
        c = rng.uniform(*cell)
        m = int(TILE * rng.uniform(0.55, 0.95) // c)
        k = int(TILE * rng.uniform(0.55, 0.95) // c)
        g = lattice(rng, x0 + rng.uniform(0, TILE - m * c - 2 * c) + c, y0 + rng.uniform(0, TILE - k * c - 2 * c) + c,
                    c, m, k, drop)
        out.append(g)
        used.append((x0, y0))
        total += len(g)
    return np.concatenate(out)[:n], used


def star(rng, cx, cy, r, n, holes=0):
    """A simple (star-shaped) polygon of mean radius r with n vertices and optional holes."""
    # evenly spaced angles and a boundary that is rough at every scale but never spiky: harmonics up to
    # n/4 with amplitudes falling as k^-1.5 (a digitised mountain or river line, not needles)
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False) + rng.uniform(-0.3, 0.3, n) * (2 * np.pi / n)
    k = np.unique(np.geomspace(1, max(2, n // 4), 60).astype(int))
    amp = rng.uniform(0.5, 1.0, len(k)) * k ** -1.5
    amp *= 0.3 / amp.sum()
    phase = rng.uniform(0, 2 * np.pi, len(k))
    rad = np.ones(n)
    for kk, a, ph in zip(k, amp, phase):
        rad += a * np.sin(kk * ang + ph)
    rad = r * (rad + rng.uniform(-0.25, 0.25, n) * (2 * np.pi / n))
    shell = np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)])
    inner = []
    for h in range(holes):
        a = 2 * np.pi * h / holes + rng.uniform(-0.3, 0.3)
        hx, hy = cx + 0.35 * r * np.cos(a), cy + 0.35 * r * np.sin(a)
        ring = np.asarray(star(rng, hx, hy, 0.06 * r, max(16, n // 200)).exterior.coords)[::-1]
        inner.append(ring)
    return shapely.Polygon(shell, inner)


def stars(rng, n, r_range, v_range):
    """n star polygons at random places: vectorised (same vertex count per batch)."""
    out = []
    for nv in range(v_range[0], v_range[1] + 1, 8):
        m = n // ((v_range[1] - v_range[0]) // 8 + 1) + 1
        cx = rng.uniform(X0, X1, m)
        cy = rng.uniform(Y0, Y1, m)
        r = np.exp(rng.uniform(np.log(r_range[0]), np.log(r_range[1]), m))
        ang = np.sort(rng.uniform(0, 2 * np.pi, (m, nv)), axis=1)
        amp = rng.uniform(0, 0.12, (m, 3))
        ph = rng.uniform(0, 2 * np.pi, (m, 3))
        rad = r[:, None] * (1 + sum(amp[:, i, None] * np.sin((i + 1) * ang + ph[:, i, None]) for i in range(3)))
        xy = np.stack([cx[:, None] + rad * np.cos(ang), cy[:, None] + rad * np.sin(ang)], -1)
        xy = np.concatenate([xy, xy[:, :1]], 1)
        out.append(shapely.polygons(xy))
    g = np.concatenate(out)
    return g[rng.permutation(len(g))[:n]]


def write(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    if path.exists():
        path.unlink()
    pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG")
    print(f"  {path.name}: {len(gdf):,} features, {path.stat().st_size / 1e6:.0f} MB", flush=True)


def make(scale: str, out: Path, seed: int = 7) -> Path:
    n_bnt, n_tb, n_cy, n_hx, n_huge, huge_v, n_fp = SCALES[scale]
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    taken: set = set()
    t0 = time.perf_counter()

    bnt, farm_tiles = coverage(rng, n_bnt, (85.0, 115.0), 0.08, taken)
    n = len(bnt)
    write(gpd.GeoDataFrame({
        "BSM": np.arange(1, n + 1).astype(str),
        "YJJBNTTBBH": [f"6401{i:08d}" for i in range(1, n + 1)],
        "DLBM": rng.choice(["0101", "0102", "0103"], n, p=[0.2, 0.6, 0.2]),
        "ZLDWMC": rng.choice(ZLDW, n),
        "KCXS": rng.choice([0.0, 0.05, 0.08, 0.1], n),
        "TBMJ": shapely.area(bnt).round(2),
    }, geometry=bnt, crs=EPSG).assign(DLMC=lambda d: d.DLBM.map({"0101": "水田", "0102": "水浇地", "0103": "旱地"})),
        out / "yjjbnt.gpkg", "YJJBNT")

    tb, _ = coverage(rng, n_tb, (110.0, 150.0), 0.05, taken, tiles_for=farm_tiles)
    n = len(tb)
    dlbm = rng.choice(["0101", "0102", "0103"], n, p=[0.2, 0.6, 0.2])
    write(gpd.GeoDataFrame({
        "BSM": np.arange(1, n + 1).astype(str), "TBBH": [f"{i:06d}" for i in range(1, n + 1)],
        "DLBM": dlbm, "DLMC": pd.Series(dlbm).map({"0101": "水田", "0102": "水浇地", "0103": "旱地"}).to_numpy(),
        "QSXZ": rng.choice(["30", "20", "10"], n), "ZLDWMC": rng.choice(ZLDW, n),
        "KCXS": rng.choice([0.0, 0.05, 0.08], n), "TBMJ": shapely.area(tb).round(2),
    }, geometry=tb, crs=EPSG), out / "dltb.gpkg", "DLTB")

    cy, _ = coverage(rng, n_cy, (250.0, 350.0), 0.1, taken)
    n = len(cy)
    write(gpd.GeoDataFrame({
        "BSM": np.arange(1, n + 1).astype(str), "CYBH": [f"CY{i:07d}" for i in range(1, n + 1)],
        "CYLX": rng.choice(["温性草原", "温性荒漠草原", "温性草原化荒漠"], n),
        "SFJBCY": rng.choice(["是", "否"], n, p=[0.7, 0.3]), "ZLDWMC": rng.choice(ZLDW, n),
    }, geometry=cy, crs=EPSG).to_crs(4490), out / "cy.gpkg", "CY")

    small = stars(rng, n_hx - n_huge, (40.0, 900.0), (16, 160))
    # the huge red lines sit on farmland tiles on purpose, so that checks meet them
    huge = []
    for i in range(n_huge):
        tx, ty = farm_tiles[i % len(farm_tiles)]
        huge.append(star(rng, tx + TILE * rng.uniform(0.3, 0.7), ty + TILE * rng.uniform(0.3, 0.7),
                         rng.uniform(8_000, 14_000), int(rng.integers(*huge_v)), holes=3))
    hx = np.concatenate([np.array(huge, dtype=object), small])
    n = len(hx)
    core = rng.random(n) < 0.15
    write(gpd.GeoDataFrame({
        "BSM": np.arange(1, n + 1).astype(str), "HXBM": [f"6400-STBHHX-{i:06d}" for i in range(1, n + 1)],
        "HXMC": rng.choice(["贺兰山生物多样性维护生态保护红线", "罗山水源涵养生态保护红线", "六盘山水源涵养生态保护红线",
                            "腾格里沙漠边缘防风固沙生态保护红线", "黄河岸线生态保护红线"], n),
        "HXLX": rng.choice(["生物多样性维护", "水源涵养", "防风固沙", "水土保持"], n),
        "ZRBHDFQ": np.where(core, "核心保护区", "一般控制区"),
    }, geometry=hx, crs=EPSG), out / "stbhhx.gpkg", "STBHHX")

    # footprints: 75 % on farmland tiles, 10 % road corridors, the rest anywhere
    fps, kinds = [], []
    for i in range(n_fp):
        u = rng.random()
        if u < 0.85:
            tx, ty = farm_tiles[int(rng.integers(len(farm_tiles)))] if u < 0.75 else (
                rng.uniform(X0, X1 - TILE), rng.uniform(Y0, Y1 - TILE))
            cx, cyy = tx + rng.uniform(0.1, 0.9) * TILE, ty + rng.uniform(0.1, 0.9) * TILE
            r = float(np.sqrt(rng.uniform(5_000, 500_000) / np.pi))
            fps.append(star(rng, cx, cyy, r, int(rng.integers(8, 41))))
            kinds.append(rng.choice(ACTIVITIES[3:]))
        else:
            tx, ty = farm_tiles[int(rng.integers(len(farm_tiles)))]
            p = np.array([tx, ty]) + rng.uniform(0.1, 0.9, 2) * TILE
            steps = rng.normal(0, 1, (int(rng.integers(3, 9)), 2)) * 400 + rng.normal(0, 1, 2) * 600
            line = shapely.LineString(np.vstack([p, p + np.cumsum(steps, 0)]))
            fps.append(line.buffer(rng.uniform(10, 25), quad_segs=2, cap_style="flat"))
            kinds.append(rng.choice(ACTIVITIES[:3]))
    write(gpd.GeoDataFrame({"XMMC": [f"项目{i:05d}" for i in range(1, n_fp + 1)], "activity": kinds},
                           geometry=fps, crs=EPSG), out / "footprints.gpkg", "footprints")

    layers = [("stbhhx", "eco_redline", "stbhhx.gpkg", "STBHHX", '["HXBM", "HXMC", "HXLX", "ZRBHDFQ"]', "HXBM",
               "ZRBHDFQ"),
              ("yjjbnt", "permanent_basic_farmland", "yjjbnt.gpkg", "YJJBNT",
               '["YJJBNTTBBH", "DLBM", "DLMC", "KCXS", "ZLDWMC"]', "YJJBNTTBBH", None),
              ("gd", "cultivated_land", "dltb.gpkg", "DLTB", '["TBBH", "DLBM", "DLMC", "KCXS", "QSXZ"]', "TBBH",
               "DLBM"),
              ("cy", "grassland", "cy.gpkg", "CY", '["CYBH", "CYLX", "SFJBCY"]', "CYBH", "SFJBCY")]

    def catalog(entries):
        text = [f'[catalog]\nname = "benchmark ({scale}) — synthetic"\nsynthetic = true\n']
        for lid, role, path, layer, keys, idf, zone in entries:
            text.append(f'[[layers]]\nid = "{lid}"\nrole = "{role}"\npath = "{path}"\nlayer = "{layer}"\n'
                        f'key_fields = {keys}\nid_field = "{idf}"\n' + (f'zone_field = "{zone}"\n' if zone else ""))
        return "\n".join(text)

    (out / "catalog.toml").write_text(catalog(layers), encoding="utf-8")
    (out / "catalog_1m.toml").write_text(catalog(layers[1:2]), encoding="utf-8")
    print(f"  written in {time.perf_counter() - t0:.1f} s → {out}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="full")
    ap.add_argument("--out", type=Path, help="output folder (default benchmarks/data/<scale>)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    make(args.scale, args.out or DATA / args.scale, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
