"""Thumbnails (pack previews, the download page) drawn from each asset's PDF, and deflating PDF streams once."""

from __future__ import annotations

import os
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from assets_cli import deflate, pack, raster, site
from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, plan
from assets_cli.raster import THUMBNAIL_BOXES, thumbnail
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import REPO

BOX = (660, 220)


@pytest.fixture(scope="module")
def pngs(tmp_path_factory) -> list[Path]:
    ws = Workspace(REPO)
    statement, design, fonts = find_statement(None, ws), find_design(None, ws), load_font_map(ws.fonts_dir)
    out = tmp_path_factory.mktemp("assets")
    jobs = [*plan("poster", statement, "ar", design, resolve_sizes("poster", ["a4"]), out),
            *plan("leaflet", statement, "hi", design, resolve_sizes("leaflet", ["leaflet-a6"]), out)]
    return sorted((w.path for w in make(jobs, fonts) if w.format == "png"), key=lambda path: path.name)


def _from_png(png: Path) -> Image.Image:
    with Image.open(png) as image:
        small = image.convert("RGB")
    small.thumbnail(BOX)
    return small


def _difference(a: Image.Image, b: Image.Image) -> float:
    b = b.resize(a.size)
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3


def test_a_thumbnail_from_the_pdf_shows_what_the_png_shows(pngs):
    assert [p.name for p in pngs] == ["leaflet-a6-placard-back.png", "leaflet-a6-placard-front.png",
                                      "poster-a4-placard.png"]
    for png in pngs:
        drawn, decoded = thumbnail(png, BOX), _from_png(png)
        assert abs(drawn.width - decoded.width) <= 1 and abs(drawn.height - decoded.height) <= 1
        assert drawn.width <= BOX[0] and drawn.height <= BOX[1]
        assert _difference(drawn, decoded) < 15, png.name  # small text is drawn sharper from vectors
    # Each side of the leaflet comes from its own page: the back is mostly white, the front red.
    back, front = (thumbnail(p, BOX) for p in pngs[:2])
    assert _difference(back, front) > 30


def test_without_its_pdf_a_thumbnail_is_made_from_the_png(pngs, tmp_path):
    alone = tmp_path / pngs[2].name
    alone.write_bytes(pngs[2].read_bytes())
    assert _difference(thumbnail(alone, BOX), _from_png(pngs[2])) == 0


def test_a_page_is_drawn_once_for_the_page_and_the_pack(pngs, monkeypatch):
    assert (site.THUMB_WIDTH, site.THUMB_WIDTH * 2) in THUMBNAIL_BOXES
    assert (pack.THUMB_HEIGHT * 3, pack.THUMB_HEIGHT) in THUMBNAIL_BOXES
    raster._drawn.clear()
    opened = []
    real = raster.pdfium.PdfDocument
    monkeypatch.setattr(raster.pdfium, "PdfDocument", lambda pdf, *rest: opened.append(pdf) or real(pdf, *rest))
    for box in THUMBNAIL_BOXES:
        for png in pngs:
            small, decoded = thumbnail(png, box), Image.open(png).convert("RGB")
            decoded.thumbnail(box)
            assert abs(small.width - decoded.width) <= 1 and abs(small.height - decoded.height) <= 1
            assert small.width <= box[0] and small.height <= box[1]
            assert _difference(small, decoded) < 15, (png.name, box)
    assert len(opened) == len(pngs)
    # A PDF written again is drawn again; a box larger than any of THUMBNAIL_BOXES is drawn at its size.
    pdf = pngs[2].with_suffix(".pdf")
    stat = pdf.stat()
    os.utime(pdf, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    thumbnail(pngs[2], THUMBNAIL_BOXES[0])
    assert len(opened) == len(pngs) + 1
    large = thumbnail(pngs[2], (1000, 1414))
    assert len(opened) == len(pngs) + 2 and abs(large.width - 1000) <= 1


def test_large_streams_are_deflated_once_and_as_zlib_would(monkeypatch):
    deflated = []
    real = deflate._deflated
    monkeypatch.setattr(deflate, "_deflated", lambda data, level: deflated.append(len(data)) or real(data, level))
    profile = bytes(range(256)) * 1000  # as large as an ICC profile
    for _ in range(2):
        stream = deflate._Deflate(9)
        out = stream.compress(profile[:1000]) + stream.compress(profile[1000:]) + stream.flush()
        expected = zlib.compressobj(level=deflate.LEVEL)
        assert out == expected.compress(profile) + expected.flush()
    small = deflate._Deflate(9)
    assert zlib.decompress(small.compress(b"page content") + small.flush()) == b"page content"
    assert deflated == [len(profile), len(b"page content")]
