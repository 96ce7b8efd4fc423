"""The wheel holds everything a user needs: built from the committed sources, installed (not editable)
into a fresh venv under tmp, `ningxia-gis check --demo` runs there from a folder outside the checkout.

The fresh venv gets no package index: the dependencies are the ones of the venv running the tests (made
visible with a .pth line, which does not activate that venv's editable install), so the test is offline
and takes about half a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _committed_tree(dest: Path) -> Path:
    """Copy the files git knows (tracked or staged) so stray build outputs cannot leak into the wheel."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached"], cwd=REPO, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for f in filter(None, files):
        src = REPO / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = _committed_tree(tmp / "src")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(tmp / "dist"), str(src)], check=True, capture_output=True)
    (whl,) = (tmp / "dist").glob("ningxia_gis-*.whl")
    return whl


def test_wheel_holds_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    tracked = subprocess.run(["git", "ls-files", "ningxia_gis/resources", "ningxia_gis/sample_layers"],
                             cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    assert tracked and not [f for f in tracked if f not in names]
    assert not [n for n in names if n.startswith(("tests/", "tools/", "benchmarks/"))]


def test_wheel_installs_into_a_fresh_venv_and_runs_the_demo(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--ignore-installed",
                    str(wheel)], check=True, capture_output=True)
    # then the dependencies from the test venv, after the fresh venv's own site-packages (written after the
    # install, or pip would take the test venv's ningxia-gis metadata for an installed copy)
    Path(site, "deps_from_test_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NINGXIA_GIS_ROOT", "VIRTUAL_ENV")}
    env["NINGXIA_GIS_HOME"] = str(tmp_path / "home")
    work = tmp_path / "work"
    work.mkdir()
    r = subprocess.run([str(py), "-c", "import ningxia_gis.paths as p; print(p.__file__); print(p.SCENARIOS)"],
                       cwd=work, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    where = r.stdout.split("\n")
    assert Path(where[0]).is_relative_to(venv) and Path(where[1]).is_file(), where

    exe = venv / ("Scripts/ningxia-gis.exe" if os.name == "nt" else "bin/ningxia-gis")
    r = subprocess.run([str(exe), "check", "--demo", "--json", "demo.json", "--lang", "en"], cwd=work, env=env,
                       capture_output=True, text=True, encoding="utf-8", timeout=300)
    assert r.returncode == 0, r.stderr
    assert "m²" in r.stdout and (work / "demo.json").stat().st_size > 10_000
