"""`python main.py` opens the desktop app (with the sample layers when nothing else is configured).

Same as the `ningxia-gis-app` command; see `ningxia_gis/app/main_window.py` for the options.
"""

import sys

from ningxia_gis.app.main_window import run

if __name__ == "__main__":
    sys.exit(run())
