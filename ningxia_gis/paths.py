"""Where the shipped resources and sample data live: package data inside `ningxia_gis/`.

The one place that knows the layout. The same relative location works in a checkout (editable
install), an installed wheel and a PyInstaller bundle (which collects the package data next to the
frozen modules), so nothing here depends on how the program was installed.
"""

from __future__ import annotations

import os
from pathlib import Path


def _root() -> Path:
    env = os.environ.get("NINGXIA_GIS_ROOT")  # a folder holding resources/ and sample_layers/
    if env:
        return Path(env)
    return Path(__file__).resolve().parent


ROOT = _root()
RESOURCES = ROOT / "resources"
SAMPLE_LAYERS = ROOT / "sample_layers"
SAMPLE_CATALOG = SAMPLE_LAYERS / "catalog.toml"
SAMPLE_FOOTPRINTS = SAMPLE_LAYERS / "footprints"
SCENARIOS = SAMPLE_LAYERS / "scenarios.toml"
RULES_DIR = RESOURCES / "rules"
STYLES_DIR = RESOURCES / "styles"
FONTS_DIR = RESOURCES / "fonts"
MESSAGES_DIR = RESOURCES / "messages"
ICONS_DIR = RESOURCES / "icons"
