"""PDF page → PNG: pypdfium2 rasterises at the exact pixel size, Pillow encodes."""

from __future__ import annotations

import io

import pypdfium2 as pdfium


def png_from_pdf(pdf: bytes, pixels: tuple[int, int], dpi: int | None, page_index: int = 0) -> bytes:
    """Rasterise one page of `pdf` to a PNG of exactly `pixels` (width, height)."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[page_index]
        width_pt, _ = page.get_size()
        bitmap = page.render(scale=pixels[0] / width_pt, may_draw_forms=False, draw_annots=False)
        image = bitmap.to_pil()
        page.close()
    finally:
        document.close()
    if image.size != pixels:
        # pdfium rounds each side on its own; a 1 px difference is snapped back.
        image = image.resize(pixels)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", compress_level=6, **({"dpi": (dpi, dpi)} if dpi else {}))
    return buffer.getvalue()
