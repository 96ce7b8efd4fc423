"""Writing the overlap pieces of a check as a GeoPackage."""

from __future__ import annotations

from pathlib import Path

from .core.errors import InputError


def write_pieces_gpkg(result, path: str | Path) -> None:
    """One layer `overlap_pieces` (all layers' pieces) plus `footprint`, in the analysis CRS."""
    import geopandas as gpd
    import shapely

    p = Path(path)
    if p.exists():
        p.unlink()
    try:
        pieces = result.pieces_gdf()
        pieces.to_file(p, layer="overlap_pieces", driver="GPKG", engine="pyogrio")
        fp = result.data["footprint"]
        gpd.GeoDataFrame([{"name": fp["name"], "area_m2": fp["area"]["ellipsoidal_m2"],
                           "area_ha": fp["area"]["ellipsoidal_ha"], "area_mu": fp["area"]["ellipsoidal_mu"]}],
                         geometry=[shapely.from_wkt(fp["geometry_wkt"])], crs=result.epsg).to_file(
            p, layer="footprint", driver="GPKG", engine="pyogrio")
    except OSError as exc:
        raise InputError(f"cannot write {p}: {exc}") from None
