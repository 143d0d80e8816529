"""The fit pass: text marked `data-fit` shrinks until it fits its box.

A designer sets the largest size in CSS and marks the element with
`data-fit` (optionally `data-fit-min="0.3"`, the smallest scale allowed). The
element and its siblings must stay inside the parent's content box, and no
line may be wider than the element. The pass bisects the scale with full relayouts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from assets_cli.errors import RenderError

log = logging.getLogger(__name__)

DEFAULT_MIN_SCALE = 0.25
STEPS = 7  # bisection steps: the scale lands within 1 % of the best
EPSILON = 0.5  # CSS px of slack for rounding in layout


@dataclass
class Overflow:
    """A marked element that still overflows at its minimum size."""

    key: str
    scale: float


def _walk(box) -> Iterator:
    yield box
    for child in getattr(box, "children", ()):
        yield from _walk(child)


def _box_of(document: Document, element) -> tuple | None:
    """The first block box of `element` with its parent box."""
    for page in document.pages:
        stack = [(page._page_box, None)]
        while stack:
            box, parent = stack.pop()
            if getattr(box, "element", None) is element and isinstance(box, boxes.BlockBox):
                return box, parent
            stack.extend((child, box) for child in getattr(box, "children", ()))
    return None


def fits(document: Document, element) -> bool:
    """Whether `element`'s text stays inside its own width and its parent's height."""
    found = _box_of(document, element)
    if found is None:
        # WeasyPrint drops a grid item too tall for the page instead of
        # overflowing it, so a marked element with no box is treated as too
        # big. Designs drop optional elements in the template, not with CSS.
        return False
    box, parent = found
    left = box.content_box_x() - EPSILON
    right = box.content_box_x() + box.width + EPSILON
    for child in _walk(box):
        if isinstance(child, boxes.TextBox) and (child.position_x < left or child.position_x + child.width > right):
            return False
    if parent is None:
        return True
    # The parent's whole content must stay inside it: a bottom-aligned block
    # overflows at the top, pushing the element's siblings out.
    top = parent.content_box_y() - EPSILON
    bottom = parent.content_box_y() + parent.height + EPSILON
    if box.position_y < top or box.position_y + box.margin_height() > bottom:
        return False
    # Glyph boxes may be taller than a tight line-height: judge height by lines.
    return all(
        top <= child.position_y and child.position_y + child.height <= bottom
        for child in _walk(parent) if isinstance(child, boxes.LineBox)
    )


def _font_size(element, document: Document, render: Callable[[], Document]) -> float:
    """The element's designed font size in CSS px.

    An element dropped from the layout has no box to read it from; a probe
    layout with its text replaced by one letter has, and content does not
    change the computed size.
    """
    found = _box_of(document, element)
    if found is None:
        text, children = element.text, list(element)
        for child in children:
            element.remove(child)
        element.text = "x"
        try:
            found = _box_of(render(), element)
        finally:
            element.text = text
            element.extend(children)
        if found is None:
            raise RenderError(f"<{element.tag} data-fit> is never laid out",
                              hint="leave optional elements out with {% if %} in the template, not display: none")
    return found[0].style["font_size"]


def _min_scale(element) -> float:
    text = element.get("data-fit-min", "")
    try:
        value = float(text) if text else DEFAULT_MIN_SCALE
    except ValueError:
        raise RenderError(f"data-fit-min={text!r} on <{element.tag}> is not a number",
                          hint="give the smallest scale as a fraction, e.g. 0.3") from None
    if not 0 < value <= 1:
        raise RenderError(f"data-fit-min={text!r} on <{element.tag}> is out of range", hint="between 0 and 1")
    return value


def _set_scale(element, base_px: float, scale: float) -> None:
    original = element.get("data-fit-style", None)
    if original is None:
        original = element.get("style", "")
        element.set("data-fit-style", original)
    element.set("style", f"{original}; font-size: {base_px * scale:.3f}px !important")


def fit(render: Callable[[], Document], root, pages: int | None = None) -> tuple[Document, list[Overflow]]:
    """Lay out, shrinking each `data-fit` element to the largest scale that fits.

    With `pages`, a layout that spills onto more pages does not fit either.
    """

    def fits_all(document: Document, element) -> bool:
        return (pages is None or len(document.pages) <= pages) and fits(document, element)

    document = render()
    overflows: list[Overflow] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.get("data-fit") is None:
            continue
        if fits_all(document, element):
            continue
        base_px = _font_size(element, document, render)
        low = _min_scale(element)
        high = 1.0
        _set_scale(element, base_px, low)
        document = render()
        if not fits_all(document, element):
            overflows.append(Overflow(element.get("data-fit") or element.tag, low))
            continue
        best = document
        for _ in range(STEPS):
            middle = (low + high) / 2
            _set_scale(element, base_px, middle)
            attempt = render()
            if fits_all(attempt, element):
                low, best = middle, attempt
            else:
                high = middle
        _set_scale(element, base_px, low)
        document = best
        log.debug("fit %s at scale %.3f", element.get("data-fit") or element.tag, low)
    return document, overflows
