"""Answers WeasyPrint's layout asks for again and again, remembered.

Sizing a grid, WeasyPrint lays each item out to learn its height, then lays it
out again at each later step, and nested grids repeat the whole of that for
every time the outer grid measures them: a placard card laid out 24 grids and
asked Pango for some 70 lines to draw six texts. Within one pass the same
element at the same width gives the same height: that answer is kept on the
pass's LayoutContext and forgotten with it. The same text in the same style at
the same width gives the same line in any pass: that answer is kept on the
style, which `stylememo` keeps from one layout of a page to the next.

Having measured its items, grid lays each out again in its area. An item
placed as wide and as tall as it was measured, with nothing in it that is
positioned, floated or sized in % of a height, and nothing reaching past the
page, lays out as it measured: that box is copied and moved there instead.
Its coordinates are then sums taken in another order, so one may differ in
its last digit (a millionth of a pixel, written into a few PDFs in a hundred).

Rows sized `minmax(0, 1fr)` (the placard's upper block and hero) are measured
too, their height then thrown away; they are not laid out for that. Those
measurements only ever leave row heights behind for a next page: the first
page is the same without them, and a page that overflows onto more is laid
out again with them (`every_row_measured`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from math import inf

from weasyprint.css import ComputedStyle
from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, grid, inline, preferred
from weasyprint.layout.percent import resolve_percentages
from weasyprint.text import line_break

_split_first_line = line_break.split_first_line
_block_level_layout = block.block_level_layout
# Grid's two measuring steps: they lay an item out only to read its height, then drop it.
_RESOLVE_TRACKS = grid._resolve_tracks_sizes.__code__
_MEASURING = frozenset({_RESOLVE_TRACKS, grid._distribute_extra_space.__code__})
_PLACE = grid.grid_layout.__code__  # where grid lays each item out in its area
# The row sizings for which `_resolve_tracks_sizes` reads a measured height (sic: "max_content" is WeasyPrint's).
_HEIGHT_FOR_MIN = ("min-content", "max_content", "auto")
_HEIGHT_FOR_MAX = ("min-content", "max_content")


_skipping = [True]


@contextmanager
def every_row_measured() -> Iterator[None]:
    """Lay out as WeasyPrint does, measuring even rows whose height it drops.

    Those measurements leave row heights on the grids they lay out, which a page that overflows onto
    another reads to continue there: page 1 is the same either way, the pages after it are not.
    """
    _skipping[0] = False
    try:
        yield
    finally:
        _skipping[0] = True


class _Unmeasured:
    """Stands for an item grid sizing would lay out only to drop the height it measured."""

    @staticmethod
    def margin_height() -> float:
        return 0.0


def _memo(context, name: str) -> dict:
    memo = context.__dict__.get(name)
    if memo is None:
        memo = context.__dict__[name] = {}
    return memo


def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    """WeasyPrint's `split_first_line`, remembered on the style: as long as `stylememo` keeps a style, the
    next layouts of the page (the fit's check after its probe) break its unchanged texts from memory."""
    if context is None:
        return _split_first_line(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    lines = style.__dict__.get("assets_lines")
    if lines is None:
        lines = style.__dict__["assets_lines"] = {}
    key = (text, max_width, justification_spacing, is_line_start, minimum)
    kept = lines.get(key)
    if kept is None:
        kept = lines[key] = _split_first_line(text, style, context, max_width, justification_spacing,
                                              is_line_start, minimum)
    return kept


def block_level_layout(context, box, bottom_space, skip_stack, containing_block, *rest, **named):
    """WeasyPrint's `block_level_layout`; when grid sizing measures an element's height, the laid-out box is
    remembered by element, box type, style and room. The style is in the key because grid gives a stretched
    item a copy of its own; elements alone are not enough, as siblings cascading alike share one style."""
    caller = sys._getframe(1)
    if caller.f_code is _PLACE and skip_stack is None and not named and type(box.style) is ComputedStyle:
        placed = _placed(context, box, bottom_space, containing_block)
        if placed is not None:
            return placed
    if (rest or named or skip_stack is not None or bottom_space != -inf or type(box.style) is not ComputedStyle
            or caller.f_code not in _MEASURING):
        return _block_level_layout(context, box, bottom_space, skip_stack, containing_block, *rest, **named)
    if caller.f_code is _RESOLVE_TRACKS and _skipping[0]:
        # A row sized `minmax(0, 1fr)` (the placard's upper block, its hero) has every item laid out
        # whole here, and the height thrown away: it is the largest part of the page.
        functions = caller.f_locals
        if functions["min_function"] not in _HEIGHT_FOR_MIN and functions["max_function"] not in _HEIGHT_FOR_MAX:
            return _Unmeasured, None, None, [], False, None
    heights = _memo(context, "assets_heights")
    key = (box.element, box.element_tag, type(box), id(box.style), containing_block.width, containing_block.height)
    kept = heights.get(key)
    if kept is None:
        laid = _block_level_layout(context, box, bottom_space, skip_stack, containing_block)
        heights[key] = kept = (laid, [dict(grid.advancements) for grid in _grids(box)])
        _memo(context, "assets_measured").setdefault(
            (box.element, box.element_tag, type(box), containing_block.width), []).append((box.style, kept))
        return laid
    # A grid keeps its rows' heights on its box, shared by every copy, for the next page to start from:
    # leave them as laying the item out again would.
    laid, advancements = kept
    for container, values in zip(_grids(box), advancements):
        container.advancements.clear()
        container.advancements.update(values)
    return laid


def _placed(context, box, bottom_space, containing_block):
    """Grid placing an item as it measured it (as wide, as tall as measured, nothing breaking to a next page):
    that measured layout, moved to the item's place, instead of laying the item out again."""
    style = box.style
    measures = _memo(context, "assets_measured").get((box.element, box.element_tag, type(box), containing_block.width))
    if not measures:
        return None
    resolve_percentages(box, containing_block)  # as laying it out would, first
    for measured_style, (laid, advancements) in measures:
        measured = laid[0]
        # Grid stretches an item by giving it a copy of its style with a width and height: the same cascade.
        if (measured is None or measured is _Unmeasured or style.cascaded is not measured_style.cascaded
                or style.parent_style is not measured_style.parent_style
                or any(getattr(box, edge) != getattr(measured, edge) for edge in _EDGES)
                or not all(_near(getattr(box, side), getattr(measured, side)) for side in ("width", "height"))):
            continue
        if box.position_y + measured.margin_height() > context.page_bottom - bottom_space or not _plain(measured):
            continue
        placed = measured.deepcopy()
        placed.translate(box.position_x, box.position_y)
        placed.style = style
        for side in ("width", "height"):
            if getattr(box, side) != "auto":
                setattr(placed, side, getattr(box, side))
        for container, values in zip(_grids(placed), advancements):
            container.advancements.clear()
            container.advancements.update(values)
        return (placed, *laid[1:])
    return None


_EDGES = tuple(f"{part}_{side}{'_width' if part == 'border' else ''}"
               for part in ("margin", "padding", "border") for side in ("top", "right", "bottom", "left"))


def _near(placing, measured: float) -> bool:
    """Whether a size the item is placed at (else "auto") is the one it measured at, to rounding."""
    return placing == "auto" or abs(placing - measured) <= 1e-9


def _plain(box) -> bool:
    """Whether nothing in `box`'s tree is positioned, floated or sized in % of a height (laying it out
    registers positioned boxes elsewhere, and a % height follows the item's own)."""
    stack = [box]
    while stack:
        current = stack.pop()
        style = current.style
        if style["position"] != "static" or style["float"] != "none" or any(
                getattr(style[name], "unit", None) == "%" for name in ("height", "min_height", "max_height")):
            return False
        stack.extend(getattr(current, "children", ()))
    return True


def _grids(box) -> list:
    """The grid containers in `box`'s tree, `box` included, in tree order."""
    found, stack = [], [box]
    while stack:
        current = stack.pop()
        if isinstance(current, boxes.GridContainerBox):
            found.append(current)
        stack.extend(reversed(getattr(current, "children", ())))
    return found


def install() -> None:
    """Route WeasyPrint's layout through the memos (once per process)."""
    inline.split_first_line = split_first_line
    preferred.split_first_line = split_first_line
    block.block_level_layout = block_level_layout
