"""SHA-256 of large layer files remembered between sessions: hashing the 1 GB of a provincial catalog took
0.6 s of every one-shot ``check``. An entry is used only while every file keeps the size, modification and
status-change times, inode and device it was hashed with (a write, a copy or a ``touch`` changes the
status-change time); a file changed less than two seconds before it was hashed is not remembered, as a
later write within the file system's clock granularity could keep its times (git's "racily clean")."""

from __future__ import annotations

import json
import time
from pathlib import Path

from ..logs import cache_dir
from .files import atomic_output, file_sha256

MIN_BYTES = 8 << 20  # smaller files are hashed in a few ms
_SETTLED_NS = 2_000_000_000
_MAX_ENTRIES = 256
_NAME = "sha256.json"


def _stamp(p: Path) -> tuple[list, int, int]:
    """(per file: name, size, mtime, ctime, inode, device; total size; newest time) of a file or folder."""
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    out, total, newest = [], 0, 0
    for f in files:
        st = f.stat()
        out.append([f.relative_to(p).as_posix() if f != p else "", st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                    st.st_ino, st.st_dev])
        total += st.st_size
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
    return out, total, newest


def _load() -> dict:
    try:
        data = json.loads((cache_dir() / _NAME).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(entries: dict) -> None:
    keep = sorted(entries.items(), key=lambda kv: kv[1].get("at", 0), reverse=True)[:_MAX_ENTRIES]
    try:
        with atomic_output(cache_dir() / _NAME, created=True) as tmp:
            tmp.write_text(json.dumps(dict(keep), ensure_ascii=False), encoding="utf-8")
    except Exception:  # noqa: BLE001 - a cache that cannot be written must never fail the check
        pass


def layer_sha256(path: str | Path) -> str:
    """``file_sha256(path)``, from the cache when the file (or folder) is unchanged since it was hashed."""
    p = Path(path)
    try:
        stamp, size, newest = _stamp(p)
        key = str(p.resolve())
    except OSError:
        return file_sha256(p)
    if size < MIN_BYTES:
        return file_sha256(p)
    entries = _load()
    hit = entries.get(key)
    if isinstance(hit, dict) and hit.get("stamp") == stamp and isinstance(hit.get("sha256"), str):
        return hit["sha256"]
    start = time.time_ns()
    sha = file_sha256(p)
    try:
        unchanged = _stamp(p)[0] == stamp
    except OSError:
        unchanged = False
    if unchanged and start - newest > _SETTLED_NS:
        entries[key] = {"stamp": stamp, "sha256": sha, "at": start}
        _save(entries)
    return sha
