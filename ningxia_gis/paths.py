"""Where the shipped resources and sample data live (next to the package in a checkout)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _root() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller bundle
    if frozen:
        return Path(frozen)
    env = os.environ.get("NINGXIA_GIS_ROOT")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent


ROOT = _root()
RESOURCES = ROOT / "resources"
SAMPLE_LAYERS = ROOT / "sample_layers"
SAMPLE_CATALOG = SAMPLE_LAYERS / "catalog.toml"
SAMPLE_FOOTPRINTS = SAMPLE_LAYERS / "footprints"
SCENARIOS = SAMPLE_LAYERS / "scenarios.toml"
RULES_DIR = RESOURCES / "rules"
STYLES_DIR = RESOURCES / "styles"
FONTS_DIR = RESOURCES / "fonts"
