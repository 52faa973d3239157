"""Keeping the C heap from holding on to what the process freed (glibc; a no-op elsewhere).

Python objects are traced and bounded by the proxy's own caches; what grew under sustained load
was the C heap: every thread that tokenizes or resolves a name gets its own malloc arena, and
freed pages stay resident. Fewer arenas and a periodic ``malloc_trim`` keep RSS level."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

M_ARENA_MAX = -8  # mallopt's parameter number (glibc malloc.h)
ARENAS = 2  # the event loop's thread and the worker threads share two arenas


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None
    return libc


def limit_arenas() -> bool:
    """At most :data:`ARENAS` malloc arenas (glibc's default is 8 per core): call it before
    threads start. False where the C library has no such knob."""
    libc = _libc()
    return libc is not None and libc.mallopt(M_ARENA_MAX, ARENAS) == 1


def trim_heap() -> bool:
    """Return the C heap's free pages to the system (glibc ``malloc_trim``); False elsewhere.

    Loading the tokenizer encodings builds and drops a few hundred thousand small objects; the
    freed pages otherwise stay resident (about 5 MB at idle)."""
    libc = _libc()
    return libc is not None and libc.malloc_trim(0) == 1
