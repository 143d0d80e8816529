"""Library lookup from the linker cache finds what ctypes' own lookup finds."""

from __future__ import annotations

import ctypes.util
import sys

import pytest

from assets_cli import libraries

# The names WeasyPrint 70 tries for its libraries, present or not on a Debian system, and some others.
NAMES = [
    "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "libpango-1.0-0", "pango-1.0-0", "pango-1.0",
    "libharfbuzz-0", "harfbuzz", "harfbuzz-0.0", "libharfbuzz-subset-0", "harfbuzz-subset",
    "libharfbuzz-vector-0", "harfbuzz-vector", "harfbuzz-vector-0.0", "libfontconfig-1", "fontconfig-1",
    "fontconfig", "libpangoft2-1.0-0", "pangoft2-1.0-0", "pangoft2-1.0", "c", "m", "no-such-library-here",
]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the lookup is only replaced on Linux")
def test_the_cache_finds_what_ctypes_finds():
    assert ctypes.util.find_library is libraries.find_library  # installed with the package
    assert "libpango-1.0.so" in libraries._cache_listing()
    found = {name: libraries.find_library(name) for name in NAMES}
    assert found == {name: libraries._find_library(name) for name in NAMES}
    assert found["pango-1.0"] and found["harfbuzz-subset"] and found["no-such-library-here"] is None


def test_without_pango_in_the_cache_the_standard_lookup_answers(monkeypatch):
    monkeypatch.setattr(libraries, "_cache_listing", lambda: "")
    monkeypatch.setattr(libraries, "_find_library", lambda name: f"standard:{name}")
    assert libraries.find_library("pango-1.0") == "standard:pango-1.0"


def test_ld_library_path_is_looked_through(monkeypatch, tmp_path):
    (tmp_path / "libassetsdemo.so.1").write_bytes(b"")
    monkeypatch.setenv("LD_LIBRARY_PATH", f"/nowhere:{tmp_path}")
    monkeypatch.setattr(libraries, "_cache_listing", lambda: "\tlibpango-1.0.so.0 (libc6,x86-64) => /x\n")
    assert libraries.find_library("assetsdemo") == str(tmp_path / "libassetsdemo.so.1")
