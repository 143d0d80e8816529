"""SVG backgrounds that set no transparency are drawn without a transparency group.

WeasyPrint draws each background image inside an isolated transparency
group, so that masks inside the image keep to it. A PDF reader composes such
a group off-screen, over the whole page before it is clipped: pdfium spent 5
of a card's 14 milliseconds on the placard's rays that way, more on a poster.
When the image sets no transparency of its own (every graphics state it sets
is full opacity, with no soft mask or blend mode; no images, nested groups or
patterns) and is drawn at full opacity, composing it apart changes nothing:
normal blending is associative. Such a background is drawn as a plain form,
pixel for pixel the same, and a print shop's RIP has less to flatten.
"""

from __future__ import annotations

from weasyprint import draw
from weasyprint.images import SVGImage

_draw_background_image = draw.draw_background_image
_FULL_OPACITY = (None, "a1", "a1.0")  # WeasyPrint's name for the fill opacity last set (None: none since q)


def draw_background_image(stream, layer, style):
    """WeasyPrint's `draw_background_image`, its group left out when the SVG drawn in it is opaque."""
    if (not isinstance(layer.image, SVGImage) or tuple(layer.repeat) != ("no-repeat", "no-repeat")
            or getattr(stream, "_current_alpha", "unknown") not in _FULL_OPACITY):
        return _draw_background_image(stream, layer, style)
    xobjects = stream._resources["XObject"]
    before = set(xobjects)
    _draw_background_image(stream, layer, style)
    for key in set(xobjects) - before:
        group = xobjects[key]
        if getattr(group, "extra", None) and "Group" in group.extra and opaque(group._resources):
            del group.extra["Group"]


def opaque(resources) -> bool:
    """Whether a form with `resources` can only paint opaque colours with normal blending."""
    states = resources.get("ExtGState") or {}
    if any(not hasattr(state, "items") or any(name not in ("ca", "CA") or value != 1 for name, value in state.items())
           for state in states.values()):
        return False
    return not any(resources.get(kind) for kind in ("XObject", "Pattern"))


def install() -> None:
    """Leave out the groups (once per process)."""
    draw.draw_background_image = draw_background_image
