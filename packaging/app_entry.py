"""PyInstaller script of the frozen `ningxia-gis-app` desktop program (absolute imports only)."""

import sys

from ningxia_gis.entry import app

if __name__ == "__main__":
    sys.exit(app())
