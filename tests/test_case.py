"""The review case file: save → reopen gives the same review, verify finds alterations, clear errors."""

import hashlib
import shutil
import sqlite3
import subprocess

import pytest

from ningxia_gis.cli import main
from ningxia_gis.footprint_io import load_footprint
from ningxia_gis.domain.errors import InputError
from ningxia_gis.paths import SAMPLE_FOOTPRINTS
from ningxia_gis.review import build_request, run_review
from ningxia_gis.review import case as case_mod
from ningxia_gis.review.case import CaseError, ReviewCase, open_case, verify_case, verify_report
from ningxia_gis.review.outputs import result_json

ROAD = SAMPLE_FOOTPRINTS / "road_crossing_redline.gpkg"
WIND = SAMPLE_FOOTPRINTS / "wind_farm_zone36.shp"
FIELDS = {"case_number": "宁审-2026-001", "project_name": "县道改建工程", "reviewer": "张三"}


@pytest.fixture(autouse=True)
def fixed_time(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def _case(footprint=ROAD, **kw):
    req = build_request(footprint, activity=kw.pop("activity", "linear_infrastructure"),
                        facts=kw.pop("facts", {"unavoidable": True}), case=dict(FIELDS), **kw)
    case = ReviewCase.new(req, who="张三")
    case.run(who="张三")
    return case


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", "1767225600")
    case = _case()
    case.add_override("stbhhx", "核心保护区外", "有条件允许", "现场核实：路线已按批复避让核心区", who="李四")
    path = case.save(tmp_path_factory.mktemp("case") / "A-001.gpkg", who="张三")
    mp.undo()
    return case, path


def test_save_reopen_rebuilds_the_request_and_gives_an_identical_result(saved):
    case, path = saved
    again = open_case(path)
    assert not again.altered and again.catalog is not None
    assert result_json(again.result.data) == result_json(case.result.data)  # the stored result
    req = again.request
    assert (req.activity, req.facts, req.case, req.sliver_m2) == ("linear_infrastructure", {"unavoidable": True},
                                                                  FIELDS, 1.0)
    assert req.overrides == [{"layer_id": "stbhhx", "zone": "核心保护区外", "verdict": "有条件允许",
                              "reason": "现场核实：路线已按批复避让核心区", "who": "李四",
                              "at": "2026-01-01T00:00:00+00:00"}]
    assert str(req.catalog.path) == str(case.catalog.path)
    assert result_json(run_review(req).data) == result_json(case.result.data)  # re-run: byte-identical
    # answers: the officer's and the ones assumed from the defaults
    answers = {a["fact"]: a for a in again.answers()}
    assert answers["unavoidable"] == {"fact": "unavoidable", "value": True, "assumed": False}
    assumed = {k for k, a in answers.items() if a["assumed"]}
    assert assumed == set(case.result.data["activity"]["facts"]) - {"unavoidable"}
    # the source copy is the file read, byte for byte
    assert again.source_files == {ROAD.name: ROAD.read_bytes()}
    assert again.policy_pack == case.policy_pack and again.policy_pack.startswith("PP-")


def test_identity_holds_every_layer_raster_and_rule_file_hash(saved):
    case, path = saved
    with sqlite3.connect(path) as con:
        rows = con.execute("SELECT kind, layer_id, sha256 FROM case_inputs").fetchall()
    kinds = {k for k, _, _ in rows}
    assert {"footprint", "catalog", "layer", "raster", "rules"} <= kinds
    layers = {lid for k, lid, _ in rows if k == "layer"}
    assert layers == {s.id for s in case.catalog.layers}
    rule_files = [x for x in case.result.data["verdicts"]["rule_set"]["files"]]
    assert sorted(sha for k, _, sha in rows if k == "rules") == sorted(f["sha256"] for f in rule_files)
    for k, _, sha in rows:
        if k == "raster":
            src = next(r["source"] for r in case.result.data["rasters"] if r["sha256"] == sha)
            assert hashlib.sha256(open(src, "rb").read()).hexdigest() == sha


def test_shapefile_source_is_stored_with_its_side_files_and_exported_back(tmp_path):
    case = _case(WIND, activity=None, facts={})
    path = case.save(tmp_path / "wind.gpkg")
    again = open_case(path)
    assert set(again.source_files) == {f.name for f in WIND.parent.glob("wind_farm_zone36.*")}
    out = again.export_source(tmp_path / "src")
    shp = next(p for p in out if p.suffix == ".shp")
    assert load_footprint(shp).sha256 == case.footprint.sha256
    assert result_json(run_review(again.request).data) == result_json(case.result.data)


def test_audit_log_is_append_only_and_kept_across_saves(saved, tmp_path):
    _, path = saved
    copy = tmp_path / "A.gpkg"
    shutil.copyfile(path, copy)
    case = open_case(copy)
    first = [(e.seq, e.sha256) for e in case.audit]
    assert [e.action for e in case.audit] == ["created", "checked", "override"]
    case.set_fields({"project_name": "县道改建工程（二期）"}, who="王五")
    case.set_answers({"new_construction_land": True}, who="王五")
    case.save(who="王五")
    again = open_case(copy)
    assert [(e.seq, e.sha256) for e in again.audit][:3] == first
    assert again.audit[3].who == "王五" and again.audit[3].action == "fields"
    assert again.audit[3].detail == {"project_name": {"from": "县道改建工程", "to": "县道改建工程（二期）"}}
    assert again.audit[4].detail == {"new_construction_land": {"from": None, "to": True}}
    assert verify_case(copy).ok
    with sqlite3.connect(copy) as con, pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE case_audit SET who = 'x' WHERE seq = 1")


def test_override_needs_a_known_verdict_and_a_reason(saved):
    case, _ = saved
    with pytest.raises(CaseError) as e:
        case.add_override("stbhhx", "核心保护区外", "允许", "  ")
    assert e.value.key == "case.override_reason" and "理由" in str(e.value) and "reason" in str(e.value)
    with pytest.raises(CaseError) as e:
        case.add_override("stbhhx", "核心保护区外", "maybe", "x")
    assert e.value.key == "case.override_verdict"


def _change_one_byte(path, inside: bytes):
    """Change the last digit of the first occurrence of ``inside`` in the file (one byte)."""
    data = bytearray(path.read_bytes())
    i = data.index(inside) + len(inside) - 1
    data[i] = ord("1") if data[i] != ord("1") else ord("2")
    path.write_bytes(bytes(data))


def test_verify_detects_a_changed_byte_in_the_case(saved, tmp_path, capsys):
    _, path = saved
    copy = tmp_path / "A.gpkg"
    shutil.copyfile(path, copy)
    assert verify_case(copy).ok
    assert main(["case", "verify", str(copy)]) == 0
    # one digit of the overlap area inside the stored result JSON
    area = open_case(copy).result.data["layers"][0]["area"]["ellipsoidal_m2"]
    _change_one_byte(copy, f'"ellipsoidal_m2": {area!r}'.encode())
    v = verify_case(copy)
    assert not v.ok and any("被改动" in p and "altered" in p for p in v.problems)
    assert open_case(copy).altered
    capsys.readouterr()
    assert main(["case", "verify", str(copy)]) == 1
    assert "altered" in capsys.readouterr().out


def test_verify_detects_a_rewritten_audit_entry(saved, tmp_path):
    _, path = saved
    copy = tmp_path / "A.gpkg"
    shutil.copyfile(path, copy)
    con = sqlite3.connect(copy)
    con.execute("DROP TRIGGER case_audit_no_update")
    con.execute("UPDATE case_audit SET who = '赵六' WHERE seq = 3")
    con.commit()
    con.close()
    v = verify_case(copy)
    assert not v.ok
    assert any("第 3 条" in p for p in v.problems) and any("was altered" in p for p in v.problems)


def test_verify_detects_a_changed_byte_in_a_report_and_the_footer_code(saved, tmp_path):
    _, path = saved
    copy = tmp_path / "A.gpkg"
    shutil.copyfile(path, copy)
    case = open_case(copy)
    (fmt, pdf), = case.export({"pdf": tmp_path / "report.pdf"}, who="张三", use_sources=False, map_dpi=50)
    case.save()
    case = open_case(copy)
    assert verify_report(case, pdf).ok and verify_case(copy).ok
    code = case.reports[-1].short_code
    assert code == case_mod.result_digest(case.result.data)[:12]
    page2 = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    assert f"校验码 {code}" in page2
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    v = verify_report(case, pdf)
    assert not v.ok and "altered" in v.problems[0] and "改动" in v.problems[0]
    assert main(["case", "verify", str(copy), str(pdf)]) == 1


def _message_is_clean(err, tmp_path):
    text = str(err)
    assert str(tmp_path) not in text and "Error" not in text and "Traceback" not in text


def test_damaged_case_files_give_a_clear_message(saved, tmp_path, capsys):
    _, path = saved
    good = path.read_bytes()
    variants = {"truncated.gpkg": good[: len(good) // 2], "text.gpkg": "不是案卷".encode(),
                "zeroed.gpkg": good[:100] + bytes(len(good) - 100)}
    for name, data in variants.items():
        p = tmp_path / name
        p.write_bytes(data)
        with pytest.raises(CaseError) as e:
            open_case(p)
        assert e.value.key in ("case.damaged", "case.not_gpkg"), name
        assert name in str(e.value) and ("损坏" in str(e.value)) and "damaged" in str(e.value)
        _message_is_clean(e.value, tmp_path)
    capsys.readouterr()
    assert main(["case", "show", str(tmp_path / "truncated.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "已损坏" in err and "damaged" in err and "Traceback" not in err
    plain = tmp_path / "plain.gpkg"  # a GeoPackage that is not a case
    shutil.copyfile(ROAD, plain)
    with pytest.raises(CaseError) as e:
        open_case(plain)
    assert e.value.key == "case.not_a_case"


def test_newer_version_case_gives_a_clear_message(saved, tmp_path):
    _, path = saved
    p = tmp_path / "future.gpkg"
    shutil.copyfile(path, p)
    with sqlite3.connect(p) as con:
        con.execute("UPDATE case_meta SET value = '7' WHERE key = 'schema_version'")
    with pytest.raises(CaseError) as e:
        open_case(p)
    assert e.value.key == "case.newer_version"
    assert "较新版本" in str(e.value) and "newer program" in str(e.value) and "7" in str(e.value)
    _message_is_clean(e.value, tmp_path)


def test_an_older_schema_is_migrated_on_open(saved, tmp_path, monkeypatch):
    _, path = saved
    p = tmp_path / "old.gpkg"
    shutil.copyfile(path, p)
    before = p.read_bytes()

    def v1_to_v2(con):
        con.execute("INSERT INTO case_meta VALUES ('migrated', 'yes')")
        con.execute("UPDATE case_fields SET value = value || '（迁移）' WHERE field = 'project_name'")

    monkeypatch.setattr(case_mod, "CASE_SCHEMA_VERSION", 2)
    monkeypatch.setitem(case_mod.MIGRATIONS, 1, v1_to_v2)
    case = open_case(p)
    assert case.fields["project_name"] == "县道改建工程（迁移）"
    assert p.read_bytes() == before  # migrated on a copy: the file is untouched until saved
    case.save(tmp_path / "new.gpkg")
    with sqlite3.connect(tmp_path / "new.gpkg") as con:
        assert con.execute("SELECT value FROM case_meta WHERE key = 'schema_version'").fetchone()[0] == "2"


def test_a_failed_save_leaves_the_previous_file(saved, tmp_path, monkeypatch):
    _, path = saved
    p = tmp_path / "A.gpkg"
    shutil.copyfile(path, p)
    before = p.read_bytes()
    case = open_case(p)
    case.set_fields({"applicant": "某公路管理段"})

    def broken(case, tmp):
        tmp.write_bytes(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(case_mod, "_write", broken)
    with pytest.raises(InputError) as e:
        case.save()
    assert e.value.key == "output.cannot_write" and "No space left" in str(e.value)
    assert p.read_bytes() == before
    assert [f.name for f in tmp_path.iterdir()] == ["A.gpkg"]


def test_a_relative_catalog_and_a_catalog_without_file_are_rebuilt(tmp_path, monkeypatch):
    from ningxia_gis.paths import ROOT, SAMPLE_LAYERS
    monkeypatch.chdir(ROOT)
    for layers in ("sample_layers/catalog.toml", SAMPLE_LAYERS):  # a folder: roles guessed, no TOML file
        case = _case(layers=layers)
        path = case.save(tmp_path / "c.gpkg")
        again = open_case(path)
        assert again.catalog_problem == ""
        assert [s.id for s in again.catalog.layers] == [s.id for s in case.catalog.layers]
        assert result_json(run_review(again.request).data) == result_json(case.result.data)


def test_answers_are_kept_as_the_officer_gave_them(tmp_path):
    case = _case(facts={"unavoidable": "是"})
    again = open_case(case.save(tmp_path / "c.gpkg"))
    assert again.facts == {"unavoidable": "是"}
    assert result_json(run_review(again.request).data) == result_json(case.result.data)
