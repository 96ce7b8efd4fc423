"""Log file for details the user is not shown (tracebacks of unexpected errors)."""

from __future__ import annotations

import logging
import os
from pathlib import Path


def log_path() -> Path:
    base = Path(os.environ.get("NINGXIA_GIS_HOME", Path.home() / ".ningxia_gis"))
    return base / "ningxia_gis.log"


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
