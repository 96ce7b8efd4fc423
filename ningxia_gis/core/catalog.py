"""The layer catalog: which file holds which protected layer, its role and key fields.

A catalog is a TOML file (see sample_layers/catalog.toml); a folder of data files can be used instead,
the roles then being guessed from the national layer names and fields.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from .crs import to_crs, transformer
from .errors import CatalogError, CRSError, InputError
from .footprint import file_sha256
from .layers import VECTOR_SUFFIXES, list_layers, read_info, read_vector
from .roles import CULTIVATED_WHERE, ROLES, guess_role


@dataclass
class LayerSpec:
    """One catalog entry."""

    id: str
    role: str
    path: Path
    layer: str | None = None
    name: str = ""
    key_fields: list[str] = field(default_factory=list)
    id_field: str | None = None
    zone_field: str | None = None
    where: str | None = None
    encoding: str | None = None
    crs: str | None = None  # only for files that carry none

    def __post_init__(self):
        if self.role not in ROLES:
            raise CatalogError(f"layer {self.id!r}: unknown role {self.role!r} (one of {', '.join(ROLES)})")
        self.name = self.name or ROLES[self.role].name_zh


class LayerSource:
    """A catalog layer: lazily read, reprojected to an analysis CRS, cached with its spatial index."""

    def __init__(self, spec: LayerSpec):
        self.spec = spec
        self._info: dict | None = None
        self._sha: str | None = None
        self._full: dict[int, gpd.GeoDataFrame] = {}
        self.warnings: list[str] = []

    @property
    def info(self) -> dict:
        if self._info is None:
            self._info = read_info(self.spec.path, self.spec.layer)
        return self._info

    @property
    def source_crs(self):
        if self.spec.crs:
            return to_crs(self.spec.crs)
        if not self.info.get("crs"):
            raise CRSError(f"{self.spec.path.name}: the layer has no coordinate system (.prj missing?); "
                           "set one in the layer catalog (crs = \"EPSG:4490\")")
        return to_crs(self.info["crs"])

    @property
    def sha256(self) -> str:
        if self._sha is None:
            self._sha = file_sha256(self.spec.path)
        return self._sha

    @property
    def fields(self) -> list[str]:
        return [str(f) for f in self.info.get("fields", [])]

    def _read(self, bbox=None) -> gpd.GeoDataFrame:
        s = self.spec
        gdf = read_vector(s.path, layer=s.layer, encoding=s.encoding, bbox=bbox, where=s.where,
                          require_crs=s.crs is None)
        if s.crs:
            gdf = gdf.set_crs(s.crs, allow_override=True)
        for w in gdf.attrs.get("warnings", []):
            if w not in self.warnings:
                self.warnings.append(w)
        gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
        gdf = gdf.reset_index(drop=True)
        gdf["__fid"] = np.arange(len(gdf))
        return gdf

    def load(self, epsg: int) -> gpd.GeoDataFrame:
        """The whole layer in EPSG ``epsg`` (cached, with its spatial index built)."""
        if epsg not in self._full:
            gdf = self._read().to_crs(epsg)
            gdf.sindex  # noqa: B018 - build once, reused by every query
            self._full[epsg] = gdf
        return self._full[epsg]

    def candidates(self, geom, epsg: int) -> gpd.GeoDataFrame:
        """Features that may intersect ``geom`` (in EPSG ``epsg``): from the cache, else a bbox read."""
        if epsg in self._full:
            gdf = self._full[epsg]
            idx = gdf.sindex.query(geom, predicate="intersects")
            return gdf.iloc[np.sort(idx)]
        src = self.source_crs
        minx, miny, maxx, maxy = shapely.bounds(geom)
        xs = np.array([minx, maxx, minx, maxx])
        ys = np.array([miny, miny, maxy, maxy])
        t = transformer(epsg, src)
        bx, by = t.transform(xs, ys)
        pad = 1e-5 if src.is_geographic else 1.0
        bbox = (min(bx) - pad, min(by) - pad, max(bx) + pad, max(by) + pad)
        gdf = self._read(bbox=bbox)
        if gdf.empty:
            return gdf.to_crs(epsg) if gdf.crs is not None else gdf
        return gdf.to_crs(epsg)


@dataclass
class Catalog:
    layers: list[LayerSpec]
    path: Path | None = None
    name: str = ""
    note: str = ""
    synthetic: bool = False
    _sources: dict[str, LayerSource] = field(default_factory=dict, repr=False)

    def sources(self) -> list[LayerSource]:
        for spec in self.layers:
            if spec.id not in self._sources:
                self._sources[spec.id] = LayerSource(spec)
        return [self._sources[s.id] for s in self.layers]


def load_catalog(path: str | Path) -> Catalog:
    """A catalog from a TOML file, or by guessing roles for every layer of a folder or data file."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"layer catalog or folder not found: {p}")
    if p.is_file() and p.suffix.lower() == ".toml":
        return _from_toml(p)
    return guess_catalog(p)


def _from_toml(p: Path) -> Catalog:
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{p.name}: not a valid TOML catalog: {exc}") from None
    meta = data.get("catalog", {})
    specs = []
    allowed = set(LayerSpec.__dataclass_fields__) - {"path"}
    for i, entry in enumerate(data.get("layers", []), 1):
        unknown = set(entry) - allowed - {"path"}
        if unknown:
            raise CatalogError(f"{p.name}: layer #{i}: unknown field(s) {', '.join(sorted(unknown))}")
        for need in ("id", "role", "path"):
            if need not in entry:
                raise CatalogError(f"{p.name}: layer #{i}: missing field {need!r}")
        file = (p.parent / entry["path"]).resolve()
        if not file.exists():
            raise CatalogError(f"{p.name}: layer {entry['id']!r}: file not found: {file}")
        specs.append(LayerSpec(**{k: v for k, v in entry.items() if k != "path"}, path=file))
    if not specs:
        raise CatalogError(f"{p.name}: the catalog lists no layers")
    return Catalog(specs, path=p, name=meta.get("name", p.stem), note=meta.get("note", ""),
                   synthetic=bool(meta.get("synthetic", False)))


def _data_files(p: Path) -> list[Path]:
    if p.is_file() or p.suffix.lower() == ".gdb":
        return [p]
    out = []
    for f in sorted(p.iterdir()):
        if f.suffix.lower() in VECTOR_SUFFIXES - {".dxf"}:
            out.append(f)
    return out


def guess_catalog(p: Path) -> Catalog:
    specs: list[LayerSpec] = []
    for f in _data_files(p):
        for lyr in list_layers(f):
            info = read_info(f, lyr)
            fields = [str(x) for x in info.get("fields", [])]
            role = guess_role(lyr if lyr != f.stem else f.stem, fields) or guess_role(f.stem, fields)
            if role is None:
                continue
            r = ROLES[role]
            upper = {x.upper(): x for x in fields}
            specs.append(LayerSpec(
                id=f"{f.stem}_{lyr}".lower() if lyr != f.stem else f.stem.lower(), role=role, path=f,
                layer=lyr, key_fields=[upper[k] for k in r.key_fields if k in upper],
                id_field=next((upper[k] for k in r.id_fields if k in upper), None),
                zone_field=next((upper[k] for k in r.zone_fields if k in upper), None),
                where=CULTIVATED_WHERE if role == "cultivated_land" and "DLBM" in upper else None))
    if not specs:
        raise CatalogError(f"{p}: no layer whose role could be recognised (STBHHX, YJJBNT, CZKFBJ, DLTB, "
                           "草原, 自然保护地 …); write a catalog file instead")
    return Catalog(specs, path=None, name=p.name)
