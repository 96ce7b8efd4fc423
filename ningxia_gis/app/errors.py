"""One way to turn an exception into words for the user: `user_message`, and the `guarded` slot wrapper
that every window action goes through instead of its own try/except.

A `NingxiaGisError` shows its catalog text in the UI language; anything else is logged with its traceback
and shown as 「程序内部错误…」 with the log's file name — never an exception class name or a path."""

from __future__ import annotations

import functools
import logging
import re
import traceback

from ..domain import messages
from ..domain.errors import Cancelled, NingxiaGisError
from ..logs import log_path
from . import i18n

log = logging.getLogger("ningxia_gis.app")


_ABS_PATH = re.compile(r"""(?:[A-Za-z]:)?[\\/](?:[^\s'"“”「」：:，,;；()（）\\/]+[\\/])+([^\s'"“”「」：:，,;；()（）\\/]+)""")


def without_paths(text: str) -> str:
    """Absolute paths in a message reduced to their file names (a message never shows internal paths)."""
    return _ABS_PATH.sub(r"\1", text)


def user_message(exc: BaseException) -> str:
    """The text shown for ``exc`` in the current UI language."""
    if isinstance(exc, NingxiaGisError):
        return without_paths(exc.text(i18n.language()) if exc.key else str(exc))
    if isinstance(exc, MemoryError):
        return messages.text("app.out_of_memory", i18n.language())
    return messages.text("app.internal", i18n.language(), log=log_path())


def failed_text(what: str, exc: BaseException) -> str:
    return messages.text("app.failed", i18n.language(), what=what, reason=user_message(exc))


def guarded(what_key: str | None = None):
    """Decorate a window method: errors become one dialog (``self.error``), never a traceback.

    ``what_key`` is an i18n key naming the step (「导出」, 「打印」 …) put before the reason."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(self, *args, **kwargs):
            try:
                return fn(self, *args, **kwargs)
            except Cancelled:
                return None
            except Exception as exc:  # noqa: BLE001 - every error ends in a message, never a crash
                details = ""
                if not isinstance(exc, NingxiaGisError):
                    log.exception("%s failed", fn.__name__)
                    details = traceback.format_exc()
                else:
                    log.info("%s: %s", fn.__name__, exc)
                text = failed_text(i18n.tr(what_key), exc) if what_key else user_message(exc)
                getattr(self, "w", self).error(text, details)  # a window or one of its controllers
                return None
        return wrapper
    return deco
