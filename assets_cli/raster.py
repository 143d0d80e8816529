"""PDF page → PNG: pypdfium2 rasterises at the exact pixel size, fpng encodes."""

from __future__ import annotations

import math
import struct
import zlib
from collections import OrderedDict
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
        drawn = (math.ceil(width_pt * scale), math.ceil(height_pt * scale))
        # Drawn into a bitmap of exactly `pixels`, the side a pixel over is cut as pdfium draws (cropping a
        # bitmap a pixel too large, through Pillow, took three copies of the picture: a tenth of a poster).
        exact = (lambda width, height, **options: pdfium.PdfBitmap.new_native(*pixels, **options)) if (
            drawn[0] >= pixels[0] and drawn[1] >= pixels[1]) else pdfium.PdfBitmap.new_native
        bitmap = page.render(scale=scale, may_draw_forms=False, draw_annots=False, rev_byteorder=True,
                             bitmap_maker=exact)
        page.close()
    finally:
        document.close()
    if (bitmap.width, bitmap.height) == pixels and bitmap.n_channels == 3 and bitmap.stride == 3 * pixels[0]:
        # Already RGB rows, end to end: straight to fpng (through Pillow, two copies took 3 ms a card).
        return _png(bytes(bitmap.buffer), pixels, dpi)
    image = bitmap.to_pil()
    if image.size != pixels:
        image = image.crop((0, 0, *pixels))
    return encode_png(image, dpi)


def encode_png(image: Image.Image, dpi: int | None = None) -> bytes:
    """`image` as an RGB PNG, with its resolution recorded when `dpi` is given.

    fpng writes a card in 3 ms where zlib at level 6 took 55 ms (an A2 poster: about 20 ms against a
    third of a second); its files are about a third larger, which only a download notices.
    """
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return _png(rgb.tobytes(), rgb.size, dpi)


def _png(rgb: bytes, size: tuple[int, int], dpi: int | None) -> bytes:
    png = fpng.from_bytes(rgb, size[0], size[1], 3)
    if not dpi:
        return png
    # pHYs goes straight after IHDR (8 bytes of signature, 25 of IHDR), in pixels per metre as Pillow writes it.
    per_metre = int(dpi / 0.0254 + 0.5)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return png[:33] + chunk + png[33:]


# The boxes thumbnails are asked for: the download page's (site.THUMB_WIDTH) and a pack's contact sheet's
# (pack.THUMB_HEIGHT). `assets build` asks for both, one after the other, for each picture of a pack.
THUMBNAIL_BOXES = ((360, 720), (660, 220))
KEEP_DRAWN = 32  # pages kept drawn: more than a language pack has pictures (27 in the default design)
_drawn: OrderedDict[tuple, tuple[float, Image.Image]] = OrderedDict()


def thumbnail(png: Path, box: tuple[int, int]) -> Image.Image:
    """`png` made to fit `box` (width, height) in RGB: drawn from the PDF beside it, which takes a few
    milliseconds where decoding a poster's PNG takes a fifth of a second; from the PNG when there is none.

    A page is drawn once, large enough for every box of THUMBNAIL_BOXES, and kept for a while: the
    other box's thumbnail is made smaller from it (drawing took 4 ms a picture, shrinking takes 1).
    """
    pdf, index = _pdf_of(png)
    if pdf is None:
        with Image.open(png) as image:
            small = image.convert("RGB")
        small.thumbnail(box)
        return small
    stat = pdf.stat()
    key = (pdf, index, stat.st_mtime_ns, stat.st_size)
    document = pdfium.PdfDocument(pdf) if key not in _drawn else None
    try:
        if document is not None:
            page = document[index]
            size = page.get_size()
            scale = max(_scale(size, fitting) for fitting in (box, *THUMBNAIL_BOXES))
            image = page.render(scale=scale, may_draw_forms=False, draw_annots=False).to_pil().convert("RGB")
            page.close()
            _drawn[key] = (scale, image)
            while len(_drawn) > KEEP_DRAWN:
                _drawn.popitem(last=False)
    finally:
        if document is not None:
            document.close()
    _drawn.move_to_end(key)
    scale, image = _drawn[key]
    size = (image.width / scale, image.height / scale)
    if _scale(size, box) > scale:  # a box larger than any of THUMBNAIL_BOXES
        del _drawn[key]
        return thumbnail(png, box)
    small = image.copy()
    small.thumbnail(box, Image.Resampling.BOX)  # area averaging: 0.9 ms where bicubic took 2.6
    return small


def _scale(size: tuple[float, float], box: tuple[int, int]) -> float:
    """The scale at which `size` just fits `box`."""
    return min(box[0] / size[0], box[1] / size[1])


def _pdf_of(png: Path) -> tuple[Path | None, int]:
    """The home PDF `png` was made from, and its page; (None, 0) when it is not there."""
    for suffix, index in [("", 0), *_PAGE_SUFFIXES.items()]:
        if png.stem.endswith(suffix):
            pdf = png.with_name(png.stem[: len(png.stem) - len(suffix)] + ".pdf")
            if pdf.is_file():
                return pdf, index
    return None, 0
