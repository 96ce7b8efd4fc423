"""One review check: footprint × every catalog layer → the JSON-ready result (docs/result_schema.md)."""

from __future__ import annotations

import datetime as _dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import geopandas as gpd
import numpy as np
import shapely

from .. import __version__
from ..paths import SAMPLE_CATALOG
from .areas import ellipsoidal_areas, to_lonlat
from .catalog import Catalog, LayerSource, load_catalog
from .crs import analysis_epsg_for_lon, crs_label, to_crs
from ..domain.errors import Cancelled
from .footprint import Footprint, load_footprint
from .files import file_sha256
from .overlay import LayerOverlap, overlay_layer
from ..domain.roles import ROLES
from .units import area_block

SCHEMA_VERSION = "1.0"
AREA_METHOD = {
    "primary": "ellipsoidal",
    "ellipsoidal": "CGCS2000 椭球面积: vertices to CGCS2000 lon/lat, trapezoid series of 国土调查办发〔2008〕32号",
    "planar": "Gauss-Krüger plane of the analysis CRS (no scale correction)",
}


@dataclass
class CheckResult:
    data: dict
    epsg: int
    footprint_geom: object
    overlaps: list[tuple[LayerSource, LayerOverlap]] = field(default_factory=list)

    def pieces_gdf(self) -> gpd.GeoDataFrame:
        """Every overlap piece with its layer, zone, areas and key attributes (analysis CRS)."""
        rows, geoms = [], []
        for layer in self.data["layers"]:
            for p in layer["pieces"]:
                rows.append({"layer_id": layer["id"], "layer_name": layer["name"], "role": layer["role"],
                             "feature_id": p["feature_id"], "zone": p["zone"],
                             "area_m2": p["area"]["ellipsoidal_m2"], "area_ha": p["area"]["ellipsoidal_ha"],
                             "area_mu": p["area"]["ellipsoidal_mu"], "planar_m2": p["area"]["planar_m2"],
                             "sliver": p["sliver"],
                             "key_attributes": json.dumps(p["key"], ensure_ascii=False)})
                geoms.append(shapely.from_wkt(p["geometry_wkt"]))
        return gpd.GeoDataFrame(rows, geometry=geoms, crs=self.epsg)


def _count(geom) -> tuple[int, int]:
    parts = shapely.get_parts(geom)
    rings = int(sum(1 + shapely.get_num_interior_rings(p) for p in parts))
    return rings, int(shapely.get_num_coordinates(geom))


def _wkt(g) -> str:
    return shapely.to_wkt(g, rounding_precision=3, trim=True)


def analysis_epsg(fp: Footprint) -> int:
    """The CGCS2000 3° GK (CM-only) EPSG code of the zone holding the footprint's centroid."""
    centroid = to_lonlat([fp.union().centroid], fp.crs)[0]
    return analysis_epsg_for_lon(centroid.x)


def footprint_block(fp: Footprint, epsg: int) -> tuple[dict, object]:
    gdf = fp.gdf.to_crs(epsg)
    union = shapely.union_all(gdf.geometry.values)
    planar = float(shapely.area(union))
    ellip = float(ellipsoidal_areas([union], epsg)[0])
    ll = to_lonlat([union], epsg)[0]
    c = to_lonlat([union.centroid], epsg)[0]
    rings, vertices = _count(union)
    attrs = gdf.drop(columns=gdf.geometry.name)
    parcel_e = ellipsoidal_areas(gdf.geometry.values, epsg)
    parcels = []
    from .overlay import json_value
    for i, (rec, g, ea) in enumerate(zip(attrs.to_dict("records"), gdf.geometry.values, parcel_e)):
        parcels.append({"index": i + 1, "attributes": {k: json_value(v) for k, v in rec.items()},
                        "area": area_block(float(shapely.area(g)), float(ea))})
    block = {
        "source": fp.source, "sha256": fp.sha256, "name": fp.name, "input_crs": crs_label(fp.crs),
        "parcel_count": len(gdf), "ring_count": rings, "vertex_count": vertices,
        "area": area_block(planar, ellip),
        "bounds_lonlat": [float(v) for v in shapely.bounds(ll)],
        "centroid_lonlat": [float(c.x), float(c.y)],
        "parcels": parcels, "geometry_wkt": _wkt(union),
    }
    return block, union


def created_at() -> str:
    """Now in local time (ISO 8601), or SOURCE_DATE_EPOCH when set (reproducible results)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).astimezone().isoformat(timespec="seconds")
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def run_check(footprint: Footprint | str | Path, catalog: Catalog | str | Path | None = None, *,
              sliver_m2: float = 1.0, progress: Callable[[float, str], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> CheckResult:
    """Overlay the footprint on every catalog layer and raster (no rules: see ``review.run_review``)."""
    progress = progress or (lambda f, m: None)
    cancelled = cancelled or (lambda: False)
    fp = footprint if isinstance(footprint, Footprint) else load_footprint(footprint)
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog or SAMPLE_CATALOG)
    progress(0.02, "footprint")
    epsg = analysis_epsg(fp)
    fp_block, fp_geom = footprint_block(fp, epsg)
    fp_m2 = fp_block["area"]["ellipsoidal_m2"]
    shapely.prepare(fp_geom)
    warnings = list(fp.warnings)
    inputs = [{"kind": "footprint", "path": fp.source, "sha256": fp.sha256}]
    if cat.path:
        inputs.append({"kind": "catalog", "path": str(cat.path), "sha256": file_sha256(cat.path)})
    layers, overlaps, location = [], [], None
    sources = cat.sources()
    for i, src in enumerate(sources):
        if cancelled():
            raise Cancelled("error.cancelled")
        spec = src.spec
        progress(0.05 + 0.9 * i / max(len(sources), 1), spec.name)
        cands = src.candidates(fp_geom, epsg)
        ov = overlay_layer(fp_geom, cands, epsg, spec.role, key_fields=spec.key_fields, id_field=spec.id_field,
                           zone_field=spec.zone_field, sliver_m2=sliver_m2, footprint_m2=fp_m2)
        src_crs = src.source_crs
        entry = {
            "id": spec.id, "name": spec.name, "role": spec.role, "role_name": ROLES[spec.role].name_zh,
            "source": str(spec.path), "source_layer": spec.layer, "sha256": src.sha256,
            "source_crs": crs_label(src_crs),
            "feature_count": int(src.info.get("features", -1)),
            "hit_count": ov.hit_count, "status": ov.status, "area": ov.total,
            "share_of_footprint": ov.total["ellipsoidal_m2"] / fp_m2 if fp_m2 else 0.0,
            "by_zone": ov.by_zone,
            "pieces": [{"piece_id": n + 1, "feature_id": p.feature_id, "zone": p.zone, "key": p.key,
                        "attributes": p.attributes, "area": area_block(p.planar_m2, p.ellipsoidal_m2),
                        "sliver": p.sliver, "geometry_wkt": _wkt(p.geometry)}
                       for n, p in enumerate(ov.pieces)],
            "warnings": list(src.warnings),
            **{k: getattr(spec, k) for k in ("provider", "vintage") if getattr(spec, k, "")},
        }
        warnings.extend(src.warnings)
        if spec.role == "admin_boundary":
            c = fp_geom.centroid
            for p in ov.pieces:
                if p.geometry.buffer(1e-6).covers(c) or location is None:
                    location = {"county": p.zone, "code": p.key.get("XZQDM") or p.attributes.get("XZQDM")}
        layers.append(entry)
        overlaps.append((src, ov))
        if not any(x["path"] == str(spec.path) for x in inputs):
            inputs.append({"kind": "layer", "path": str(spec.path), "sha256": src.sha256})
    # --- raster layers (issue 8): DEM / land-cover zonal statistics, see core/raster.py ---------------
    from .raster import rasters_section

    progress(0.96, "rasters")
    rasters = rasters_section(cat.rasters, fp_geom, epsg, footprint_m2=fp_m2, cancelled=cancelled)
    for r in rasters:
        warnings.extend(r["warnings"])
        if not any(x["path"] == r["source"] for x in inputs):
            inputs.append({"kind": "raster", "path": r["source"], "sha256": r["sha256"]})
        if r["class_table"] and not any(x["path"] == r["class_table"] for x in inputs):
            inputs.append({"kind": "class_table", "path": r["class_table"], "sha256": file_sha256(r["class_table"])})
    # --- end raster layers ------------------------------------------------------------------------------
    data = {
        "schema_version": SCHEMA_VERSION,
        "program": {"name": "ningxia_gis", "version": __version__},
        "created_at": created_at(),
        "analysis_crs": {"epsg": epsg, "label": crs_label(epsg),
                         "central_meridian": float(to_crs(epsg).coordinate_operation.params[1].value)},
        "area_method": AREA_METHOD,
        "sliver_threshold_m2": sliver_m2,
        "catalog": {"name": cat.name, "synthetic": cat.synthetic, "note": cat.note},
        "footprint": fp_block,
        "location": location,
        "layers": layers,
        "rasters": rasters,  # issue 8
        "activity": None,
        "verdicts": None,
        "inputs": inputs,
        "warnings": warnings,
    }
    progress(1.0, "done")
    return CheckResult(data=data, epsg=epsg, footprint_geom=fp_geom, overlaps=overlaps)
