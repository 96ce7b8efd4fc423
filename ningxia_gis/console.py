"""Console output that never crashes on the encoding.

On Chinese Windows a redirected or piped stdout uses the ANSI code page (cp936/GBK), which has no 「²」;
a strict encoder would abort the program with UnicodeEncodeError and leave an empty output file.
`safe_console()` keeps the stream's encoding (so a file opened in Notepad still reads right) and only
changes the error handler: ² and ³ become 2 and 3, anything else the code page lacks becomes "?".
"""

from __future__ import annotations

import codecs
import sys

_SPELLED = {"²": "2", "³": "3", "\u2212": "-", "\u2014": "-", "\u2013": "-"}
ERRORS = "ningxia_gis_replace"


def _replace(exc: UnicodeError):
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(_SPELLED.get(ch, "?") for ch in bad), exc.end


codecs.register_error(ERRORS, _replace)


def _encodes_everything(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "ascii").name in ("utf-8", "utf-16", "utf-32", "gb18030")
    except LookupError:
        return False


def safe_console() -> None:
    """Reconfigure sys.stdout/sys.stderr (text streams only; idempotent) with the lenient error handler."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name, None)
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None or _encodes_everything(getattr(stream, "encoding", None)):
            continue  # None when frozen without a console; UTF-8 can write anything
        try:
            reconfigure(errors=ERRORS)
        except (ValueError, OSError):  # a closed or detached stream: nothing to protect
            pass
