"""Speed-ups in drawing and writing: SVG backgrounds without needless transparency groups, C array types
made without parsing, freed memory kept. Each gives exactly what WeasyPrint's own way gives."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import cffi
import pypdfium2 as pdfium
import pytest
from PIL import ImageChops
from weasyprint import HTML, draw
from weasyprint.text.ffi import ffi

from assets_cli import cffitypes, heap, opaquegroups
from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import plan
from assets_cli.produce import Producer
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import REPO

RAYS = (REPO / "designs" / "placard" / "rays.svg").as_uri()


def _card(tmp_path: Path, lang: str) -> Path:
    """The placard's 1080×1080 card in `lang`, as the CLI makes it: its PDF."""
    ws = Workspace(REPO)
    statement, design, fonts = find_statement(None, ws), find_design(None, ws), load_font_map(ws.fonts_dir)
    job = plan("social", statement, lang, design, resolve_sizes("social", ["ig-square"]), tmp_path)[0]
    with Producer(fonts) as producer:
        written = producer.produce(job)
    return next(w.path for w in written if w.format == "pdf")


def _pixels(pdf: bytes | Path, width: int = 540):
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        return page.render(scale=width / page.get_size()[0]).to_pil().convert("RGB")
    finally:
        document.close()


def _groups(pdf: bytes | Path) -> int:
    data = pdf if isinstance(pdf, bytes) else pdf.read_bytes()
    return data.count(b"/Transparency")


def _background(svg: str) -> bytes:
    """A page whose background is `svg` (a data: URI), laid out and written by WeasyPrint."""
    uri = "data:image/svg+xml," + svg.replace("#", "%23").replace('"', "'")
    html = (f'<style>@page {{ size: 200px 100px; margin: 0 }} body {{ margin: 0 }}'
            f' div {{ height: 100px; background: #d00 url("{uri}") no-repeat center / cover }}</style><div></div>')
    return HTML(string=html).write_pdf()


OPAQUE_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10">'
              '<path fill="#600" d="M10 10L0 0L8 0Z M10 10L12 0L20 0Z"/></svg>')


def test_the_cards_rays_are_drawn_without_a_group_and_look_the_same(tmp_path, monkeypatch):
    plain = _card(tmp_path / "plain", "ar")
    monkeypatch.setattr(draw, "draw_background_image", opaquegroups._draw_background_image)
    grouped = _card(tmp_path / "grouped", "ar")
    assert _groups(grouped) == 1 and _groups(plain) == 0
    # The PNG beside each PDF is that PDF rasterised: compare the two at full size, pixel for pixel.
    assert ImageChops.difference(_pixels(plain, 1080), _pixels(grouped, 1080)).getbbox() is None


def test_an_opaque_svg_background_loses_its_group_and_no_pixel(monkeypatch):
    plain = _background(OPAQUE_SVG)
    monkeypatch.setattr(draw, "draw_background_image", opaquegroups._draw_background_image)
    grouped = _background(OPAQUE_SVG)
    assert (_groups(plain), _groups(grouped)) == (0, 1)
    assert ImageChops.difference(_pixels(plain), _pixels(grouped)).getbbox() is None


@pytest.mark.parametrize("transparent", [
    '<path fill="#600" fill-opacity="0.5" d="M10 10L0 0L8 0Z"/>',
    '<path fill="#600" opacity="0.5" d="M10 10L0 0L8 0Z"/>',
    '<g opacity="0.4"><path fill="#600" d="M10 10L0 0L8 0Z"/><path fill="#060" d="M10 10L4 0L12 0Z"/></g>',
])
def test_an_svg_background_that_sets_transparency_keeps_its_group(transparent, monkeypatch):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 20 10">{transparent}</svg>'
    kept = _background(svg)
    monkeypatch.setattr(draw, "draw_background_image", opaquegroups._draw_background_image)
    own = _background(svg)
    assert _groups(kept) == _groups(own) >= 1
    assert ImageChops.difference(_pixels(kept), _pixels(own)).getbbox() is None


@pytest.mark.parametrize(("resources", "expected"), [
    ({"ExtGState": {"a1.0": {"ca": 1}, "A1": {"CA": 1}}, "XObject": {}, "Pattern": {}}, True),
    ({"ExtGState": {"a0.5": {"ca": 0.5}}}, False),
    ({"ExtGState": {"s": {"SMask": "mask", "ca": 1}}}, False),
    ({"ExtGState": {"b": {"BM": "/Multiply"}}}, False),
    ({"ExtGState": {}, "XObject": {"x0": "a nested group"}}, False),
    ({"ExtGState": {}, "Pattern": {"p0": "a pattern"}}, False),
])
def test_only_opaque_resources_count_as_opaque(resources, expected):
    assert opaquegroups.opaque(resources) is expected


def test_array_types_are_made_without_parsing_and_are_cffis_own(monkeypatch):
    cffitypes.install()
    parsed = []
    real = ffi._parser.parse_type
    monkeypatch.setattr(ffi._parser, "parse_type", lambda name: parsed.append(name) or real(name))
    names = [f"hb_codepoint_t[{count}]" for count in (9001, 9002, 9003)]
    made = [ffi.typeof(name) for name in names]
    assert [t.length for t in made] == [9001, 9002, 9003] and made[0].item is ffi.typeof("hb_codepoint_t")
    assert len(parsed) <= 1  # the item type, once at most
    # What cffi's parser makes of the same name is the very same type object.
    with ffi._lock:
        assert ffi._get_cached_btype(real("hb_codepoint_t[9002]")) is made[1]
    array = ffi.new("hb_codepoint_t[3]", [7, 8, 9])
    assert list(array) == [7, 8, 9] and ffi.sizeof(array) == 3 * ffi.sizeof("hb_codepoint_t")
    with pytest.raises(cffi.CDefError, match=r"no_such_type\[3\]"):  # cffi's own message
        ffi.typeof("no_such_type[3]")


def test_names_that_are_not_arrays_are_left_to_cffi():
    cffitypes.install()
    assert ffi.typeof("unsigned int *") is ffi.typeof("unsigned int*")
    assert ffi.typeof("char[]").length is None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_glibc_keeps_freed_memory():
    assert heap.keep_freed_memory() is True


def test_the_collector_runs_less_and_no_longer_walks_what_was_imported(monkeypatch):
    monkeypatch.setattr(heap, "_frozen", [False])
    saved = gc.get_threshold()
    try:
        heap.collect_less()
        frozen = gc.get_freeze_count()
        assert gc.get_threshold()[0] == heap.COLLECT_AFTER and frozen > 1000
        kept = [[n] for n in range(5000)]  # made after: left to the collector
        heap.collect_less()
        assert gc.get_freeze_count() == frozen and kept
    finally:
        gc.set_threshold(*saved)


def test_a_page_drawn_into_a_bitmap_of_its_pixels_is_the_larger_drawing_cut(monkeypatch):
    """A4 at 150 dpi is 1240×1754 pixels; at the scale that makes it 1754 tall pdfium would draw 1241 columns.
    The PNG is drawn into exactly 1240×1754: what the wider drawing shows there, within a level of
    antialiasing at a few edges."""
    import io

    from PIL import Image

    from assets_cli import raster

    pdf = HTML(string="<style>@page { size: A4; margin: 0 } body { margin: 0 }</style>"
                      f"<body style='height: 100vh; background: #d7141a url({RAYS}) no-repeat center bottom;"
                      "background-size: cover'><h1 style='margin: 2cm; font-size: 60pt'>Week of struggle</h1>"
                      ).write_pdf()
    page = pdfium.PdfDocument(pdf)[0]
    width_pt, height_pt = page.get_size()
    scale = max(1240 / width_pt, 1754 / height_pt)
    wider = page.render(scale=scale, may_draw_forms=False, draw_annots=False).to_pil().convert("RGB")
    assert wider.size == (1241, 1754)  # the case the bitmap of exact size is for
    # Straight from pdfium's rows to the encoder: no picture through Pillow to be cut.
    monkeypatch.setattr(raster, "encode_png", lambda *args: pytest.fail("the bitmap was cut through Pillow"))
    png = Image.open(io.BytesIO(raster.png_from_pdf(pdf, (1240, 1754), 150)))
    assert png.size == (1240, 1754) and png.info["dpi"] == pytest.approx((150, 150), abs=0.05)
    difference = ImageChops.difference(png.convert("RGB"), wider.crop((0, 0, 1240, 1754)))
    assert max(high for _, high in difference.getextrema()) <= 1
    assert sum(difference.convert("L").point(lambda level: 255 if level else 0).histogram()[255:]) < 1240 * 1754 / 1000
