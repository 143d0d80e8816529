"""Text that copies out of our PDFs as it was written.

WeasyPrint maps each glyph to the text of its cluster, once per font. Two
cases come out wrong in readers (pdfium, poppler), and both are fixed here as
WeasyPrint draws each line:

- Devanagari and other Indic scripts draw a cluster as several glyphs, some
  mapped to nothing (readers then invent characters) and some shared between
  clusters. Such lines get a marked-content span whose /ActualText is the
  line's own text, which readers use instead of the glyphs.
- Right-to-left lines are read back by running the bidi algorithm over the
  glyphs' text in visual order, so a glyph standing for several letters (a
  lam-alef ligature) must map to them reversed, and a mirrored bracket to
  the bracket it shows. (Readers run bidi over /ActualText as well, so RTL
  lines cannot use it.) This needs fonts that draw each Arabic letter form
  as one glyph; fonts.toml says which.
"""

from __future__ import annotations

from weasyprint.draw import text as draw_text_module
from weasyprint.text.ffi import ffi

from assets_cli.scripts import script_of

_MIRRORS = dict(zip("()[]{}<>«»‹›", ")(][}{><»«›‹"))
# Scripts whose glyphs map one-to-one closely enough for readers.
_SIMPLE_SCRIPTS = frozenset({None, "latin", "greek", "cyrillic", "hangul", "han", "kana"})
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u2060\u200b"))  # soft hyphen, word joiner, ZWSP
_original = draw_text_module.draw_first_line


def _runs(textbox):
    first_line, _ = textbox.pango_layout.get_first_line()
    run = first_line.runs[0] if first_line.runs else ffi.NULL
    while run != ffi.NULL:
        yield run.data
        run = run.next


def _visual(text: str) -> str:
    return "".join(_MIRRORS.get(char, char) for char in reversed(text))


def _remap_rtl_glyphs(stream, textbox) -> None:
    utf8 = textbox.pango_layout.text.encode()
    for glyph_item in _runs(textbox):
        item = glyph_item.item
        if not item.analysis.level % 2:
            continue
        font, _ = stream.add_font(item.analysis.font)
        glyphs, clusters = glyph_item.glyphs, glyph_item.glyphs.log_clusters
        for i in range(glyphs.num_glyphs):
            glyph_id = glyphs.glyphs[i].glyph
            if glyph_id in font.to_unicode:
                # The cluster arithmetic of WeasyPrint's draw_first_line, for RTL runs.
                end = item.length if i == 0 else clusters[i - 1]
                font.to_unicode[glyph_id] = _visual(utf8[item.offset + clusters[i]:item.offset + end].decode())


def _actual_text(textbox) -> str | None:
    """The line's text when its glyphs cannot carry it, else None."""
    runs = list(_runs(textbox))
    if any(glyph_item.item.analysis.level % 2 for glyph_item in runs):
        return None
    utf8 = textbox.pango_layout.text.encode()
    text = "".join(utf8[g.item.offset:g.item.offset + g.item.length].decode() for g in runs)
    if all(script_of(char) in _SIMPLE_SCRIPTS for char in text):
        return None
    return text.translate(_INVISIBLE).strip() or None


def _draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix):
    if not hasattr(stream, "add_font") or not textbox.text.strip():
        return _original(stream, textbox, text_overflow, block_ellipsis, matrix)
    actual = _actual_text(textbox)
    if actual is None:
        emojis = _original(stream, textbox, text_overflow, block_ellipsis, matrix)
        _remap_rtl_glyphs(stream, textbox)
        return emojis
    hex_text = actual.encode("utf-16-be").hex().upper()
    stream.begin_marked_content("Span", f"<< /ActualText <FEFF{hex_text}> >>".encode())
    try:
        return _original(stream, textbox, text_overflow, block_ellipsis, matrix)
    finally:
        stream.end_marked_content()


def install() -> None:
    """Patch WeasyPrint's line drawing (once per process)."""
    draw_text_module.draw_first_line = _draw_first_line
