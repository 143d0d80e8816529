"""Finding WeasyPrint's C libraries with one look at the linker's cache, not fifty subprocesses.

WeasyPrint loads Pango, HarfBuzz and friends by trying several names each
(`libgobject-2.0-0`, `gobject-2.0-0`, `gobject-2.0`, …). For every name
`ctypes.util.find_library` runs `ldconfig -p`, and for each miss gcc and ld
as well: some fifty processes, a third of a second of every process that
renders (the CLI for one poster, each worker pool's fork server). On a system
whose linker cache lists Pango, the answer is in one `ldconfig -p`, read once;
`LD_LIBRARY_PATH` is looked through as ld would. Anywhere else (no ldconfig,
not Linux, Pango installed where the cache does not list it), the standard
lookup runs as before.
"""

from __future__ import annotations

import ctypes.util
import functools
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

_find_library = ctypes.util.find_library
# As ctypes.util names the C library's ABI in `ldconfig -p` lines.
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


@functools.cache
def _cache_listing() -> str:
    """`ldconfig -p`, read once; empty when there is no ldconfig."""
    try:
        return subprocess.run(["/sbin/ldconfig", "-p"], stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, env={"LC_ALL": "C", "LANG": "C"}, check=False,
                              timeout=10).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return ""


def _abi() -> str:
    machine = os.uname().machine + ("-32" if struct.calcsize("l") == 4 else "-64")
    return _ABI.get(machine, "libc6")


def find_library(name: str) -> str | None:
    """`ctypes.util.find_library(name)`, answered from the linker cache and LD_LIBRARY_PATH when the cache
    lists Pango (then anything the cache lacks is not installed); else the standard lookup."""
    listing = _cache_listing()
    if not re.search(r"\slibpango-1\.0\.so", listing):
        return _find_library(name)
    found = re.search(r"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name), re.escape(_abi())), listing)
    if found:
        return found.group(1)
    for folder in os.environ.get("LD_LIBRARY_PATH", "").split(":"):
        if folder:
            for candidate in sorted(Path(folder).glob(f"lib{name}.so*")):
                return str(candidate)
    return None


def install() -> None:
    """Look libraries up this way for the rest of the process (Linux only)."""
    if sys.platform.startswith("linux"):
        ctypes.util.find_library = find_library
