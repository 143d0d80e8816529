"""PDF page → PNG: pypdfium2 rasterises at the exact pixel size, fpng encodes."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import fpng
import pypdfium2 as pdfium
from PIL import Image

from assets_cli.designs import KIND_PAGES

_PAGE_SUFFIXES = {f"-{page}": index for pages in KIND_PAGES.values() for index, page in enumerate(pages) if page}


def png_from_pdf(pdf: bytes, pixels: tuple[int, int], dpi: int | None, page_index: int = 0) -> bytes:
    """Rasterise one page of `pdf` to a PNG of exactly `pixels` (width, height)."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[page_index]
        width_pt, height_pt = page.get_size()
        # pdfium rounds each side up on its own: at the larger of the two scales neither side falls short,
        # and a side a pixel over is cut (resampling an A2 poster to snap it back took 30 ms).
        scale = max(pixels[0] / width_pt, pixels[1] / height_pt)
        image = page.render(scale=scale, may_draw_forms=False, draw_annots=False).to_pil()
        page.close()
    finally:
        document.close()
    if image.size != pixels:
        image = image.crop((0, 0, *pixels))
    return encode_png(image, dpi)


def encode_png(image: Image.Image, dpi: int | None = None) -> bytes:
    """`image` as an RGB PNG, with its resolution recorded when `dpi` is given.

    fpng writes a card in 3 ms where zlib at level 6 took 55 ms (an A2 poster: about 20 ms against a
    third of a second); its files are about a third larger, which only a download notices.
    """
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    png = fpng.from_bytes(rgb.tobytes(), rgb.width, rgb.height, 3)
    if not dpi:
        return png
    # pHYs goes straight after IHDR (8 bytes of signature, 25 of IHDR), in pixels per metre as Pillow writes it.
    per_metre = int(dpi / 0.0254 + 0.5)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return png[:33] + chunk + png[33:]


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
