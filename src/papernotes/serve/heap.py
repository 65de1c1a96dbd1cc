"""The C heap of a serving process: one for all its threads.

``serve`` reads the library into memory in one thread (the warm-up, or the first build) and
builds each save in another. glibc gives each thread that allocates a C heap of its own (an
"arena"): the first saves then took every block of more than 512 bytes (a dict of 50,000
notes copied, a manifest joined) from a new, empty heap, each of its pages a fault, while the
warm-up's freed memory lay unused in the first heap. At 50,000 notes the first save after the
warm-up faulted ~20,000 times and took 0.3–1.3 s (31–42 µs a fault in the slow runs, right
after a cold build), the second ~14,000 times; with one heap the first faulted 1,000–3,100
times and took 0.29–0.48 s, the second ~10. Python's own small-object allocator is shared by
all threads already; this is about the C library's.
"""

from __future__ import annotations

__all__ = ["one_heap"]

_M_ARENA_MAX = -8
"""glibc's ``mallopt`` parameter for the most heaps (``malloc.h``)."""


def one_heap() -> bool:
    """Have every thread created from now on allocate from the process's first C heap (glibc's
    ``mallopt(M_ARENA_MAX, 1)``); whether that was done. Where the C library is not glibc
    (musl, macOS, Windows) nothing changes."""
    import ctypes

    try:  # the symbols the process has loaded: the C library's among them
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, TypeError):  # no dlopen, or no mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, 1))
