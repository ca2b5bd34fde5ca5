"""Atomic file output: a reader sees the old file or the whole new one, never half of it."""

from __future__ import annotations

import glob
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_writer", "write_bytes_atomic", "write_text_atomic", "remove_stale_parts"]


@contextmanager
def atomic_writer(path: str | Path, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success rename it over ``path`` (``os.replace``).

    If the body raises, the temporary file is removed and ``path`` is left as it was; temporary
    files left by a killed earlier writer are removed first (:func:`remove_stale_parts`).
    Parent folders are created.  ``mode`` is ``"wb"`` or ``"w"`` (UTF-8 text).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
    try:
        handle: IO[Any] = os.fdopen(fd, mode) if "b" in mode else os.fdopen(fd, mode, encoding="utf-8", newline="\n")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def remove_stale_parts(target: str | Path) -> list[Path]:
    """Remove the temporary files of earlier writes of ``target`` whose process is gone.

    A writer killed mid-write (``kill -9``, power loss) leaves ``.NAME.PID.XXXX.part`` beside
    ``target``; the next write of ``target`` removes those whose PID is no longer running
    (files of a live writer are left alone).  Returns the files removed.
    """
    target = Path(target)
    removed = []
    for part in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        pid_text = part.name[len(target.name) + 2:].split(".", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        try:
            part.unlink()
            removed.append(part)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | Path, data: bytes) -> int:
    """Write ``data`` to ``path`` atomically; returns the number of bytes written."""
    with atomic_writer(path, "wb") as handle:
        handle.write(data)
    return len(data)


def write_text_atomic(path: str | Path, text: str) -> int:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the number of bytes written."""
    return write_bytes_atomic(path, text.encode("utf-8"))
