"""The one catalog of user-facing messages, Chinese with English.

Messages live in ``resources/messages/*.toml`` (one file per area, so the catalog grows without edits to
code); each entry is ``["key"] zh = "…{name}…" en = "…{name}…"``. Errors raised with a catalog key carry
both languages; no message ever shows an exception class name or an internal path."""

from __future__ import annotations

import functools
import tomllib
from pathlib import Path, PurePath

from ..paths import RESOURCES

MESSAGES_DIR = RESOURCES / "messages"


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """Every message: key → {"zh": …, "en": …}; a key defined twice is an error."""
    out: dict[str, dict[str, str]] = {}
    for f in sorted(MESSAGES_DIR.glob("*.toml")):
        with f.open("rb") as fh:
            for key, entry in tomllib.load(fh).items():
                if key in out:
                    raise ValueError(f"message key {key!r} defined twice ({f.name})")
                out[key] = entry
    return out


def shown(value) -> str:
    """How a value appears in a message: a path as its file name only."""
    if isinstance(value, PurePath):
        return value.name or str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _fill(template: str, kw: dict) -> str:
    return template.format_map({k: shown(v) for k, v in kw.items()})


def has(key: str) -> bool:
    return key in catalog()


def text(key: str, lang: str = "both", **kw) -> str:
    """The message ``key`` in ``lang`` ("zh", "en" or "both" = 「中文 (English)」)."""
    entry = catalog()[key]
    zh, en = _fill(entry["zh"], kw), _fill(entry["en"], kw)
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return zh if zh == en else f"{zh} ({en})"


def path_name(p) -> str:
    return shown(Path(p))
