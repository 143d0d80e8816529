"""A print asset laid out once: its print-palette page, recoloured for the screen.

A print asset has two PDFs, the print shop's in the design's CMYK palette and
the home one in its sRGB palette; their layouts differ in nothing but colour.
The page is laid out in CMYK for the print shop, then every colour the layout
computed from the palette is swapped for its sRGB twin for the home PDF and
PNG, which saves a layout (a tenth of a build). That needs each CMYK colour of
the palette to stand for one sRGB colour; where it does not, the caller lays
the page out again.
"""

from __future__ import annotations

from tinycss2.color5 import parse_color
from weasyprint.document import Document

from assets_cli.designs import Design
from assets_cli.measure import walk
from assets_cli.stylememo import forget

# Every computed property WeasyPrint draws a colour from; backgrounds are also kept on the boxes.
_COLOUR_PROPERTIES = (
    "color", "background_color", "border_top_color", "border_right_color", "border_bottom_color",
    "border_left_color", "outline_color", "text_decoration_color", "column_rule_color",
)


def screen_colours(design: Design) -> dict | None:
    """Each CMYK palette colour, as WeasyPrint computes it, with its sRGB twin; None when one CMYK colour
    stands for two sRGB ones, or a CMYK entry has no sRGB one."""
    twins: dict = {}
    for name, (c, m, y, k) in design.palette_cmyk.items():
        if name not in design.palette:
            return None
        # Written as press.cmyk_css writes it, so it parses to the value the layout computed.
        cmyk = parse_color(f"device-cmyk({c:g}% {m:g}% {y:g}% {k:g}%)")
        srgb = parse_color(design.palette[name])
        if cmyk is None or srgb is None or twins.setdefault(cmyk, srgb) != srgb:
            return None
    return twins


def recolour(document: Document, twins: dict) -> bool:
    """Swap `document`'s CMYK palette colours for their sRGB twins, in place. False (and the document
    half swapped) when a CMYK colour is left that is not the palette's: only a new layout will do."""
    seen: set[int] = set()
    forget()  # the styles changed here may be kept for another layout
    for page in document.pages:
        for box in walk(page._page_box):
            style = box.style
            if id(style) not in seen:
                seen.add(id(style))
                for name in _COLOUR_PROPERTIES:
                    value = style[name]  # computed now if the layout did not need it yet
                    if value in twins:
                        style[name] = twins[value]
                    elif _cmyk(value):
                        return False
            for attribute in ("background", "canvas_background"):
                background = getattr(box, attribute, None)
                if background is not None:
                    setattr(box, attribute, _swapped(background, twins))
    return True


def _swapped(background, twins: dict):
    """A WeasyPrint Background with its colour and its gradients' colours swapped."""
    for layer in background.layers:
        colors = getattr(layer.image, "colors", None)
        if colors is not None:
            layer.image.colors = tuple(twins.get(color, color) for color in colors)
    return background._replace(color=twins.get(background.color, background.color))


def _cmyk(value) -> bool:
    return getattr(value, "space", None) == "device-cmyk"
