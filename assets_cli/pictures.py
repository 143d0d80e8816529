"""Which files are pictures, and whether one can be drawn: checked when a design is loaded, before any layout."""

from __future__ import annotations

import warnings
from pathlib import Path
from xml.etree import ElementTree

from PIL import Image

RASTER_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff"})
SVG_SUFFIX = ".svg"


def image_problem(path: Path) -> str | None:
    """Why the picture at `path` cannot be drawn (a phrase), or None; other files are not judged."""
    suffix = path.suffix.lower()
    if suffix == SVG_SUFFIX:
        try:
            ElementTree.parse(path)
        except (ElementTree.ParseError, OSError, ValueError) as exc:
            return f"not a readable SVG picture: {exc}"
        return None
    if suffix not in RASTER_SUFFIXES:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()  # decodes every pixel: a file cut short fails here, not in the PDF
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds on broken files
        reason = ("not an image file at all" if isinstance(exc, Image.UnidentifiedImageError)
                  else "the file is cut short" if "truncated" in str(exc).lower() else str(exc))
        return f"not a readable {suffix[1:].upper()} picture: {reason or type(exc).__name__}"
    return None
