"""The case register: every case file of a folder, indexed in ``FOLDER/case_register.sqlite``.

    reg = Register("cases/")            # scans the folder (only new or changed files are read again)
    reg.search(county="红寺堡", verdict="禁止")
    reg.overlaps()                      # pairs of cases whose footprints overlap, with the overlap area
    reg.export_xlsx("register.xlsx")

The index is a cache: deleting it loses nothing, the case files are the record."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import shapely

from ..core.areas import ellipsoidal_areas, to_lonlat
from ..core.crs import transformer
from ..core.files import atomic_output
from ..domain.errors import NingxiaGisError
from ..domain.messages import text
from ..domain.vocab import verdict
from .case import FOOTPRINT_LAYER, CaseError, connect_case

INDEX_NAME = "case_register.sqlite"
INDEX_VERSION = 1


@dataclass
class CaseEntry:
    path: str
    name: str
    mtime_ns: int
    size: int
    case_id: str = ""
    case_number: str = ""
    project_name: str = ""
    applicant: str = ""
    reviewer: str = ""
    county: str = ""
    date: str = ""  # YYYY-MM-DD: the review date, else the day it was saved
    verdict: str = ""
    activity: str = ""
    area_m2: float | None = None
    policy_pack: str = ""
    epsg: int | None = None
    footprint_wkt: str = ""  # dissolved footprint in EPSG ``epsg`` (the analysis CRS)
    altered: int = 0


@dataclass
class Overlap:
    a: CaseEntry
    b: CaseEntry
    epsg: int  # the plane the overlap was measured in (a's analysis CRS)
    planar_m2: float
    ellipsoidal_m2: float
    geometry: object


_COLS = [f.name for f in fields(CaseEntry)]


def iso_date(value: str) -> str:
    """``2026年1月5日`` / ``2026-01-05`` / ``2026/1/5`` → ``2026-01-05`` ('' when there is no date)."""
    m = re.search(r"(\d{4})\D(\d{1,2})\D(\d{1,2})", value or "")
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else ""


def read_entry(path: Path) -> CaseEntry:
    """The register row of one case file (CaseError when it is not a readable case)."""
    from .case import content_digest
    st = path.stat()
    con, tmpdir = connect_case(path)
    try:
        meta = dict(con.execute("SELECT key, value FROM case_meta"))
        f = dict(con.execute("SELECT field, value FROM case_fields"))
        row = con.execute("SELECT json FROM case_result WHERE id = 1").fetchone()
        e = CaseEntry(str(path.resolve()), path.name, st.st_mtime_ns, st.st_size, meta.get("case_id", ""),
                      f.get("case_number", ""), f.get("project_name", ""), f.get("applicant", ""),
                      f.get("reviewer", ""), activity=meta.get("activity", ""),
                      policy_pack=meta.get("policy_pack", ""),
                      altered=int(meta.get("content_sha256") != content_digest(con)))
        e.date = iso_date(f.get("review_date", "")) or (meta.get("saved_at") or "")[:10]
        if row is not None:
            data = json.loads(row[0])
            e.county = ((data.get("location") or {}).get("county")) or ""
            e.verdict = (((data.get("verdicts") or {}).get("overall") or {}).get("verdict")) or ""
            e.area_m2 = float(data["footprint"]["area"]["ellipsoidal_m2"])
            e.epsg = int(data["analysis_crs"]["epsg"])
            e.footprint_wkt = data["footprint"]["geometry_wkt"]
        else:  # not checked yet: the stored footprint in its analysis CRS
            import pyogrio

            from ..core.check import analysis_epsg
            from ..core.crs import to_crs
            from ..core.footprint import Footprint
            gdf = pyogrio.read_dataframe(con.execute("PRAGMA database_list").fetchone()[2], layer=FOOTPRINT_LAYER)
            gdf = gdf.set_crs(to_crs(json.loads(meta["footprint"])["crs_wkt"]), allow_override=True)
            e.epsg = analysis_epsg(Footprint(gdf=gdf))
            e.footprint_wkt = shapely.union_all(gdf.to_crs(e.epsg).geometry.values).wkt
    except (sqlite3.DatabaseError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise CaseError("case.damaged_tables", path=path) from None
    finally:
        con.close()
        if tmpdir is not None:
            import shutil
            shutil.rmtree(tmpdir, ignore_errors=True)
    return e


class Register:
    """The cases of one folder (and its sub-folders)."""

    def __init__(self, folder: str | Path, refresh: bool = True):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise CaseError("register.not_a_folder", path=self.folder)
        self.notes: list[str] = []  # files skipped (not a case, damaged, newer version)
        self.db = self._open_index()
        if refresh:
            self.refresh()

    def _open_index(self) -> sqlite3.Connection:
        """The index in the folder (rebuilt when damaged or of another version); in memory when the folder
        is read-only."""
        cols = ", ".join(f"{c} TEXT PRIMARY KEY" if c == "path" else c for c in _COLS)
        path = self.folder / INDEX_NAME
        for _attempt in (1, 2):
            db = None
            try:
                db = sqlite3.connect(path)
                if db.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
                    db.execute("DROP TABLE IF EXISTS cases")
                    db.execute(f"PRAGMA user_version = {INDEX_VERSION}")
                db.execute(f"CREATE TABLE IF NOT EXISTS cases ({cols})")
                db.commit()
                return db
            except sqlite3.Error:
                if db is not None:
                    db.close()
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    pass
        db = sqlite3.connect(":memory:")
        db.execute(f"CREATE TABLE cases ({cols})")
        return db

    def refresh(self) -> None:
        """Read the case files that are new or changed since the last scan; forget the removed ones."""
        known = {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT path, mtime_ns, size FROM cases")}
        seen = set()
        self.notes = []
        for f in sorted(self.folder.rglob("*.gpkg")):
            if f.name.startswith("."):
                continue
            key = str(f.resolve())
            seen.add(key)
            st = f.stat()
            if known.get(key) == (st.st_mtime_ns, st.st_size):
                continue
            try:
                e = read_entry(f)
            except NingxiaGisError as exc:
                if getattr(exc, "key", None) != "case.not_a_case":
                    self.notes.append(text("register.skipped", path=f, reason=str(exc)))
                self.db.execute("DELETE FROM cases WHERE path = ?", (key,))
                continue
            self.db.execute(f"INSERT OR REPLACE INTO cases VALUES ({', '.join('?' * len(_COLS))})",
                            [getattr(e, c) for c in _COLS])
        for gone in set(known) - seen:
            self.db.execute("DELETE FROM cases WHERE path = ?", (gone,))
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Register":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def entries(self) -> list[CaseEntry]:
        return self._query("", [])

    def _query(self, where: str, params: list) -> list[CaseEntry]:
        sql = f"SELECT {', '.join(_COLS)} FROM cases {where} ORDER BY date, case_number, name"
        return [CaseEntry(*r) for r in self.db.execute(sql, params)]

    def search(self, *, case_number: str | None = None, project: str | None = None, county: str | None = None,
               date_from: str | None = None, date_to: str | None = None, verdict: str | None = None,
               text: str | None = None) -> list[CaseEntry]:
        """Cases matching every given criterion (substrings; dates inclusive, YYYY-MM-DD or 2026年1月5日)."""
        cond, params = [], []
        for col, value in (("case_number", case_number), ("project_name", project), ("county", county)):
            if value:
                cond.append(f"instr({col}, ?) > 0")
                params.append(value)
        if date_from:
            cond.append("date >= ?")
            params.append(iso_date(date_from) or date_from)
        if date_to:
            cond.append("date <= ?")
            params.append(iso_date(date_to) or date_to)
        if verdict:
            v = _verdict(verdict)
            cond.append("verdict = ?")
            params.append(v)
        if text:
            cond.append("(" + " OR ".join(f"instr({c}, ?) > 0" for c in ("case_number", "project_name", "applicant",
                                                                         "reviewer", "county")) + ")")
            params += [text] * 5
        return self._query("WHERE " + " AND ".join(cond) if cond else "", params)

    def overlaps(self, entries: list[CaseEntry] | None = None, min_m2: float = 0.0) -> list[Overlap]:
        """Pairs of cases whose footprints overlap: the overlap area in the first case's analysis plane
        (Gauss-Krüger) and on the CGCS2000 ellipsoid (core.areas)."""
        es = [e for e in (self.entries() if entries is None else entries) if e.footprint_wkt and e.epsg]
        if len(es) < 2:
            return []
        geoms = [shapely.from_wkt(e.footprint_wkt) for e in es]
        lonlat = [to_lonlat([g], e.epsg)[0] for g, e in zip(geoms, es)]
        tree = shapely.STRtree(lonlat)
        left, right = tree.query(lonlat, predicate="intersects")
        out = []
        for i, j in zip(left, right):
            if i >= j:
                continue
            a, b = es[i], es[j]
            gb = geoms[j] if b.epsg == a.epsg else _to(geoms[j], b.epsg, a.epsg)
            inter = shapely.intersection(geoms[i], gb)
            planar = float(shapely.area(inter))
            if planar <= min_m2 or inter.is_empty:
                continue
            out.append(Overlap(a, b, a.epsg, planar, float(ellipsoidal_areas([inter], a.epsg)[0]), inter))
        return out

    def export_xlsx(self, path: str | Path) -> Path:
        """The register and the footprint overlaps as an Excel workbook (written atomically)."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = "案卷登记"
        head = ["案卷编号", "项目名称", "申请单位", "审查人", "县（区）", "审查日期", "结论", "项目类型",
                "用地面积 m²", "政策包", "文件", "校验"]
        ws.append(head)
        entries = self.entries()
        for e in entries:
            ws.append([e.case_number, e.project_name, e.applicant, e.reviewer, e.county, e.date, e.verdict,
                       e.activity, e.area_m2, e.policy_pack, e.name, "改动过 altered" if e.altered else "一致 ok"])
        ws2 = wb.create_sheet("用地重叠")
        ws2.append(["案卷编号 A", "项目名称 A", "案卷编号 B", "项目名称 B", "重叠面积 m²（椭球）",
                    "重叠面积 m²（平面）", "平面坐标系 EPSG", "文件 A", "文件 B"])
        for o in self.overlaps(entries):
            ws2.append([o.a.case_number, o.a.project_name, o.b.case_number, o.b.project_name, o.ellipsoidal_m2,
                        o.planar_m2, o.epsg, o.a.name, o.b.name])
        for sheet in (ws, ws2):
            for c in sheet[1]:
                c.font = Font(bold=True)
        for row in ws.iter_rows(min_row=2, min_col=9, max_col=9):
            for c in row:
                c.number_format = "#,##0.00"
        for row in ws2.iter_rows(min_row=2, min_col=5, max_col=6):
            for c in row:
                c.number_format = "#,##0.00"
        out = Path(path)
        if out.suffix.lower() != ".xlsx":
            from ..domain.errors import InputError
            raise InputError("output.wrong_suffix", path=out, suffix=".xlsx", label="Excel")
        with atomic_output(out) as tmp:
            wb.save(tmp)
        return out


def _verdict(label: str) -> str:
    v = verdict(label)
    return v.zh if v is not None else label


def _to(geom, src: int, dst: int):
    t = transformer(src, dst)
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))
