"""ccus_kg.native_memory: free C-heap pages go back to the operating system."""

from __future__ import annotations

import ctypes
import re
import sys
from pathlib import Path

import pytest

from ccus_kg.native_memory import _libc, release_free_memory


def _rss_anon_mb() -> float:
    m = re.search(r"RssAnon:\s+(\d+) kB", Path("/proc/self/status").read_text())
    assert m is not None
    return int(m.group(1)) / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux") or _libc() is None, reason="glibc's malloc_trim")
def test_free_heap_pages_are_returned():
    libc = _libc()
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    # 3,200 blocks of 32 KB (below glibc's mmap threshold: they come from the heap), touched, then
    # freed except the last one, which keeps the free space from being at the top of the heap
    blocks = [libc.malloc(32 * 1024) for _ in range(3200)]
    for b in blocks:
        libc.memset(b, 1, 32 * 1024)
    held = _rss_anon_mb()
    for b in blocks[:-1]:
        libc.free(b)
    try:
        assert release_free_memory() is True
        assert _rss_anon_mb() < held - 50  # about 100 MB were free
    finally:
        libc.free(blocks[-1])


def test_release_is_harmless_when_nothing_is_free():
    assert release_free_memory() in (True, False)
    assert release_free_memory() in (True, False)
