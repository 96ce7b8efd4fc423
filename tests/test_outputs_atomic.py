"""Every output format is written completely or not at all (review.outputs)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ningxia_gis.core.files import atomic_output
from ningxia_gis.core.scenarios import find_scenario
from ningxia_gis.domain.errors import InputError
from ningxia_gis.review import OUTPUTS, review_file, write_output, write_outputs
from ningxia_gis.review.outputs import Output

OLD = b"the previous report, which must survive\n"


@pytest.fixture(scope="module")
def result():
    sc = find_scenario("road_crossing_redline")
    return review_file(sc.footprint, activity=sc.activity, facts=sc.facts)


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("fmt", sorted(OUTPUTS))
def test_failure_inside_every_writer_keeps_the_previous_file(fmt, result, tmp_path, monkeypatch):
    target = tmp_path / f"out{OUTPUTS[fmt].suffixes[0]}"
    target.write_bytes(OLD)
    real = OUTPUTS[fmt]

    def half_then_fail(res, tmp, ctx):
        tmp.write_bytes(b"half a file")
        raise RuntimeError("disk full while painting")

    monkeypatch.setitem(OUTPUTS, fmt, Output(real.format, real.suffixes, real.label, half_then_fail))
    with pytest.raises(RuntimeError):
        write_output(fmt, result, target)
    assert target.read_bytes() == OLD
    assert _temps(tmp_path) == []


@pytest.mark.parametrize("fmt", ["json", "gpkg", "xlsx", "docx", "pdf"])
def test_real_writers_replace_the_file_whole(fmt, result, tmp_path):
    target = tmp_path / f"out.{fmt}"
    target.write_bytes(OLD)
    write_output(fmt, result, target)
    data = target.read_bytes()
    assert data != OLD and len(data) > 1000
    magic = {"json": b"{", "gpkg": b"SQLite format 3", "xlsx": b"PK", "docx": b"PK", "pdf": b"%PDF"}[fmt]
    assert data.startswith(magic)
    assert _temps(tmp_path) == []


def test_all_targets_are_checked_before_any_is_written(result, tmp_path):
    good = tmp_path / "r.json"
    with pytest.raises(InputError):
        write_outputs(result, {"json": good, "pdf": tmp_path / "r.docx"})
    assert not good.exists()


def test_an_input_is_never_overwritten(result, tmp_path):
    footprint = Path(result.data["footprint"]["source"])
    before = footprint.read_bytes()
    assert footprint.suffix == ".gpkg"
    with pytest.raises(InputError) as err:
        write_output("gpkg", result, footprint)
    assert "输入文件" in str(err.value) and str(footprint.parent) not in str(err.value)
    assert footprint.read_bytes() == before


_SLOW_WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from ningxia_gis.core.files import atomic_output
    with atomic_output(sys.argv[1]) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(b"partial")
            fh.flush()
            print("writing", flush=True)
            time.sleep(60)
""")


def test_kill_during_a_write_keeps_the_old_file_and_the_next_write_cleans_up(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(OLD)
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target)], stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert proc.stdout.readline().strip() == b"writing"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert target.read_bytes() == OLD
    assert len(_temps(tmp_path)) == 1  # the killed writer's temporary file …
    with atomic_output(target) as tmp:
        tmp.write_bytes(b"%PDF new")
    assert target.read_bytes() == b"%PDF new"
    assert _temps(tmp_path) == []  # … is removed by the next write to the same target


def test_a_live_writers_temp_file_is_left_alone(tmp_path):
    target = tmp_path / "a.json"
    with atomic_output(target) as outer:
        outer.write_text("1")
        with atomic_output(target) as inner:  # same process: its temp file is alive
            inner.write_text("2")
        assert outer.exists()
    assert target.read_text() == "1"
    assert _temps(tmp_path) == []


def test_an_input_is_never_overwritten_whatever_the_path_says(result, tmp_path):
    """The target is refused when it is an input by another spelling (a link to it, a detour through ..),
    and accepted when it only shares the name with one."""
    import copy

    from ningxia_gis.core.check import CheckResult

    (tmp_path / "sub").mkdir()
    (tmp_path / "other").mkdir()
    src = tmp_path / "footprint.json"
    src.write_bytes(OLD)
    (tmp_path / "link.json").symlink_to(src)
    data = copy.deepcopy(result.data)
    data["inputs"] = list(data["inputs"]) + [{"kind": "footprint", "path": str(tmp_path / "sub" / ".." / "footprint.json"),
                                              "sha256": "0" * 64}]
    res = CheckResult(data=data, epsg=result.epsg, footprint_geom=result.footprint_geom)
    for target in (src, tmp_path / "link.json", tmp_path / "other" / ".." / "footprint.json"):
        with pytest.raises(InputError) as e:
            write_output("json", res, target)
        assert e.value.key == "output.is_input"
    assert src.read_bytes() == OLD
    write_output("json", res, tmp_path / "other" / "footprint.json")
    assert (tmp_path / "other" / "footprint.json").stat().st_size > 1000
    data["inputs"][-1]["path"] = str(tmp_path / "link.json")  # the input is a link, the target its file
    with pytest.raises(InputError):
        write_output("json", res, src)
    assert src.read_bytes() == OLD


@pytest.mark.parametrize("created", [False, True])
def test_the_output_has_a_new_files_mode_and_a_failure_leaves_nothing(created, tmp_path):
    """``created``: the writer gets an empty file instead of a free name; either way the output is readable
    as any new file is (not mkstemp's 0600) and a failed write leaves the old file and no temporary one."""
    import stat
    target = tmp_path / "a.json"
    with atomic_output(target, created=created) as tmp:
        assert tmp.exists() == created and tmp.parent == tmp_path
        tmp.write_text("{}")
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    assert stat.S_IMODE(target.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    with pytest.raises(RuntimeError):
        with atomic_output(target, created=created) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "{}"
    assert _temps(tmp_path) == []
