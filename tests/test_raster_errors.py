"""Raster layers: catalog entries and clear errors for unusable files (issue 8)."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
from affine import Affine
from shapely.geometry import box

from ningxia_gis.domain.errors import CatalogError, CRSError, InputError
from ningxia_gis.core.raster import RasterSpec, load_raster_specs, raster_zonal, read_class_table

X0, Y0 = 594000.0, 4146000.0
FP = box(X0 + 100, Y0 - 300, X0 + 300, Y0 - 100)


def _tif(path, crs="EPSG:4544", transform=Affine(10, 0, X0, 0, -10, Y0), n=64, dtype="uint8", **kw):
    arr = (np.arange(n * n) % 6 + 1).reshape(n, n).astype(dtype)
    profile = dict(driver="GTiff", width=n, height=n, count=1, dtype=dtype, **kw)
    if transform is not None:
        profile["transform"] = transform
    if crs:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(arr, 1)
    return path


def test_no_crs_names_the_file(tmp_path):
    p = _tif(tmp_path / "no_crs.tif", crs=None)
    with pytest.raises(CRSError, match="no_crs.tif.*no coordinate system"):
        raster_zonal(RasterSpec(id="x", role="landcover", path=p), FP, 4544)
    # the catalog may supply the CRS of a file without one
    r = raster_zonal(RasterSpec(id="x", role="landcover", path=p, crs="EPSG:4544"), FP, 4544)
    assert r["covered_share"] == pytest.approx(1.0)


def test_not_georeferenced(tmp_path):
    p = _tif(tmp_path / "plain.tif", crs=None, transform=None)
    with pytest.raises(CRSError, match="plain.tif.*not georeferenced"):
        raster_zonal(RasterSpec(id="x", role="dem", path=p), FP, 4544)


def test_corrupt_file_names_the_file(tmp_path):
    p = tmp_path / "broken.tif"
    p.write_bytes(b"II*\x00" + b"\x13\x37" * 500)
    with pytest.raises(InputError, match="broken.tif"):
        raster_zonal(RasterSpec(id="x", role="dem", path=p), FP, 4544)
    q = tmp_path / "text.tif"
    q.write_text("not a raster", encoding="utf-8")
    with pytest.raises(InputError, match="text.tif"):
        raster_zonal(RasterSpec(id="x", role="dem", path=q), FP, 4544)


def test_truncated_file(tmp_path):
    p = _tif(tmp_path / "cut.tif", n=512, dtype="float32", tiled=True, blockxsize=128, blockysize=128,
             compress="deflate")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3])
    fp = box(X0 + 10, Y0 - 5100, X0 + 5100, Y0 - 10)  # needs every block
    with pytest.raises(InputError, match="cut.tif"):
        raster_zonal(RasterSpec(id="x", role="dem", path=p), fp, 4544)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="nothing.tif"):
        raster_zonal(RasterSpec(id="x", role="dem", path=tmp_path / "nothing.tif"), FP, 4544)


def test_bad_band(tmp_path):
    p = _tif(tmp_path / "one.tif")
    with pytest.raises(InputError, match="band 2"):
        raster_zonal(RasterSpec(id="x", role="dem", path=p, band=2), FP, 4544)


def test_catalog_entries(tmp_path):
    _tif(tmp_path / "lc.tif", nodata=0)
    _tif(tmp_path / "dem.tif", dtype="int16")
    (tmp_path / "classes.csv").write_text("code,zh,en,color\n1,耕地,Cultivated land,#f3e08c\n2,草地,Grassland,\n",
                                          encoding="utf-8")
    cat = tmp_path / "catalog.toml"
    cat.write_text('''
[[layers]]
id = "x"
role = "eco_redline"
path = "lc.tif"

[[rasters]]
id = "dem"
role = "dem"
path = "dem.tif"
slope_thresholds = [25, 15]
elevation_thresholds = [2000]

[[rasters]]
id = "lc"
name = "土地覆盖"
role = "landcover"
path = "lc.tif"
class_table = "classes.csv"
classes = {"3" = {zh = "林地", en = "Forest"}, "4" = "建设用地"}
''', encoding="utf-8")
    dem, lc = load_raster_specs(cat)
    assert dem.role == "dem" and dem.slope_thresholds == [15.0, 25.0] and dem.resampling == "bilinear"
    assert dem.name == "高程/坡度"
    assert lc.resampling == "nearest" and lc.class_table.name == "classes.csv"
    assert lc.classes[1].zh == "耕地" and lc.classes[1].color == "#f3e08c"
    assert lc.classes[3].en == "Forest" and lc.classes[4].zh == "建设用地"
    r = raster_zonal(lc, FP, 4544)
    names = {c["code"]: c["name_zh"] for c in r["classes"]}
    assert names[1] == "耕地" and names[5].startswith("未定义类别")
    assert any("not in the class table" in w for w in r["warnings"])


@pytest.mark.parametrize("body, match", [
    ('[[rasters]]\nid = "a"\nrole = "slope"\npath = "a.tif"\n', "unknown role"),
    ('[[rasters]]\nid = "a"\nrole = "dem"\npath = "missing.tif"\n', "file not found"),
    ('[[rasters]]\nid = "a"\nrole = "dem"\n', "missing field path"),
    ('[[rasters]]\nid = "a"\nrole = "dem"\npath = "a.tif"\ncolour = 1\n', "unknown field"),
    ('[[rasters]]\nid = "a"\nrole = "landcover"\npath = "a.tif"\nresampling = "bilinear"\n', "nearest"),
    ('[[rasters]]\nid = "a"\nrole = "landcover"\npath = "a.tif"\nclasses = {"x" = "耕地"}\n', "not an integer"),
])
def test_catalog_errors(tmp_path, body, match):
    _tif(tmp_path / "a.tif")
    cat = tmp_path / "c.toml"
    cat.write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError, match=match):
        load_raster_specs(cat)


def test_class_table_formats(tmp_path):
    j = tmp_path / "c.json"
    j.write_text('{"classes": {"1": {"zh": "耕地", "en": "Cropland"}}}', encoding="utf-8")
    assert read_class_table(j)[1].en == "Cropland"
    t = tmp_path / "c.toml"
    t.write_text('[classes]\n"6" = {zh = "未利用地"}\n', encoding="utf-8")
    assert read_class_table(t)[6].zh == "未利用地"
    bad = tmp_path / "bad.csv"
    bad.write_text("1,耕地\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="bad.csv"):
        read_class_table(bad)


def test_folder_catalog_has_no_rasters(tmp_path):
    assert load_raster_specs(None) == [] and load_raster_specs(tmp_path) == []
