"""Every user-facing error comes from the bilingual message catalog (resources/messages/*.toml)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

import ningxia_gis
from ningxia_gis.domain import errors, messages
from ningxia_gis.domain.errors import FootprintError, InputError

PACKAGE = Path(ningxia_gis.__file__).parent
USER_ERRORS = {name for name, obj in vars(errors).items()
               if isinstance(obj, type) and issubclass(obj, errors.NingxiaGisError)}
HAN = re.compile(r"[\u4e00-\u9fff]")


def _raise_sites():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                func = node.exc.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in USER_ERRORS:
                    yield path.relative_to(PACKAGE), node.lineno, node.exc


def test_every_user_error_is_raised_with_a_catalog_key():
    bad = []
    for path, line, call in _raise_sites():
        first = call.args[0] if call.args else None
        keys = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
        ok = all(isinstance(k, ast.Constant) and isinstance(k.value, str) and messages.has(k.value) for k in keys)
        if not ok and not isinstance(first, ast.Name):  # a variable holding a key is checked at run time
            bad.append(f"{path}:{line}")
    assert not bad, "raise sites without a message-catalog key:\n" + "\n".join(bad)


def test_catalog_entries_are_bilingual_with_the_same_fields():
    cat = messages.catalog()
    assert len(cat) > 50
    fmt = string.Formatter()
    for key, entry in cat.items():
        assert set(entry) >= {"zh", "en"}, key
        words = re.sub(r"\{[^}]*\}|[\W_]", "", entry["zh"])
        assert not words or HAN.search(entry["zh"]), f"{key}: the Chinese text has no Chinese"
        assert re.search(r"[A-Za-z]{3}", entry["en"]), f"{key}: the English text has no English"
        same = re.compile(r"_(zh|en)$")  # a field given in each language (kind_zh / kind_en)
        zh_fields = {same.sub("", f) for _, f, _, _ in fmt.parse(entry["zh"]) if f}
        en_fields = {same.sub("", f) for _, f, _, _ in fmt.parse(entry["en"]) if f}
        assert zh_fields == en_fields, key


def test_messages_show_file_names_not_paths_and_no_class_names():
    err = FootprintError("output.cannot_write", path=Path("/very/internal/place/fp.txt"), reason="disk full")
    text = str(err)
    assert "fp.txt" in text and "/very/internal" not in text
    assert "Error" not in text
    assert err.text("zh").startswith("无法写入") and err.text("en").startswith("cannot write")


def test_unknown_text_is_kept_as_is():
    assert str(InputError("free text")) == "free text"


@pytest.mark.parametrize("key", ["error.internal", "output.is_input"])
def test_keys_used_by_the_front_ends_exist(key):
    assert messages.has(key)
