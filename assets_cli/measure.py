"""Telling how marked text would lay out at other sizes without laying the page out again.

WeasyPrint's own line breaking, run on an element's text alone, gives the
lines a layout gives, in about a millisecond against a hundred for a layout.
Heights follow from a numeric line-height. Where the height comes from
follows from the boxes of one layout: an element whose parent has room left
grows into that room; one that fills an auto-sized grid row grows the row,
which takes the room from the other rows of its grid (a `1fr` row shrinks by
what the auto rows grow).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from weasyprint.document import Document
from weasyprint.formatting_structure import boxes
from weasyprint.formatting_structure.text import transform
from weasyprint.text.line_break import split_first_line

EPSILON = 0.5  # CSS px of slack for rounding in layout


def walk(box) -> Iterator:
    """Every box in the tree under `box`, `box` first."""
    yield box
    for child in getattr(box, "children", ()):
        yield from walk(child)


def box_of(document: Document, element) -> tuple | None:
    """The first block box of `element` with its parent box."""
    path = _path_to(document, element)
    return (path[-1], path[-2] if len(path) > 1 else None) if path else None


def _path_to(document: Document, element) -> list:
    """The boxes from the page down to `element`'s first block box; empty when it has none."""
    for page in document.pages:
        stack = [(page._page_box, (page._page_box,))]
        while stack:
            box, path = stack.pop()
            if getattr(box, "element", None) is element and isinstance(box, boxes.BlockBox):
                return list(path)
            stack.extend((child, (*path, child)) for child in getattr(box, "children", ()))
    return []


def line_widths(document: Document, element) -> tuple[list[float], float]:
    """The inked width of each line of `element`, and its content width, in CSS px."""
    found = box_of(document, element)
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


def room(box, parent) -> float:
    """Height `parent`'s content box has left around `box` and the other lines in it."""
    top, bottom = parent.content_box_y(), parent.content_box_y() + parent.height
    inked = [(box.position_y, box.position_y + box.margin_height())] + [
        (line.position_y, line.position_y + line.height) for line in walk(parent) if isinstance(line, boxes.LineBox)]
    return (bottom - top) - (max(end for _, end in inked) - min(start for start, _ in inked))


@dataclass
class Text:
    """A marked element of plain text, as one layout left it: enough to tell whether it fits at other sizes."""

    text: str
    style: Any  # its text's computed style
    width: float  # of its content box, CSS px
    lines: int
    line_height: float  # at the scale it was laid out at
    room: float  # height its parent has left

    def breaks(self, ratio: float, width: float | None = None) -> list[float]:
        """The width of each line, in CSS px, at `ratio` × the laid-out font size (in `width`, else its own).

        Broken at the laid-out size in a box 1/ratio as wide, then scaled: unhinted glyph advances grow
        with the font size (within 0.04 px a line, over every shipped design and script), and Pango takes
        some 5 ms a text to load fonts at a size it has not drawn, a quarter of a millisecond at one it has.
        Hyphenated text is broken at the size itself: WeasyPrint fills its lines to the last hair, where
        that rounding decides a break.
        """
        width = self.width if width is None else width
        if self.style["hyphens"] == "auto":
            style = self.style.copy()
            style["font_size"] = self.style["font_size"] * ratio
            if not isinstance(self.style["letter_spacing"], str):  # px from em, which grow with the font
                style["letter_spacing"] = self.style["letter_spacing"] * ratio
            return self._breaks(style, width)
        return [line * ratio for line in self._breaks(self.style, width / ratio)]

    def _breaks(self, style, width: float) -> list[float]:
        """The width of each line in `style` in `width`."""
        # Hyphenation dictionaries are cached on the layout context; nothing else of it is read.
        context = SimpleNamespace(dictionaries={})
        widths, rest = [], self.text.encode("utf-8")
        while rest:
            _, _, resume, line, _, _ = split_first_line(rest.decode("utf-8"), style, context, width, 0, True)
            widths.append(line)
            if resume is None:
                break
            rest = rest[resume:]
        return widths

    def measure(self, ratio: float) -> tuple[int, float]:
        """Lines and widest line, in CSS px, at `ratio` × the laid-out font size."""
        widths = self.breaks(ratio)
        return len(widths), max(widths, default=0.0)

    def fits(self, ratio: float) -> bool:
        """Whether the element fits at `ratio` × its laid-out size, as `fits` would find after a layout."""
        count, widest = self.measure(ratio)
        grows = count * self.line_height * ratio - self.lines * self.line_height
        return widest <= self.width + EPSILON and grows <= self.room + 2 * EPSILON


def _collapsed(text: str, style) -> str:
    """`text` as WeasyPrint sets it: white space collapsed, `text-transform` applied."""
    text = re.sub(r"[\t\n\r ]+", " ", text).strip(" ")
    if style["text_transform"] != "none":
        text = transform(style["text_transform"], text, style["lang"])
    return text


def text_of(document: Document, element, laid_out: str | None = None, *, slack_only: bool = True) -> Text | None:
    """`element` as a `Text` when its lines can be foretold: one run of text, one style, lines as tall as
    line-height says. None otherwise, or when measuring the text it was laid out with (`laid_out`, else its
    own) does not give the lines laid out.

    With `slack_only`, an element whose parent has no room left is None too: the parent most likely grows
    with it (an auto grid row), taking room from other elements, which only the whole page can tell.
    """
    found = box_of(document, element)
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
    line_height = spacing * style["font_size"]
    measured = Text(_collapsed(element.text if laid_out is None else laid_out, style), style, box.width,
                    len(lines), line_height, room(box, parent))
    if slack_only and measured.room <= EPSILON:
        return None
    widths, _ = line_widths(document, element)
    count, widest = measured.measure(1.0)
    if (count != len(lines) or abs(box.height - len(lines) * line_height) > EPSILON
            or not widths or abs(widest - max(widths)) > EPSILON):
        return None
    if laid_out is not None:
        measured.text = _collapsed(element.text, style)
    return measured


@dataclass
class Piece:
    """One marked element in a `Model`."""

    text: Text
    base: float  # its designed font size, CSS px
    height: float  # of its content box as laid out
    pools: tuple[int, ...]  # the rooms its growth takes from
    own: bool  # its pool is its parent's room (else others', through the grid around it)
    # Height it may grow before its row does, where something beside it is taller (a QR code).
    absorbed: float = 0.0


@dataclass
class Model:
    """The marked elements of a page, as one layout left them: whether they fit at any scales, measured
    instead of laid out. Scales are of each element's designed size, as the fit pass sets them."""

    pieces: list[Piece]
    rooms: list[float]
    # How far content may overflow a room by the measures. `fits` allows half a pixel, but where the
    # overflow reaches the page's foot WeasyPrint breaks to a new page instead: then 0.
    slack: float = EPSILON
    _seen: dict = field(default_factory=dict)

    def size(self, index: int, scale: float) -> float:
        """The font size the fit pass writes for element `index` at `scale`."""
        return float(f"{self.pieces[index].base * scale:.3f}")

    def breaks(self, index: int, scale: float, width: float | None = None) -> list[float]:
        """Element `index`'s line widths at `scale` (in `width`, else its own), remembered: searches ask again."""
        key = (index, scale, width)
        if key not in self._seen:
            text = self.pieces[index].text
            self._seen[key] = text.breaks(self.size(index, scale) / text.style["font_size"], width)
        return self._seen[key]

    def height(self, index: int, scale: float) -> float:
        text = self.pieces[index].text
        return len(self.breaks(index, scale)) * text.line_height * self.size(index, scale) / text.style["font_size"]

    def left(self, scales: list[float]) -> list[float]:
        """Each room's height left at `scales`."""
        left = list(self.rooms)
        for index, (piece, scale) in enumerate(zip(self.pieces, scales)):
            growth = self.height(index, scale) - piece.height
            if piece.absorbed > EPSILON:
                growth = max(0.0, growth - piece.absorbed)
            for pool in piece.pools:
                left[pool] -= growth
        return left

    def excess(self, scales: list[float]) -> float:
        """How far, in CSS px, the worst-placed element is from fitting at `scales`: 0 or less when all fit."""
        worst = max(max(self.breaks(i, s), default=0.0) - (p.text.width + EPSILON)
                    for i, (p, s) in enumerate(zip(self.pieces, scales)))
        # Content aligned to one edge of its parent overflows at the other: half the slack `fits` allows
        # content that overflows both ways (centred).
        return max(worst, *(-(left + self.slack) for left in self.left(scales)))

    def fits(self, scales: list[float]) -> bool:
        return self.excess(scales) <= 0


def model(document: Document, elements: list, laid_out: list[str] | None = None) -> Model | None:
    """The `Model` of `elements` from `document`, where each was laid out with its text (or `laid_out`'s).

    None when an element is not one run of plain text, or an auto-sized element's growth has nowhere
    known to go.
    """
    texts, paths = [], []
    for index, element in enumerate(elements):
        text = text_of(document, element, laid_out[index] if laid_out else None, slack_only=False)
        if text is None:
            return None
        texts.append(text)
        paths.append(_path_to(document, element))
    parents = [path[-2] for path in paths]
    # Room left in a parent of fixed height (a 1fr row) is a pool; room beside a taller grid item (a QR
    # code) only delays growing the row.
    owns = [text.room > EPSILON and _beside(path[-2], path[-1]) <= EPSILON for text, path in zip(texts, paths)]
    pools: dict[int, int] = {}  # id of a parent box with room left -> its room's number
    rooms: list[float] = []
    for text, parent, own in zip(texts, parents, owns):
        if own and id(parent) not in pools:
            pools[id(parent)] = len(rooms)
            rooms.append(text.room)
    pieces = []
    for text, path, parent, own in zip(texts, paths, parents, owns):
        drains, absorbed = ((pools[id(parent)],), 0.0) if own else _drained(path, paths, parents, pools)
        if not drains:
            return None
        pieces.append(Piece(text, base=text.style["font_size"], height=path[-1].height, pools=drains, own=own,
                            absorbed=absorbed))
    return Model(pieces, rooms)


def _drained(path: list, paths: list[list], parents: list, pools: dict[int, int]) -> tuple[tuple[int, ...], float]:
    """The rooms an element that fills its parent takes its growth from: those of the marked elements
    in the nearest grid around it that has any. With the height it grows first without growing that grid:
    on the way there, grid items beside it that are taller."""
    absorbed = 0.0
    for depth in range(len(path) - 2, -1, -1):
        ancestor, item = path[depth], path[depth + 1]
        if not isinstance(ancestor, boxes.GridContainerBox):
            continue
        absorbed += _beside(ancestor, item)
        found = {pools[id(parent)] for other, parent in zip(paths, parents)
                 if id(parent) in pools and any(box is ancestor for box in other)}
        if found:
            return tuple(sorted(found)), absorbed
    return (), 0.0


def _beside(grid, item) -> float:
    """How much taller than `item` the tallest other item of `grid` in the same rows is (0 if not a grid)."""
    if not isinstance(grid, boxes.GridContainerBox):
        return 0.0
    top, bottom = item.position_y, item.position_y + item.margin_height()
    heights = [other.margin_height() for other in grid.children if other is not item
               and other.position_y < bottom - EPSILON and other.position_y + other.margin_height() > top + EPSILON]
    return max(0.0, max(heights, default=0.0) - item.margin_height())
