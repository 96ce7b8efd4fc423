#!/usr/bin/env bash
# Debian packages used by the tests and screenshots: poppler-utils (pdftoppm/pdftotext/pdffonts),
# xvfb + xcb libraries (real-window screenshots), gdal-bin (ogrinfo: the GeoPackage test). Installs only what is missing; needs root.
set -euo pipefail
need=()
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v Xvfb >/dev/null || need+=(xvfb)
command -v ogrinfo >/dev/null || need+=(gdal-bin)
dpkg -s libxcb-icccm4 >/dev/null 2>&1 || need+=(libxcb-icccm4)
dpkg -s libxcb-keysyms1 >/dev/null 2>&1 || need+=(libxcb-keysyms1)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing Debian packages: ${need[*]} (run as root: apt-get install ${need[*]})" >&2
  fi
fi
