"""Log file for details the user is not shown (tracebacks of unexpected errors), and where the log and
the desktop settings live: the platform's standard per-user folders (the same ones Qt's QStandardPaths
and platformdirs name), or one folder given by ``NINGXIA_GIS_HOME`` (tests, portable use)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

APP = "ningxia_gis"


def _home_override() -> Path | None:
    env = os.environ.get("NINGXIA_GIS_HOME")
    return Path(env) if env else None


def _env_dir(var: str, default: Path) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else default


def log_dir() -> Path:
    """Windows %LOCALAPPDATA%\\ningxia_gis\\logs, macOS ~/Library/Logs/ningxia_gis,
    else $XDG_STATE_HOME/ningxia_gis (~/.local/state)."""
    home = _home_override()
    if home:
        return home
    if sys.platform == "win32":
        return _env_dir("LOCALAPPDATA", Path.home() / "AppData" / "Local") / APP / "logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / APP
    return _env_dir("XDG_STATE_HOME", Path.home() / ".local" / "state") / APP


def config_dir() -> Path:
    """Windows %APPDATA%\\ningxia_gis, macOS ~/Library/Application Support/ningxia_gis,
    else $XDG_CONFIG_HOME/ningxia_gis (~/.config)."""
    home = _home_override()
    if home:
        return home
    if sys.platform == "win32":
        return _env_dir("APPDATA", Path.home() / "AppData" / "Roaming") / APP
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP
    return _env_dir("XDG_CONFIG_HOME", Path.home() / ".config") / APP


def cache_dir() -> Path:
    """Copies that only make things faster (may be deleted at any time): Windows
    %LOCALAPPDATA%\\ningxia_gis\\cache, macOS ~/Library/Caches/ningxia_gis, else $XDG_CACHE_HOME/ningxia_gis."""
    home = _home_override()
    if home:
        return home / "cache"
    if sys.platform == "win32":
        return _env_dir("LOCALAPPDATA", Path.home() / "AppData" / "Local") / APP / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / APP
    return _env_dir("XDG_CACHE_HOME", Path.home() / ".cache") / APP


def settings_path() -> Path:
    """The desktop app's INI file; settings from the old ~/.ningxia_gis folder are taken over once."""
    path = config_dir() / "app_settings.ini"
    legacy = Path.home() / ".ningxia_gis" / "app_settings.ini"
    if not path.exists() and legacy.is_file() and _home_override() is None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(legacy.read_bytes())
        except OSError:
            pass
    return path


def log_path() -> Path:
    return log_dir() / "ningxia_gis.log"


def setup_logging() -> None:
    logger = logging.getLogger("ningxia_gis")
    if logger.handlers:
        return
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def capture_warnings() -> None:
    """Python and library warnings (geopandas, pyogrio …) go to the log file, never to the terminal:
    a one-line error must stay one line."""
    setup_logging()
    logging.captureWarnings(True)
    w = logging.getLogger("py.warnings")
    w.handlers = list(logging.getLogger("ningxia_gis").handlers)
    w.propagate = False
