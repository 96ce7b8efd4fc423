"""The review case: one GeoPackage holding a review with its evidence (docs/case_file.md).

    case = ReviewCase.new(build_request("fp.txt", activity="county_road"), who="张三")
    case.run()                      # run_review, keeps the result and the identity of the data used
    case.save("A-001.gpkg")         # atomic; appends the audit entries of this session
    case = open_case("A-001.gpkg")  # rebuilds the ReviewRequest: run_review(case.request) gives the same result

Every change goes through a method that appends an audit entry (who, when, what changed); the audit
log is append-only and hash-chained. ``verify_case`` and ``verify_report`` tell whether a case or a
report was altered after it was written; ``recheck`` runs the same request on new layer or rule data.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyogrio
import shapely

from ..core.catalog import Catalog, LayerSpec, load_catalog
from ..core.check import CheckResult, created_at
from ..core.crs import to_crs
from ..core.files import atomic_output, file_sha256
from ..core.footprint import Footprint
from ..domain.errors import InputError, NingxiaGisError
from ..domain.vocab import CASE_FIELDS, verdict
from .request import Feedback, ReviewRequest

CASE_SCHEMA_VERSION = 1
FOOTPRINT_LAYER = "case_footprint"
CASE_TABLES = ("case_meta", "case_fields", "case_source_files", "case_catalog", "case_answers",
               "case_overrides", "case_result", "case_inputs", "case_reports", "case_audit")
_SQLITE_MAGIC = b"SQLite format 3\x00"

_DDL = """
CREATE TABLE case_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE case_fields (field TEXT PRIMARY KEY, label_zh TEXT, value TEXT);
CREATE TABLE case_source_files (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE case_catalog (id INTEGER PRIMARY KEY CHECK (id = 1), spec TEXT NOT NULL);
CREATE TABLE case_answers (fact TEXT PRIMARY KEY, value TEXT, assumed INTEGER NOT NULL);
CREATE TABLE case_overrides (seq INTEGER PRIMARY KEY, layer_id TEXT NOT NULL, zone TEXT NOT NULL,
    verdict TEXT NOT NULL, reason TEXT NOT NULL, who TEXT, at TEXT);
CREATE TABLE case_result (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, sha256 TEXT NOT NULL);
CREATE TABLE case_inputs (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, layer_id TEXT, path TEXT,
    source_layer TEXT, sha256 TEXT, content_sha256 TEXT);
CREATE TABLE case_reports (seq INTEGER PRIMARY KEY, name TEXT NOT NULL, format TEXT NOT NULL,
    sha256 TEXT NOT NULL, written_at TEXT, result_sha256 TEXT);
CREATE TABLE case_audit (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, who TEXT, action TEXT NOT NULL,
    detail TEXT, prev_sha256 TEXT, sha256 TEXT NOT NULL);
CREATE TRIGGER case_audit_no_update BEFORE UPDATE ON case_audit BEGIN SELECT RAISE(ABORT, 'append-only'); END;
CREATE TRIGGER case_audit_no_delete BEFORE DELETE ON case_audit BEGIN SELECT RAISE(ABORT, 'append-only'); END;
"""

# schema version n -> function(con) that upgrades a version-n file to n + 1 (run on a temporary copy)
MIGRATIONS: dict[int, object] = {}


class CaseError(InputError):
    """A case file cannot be opened or used (missing, damaged, newer version, altered)."""


# ------------------------------------------------------------------------------------------- hashing
def result_digest(data: dict) -> str:
    """SHA-256 of a result (key order ignored): the content hash printed in the report footer."""
    from ..report.model import result_digest as digest
    return digest(data)


def _h(*parts) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p if isinstance(p, bytes) else str(p).encode("utf-8")
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()


def _rows_digest(con: sqlite3.Connection, table: str, h, skip_where: str = "") -> None:
    cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
    h.update(table.encode() + b"\x00" + "\x1f".join(cols).encode() + b"\x00")
    for row in con.execute(f'SELECT * FROM "{table}" {skip_where} ORDER BY 1'):
        for v in row:
            b = b"N" if v is None else (b"B" + v if isinstance(v, bytes) else b"T" + repr(v).encode("utf-8"))
            h.update(len(b).to_bytes(8, "big"))
            h.update(b)


def content_digest(con: sqlite3.Connection) -> str:
    """SHA-256 of every case table and the footprint table (the stored content hash itself left out)."""
    h = hashlib.sha256()
    for t in sorted(CASE_TABLES) + [FOOTPRINT_LAYER]:
        _rows_digest(con, t, h, "WHERE key <> 'content_sha256'" if t == "case_meta" else "")
    return h.hexdigest()


_LAYER_DIGESTS: dict[tuple, str] = {}  # (file, layer, mtime, size) -> digest: a big layer is hashed once


def layer_digest(spec) -> str:
    """A hash of one layer's own content: the rows of its GeoPackage table, so an edit of one layer of a
    GeoPackage does not look like a change of its other layers; the file hash for other formats."""
    p = Path(spec.path)
    if not (p.suffix.lower() == ".gpkg" and spec.layer and p.is_file()):
        return file_sha256(p)
    st = p.stat()
    key = (str(p.resolve()), spec.layer, st.st_mtime_ns, st.st_size)
    if key not in _LAYER_DIGESTS:
        try:
            con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
            try:
                h = hashlib.sha256()
                _rows_digest(con, spec.layer, h)
                _LAYER_DIGESTS[key] = h.hexdigest()
            finally:
                con.close()
        except sqlite3.Error:
            return file_sha256(p)
    return _LAYER_DIGESTS[key]


def policy_pack_id(inputs: list[dict]) -> str:
    """The identity of the data a verdict rests on: every layer, raster, class table, catalog and rule
    file by content (paths left out, so moving the data folder keeps the id)."""
    keys = sorted({f"{x['kind']}:{x['sha256']}" for x in inputs if x.get("kind") != "footprint" and x.get("sha256")})
    return "PP-" + hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]


# ------------------------------------------------------------------------------------------- records
@dataclass
class AuditEntry:
    seq: int
    at: str
    who: str
    action: str
    detail: dict
    prev_sha256: str
    sha256: str = ""

    def digest(self) -> str:
        return _h(self.seq, self.at, self.who, self.action, _json(self.detail), self.prev_sha256)


@dataclass
class ReportRecord:
    name: str
    format: str
    sha256: str
    written_at: str
    result_sha256: str

    @property
    def short_code(self) -> str:
        return self.result_sha256[:12]


@dataclass
class Override:
    layer_id: str
    zone: str
    verdict: str
    reason: str
    who: str = ""
    at: str = ""


def _json(v) -> str:
    return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service account): an empty "who" is still recorded
        return ""


# ------------------------------------------------------------------------------------------- catalog
def catalog_spec(cat: Catalog) -> dict:
    """How to rebuild a catalog: its TOML path, and every layer and raster spec for a catalog without one."""
    def plain(obj) -> dict:
        d = asdict(obj)
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in d.items() if not k.startswith("_")}
    rasters = []
    for r in cat.rasters:
        d = plain(r)
        d["classes"] = {str(k): asdict(c) for k, c in r.classes.items()}
        rasters.append(d)
    return {"path": str(Path(cat.path).resolve()) if cat.path else None, "given_path": str(cat.path) if cat.path else None,
            "name": cat.name, "note": cat.note,
            "synthetic": cat.synthetic, "layers": [plain(s) for s in cat.layers], "rasters": rasters}


def catalog_from_spec(spec: dict) -> Catalog:
    """The catalog from its TOML file when it still exists, else from the stored layer and raster specs."""
    given = spec.get("given_path")
    if given and Path(given).is_file() and str(Path(given).resolve()) == spec.get("path"):
        return load_catalog(given)  # as given, so the result names it as before
    if spec.get("path") and Path(spec["path"]).is_file():
        return load_catalog(spec["path"])
    from ..core.raster import RasterClass, RasterSpec
    missing = [s["path"] for s in spec.get("layers", []) if not Path(s["path"]).exists()]
    if missing or not spec.get("layers"):
        raise CaseError("case.catalog_missing", path=Path(spec.get("path") or (missing or ["?"])[0]))
    layers = [LayerSpec(**{**s, "path": Path(s["path"])}) for s in spec["layers"]]
    rasters = []
    for r in spec.get("rasters", []):
        classes = {int(k): RasterClass(**c) for k, c in (r.get("classes") or {}).items()}
        rasters.append(RasterSpec(**{**r, "classes": classes, "path": Path(r["path"]),
                                     "class_table": Path(r["class_table"]) if r.get("class_table") else None}))
    return Catalog(layers, path=None, name=spec.get("name", ""), note=spec.get("note", ""),
                   synthetic=bool(spec.get("synthetic")), rasters=rasters)


def _source_files(source: str) -> dict[str, bytes]:
    """The footprint file with its side files (a shapefile's .dbf/.prj …; every file of a folder)."""
    p = Path(source)
    if not source or not p.exists():
        return {}
    if p.is_dir():
        return {str(Path(p.name) / f.relative_to(p)): f.read_bytes() for f in sorted(p.rglob("*")) if f.is_file()}
    files = [p] + sorted(f for f in p.parent.glob(p.stem + ".*") if f != p and f.is_file()) \
        if p.suffix.lower() == ".shp" else [p]
    return {f.name: f.read_bytes() for f in files}


# ------------------------------------------------------------------------------------------- the case
@dataclass
class ReviewCase:
    """A review with its evidence; change it through its methods so the audit log records every change."""

    footprint: Footprint
    catalog: Catalog | None
    activity: str | None = None
    facts: dict = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)
    fields: dict = field(default_factory=dict)  # vocab.CASE_FIELDS
    sliver_m2: float = 1.0
    result: CheckResult | None = None
    case_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    created: str = field(default_factory=created_at)
    path: Path | None = None
    source_files: dict[str, bytes] = field(default_factory=dict)
    catalog_info: dict = field(default_factory=dict)  # catalog_spec() of the catalog of the result
    identity: list[dict] = field(default_factory=list)  # case_inputs rows of the result
    reports: list[ReportRecord] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    dirty: bool = False  # changed since opened or saved
    altered: bool = False  # opened from a file whose content hash did not match
    catalog_problem: str = ""  # why the stored catalog could not be loaded (open_case)

    # --- building -------------------------------------------------------------------------------------
    @classmethod
    def new(cls, request: ReviewRequest, who: str = "") -> "ReviewCase":
        """A new case for a request; the footprint's source file is copied into the case."""
        case = cls(footprint=request.footprint, catalog=request.catalog, activity=request.activity,
                   facts=dict(request.facts), fields={k: v for k, v in request.case.items() if v},
                   sliver_m2=request.sliver_m2,
                   overrides=[Override(**{k: o.get(k, "") or "" for k in ("layer_id", "zone", "verdict", "reason",
                                                                       "who", "at")})
                              for o in request.overrides],
                   source_files=_source_files(request.footprint.source))
        case.catalog_info = catalog_spec(request.catalog)
        case.log("created", {"footprint": Path(request.footprint.source).name, "sha256": request.footprint.sha256,
                             "fields": case.fields, "activity": case.activity, "facts": case.facts}, who)
        return case

    @property
    def request(self) -> ReviewRequest:
        """The ReviewRequest of this case (what run_review needs)."""
        if self.catalog is None:
            raise CaseError("case.catalog_missing", path=Path(self.catalog_info.get("path") or "?"))
        return ReviewRequest(self.footprint, self.catalog, activity=self.activity, facts=dict(self.facts),
                             overrides=[asdict(o) for o in self.overrides], case=dict(self.fields),
                             sliver_m2=self.sliver_m2)

    @property
    def who_default(self) -> str:
        return self.fields.get("reviewer") or _user()

    def log(self, action: str, detail: dict, who: str = "") -> AuditEntry:
        """Append one audit entry (kept in memory until ``save``)."""
        prev = self.audit[-1].sha256 if self.audit else ""
        e = AuditEntry(len(self.audit) + 1, created_at(), who or self.who_default, action, detail, prev)
        e.sha256 = e.digest()
        self.audit.append(e)
        self.dirty = True
        return e

    # --- changes --------------------------------------------------------------------------------------
    def set_fields(self, values: dict, who: str = "") -> None:
        """Case metadata (keys of vocab.CASE_FIELDS); an empty value removes the field."""
        unknown = [k for k in values if k not in CASE_FIELDS]
        if unknown:
            raise CaseError("case.unknown_field", field=", ".join(unknown), known=", ".join(CASE_FIELDS))
        changes = {k: {"from": self.fields.get(k), "to": v or None} for k, v in values.items()
                   if (v or None) != self.fields.get(k)}
        for k, v in values.items():
            if v:
                self.fields[k] = v
            else:
                self.fields.pop(k, None)
        if changes:
            self.log("fields", changes, who)

    def set_activity(self, activity: str | None, who: str = "") -> None:
        if activity != self.activity:
            self.log("activity", {"from": self.activity, "to": activity}, who)
            self.activity = activity

    def set_answers(self, facts: dict, who: str = "") -> None:
        """Officer answers (fact → True/False/text; None removes the answer, so the default is assumed)."""
        changes = {k: {"from": self.facts.get(k), "to": v} for k, v in facts.items() if self.facts.get(k) != v}
        for k, v in facts.items():
            if v is None:
                self.facts.pop(k, None)
            else:
                self.facts[k] = v
        if changes:
            self.log("answers", changes, who)

    def reset_answers(self, who: str = "") -> None:
        """Forget every answer (a new case must not inherit the previous one's)."""
        if self.facts:
            self.log("answers", {k: {"from": v, "to": None} for k, v in self.facts.items()}, who)
            self.facts = {}

    def set_footprint(self, footprint: Footprint, who: str = "") -> None:
        """A new footprint (the result is kept until the next ``run``, which replaces it)."""
        self.log("footprint", {"from": self.footprint.sha256, "to": footprint.sha256,
                               "file": Path(footprint.source).name}, who)
        self.footprint = footprint
        self.source_files = _source_files(footprint.source)

    def set_catalog(self, catalog: Catalog, who: str = "") -> None:
        self.log("catalog", {"from": self.catalog_info.get("name"), "to": catalog.name,
                             "path": Path(catalog.path).name if catalog.path else None}, who)
        self.catalog = catalog
        self.catalog_problem = ""

    def add_override(self, layer_id: str, zone: str, verdict_label: str, reason: str, who: str = "",
                     at: str = "") -> Override:
        """An officer's own conclusion for one layer zone, with the reason (required); ``at`` is when it was
        recorded (default now; the GUI records it before the case is saved)."""
        v = verdict(verdict_label)
        if v is None:
            raise CaseError("case.override_verdict", verdict=verdict_label)
        if not (reason or "").strip():
            raise CaseError("case.override_reason", layer=layer_id, zone=zone)
        o = Override(layer_id, zone, v.zh, reason.strip(), who or self.who_default, at or created_at())
        self.overrides = [x for x in self.overrides if (x.layer_id, x.zone) != (layer_id, zone)] + [o]
        self.log("override", {"layer_id": layer_id, "zone": zone, "verdict": v.zh, "reason": o.reason,
                              "engine_verdict": self.engine_verdict(layer_id, zone)}, who)
        self._apply_overrides()
        return o

    def _apply_overrides(self) -> None:
        """The stored result's verdicts with the current overrides (what a re-run of the request gives)."""
        if self.result is not None and self.activity:
            from .pipeline import apply_rules
            req = self.request
            apply_rules(self.result, req.activity, req.facts, req.overrides)

    def remove_override(self, layer_id: str, zone: str, reason: str = "", who: str = "") -> None:
        before = len(self.overrides)
        self.overrides = [x for x in self.overrides if (x.layer_id, x.zone) != (layer_id, zone)]
        if len(self.overrides) != before:
            self.log("override_removed", {"layer_id": layer_id, "zone": zone, "reason": reason}, who)
            self._apply_overrides()

    def engine_verdict(self, layer_id: str, zone: str) -> str | None:
        for z in ((self.result.data.get("verdicts") or {}).get("zones", []) if self.result else []):
            if z.get("layer_id") == layer_id and z.get("zone") == zone:
                return z.get("verdict")
        return None

    # --- running --------------------------------------------------------------------------------------
    def run(self, feedback: Feedback | None = None, who: str = "") -> CheckResult:
        """``run_review(self.request)``; the result and the identity of the data used are kept."""
        from .pipeline import run_review
        result = run_review(self.request, feedback)
        self.set_result(result, who)
        return result

    def set_result(self, result: CheckResult, who: str = "", action: str = "checked") -> None:
        """Keep a result (from ``run`` or the GUI's worker) with the hash of every layer, raster and rule file."""
        self.result = result
        self.catalog_info = catalog_spec(self.catalog) if self.catalog is not None else self.catalog_info
        self.identity = data_identity(result.data, self.catalog)
        self.log(action, {"result_sha256": result_digest(result.data), "policy_pack": self.policy_pack,
                          "verdict": self.overall_verdict, "catalog": self.catalog_info.get("name")}, who)

    def apply_recheck(self, rc: "Recheck", who: str = "") -> None:
        """Keep the result of a recheck (on new layer / rule data) as the case's result."""
        if catalog_spec(rc.catalog) != self.catalog_info:
            self.set_catalog(rc.catalog, who)
        else:
            self.catalog = rc.catalog
        self.set_result(rc.result, who, action="rechecked")
        self.audit[-1].detail["changes"] = rc.to_dict()
        self.audit[-1].sha256 = self.audit[-1].digest()

    @property
    def policy_pack(self) -> str | None:
        return policy_pack_id(self.identity) if self.identity else None

    @property
    def overall_verdict(self) -> str | None:
        v = (self.result.data.get("verdicts") or {}) if self.result else {}
        return (v.get("overall") or {}).get("verdict")

    def answers(self) -> list[dict]:
        """Every fact the verdicts used: ``{"fact", "value", "assumed"}`` (assumed = not answered by the officer)."""
        used = ((self.result.data.get("activity") or {}).get("facts") or {}) if self.result else {}
        out = [{"fact": k, "value": self.facts.get(k, v), "assumed": k not in self.facts} for k, v in used.items()]
        out += [{"fact": k, "value": v, "assumed": False} for k, v in self.facts.items() if k not in used]
        return out

    # --- outputs --------------------------------------------------------------------------------------
    def export(self, targets: dict, who: str = "", **kw) -> list[tuple[str, Path]]:
        """Write reports of the stored result (``{format: path}``, as ``write_outputs``) and record each
        one's sha256; save the case afterwards to keep the records."""
        from .outputs import write_outputs
        if self.result is None:
            raise CaseError("case.no_result")
        done = write_outputs(self.result, targets, case=self.fields, **kw)
        for fmt, p in done:
            self.record_report(p, fmt, who)
        return done

    def record_report(self, path: str | Path, fmt: str, who: str = "") -> ReportRecord:
        p = Path(path)
        rec = ReportRecord(p.name, fmt, file_sha256(p), created_at(),
                           result_digest(self.result.data) if self.result else "")
        self.reports.append(rec)
        self.log("report", asdict(rec), who)
        return rec

    def export_source(self, folder: str | Path) -> list[Path]:
        """Write the stored copy of the footprint's source file(s) into ``folder``."""
        out = []
        for name, data in self.source_files.items():
            p = Path(folder) / name
            with atomic_output(p) as tmp:
                tmp.write_bytes(data)
            out.append(p)
        return out

    # --- saving ---------------------------------------------------------------------------------------
    def save(self, path: str | Path | None = None, who: str = "") -> Path:
        """Write the case atomically (a failure leaves the previous file as it was)."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise CaseError("case.no_path")
        if target.suffix.lower() != ".gpkg":
            raise CaseError("case.wrong_suffix", path=target)
        if self.path is not None and target.resolve() != self.path.resolve():
            self.log("saved_as", {"from": self.path.name, "to": target.name}, who)
        elif not self.audit:
            self.log("saved", {}, who)
        with atomic_output(target) as tmp:
            _write(self, tmp)
        self.path, self.dirty, self.altered = target, False, False
        return target


def data_identity(data: dict, catalog: Catalog | None) -> list[dict]:
    """``case_inputs`` rows: every input file of a result with its hash; each layer with its content hash."""
    specs = {s.id: s for s in catalog.layers} if catalog is not None else {}
    rows = []
    for x in data.get("inputs", []):
        if x.get("kind") != "layer":
            rows.append({"kind": x["kind"], "layer_id": None, "path": x.get("path"), "source_layer": None,
                         "sha256": x.get("sha256"), "content_sha256": None})
    for lyr in data.get("layers", []):
        spec = specs.get(lyr["id"])
        rows.append({"kind": "layer", "layer_id": lyr["id"], "path": lyr.get("source"),
                     "source_layer": lyr.get("source_layer"), "sha256": lyr.get("sha256"),
                     "content_sha256": layer_digest(spec) if spec is not None else lyr.get("sha256")})
    return rows


def _write(case: ReviewCase, tmp: Path) -> None:
    fp = case.footprint
    pyogrio.write_dataframe(fp.gdf, tmp, layer=FOOTPRINT_LAYER, driver="GPKG")
    con = sqlite3.connect(tmp)
    try:
        con.executescript(_DDL)
        fp_meta = {"source": fp.source, "sha256": fp.sha256, "name": fp.name, "crs_wkt": fp.crs.to_wkt(),
                   "warnings": fp.warnings, "repairs": fp.repairs, "notes": fp.notes,
                   "meta": json.loads(_json({k: v for k, v in fp.meta.items() if k != "report"}))}
        meta = {"schema_version": str(CASE_SCHEMA_VERSION), "case_id": case.case_id, "created_at": case.created,
                "saved_at": created_at(), "program_version": _version(), "activity": case.activity or "",
                "sliver_m2": repr(case.sliver_m2), "footprint": _json(fp_meta),
                "policy_pack": case.policy_pack or ""}
        con.executemany("INSERT INTO case_meta VALUES (?, ?)", meta.items())
        con.executemany("INSERT INTO case_fields VALUES (?, ?, ?)",
                        [(k, CASE_FIELDS[k][0], v) for k, v in case.fields.items()])
        con.executemany("INSERT INTO case_source_files VALUES (?, ?, ?)",
                        [(n, hashlib.sha256(b).hexdigest(), b) for n, b in case.source_files.items()])
        con.execute("INSERT INTO case_catalog VALUES (1, ?)", (_json(case.catalog_info),))
        con.executemany("INSERT INTO case_answers VALUES (?, ?, ?)",
                        [(a["fact"], _json(a["value"]), int(a["assumed"])) for a in case.answers()])
        con.executemany("INSERT INTO case_overrides VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(i, o.layer_id, o.zone, o.verdict, o.reason, o.who, o.at)
                         for i, o in enumerate(case.overrides, 1)])
        if case.result is not None:
            from .outputs import result_json
            con.execute("INSERT INTO case_result VALUES (1, ?, ?)",
                        (result_json(case.result.data), result_digest(case.result.data)))
        con.executemany("INSERT INTO case_inputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(i, r["kind"], r["layer_id"], r["path"], r["source_layer"], r["sha256"],
                          r["content_sha256"]) for i, r in enumerate(case.identity, 1)])
        con.executemany("INSERT INTO case_reports VALUES (?, ?, ?, ?, ?, ?)",
                        [(i, r.name, r.format, r.sha256, r.written_at, r.result_sha256)
                         for i, r in enumerate(case.reports, 1)])
        con.executemany("INSERT INTO case_audit VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [(e.seq, e.at, e.who, e.action, _json(e.detail), e.prev_sha256, e.sha256)
                         for e in case.audit])
        now = created_at()
        con.executemany("INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                        "VALUES (?, 'attributes', ?, '', ?)", [(t, t, now) for t in CASE_TABLES])
        con.commit()
        con.execute("INSERT INTO case_meta VALUES ('content_sha256', ?)", (content_digest(con),))
        con.commit()
        con.execute("VACUUM")
    finally:
        con.close()


def _version() -> str:
    from .. import __version__
    return __version__


# ------------------------------------------------------------------------------------------- opening
def connect_case(path: Path) -> tuple[sqlite3.Connection, Path | None]:
    """A read-only connection to a case (migrated on a temporary copy when its schema is older)."""
    if not path.is_file():
        raise CaseError("case.not_found", path=path)
    with open(path, "rb") as fh:
        if fh.read(16) != _SQLITE_MAGIC:
            raise CaseError("case.not_gpkg", path=path)
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = con.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise CaseError("case.damaged", path=path)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "case_meta" not in tables:
            raise CaseError("case.not_a_case", path=path)
        row = con.execute("SELECT value FROM case_meta WHERE key = 'schema_version'").fetchone()
        version = int(row[0]) if row and str(row[0]).isdigit() else None
    except sqlite3.DatabaseError as exc:
        con.close()
        raise CaseError("case.damaged", path=path) from None
    except CaseError:
        con.close()
        raise
    if version is None:
        con.close()
        raise CaseError("case.damaged_tables", path=path)
    if version > CASE_SCHEMA_VERSION:
        con.close()
        raise CaseError("case.newer_version", path=path, version=version, supported=CASE_SCHEMA_VERSION)
    if version == CASE_SCHEMA_VERSION:
        return con, None
    con.close()
    tmpdir = Path(tempfile.mkdtemp(prefix="ngcase-"))
    copy = tmpdir / path.name
    shutil.copyfile(path, copy)
    con = sqlite3.connect(copy)
    for v in range(version, CASE_SCHEMA_VERSION):
        step = MIGRATIONS.get(v)
        if step is None:
            con.close()
            raise CaseError("case.no_migration", path=path, version=v)
        step(con)
        con.execute("UPDATE case_meta SET value = ? WHERE key = 'schema_version'", (str(v + 1),))
        con.commit()
    return con, tmpdir


def is_case_file(path: str | Path) -> bool:
    """Whether a file is a review case (a GeoPackage with the case tables), without opening it as one."""
    p = Path(path)
    try:
        if not p.is_file():
            return False
        with open(p, "rb") as fh:
            if fh.read(16) != _SQLITE_MAGIC:
                return False
        con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        try:
            return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'case_meta'").fetchone() \
                is not None
        finally:
            con.close()
    except (OSError, sqlite3.Error):
        return False


def open_case(path: str | Path, layers: Catalog | str | Path | None = None) -> ReviewCase:
    """Read a case and rebuild its request (``layers`` replaces the stored catalog, e.g. moved data).

    A catalog that cannot be loaded leaves ``case.catalog`` None and says why in ``case.catalog_problem``
    (show / verify / export still work); ``case.altered`` is True when the content hash does not match."""
    p = Path(path)
    con, tmpdir = connect_case(p)
    try:
        try:
            case = _read(con, p)
        except (sqlite3.DatabaseError, json.JSONDecodeError, KeyError, ValueError, TypeError, IndexError,
                pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
            raise CaseError("case.damaged_tables", path=p) from None
    finally:
        con.close()
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
    try:
        if layers is not None:
            case.catalog = layers if isinstance(layers, Catalog) else load_catalog(layers)
        else:
            case.catalog = catalog_from_spec(case.catalog_info)
    except NingxiaGisError as exc:
        case.catalog, case.catalog_problem = None, str(exc)
    return case


def _read(con: sqlite3.Connection, path: Path) -> ReviewCase:
    meta = dict(con.execute("SELECT key, value FROM case_meta"))
    fpm = json.loads(meta["footprint"])
    gdf = pyogrio.read_dataframe(_con_path(con), layer=FOOTPRINT_LAYER)
    gdf = gdf.set_crs(to_crs(fpm["crs_wkt"]), allow_override=True)
    fp = Footprint(gdf=gdf, source=fpm["source"], sha256=fpm["sha256"], name=fpm["name"],
                   warnings=list(fpm["warnings"]), repairs=list(fpm["repairs"]), notes=list(fpm["notes"]),
                   meta=dict(fpm["meta"]))
    # in the order they were written (the result's order): the rules echo the answers in the order given
    answers = con.execute("SELECT fact, value, assumed FROM case_answers ORDER BY rowid").fetchall()
    result = None
    row = con.execute("SELECT json FROM case_result WHERE id = 1").fetchone()
    if row is not None:
        data = json.loads(row[0])
        result = CheckResult(data=data, epsg=int(data["analysis_crs"]["epsg"]),
                             footprint_geom=shapely.from_wkt(data["footprint"]["geometry_wkt"]))
    case = ReviewCase(
        footprint=fp, catalog=None, activity=meta.get("activity") or None,
        facts={f: json.loads(v) for f, v, assumed in answers if not assumed},
        overrides=[Override(*r) for r in con.execute(
            "SELECT layer_id, zone, verdict, reason, who, at FROM case_overrides ORDER BY seq")],
        fields=dict(con.execute("SELECT field, value FROM case_fields")),
        sliver_m2=float(meta["sliver_m2"]), result=result, case_id=meta["case_id"], created=meta["created_at"],
        path=path, source_files={n: bytes(b) for n, b in con.execute("SELECT name, data FROM case_source_files")},
        catalog_info=json.loads(con.execute("SELECT spec FROM case_catalog WHERE id = 1").fetchone()[0]),
        identity=[dict(zip(("kind", "layer_id", "path", "source_layer", "sha256", "content_sha256"), r))
                  for r in con.execute("SELECT kind, layer_id, path, source_layer, sha256, content_sha256 "
                                       "FROM case_inputs ORDER BY seq")],
        reports=[ReportRecord(*r) for r in con.execute(
            "SELECT name, format, sha256, written_at, result_sha256 FROM case_reports ORDER BY seq")],
        audit=[AuditEntry(s, at, who, action, json.loads(d), prev, sha) for s, at, who, action, d, prev, sha
               in con.execute("SELECT * FROM case_audit ORDER BY seq")],
    )
    case.altered = meta.get("content_sha256") != content_digest(con)
    return case


def _con_path(con: sqlite3.Connection) -> str:
    return con.execute("PRAGMA database_list").fetchone()[2]


# ------------------------------------------------------------------------------------------- verifying
@dataclass
class Verification:
    """What ``verify_case`` / ``verify_report`` found: ``ok`` and the problems in words (catalog keys)."""

    path: Path
    ok: bool
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def verify_case(path: str | Path) -> Verification:
    """Whether a case is unchanged since it was saved: content hash, audit chain, source copy, result hash."""
    from ..domain.messages import text
    p = Path(path)
    con, tmpdir = connect_case(p)
    problems, notes = [], []
    try:
        meta = dict(con.execute("SELECT key, value FROM case_meta"))
        if meta.get("content_sha256") != content_digest(con):
            problems.append(text("case.verify_content", path=p))
        prev = ""
        for s, at, who, action, d, prv, sha in con.execute("SELECT * FROM case_audit ORDER BY seq"):
            e = AuditEntry(s, at, who, action, json.loads(d), prv)
            if prv != prev or e.digest() != sha:
                problems.append(text("case.verify_audit", seq=s))
                break
            prev = sha
        fp_sha = json.loads(meta["footprint"])["sha256"]
        files = con.execute("SELECT name, sha256, data FROM case_source_files").fetchall()
        for name, sha, data in files:
            if hashlib.sha256(data).hexdigest() != sha:
                problems.append(text("case.verify_source", name=name))
        if len(files) == 1 and files[0][1] != fp_sha:
            problems.append(text("case.verify_source", name=files[0][0]))
        row = con.execute("SELECT json, sha256 FROM case_result WHERE id = 1").fetchone()
        if row is not None:
            if result_digest(json.loads(row[0])) != row[1]:
                problems.append(text("case.verify_result"))
            notes.append(text("case.verify_code", code=row[1][:12]))
    except (sqlite3.DatabaseError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        problems.append(text("case.damaged_tables", path=p))
    finally:
        con.close()
        if tmpdir is not None:
            shutil.rmtree(tmpdir, ignore_errors=True)
    return Verification(p, not problems, problems, notes)


def verify_report(case: ReviewCase, path: str | Path) -> Verification:
    """Whether a report file is byte for byte one this case recorded when it was written."""
    from ..domain.messages import text
    p = Path(path)
    if not p.is_file():
        raise CaseError("case.report_not_found", path=p)
    sha = file_sha256(p)
    match = next((r for r in case.reports if r.sha256 == sha), None)
    if match is not None:
        return Verification(p, True, [], [text("case.report_ok", path=p, at=match.written_at,
                                                code=match.short_code)])
    known = [r for r in case.reports if r.name == p.name]
    key = "case.report_altered" if known else "case.report_unknown"
    return Verification(p, False, [text(key, path=p)])


# ------------------------------------------------------------------------------------------- recheck
@dataclass
class RecheckRow:
    layer_id: str
    layer_name: str
    zone: str
    area_before_m2: float
    area_after_m2: float
    verdict_before: str | None
    verdict_after: str | None
    reasons: list[str]  # "layer" (its data changed), "rules" (rule files changed), "other"
    override: str | None = None  # the officer's verdict for this zone, to be reviewed again

    @property
    def area_changed(self) -> bool:
        return abs(self.area_after_m2 - self.area_before_m2) > 1e-6

    @property
    def verdict_changed(self) -> bool:
        return self.verdict_before != self.verdict_after


@dataclass
class Recheck:
    """The stored result against the same request on new layer or rule data."""

    result: CheckResult  # the new result
    catalog: Catalog  # the catalog it was run on
    rows: list[RecheckRow]  # only the layer zones whose area or verdict changed
    changed_layers: list[str]  # layer ids whose data differs (its content hash)
    added_layers: list[str]
    removed_layers: list[str]
    rules_changed: bool
    changed_rule_files: list[str]  # file names of the rule files added, removed or edited
    verdict_before: str | None
    verdict_after: str | None
    identity: list[dict]

    @property
    def changed(self) -> bool:
        return bool(self.rows or self.verdict_before != self.verdict_after)

    def to_dict(self) -> dict:
        return {"rows": [asdict(r) for r in self.rows], "changed_layers": self.changed_layers,
                "added_layers": self.added_layers, "removed_layers": self.removed_layers,
                "rules_changed": self.rules_changed, "changed_rule_files": self.changed_rule_files,
                "verdict_before": self.verdict_before,
                "verdict_after": self.verdict_after}


def _zones(data: dict) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    for lyr in data.get("layers", []):
        for z in lyr.get("by_zone", []):
            out[(lyr["id"], z["zone"])] = {"name": lyr["name"], "area": z["area"]["ellipsoidal_m2"], "verdict": None}
    for z in (data.get("verdicts") or {}).get("zones", []):
        e = out.setdefault((z["layer_id"], z["zone"]), {"name": z.get("layer_name"), "area": None, "verdict": None})
        e["verdict"] = z["verdict"]
        if e["area"] is None:
            e["area"] = (z.get("area") or {}).get("ellipsoidal_m2", 0.0)
    return out


def _run_with_rules(request: ReviewRequest, rules_dir, feedback) -> CheckResult:
    from .pipeline import run_review
    if rules_dir is None:
        return run_review(request, feedback)
    from ..rules.engine import evaluate
    from ..rules.loader import load_rule_base
    # as pipeline.apply_rules, with the given rule base
    plain = ReviewRequest(request.footprint, request.catalog, sliver_m2=request.sliver_m2)
    result = run_review(plain, feedback)
    if request.activity:
        rb = load_rule_base(rules_dir)
        v = evaluate(result.data, request.activity, request.facts, rule_base=rb)
        result.data["activity"], result.data["verdicts"] = v["activity"], v
        for f in v.get("rule_set", {}).get("files", []):
            result.data["inputs"].append({"kind": "rules", "path": f["path"], "sha256": f["sha256"]})
    return result


def recheck(case: ReviewCase, layers: Catalog | str | Path | None = None, rules: str | Path | None = None,
            feedback: Feedback | None = None) -> Recheck:
    """Run the case's request on ``layers`` (default: the stored catalog, read afresh) and ``rules``
    (a rule directory; default the installed rules) and compare with the stored result, per layer zone."""
    if case.result is None:
        raise CaseError("case.no_result")
    if layers is not None:
        cat = layers if isinstance(layers, Catalog) else load_catalog(layers)
    else:
        cat = catalog_from_spec(case.catalog_info)
    req = case.request
    req.catalog = cat
    new = _run_with_rules(req, rules, feedback)
    old_d, new_d = case.result.data, new.data
    ident = data_identity(new_d, cat)
    before = {r["layer_id"]: r["content_sha256"] or r["sha256"] for r in case.identity if r["kind"] == "layer"}
    after = {r["layer_id"]: r["content_sha256"] or r["sha256"] for r in ident if r["kind"] == "layer"}
    changed = [k for k in after if k in before and before[k] != after[k]]
    rule_set = lambda rows: {(Path(r["path"] or "").name, r["sha256"]) for r in rows if r["kind"] == "rules"}  # noqa: E731
    rules_changed = {s for _, s in rule_set(case.identity)} != {s for _, s in rule_set(ident)}
    rule_files = sorted({n for n, _ in rule_set(case.identity) ^ rule_set(ident)})
    zb, za = _zones(old_d), _zones(new_d)
    over = {(o.layer_id, o.zone): o.verdict for o in case.overrides}
    rows = []
    for key in list(zb) + [k for k in za if k not in zb]:
        b, a = zb.get(key), za.get(key)
        row = RecheckRow(key[0], (a or b)["name"], key[1], (b or {}).get("area") or 0.0, (a or {}).get("area") or 0.0,
                         (b or {}).get("verdict"), (a or {}).get("verdict"), [], over.get(key))
        if not (row.area_changed or row.verdict_changed):
            continue
        if key[0] in changed or key[0] not in before or key[0] not in after:
            row.reasons.append("layer")
        if rules_changed and row.verdict_changed:
            row.reasons.append("rules")
        if not row.reasons:
            row.reasons.append("other")
        rows.append(row)
    ov = lambda d: ((d.get("verdicts") or {}).get("overall") or {}).get("verdict")  # noqa: E731
    return Recheck(new, cat, rows, changed, [k for k in after if k not in before], [k for k in before if k not in after],
                   rules_changed, rule_files if rules_changed else [], ov(old_d), ov(new_d), ident)
