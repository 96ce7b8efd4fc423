"""The entry points the installed commands and the frozen bundle use."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import ningxia_gis
from ningxia_gis import entry

REPO = Path(__file__).resolve().parents[1]


def test_entry_module_is_light():
    code = "import sys, ningxia_gis.entry; print(sorted(m for m in ('geopandas', 'PySide6', 'shapely') if m in sys.modules))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert r.stdout.strip() == "[]"


def test_cli_calls_freeze_support_first(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(multiprocessing, "freeze_support", lambda: calls.append("freeze_support"))
    try:  # argparse's --version exits; a hand-made fast path may return 0
        rc = entry.cli(["--version"])
    except SystemExit as exc:
        rc = exc.code
    assert rc in (0, None) and calls == ["freeze_support"]
    assert ningxia_gis.__version__ in capsys.readouterr().out


def test_python_m_ningxia_gis(tmp_path):
    r = subprocess.run([sys.executable, "-m", "ningxia_gis", "--version"], capture_output=True, text=True,
                       cwd=tmp_path, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0 and ningxia_gis.__version__ in r.stdout


def test_frozen_entry_scripts_use_absolute_imports():
    for script in ("cli_entry.py", "app_entry.py"):
        text = (REPO / "packaging" / script).read_text(encoding="utf-8")
        assert "from ningxia_gis.entry import" in text and "from ." not in text
        assert "freeze_support" in (REPO / "ningxia_gis" / "entry.py").read_text(encoding="utf-8")
    spec = (REPO / "packaging" / "ningxia_gis.spec").read_text(encoding="utf-8")
    assert 'analysis("app_entry.py")' in spec and 'analysis("cli_entry.py")' in spec
