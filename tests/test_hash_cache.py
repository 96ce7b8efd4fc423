"""Layer hashes remembered between sessions (core.hash_cache) are the files' SHA-256 and never outlive a change."""

from __future__ import annotations

import hashlib
import time
from types import SimpleNamespace

import pytest

from ningxia_gis.core import hash_cache
from ningxia_gis.logs import cache_dir


@pytest.fixture
def hashes(monkeypatch, tmp_path):
    """Every file counts as large; ``calls`` lists the files actually hashed."""
    monkeypatch.setenv("NINGXIA_GIS_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(hash_cache, "MIN_BYTES", 0)
    calls = []
    real = hash_cache.file_sha256
    monkeypatch.setattr(hash_cache, "file_sha256", lambda p: calls.append(p) or real(p))
    return calls


def _later(monkeypatch, seconds=10):
    """A clock ``seconds`` ahead: the files just written count as settled when hashed."""
    monkeypatch.setattr(hash_cache, "time", SimpleNamespace(time_ns=lambda: time.time_ns() + int(seconds * 1e9)))


def test_a_settled_file_is_hashed_once_and_a_rewrite_of_the_same_size_is_seen(hashes, tmp_path, monkeypatch):
    f = tmp_path / "layer.gpkg"
    f.write_bytes(b"a" * 1000)
    _later(monkeypatch)
    assert hash_cache.layer_sha256(f) == hashlib.sha256(b"a" * 1000).hexdigest()
    assert hash_cache.layer_sha256(f) == hashlib.sha256(b"a" * 1000).hexdigest()
    assert len(hashes) == 1 and (cache_dir() / "sha256.json").is_file()
    f.write_bytes(b"b" * 1000)  # same size, immediately after: the status-change time moves
    assert hash_cache.layer_sha256(f) == hashlib.sha256(b"b" * 1000).hexdigest()
    assert len(hashes) == 2


def test_a_file_changed_just_before_it_was_hashed_is_not_remembered(hashes, tmp_path):
    f = tmp_path / "layer.shp"
    f.write_bytes(b"x" * 100)
    for _ in range(2):
        assert hash_cache.layer_sha256(f) == hashlib.sha256(b"x" * 100).hexdigest()
    assert len(hashes) == 2


def test_a_folder_layer_and_a_broken_cache_file(hashes, tmp_path, monkeypatch):
    gdb = tmp_path / "zones.gdb"
    gdb.mkdir()
    (gdb / "a0001.gdbtable").write_bytes(b"1" * 50)
    (gdb / "a0002.gdbtable").write_bytes(b"2" * 50)
    _later(monkeypatch)
    want = hash_cache.file_sha256(gdb)
    hashes.clear()
    assert hash_cache.layer_sha256(gdb) == want and hash_cache.layer_sha256(gdb) == want
    assert len(hashes) == 1
    (gdb / "a0002.gdbtable").write_bytes(b"3" * 50)
    assert hash_cache.layer_sha256(gdb) == hash_cache.file_sha256(gdb) != want
    (cache_dir() / "sha256.json").write_text("{not json", encoding="utf-8")
    assert hash_cache.layer_sha256(gdb) == hash_cache.file_sha256(gdb)
