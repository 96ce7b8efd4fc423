"""A GeoPackage copy of a large layer in another format (SHP, FileGDB, GeoJSON, KML …), so that later
sessions open it through the GeoPackage fast path (envelopes from the R-tree, geometry by FID): a
1M-polygon shapefile is decoded once, not at every start.

The copy is keyed by the source's path, size, modification time and the catalog's reading options
(layer, filter, encoding, CRS); a changed source gets a new copy and the old one is removed. It holds the
features as the catalog reads them (filter applied, text decoded, zone prefix repaired), in reading order,
so the copy's FID n is the source's n-th feature: feature ordinals and ids are the same either way. The
result's provenance still names and hashes the source file.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import geopandas as gpd
import pyogrio

from ..logs import cache_dir
from .files import atomic_output

VERSION = 1  # bump when the copy's layout changes: older copies are then ignored and replaced


def _stamp(path: Path) -> tuple[int, int]:
    """(size, newest mtime_ns) of a file, or over the files of a folder (FileGDB)."""
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
        return sum(p.stat().st_size for p in files), max((p.stat().st_mtime_ns for p in files), default=0)
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def _names(path: Path, options: dict) -> tuple[str, str]:
    """(prefix of every copy of this source, this copy's file stem)."""
    src = str(path.resolve())
    prefix = hashlib.sha256(src.encode("utf-8")).hexdigest()[:16]
    size, mtime = _stamp(path)
    key = json.dumps({"v": VERSION, "src": src, "size": size, "mtime": mtime, **options}, sort_keys=True)
    return prefix, f"{prefix}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}"


def lookup(path: str | Path, options: dict) -> tuple[Path, dict] | None:
    """The copy of ``path`` read with ``options`` and its metadata, or None when there is none (or the
    source changed since)."""
    try:
        _prefix, stem = _names(Path(path), options)
    except OSError:
        return None
    gpkg, meta = cache_dir() / f"{stem}.gpkg", cache_dir() / f"{stem}.json"
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (gpkg, info) if gpkg.is_file() and info.get("version") == VERSION else None


def store(path: str | Path, options: dict, gdf: gpd.GeoDataFrame, warnings: list[str]) -> Path | None:
    """Write the copy of ``path`` (``gdf``: every feature as read, in order, geometry may be empty) and
    remove older copies of the same source. None when the cache folder cannot be written (the layer is
    then simply read from the source next time)."""
    try:
        prefix, stem = _names(Path(path), options)
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        gpkg, meta = folder / f"{stem}.gpkg", folder / f"{stem}.json"
        with atomic_output(gpkg) as tmp:
            pyogrio.write_dataframe(gdf, tmp, layer="layer", driver="GPKG", SPATIAL_INDEX="YES")
        with atomic_output(meta) as tmp:
            Path(tmp).write_text(json.dumps({"version": VERSION, "source": str(path), "features": len(gdf),
                                             "crs": gdf.crs.to_wkt() if gdf.crs else None,
                                             "warnings": list(warnings)}, ensure_ascii=False), encoding="utf-8")
        for old in folder.glob(f"{prefix}-*"):
            if old.stem != stem:
                os.unlink(old)
        return gpkg
    except Exception:  # noqa: BLE001 - a cache that cannot be written must never fail the check
        return None
