#!/usr/bin/env bash
# Screenshots of the desktop app in a real X window (Xvfb + Qt's xcb platform): a training scenario is
# loaded and checked, then the app saves PNGs with Qt's own grab() into build/screenshots/ and quits.
#
#   tools/screenshot.sh [SCENARIO] [SCENARIO_EN]      (defaults: road_crossing_redline, mine_in_core_zone)
#   SCREENS="1366x768 1920x1080" tools/screenshot.sh   (screen sizes; one folder per size)
#
# The window is not sized by the script: it fits the screen as it would on an officer's laptop.
#
# Installs what it needs when missing (as root): xvfb, libxcb-icccm4, libxcb-keysyms1 (the xcb plugin's
# real gaps on Debian 12). No ImageMagick: it would pull in a system CJK font and hide a missing-font bug;
# the app must draw Chinese with its own shipped font.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
OUT=$ROOT/build/screenshots
SC_ZH=${1:-road_crossing_redline}
SC_EN=${2:-mine_in_core_zone}

need=()
command -v Xvfb >/dev/null || need+=(xvfb)
dpkg -s libxcb-icccm4 >/dev/null 2>&1 || need+=(libxcb-icccm4)
dpkg -s libxcb-keysyms1 >/dev/null 2>&1 || need+=(libxcb-keysyms1)
dpkg -s libxcb-cursor0 >/dev/null 2>&1 || need+=(libxcb-cursor0)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing: ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need[*]} (run: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
fi

SCREENS=${SCREENS:-"1366x768 1920x1080"}
mkdir -p "$OUT"
rm -rf "$OUT"/*.png "$OUT"/*x*/
HOME_DIR=$(mktemp -d)
XVFB_PID=
cleanup() { [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null || true; rm -rf "$HOME_DIR"; }
trap cleanup EXIT
unset PROJ_DATA PROJ_LIB
for SIZE in $SCREENS; do
  # a free display number
  for n in $(seq 91 120); do
    if [ ! -e /tmp/.X$n-lock ] && [ ! -e /tmp/.X11-unix/X$n ]; then DISP=$n; break; fi
  done
  Xvfb ":$DISP" -screen 0 "${SIZE}x24" -nolisten tcp >/dev/null 2>&1 &
  XVFB_PID=$!
  for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$DISP ] && break; sleep 0.1; done
  mkdir -p "$OUT/$SIZE"
  export DISPLAY=":$DISP" QT_QPA_PLATFORM=xcb NINGXIA_GIS_HOME="$HOME_DIR"
  "$PY" "$ROOT/main.py" --scenario "$SC_ZH" --lang zh --screenshot "$OUT/$SIZE" --no-restore
  "$PY" "$ROOT/main.py" --scenario "$SC_EN" --lang en --trainer --screenshot "$OUT/$SIZE" --no-restore
  kill "$XVFB_PID" 2>/dev/null || true
  wait "$XVFB_PID" 2>/dev/null || true
  XVFB_PID=
done
ls -lR "$OUT"
