"""Write the synthetic sample rasters in ningxia_gis/sample_layers/ (called at the end of make_sample_layers.main()).

    python tools/make_sample_rasters.py

SYNTHETIC data for demos, training and tests only:

* ``sample_dem.tif`` — 30 m DEM in CGCS2000 3° GK CM 105E (EPSG:4544), Float32, nodata -9999: a plain
  sloping gently from ~1300 m, with 罗山 as a mountain rising to ~2600 m around (613000, 4130000), a
  smaller ridge to the south-west, and a nodata void in the north-east corner (a DEM gap).
* ``sample_landcover.tif`` — land cover in CGCS2000 lon/lat (EPSG:4490, 1.2″ ≈ 30 m × 37 m cells;
  a second CRS on purpose, so the check exercises the warp), UInt8, nodata 0, classes
  1 耕地 2 草地 3 林地 4 建设用地 5 水域 6 未利用地 (``landcover_classes.csv``). Where the vector sample
  DLTB exists, its 三调 classes are mapped to these; elsewhere grass / bare land / forest on 罗山.

The output is deterministic.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "ningxia_gis" / "sample_layers"
DEM_NAME = "sample_dem.tif"
LC_NAME = "sample_landcover.tif"
CLASS_TABLE = "landcover_classes.csv"
TAGS = {"SYNTHETIC": "合成示例数据，仅用于演示、培训和测试 / "
                     "synthetic sample data, for demos, training and tests only"}

# DEM grid (EPSG:4544): covers every sample footprint (x 568000–642500, y 4124000–4160000)
DEM_CELL = 30.0
DEM_X0, DEM_X1 = 560000.0, 650000.0
DEM_Y0, DEM_Y1 = 4115000.0, 4170000.0
LUOSHAN = (613000.0, 4130000.0)
TOWN = (594700.0, 4143700.0)
FARM = (586000.0, 4136000.0, 592500.0, 4146000.0)

CLASSES = [  # code, zh, en, colour
    (1, "耕地", "Cultivated land", "#f3e08c"),
    (2, "草地", "Grassland", "#b5d98a"),
    (3, "林地", "Forest", "#3f8f4f"),
    (4, "建设用地", "Built-up land", "#d9534f"),
    (5, "水域", "Water", "#4f8fd9"),
    (6, "未利用地", "Unused / bare land", "#d9cbb0"),
]
DLTB_TO_CLASS = {"01": 1, "03": 3, "04": 2, "06": 4, "07": 4, "10": 4, "11": 5, "12": 6}


def elevation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Synthetic terrain (metres) at GK coordinates."""
    lx, ly = LUOSHAN
    plain = 1300.0 + 0.004 * (x - DEM_X0) * 0.3 + 0.006 * (DEM_Y1 - y) * 0.4  # gentle tilt
    plain += 12.0 * np.sin(x / 2300.0) * np.cos(y / 3100.0)  # low undulation
    r = np.hypot((x - lx) / 1.0, (y - ly) / 1.6)  # 罗山 runs north–south
    mountain = 1150.0 * np.exp(-((r / 3500.0) ** 2))
    # gullies on the flanks, fading out towards the summit so the slope stays finite there
    ridges = 200.0 * (r / 3000.0) * np.exp(-((r / 5000.0) ** 2)) * np.sin(np.arctan2(y - ly, x - lx) * 7 + r / 600.0)
    sw = 350.0 * np.exp(-(((x - 596000.0) / 4000.0) ** 2 + ((y - 4124000.0) / 2200.0) ** 2))
    return plain + mountain + ridges + sw


def write_dem(out: Path) -> Path:
    w = int(round((DEM_X1 - DEM_X0) / DEM_CELL))
    h = int(round((DEM_Y1 - DEM_Y0) / DEM_CELL))
    tr = Affine(DEM_CELL, 0.0, DEM_X0, 0.0, -DEM_CELL, DEM_Y1)
    path = out / DEM_NAME
    profile = dict(driver="GTiff", width=w, height=h, count=1, dtype="float32", crs="EPSG:4544", transform=tr,
                   nodata=-9999.0, tiled=True, blockxsize=256, blockysize=256, compress="deflate",
                   predictor=3, zlevel=9)
    with rasterio.open(path, "w", **profile) as ds:
        ds.update_tags(**TAGS)
        ds.set_band_description(1, "elevation (m)")
        ds.update_tags(1, UNITS="metre")
        for r0 in range(0, h, 256):
            rows = np.arange(r0, min(r0 + 256, h))
            cols = np.arange(w)
            x, y = tr @ np.meshgrid(cols + 0.5, rows + 0.5)
            z = np.round(elevation(x, y), 1).astype("float32")
            void = (x > 640000.0) & (y > 4163000.0) & (np.hypot(x - 646000.0, y - 4167000.0) < 4000.0)
            z[void] = -9999.0
            ds.write(z, 1, window=rasterio.windows.Window(0, r0, w, len(rows)))
    return path


def write_class_table(out: Path) -> Path:
    path = out / CLASS_TABLE
    lines = ["code,zh,en,color"] + [f"{c},{zh},{en},{col}" for c, zh, en, col in CLASSES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_landcover(out: Path, gpkg: Path | None = None) -> Path:
    import geopandas as gpd
    from pyproj import Transformer
    from rasterio.features import rasterize

    lon0, lon1, lat0, lat1 = 105.70, 106.72, 37.18, 37.68
    d = 1.2 / 3600.0  # 1.2″
    w, h = int(round((lon1 - lon0) / d)), int(round((lat1 - lat0) / d))
    tr = Affine(d, 0.0, lon0, 0.0, -d, lat1)
    lon, lat = tr @ np.meshgrid(np.arange(w) + 0.5, np.arange(h) + 0.5)
    x, y = Transformer.from_crs(4490, 4544, always_xy=True).transform(lon, lat)
    z = elevation(x, y)
    lc = np.full((h, w), 2, dtype="uint8")  # 草地 (desert steppe)
    wave = np.sin(x / 1700.0) * np.cos(y / 2300.0) + 0.5 * np.sin((x + y) / 900.0)
    lc[(wave > 0.9) & (z < 1700)] = 6  # sand / bare patches
    lc[(x < 582000) & (y > 4148000) & (wave > -0.2)] = 6  # north-west desert
    lc[z > 1900] = 3  # forest on 罗山
    lc[(z > 1700) & (z <= 1900) & (wave > 0.0)] = 3
    fx0, fy0, fx1, fy1 = FARM
    lc[(x >= fx0) & (x <= fx1) & (y >= fy0) & (y <= fy1)] = 1
    tx, ty = TOWN
    lc[(np.abs(x - tx) < 2000) & (np.abs(y - ty) < 1500)] = 4
    lc[np.hypot((x - 607500.0) / 1.8, y - 4135200.0) < 500.0] = 5  # a reservoir
    if gpkg is not None and gpkg.exists():  # 三调 DLTB classes where the sample has them
        dltb = gpd.read_file(gpkg, layer="DLTB", engine="pyogrio").to_crs(4490)
        shapes = [(g, DLTB_TO_CLASS[c[:2]]) for g, c in zip(dltb.geometry, dltb["DLBM"]) if c[:2] in DLTB_TO_CLASS]
        burned = rasterize(shapes, out_shape=(h, w), transform=tr, fill=0, dtype="uint8")
        lc = np.where(burned > 0, burned, lc)
    lc[(lon > 106.62) & (lat < 37.22)] = 0  # a strip without data (outside the survey)
    path = out / LC_NAME
    profile = dict(driver="GTiff", width=w, height=h, count=1, dtype="uint8", crs="EPSG:4490", transform=tr,
                   nodata=0, tiled=True, blockxsize=256, blockysize=256, compress="deflate", zlevel=9)
    with rasterio.open(path, "w", **profile) as ds:
        ds.update_tags(**TAGS)
        ds.set_band_description(1, "land cover class")
        ds.write(lc, 1)
        ds.write_colormap(1, {c: tuple(int(col[i:i + 2], 16) for i in (1, 3, 5)) + (255,)
                              for c, _, _, col in CLASSES})
    return path


def write_sample_rasters(out: Path = OUT, gpkg: Path | None = None) -> list[Path]:
    """Write the sample DEM, land-cover grid and class table to ``out``; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    gpkg = gpkg if gpkg is not None else out / "ningxia_sample.gpkg"
    paths = [write_dem(out), write_landcover(out, gpkg), write_class_table(out)]
    for p in paths:
        print(f"wrote {p} ({p.stat().st_size / 1e6:.2f} MB)")
    return paths


def main() -> int:
    write_sample_rasters()
    return 0


if __name__ == "__main__":
    sys.exit(main())
