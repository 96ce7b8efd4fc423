"""Regenerate the synthetic sample layers and footprints in ningxia_gis/sample_layers/.

    python tools/make_sample_layers.py

The layers are SYNTHETIC (for demos, training and tests only): they are placed in real coordinates
around 红寺堡区 and 罗山 (about 105.7–106.7E, 37.1–37.6N) and use the national field names, but the
shapes and attributes are invented. Geometry is designed in CGCS2000 3° GK CM 105E (EPSG:4544) metres
and stored in CGCS2000 geographic (EPSG:4490). The output is deterministic.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, box

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ningxia_gis" / "sample_layers"
GPKG = OUT / "ningxia_sample.gpkg"
DESIGN = 4544
STORE = 4490
TOWN = (594700.0, 4143700.0)  # 红寺堡镇
LUOSHAN = (613000.0, 4130000.0)  # 罗山
SYNTHETIC_NOTE = "合成示例数据，仅用于演示、培训和测试 / synthetic sample data, for demos, training and tests only"


def blob(cx, cy, r, rng, n=48, rough=0.12):
    """An irregular closed polygon of mean radius r around (cx, cy)."""
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    k = np.arange(1, 5)
    phase = rng.uniform(0, 2 * np.pi, 4)
    amp = rng.uniform(0, rough, 4) / k
    rad = r * (1 + (amp[:, None] * np.sin(k[:, None] * ang + phase[:, None])).sum(0))
    return shapely.Polygon(np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)]))


def frame(rows, geoms):
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=list(geoms), crs=DESIGN).to_crs(STORE)


def admin(rng):
    hsb = shapely.Polygon([(565000, 4128000), (578000, 4118000), (606000, 4121000), (632000, 4117000),
                           (652000, 4131000), (648000, 4158000), (618000, 4166000), (584000, 4163000),
                           (568000, 4150000)])
    tongxin = shapely.Polygon([(560000, 4075000), (640000, 4072000), (652000, 4131000), (632000, 4117000),
                               (606000, 4121000), (578000, 4118000), (565000, 4128000), (556000, 4100000)])
    litong = shapely.Polygon([(568000, 4150000), (584000, 4163000), (618000, 4166000), (616000, 4200000),
                              (566000, 4196000)])
    rows = [dict(XZQDM="640303", XZQMC="红寺堡区"), dict(XZQDM="640324", XZQMC="同心县"),
            dict(XZQDM="640302", XZQMC="利通区")]
    return frame(rows, [hsb, tongxin, litong])


def redline(rng):
    cx, cy = LUOSHAN
    outer = blob(cx, cy, 8000, rng)
    core = blob(cx, cy + 300, 3000, rng, rough=0.08)
    water = blob(cx - 6500, cy + 5200, 3200, rng)  # overlaps the 罗山 polygon on purpose
    desert = blob(578500, 4154000, 3500, rng)
    rows = [
        dict(BSM="1", HXBM="640303-STBHHX-0001", HXMC="罗山生物多样性维护生态保护红线", HXLX="生物多样性维护",
             ZRBHDMC="宁夏罗山国家级自然保护区", ZRBHDFQ="核心保护区", SZXJXZQMC="红寺堡区"),
        dict(BSM="2", HXBM="640303-STBHHX-0002", HXMC="罗山生物多样性维护生态保护红线", HXLX="生物多样性维护",
             ZRBHDMC="宁夏罗山国家级自然保护区", ZRBHDFQ="一般控制区", SZXJXZQMC="红寺堡区"),
        dict(BSM="3", HXBM="640303-STBHHX-0003", HXMC="大河子沟水源涵养生态保护红线", HXLX="水源涵养",
             ZRBHDMC="", ZRBHDFQ="", SZXJXZQMC="红寺堡区"),
        dict(BSM="4", HXBM="640303-STBHHX-0004", HXMC="红寺堡西北防风固沙生态保护红线", HXLX="防风固沙",
             ZRBHDMC="", ZRBHDFQ="", SZXJXZQMC="红寺堡区"),
    ]
    return frame(rows, [core, outer.difference(core), water, desert]), (outer, core)


def nature_reserve(outer, core):
    rows = [dict(BSM="1", ZRBHDMC="宁夏罗山国家级自然保护区", ZRBHDJB="国家级", ZRBHDLX="自然保护区",
                 ZRBHDFQ="核心保护区"),
            dict(BSM="2", ZRBHDMC="宁夏罗山国家级自然保护区", ZRBHDJB="国家级", ZRBHDLX="自然保护区",
                 ZRBHDFQ="一般控制区")]
    return frame(rows, [core, outer.difference(core)])


def urban():
    tx, ty = TOWN
    central = box(tx - 2000, ty - 1500, tx + 2000, ty + 1500)
    flexible = box(tx + 2000, ty - 1500, tx + 3000, ty + 1500)
    special = box(tx - 2000, ty + 1500, tx + 1000, ty + 2100)
    rows = [dict(BSM=str(i + 1), XZQDM="640303", XZQMC="红寺堡区", GHFQDM=c, GHFQMC=n)
            for i, (c, n) in enumerate([("010", "城镇集中建设区"), ("020", "城镇弹性发展区"), ("030", "特别用途区")])]
    return frame(rows, [central, flexible, special])


FARM = (586000.0, 4136000.0, 592500.0, 4146000.0)  # irrigated farmland west of the town


def farmland(rng):
    x0, y0, x1, y1 = FARM
    rows, geoms = [], []
    n = 0
    for x in np.arange(x0, x1 - 1, 260.0):
        for y in np.arange(y0, y1 - 1, 210.0):
            if rng.random() < 0.12:  # lanes, villages and ponds between the parcels
                continue
            n += 1
            w, h = rng.uniform(200, 245), rng.uniform(160, 195)
            geoms.append(box(x + 5, y + 5, x + 5 + w, y + 5 + h))
            dlbm = "0102" if rng.random() < 0.8 else "0103"
            kcxs = round(float(rng.choice([0.0, 0.0, 0.02, 0.05])), 2)
            rows.append(dict(BSM=str(n), YJJBNTTBBH=f"640303{n:06d}", DLBM=dlbm,
                             DLMC="水浇地" if dlbm == "0102" else "旱地", KCXS=kcxs,
                             ZLDWMC=rng.choice(["红寺堡村", "新庄集村", "大河村", "柳泉村"]), GDDB=int(rng.integers(6, 12))))
    return frame(rows, geoms)


DLTB_CLASSES = {"0101": "水田", "0102": "水浇地", "0103": "旱地", "0301": "乔木林地", "0401": "天然牧草地",
                "0404": "其他草地", "0601": "工业用地", "0701": "城镇住宅用地", "0702": "农村宅基地",
                "1003": "公路用地", "1107": "沟渠", "1205": "沙地", "1206": "裸土地"}


def dltb(rng):
    rows, geoms = [], []
    tx, ty = TOWN
    n = 0
    for x in np.arange(584000.0, 600000.0, 500.0):
        for y in np.arange(4134000.0, 4150000.0, 500.0):
            cx, cy = x + 250, y + 250
            if abs(cx - tx) < 2000 and abs(cy - ty) < 1500:
                code = rng.choice(["0701", "0701", "0601", "1003"])
            elif FARM[0] <= cx <= FARM[2] and FARM[1] <= cy <= FARM[3]:
                code = rng.choice(["0102", "0102", "0102", "0103", "0101", "1107", "0702"])
            elif 597000 <= cx <= 600000 and 4140000 <= cy <= 4142000:
                code = "0103"
            else:
                code = rng.choice(["0404", "0404", "0401", "1205", "1206", "0301"])
            n += 1
            kcxs = 0.05 if code in ("0102", "0103", "0101") else 0.0
            geoms.append(box(x, y, x + 500, y + 500))
            rows.append(dict(BSM=str(n), TBBH=f"{n:05d}", DLBM=code, DLMC=DLTB_CLASSES[code], KCXS=kcxs,
                             QSXZ=rng.choice(["10", "30"]), ZLDWMC="红寺堡区", SJNF=2023))
    return frame(rows, geoms)


def grassland(rng):
    rows, geoms = [], []
    n = 0
    blocks = [(598000, 4134000, 626000, 4150000), (630000, 4138000, 650000, 4152000)]
    for bx0, by0, bx1, by1 in blocks:
        for x in np.arange(bx0, bx1, 2000.0):
            for y in np.arange(by0, by1, 2000.0):
                n += 1
                basic = (int(x // 2000) + int(y // 2000)) % 3 == 0
                geoms.append(box(x, y, x + 2000, y + 2000))
                rows.append(dict(BSM=str(n), CYBH=f"CY640303{n:04d}", CYLX=rng.choice(["温性荒漠草原", "温性草原化荒漠"]),
                                 SFJBCY="是" if basic else "否", QSXZ="国有", ZLDWMC="红寺堡区"))
    gdf = frame(rows, geoms)
    return gdf


def footprint(geom, **attrs):
    return gpd.GeoDataFrame(pd.DataFrame([attrs]), geometry=[geom], crs=DESIGN)


def footprints():
    tx, ty = TOWN
    lx, ly = LUOSHAN
    road = LineString([(600000, ly - 5500), (613000, ly - 5200), (626000, ly - 5600)]).buffer(15, cap_style="flat")
    return {
        "pv_desert_grassland": footprint(box(605000, 4140000, 607000, 4141000), XMMC="红寺堡区荒漠草原光伏电站"),
        "road_crossing_redline": footprint(road, XMMC="罗山南麓县道改建工程"),
        "village_house_in_redline": footprint(box(lx - 10, ly + 5490, lx + 10, ly + 5505), XMMC="原住民自住房翻建"),
        "factory_outside_urban": footprint(box(597800, 4141000, 598600, 4141600), XMMC="新材料加工厂"),
        "mine_in_core_zone": footprint(box(lx - 300, ly + 200, lx + 300, ly + 800), XMMC="罗山采石场"),
        "nothing_touched": footprint(box(568000, 4140000, 568500, 4140400), XMMC="戈壁物流仓储点"),
        "pv_on_farmland": footprint(box(588000, 4140000, 589000, 4140800), XMMC="农光互补光伏项目"),
        "housing_in_urban_core": footprint(box(tx - 700, ty - 700, tx - 300, ty - 400), XMMC="红寺堡镇安置住宅小区"),
        "wind_farm_zone36": footprint(box(640000, 4143000, 642500, 4144500), XMMC="红寺堡东部风电场"),
        "temporary_land_in_redline": footprint(box(lx - 6600, ly - 50, lx - 6400, ly + 50), XMMC="罗山施工临时用地"),
    }


def write_footprints(rng):
    fdir = OUT / "footprints"
    if fdir.exists():
        shutil.rmtree(fdir)
    fdir.mkdir(parents=True)
    for name, gdf in footprints().items():
        if name == "wind_farm_zone36":  # delivered in GK zone 36 as a shapefile
            gdf.to_crs(4545).to_file(fdir / f"{name}.shp", engine="pyogrio", encoding="UTF-8")
        elif name == "road_crossing_redline":  # delivered as a GeoPackage in GK zone 35 with prefix
            gdf.to_crs(4523).to_file(fdir / f"{name}.gpkg", engine="pyogrio")
        else:
            gdf.to_crs(STORE).to_file(fdir / f"{name}.geojson", engine="pyogrio", driver="GeoJSON")


def main() -> int:
    rng = np.random.default_rng(20231002)
    OUT.mkdir(exist_ok=True)
    if GPKG.exists():
        GPKG.unlink()
    red, (outer, core) = redline(rng)
    layers = {
        "XZQ": admin(rng),
        "STBHHX": red,
        "ZRBHD": nature_reserve(outer, core),
        "YJJBNT": farmland(rng),
        "DLTB": dltb(rng),
        "CZKFBJ": urban(),
        "CY": grassland(rng),
    }
    for name, gdf in layers.items():
        gdf.to_file(GPKG, layer=name, engine="pyogrio", driver="GPKG",
                    layer_options={"DESCRIPTION": SYNTHETIC_NOTE})
    write_footprints(rng)
    for name, gdf in layers.items():
        print(f"{name:8s} {len(gdf):6d} features")
    print(f"wrote {GPKG} ({GPKG.stat().st_size / 1e6:.1f} MB) and {OUT / 'footprints'}")
    # --- raster samples (issue 8): DEM and land-cover GeoTIFFs, see tools/make_sample_rasters.py ---
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from make_sample_rasters import write_sample_rasters

    write_sample_rasters(OUT, GPKG)
    # --- end raster samples ---
    return 0


if __name__ == "__main__":
    sys.exit(main())
