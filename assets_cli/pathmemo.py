"""SVG paths turned into PDF operators once per process, not once per drawing.

WeasyPrint reads an SVG path's `d` attribute number by number each time it
draws it. A QR code is one path of some four hundred rectangles: 25 ms a
drawing, paid twice for every print asset (its home PDF and its print-shop PDF)
and again for every asset with the same link. The operators a path gives
depend only on its `d` and the font size its units are relative to, so they
are kept and replayed; the PDF bytes are the same.
"""

from __future__ import annotations

from weasyprint import svg
from weasyprint.svg.path import path as _path

LONG = 2000  # characters of `d`: shorter paths are quicker to draw than to look up and keep
_drawn: dict[tuple[str, float], tuple[list, list]] = {}


def path(image, node, font_size) -> None:
    """WeasyPrint's `path`, replayed from memory for long paths it has drawn before."""
    d = node.get("d", "")
    if len(d) < LONG:
        return _path(image, node, font_size)
    key = (d, font_size)
    kept = _drawn.get(key)
    if kept is None:
        operators, vertices = image.stream.stream, node.vertices
        start, start_vertices = len(operators), len(vertices)
        _path(image, node, font_size)
        kept = (operators[start:], list(vertices)[start_vertices:])
        if len(_drawn) >= 64:
            _drawn.pop(next(iter(_drawn)))
        _drawn[key] = kept
        return None
    image.stream.stream.extend(kept[0])
    node.vertices.extend(kept[1])
    return None


def install() -> None:
    """Draw SVG paths through the memo (once per process)."""
    svg.TAGS["path"] = path
