"""Pinyin initials for the activity search (公路 → "gl"), from the table shipped in
resources/pinyin/initials.toml (made by tools/make_pinyin_table.py; no pinyin library at run time)."""

from __future__ import annotations

import functools
import tomllib

from ..paths import RESOURCES

TABLE = RESOURCES / "pinyin" / "initials.toml"


@functools.lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    with TABLE.open("rb") as f:
        return tomllib.load(f)["initials"]


def initials(text: str) -> str:
    """The pinyin initials of the Chinese characters of ``text`` (other characters are left out)."""
    t = _table()
    return "".join(t.get(c, "") for c in text)
