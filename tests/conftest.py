"""Test set-up: Qt offscreen and matplotlib Agg before anything imports them."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("NINGXIA_GIS_HOME", os.path.join(os.path.dirname(__file__), "..", "build", "test-home"))
os.environ.pop("PROJ_DATA", None)
os.environ.pop("PROJ_LIB", None)
