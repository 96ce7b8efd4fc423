"""A yes/no JSON-schema test compiled once into closures: ~10× faster than jsonschema, which the batch
would otherwise run for 2 ms per case. It answers only whether an instance is valid; the messages come
from jsonschema, run when this says no. Only the keywords our schemas use are compiled; a schema with any
other keyword is refused (``UnsupportedSchema``), so the caller keeps using jsonschema for it.

The semantics are draft 2020-12's as jsonschema implements them (``integer`` includes 2.0, ``true`` is no
number and never equals 1); tests/test_schema_fast.py compares the two on real and mutated results."""

from __future__ import annotations

import numbers
from typing import Callable

Check = Callable[[object], bool]
_ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "default", "examples", "$defs"}


class UnsupportedSchema(ValueError):
    """The schema uses a keyword this module does not compile."""


def _is_number(v) -> bool:
    return isinstance(v, numbers.Number) and not isinstance(v, bool)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": _is_number,
    "integer": lambda v: not isinstance(v, bool) and (isinstance(v, int) or (isinstance(v, float) and v.is_integer())),
}


def equal(a, b) -> bool:
    """JSON equality as jsonschema's ``enum``/``const`` see it (booleans are not numbers)."""
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    return a == b


def compile_schema(schema: dict) -> Check:
    """``check(instance) -> bool`` for ``schema`` (its ``$ref``s must point into its own ``#/$defs``)."""
    refs: dict[str, Check] = {}

    def ref(target: str) -> Check:
        if not target.startswith("#/$defs/"):
            raise UnsupportedSchema(f"$ref {target}")
        name = target[len("#/$defs/"):]
        if name not in schema.get("$defs", {}):
            raise UnsupportedSchema(f"$ref {target}")
        if name not in refs:
            refs[name] = None  # a recursive reference resolves when called
            refs[name] = build(schema["$defs"][name])
        return lambda v: refs[name](v)

    def build(s) -> Check:
        if s is True:
            return lambda v: True
        if s is False:
            return lambda v: False
        if not isinstance(s, dict):
            raise UnsupportedSchema(repr(s)[:40])
        checks: list[Check] = []
        for key, val in s.items():
            if key in _ANNOTATIONS:
                continue
            checks.append(_keyword(key, val, build, ref))
        if not checks:
            return lambda v: True
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(c(v) for c in checks)

    return build(schema)


def _keyword(key: str, val, build, ref) -> Check:
    if key == "type":
        names = val if isinstance(val, list) else [val]
        if any(t not in _TYPES for t in names):
            raise UnsupportedSchema(f"type {val}")
        kinds = [_TYPES[t] for t in names]
        return kinds[0] if len(kinds) == 1 else (lambda v: any(k(v) for k in kinds))
    if key == "properties":
        props = [(name, build(sub)) for name, sub in val.items()]
        return lambda v: not isinstance(v, dict) or all(c(v[n]) for n, c in props if n in v)
    if key == "required":
        names = list(val)
        return lambda v: not isinstance(v, dict) or all(n in v for n in names)
    if key == "items":
        item = build(val)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)
    if key == "$ref":
        return ref(val)
    if key == "oneOf":
        subs = [build(sub) for sub in val]
        return lambda v: sum(1 for c in subs if c(v)) == 1
    if key == "enum":
        allowed = list(val)
        return lambda v: any(equal(v, a) for a in allowed)
    if key == "const":
        return lambda v: equal(v, val)
    if key == "minimum":
        return lambda v: not _is_number(v) or not v < val  # as jsonschema tests it: NaN passes
    if key == "maximum":
        return lambda v: not _is_number(v) or not v > val
    if key == "minLength":
        return lambda v: not isinstance(v, str) or len(v) >= val
    if key == "minItems":
        return lambda v: not isinstance(v, list) or len(v) >= val
    if key == "maxItems":
        return lambda v: not isinstance(v, list) or len(v) <= val
    raise UnsupportedSchema(key)
