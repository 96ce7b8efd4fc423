"""Console output that never fails on the characters we print (「m²」, Chinese) whatever the code page."""

from __future__ import annotations

import sys


def safe_console() -> None:
    """Replace what the console's encoding cannot show instead of raising UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
