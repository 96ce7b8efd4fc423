"""What a map draws: the footprint and pieces from the result, plus the layers' own features.

The result JSON carries the footprint and every overlap piece as WKT in the analysis CRS, which is
enough to draw the overlaps. The surrounding features (the whole county, the farmland parcels next
to the footprint …) are read from the layer files named in ``layers[].source`` when they are still
there and unchanged (same SHA-256); otherwise the map shows the JSON geometries only and says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import shapely

from ..domain.roles import ROLES, normalise_zone

log = logging.getLogger(__name__)


@dataclass
class MapPiece:
    layer_id: str
    feature_id: str
    zone: str
    geometry: object
    area_m2: float
    sliver: bool


@dataclass
class MapContext:
    """A check result prepared for drawing (see `map_context`)."""

    data: dict
    epsg: int
    zone_number: int  # 3° zone (35/36): prefix of the Y (easting) grid labels
    footprint: object  # shapely, analysis CRS
    layers: dict[str, dict]
    base_dir: Path | None = None
    use_sources: bool = True
    notes: list[str] = field(default_factory=list)
    lang: str = "zh"  # the maps' language (legends, titles, grid, notes)
    _sources: dict | None = field(default=None, repr=False)
    _unavailable: set = field(default_factory=set, repr=False)

    def pieces(self, layer_id: str) -> list[MapPiece]:
        out = []
        for p in self.layers[layer_id].get("pieces", []):
            g = shapely.from_wkt(p["geometry_wkt"]) if p.get("geometry_wkt") else None
            if g is None or g.is_empty:
                continue
            out.append(MapPiece(layer_id, str(p["feature_id"]), p.get("zone", ""), g,
                                float(p["area"]["ellipsoidal_m2"]), bool(p.get("sliver"))))
        return out

    def layers_of_role(self, role: str) -> list[dict]:
        return [x for x in self.layers.values() if x["role"] == role]

    # -- layer files -------------------------------------------------------------------------------
    def _resolve(self, path: str | None) -> Path | None:
        if not path:
            return None
        p = Path(path)
        cands = [p] if p.is_absolute() else [Path.cwd() / p] + ([self.base_dir / p] if self.base_dir else [])
        return next((c for c in cands if c.exists()), None)

    def _load_sources(self) -> dict:
        """layer id → LayerSource for every layer whose file is present and unchanged."""
        if self._sources is not None:
            return self._sources
        self._sources = {}
        if not self.use_sources:
            return self._sources
        from ..core.catalog import LayerSource, LayerSpec, load_catalog

        specs = {}
        cat_in = next((i for i in self.data.get("inputs", []) if i.get("kind") == "catalog"), None)
        cat_path = self._resolve(cat_in["path"]) if cat_in else None
        if cat_path is not None:
            try:
                specs = {s.id: s for s in load_catalog(cat_path).layers}
            except Exception as exc:  # noqa: BLE001 - a map without context is still a map
                log.info("catalog %s not usable for maps: %s", cat_path, exc)
        hashes: dict[Path, str] = {}
        for lid, entry in self.layers.items():
            path = self._resolve(entry.get("source"))
            if path is None:
                self._unavailable.add(lid)
                continue
            spec = specs.get(lid)
            if spec is None or spec.path.resolve() != path.resolve():
                role = ROLES.get(entry["role"])
                if role is None:
                    self._unavailable.add(lid)
                    continue
                try:
                    spec = LayerSpec(id=lid, role=entry["role"], path=path, layer=entry.get("source_layer"),
                                     name=entry.get("name", ""))
                except Exception:  # noqa: BLE001
                    self._unavailable.add(lid)
                    continue
            src = LayerSource(spec)
            try:
                key = path.resolve()
                if key not in hashes:  # several layers often share one GeoPackage / GDB: hash it once
                    hashes[key] = src.sha256
                src._sha = hashes[key]
                same = not entry.get("sha256") or hashes[key] == entry["sha256"]
            except OSError:
                same = False
            if not same:
                self._unavailable.add(lid)
                from .draw import words

                self.notes.append(words(self.lang, "layer_changed", name=entry.get("name", lid)))
                continue
            self._sources[lid] = src
        return self._sources

    def features(self, layer_id: str, extent) -> gpd.GeoDataFrame | None:
        """The layer's features within ``extent`` (shapely geometry, analysis CRS), with a ``zone``
        column; None when the layer file is not available."""
        src = self._load_sources().get(layer_id)
        if src is None:
            return None
        try:
            gdf = src.candidates(extent, self.epsg)
        except Exception as exc:  # noqa: BLE001
            log.info("cannot read %s for the map: %s", layer_id, exc)
            self._unavailable.add(layer_id)
            return None
        if gdf.empty:
            return gpd.GeoDataFrame({"zone": []}, geometry=[], crs=self.epsg)
        gdf = gdf[gdf.geometry.intersects(extent)]
        role = self.layers[layer_id]["role"]
        zf = src.spec.zone_field
        if not zf or zf not in gdf.columns:
            upper = {c.upper(): c for c in gdf.columns}
            zf = next((upper[z] for z in ROLES[role].zone_fields if z in upper), None)
        zones = [normalise_zone(role, v) for v in (gdf[zf] if zf else [None] * len(gdf))]
        idf = src.spec.id_field if src.spec.id_field in gdf.columns else None
        out = gpd.GeoDataFrame({"zone": zones, "fid": list(gdf[idf].astype(str)) if idf else [""] * len(gdf)},
                               geometry=list(gdf.geometry.values), crs=self.epsg)
        for c in gdf.columns:  # keep names for labels (county names …)
            if c.upper() in ("XZQMC", "HXMC", "ZRBHDMC", "GHFQMC"):
                out[c.upper()] = list(gdf[c])
        return out

    def available(self, layer_id: str) -> bool:
        return layer_id in self._load_sources()


def map_context(data: dict, *, base_dir: str | Path | None = None, use_sources: bool = True,
                lang: str = "zh") -> MapContext:
    """Prepare a check result dict for the map functions.

    ``base_dir`` resolves relative source paths (e.g. the folder of a saved JSON); ``use_sources=False``
    draws from the JSON geometries only.
    """
    epsg = int(data["analysis_crs"]["epsg"])
    cm = data["analysis_crs"].get("central_meridian")
    zone = int(round(float(cm) / 3.0)) if cm else (epsg - 4534 + 25 if 4534 <= epsg <= 4554 else 0)
    fp = shapely.from_wkt(data["footprint"]["geometry_wkt"])
    return MapContext(data=data, epsg=epsg, zone_number=zone, footprint=fp,
                      layers={x["id"]: x for x in data.get("layers", [])},
                      base_dir=Path(base_dir) if base_dir else None, use_sources=use_sources, lang=lang)
