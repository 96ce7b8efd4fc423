"""Files: hashing inputs for provenance, and writing outputs safely (complete or not at all)."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path

from ..domain.errors import InputError


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, or of every file of a folder (FileGDB) in name order."""
    h = hashlib.sha256()
    p = Path(path)
    files = sorted(p.rglob("*")) if p.is_dir() else [p]
    for f in files:
        if f.is_file():
            with open(f, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()


_TMP_MARK = ".ngtmp-"


def _writer_gone(after_mark: str) -> bool:
    """Whether the process that named a temporary file ``…{_TMP_MARK}{after_mark}`` is gone."""
    pid = after_mark.split("-", 1)[0]
    return pid.isdigit() and not _alive(int(pid))


def _stale_temps(target: Path):
    """Temporary files of earlier writes to ``target`` whose process is gone (killed mid-write)."""
    for f in target.parent.glob(f".{target.stem}{_TMP_MARK}*"):
        if _writer_gone(f.name[len(target.stem) + 1 + len(_TMP_MARK):]):
            yield f


def sweep_stale_temps(folder: str | Path) -> None:
    """Remove the temporary files of killed writers from ``folder`` (one listing): for a writer of many
    files into one folder (the batch), which then writes with ``atomic_output(..., sweep=False)``
    instead of listing the folder again for every file."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for e in entries:
        if e.name.startswith(".") and _TMP_MARK in e.name and _writer_gone(e.name.split(_TMP_MARK, 1)[1]):
            _remove(Path(e.path))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _remove(p: Path) -> None:
    try:
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    except OSError:
        pass


def _new_temp(target: Path) -> str:
    """A new empty file next to ``target``, named for the sweep; unlike ``tempfile.mkstemp``'s (0600) its
    mode is any new file's, as the output's will be."""
    for _ in range(100):
        tmp = str(target.parent / f".{target.stem}{_TMP_MARK}{os.getpid()}-{secrets.token_hex(4)}{target.suffix}")
        try:
            os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name next to {target}")


@contextmanager
def atomic_output(path: str | Path, *, sweep: bool = True, created: bool = False):
    """Yield a temporary path next to ``path``; it is moved onto ``path`` only if the block succeeds.

    The previous file survives any failure; temporary files left by a killed process are removed by the
    next write to the same target (``sweep=False``: the caller does it, see ``sweep_stale_temps``).
    ``created``: the temporary file exists (empty) for a writer that opens it for writing itself, which
    saves a file creation and a removal per output (a batch's 10,000 JSONs); without it the path is free,
    as writers such as GDAL want to create the file themselves."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for stale in (_stale_temps(target) if sweep else ()):
            _remove(stale)
        tmp = _new_temp(target)
    except OSError as exc:
        raise InputError("output.cannot_write", path=target, reason=exc.strerror or str(exc)) from None
    if not created:
        os.unlink(tmp)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except OSError as exc:
        raise InputError("output.cannot_write", path=target, reason=exc.strerror or str(exc)) from None
    finally:
        if os.path.exists(tmp):
            _remove(Path(tmp))
