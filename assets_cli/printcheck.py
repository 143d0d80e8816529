"""What a print shop would send back about a laid-out print asset.

Three checks on the WeasyPrint document, laid out at trim size (CSS px,
96 to the inch at print size):
- placed raster pictures have at least the size's `min_image_dpi` at the
  size they are drawn (SVG pictures and gradients are vector: any size);
- each QR code is at least MIN_PRINTED_QR_MM wide;
- no text and no QR code comes within TRIM_CLEARANCE_MM of the page edge
  (the guillotine wanders by about that much) or into the size's `safe`
  insets (a roll-up's foot hidden by its stand).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from weasyprint.formatting_structure import boxes
from weasyprint.images import RasterImage
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.layout.replaced import replacedbox_layout
from weasyprint.text.ffi import FROM_UNITS, ffi, pango

from assets_cli.measure import walk
from assets_cli.sizes import MM_PER_UNIT, Size

MIN_PRINTED_QR_MM = 20  # smaller codes fail on older phones
TRIM_CLEARANCE_MM = 3.0  # how far a cut may stray from the trim line
PX_PER_MM = 96 / 25.4
EDGES = ("top", "right", "bottom", "left")  # the order of Size.safe


def print_problems(document, size: Size) -> list[str]:
    """Every print problem of a laid-out document at `size`, one line each (pages numbered when several)."""
    problems = []
    pages = document.pages
    for number, page in enumerate(pages, 1):
        prefix = f"page {number}: " if len(pages) > 1 else ""
        found = [*_picture_problems(page, size), *_qr_problems(page, size), *_edge_problems(page, size)]
        problems += [prefix + problem for problem in found]
    return problems


def _boxes(page) -> Iterator:
    """Every box on the page, absolutely positioned ones unwrapped from WeasyPrint's placeholders."""
    for box in walk(page._page_box):
        yield box._box if isinstance(box, AbsolutePlaceholder) else box


def qr_boxes(page) -> Iterator:
    """The boxes of the QR codes on one page (the inline <svg aria-label="QR code">)."""
    for box in _boxes(page):
        element = getattr(box, "element", None)
        if (isinstance(box, boxes.ReplacedBox) and element is not None
                and element.tag in ("svg", "{http://www.w3.org/2000/svg}svg")
                and element.get("aria-label") == "QR code"):
            yield box


def qr_widths_mm(document) -> list[float]:
    """The printed width of every QR code in the document, in mm."""
    return [box.width / PX_PER_MM for page in document.pages for box in qr_boxes(page)]


def _qr_problems(page, size: Size) -> Iterator[str]:
    for box in qr_boxes(page):
        width_mm = box.width / PX_PER_MM
        if width_mm < MIN_PRINTED_QR_MM - 0.05:
            yield (f"the QR code is {width_mm:.1f} mm wide at {size.title}; "
                   f"printed codes need {MIN_PRINTED_QR_MM} mm")


def _pictures(page) -> Iterator[tuple[RasterImage, str | None, float, float]]:
    """Each raster picture drawn on the page: image, its URL if known, drawn width and height in px."""
    backgrounds = [getattr(page._page_box, "canvas_background", None)]
    for box in _boxes(page):
        backgrounds.append(getattr(box, "background", None))
        if isinstance(box, boxes.ReplacedBox) and isinstance(box.replacement, RasterImage):
            if box.style["visibility"] == "visible" and box.width and box.height:
                # object-fit: the picture may be drawn larger (cover) or smaller (contain) than its box.
                width, height, _, _ = replacedbox_layout(box)
                element = getattr(box, "element", None)
                yield box.replacement, element.get("src") if element is not None else None, width, height
    for background in backgrounds:
        if background is None:
            continue
        # Layers follow background-image's list, one for one.
        for layer, (kind, value) in zip(background.layers, background.style["background_image"]):
            if isinstance(layer.image, RasterImage):
                yield layer.image, value if kind == "url" else None, *layer.size


def _picture_name(url: str | None, image: RasterImage) -> str:
    if url and url.startswith("data:"):
        return "an embedded picture (data: URL)"
    if url:
        return unquote(PurePosixPath(urlsplit(url).path).name) or url
    filename = getattr(image.image_data, "_filename", None)  # WeasyPrint keeps local files by name
    return PurePosixPath(str(filename)).name if filename else "a picture"


def _picture_problems(page, size: Size) -> Iterator[str]:
    need = size.min_image_dpi
    for image, url, width, height in _pictures(page):
        if width <= 0 or height <= 0:
            continue
        width_in, height_in = width / 96, height / 96
        dpi = min(image.width / width_in, image.height / height_in)
        if dpi < need - 0.5:
            yield (f"{_picture_name(url, image)} is {math.floor(dpi)} DPI at {size.title} "
                   f"(placed {width / PX_PER_MM:.0f} × {height / PX_PER_MM:.0f} mm); print needs {need}: "
                   f"use a picture of at least {math.ceil(width_in * need - 0.01)} × "
                   f"{math.ceil(height_in * need - 0.01)} px")


def _ink(box: boxes.TextBox) -> tuple[float, float, float, float] | None:
    """Left, top, right, bottom of the glyphs a text box draws, in page px.

    A text box's own height is the font's ascent plus descent, and its line
    adds half-leading: both reach past the letters, most of all on capitals.
    Pango's ink extents are where the glyphs are.
    """
    layout = getattr(box, "pango_layout", None)
    if layout is None:
        return None
    layout.reactivate(box.style)
    try:
        line, _ = layout.get_first_line()
        ink, logical = ffi.new("PangoRectangle *"), ffi.new("PangoRectangle *")
        pango.pango_layout_line_get_extents(line, ink, logical)
        if ink.width <= 0 or ink.height <= 0:
            return None
        # WeasyPrint draws the line from the box's left at its baseline.
        left = box.position_x + (ink.x - logical.x) * FROM_UNITS
        top = box.position_y + box.baseline + ink.y * FROM_UNITS
        return left, top, left + ink.width * FROM_UNITS, top + ink.height * FROM_UNITS
    finally:
        layout.deactivate()


def _essentials(page) -> Iterator[tuple[str, tuple[float, float, float, float], object]]:
    """What must survive the cut: each visible line of text and each QR code, with its extent and element."""
    for box in _boxes(page):
        if isinstance(box, boxes.TextBox) and box.text.strip() and box.style["visibility"] == "visible":
            extent = _ink(box)
            if extent is not None:
                element = getattr(box, "element", None)
                text = " ".join("".join(element.itertext()).split()) if element is not None else box.text
                yield text, extent, element
    for box in qr_boxes(page):
        yield "the QR code", (box.border_box_x(), box.border_box_y(), box.border_box_x() + box.border_width(),
                              box.border_box_y() + box.border_height()), box.element


def _edge_problems(page, size: Size) -> Iterator[str]:
    width, height = page.width, page.height
    safe = {edge: inset * MM_PER_UNIT[size.unit] * PX_PER_MM for edge, inset in zip(EDGES, size.safe)}
    clearance = TRIM_CLEARANCE_MM * PX_PER_MM
    # A paragraph's lines share one element: report it once per edge, at its closest.
    closest: dict[tuple[int, str], tuple[float, str]] = {}
    for text, (left, top, right, bottom), element in _essentials(page):
        distances = {"top": top, "right": width - right, "bottom": height - bottom, "left": left}
        for edge, distance in distances.items():
            if distance < max(clearance, safe[edge]):
                key = (id(element), edge)
                if key not in closest or distance < closest[key][0]:
                    closest[key] = (distance, text)
    for (_, edge), (distance, text) in closest.items():
        what = text if len(text) <= 30 else text[:29].rstrip() + "…"
        mm = distance / PX_PER_MM
        if distance < 0:
            yield f"{what!r} runs {-mm:.1f} mm past the {edge} edge"
        elif distance < safe[edge]:
            yield (f"{what!r} is {mm:.1f} mm from the {edge} edge, inside the {edge} "
                   f"{safe[edge] / PX_PER_MM:.0f} mm that {size.title} keeps clear")
        else:
            yield f"{what!r} is {mm:.1f} mm from the {edge} edge; keep {TRIM_CLEARANCE_MM:g} mm clear of the trim"
