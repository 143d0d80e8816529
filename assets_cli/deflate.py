"""PDF streams deflated once per process, not once per PDF.

pydyf deflates every stream at level 9 each time a PDF is written. The print
PDFs carry the 400 KB FOGRA39 output profile twice (output intent and colour
space), which took about half a second a PDF. Large streams are remembered by
their content; the bytes written are the same as pydyf's own.
"""

from __future__ import annotations

import hashlib
import zlib
from types import SimpleNamespace

import pydyf

REMEMBER_FROM = 64 * 1024  # bytes: fonts and page content are smaller and differ from PDF to PDF
_remembered: dict[tuple[bytes, int], bytes] = {}


class _Deflate:
    """What pydyf asks of `zlib.compressobj`: every chunk in, the whole stream out at `flush`."""

    def __init__(self, level: int = -1):
        self.level = level
        self.chunks: list[bytes] = []

    def compress(self, data: bytes) -> bytes:
        self.chunks.append(data)
        return b""

    def flush(self) -> bytes:
        data = b"".join(self.chunks)
        if len(data) < REMEMBER_FROM:
            return _deflated(data, self.level)
        key = (hashlib.sha256(data).digest(), self.level)
        if key not in _remembered:
            if len(_remembered) >= 8:
                _remembered.pop(next(iter(_remembered)))
            _remembered[key] = _deflated(data, self.level)
        return _remembered[key]


def _deflated(data: bytes, level: int) -> bytes:
    deflate = zlib.compressobj(level=level)
    return deflate.compress(data) + deflate.flush()


def install() -> None:
    """Have pydyf deflate through `_Deflate` (once per process)."""
    pydyf.zlib = SimpleNamespace(compressobj=_Deflate, compress=zlib.compress)
