"""Giving the C heap's free memory back to the operating system during long builds (glibc only).

pyoxigraph (Rust) and RocksDB (C++) allocate through the C library's ``malloc``.  glibc keeps what
they free in its arenas (one per thread that allocated, up to 8 per core) for reuse, and returns
it to the system only when the free space is at the top of an arena: after a store build has
bulk-loaded a few hundred chunks of quads from a writer thread and RocksDB's own threads, most of the
build process's resident memory was such free memory (at 20,000 policies, 523 MB free and kept by
``malloc`` against 164 MB in use, ``benchmarks/RESULTS.md``).  :func:`release_free_memory` calls
glibc's ``malloc_trim(0)`` (https://man7.org/linux/man-pages/man3/malloc_trim.3.html), which returns
every whole free page of every arena; elsewhere (musl, macOS, Windows) it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

__all__ = ["release_free_memory"]


@functools.cache
def _libc() -> Any:
    """glibc's handle with ``malloc_trim``, or None (another C library, or none found)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return libc


def release_free_memory() -> bool:
    """Return the C heap's free pages to the operating system (glibc ``malloc_trim(0)``; thread-safe,
    a few milliseconds).  Returns True when memory was released, False when none was or on a C library
    without ``malloc_trim``.  Raises nothing."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))
