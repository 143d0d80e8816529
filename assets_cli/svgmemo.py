"""SVG pictures turned into PDF operators once per size, not once per page.

WeasyPrint draws an SVG node by node in Python each time a page shows it:
rally's crowd (some seven hundred shapes) took 200 ms of every card, more
than laying the card out, and the same picture at the same size comes back
in every language. What a drawing writes depends only on the picture, the
size it is drawn at, the transformation and the colour and opacity the
stream had set before it: with those the same, the operators it wrote are
replayed, and the PDF is byte for byte the same.

Only drawings that stay inside their own stream are kept: a picture that
adds fonts, images, patterns, gradients or groups (text, <image>, opacity,
gradients, masks) is drawn every time, as are pictures drawn on a stream that
already holds resources (their names are numbered from what is there).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.images import SVGImage

KEPT = 16  # drawings: a design's pictures at a batch's sizes
_OWN = ("ExtGState", "XObject", "Pattern", "Shading")  # the resources a group's stream starts without
_STATE = ("_current_color", "_current_color_stroke", "_current_alpha", "_current_alpha_stroke", "_current_font",
          "_current_font_size", "_old_font", "_old_font_size")
_draw = SVGImage.draw
_drawn: dict[tuple, tuple[list, dict, tuple]] = {}


def _source(image: SVGImage) -> tuple | None:
    """What the picture was read from, so that an edited file is drawn again: None when it cannot be told."""
    url = image._base_url or ""
    if url.startswith("data:"):
        return ("data", hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest())
    parts = urlsplit(url)
    if parts.scheme != "file":
        return None
    try:
        stat = Path(unquote(parts.path)).stat()
    except OSError:
        return None
    return (url, stat.st_mtime_ns, stat.st_size)


def _key(image: SVGImage, stream, width: float, height: float) -> tuple | None:
    resources = getattr(stream, "_resources", None)
    if resources is None or any(resources.get(kind) for kind in _OWN):
        return None
    source = _source(image)
    if source is None:
        return None
    state = [getattr(stream, name, None) for name in _STATE]
    return (source, width, height, _frozen(stream._ctm_stack), _frozen(state))


def _frozen(value):
    """`value` with its lists as tuples, to be part of a key (matrices are lists of lists)."""
    return tuple(_frozen(item) for item in value) if isinstance(value, (list, tuple)) else value


def draw(self, stream, concrete_width, concrete_height, style):
    """WeasyPrint's `SVGImage.draw`, replayed from memory when the same picture was drawn the same way."""
    key = _key(self, stream, concrete_width, concrete_height)
    if key is None:
        return _draw(self, stream, concrete_width, concrete_height, style)
    kept = _drawn.get(key)
    if kept is not None:
        operators, states, after = kept
        stream.stream.extend(operators)
        stream._resources["ExtGState"].update(states)
        for name, value in zip(_STATE, after):
            setattr(stream, name, value)
        return None
    start, fonts, images = len(stream.stream), len(stream._fonts), len(stream._images)
    depth = len(stream._ctm_stack)
    _draw(self, stream, concrete_width, concrete_height, style)
    resources = stream._resources
    states = dict(resources["ExtGState"])
    if (any(resources.get(kind) for kind in _OWN[1:]) or len(stream._fonts) != fonts
            or len(stream._images) != images or len(stream._ctm_stack) != depth
            or not all(name[:1] in ("a", "A") for name in states)):
        return None  # it reached outside its stream: drawn again next time
    if len(_drawn) >= KEPT:
        _drawn.pop(next(iter(_drawn)))
    _drawn[key] = (stream.stream[start:], states, tuple(getattr(stream, name, None) for name in _STATE))
    return None


def forget() -> None:
    """Drop every kept drawing (tests compare with WeasyPrint's own)."""
    _drawn.clear()


def install() -> None:
    """Route SVG drawing through the memo (once per process)."""
    SVGImage.draw = draw


def uninstall() -> None:
    SVGImage.draw = _draw
    forget()
