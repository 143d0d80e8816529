"""A rendering process's memory habits, set for making one asset after another.

Freed memory is kept for the next asset instead of handed back to the system.

Every asset allocates the same large buffers again: a rasterised page, its
RGB copy, the PNG (3.5 MB each for a 1080 px card). glibc maps blocks that
large fresh from the kernel and unmaps them when freed, so each asset
page-faults them in again, zero-filled: encoding a card's PNG took 12 ms that
way against 5 ms in reused memory (on this project's 2-core virtual machine,
where a fault is dear). Raising glibc's thresholds keeps blocks up to 32 MB
in the heap, and up to 64 MB of freed heap per process, for the next asset.

Python's cycle collector ran some 660 times over 92 assets and took 4 % of
the work, most of it walking objects made at import (WeasyPrint's modules,
its default stylesheet) that are never garbage. Those are frozen out of its
sight, and it runs after 10,000 new objects instead of 700: 0.9 s → 0.4 s.
"""

from __future__ import annotations

import ctypes
import gc

# mallopt's parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest on 64-bit systems
TRIM_THRESHOLD = 64 * 1024 * 1024
COLLECT_AFTER = 10_000  # new objects (Python's default: 700)


def keep_freed_memory() -> bool:
    """Tell glibc's allocator to keep large freed blocks; False where the C library is not glibc."""
    try:
        libc = ctypes.CDLL(None)  # the symbols the interpreter links: the C library's among them
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):  # no C library to open by that name, or no mallopt in it
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))


_frozen = [False]


def collect_less() -> None:
    """Leave what exists now (imports) to the cycle collector no more, and run it less often.

    Once per process: what is frozen is never collected, and a long-lived process (`assets watch`) would
    otherwise freeze each round's leftovers for good."""
    if _frozen[0]:
        return
    _frozen[0] = True
    gc.freeze()
    gc.set_threshold(COLLECT_AFTER, *gc.get_threshold()[1:])
