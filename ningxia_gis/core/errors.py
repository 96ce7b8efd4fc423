"""Error types whose message is shown to the user as is (one line, no traceback)."""

from __future__ import annotations


class NingxiaGisError(Exception):
    """Base for every error the user should see as a plain message."""


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
