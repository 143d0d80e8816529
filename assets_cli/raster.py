"""PDF page → PNG: pypdfium2 rasterises at the exact pixel size, Pillow encodes."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from assets_cli.designs import KIND_PAGES

_PAGE_SUFFIXES = {f"-{page}": index for pages in KIND_PAGES.values() for index, page in enumerate(pages) if page}


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


def thumbnail(png: Path, box: tuple[int, int]) -> Image.Image:
    """`png` made to fit `box` (width, height) in RGB: drawn from the PDF beside it, which takes a few
    milliseconds where decoding a poster's PNG takes a fifth of a second; from the PNG when there is none."""
    pdf, index = _pdf_of(png)
    if pdf is None:
        with Image.open(png) as image:
            small = image.convert("RGB")
        small.thumbnail(box)
        return small
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        width, height = page.get_size()
        scale = min(box[0] / width, box[1] / height)
        small = page.render(scale=scale, may_draw_forms=False, draw_annots=False).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    return small


def _pdf_of(png: Path) -> tuple[Path | None, int]:
    """The home PDF `png` was made from, and its page; (None, 0) when it is not there."""
    for suffix, index in [("", 0), *_PAGE_SUFFIXES.items()]:
        if png.stem.endswith(suffix):
            pdf = png.with_name(png.stem[: len(png.stem) - len(suffix)] + ".pdf")
            if pdf.is_file():
                return pdf, index
    return None, 0
