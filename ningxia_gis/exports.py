"""Writing the overlap pieces of a check as a GeoPackage that GIS tools open cleanly.

GeoPackage 1.2 (GDAL 3.6 / QGIS 3.22 warn on every open of a 1.4 file), Chinese layer titles in
``gpkg_contents.identifier``, and a QGIS style per layer in the ``layer_styles`` table (QGIS applies
the default style when the layer is added), drawn from the same role styles as the report maps.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import quoteattr

import geopandas as gpd
import pandas as pd
import shapely

from .styles import Style, load_styles

GPKG_VERSION = "1.2"
QGIS_VERSION = "3.22.16-Białowieża"
_DASH = {"-": "solid", "--": "dash", "-.": "dash dot", ":": "dot"}


def _rgba(colour: str, alpha: float = 1.0) -> str:
    if colour == "none":
        return "0,0,0,0"
    c = colour.lstrip("#")
    r, g, b = (int(c[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(255 * alpha)}"


def qml_style(style: Style) -> str:
    """A QGIS single-symbol fill style (QML) for ``style``; properties are written both as the
    <Option> map QGIS ≥ 3.26 reads and the <prop> list of QGIS 3.22."""
    props = {"color": _rgba(style.face, style.alpha), "style": "no" if style.face == "none" else "solid",
             "outline_color": _rgba(style.edge), "outline_style": _DASH.get(style.linestyle, "solid"),
             "outline_width": f"{style.width * 0.3528:.2f}", "outline_width_unit": "MM",
             "joinstyle": "miter"}  # points → mm
    options = "".join(f'<Option name={quoteattr(k)} type="QString" value={quoteattr(v)}/>' for k, v in props.items())
    old = "".join(f"<prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items())
    return (f"<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
            f'<qgis version="{QGIS_VERSION}" styleCategories="Symbology">'
            f'<renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">'
            f'<symbols><symbol name="0" type="fill" alpha="1" clip_to_extent="1" force_rhr="0">'
            f'<layer class="SimpleFill" enabled="1" pass="0" locked="0"><Option type="Map">{options}</Option>'
            f"{old}</layer></symbol></symbols><rotation/><sizescale/></renderer-v2>"
            f"<blendMode>0</blendMode><featureBlendMode>0</featureBlendMode><layerGeometryType>2</layerGeometryType>"
            f"</qgis>\n")


def _layer_styles(entries: list[tuple[str, str, Style]]) -> pd.DataFrame:
    """Rows of QGIS's layer_styles table (the columns QGIS itself creates)."""
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return pd.DataFrame([{
        "f_table_catalog": "", "f_table_schema": "", "f_table_name": table, "f_geometry_column": "geom",
        "styleName": title, "styleQML": qml_style(style), "styleSLD": "", "useAsDefault": True,
        "description": f"ningxia_gis: {title}", "owner": "", "ui": None, "update_time": now,
    } for table, title, style in entries])


def write_pieces_gpkg(result, path: str | Path) -> None:
    """Layers: `overlap_pieces` (every layer's pieces, common columns), one `pieces_<layer id>` per touched
    layer with all source attributes as columns, and `footprint` — all in the analysis CRS — plus the
    QGIS `layer_styles` table. Layer names stay ASCII ids (for scripts); titles are Chinese."""
    data = result.data
    styles = load_styles()
    written: list[tuple[str, str, Style]] = []

    def write(gdf: gpd.GeoDataFrame, layer: str, title: str, style: Style) -> None:
        if title in {w[1] for w in written}:  # gpkg_contents.identifier is UNIQUE
            title = f"{title} ({layer})"
        opts = {"layer_options": {"IDENTIFIER": title, "DESCRIPTION": title, "GEOMETRY_NAME": "geom"}}
        if not written:
            opts["dataset_options"] = {"VERSION": GPKG_VERSION}
        gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio", **opts)
        written.append((layer, title, style))

    tmp = Path(path)  # written in place: callers go through review.outputs (atomic)
    write(result.pieces_gdf(), "overlap_pieces", "压占部分（全部图层） overlap pieces", styles.piece)
    for layer in data["layers"]:
        if not layer["pieces"]:
            continue
        rows = [{**p["attributes"], "piece_zone": p["zone"], "piece_m2": p["area"]["ellipsoidal_m2"],
                 "piece_ha": p["area"]["ellipsoidal_ha"], "piece_mu": p["area"]["ellipsoidal_mu"],
                 "piece_planar_m2": p["area"]["planar_m2"], "piece_sliver": p["sliver"]}
                for p in layer["pieces"]]
        geoms = [shapely.from_wkt(p["geometry_wkt"]) for p in layer["pieces"]]
        write(gpd.GeoDataFrame(rows, geometry=geoms, crs=result.epsg), f"pieces_{layer['id']}",
              f"压占部分：{layer['name']}", styles.role(layer["role"]))
    fp = data["footprint"]
    write(gpd.GeoDataFrame([{"name": fp["name"], "area_m2": fp["area"]["ellipsoidal_m2"],
                             "area_ha": fp["area"]["ellipsoidal_ha"], "area_mu": fp["area"]["ellipsoidal_mu"]}],
                           geometry=[shapely.from_wkt(fp["geometry_wkt"])], crs=result.epsg),
          "footprint", f"项目用地范围：{fp['name']}", styles.footprint)
    import pyogrio

    pyogrio.write_dataframe(_layer_styles(written), tmp, layer="layer_styles", driver="GPKG",
                            layer_options={"IDENTIFIER": "layer_styles", "DESCRIPTION": "QGIS layer styles"})
