"""Raster layers on a matplotlib map (issue 8): hillshade/colour ramp, slope classes, land cover."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from ningxia_gis.review import review_file
from ningxia_gis.core.raster import load_raster_specs
from ningxia_gis.maps.raster_draw import draw_raster, hillshade
from ningxia_gis.paths import SAMPLE_CATALOG, SAMPLE_FOOTPRINTS

LUOSHAN_VIEW = (604000.0, 4121000.0, 622000.0, 4139000.0)


@pytest.fixture(scope="module")
def specs():
    return {s.id: s for s in load_raster_specs(SAMPLE_CATALOG)}


def _ax():
    fig = Figure(figsize=(4, 4))
    return fig.add_axes((0, 0, 1, 1))


def test_dem_hillshade_ramp(specs):
    ax = _ax()
    handles = draw_raster(ax, specs["dem"], LUOSHAN_VIEW, 4544)
    assert handles and all(h.get_label().endswith(" m") for h in handles)
    (im,) = ax.images
    rgba = im.get_array()
    assert rgba.shape[2] == 4 and max(rgba.shape[:2]) <= 1200
    assert im.get_zorder() < 5  # under the vector layers
    assert ax.get_xlim() == (LUOSHAN_VIEW[0], LUOSHAN_VIEW[2])


def test_slope_and_landcover_legends(specs):
    ax = _ax()
    labels = [h.get_label() for h in draw_raster(ax, specs["dem"], LUOSHAN_VIEW, 4544, "slope")]
    assert labels == ["坡度 ≤2°", "坡度 2–6°", "坡度 6–15°", "坡度 15–25°", "坡度 >25°"]
    ax = _ax()
    handles = draw_raster(ax, specs["landcover"], LUOSHAN_VIEW, 4544)
    assert {"林地", "草地"} <= {h.get_label() for h in handles}
    colours = {h.get_label(): h.get_facecolor() for h in handles}
    assert colours["林地"][:3] == pytest.approx((0x3F / 255, 0x8F / 255, 0x4F / 255))


def test_result_entry_and_limits_kept():
    d = review_file(SAMPLE_FOOTPRINTS / "mine_in_core_zone.geojson").data
    lc = next(r for r in d["rasters"] if r["role"] == "landcover")
    ax = _ax()
    ax.set_xlim(600000, 630000)
    ax.set_ylim(4115000, 4145000)
    handles = draw_raster(ax, lc, LUOSHAN_VIEW, d["analysis_crs"]["epsg"])
    assert handles and ax.get_xlim() == (600000, 630000)


def test_nodata_transparent_and_outside(specs):
    ax = _ax()
    # the sample DEM has a nodata void in its north-east corner
    draw_raster(ax, specs["dem"], (640000, 4160000, 650000, 4170000), 4544)
    alpha = ax.images[0].get_array()[..., 3]
    assert (alpha == 0).any() and (alpha > 0).any()
    assert draw_raster(_ax(), specs["dem"], (400000, 4000000, 410000, 4010000), 4544) == []
    with pytest.raises(ValueError):
        draw_raster(_ax(), specs["dem"], LUOSHAN_VIEW, 4544, "contours")


def test_hillshade_faces():
    z = np.tile(np.arange(10.0) * 10, (10, 1))  # rises to the east, so it faces west: lit by a NW sun
    flat = hillshade(np.zeros((10, 10)), 10, 10)
    west_facing = hillshade(z, 10, 10)
    east_facing = hillshade(z[:, ::-1], 10, 10)
    assert west_facing[5, 5] > flat[5, 5] > east_facing[5, 5]
