"""Writing results safely: a folder is checked before anything runs (:func:`prepare`), and every
file is written under a temporary name, then renamed, so an interrupted run never leaves a
half-written file. A write that fails becomes one :class:`~sim.errors.FolderError` message."""

from __future__ import annotations

import json
import os
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
    other file is left alone. Nothing is removed."""
    if out.exists() and not out.is_dir():
        raise FolderError(f"cannot write results to {out}: it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise FolderError(f"{out} is not empty; pass --force to replace the results in it")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise FolderError(f"cannot write results to {out}: {exc.strerror or exc}") from None
    return out


@contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Turn a failed write (disk full, permissions) into one clear message."""
    try:
        yield
    except OSError as exc:
        raise FolderError(f"cannot write results to {folder}: {exc.strerror or exc}") from None
