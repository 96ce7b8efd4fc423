#!/usr/bin/env bash
# Set up ningxia_gis on a fresh Debian 12 machine: a virtual environment with everything installed.
#   ./setup.sh          runtime + test dependencies into .venv
# Never set PROJ_DATA / PROJ_LIB: pyogrio, rasterio and pyproj each bring their own proj.db.
set -euo pipefail
cd "$(dirname "$0")"
unset PROJ_DATA PROJ_LIB
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev]" 2>&1 | grep -v -e "^WARNING: Location" -e "BuildBackendWarning" || true
.venv/bin/python -c "import ningxia_gis, geopandas, PySide6; print('ningxia_gis', ningxia_gis.__version__, 'ready')"
