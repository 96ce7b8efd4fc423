"""The peers a user could pick instead of ours, timed on the same data in the same run (issue 19).

* **PostGIS** (Debian ``postgresql-15-postgis-3``): a private cluster (``initdb`` into a temporary folder,
  ``pg_ctl`` on a Unix socket in that folder, no TCP, no system service), the layers loaded with ``COPY`` of
  EWKB through ``psycopg``, a GiST index per layer, ``ANALYZE``; stopped and removed afterwards.
* **DuckDB spatial** (pip ``duckdb`` + ``duckdb-extension-spatial``, the extension loaded from the wheel's
  file, never downloaded): in-memory tables, an R-tree index per layer.
* **geopandas sindex**: the layers' STRtree, ``sindex.query`` + vectorised ``intersection``/``area`` in this
  process (the batch: one bulk query of all footprints).

Both get the layers as the naive reference reads them (``geopandas.read_file``, CY reprojected to EPSG:4544
by pyproj), so every peer works on exactly the same coordinates. The measures are those of ours:

* ``one``: one footprint vs the 4 layers in one statement (``UNION ALL`` of ``ST_Area(ST_Intersection(…))``
  per piece with ``ST_Intersects`` on the index), fetched to the client;
* ``batch``: every footprint vs one layer in one statement (a spatial join).

A footprint whose analysis plane is GK zone 36 (EPSG:4545, as ours checks it) is intersected there: the
footprint and its candidates are transformed (``ST_Transform``), so the areas are in the same plane as ours.
``pip install 'ningxia-gis[bench]'`` brings duckdb, its spatial extension and psycopg (benchmark only).
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

EPSG = 4544


# ---------------------------------------------------------------- PostGIS

def postgis_bindir() -> Path | None:
    """The bin folder of a PostgreSQL that has the PostGIS extension installed (Debian layout)."""
    for ctl in sorted(glob.glob("/usr/share/postgresql/*/extension/postgis.control"), reverse=True):
        version = Path(ctl).parts[-3]
        bindir = Path(f"/usr/lib/postgresql/{version}/bin")
        if (bindir / "postgres").exists() and (bindir / "initdb").exists():
            return bindir
    return None


def postgis_missing() -> str | None:
    """Why PostGIS cannot be measured here, or None."""
    if postgis_bindir() is None:
        return "PostGIS not installed, skipped"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "PostGIS installed but psycopg missing (pip install 'ningxia-gis[bench]'), skipped"
    return None


class PostGIS:
    name = "PostGIS"

    def __init__(self):
        import psycopg
        self.bindir = postgis_bindir()
        self.dir = Path(tempfile.mkdtemp(prefix="nxpg_"))
        self.port = 54329
        # initdb/postgres refuse to run as root: the cluster belongs to the postgres user then
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-U", "bench", "--auth=trust", "-E", "UTF8", "--no-locale")
        opts = (f"-c listen_addresses='' -c unix_socket_directories='{self.dir}' -p {self.port} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=1GB "
                "-c work_mem=256MB -c maintenance_work_mem=1GB -c max_wal_size=4GB")
        try:
            self._run("pg_ctl", "-D", str(data), "-o", opts, "-l", str(self.dir / "log"), "-w", "start")
        except subprocess.CalledProcessError:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise
        atexit.register(self._stop)  # never leave the cluster running, even when the benchmark fails
        try:
            self.con = psycopg.connect(host=str(self.dir), port=self.port, user="bench", dbname="postgres",
                                       autocommit=True)
            self.con.execute("CREATE EXTENSION postgis")
        except Exception:
            self._stop()
            raise
        self.version = self.con.execute("SELECT postgis_full_version()").fetchone()[0]
        self.version = "PostGIS " + self.version.split('"')[1] + ", " + self.con.execute(
            "SELECT version()").fetchone()[0].split(" on ")[0] + ", GEOS " + self.con.execute(
            "SELECT postgis_geos_version()").fetchone()[0]

    def _run(self, exe: str, *args: str) -> None:
        subprocess.run(self.as_user + [str(self.bindir / exe), *args], check=True, capture_output=True, cwd="/")

    def load(self, table: str, ids, geoms) -> None:
        self.con.execute(f"CREATE TABLE {table} (id text, geom geometry(Geometry, {EPSG}))")
        hexes = shapely.to_wkb(shapely.set_srid(np.asarray(geoms, dtype=object), EPSG), hex=True, include_srid=True)
        ids = pd.Series(ids).astype(str).to_numpy()
        with self.con.cursor() as cur, cur.copy(f"COPY {table} (id, geom) FROM STDIN") as cp:
            for i in range(0, len(ids), 50_000):
                cp.write("".join(f"{a}\t{h}\n" for a, h in zip(ids[i:i + 50_000], hexes[i:i + 50_000])))
        self.con.execute(f"CREATE INDEX ON {table} USING gist (geom)")
        self.con.execute(f"ANALYZE {table}")
        self.con.execute(f"SELECT count(*), sum(ST_NPoints(geom)) FROM {table}").fetchone()  # warm the cache

    def load_footprints(self, table: str, geoms, epsgs) -> None:
        self.con.execute(f"CREATE TABLE {table} (case_id int, epsg int, geom geometry(Geometry, {EPSG}))")
        hexes = shapely.to_wkb(shapely.set_srid(np.asarray(geoms, dtype=object), EPSG), hex=True, include_srid=True)
        with self.con.cursor() as cur, cur.copy(f"COPY {table} FROM STDIN") as cp:
            cp.write("".join(f"{i}\t{e}\t{h}\n" for i, (e, h) in enumerate(zip(epsgs, hexes))))
        self.con.execute(f"ANALYZE {table}")

    def one(self, geom, epsg: int, tables: list[str]) -> list[tuple[str, str, float]]:
        fp = shapely.to_wkb(shapely.set_srid(geom, EPSG), hex=True, include_srid=True)
        # the footprint in the analysis plane once (MATERIALIZED: a subquery would be inlined and the
        # footprint transformed again for every candidate); ST_Transform to its own SRID is a no-op
        sql = "WITH q AS MATERIALIZED (SELECT ST_Transform(%(fp)s::geometry, %(e)s) AS g) " + " UNION ALL ".join(
            f"SELECT '{t}', l.id, ST_Area(ST_Intersection(ST_Transform(l.geom, %(e)s), q.g)) FROM {t} l, q "
            f"WHERE ST_Intersects(l.geom, %(fp)s::geometry)" for t in tables)
        return self.con.execute(sql, {"fp": fp, "e": int(epsg)}).fetchall()

    def batch(self, fps: str, table: str) -> list[tuple[int, str, float]]:
        return self.con.execute(
            f"SELECT f.case_id, l.id, ST_Area(ST_Intersection(ST_Transform(l.geom, f.epsg), "
            f"ST_Transform(f.geom, f.epsg))) FROM {fps} f JOIN {table} l ON ST_Intersects(f.geom, l.geom)").fetchall()

    def _stop(self) -> None:
        atexit.unregister(self._stop)
        if (self.dir / "data").exists():
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
            shutil.rmtree(self.dir, ignore_errors=True)

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self._stop()


# ---------------------------------------------------------------- DuckDB spatial

def duckdb_extension() -> Path | None:
    """The spatial extension file shipped by the ``duckdb-extension-spatial`` wheel for this duckdb."""
    try:
        import duckdb
        import duckdb_extension_spatial
    except ImportError:
        return None
    p = Path(duckdb_extension_spatial.__path__[0]) / "extensions" / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    return p if p.exists() else None


def duckdb_missing() -> str | None:
    try:
        import duckdb
    except ImportError:
        return "DuckDB not installed (pip install 'ningxia-gis[bench]'), skipped"
    if duckdb_extension() is None:
        return (f"DuckDB {duckdb.__version__} installed but no matching spatial extension "
                f"(pip install duckdb-extension-spatial=={duckdb.__version__}), skipped")
    return None


class DuckDB:
    name = "DuckDB"
    TO36 = "'EPSG:4544', 'EPSG:{e}', always_xy := true"

    def __init__(self):
        import duckdb
        self.con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
        self.con.execute(f"LOAD '{duckdb_extension()}'")
        ver = self.con.execute("SELECT extension_version FROM duckdb_extensions() WHERE extension_name = 'spatial'")
        self.version = f"DuckDB {duckdb.__version__}, spatial {ver.fetchone()[0]}, " \
                       f"{self.con.execute('SELECT current_setting(' + repr('threads') + ')').fetchone()[0]} threads"

    def load(self, table: str, ids, geoms) -> None:
        df = pd.DataFrame({"id": pd.Series(ids).astype(str).to_numpy(),
                           "wkb": shapely.to_wkb(np.asarray(geoms, dtype=object))})
        self.con.register("df", df)
        self.con.execute(f"CREATE TABLE {table} AS SELECT id, ST_GeomFromWKB(wkb) AS geom FROM df")
        self.con.unregister("df")
        self.con.execute(f"CREATE INDEX {table}_rtree ON {table} USING RTREE (geom)")

    def load_footprints(self, table: str, geoms, epsgs) -> None:
        df = pd.DataFrame({"case_id": np.arange(len(geoms)), "epsg": np.asarray(epsgs, dtype=int),
                           "wkb": shapely.to_wkb(np.asarray(geoms, dtype=object))})
        self.con.register("df", df)
        self.con.execute(f"CREATE TABLE {table} AS SELECT case_id, epsg, ST_GeomFromWKB(wkb) AS geom FROM df")
        self.con.unregister("df")

    def _piece(self, layer: str, fp: str, epsg: int) -> str:
        """The area of a piece in the footprint's analysis plane (both transformed when it is not 4544)."""
        if epsg == EPSG:
            return f"ST_Area(ST_Intersection({layer}, {fp}))"
        t = self.TO36.format(e=epsg)
        return f"ST_Area(ST_Intersection(ST_Transform({layer}, {t}), ST_Transform({fp}, {t})))"

    def one(self, geom, epsg: int, tables: list[str]) -> list[tuple[str, str, float]]:
        # the footprint as a constant in the statement, so that the optimiser uses the R-tree index scan
        fp = f"ST_GeomFromHEXWKB('{shapely.to_wkb(geom, hex=True)}')"
        sql = " UNION ALL ".join(f"SELECT '{t}', l.id, {self._piece('l.geom', fp, epsg)} FROM {t} l "
                                 f"WHERE ST_Intersects(l.geom, {fp})" for t in tables)
        return self.con.execute(sql).fetchall()

    def batch(self, fps: str, table: str) -> list[tuple[int, str, float]]:
        zones = [e for (e,) in self.con.execute(f"SELECT DISTINCT epsg FROM {fps} ORDER BY 1").fetchall()]
        sql = " UNION ALL ".join(
            f"SELECT f.case_id, l.id, {self._piece('l.geom', 'f.geom', e)} FROM {fps} f JOIN {table} l "
            f"ON ST_Intersects(f.geom, l.geom) WHERE f.epsg = {e}" for e in zones)
        return self.con.execute(sql).fetchall()

    def close(self) -> None:
        self.con.close()


# ---------------------------------------------------------------- geopandas spatial index

class GeoPandasSindex:
    """What a Python user writes with geopandas' spatial index: ``sindex.query(…, predicate="intersects")``
    (GEOS STRtree, the query geometry prepared) and vectorised ``intersection`` + ``area`` on the hits; the
    batch is one bulk query of all footprints. Zone-36 footprints: hits and footprint reprojected (pyproj)."""

    name = "geopandas sindex"

    def __init__(self):
        import geopandas
        self.layers: dict = {}
        self.version = (f"geopandas {geopandas.__version__} sindex, shapely {shapely.__version__} "
                        f"(GEOS {shapely.geos_version_string}), in this process")

    def load(self, table: str, ids, geoms) -> None:
        import geopandas
        gs = geopandas.GeoSeries(np.asarray(geoms, dtype=object), crs=EPSG)
        gs.sindex  # noqa: B018 - the index is built here, as part of the load
        self.layers[table] = (pd.Series(ids).astype(str).to_numpy(), gs)

    def load_footprints(self, table: str, geoms, epsgs) -> None:
        self.fps = (np.asarray(geoms, dtype=object), np.asarray(epsgs, dtype=int))

    @staticmethod
    def _to(geoms, epsg: int) -> np.ndarray:
        geoms = np.asarray(geoms, dtype=object)
        if epsg == EPSG:
            return geoms
        import geopandas
        return np.asarray(geopandas.GeoSeries(geoms, crs=EPSG).to_crs(epsg).values, dtype=object)

    def one(self, geom, epsg: int, tables: list[str]) -> list[tuple[str, str, float]]:
        out = []
        fp = self._to([geom], epsg)[0]  # the footprint in the analysis plane once
        for t in tables:
            ids, gs = self.layers[t]
            hit = gs.sindex.query(geom, predicate="intersects")
            out += zip([t] * len(hit), ids[hit], shapely.area(shapely.intersection(self._to(gs.values[hit], epsg), fp)))
        return out

    def batch(self, fps: str, table: str) -> list[tuple[int, str, float]]:
        ids, gs = self.layers[table]
        geoms, epsgs = self.fps
        fi, li = gs.sindex.query(geoms, predicate="intersects")
        areas = np.empty(len(fi))
        for e in np.unique(epsgs[fi]):
            m = epsgs[fi] == e
            zone_fps = self._to(geoms, int(e)) if e != EPSG else geoms  # each footprint transformed once
            areas[m] = shapely.area(shapely.intersection(self._to(gs.values[li[m]], int(e)), zone_fps[fi[m]]))
        return list(zip(fi.tolist(), ids[li], areas))

    def close(self) -> None:
        self.layers.clear()


PEERS = ((PostGIS, postgis_missing), (DuckDB, duckdb_missing), (GeoPandasSindex, lambda: None))


# ---------------------------------------------------------------- measures

def planar_agreement(ours: pd.DataFrame, peer: pd.DataFrame) -> dict:
    """Pieces of positive area matched on (case, feature): max relative difference of the planar areas."""
    a = ours[ours.planar > 0].groupby(["case", "feature"]).planar.sum()
    b = peer[peer.planar > 0].groupby(["case", "feature"]).planar.sum()
    both = pd.concat([a.rename("ours"), b.rename("peer")], axis=1)
    missing = both.isna().any(axis=1)
    ok = both[~missing]
    rel = (ok.ours - ok.peer).abs() / np.maximum(np.maximum(ok.ours.abs(), ok.peer.abs()), 1e-6)
    tiny = both[missing].fillna(0).max(axis=1)
    return {"pieces": int(len(ok)), "max_rel_planar": float(rel.max()) if len(rel) else 0.0,
            "only_one_side": int(missing.sum()), "only_one_side_max_m2": float(tiny.max()) if len(tiny) else 0.0,
            "total_planar_ours": float(ok.ours.sum()), "total_planar_peer": float(ok.peer.sum())}


def _table(rows, case=None) -> pd.DataFrame:
    if case is not None:
        rows = [(case, f"{t}:{fid}", a) for t, fid, a in rows]
    else:
        rows = [(c, f"yjjbnt:{fid}", a) for c, fid, a in rows]
    return pd.DataFrame(rows, columns=["case", "feature", "planar"])


def measure(peer_cls, layers: dict, singles: list, complex_fps: dict, batch_fps, batch_epsgs, ours: dict,
            reps: int = 1, log=print) -> dict:
    """Load ``layers`` ({id: (ids, geoms in EPSG:4544)}) into a peer and time the measures of ours.

    ``singles``: [(geom, epsg)] checked one at a time against the 4 layers (median);
    ``complex_fps``: {name: (geom, epsg)} the same, best of ``reps`` runs; ``batch_fps``/``batch_epsgs``: every case
    vs the ``yjjbnt`` layer in one statement. ``ours``: {measure: piece table of ours} for the areas."""
    out: dict = {}
    t0 = time.perf_counter()
    peer = peer_cls()
    try:
        out["version"] = peer.version
        for lid, (ids, geoms) in layers.items():
            t = time.perf_counter()
            peer.load(lid, ids, geoms)
            out.setdefault("load", {})[lid] = time.perf_counter() - t
        out["load_total"] = time.perf_counter() - t0
        log(f"  {peer.name}: {out['version']}; {sum(len(v[0]) for v in layers.values()):,} polygons loaded and "
            f"indexed in {out['load_total']:.1f} s", flush=True)
        tables = list(layers)
        times, rows = [], []
        for i, (g, e) in enumerate(singles):
            t = time.perf_counter()
            r = peer.one(g, e, tables)
            times.append(time.perf_counter() - t)
            rows.append(_table(r, i))
        out["one"] = {"n": len(times), "median": float(np.median(times)), "max": float(np.max(times)),
                      "areas": planar_agreement(ours["one"], pd.concat(rows))}
        log(f"  {peer.name} one footprint vs {len(tables)} layers: median {out['one']['median']:.4f} s "
            f"(max {out['one']['max']:.4f} s)", flush=True)
        for name, (g, e) in complex_fps.items():
            walls = []
            for _ in range(reps):
                t = time.perf_counter()
                r = peer.one(g, e, tables)
                walls.append(time.perf_counter() - t)
            out[name] = {"wall": min(walls), "walls": walls, "areas": planar_agreement(ours[name], _table(r, 0))}
            log(f"  {peer.name} {name}: {min(walls):.2f} s (best of {reps}), {len(r):,} pieces", flush=True)
        peer.load_footprints("fps", batch_fps, batch_epsgs)
        t = time.perf_counter()
        r = peer.batch("fps", "yjjbnt")
        wall = time.perf_counter() - t
        out["batch"] = {"wall": wall, "cases": len(batch_fps), "areas": planar_agreement(ours["batch"], _table(r))}
        log(f"  {peer.name} batch of {len(batch_fps):,} footprints vs yjjbnt in one statement: {wall:.1f} s, "
            f"{len(r):,} pieces", flush=True)
    finally:
        peer.close()
    return out
