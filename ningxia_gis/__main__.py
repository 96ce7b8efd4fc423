"""`python -m ningxia_gis …` = `ningxia-gis …`."""

import sys

from .cli import main

sys.exit(main())
