"""`python -m ningxia_gis.cli …` = `ningxia-gis …`."""

import sys

from . import main

sys.exit(main())
