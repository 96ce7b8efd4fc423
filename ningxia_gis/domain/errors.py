"""Error types whose message is shown to the user as is (one line, no traceback)."""

from __future__ import annotations

from . import messages


class NingxiaGisError(Exception):
    """Base for every error the user should see as a plain message.

    Raise with a message-catalog key and its fields (``FootprintError("footprint.not_found", path=p)``);
    ``str(err)`` is the bilingual text, ``err.text("en")`` one language."""

    def __init__(self, key: str = "", **fields):
        self.key = key if messages.has(key) else None
        self.fields = fields
        super().__init__(self.text())

    def text(self, lang: str = "both") -> str:
        if self.key is None:  # free text (not from the catalog)
            return self.args[0] if self.args else ""
        return messages.text(self.key, lang, **self.fields)


class InputError(NingxiaGisError):
    """A file or value the user gave cannot be used (missing, unreadable, malformed)."""


class CRSError(NingxiaGisError):
    """A coordinate reference system is missing, unsupported or inconsistent."""


class FootprintError(InputError):
    """The project footprint cannot be read or is not a usable polygon."""


class CatalogError(InputError):
    """The layer catalog is malformed or names a missing file."""


class RuleError(NingxiaGisError):
    """The rule base is malformed."""


class Cancelled(NingxiaGisError):
    """The user cancelled a running check or export."""
