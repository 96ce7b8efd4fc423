"""Writing the overlap pieces of a check as a GeoPackage."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from .core.files import atomic_output


def write_pieces_gpkg(result, path: str | Path) -> None:
    """Layers: `overlap_pieces` (every layer's pieces, common columns), one `pieces_<layer id>` per touched
    layer with all source attributes as columns, and `footprint` — all in the analysis CRS."""
    data = result.data
    with atomic_output(path) as tmp:
        pieces = result.pieces_gdf()
        pieces.to_file(tmp, layer="overlap_pieces", driver="GPKG", engine="pyogrio")
        for layer in data["layers"]:
            if not layer["pieces"]:
                continue
            rows = [{**p["attributes"], "piece_zone": p["zone"], "piece_m2": p["area"]["ellipsoidal_m2"],
                     "piece_ha": p["area"]["ellipsoidal_ha"], "piece_mu": p["area"]["ellipsoidal_mu"],
                     "piece_planar_m2": p["area"]["planar_m2"], "piece_sliver": p["sliver"]}
                    for p in layer["pieces"]]
            geoms = [shapely.from_wkt(p["geometry_wkt"]) for p in layer["pieces"]]
            gpd.GeoDataFrame(rows, geometry=geoms, crs=result.epsg).to_file(
                tmp, layer=f"pieces_{layer['id']}", driver="GPKG", engine="pyogrio")
        fp = data["footprint"]
        gpd.GeoDataFrame([{"name": fp["name"], "area_m2": fp["area"]["ellipsoidal_m2"],
                           "area_ha": fp["area"]["ellipsoidal_ha"], "area_mu": fp["area"]["ellipsoidal_mu"]}],
                         geometry=[shapely.from_wkt(fp["geometry_wkt"])], crs=result.epsg).to_file(
            tmp, layer="footprint", driver="GPKG", engine="pyogrio")
