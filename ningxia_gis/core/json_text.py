"""``json.dumps(obj, ensure_ascii=False, indent=1)``, byte for byte, 1.6× as fast.

With ``indent`` the standard library leaves its C encoder for a generator per container, which costs a
batch ~1 ms per case result. This writes the same text with one recursive function and the C string
encoder; anything it does not know (a key that is not a text, a value that is not JSON) goes to
``json.dumps``, which gives the same text or raises the same error."""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _text  # the C version when available

_INF = float("inf")


class _Unusual(Exception):
    pass


def _float(f: float) -> str:
    if f != f:
        return "NaN"
    if f == _INF:
        return "Infinity"
    if f == -_INF:
        return "-Infinity"
    return float.__repr__(f)


def dumps_indented(obj) -> str:
    """The JSON text of ``obj`` as ``json.dumps(obj, ensure_ascii=False, indent=1)`` writes it."""
    parts: list[str] = []
    add = parts.append

    def enc(o, nl: str) -> None:
        if isinstance(o, str):
            add(_text(o))
        elif o is None:
            add("null")
        elif o is True:
            add("true")
        elif o is False:
            add("false")
        elif isinstance(o, int):
            add(int.__repr__(o))
        elif isinstance(o, float):
            add(_float(o))
        elif isinstance(o, dict):
            if not o:
                add("{}")
                return
            inner = nl + " "
            sep = "{" + inner
            for k, v in o.items():
                if not isinstance(k, str):
                    raise _Unusual
                t = type(v)  # the common leaves inline: a call per value is half the time
                if t is str:
                    add(sep + _text(k) + ": " + _text(v))
                elif t is float:
                    add(sep + _text(k) + ": " + _float(v))
                elif t is int:
                    add(sep + _text(k) + ": " + int.__repr__(v))
                else:
                    add(sep + _text(k) + ": ")
                    enc(v, inner)
                sep = "," + inner
            add(nl + "}")
        elif isinstance(o, (list, tuple)):
            if not o:
                add("[]")
                return
            inner = nl + " "
            sep = "[" + inner
            for v in o:
                t = type(v)
                if t is str:
                    add(sep + _text(v))
                elif t is float:
                    add(sep + _float(v))
                else:
                    add(sep)
                    enc(v, inner)
                sep = "," + inner
            add(nl + "]")
        else:
            raise _Unusual

    try:
        enc(obj, "\n")
    except (_Unusual, RecursionError):
        return json.dumps(obj, ensure_ascii=False, indent=1)
    return "".join(parts)
