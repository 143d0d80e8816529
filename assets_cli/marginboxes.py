"""Page margin boxes skipped where no stylesheet gives one content.

For every page WeasyPrint computes the style of all sixteen page-margin boxes
(`@top-left` and the rest) and lays them out to find which to draw; only those
with `content` are drawn. Designs here draw nothing in page margins, yet that
was a twentieth of a placard layout. When no `@page` rule declares `content`
for a margin box, none is drawn, so none is made.
"""

from __future__ import annotations

from weasyprint import layout
from weasyprint.layout import page as page_layout

_make_margin_boxes = page_layout.make_margin_boxes
MARGIN_BOXES = frozenset(
    [f"@{side}-{place}" for side in ("top", "bottom") for place in ("left-corner", "left", "center", "right",
                                                                   "right-corner")]
    + [f"@{side}-{place}" for side in ("left", "right") for place in ("top", "middle", "bottom")])


def make_margin_boxes(context, page, state):
    """WeasyPrint's `make_margin_boxes`, or nothing when no margin box of the page has content."""
    cascaded = context.style_for.get_cascaded_styles()
    page_type = page.page_type
    if any(key[1] in MARGIN_BOXES and key[0] == page_type and "content" in declarations
           for key, declarations in cascaded.items() if isinstance(key, tuple)):
        return _make_margin_boxes(context, page, state)
    return iter(())


def install() -> None:
    """Skip empty margin boxes (once per process)."""
    layout.make_margin_boxes = make_margin_boxes
