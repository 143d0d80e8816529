"""Text that copies out of our PDFs right: the glyph → text map for right-to-left runs.

PDF text is drawn in visual order, and readers (pdfium, poppler) rebuild the
logical order by running the bidi algorithm over what each glyph maps to.
WeasyPrint maps every glyph to its text in logical order, which is right for
one letter but wrong for a glyph standing for several (Arabic lam-alef comes
out as alef-lam) and for mirrored glyphs (a "(" drawn as ")" in Arabic text
comes out as ")"). After WeasyPrint draws a line, glyphs of right-to-left runs
are re-mapped to their text reversed and mirrored, as they appear on the page,
so the reader's own reordering restores the text as written.
"""

from __future__ import annotations

from weasyprint.draw import text as draw_text_module
from weasyprint.text.ffi import ffi

_MIRRORS = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹"))


def _visual(text: str) -> str:
    return "".join(_MIRRORS.get(char, char) for char in reversed(text))


def _remap_rtl_glyphs(stream, textbox) -> None:
    first_line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    run = first_line.runs[0]
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        if not glyph_item.item.analysis.level % 2:
            continue
        font, _ = stream.add_font(glyph_item.item.analysis.font)
        glyphs = glyph_item.glyphs
        clusters = glyphs.log_clusters
        count = glyphs.num_glyphs
        offset = glyph_item.item.offset
        for i in range(count):
            glyph_id = glyphs.glyphs[i].glyph
            if glyph_id in font.to_unicode:
                # Same cluster arithmetic as WeasyPrint's draw_first_line.
                start = clusters[i]
                end = glyph_item.item.length if i == 0 else clusters[i - 1]
                font.to_unicode[glyph_id] = _visual(utf8[offset + start:offset + end].decode())


_original = draw_text_module.draw_first_line


def _draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    emojis = _original(stream, textbox, text_overflow, block_ellipsis, matrix)
    if hasattr(stream, "add_font") and textbox.text.strip():
        _remap_rtl_glyphs(stream, textbox)
    return emojis


def install() -> None:
    """Patch WeasyPrint's line drawing (once per process)."""
    draw_text_module.draw_first_line = _draw_first_line
