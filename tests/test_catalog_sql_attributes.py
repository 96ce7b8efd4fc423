"""Attributes by FID straight from a GeoPackage's SQLite table (attribute_reads.SqlAttributes) must be what GDAL
(pyogrio) reads: the same values, types and candidate frames, nulls in integer, boolean and text fields
included, for one footprint and for many at once."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ningxia_gis.core import attribute_reads
from ningxia_gis.core.catalog import LayerSource, LayerSpec

EPSG = 4545
X0, Y0 = 380_000.0, 4_140_000.0


def _layer(tmp_path):
    n = 12
    nulls = [k % 4 == 1 for k in range(n)]
    gdf = gpd.GeoDataFrame({
        "BH": [f"B{k:02d}" if k % 5 else None for k in range(n)],
        "N": pd.array([None if z else k for k, z in enumerate(nulls)], dtype="Int64"),
        "N32": pd.array([k * 3 for k in range(n)], dtype="Int32"),
        "OK": pd.array([None if k % 6 == 3 else k % 2 == 0 for k in range(n)], dtype="boolean"),
        "F": [None if k % 3 == 0 else k / 3 for k in range(n)],
        "F32": np.arange(n, dtype="float32") / 7,
        "MC": [None] * n,
    }, geometry=[shapely.box(X0 + 100 * k, Y0, X0 + 100 * k + 90, Y0 + 90) for k in range(n)], crs=EPSG)
    path = tmp_path / "layer.gpkg"
    gdf.to_file(path, layer="L", engine="pyogrio")
    src = LayerSource(LayerSpec(id="l", role="grassland", path=path, layer="L", id_field="BH"))
    src.prepare()
    return src


def _queries():
    boxes = [(0, 250), (250, 450), (95, 105), (420, 1200), (1000, 1150)]  # x ranges: mixes of rows with nulls
    return [shapely.box(X0 + a, Y0 + 10, X0 + b, Y0 + 80) for a, b in boxes]


def test_sql_attributes_read_what_gdal_reads(tmp_path, monkeypatch):
    src = _layer(tmp_path)
    assert src._ix.kind == "gpkg"
    fast = [src.candidates(q, EPSG) for q in _queries()]
    fast_many = src.candidates_many(_queries(), EPSG)
    assert src._ix.sql_attributes  # the SQLite path was taken
    monkeypatch.setattr(attribute_reads.SqlAttributes, "of", classmethod(lambda cls, *a: None))
    src._ix.sql_attributes = None
    slow = [src.candidates(q, EPSG) for q in _queries()]
    slow_many = src.candidates_many(_queries(), EPSG)
    assert not src._ix.sql_attributes
    for a, b in zip(fast, slow):
        assert len(a) > 0
        pd.testing.assert_frame_equal(a.drop(columns="geometry"), b.drop(columns="geometry"))
        assert a.geometry.equals(b.geometry)
    assert fast_many.table.records() == slow_many.table.records()
    assert fast_many.table.records() == [{k: None if v != v else v for k, v in r.items()}
                                         for f in slow for r in f.drop(columns=["geometry", "__fid"]).to_dict("records")]


def test_sql_attributes_not_used_for_dates(tmp_path):
    gdf = gpd.GeoDataFrame({"D": pd.to_datetime(["2020-01-02", "2021-03-04"]), "BH": ["a", "b"]},
                           geometry=[shapely.box(X0, Y0, X0 + 10, Y0 + 10), shapely.box(X0 + 20, Y0, X0 + 30, Y0 + 10)],
                           crs=EPSG)
    gdf.to_file(tmp_path / "d.gpkg", layer="D", engine="pyogrio")
    src = LayerSource(LayerSpec(id="d", role="grassland", path=tmp_path / "d.gpkg", layer="D", id_field="BH"))
    src.prepare()
    frame = src.candidates(shapely.box(X0 - 1, Y0 - 1, X0 + 31, Y0 + 11), EPSG)
    assert src._ix.sql_attributes is False
    assert list(frame["D"]) == list(pd.to_datetime(["2020-01-02", "2021-03-04"]))
