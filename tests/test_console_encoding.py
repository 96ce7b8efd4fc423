"""Console output never crashes on the encoding: with stdout redirected under cp936 (Chinese Windows'
ANSI code page) the summary's 「m²」 is written as m2 and the rest stays readable GBK."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from ningxia_gis.console import safe_console

REPO = Path(__file__).resolve().parents[1]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(REPO), **extra)
    return env


def test_check_demo_under_cp936_redirected(tmp_path):
    r = subprocess.run([sys.executable, "-m", "ningxia_gis", "check", "--demo"], capture_output=True, cwd=tmp_path,
                       env=_env(PYTHONIOENCODING="cp936", NINGXIA_GIS_HOME=str(tmp_path)), timeout=300)
    assert r.returncode == 0, r.stderr.decode("gbk", "replace")
    text = r.stdout.decode("gbk")  # valid GBK throughout
    assert "生态保护红线" in text and " m2 " in text.replace("m2)", "m2 ") and "²" not in text


def test_strict_cp936_without_the_helper_would_crash(tmp_path):
    """The failure the helper prevents (so the test above cannot pass by accident)."""
    code = "import sys; sys.stdout.write('780,037.51 m²\\n')"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, env=_env(PYTHONIOENCODING="cp936"))
    assert r.returncode != 0 and b"UnicodeEncodeError" in r.stderr


def test_safe_console_keeps_the_code_page_and_replaces(monkeypatch):
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp936", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    safe_console()
    safe_console()  # idempotent
    print("面积 12.5 m² ∑ 𝑥", file=stream)
    stream.flush()
    assert raw.getvalue().decode("gbk") == "面积 12.5 m2 ∑ ?\n"
    assert stream.encoding == "cp936"


def test_utf8_streams_are_left_alone(monkeypatch):
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    monkeypatch.setattr(sys, "stdout", stream)
    safe_console()
    assert stream.errors == "strict"
