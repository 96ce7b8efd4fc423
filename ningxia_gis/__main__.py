"""`python -m ningxia_gis …` is the `ningxia-gis` command."""

import sys

from ningxia_gis.entry import cli

sys.exit(cli())
