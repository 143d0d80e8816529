"""The fit pass: text marked `data-fit` shrinks until it fits its box.

A designer sets the largest size in CSS and marks the element with
`data-fit` (optionally `data-fit-min="0.3"`, the smallest scale allowed, and
`data-fit-balance` to even out its lines once its size is found, as CSS
`text-wrap: balance` would). The
element and its siblings must stay inside the parent's content box, and no
line may be wider than the element. The pass bisects the scale with full relayouts;
for an element of plain text, WeasyPrint's own line breaking, run on that text
alone, answers each step in about a millisecond instead (a layout takes about
a hundred), and one layout checks the answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from weasyprint.document import Document
from weasyprint.formatting_structure import boxes
from weasyprint.formatting_structure.text import transform
from weasyprint.text.line_break import split_first_line

from assets_cli.errors import RenderError

log = logging.getLogger(__name__)

DEFAULT_MIN_SCALE = 0.25
STEPS = 6  # bisection steps when an element grows: within 1.2 % of the best scale
COMMON_STEPS = 3  # the shared starting scale only needs to be near: each element grows from it
BALANCE_STEPS = 4  # the balanced width lands within 4 % of the narrowest
BALANCED = 0.8  # lines this even need no balancing
EPSILON = 0.5  # CSS px of slack for rounding in layout


@dataclass
class Overflow:
    """A marked element that still overflows at its minimum size."""

    key: str
    scale: float


def walk(box) -> Iterator:
    """Every box in the tree under `box`, `box` first."""
    yield box
    for child in getattr(box, "children", ()):
        yield from walk(child)


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
    for child in walk(box):
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
        for child in walk(parent) if isinstance(child, boxes.LineBox)
    )


def _designed_sizes(elements: list, document: Document | None, render: Callable[[], Document]) -> list[float]:
    """Each element's designed font size in CSS px.

    An element dropped from the layout (or a layout that failed) has no box
    to read it from; a probe layout with every marked text replaced by one
    letter has, and content does not change the computed size.
    """
    found = [_box_of(document, e) if document is not None else None for e in elements]
    if any(f is None for f in found):
        saved = [(e.text, list(e)) for e in elements]
        for element in elements:
            for child in list(element):
                element.remove(child)
            element.text = "x"
        try:
            probe = render()
            found = [_box_of(probe, e) for e in elements]
        finally:
            for element, (text, children) in zip(elements, saved):
                element.text = text
                element.extend(children)
    for element, box in zip(elements, found):
        if box is None:
            raise RenderError(f"<{element.tag} data-fit> is never laid out",
                              hint="leave optional elements out with {% if %} in the template, not display: none")
    return [box.style["font_size"] for box, _ in found]


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


def _set_style(element, **declarations: str) -> None:
    """Set fit-pass declarations (font_size, padding_left/right) on top of the element's own style."""
    original = element.get("data-fit-style", None)
    if original is None:
        original = element.get("style", "")
        element.set("data-fit-style", original)
    for name, value in declarations.items():
        element.set(f"data-fit-{name.replace('_', '-')}", value)
    extra = "".join(f"; {name}: {element.get(f'data-fit-{name}')} !important"
                    for name in ("font-size", "padding-left", "padding-right") if element.get(f"data-fit-{name}"))
    element.set("style", original + extra)


def _set_scale(element, base_px: float, scale: float) -> None:
    _set_style(element, font_size=f"{base_px * scale:.3f}px")


def _lines(document: Document, element) -> tuple[list[float], float]:
    """The inked width of each line of `element`, and its content width, in CSS px."""
    found = _box_of(document, element)
    if found is None:
        return [], 0.0
    box, _ = found
    widths = []
    for line in walk(box):
        if isinstance(line, boxes.LineBox):
            texts = [t for t in walk(line) if isinstance(t, boxes.TextBox) and t.text.strip()]
            if texts:
                widths.append(max(t.position_x + t.width for t in texts) - min(t.position_x for t in texts))
    return widths, box.width


@dataclass
class _Text:
    """A marked element of plain text, as one layout left it: enough to tell whether it fits at other sizes."""

    text: str
    style: Any  # its text's computed style
    width: float  # of its content box, CSS px
    lines: int
    line_height: float  # at the scale it was laid out at
    room: float  # height its parent has left

    def measure(self, ratio: float) -> tuple[int, float]:
        """Lines and widest line, in CSS px, at `ratio` × the laid-out font size."""
        style = self.style.copy()
        style["font_size"] = self.style["font_size"] * ratio
        if not isinstance(self.style["letter_spacing"], str):  # px from em, which grow with the font; or "normal"
            style["letter_spacing"] = self.style["letter_spacing"] * ratio
        # Hyphenation dictionaries are cached on the layout context; nothing else of it is read.
        context = SimpleNamespace(dictionaries={})
        count, widest, rest = 0, 0.0, self.text.encode("utf-8")
        while rest:
            _, _, resume, width, _, _ = split_first_line(rest.decode("utf-8"), style, context, self.width, 0, True)
            count, widest = count + 1, max(widest, width)
            if resume is None:
                break
            rest = rest[resume:]
        return count, widest

    def fits(self, ratio: float) -> bool:
        """Whether the element fits at `ratio` × its laid-out size, as `fits` would find after a layout."""
        count, widest = self.measure(ratio)
        grows = count * self.line_height * ratio - self.lines * self.line_height
        return widest <= self.width + EPSILON and grows <= self.room + 2 * EPSILON


def _plain_text(document: Document, element) -> _Text | None:
    """`element` as a `_Text` when its lines can be foretold: one run of text, one style, lines as tall as
    line-height says. None otherwise, or when measuring the text now does not give the lines laid out."""
    found = _box_of(document, element)
    if found is None or found[1] is None or len(element) or not (element.text or "").strip():
        return None
    box, parent = found
    texts = [t for t in walk(box) if isinstance(t, boxes.TextBox)]
    lines = [line for line in walk(box) if isinstance(line, boxes.LineBox)]
    if not texts or any(t.style is not texts[0].style for t in texts):
        return None
    style = texts[0].style
    spacing = style["line_height"]
    if not isinstance(spacing, (int, float)) or style["white_space"] not in ("normal", "nowrap"):
        return None  # "normal" depends on the font; a length does not grow with it
    text = re.sub(r"[\t\n\r ]+", " ", element.text).strip(" ")
    if style["text_transform"] != "none":
        text = transform(style["text_transform"], text, style["lang"])
    line_height = spacing * style["font_size"]
    top, bottom = parent.content_box_y(), parent.content_box_y() + parent.height
    inked = [(box.position_y, box.position_y + box.margin_height())] + [
        (line.position_y, line.position_y + line.height) for line in walk(parent) if isinstance(line, boxes.LineBox)]
    used = max(end for _, end in inked) - min(start for start, _ in inked)
    measured = _Text(text, style, box.width, len(lines), line_height, (bottom - top) - used)
    if measured.room <= EPSILON:
        # Content that fills its parent exactly: the parent most likely grows with it (an auto grid row),
        # taking room from other elements, which only a layout can tell.
        return None
    widths, _ = _lines(document, element)
    count, widest = measured.measure(1.0)
    if (count != len(lines) or abs(box.height - len(lines) * line_height) > EPSILON
            or not widths or abs(widest - max(widths)) > EPSILON):
        return None
    return measured


def _foretold(measured: _Text, index: int, low: float) -> float:
    """The scale the layout search in `fit` would settle on for the element `measured` at scale `low`,
    asking it instead of laying out."""
    start = low

    def fits(scale: float) -> bool:
        return measured.fits(scale / start)

    if fits(1.0):
        return 1.0
    if index:
        probe = low + (1.0 - low) / 2 ** STEPS
        if not fits(probe):
            return low
        low = probe
    return _bisect(fits, low, 1.0, STEPS)


def _bisect(holds: Callable[[float], bool], inside: float, outside: float, steps: int) -> float:
    """Halve the gap between a value that holds and one that does not, `steps` times; the last that held."""
    for _ in range(steps):
        middle = (inside + outside) / 2
        if holds(middle):
            inside = middle
        else:
            outside = middle
    return inside


def _balance(element, document: Document, attempt, fits_all) -> Document:
    """Narrow a multi-line element as far as it keeps its line count, so its lines come out even.

    The element is narrowed by padding at its line ends: grid items stretch
    to their track whatever their max-width says.
    """
    widths, width = _lines(document, element)
    lines = len(widths)
    if lines < 2 or width <= 0 or min(widths) >= BALANCED * max(widths):
        return document
    end = "padding_left" if _box_of(document, element)[0].style["direction"] == "rtl" else "padding_right"

    def padding(fraction: float) -> str:
        return f"{width * (1 - fraction):.2f}"

    def narrow(fraction: float) -> Document | None:
        _set_style(element, **{end: f"{padding(fraction)}px"})
        trial = attempt()
        return trial if fits_all(trial) and len(_lines(trial, element)[0]) == lines else None

    # Narrower than the widest line, a word must move down: when that already
    # adds a line (one long word), the lines are as even as they can be.
    high = (max(widths) - 2 * EPSILON - 1) / width
    measured = _plain_text(document, element)
    if measured is not None:
        # The same search, answered by breaking the text at each width instead of laying it out.
        def keeps(fraction: float) -> bool:
            narrower = replace(measured, width=width - float(padding(fraction)))
            count, widest = narrower.measure(1.0)
            return count == lines and widest <= narrower.width + EPSILON

        if not keeps(high):
            return document
        trial = narrow(_bisect(keeps, high, 0.4, BALANCE_STEPS))
        if trial is not None:
            return trial
        log.debug("balance %s: foretold width does not hold; laying out", element.get("data-fit") or element.tag)
    trial = narrow(high)
    if trial is None:
        _set_style(element, **{end: ""})
        return document
    document, low = trial, 0.4  # fractions of the full width; `high` always keeps the line count
    for _ in range(BALANCE_STEPS):
        middle = (low + high) / 2
        trial = narrow(middle)
        if trial is not None:
            high, document = middle, trial
        else:
            low = middle
    _set_style(element, **{end: f"{width * (1 - high):.2f}px"})
    return document


def fit(render: Callable[[], Document], root, pages: int | None = None) -> tuple[Document, list[Overflow]]:
    """Lay out with every `data-fit` element at the largest scale that fits.

    All elements first shrink together to the largest common scale that fits;
    then each grows in document order, the headline (first in the page)
    taking the room left before the lines after it. A layout fits when every marked element fits and the
    document has at most `pages` pages. WeasyPrint can fail on content far
    too big for its page (a grid row pushed off the page); such an attempt
    counts as not fitting.
    """
    elements = [e for e in root.iter() if isinstance(e.tag, str) and e.get("data-fit") is not None]

    def attempt() -> Document | None:
        try:
            return render()
        except Exception as exc:  # noqa: BLE001 - a failed trial layout is a "too big"
            log.debug("trial layout failed: %r", exc)
            return None

    def fits_all(document: Document | None) -> bool:
        return (document is not None and (pages is None or len(document.pages) <= pages)
                and all(fits(document, e) for e in elements))

    document = attempt()
    if not elements or fits_all(document):
        if document is None:
            return render(), []
        return _balance_all(elements, document, attempt, fits_all), []

    bases = _designed_sizes(elements, document, render)
    lows = [_min_scale(e) for e in elements]

    # First every element shrinks together, so no line starves the others;
    # then each grows, in document order, into whatever room is left.
    low_common, high_common = 0.0, 1.0
    for _ in range(COMMON_STEPS):
        middle = (low_common + high_common) / 2
        for element, base, low in zip(elements, bases, lows):
            _set_scale(element, base, max(low, middle))
        trial = attempt()
        if fits_all(trial):
            low_common, document = middle, trial
        else:
            high_common = middle
    for element, base, low in zip(elements, bases, lows):
        _set_scale(element, base, max(low, low_common))
    if not low_common:
        # Nothing fitted. The last trial had every element at its smallest,
        # unless one may go smaller still: then that is the layout to judge.
        document = attempt() if any(low < high_common for low in lows) else trial
        if not fits_all(document):
            names = [Overflow(e.get("data-fit") or e.tag, low) for e, low in zip(elements, lows)
                     if document is None or not fits(document, e)]
            return (document if document is not None else render()), names or [
                Overflow(e.get("data-fit") or e.tag, low) for e, low in zip(elements, lows)]
    lows = [max(low, low_common) for low in lows]

    for index, (element, base, low) in enumerate(zip(elements, bases, lows)):
        measured = _plain_text(document, element) if document is not None else None
        if measured is not None:
            scale = _foretold(measured, index, low)
            trial = document
            if scale > low:
                _set_scale(element, base, scale)
                trial = attempt()
            if fits_all(trial):
                document = trial
                if scale >= 1.0:
                    continue
                # One step up must not fit; where it does, the room was more than measured (a parent that
                # grows with its content): search on from there with layouts.
                above = min(1.0, scale + (1.0 - low) / 2 ** STEPS)
                _set_scale(element, base, above)
                trial = attempt()
                if not fits_all(trial):
                    _set_scale(element, base, scale)
                    log.debug("fit %s at scale %.3f, foretold", element.get("data-fit") or element.tag, scale)
                    continue
                low, document = above, trial
                if low >= 1.0:
                    continue
        _set_scale(element, base, 1.0)
        trial = attempt()
        if fits_all(trial):
            document = trial
            continue
        if index:
            # Lines after the headline usually find it took the room: one
            # layout a step up tells whether bisecting is worth it.
            probe = low + (1.0 - low) / 2 ** STEPS
            _set_scale(element, base, probe)
            trial = attempt()
            if not fits_all(trial):
                _set_scale(element, base, low)
                continue
            low, document = probe, trial
        high = 1.0
        for _ in range(STEPS):
            middle = (low + high) / 2
            _set_scale(element, base, middle)
            trial = attempt()
            if fits_all(trial):
                low, document = middle, trial
            else:
                high = middle
        _set_scale(element, base, low)
        log.debug("fit %s at scale %.3f", element.get("data-fit") or element.tag, low)
    return _balance_all(elements, document, attempt, fits_all), []


def _balance_all(elements: list, document: Document, attempt, fits_all) -> Document:
    for element in elements:
        if element.get("data-fit-balance") is not None:
            document = _balance(element, document, attempt, fits_all)
    return document
