"""The fit pass: text marked `data-fit` shrinks until it fits its box.

A designer sets the largest size in CSS and marks the element with
`data-fit` (optionally `data-fit-min="0.3"`, the smallest scale allowed, and
`data-fit-balance` to even out its lines once its size is found, as CSS
`text-wrap: balance` would). The element and its siblings must stay inside
the parent's content box, and no line may be wider than the element.

The search (all elements shrink together, then each grows in turn) is
answered by measuring where it can (`measure`): when every marked element's
text can be measured (plain text, one tag around it, or unbreakable words),
one probe layout gives each its box and room, the whole search runs on
measures, and one layout checks the answer, with a layout for any last step
the measures call close. Otherwise each step is a full layout, a measurable
element's own steps measured. A layout takes 20 to 150 milliseconds; a
measure, about one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

from weasyprint import layout as weasyprint_layout
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes

from assets_cli.errors import RenderError
from assets_cli.measure import EPSILON, Model, Text, box_of, line_widths, model, room, shape_of, text_of, walk

log = logging.getLogger(__name__)

DEFAULT_MIN_SCALE = 0.25
STEPS = 6  # bisection steps when an element grows: within 1.2 % of the best scale
COMMON_STEPS = 3  # the shared starting scale only needs to be near: each element grows from it
BALANCE_STEPS = 4  # the balanced width lands within 4 % of the narrowest
BALANCED = 0.8  # lines this even need no balancing
# How far the measures may be off, in CSS px: a step up foretold to overflow by more than this is not laid out to
# make sure. Widths are measured at one size and scaled (within 0.04 px a line); heights add up line heights.
# Over every size and language of the shipped designs, no step up foretold to overflow by more than 0.0001 px
# fitted when laid out (212 checks).
WIDTH_MARGIN = 0.05
HEIGHT_MARGIN = 0.01
FORETELL = True  # off: search with layouts only (tests compare the two)


@dataclass
class Overflow:
    """A marked element that still overflows at its minimum size."""

    key: str
    scale: float


def fits(document: Document, element) -> bool:
    """Whether `element`'s text stays inside its own width and its parent's height."""
    found = box_of(document, element)
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


@contextmanager
def _geometry_only() -> Iterator[None]:
    """Layouts inside are only measured, never drawn: WeasyPrint need not work out their backgrounds
    (a twentieth of a placard layout)."""
    saved = weasyprint_layout.layout_backgrounds
    weasyprint_layout.layout_backgrounds = lambda page, get_image_from_uri: None
    try:
        yield
    finally:
        weasyprint_layout.layout_backgrounds = saved


def _probe(elements: list, attempt: Callable[[], Document | None]) -> tuple[Document | None, list[str]]:
    """A layout with each marked element's text cut to its first letter, and those letters.

    Every element gets a box at its designed size (a too-tall grid item is dropped), and content does not
    change the computed style. Text held by inline children (a tag, words) stays in the first of them, so
    the letter is measured in its style. The probe is only measured.
    """
    saved = [(e.text, [(child, child.text, child.tail) for child in e]) for e in elements]
    letters = []
    for element in elements:
        children = list(element)
        holder = children[0] if shape_of(element) in ("wrapped", "words") else element
        letter = next((c for c in (holder.text or "") if not c.isspace()), "x")
        for child in children:
            element.remove(child)
        element.text = letter if holder is element else None
        if holder is not element:
            holder.text, holder.tail = letter, None
            element.append(holder)
        letters.append(letter)
    try:
        with _geometry_only():
            return attempt(), letters
    finally:
        for element, (text, children) in zip(elements, saved):
            for child in list(element):
                element.remove(child)
            element.text = text
            for child, child_text, tail in children:
                child.text, child.tail = child_text, tail
                element.append(child)


def _designed_sizes(elements: list, document: Document | None, attempt: Callable[[], Document | None]) -> list[float]:
    """Each element's designed font size in CSS px, from `document` or, when it dropped one, a probe."""
    found = [box_of(document, e) if document is not None else None for e in elements]
    if any(f is None for f in found):
        probe, _ = _probe(elements, attempt)
        found = [box_of(probe, e) if probe is not None else None for e in elements]
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



def _foretold(measured: Text, index: int, low: float) -> float:
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
    return _bounds(holds, inside, outside, steps)[0]


def _bounds(holds: Callable[[float], bool], inside: float, outside: float, steps: int) -> tuple[float, float]:
    """As `_bisect`, with the last value that did not hold."""
    for _ in range(steps):
        middle = (inside + outside) / 2
        if holds(middle):
            inside = middle
        else:
            outside = middle
    return inside, outside


def _padding(width: float, fraction: float) -> str:
    """The line-end padding, as written into the style, that narrows `width` to `fraction` of it."""
    return f"{width * (1 - fraction):.2f}"


def _widest_even(widths: list[float], width: float) -> float:
    """The largest fraction of `width` worth trying when balancing lines of `widths`."""
    # Narrower than the widest line, a word must move down: when that already
    # adds a line (one long word), the lines are as even as they can be.
    return (max(widths) - 2 * EPSILON - 1) / width


def _narrowest(breaks: Callable[[float], list[float]], width: float, lines: int, high: float) -> float | None:
    """The balancing search answered by breaking the text (`breaks(width)`: its line widths) at each width:
    the fraction of `width` to narrow to, or None when even `high` adds a line."""
    def keeps(fraction: float) -> bool:
        narrower = width - float(_padding(width, fraction))
        widths = breaks(narrower)
        return len(widths) == lines and max(widths, default=0.0) <= narrower + EPSILON

    return _bisect(keeps, high, 0.4, BALANCE_STEPS) if keeps(high) else None


def _balance(element, document: Document, attempt, fits_all) -> Document:
    """Narrow a multi-line element as far as it keeps its line count, so its lines come out even.

    The element is narrowed by padding at its line ends: grid items stretch
    to their track whatever their max-width says.
    """
    widths, width = line_widths(document, element)
    lines = len(widths)
    if lines < 2 or width <= 0 or min(widths) >= BALANCED * max(widths):
        return document
    end = "padding_left" if box_of(document, element)[0].style["direction"] == "rtl" else "padding_right"

    def narrow(fraction: float) -> Document | None:
        _set_style(element, **{end: f"{_padding(width, fraction)}px"})
        trial = attempt()
        return trial if fits_all(trial) and len(line_widths(trial, element)[0]) == lines else None

    high = _widest_even(widths, width)
    measured = text_of(document, element)
    if measured is not None:
        fraction = _narrowest(lambda narrower: replace(measured, width=narrower).breaks(1.0), width, lines, high)
        if fraction is None:
            return document
        trial = narrow(fraction)
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
    _set_style(element, **{end: f"{_padding(width, high)}px"})
    return document


@dataclass
class _Plan:
    """The scales a fit search settles on, with what its last steps found too big."""

    scales: list[float]
    above: list[float | None]  # for each element, the smallest scale tried that did not fit, if any
    starts: list[float]  # each element's scale when the elements before it had grown


def _plan(fits_at: Callable[[list[float]], bool], lows: list[float]) -> _Plan | None:
    """The search `fit` makes with layouts, asking `fits_at(scales)` instead; None when nothing fits."""
    count = len(lows)
    if fits_at([1.0] * count):
        return _Plan([1.0] * count, [None] * count, [1.0] * count)
    common = _bisect(lambda scale: fits_at([max(low, scale) for low in lows]), 0.0, 1.0, COMMON_STEPS)
    if not common:
        return None
    scales = [max(low, common) for low in lows]
    plan = _Plan(scales, [None] * count, list(scales))
    for index in range(count):
        def holds(scale: float) -> bool:
            return fits_at(scales[:index] + [scale] + scales[index + 1:])

        if holds(1.0):
            scales[index] = 1.0
            continue
        low = scales[index]
        if index:
            probe = low + (1.0 - low) / 2 ** STEPS
            if not holds(probe):
                plan.above[index] = probe
                continue
            low = probe
        scales[index], plan.above[index] = _bounds(holds, low, 1.0, STEPS)
    return plan


def _foretell(elements: list, attempt: Callable[[], Document | None],
              fits_all: Callable[[Document | None], bool]) -> Document | None:
    """The fitted page found by measuring text instead of laying out: one probe layout to measure from, one
    layout to check the answer. None (with the elements as they were) when the measures cannot tell, or the
    check finds the page other than foretold; then layouts search."""
    probe, letters = _probe(elements, attempt)
    found = model(probe, elements, letters) if probe is not None else None
    if found is None:
        return None
    for slack in (EPSILON, 0.0):
        found.slack = slack
        document = _foretold_page(found, elements, probe, attempt, fits_all)
        if document is not None:
            return document
        log.debug("fit: the page is not as foretold with %.1f px of overflow allowed", slack)
    return None


def _foretold_page(found: Model, elements: list, probe: Document, attempt: Callable[[], Document | None],
                   fits_all: Callable[[Document | None], bool]) -> Document | None:
    """`_foretell`'s search on the measures of `found`, and its layout to check."""
    plan = _plan(found.fits, [_min_scale(e) for e in elements])
    if plan is None:
        return None
    ends = ["padding_left" if box_of(probe, e)[0].style["direction"] == "rtl" else "padding_right" for e in elements]
    paddings = [_balanced(found, index, plan.scales[index]) if e.get("data-fit-balance") is not None else None
                for index, e in enumerate(elements)]

    def arrange(scales: list[float], balance: bool) -> None:
        for index, (element, scale) in enumerate(zip(elements, scales)):
            if plan.starts[index] < 1.0:  # else all fit as designed: the page keeps its own sizes
                _set_scale(element, found.pieces[index].base, scale)
            _set_style(element, **{ends[index]: f"{paddings[index]}px" if balance and paddings[index] else ""})

    arrange(plan.scales, True)
    document = attempt()
    if not (fits_all(document) and _as_foretold(found, document, elements, plan.scales)):
        _unset(elements)
        return None
    # Each element's last step up did not fit by the measures; where that was close, a layout makes sure.
    for index, above in enumerate(plan.above):
        if above is None:
            continue
        trying = plan.scales[:index] + [above] + plan.starts[index + 1:]
        wide, tall = found.overflow(trying)
        log.debug("fit %s: a step up overflows by %.3f px across, %.3f px down, foretold",
                  elements[index].get("data-fit"), wide, tall)
        if wide > WIDTH_MARGIN or tall > HEIGHT_MARGIN:
            continue
        arrange(trying, False)
        if fits_all(attempt()):
            _unset(elements)
            return None
        arrange(plan.scales, True)
    return document


def _balanced(found: Model, index: int, scale: float) -> str | None:
    """The line-end padding (CSS px) that evens out element `index`'s lines at `scale`, as `_balance` finds it."""
    widths = found.breaks(index, scale)
    width = found.width(index, scale)
    if len(widths) < 2 or width <= 0 or min(widths) >= BALANCED * max(widths):
        return None
    fraction = _narrowest(lambda narrower: found.breaks(index, scale, narrower), width, len(widths),
                          _widest_even(widths, width))
    return None if fraction is None else _padding(width, fraction)


def _as_foretold(found: Model, document: Document, elements: list, scales: list[float]) -> bool:
    """Whether `document` laid the elements out as `found` foretold: lines, heights and rooms."""
    left = found.left(scales)
    for index, (element, piece, scale) in enumerate(zip(elements, found.pieces, scales)):
        box, parent = box_of(document, element)
        lines = sum(isinstance(b, boxes.LineBox) for b in walk(box))
        if lines != len(found.breaks(index, scale)) or abs(box.height - found.height(index, scale)) > EPSILON:
            return False
        if piece.own and abs(room(box, parent) - left[piece.pools[0]]) > 2 * EPSILON:
            return False
    return True


def _unset(elements: list) -> None:
    """Take the fit pass's sizes and paddings off `elements`."""
    for element in elements:
        _set_style(element, font_size="", padding_left="", padding_right="")


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

    if elements and FORETELL and all(shape_of(e) for e in elements):
        foretold = _foretell(elements, attempt, fits_all)
        if foretold is not None:
            return foretold, []
        log.debug("fit: measures and layout disagree; searching with layouts")
    document = attempt()
    if not elements or fits_all(document):
        if document is None:
            return render(), []
        return _balance_all(elements, document, attempt, fits_all), []

    bases = _designed_sizes(elements, document, attempt)
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
        measured = text_of(document, element) if document is not None else None
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
