"""Entry points used by the installed commands and the PyInstaller bundle (absolute imports only).

`cli()` and `app()` first call `multiprocessing.freeze_support()` (a frozen Windows program started as
a spawn worker must run the worker, not the command line again) and make the console output
encoding-safe, then import the real program. Kept import-light so `--version` stays fast.
"""

from __future__ import annotations

import multiprocessing
import sys


def _prepare() -> None:
    multiprocessing.freeze_support()
    from ningxia_gis.console import safe_console

    safe_console()


def cli(argv: list[str] | None = None) -> int:
    """The `ningxia-gis` command."""
    _prepare()
    from ningxia_gis.cli import main

    return main(argv)


def app(argv: list[str] | None = None) -> int:
    """The `ningxia-gis-app` desktop program."""
    _prepare()
    from ningxia_gis.app.main_window import run

    return run(argv)


if __name__ == "__main__":
    sys.exit(cli())
