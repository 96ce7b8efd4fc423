"""PyInstaller script of the frozen `ningxia-gis` command (a script, so absolute imports only)."""

import sys

from ningxia_gis.entry import cli

if __name__ == "__main__":
    sys.exit(cli())
