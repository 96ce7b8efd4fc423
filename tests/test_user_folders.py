"""Log and settings in the platform's standard per-user folders (NINGXIA_GIS_HOME overrides both)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ningxia_gis import logs


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for var in ("NINGXIA_GIS_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "APPDATA", "LOCALAPPDATA"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path / "user"))
    return tmp_path / "user"


def test_windows_uses_appdata(monkeypatch, clean_env, tmp_path):
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert logs.log_path() == tmp_path / "Local" / "ningxia_gis" / "logs" / "ningxia_gis.log"
    assert logs.settings_path() == tmp_path / "Roaming" / "ningxia_gis" / "app_settings.ini"


def test_linux_uses_xdg(monkeypatch, clean_env, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    assert logs.log_dir() == clean_env / ".local" / "state" / "ningxia_gis"
    assert logs.config_dir() == clean_env / ".config" / "ningxia_gis"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert logs.settings_path() == tmp_path / "cfg" / "ningxia_gis" / "app_settings.ini"


def test_macos(monkeypatch, clean_env):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert logs.log_dir() == clean_env / "Library" / "Logs" / "ningxia_gis"
    assert logs.config_dir() == clean_env / "Library" / "Application Support" / "ningxia_gis"


def test_override_and_old_settings_taken_over(monkeypatch, clean_env, tmp_path):
    monkeypatch.setattr(sys, "platform", "linux")
    old = clean_env / ".ningxia_gis" / "app_settings.ini"
    old.parent.mkdir(parents=True)
    old.write_text("[General]\nlang=en\n", encoding="utf-8")
    new = logs.settings_path()
    assert new.read_text(encoding="utf-8") == "[General]\nlang=en\n" and new != old
    monkeypatch.setenv("NINGXIA_GIS_HOME", str(tmp_path / "portable"))
    assert logs.log_path().parent == logs.settings_path().parent == tmp_path / "portable"
