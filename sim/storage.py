"""Writing results safely. A folder is checked before anything runs (:func:`prepare`) and held by
one writer at a time (:func:`lock`, :func:`claim`); every file is written under a temporary name,
then renamed, so an interrupted run never leaves a half-written file, and temporary files left by a
killed writer are removed the next time the folder is claimed. A write that fails becomes one
:class:`~sim.errors.FolderError` message naming the folder."""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import json
import os
import shlex
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from sim.errors import FolderError


def _file_mode() -> int:
    """Permissions of a newly created file under the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()
LOCK = ".lock"  # the lock file of a folder being written: pid, command and start time of its writer


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        write(tmp)
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes files private; results are ordinary files
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def write_parquet(frame: pd.DataFrame, path: str | Path) -> Path:
    return atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))


def write_json(data: dict, path: str | Path) -> Path:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    return atomic_write(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def prepare(out: Path, force: bool) -> Path:
    """Make sure results may be written to ``out`` (creating it), refusing a folder that already
    holds files unless ``force``; with it, the results replace their files one by one and any
    other file is left alone. Nothing is removed but :func:`stale_temporaries`."""
    if out.exists() and not out.is_dir():
        raise FolderError(f"cannot write results to {out}: {what_is(out)}, not a folder")
    held = [p for p in out.iterdir() if p.name != LOCK] if out.is_dir() else []
    if held and not force:
        raise FolderError(f"{out} is not empty; pass --force to replace the results in it")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise FolderError(f"cannot write results to {out}: {exc.strerror or exc}") from None
    for folder in (out, *(p for p in held if p.is_dir() and not p.is_symlink())):
        stale_temporaries(folder)
    return out


def stale_temporaries(folder: Path) -> int:
    """Remove the temporary files (``.NAME.XXXXXXXX.tmp``) that :func:`atomic_write` leaves
    when its process is killed; call it only on a folder held with :func:`lock`. Returns how many."""
    stale = [p for p in folder.glob(".*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def what_is(path: Path) -> str:
    """What is at ``path``, for a message: a folder, a file, a device, nothing."""
    if not path.exists():
        return "nothing is there"
    if path.is_dir():
        return "it is a folder"
    if path.is_file():
        return "it is a file"
    return "it is a device or special file"


@contextmanager
def lock(folder: Path, command: str | None = None) -> Iterator[Path]:
    """Hold ``folder`` (created if needed) for this process until the block ends.

    An exclusive ``flock`` on ``folder/.lock``, which records the holder's pid, command and start
    time and is removed on release. A second writer fails at once with a message naming the
    holder. The kernel releases the lock when its holder dies, so the lock file of a killed writer
    is simply taken over.
    """
    path = folder / LOCK
    while True:
        fd = _open_lock(folder)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise FolderError(f"cannot lock {folder}: {exc.strerror or exc}") from None
            raise FolderError(f"{folder} is being written by another process ({holder}); "
                              "wait for it to finish or choose another --out") from None
        try:
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break  # else the file was removed by a holder releasing it as we opened it: open it again
        except FileNotFoundError:
            pass
        os.close(fd)
    try:
        holder = {"pid": os.getpid(), "command": command or shlex.join(["python", *sys.argv]),
                  "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder, ensure_ascii=False).encode(), 0)
        yield folder
    finally:
        path.unlink(missing_ok=True)  # while still held, so no other writer can hold this file
        os.close(fd)  # releases the lock


def _open_lock(folder: Path) -> int:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, _FILE_MODE)
    except OSError as exc:
        if folder.exists() and not folder.is_dir():
            raise FolderError(f"cannot write results to {folder}: {what_is(folder)}, not a folder") from None
        raise FolderError(f"cannot write results to {folder}: {exc.strerror or exc}") from None


def _holder(fd: int) -> str:
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {holder['pid']}, `{holder['command']}`, since {holder['started']}"
    except (ValueError, KeyError, TypeError):
        return "holder unknown"


@contextmanager
def claim(out: Path, force: bool, command: str | None = None) -> Iterator[Path]:
    """:func:`lock` ``out``, then :func:`prepare` it: the folder of one command, held until the block ends."""
    if out.exists() and not out.is_dir():
        raise FolderError(f"cannot write results to {out}: {what_is(out)}, not a folder")
    with lock(out, command):
        yield prepare(out, force)


@contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Turn a failed write (disk full, permissions) into one clear message."""
    try:
        yield
    except OSError as exc:
        raise FolderError(f"cannot write results to {folder}: {exc.strerror or exc}") from None
