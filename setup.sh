#!/usr/bin/env bash
# Set up ningxia_gis on a fresh Debian 12 machine: a virtual environment with everything installed.
#   ./setup.sh          runtime + test dependencies into .venv (pip's log: build/setup-pip.log)
# Never set PROJ_DATA / PROJ_LIB: pyogrio, rasterio and pyproj each bring their own proj.db.
set -euo pipefail
cd "$(dirname "$0")"
unset PROJ_DATA PROJ_LIB
PY=${PYTHON:-python3}
mkdir -p build
log=build/setup-pip.log
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
if ! { .venv/bin/python -m pip install --disable-pip-version-check -U pip &&
       .venv/bin/python -m pip install --disable-pip-version-check -e ".[dev]"; } >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "setup.sh: pip install failed (full log: $log)" >&2
  exit 1
fi
.venv/bin/python -c "import ningxia_gis, geopandas, PySide6; print('ningxia_gis', ningxia_gis.__version__, 'ready')"
