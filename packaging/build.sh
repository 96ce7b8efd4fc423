#!/usr/bin/env bash
# Build the PyInstaller one-folder bundle dist/ningxia_gis/ in a lean venv (the runtime requirements and
# PyInstaller only, no dev extras), then smoke-test the frozen folder. About 6-7 minutes on 2 cores.
#   packaging/build.sh               build + smoke test
#   packaging/build.sh --test-only   smoke-test an existing dist/ningxia_gis
# Logs: build/frozen/*.log. Needs the package index that setup.sh uses (for the venv, once).
set -euo pipefail
cd "$(dirname "$0")/.."
unset PROJ_DATA PROJ_LIB
PY=${PYTHON:-python3}
B=build/frozen
VENV=$B/venv
DIST=dist/ningxia_gis
mkdir -p "$B"
t0=$SECONDS

step() { echo "build.sh: $*" >&2; }
fail() { echo "build.sh: FAILED: $*" >&2; exit 1; }

if [ "${1:-}" != "--test-only" ]; then
  step "lean build venv ($VENV)"
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  rm -rf build/lib build/bdist.* ./*.egg-info  # setuptools' in-tree build folders keep deleted modules
  {
    "$VENV/bin/python" -m pip install --disable-pip-version-check -U pip &&
    "$VENV/bin/python" -m pip install --disable-pip-version-check ".[packaging]" &&
    # the project itself always afresh, non-editable (package data from the wheel, as users get it)
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-deps --force-reinstall .
  } >"$B/pip.log" 2>&1 || { tail -n 30 "$B/pip.log" >&2; fail "pip install (log: $B/pip.log)"; }
  for dev in pytest pygments hypothesis dask pyarrow fiona; do
    if "$VENV/bin/python" -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('$dev') is None)"; then
      fail "the build venv holds $dev: it would be bundled (rm -r $VENV and rerun)"
    fi
  done
  step "pyinstaller (log: $B/pyinstaller.log)"
  "$VENV/bin/pyinstaller" --noconfirm --clean --distpath dist --workpath "$B/work" packaging/ningxia_gis.spec \
    >"$B/pyinstaller.log" 2>&1 || { tail -n 40 "$B/pyinstaller.log" >&2; fail "pyinstaller"; }
  "$VENV/bin/python" packaging/collect_licenses.py "$DIST/licenses" >&2
  step "built in $((SECONDS - t0)) s, $(du -sh "$DIST" | cut -f1)"
fi

# ---- smoke test: run the frozen programs from a folder outside the checkout, with a clean environment
t1=$SECONDS
[ -x "$DIST/ningxia-gis" ] || [ -f "$DIST/ningxia-gis.exe" ] || fail "no $DIST/ningxia-gis"
DIST_ABS=$(cd "$DIST" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/ningxia_frozen.XXXXXX")
trap 'rm -rf "$W"' EXIT
run() {  # run NAME CMD...: a clean environment, output in $W/NAME.{out,err}
  local name=$1; shift
  local rc=0
  (cd "$W" && env -i PATH=/usr/bin:/bin HOME="$W/home" LANG=C.UTF-8 NINGXIA_GIS_HOME="$W/home" \
     QT_QPA_PLATFORM=offscreen ${EXTRA_ENV:-} timeout 300 "$@" >"$W/$name.out" 2>"$W/$name.err") || rc=$?
  if [ "$rc" -ne 0 ]; then tail -n 30 "$W/$name.err" >&2; fail "$name: $* (rc=$rc)"; fi
}
CLI=$DIST_ABS/ningxia-gis
run version "$CLI" --version
grep -q "0\.\|[0-9]\.[0-9]" "$W/version.out" || fail "--version printed: $(cat "$W/version.out")"
run demo "$CLI" check --demo --report x.pdf --docx x.docx --xlsx x.xlsx --gpkg x.gpkg --json x.json
grep -q "生态保护红线" "$W/demo.out" || fail "check --demo printed no summary"
head -c 5 "$W/x.pdf" | grep -q "%PDF-" || fail "x.pdf is not a PDF"
for f in x.docx x.xlsx; do head -c 2 "$W/$f" | grep -q "PK" || fail "$f is not an Office file"; done
[ "$(stat -c %s "$W/x.pdf")" -gt 100000 ] || fail "x.pdf is too small"
head -c 16 "$W/x.gpkg" | grep -q "SQLite format 3" || fail "x.gpkg is not a GeoPackage"
# a redirected stdout in a GBK (cp936) locale, as on Chinese Windows: 「m²」 must not crash the program
# (the frozen interpreter ignores PYTHONIOENCODING, so build a zh_CN.GBK locale for it)
mkdir -p "$W/locale"
localedef -i zh_CN -f GBK "$W/locale/zh_CN.GBK" >/dev/null 2>&1 || true  # exits 1 on mere warnings
if [ "$(env -i LOCPATH="$W/locale" LANG=zh_CN.GBK locale charmap 2>/dev/null)" = "GBK" ]; then
  EXTRA_ENV="LOCPATH=$W/locale LANG=zh_CN.GBK" run gbk "$CLI" check --demo
  # decoded to a file, not piped: with pipefail `iconv | grep -q` fails when grep exits before iconv ends
  if ! iconv -f GBK -t UTF-8 "$W/gbk.out" >"$W/gbk.utf8" || ! grep -q "生态保护红线.*占用" "$W/gbk.utf8"; then
    head -n 3 "$W/gbk.out" | od -c | head -n 8 >&2
    fail "the GBK-locale output is not GBK text with the 生态保护红线 summary"
  fi
else
  step "no usable zh_CN.GBK locale (localedef/locales missing): GBK console test skipped"
fi
run convert "$CLI" footprint convert "$DIST_ABS/_internal/ningxia_gis/sample_layers/footprints/road_crossing_redline.gpkg" fp.txt
grep -q "\[地块坐标\]" <(iconv -f GBK -t UTF-8 "$W/fp.txt") || fail "footprint convert wrote no 界址点 TXT"
run app "$DIST_ABS/ningxia-gis-app" --scenario road_crossing_redline --screenshot shots --no-restore
ls "$W"/shots/*.png >/dev/null 2>&1 || fail "the app saved no screenshot"
for f in LICENSE THIRD_PARTY_NOTICES.md licenses/LGPL-3.0.txt licenses/packages.txt; do
  [ -s "$DIST/$f" ] || fail "$DIST/$f is missing"
done
if find "$DIST/_internal" -maxdepth 1 \( -name "pytest*" -o -name "_pytest" -o -name "pygments" \) | grep -q .; then
  fail "dev packages were bundled"
fi
step "smoke test passed in $((SECONDS - t1)) s (total $((SECONDS - t0)) s)"
