"""Telling how marked text would lay out at other sizes without laying the page out again.

WeasyPrint's own line breaking, run on an element's text alone, gives the
lines a layout gives, in about a millisecond against a hundred for a layout.
Heights follow from a numeric line-height. Where the height comes from
follows from the boxes of one layout: an element whose parent has room left
grows into that room; one that fills an auto-sized grid row grows the row,
which takes the room from the other rows of its grid (`minmax(0, Nfr)` rows
shrink by what the auto rows grow, each by its share). Elements side by side
in one auto row grow it by the most any of them outgrows its cell, not by
their sum; elements stacked in one cell grow it by their sum.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from math import inf
from types import SimpleNamespace
from typing import Any

from weasyprint.document import Document
from weasyprint.formatting_structure import boxes
from weasyprint.formatting_structure.text import transform
from weasyprint.layout.grid import _get_template_tracks
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
    """A marked element's text, as one layout left it: enough to tell whether it fits at other sizes.

    Plain text; or text in one inline child that holds it all (a tag, a highlight: `lead` is the child's
    padding, border and margin before it, which grow with the font); or `words`, children that never break
    inside (`white-space: nowrap`) with spaces between them, each shaped alone as a layout shapes them.
    """

    text: str
    style: Any  # its text's computed style
    width: float  # of its content box, CSS px
    lines: int
    line_height: float  # at the scale it was laid out at
    room: float  # height its parent has left
    lead: float = 0.0  # CSS px before the first line's text, at the scale it was laid out at
    inset: float = 0.0  # the element's own side padding and borders in em: its width gains what they lose
    words: tuple[str, ...] = ()
    space_style: Any = None  # the spaces' between words
    _advances: dict = field(default_factory=dict, repr=False, compare=False)

    def breaks(self, ratio: float, width: float | None = None) -> list[float]:
        """The width of each line, in CSS px, at `ratio` × the laid-out font size (in `width`, else its own).

        Broken at the laid-out size in a box 1/ratio as wide, then scaled: unhinted glyph advances grow
        with the font size (within 0.04 px a line, over every shipped design and script), and Pango takes
        some 5 ms a text to load fonts at a size it has not drawn, a quarter of a millisecond at one it has.
        Hyphenated text is broken at the size itself: WeasyPrint fills its lines to the last hair, where
        that rounding decides a break.
        """
        width = self.width_at(ratio) if width is None else width
        if self.words:
            return [line * ratio for line in self._fill(width / ratio)]
        if self.style["hyphens"] == "auto":
            style = self.style.copy()
            style["font_size"] = self.style["font_size"] * ratio
            if not isinstance(self.style["letter_spacing"], str):  # px from em, which grow with the font
                style["letter_spacing"] = self.style["letter_spacing"] * ratio
            return self._breaks(style, width, self.lead * ratio)
        return [line * ratio for line in self._breaks(self.style, width / ratio, self.lead)]

    def _breaks(self, style, width: float, lead: float = 0.0) -> list[float]:
        """The width of each line in `style` in `width`, the first after `lead`."""
        # Hyphenation dictionaries are cached on the layout context; nothing else of it is read.
        context = SimpleNamespace(dictionaries={})
        widths, rest = [], self.text.encode("utf-8")
        while rest:
            _, _, resume, line, _, _ = split_first_line(rest.decode("utf-8"), style, context,
                                                        width - (0.0 if widths else lead), 0, True)
            widths.append(line + (0.0 if widths else lead))
            if resume is None:
                break
            rest = rest[resume:]
        return widths

    def _advance(self, text: str, style) -> float:
        """The width of `text` on one line in `style`, remembered: words are measured once."""
        key = (text, id(style))
        if key not in self._advances:
            context = SimpleNamespace(dictionaries={})
            self._advances[key] = split_first_line(text, style, context, inf, 0, True)[3]
        return self._advances[key]

    def _fill(self, width: float) -> list[float]:
        """The width of each line when the words fill lines of `width` in turn, as a layout breaks them."""
        space = self._advance(" ", self.space_style)
        widths: list[float] = []
        for word in self.words:
            advance = self._advance(word, self.style)
            if widths and widths[-1] + space + advance <= width:
                widths[-1] += space + advance
            else:
                widths.append(advance)
        return widths

    def fewest_lines(self, ratio: float) -> int:
        """At least how many lines the text breaks into at `ratio` × the laid-out font size, told without
        breaking it: as if every line were filled to the width with none of the text left out but the
        spaces lines end at. A word wider than the width fills a line of its own width (words are measured
        where their letters could be that wide at 1.5 em each, more than any design's glyph), and 0.5 % of
        the text's length is given away for the rounding of advances at another size and kerning across
        the breaks."""
        width = self.width_at(ratio)
        total = ratio * self._advance(self.text, self.style) * 0.995 - 2.0
        space = ratio * self._advance(" ", self.space_style or self.style) * 1.01 + 0.1
        em = 1.5 * ratio * self.style["font_size"]
        for word in {word for word in self.text.split(" ") if len(word) * em > width}:
            width = max(width, ratio * self._advance(word, self.style) * 1.01 + 0.5)
        return max(1, math.ceil((total + space) / (width + space) - 1e-9))

    def measure(self, ratio: float) -> tuple[int, float]:
        """Lines and widest line, in CSS px, at `ratio` × the laid-out font size."""
        widths = self.breaks(ratio)
        return len(widths), max(widths, default=0.0)

    def fits(self, ratio: float) -> bool:
        """Whether the element fits at `ratio` × its laid-out size, as `fits` would find after a layout."""
        count, widest = self.measure(ratio)
        grows = count * self.line_height * ratio - self.lines * self.line_height
        return widest <= self.width_at(ratio) + EPSILON and grows <= self.room + 2 * EPSILON

    def width_at(self, ratio: float) -> float:
        """The content width at `ratio` × the laid-out font size."""
        return self.width + self.inset * (1.0 - ratio)


def _collapsed(text: str, style) -> str:
    """`text` as WeasyPrint sets it: white space collapsed, `text-transform` applied."""
    text = re.sub(r"[\t\n\r ]+", " ", text).strip(" ")
    if style["text_transform"] != "none":
        text = transform(style["text_transform"], text, style["lang"])
    return text


def shape_of(element) -> str | None:
    """How a marked element holds its text, as far as measuring goes: "plain" (text alone), "wrapped" (one
    inline child holds all of it), "words" (children between spaces, each a word); None for other markup."""
    children = list(element)
    if not children:
        return "plain" if (element.text or "").strip() else None
    if (element.text or "").strip() or any(len(child) or not (child.text or "").strip() for child in children):
        return None
    if (children[-1].tail or "").strip():
        return None
    if len(children) == 1:
        return "wrapped"
    return "words" if all((child.tail or "") and not child.tail.strip() for child in children[:-1]) else None


def text_of(document: Document, element, laid_out: str | None = None, *, slack_only: bool = True) -> Text | None:
    """`element` as a `Text` when its lines can be foretold: one run of text (or one wrapped, or words), one
    style, lines as tall as line-height says. None otherwise, or when measuring the text it was laid out
    with (`laid_out`, else its own; the first word's, for words) does not give the lines laid out.

    With `slack_only`, an element whose parent has no room left is None too: the parent most likely grows
    with it (an auto grid row), taking room from other elements, which only the whole page can tell.
    """
    found = box_of(document, element)
    shape = shape_of(element)
    if found is None or found[1] is None or shape is None:
        return None
    box, parent = found
    texts = [t for t in walk(box) if isinstance(t, boxes.TextBox)]
    lines = [line for line in walk(box) if isinstance(line, boxes.LineBox)]
    inlines = [b for b in walk(box) if isinstance(b, boxes.InlineBox)]
    if shape == "plain":
        inked, lead, space_style = texts, 0.0, None
    else:
        inked = [t for inline in inlines for t in walk(inline) if isinstance(t, boxes.TextBox)]
        spaces = [t for t in texts if not any(t is i for i in inked)]
        if not inked or not all(_grows_with_font(inline.style, box.style) for inline in inlines):
            return None
        lead, space_style = _lead(inlines, box.style["direction"]), (spaces[0].style if spaces else box.style)
        if shape == "words" and (lead or inked[0].style["white_space"] != "nowrap" or any(
                _lead([inline], box.style["direction"]) or _lead([inline], _other(box.style["direction"]))
                for inline in inlines)):
            return None
        if shape == "wrapped" and (spaces or (inked[0].style["white_space"] != "nowrap"
                                             and (lead or _lead(inlines[-1:], _other(box.style["direction"]))))):
            return None  # wrapped text that breaks: where its decorations fall is a layout's to tell
    if not inked or any(t.style is not inked[0].style for t in inked):
        return None
    style = inked[0].style
    spacing = style["line_height"]
    if not isinstance(spacing, (int, float)) or style["white_space"] not in ("normal", "nowrap"):
        return None  # "normal" depends on the font; a length does not grow with it
    line_height = spacing * style["font_size"]
    sources = [element] if shape == "plain" else list(element)
    own = [laid_out] if laid_out is not None else [child.text for child in sources]
    words = tuple(_collapsed(word, style) for word in own) if shape == "words" else ()
    measured = Text(_collapsed(" ".join(own), style), style, box.width, len(lines), line_height, room(box, parent),
                    lead=lead, inset=_em_inset(box), words=words, space_style=space_style)
    if slack_only and measured.room <= EPSILON:
        return None
    widths, _ = line_widths(document, element)
    count, widest = measured.measure(1.0)
    if (count != len(lines) or abs(box.height - len(lines) * line_height) > EPSILON
            or not widths or abs(widest - lead - max(widths)) > EPSILON):
        return None
    if laid_out is not None:
        real = [child.text for child in sources]
        measured.text = _collapsed(" ".join(real), style)
        if shape == "words":
            measured.words = tuple(_collapsed(word, style) for word in real)
    return measured


def _em_inset(box) -> float:
    """The part of `box`'s side padding and borders, in CSS px, set in em: it shrinks with the font."""
    cascaded = getattr(box.style, "cascaded", None) or {}
    inset = 0.0
    for side in ("left", "right"):
        for name in (f"padding_{side}", f"border_{side}_width"):
            declared = cascaded.get(name)
            if declared is not None and getattr(declared[0], "unit", None) == "em":
                inset += getattr(box, name)
    return inset


def _other(direction: str) -> str:
    return "rtl" if direction == "ltr" else "ltr"


def _lead(inlines: list, direction: str) -> float:
    """Padding, border and margin before the first line's text of the first of `inlines` (at the start
    side of `direction`)."""
    if not inlines:
        return 0.0
    side = "left" if direction == "ltr" else "right"
    inline = inlines[0]
    return (getattr(inline, f"margin_{side}") or 0.0) + getattr(inline, f"border_{side}_width") + getattr(
        inline, f"padding_{side}")


# What an inline child may set and still be measured: sizes in em grow with the font as the fit pass scales it.
_SCALED = ("font_size", "letter_spacing", "word_spacing", "padding_left", "padding_right", "margin_left",
           "margin_right", "border_left_width", "border_right_width")


def _grows_with_font(style, parent_style) -> bool:
    """Whether a child's text keeps in step with its parent's font size as the fit pass scales it: its
    sizes are unset, 0 or in em (a font size also in %), and its lines are as tall as the parent's."""
    cascaded = getattr(style, "cascaded", None)
    if cascaded is None:
        return False
    for name in _SCALED:
        if name in cascaded:
            value = cascaded[name][0]
            # A percentage is of the parent's font for a font size, of the page's width for anything else.
            scaled = ("em", "%") if name == "font_size" else ("em",)
            if getattr(value, "unit", None) not in scaled and getattr(value, "value", None) != 0:
                return False
    return (style["font_size"] == parent_style["font_size"]
            and style["line_height"] == parent_style["line_height"])


@dataclass
class Piece:
    """One marked element in a `Model`."""

    text: Text
    base: float  # its designed font size, CSS px
    height: float  # of its content box as laid out
    pools: tuple[int, ...]  # the rooms its growth takes from
    own: bool  # its pool is its parent's room (else others', through the grid around it)
    # The part of its growth each pool gives up: a grid shares an auto row's growth among its flexible rows.
    shares: tuple[float, ...] = ()
    # Height it may grow before its row does, where something beside it is taller (a QR code).
    absorbed: float = 0.0
    row: int | None = None  # the auto grid row it shares with other marked elements: that row grows by the most
    holder: int = 0  # which of that row's grid items holds it: marked elements in one item stack, their growth adds


@dataclass
class Model:
    """The marked elements of a page, as one layout left them: whether they fit at any scales, measured
    instead of laid out. Scales are of each element's designed size, as the fit pass sets them."""

    pieces: list[Piece]
    rooms: list[float]
    # For each shared row: how far it may shrink, its other items being as tall as they are (inf: no limit).
    floors: list[float] = field(default_factory=list)
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

    def width(self, index: int, scale: float) -> float:
        """Element `index`'s content width at `scale`."""
        text = self.pieces[index].text
        return text.width_at(self.size(index, scale) / text.style["font_size"])

    def height(self, index: int, scale: float, lines: int | None = None) -> float:
        """Element `index`'s height at `scale`, in its lines there (or in `lines`)."""
        text = self.pieces[index].text
        count = len(self.breaks(index, scale)) if lines is None else lines
        return count * text.line_height * self.size(index, scale) / text.style["font_size"]

    def left(self, scales: list[float], lines: dict[int, int] | None = None) -> list[float]:
        """Each room's height left at `scales` (with the elements in `lines` that many lines tall)."""
        left = list(self.rooms)
        rows: dict[int, dict[int, float]] = {}  # shared row -> its grid items' growth past their slack
        sharing: dict[int, Piece] = {}
        for index, (piece, scale) in enumerate(zip(self.pieces, scales)):
            growth = self.height(index, scale, (lines or {}).get(index)) - piece.height
            if piece.row is not None:
                # Side by side in an auto row, the row grows by the most any of its items grows past its slack;
                # stacked in one item, marked elements grow it by their sum.
                items = rows.setdefault(piece.row, {})
                items[piece.holder] = items.get(piece.holder, -piece.absorbed) + growth
                sharing[piece.row] = piece
                continue
            if piece.absorbed > EPSILON:
                growth = max(0.0, growth - piece.absorbed)
            self._drain(left, piece, growth)
        for row, items in rows.items():
            self._drain(left, sharing[row], max(max(items.values()), -self.floors[row]))
        return left

    @staticmethod
    def _drain(left: list[float], piece: Piece, growth: float) -> None:
        for pool, share in zip(piece.pools, piece.shares or (1.0,) * len(piece.pools)):
            left[pool] -= growth * share

    def excess(self, scales: list[float]) -> float:
        """How far, in CSS px, the worst-placed element is from fitting at `scales`: 0 or less when all fit."""
        return max(self.overflow(scales))

    def overflow(self, scales: list[float]) -> tuple[float, float]:
        """How far, in CSS px, the widest line is from fitting its element's width at `scales`, and the most
        any room is overflowed: each 0 or less when it fits."""
        wide = max(max(self.breaks(i, s), default=0.0) - (self.width(i, s) + EPSILON)
                   for i, (p, s) in enumerate(zip(self.pieces, scales)))
        # Content aligned to one edge of its parent overflows at the other: half the slack `fits` allows
        # content that overflows both ways (centred).
        return wide, max(-(left + self.slack) for left in self.left(scales))

    def fits(self, scales: list[float]) -> bool:
        return not self._surely_over(scales) and self.excess(scales) <= 0

    def _surely_over(self, scales: list[float]) -> bool:
        """Whether some room overflows at `scales` even with each hyphenated text not yet broken there as
        short as it could be (`Text.fewest_lines`). Such text is broken at each size itself, some 5 ms a
        paragraph; at the sizes a search tries first, far too big, this tells it without breaking. Rooms
        only get less as an element gets taller, so what overflows then overflows as broken too."""
        fewest = {index: piece.text.fewest_lines(self.size(index, scale) / piece.text.style["font_size"])
                  for index, (piece, scale) in enumerate(zip(self.pieces, scales))
                  if piece.text.style["hyphens"] == "auto" and (index, scale, None) not in self._seen}
        return bool(fewest) and max(-(left + self.slack) for left in self.left(scales, fewest)) > 0


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
    besides = [_beside(path[-2], path[-1]) > EPSILON for path in paths]
    # Room in a grid item stretched to an auto row (beside a taller cell) is slack too: used up, the row grows.
    slack = [text.room > EPSILON and not beside and _auto_row(path) is not None
             for text, path, beside in zip(texts, paths, besides)]
    # A parent overflowed already (a headline's first letter taller than its row) has a height of its own:
    # content does not grow it, so its room, less than none, is still the element's to take from.
    owns = [abs(text.room) > EPSILON and not beside and not stretched
            for text, beside, stretched in zip(texts, besides, slack)]
    pools: dict[int, int] = {}  # id of a parent box with room left -> its room's number
    rooms: list[float] = []
    for text, parent, own in zip(texts, parents, owns):
        if own and id(parent) not in pools:
            pools[id(parent)] = len(rooms)
            rooms.append(text.room)
    pieces = []
    for text, path, parent, own, stretched in zip(texts, paths, parents, owns, slack):
        drains, shares, absorbed = ((pools[id(parent)],), (1.0,), 0.0) if own else _drained(path, paths, parents,
                                                                                             pools)
        if not drains:
            return None
        if stretched:
            absorbed += text.room
        pieces.append(Piece(text, base=text.style["font_size"], height=path[-1].height, pools=drains, own=own,
                            shares=shares, absorbed=absorbed))
    return Model(pieces, rooms, _share_rows(pieces, paths))


def _auto_row(path: list) -> tuple | None:
    """The auto-sized grid row the element of `path` sits in, through blocks that grow with it: (the grid,
    its item holding the element, the row's number). None when the nearest grid around it sizes that row
    otherwise, or where it sits cannot be told."""
    for depth in range(len(path) - 2, 0, -1):
        grid, item = path[depth - 1], path[depth]
        if isinstance(grid, boxes.GridContainerBox):
            row = _row_of(grid, item)
            tracks = _get_template_tracks(grid.style["grid_template_rows"])[1::2]
            track = tracks[row] if row is not None and row < len(tracks) else (
                "auto" if row is not None and grid.style["grid_auto_rows"] == ("auto",) else None)
            return (grid, item, row) if track == "auto" else None
    return None


def _row_of(grid, item) -> int | None:
    """The row `item` sits in, told from where the items' tops are: None when an item may span rows."""
    children = [child for child in grid.children if child.is_in_normal_flow()]
    if item not in children or any(child.style["grid_row_end"] != "auto" for child in children):
        return None
    tops: list[float] = []
    for top in sorted(child.position_y for child in children):
        if not tops or top - tops[-1] > EPSILON:
            tops.append(top)
    return next(index for index, top in enumerate(tops) if abs(item.position_y - top) <= EPSILON)


def _share_rows(pieces: list[Piece], paths: list[list]) -> list[float]:
    """Mark the pieces that share an auto grid row (broadsheet's dates beside its call to action): the row
    grows by the most any of its items grows, not by their sum; pieces stacked in one item (a chapter's event
    under the call to action) grow that item by their sum. Each shared row's floor: how far it may shrink
    before an item holding no marked element is the tallest."""
    found: dict[tuple[int, int], list[int]] = {}
    for index, (piece, path) in enumerate(zip(pieces, paths)):
        if piece.own:
            continue
        where = _auto_row(path)
        if where is not None:
            found.setdefault((id(where[0]), where[2]), []).append(index)
    floors: list[float] = []
    for members in found.values():
        if len(members) < 2 or len({(pieces[i].pools, pieces[i].shares) for i in members}) > 1:
            continue  # alone in its row, or rows draining different rooms: each grows on its own
        grid = _auto_row(paths[members[0]])[0]
        holders = [paths[i][paths[i].index(grid) + 1] for i in members]
        # The row's items are those beside its marked ones, however the row aligns them (a QR code centred).
        top = min(holder.position_y for holder in holders)
        bottom = max(holder.position_y + holder.margin_height() for holder in holders)
        items = [child for child in grid.children if child.is_in_normal_flow()
                 and child.position_y < bottom - EPSILON and child.position_y + child.margin_height() > top + EPSILON]
        height = max(item.margin_height() for item in items + holders)
        others = [item.margin_height() for item in items if all(item is not holder for holder in holders)]
        for index, holder in zip(members, holders):
            pieces[index].row = len(floors)
            pieces[index].holder = next(number for number, other in enumerate(holders) if other is holder)
        floors.append(height - max(others) if others else inf)
    return floors


def _drained(path: list, paths: list[list], parents: list,
             pools: dict[int, int]) -> tuple[tuple[int, ...], tuple[float, ...], float]:
    """The rooms an element that fills its parent takes its growth from: those of the marked elements
    in the nearest grid around it that has any, with the part of the growth each gives up. With the height
    it grows first without growing that grid: on the way there, grid items beside it that are taller."""
    absorbed = 0.0
    for depth in range(len(path) - 2, -1, -1):
        ancestor, item = path[depth], path[depth + 1]
        if not isinstance(ancestor, boxes.GridContainerBox):
            continue
        absorbed += _beside(ancestor, item)
        found: dict[int, float] = {}
        for other, parent in zip(paths, parents):
            if id(parent) in pools and ancestor in other:
                # `other` runs from the page down: the box after the grid is the grid item holding the room.
                holder = other[next(i for i, box in enumerate(other) if box is ancestor) + 1]
                found[pools[id(parent)]] = _flex_share(ancestor, holder)
        if found:
            drains = tuple(sorted(found))
            return drains, tuple(found[pool] for pool in drains), absorbed
    return (), (), 0.0


def _flex_share(grid, item) -> float:
    """The part of a change in `grid`'s auto rows that `item`'s row takes: its flex factor over all of
    them when rows `minmax(0, Nfr)` share the grid's free height (1 when it is the only flexible row, or
    when which row the item sits in cannot be told)."""
    rows = [_flex(track) for track in _get_template_tracks(grid.style["grid_template_rows"])[1::2]]
    flexible = [factor for factor in rows if factor]
    row = _row_of(grid, item) if len(flexible) > 1 else None
    if row is None or row >= len(rows) or not rows[row]:
        return 1.0
    return rows[row] / sum(flexible)


def _flex(track) -> float | None:
    """The flex factor of a row sized `minmax(0, Nfr)`; None for any other size."""
    if (isinstance(track, tuple) and len(track) == 3 and track[0] == "minmax()"
            and getattr(track[1], "value", None) == 0 and getattr(track[2], "unit", None) == "fr"):
        return float(track[2].value)
    return None


def _beside(grid, item) -> float:
    """How much taller than `item` the tallest other item of `grid` in the same rows is (0 if not a grid)."""
    if not isinstance(grid, boxes.GridContainerBox):
        return 0.0
    top, bottom = item.position_y, item.position_y + item.margin_height()
    heights = [other.margin_height() for other in grid.children if other is not item
               and other.position_y < bottom - EPSILON and other.position_y + other.margin_height() > top + EPSILON]
    return max(0.0, max(heights, default=0.0) - item.margin_height())
