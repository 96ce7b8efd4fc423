"""`ningxia-gis footprint inspect` / `convert`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from ningxia_gis.footprint_io import load_footprint, report_of
from ningxia_gis.footprint_io.cli import add_footprint_subcommand, main

DATA = Path(__file__).parent / "data" / "footprints"


def test_inspect_prints_report(capsys):
    assert main(["footprint", "inspect", str(DATA / "multi_parcel.txt")]) == 0
    out = capsys.readouterr().out
    assert "EPSG:4523" in out
    assert "地块 / parcels: 2" in out and "圈 / rings: 4" in out and "界址点 / vertices: 16" in out
    assert "2.7700 公顷" in out
    assert "一号地块" in out


def test_inspect_json(capsys):
    assert main(["footprint", "inspect", str(DATA / "swapped_columns.txt"), "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["parcel_count"] == 1 and rep["planar_m2"] == pytest.approx(10000.0)
    assert any("swapped" in w for w in rep["warnings"])


def test_inspect_error_is_one_line(capsys):
    assert main(["footprint", "inspect", str(DATA / "bad_text_in_number.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误 / error: bad_text_in_number.txt 第 16 行：")  # Chinese, then the English
    assert "(bad_text_in_number.txt line 16: X coordinate '4142900.OOO' is not a number)" in err
    assert err.count("\n") == 1
    assert main(["footprint", "inspect", str(DATA / "nope.txt")]) == 2
    assert "not found" in capsys.readouterr().err


def test_inspect_options(capsys):
    assert main(["footprint", "inspect", str(DATA / "xian80.txt"), "--allow-legacy-datum"]) == 0
    assert "WITHOUT a datum transformation" in capsys.readouterr().out
    assert main(["footprint", "inspect", str(DATA / "bad_outside_ningxia.txt"), "--no-range-check"]) == 0
    assert main(["footprint", "inspect", str(DATA / "utf8_bom_noprefix.txt"), "--crs", "EPSG:4544"]) == 0
    assert main(["footprint", "inspect", str(DATA / "table_gbk.csv"), "-o", "bad"]) == 2


def test_convert(tmp_path, capsys):
    out = tmp_path / "o.dxf"
    assert main(["footprint", "convert", str(DATA / "standard_gbk.txt"), str(out)]) == 0
    assert "o.dxf" in capsys.readouterr().out
    txt = tmp_path / "back.txt"
    assert main(["footprint", "convert", str(out), str(txt), "--out-encoding", "utf-8"]) == 0
    assert txt.read_bytes().decode("utf-8").startswith("[属性描述]")
    assert report_of(load_footprint(txt)).planar_m2 == pytest.approx(19200.0)
    assert main(["footprint", "convert", str(DATA / "standard_gbk.txt"), str(tmp_path / "x.doc")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_registers_on_a_parent_parser():
    parser = argparse.ArgumentParser(prog="ningxia-gis")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("check")
    add_footprint_subcommand(sub)
    ns = parser.parse_args(["footprint", "convert", "a.txt", "b.gpkg", "--crs", "EPSG:4523", "--to-crs", "4545"])
    assert ns.func.__name__ == "cmd_convert" and ns.crs == "EPSG:4523" and ns.to_crs == "4545"


def test_main_cli_has_footprint(capsys):
    cli = pytest.importorskip("ningxia_gis.cli")
    assert cli.main(["footprint", "inspect", str(DATA / "zone36.txt")]) == 0
    assert "EPSG:4524" in capsys.readouterr().out
