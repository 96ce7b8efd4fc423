"""The one officer-facing citation of a rule's source: document, 文号 and article.

``cite(source, section)`` → 「《关于加强生态保护红线管理的实施意见》（宁党办〔2023〕63号）二（一）2」.
The seed file and line are not part of it: they stay in the JSON trace (``source.file``, ``source.line``).
"""

from __future__ import annotations

from typing import Any, Mapping


def _get(source: Any, key: str) -> Any:
    if isinstance(source, Mapping):
        return source.get(key)
    return getattr(source, key, None)


def cite(source: Any, section: str | None = None) -> str:
    """Citation of ``source`` (a :class:`~ningxia_gis.rules.model.Source`, or a ``source`` block of a verdict)
    at ``section`` (default: the block's own ``section``).

    The 文号 is given in full-width brackets after the title; a draft says so unless its title does; a
    document without 文号 is cited by its title alone.
    """
    if source is None:
        return ""
    title = _get(source, "title") or _get(source, "doc") or ""
    number = _get(source, "doc_number")
    if section is None:
        section = _get(source, "section")
    parts = f"《{title}》"
    bracket = number or ""
    if _get(source, "draft") and "征求意见稿" not in title:
        bracket = "，".join(x for x in (bracket, "征求意见稿") if x)
    if bracket:
        parts += f"（{bracket}）"
    if section:
        parts += str(section)
    return parts
