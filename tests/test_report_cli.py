"""`ningxia-gis report RESULT.json --pdf …` and `ningxia-gis check … --report OUT.pdf`."""

import json

import pytest

from ningxia_gis.cli import main
from ningxia_gis.review import review_file
from ningxia_gis.review import write_output
from ningxia_gis.core.scenarios import find_scenario


@pytest.fixture(scope="module")
def result_json(tmp_path_factory):
    p = tmp_path_factory.mktemp("cli") / "r.json"
    write_output("json", review_file(find_scenario("nothing_touched").footprint), p)
    return p


def test_report_command_writes_all(result_json, tmp_path, capsys):
    out = {k: tmp_path / f"r.{k}" for k in ("pdf", "docx", "xlsx", "gpkg")}
    rc = main(["report", str(result_json), "--pdf", str(out["pdf"]), "--docx", str(out["docx"]),
               "--xlsx", str(out["xlsx"]), "--gpkg", str(out["gpkg"]), "--case-number", "CLI-1",
               "--reviewer", "李四", "--no-layer-files"])
    assert rc == 0
    for p in out.values():
        assert p.exists() and p.stat().st_size > 1000
    assert "PDF →" in capsys.readouterr().out
    assert out["pdf"].read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("argv, msg", [
    (["report", "{json}"], "nothing to write"),
    (["report", "{json}", "--pdf", "{tmp}/x.docx"], "needs a .pdf"),
    (["report", "{tmp}/missing.json", "--pdf", "{tmp}/x.pdf"], "not found"),
    (["report", "{tmp}/bad.json", "--pdf", "{tmp}/x.pdf"], "not a check result"),
])
def test_report_command_errors(result_json, tmp_path, capsys, argv, msg):
    (tmp_path / "bad.json").write_text(json.dumps({"a": 1}), encoding="utf-8")
    rc = main([a.format(json=result_json, tmp=tmp_path) for a in argv])
    assert rc == 2
    assert msg in capsys.readouterr().err


def test_check_report_options(tmp_path):
    pdf, xlsx = tmp_path / "c.pdf", tmp_path / "c.xlsx"
    rc = main(["check", str(find_scenario("nothing_touched").footprint), "--report", str(pdf), "--xlsx", str(xlsx),
               "--project-name", "测试物流点", "--applicant", "某物流公司"])
    assert rc == 0 and pdf.exists() and xlsx.exists()
