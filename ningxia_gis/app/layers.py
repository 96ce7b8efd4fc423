"""The layers shown in the app (Qt-free): vector layers with a role (checked) or display-only, and rasters.

A `VectorLayer` wraps a core `LayerSource` when it has a role, so the check reuses the geometry and the
spatial index the map already loaded. Display data is kept per EPSG code in `LayerData`, which also
holds the level-of-detail caches the map canvas draws from (see map_canvas.py).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from ..core.catalog import Catalog, LayerSource, LayerSpec
from ..domain.errors import InputError
from ..core.layers import list_layers, read_info, read_vector
from ..domain.roles import CULTIVATED_WHERE, ROLES, guess_role, normalise_zone

from ..styles import load_styles

RASTER_SUFFIXES = {".tif", ".tiff", ".img", ".vrt"}
_ids = itertools.count(1)
_PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]


class SimpleStyle:
    """Fallback style with the fields of `ningxia_gis.styles.Style` the canvas uses."""

    def __init__(self, face="#cccccc", alpha=0.5, edge="#555555", width=0.6, linestyle="-", hatch="",
                 hatch_color="", zorder=5, label=""):
        self.face, self.alpha, self.edge, self.width = face, alpha, edge, width
        self.linestyle, self.hatch, self.hatch_color, self.zorder, self.label = (
            linestyle, hatch, hatch_color, zorder, label)


def style_set():
    """The shipped StyleSet, or None when the style file is broken."""
    try:
        return load_styles()
    except Exception:  # noqa: BLE001 - a broken style file must not stop the app
        return None


def role_style(role: str | None, zone: str | None = None, n: int = 0):
    ss = style_set()
    if role and ss is not None:
        return ss.role(role, zone)
    colour = _PALETTE[n % len(_PALETTE)]
    return SimpleStyle(face=colour, alpha=0.35, edge=colour, width=0.6)


def special_style(name: str):
    """footprint / piece style from the style file, with fallbacks."""
    ss = style_set()
    if ss is not None and hasattr(ss, name):
        return getattr(ss, name)
    if name == "footprint":
        return SimpleStyle(face="none", edge="#e60000", width=2.4, zorder=30)
    return SimpleStyle(face="#ff2d2d", alpha=0.45, edge="#a00000", width=0.9, hatch="xxx", zorder=25)


class LayerData:
    """One layer's features in one CRS, with what the canvas needs to draw and query them quickly."""

    def __init__(self, gdf: gpd.GeoDataFrame, zones: np.ndarray | None = None):
        self.gdf = gdf
        self.geoms = np.asarray(gdf.geometry.values, dtype=object)
        n = len(self.geoms)
        self.bounds = shapely.bounds(self.geoms) if n else np.zeros((0, 4))
        self.size = np.maximum(self.bounds[:, 2] - self.bounds[:, 0], self.bounds[:, 3] - self.bounds[:, 1]) if n \
            else np.zeros(0)
        self.centre = np.column_stack([(self.bounds[:, 0] + self.bounds[:, 2]) / 2,
                                       (self.bounds[:, 1] + self.bounds[:, 3]) / 2]) if n else np.zeros((0, 2))
        self.tree = shapely.STRtree(self.geoms)
        # zone code per feature (index into zone_names) for zone-specific styles
        if zones is None:
            self.zone_names = [None]
            self.zone_codes = np.zeros(n, dtype=np.int32)
        else:
            names, codes = np.unique(np.asarray(zones, dtype=object).astype(str), return_inverse=True)
            self.zone_names = list(names)
            self.zone_codes = codes.astype(np.int32)
        self.total_bounds = tuple(gdf.total_bounds) if n else None
        self._lod: dict[int, np.ndarray] = {}
        self._done: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.geoms)

    def simplified(self, rows: np.ndarray, level: int) -> np.ndarray:
        """Geometries ``rows`` simplified for LOD ``level`` (tolerance 2**level / 2 map units),
        oriented for non-zero filling (shells CCW, holes CW); computed once per level and feature."""
        if level not in self._lod:
            self._lod[level] = np.empty(len(self.geoms), dtype=object)
            self._done[level] = np.zeros(len(self.geoms), dtype=bool)
        cache, done = self._lod[level], self._done[level]
        todo = rows[~done[rows]]
        if len(todo):
            g = self.geoms[todo]
            tol = 2.0 ** level / 2
            if tol > 0.01:
                g = shapely.simplify(g, tol, preserve_topology=False)
            cache[todo] = shapely.orient_polygons(g)
            done[todo] = True
        return cache[rows]

    def query_point(self, x: float, y: float, tol: float) -> np.ndarray:
        geom = shapely.Point(x, y).buffer(tol, quad_segs=2)
        return np.sort(self.tree.query(geom, predicate="intersects"))


class BaseLayer:
    kind = "vector"

    def __init__(self, name: str, path: Path | None, *, visible: bool = True):
        self.uid = f"L{next(_ids)}"
        self.name = name
        self.path = Path(path) if path else None
        self.visible = visible
        self.in_check = True  # the officer may leave a layer with a role out of the check
        self.error: str | None = None

    # the canvas asks for data per EPSG; None = not loaded yet
    def data(self, epsg: int):
        raise NotImplementedError

    def load(self, epsg: int):
        raise NotImplementedError

    def is_loaded(self, epsg: int) -> bool:
        return self.data(epsg) is not None

    @property
    def role_label(self) -> str:
        return ""

    @property
    def feature_count(self) -> int | None:
        return None


class VectorLayer(BaseLayer):
    """A vector layer; with a role it is part of the check (through its `LayerSource`)."""

    kind = "vector"

    def __init__(self, name: str, path: Path | None, layer: str | None = None, role: str | None = None, *,
                 spec: LayerSpec | None = None, source: LayerSource | None = None, gdf: gpd.GeoDataFrame | None = None,
                 visible: bool = True, fields: list[str] | None = None, colour_index: int = 0):
        super().__init__(name, path, visible=visible)
        self.layer = layer
        self.role = role
        self.spec = spec
        self.source = source
        self._gdf = gdf  # in-memory layer (tests, drawn data)
        self._fields = fields
        self._data: dict[int, LayerData] = {}
        self._lock = threading.RLock()
        self.colour_index = colour_index
        self.user_style = None  # style_dialog.LayerStyle chosen by the officer
        if role and spec is None and path is not None:
            self.spec = make_spec(Path(path), layer, role, self.fields, name=name)
        if self.spec is not None and self.source is None:
            self.source = LayerSource(self.spec)

    # -- description ---------------------------------------------------------------------------
    @property
    def fields(self) -> list[str]:
        if self._fields is None:
            if self._gdf is not None:
                self._fields = [c for c in self._gdf.columns if c != self._gdf.geometry.name]
            elif self.path is not None:
                try:
                    self._fields = [str(f) for f in read_info(self.path, self.layer).get("fields", [])]
                except InputError:
                    self._fields = []
            else:
                self._fields = []
        return self._fields

    @property
    def checked(self) -> bool:
        """Part of the overlay check: has a role and is not left out."""
        return self.in_check and self.role is not None and self.source is not None

    @property
    def feature_count(self) -> int | None:
        for d in self._data.values():
            return len(d)
        if self._gdf is not None:
            return len(self._gdf)
        return None

    def base_style(self, zone: str | None = None):
        """The role's (or palette) style, without the officer's changes."""
        return role_style(self.role, zone, self.colour_index)

    def style(self, zone: str | None = None):
        base = self.base_style(zone)
        return base if self.user_style is None else self.user_style.over(base)

    @property
    def label_field(self) -> str | None:
        return self.user_style.label_field if self.user_style is not None else None

    def set_role(self, role: str | None) -> None:
        """Change the role (None: display only); the layer is read again (its zones depend on the role)."""
        if role == self.role:
            return
        if role is None:
            self.role, self.spec, self.source = None, None, None
        else:
            if self.path is None:
                raise InputError("check.memory_layer")
            self.spec = make_spec(self.path, self.layer, role, self.fields, name=self.name,
                                  layer_id=self.spec.id if self.spec else None)
            self.role = role
            self.source = LayerSource(self.spec)
        with self._lock:
            self._data.clear()

    # -- data ------------------------------------------------------------------------------------
    def data(self, epsg: int) -> LayerData | None:
        return self._data.get(epsg)

    def load(self, epsg: int) -> LayerData:
        """Read (once) and reproject the layer; thread-safe, meant to run in a worker."""
        with self._lock:
            if epsg in self._data:
                return self._data[epsg]
            if self.source is not None:
                gdf = self.source.load(epsg)
            elif self._gdf is not None:
                gdf = self._gdf if self._gdf.crs is not None and self._gdf.crs.equals(epsg) else self._gdf.to_crs(epsg)
            else:
                gdf = read_vector(self.path, layer=self.layer, require_crs=True)
                keep = gdf.geometry.notna() & ~gdf.geometry.is_empty
                gdf = gdf[keep].reset_index(drop=True).to_crs(epsg)
            zones = None
            if self.spec is not None and self.spec.zone_field and self.spec.zone_field in gdf.columns:
                vals = gdf[self.spec.zone_field].astype(object).to_numpy()
                uniq = {v: normalise_zone(self.role, v) for v in set(vals.tolist())}
                zones = np.array([uniq[v] for v in vals.tolist()], dtype=object)
            d = LayerData(gdf, zones)
            self._data[epsg] = d
            return d

    def attribute_frame(self, epsg: int):
        d = self.data(epsg)
        if d is None:
            return None
        cols = [c for c in d.gdf.columns if c != d.gdf.geometry.name and not str(c).startswith("__")]
        return d.gdf[cols]

    @property
    def role_label(self) -> str:
        return ROLES[self.role].name_zh if self.role else ""


class RasterLayer(BaseLayer):
    """A DEM or land-cover grid, drawn with `ningxia_gis.maps.raster_draw`; analysed by the check unless
    left out (``in_check``)."""

    kind = "raster"

    def __init__(self, spec, *, visible: bool = False):
        super().__init__(spec.name or spec.id, spec.path, visible=visible)
        self.spec = spec
        self.role = spec.role
        self.alpha = 0.8

    @property
    def checked(self) -> bool:
        return self.in_check

    def data(self, epsg: int):
        return self.spec  # drawn directly from the file, window by window

    def load(self, epsg: int):
        return self.spec

    @property
    def role_label(self) -> str:
        return {"dem": "DEM", "landcover": "土地覆盖"}.get(self.role, self.role)


class ImageLayer(BaseLayer):
    """A multi-band (RGB) image such as an orthophoto: a backdrop drawn under the vectors, never checked."""

    kind = "image"

    def __init__(self, path: Path, name: str | None = None, *, visible: bool = True):
        from ..core.raster import RasterSpec

        super().__init__(name or Path(path).stem, path, visible=visible)
        self.in_check = False
        self.role = None
        self.alpha = 1.0
        self.specs = [RasterSpec(id=f"{Path(path).stem}_b{b}", role="dem", path=Path(path), band=b) for b in (1, 2, 3)]

    @property
    def checked(self) -> bool:
        return False

    def data(self, epsg: int):
        return self.specs

    def load(self, epsg: int):
        return self.specs

    @property
    def role_label(self) -> str:
        return "影像"


def raster_kind(path: Path) -> str | None:
    """"image" for a 3- or 4-band 8-bit image (RGB/RGBA), "landcover" for a single band of small integer
    codes with a colour table, "dem" for a single floating-point band; None when it cannot be told."""
    import rasterio

    with rasterio.open(path) as ds:
        if ds.count >= 3 and ds.dtypes[0] == "uint8":
            return "image"
        if ds.count != 1:
            return None
        if ds.dtypes[0].startswith("float"):
            return "dem"
        try:
            ds.colormap(1)
            return "landcover"
        except ValueError:
            return None


# ----------------------------------------------------------------------------- building layers


def make_spec(path: Path, layer: str | None, role: str, fields: list[str], *, name: str | None = None,
              layer_id: str | None = None) -> LayerSpec:
    """A catalog entry for a user-added layer, key/id/zone fields taken from the role's candidates."""
    r = ROLES[role]
    upper = {str(x).upper(): str(x) for x in fields}
    stem = Path(path).stem
    lid = layer_id or (f"{stem}_{layer}".lower() if layer and layer != stem else stem.lower())
    return LayerSpec(id=lid, role=role, path=Path(path), layer=layer, name=name or r.name_zh,
                     key_fields=[upper[k] for k in r.key_fields if k in upper],
                     id_field=next((upper[k] for k in r.id_fields if k in upper), None),
                     zone_field=next((upper[k] for k in r.zone_fields if k in upper), None),
                     where=CULTIVATED_WHERE if role == "cultivated_land" and "DLBM" in upper else None)


def file_layers(path: Path) -> list[tuple[str | None, list[str], str | None]]:
    """(layer name, fields, guessed role) for every layer of a vector file."""
    p = Path(path)
    out = []
    for lyr in list_layers(p):
        info = read_info(p, lyr)
        fields = [str(x) for x in info.get("fields", [])]
        role = guess_role(lyr if lyr != p.stem else p.stem, fields) or guess_role(p.stem, fields)
        out.append((lyr, fields, role))
    return out


def layers_from_catalog(cat: Catalog) -> list[VectorLayer]:
    out = []
    for src in cat.sources():
        s = src.spec
        out.append(VectorLayer(s.name, s.path, s.layer, s.role, spec=s, source=src))
    return out


def catalog_for_check(base: Catalog | None, layers: list[BaseLayer]) -> Catalog:
    """A catalog of exactly the layers and rasters the panel lists as part of the check, keeping the base
    catalog's name and synthetic flag and the layers' own LayerSources (their loaded indexes are reused)."""
    specs, sources, seen = [], {}, set()
    # the base catalog's order first (the result lists layers as the CLI and the batch do), added layers after
    order = {sp.id: i for i, sp in enumerate(base.layers)} if base is not None else {}
    layers = sorted(layers, key=lambda lyr: order.get(getattr(getattr(lyr, "spec", None), "id", None), len(order)))
    for lyr in layers:
        if isinstance(lyr, VectorLayer) and lyr.checked:
            spec = lyr.spec
            if spec.id in seen:  # two layers with the same id: make the second unique
                spec = replace(spec, id=f"{spec.id}_{lyr.uid.lower()}")
                lyr.spec = spec
                lyr.source = LayerSource(spec)
            seen.add(spec.id)
            specs.append(spec)
            sources[spec.id] = lyr.source
    if not specs:
        raise InputError("check.no_layers")
    rasters = [lyr.spec for lyr in layers if isinstance(lyr, RasterLayer) and lyr.checked]
    cat = Catalog(specs, path=base.path if base else None, name=base.name if base else "",
                  note=base.note if base else "", synthetic=base.synthetic if base else False, rasters=rasters)
    cat._sources.update(sources)
    return cat
