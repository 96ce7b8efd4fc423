"""A saved check result (``check --json``) validated against resources/schema/check_result.schema.json,
with a message naming the field (``layers[0].area.ellipsoidal_m2``) instead of a Python exception later."""

from __future__ import annotations

import functools
import json
import logging

from ..domain.errors import InputError
from ..paths import RESOURCES
from .schema_fast import UnsupportedSchema, compile_schema

_TYPES_ZH = {"object": "对象", "array": "数组", "string": "文本", "number": "数值", "integer": "整数",
             "boolean": "true/false", "null": "null"}
_TYPES_EN = {"object": "an object", "array": "an array", "string": "a text", "number": "a number",
             "integer": "a whole number", "boolean": "true or false", "null": "null"}
# bounds the tool's own rounding can cross (share_of_footprint 1.000123 of a dissolved ellipsoidal overlap)
_SOFT = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}


@functools.lru_cache(maxsize=1)
def _schema() -> dict:
    return json.loads((RESOURCES / "schema" / "check_result.schema.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def validator():
    """The jsonschema validator of the check result schema (its messages name the field at fault)."""
    import jsonschema
    cls = jsonschema.validators.validator_for(_schema())
    return cls(_schema())


@functools.lru_cache(maxsize=1)
def _fast_check():
    try:
        return compile_schema(_schema())
    except UnsupportedSchema:
        return None


def conforms(data) -> bool:
    """Whether ``data`` matches the check result schema, without any message (the quick test every result
    passes before it is written; ``validator()`` says what is wrong when this says no)."""
    fast = _fast_check()
    return fast(data) if fast is not None else next(validator().iter_errors(data), None) is None


def field_path(parts) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(the whole file)"


def validate_result(data, file) -> None:
    """InputError naming the first wrongly typed, missing or unknown-valued field of ``data``."""
    if conforms(data):
        return
    errors = sorted(validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    hard = [e for e in errors if e.validator not in _SOFT]
    for e in errors:
        if e.validator in _SOFT:
            logging.getLogger("ningxia_gis").warning("%s: %s %s", file, field_path(e.absolute_path), e.message[:200])
    if not hard:
        return
    e = hard[0]
    where = field_path(e.absolute_path)
    if e.validator == "required":
        missing = next((r for r in e.validator_value if isinstance(e.instance, dict) and r not in e.instance), "?")
        raise InputError("result.missing_field", file=file, field=f"{where}.{missing}" if e.absolute_path else missing)
    if e.validator == "type":
        want = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        raise InputError("result.wrong_type", file=file, field=where, value=_shown(e.instance),
                         kind_zh=" 或 ".join(_TYPES_ZH.get(t, t) for t in want),
                         kind_en=" or ".join(_TYPES_EN.get(t, t) for t in want))
    if e.validator == "enum":
        raise InputError("result.wrong_value", file=file, field=where, value=_shown(e.instance),
                         allowed=", ".join(map(str, e.validator_value))[:200])
    raise InputError("result.invalid_field", file=file, field=where, value=_shown(e.instance))


def _shown(v) -> str:
    text = json.dumps(v, ensure_ascii=False) if not isinstance(v, (dict, list)) else \
        ("{…}" if isinstance(v, dict) else "[…]")
    return text if len(text) <= 40 else text[:37] + "…"
