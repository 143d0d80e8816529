"""`assets social`, `assets banner`, `assets leaflet`: sizes, safe zones, QR codes."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path

import jinja2.sandbox
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from PIL import Image

import assets_cli.qr as qr_module
from assets_cli.chapters import Chapter
from assets_cli.context import build_context
from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import plan
from assets_cli.qr import make_qr
from assets_cli.sizes import PT_PER_UNIT, registry, resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import MM, REPO, make_workspace, pdf_page_sizes, pdf_text, run_cli

STATEMENT_URL = "https://ilps.info/"
LEAFLET_URL = "https://ilps.info/?utm_source=leaflet&utm_medium=print&utm_campaign=week-of-struggle-2020"

SOCIAL_PIXELS = {
    "ig-square": (1080, 1080), "ig-portrait": (1080, 1350), "story": (1080, 1920), "x-post": (1600, 900),
    "og": (1200, 630), "linkedin-post": (1200, 627), "yt-thumbnail": (1280, 720),
}
WEB_BANNER_PIXELS = {
    "x-header": (1500, 500), "fb-cover": (1640, 624), "yt-channel": (2560, 1440),
    "linkedin-banner": (1584, 396), "email-header": (1200, 400),
}
PRINT_BANNER_MM = {"street-banner": (3000, 1000), "rollup": (850, 2000)}
LEAFLET_POINTS = {
    "leaflet-a6": (105 * MM, 148 * MM), "leaflet-a5": (148 * MM, 210 * MM),
    "leaflet-dl": (99 * MM, 210 * MM), "leaflet-half-letter": (5.5 * 72, 8.5 * 72),
}


def generate(tmp_path_factory, kind: str, *args: str) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp(kind)
    result = run_cli(kind, "--out", str(out), "--json", *args)
    assert result.returncode == 0, result.stderr
    files: dict[tuple[str, str], Path] = {}
    for entry in json.loads(result.stdout):
        path = Path(entry["path"])
        assert path.is_file()
        files[(entry["size"], path.stem.rsplit("-", 1)[-1] if entry["format"] == "png" and kind == "leaflet"
               else entry["format"])] = path
    return files


@pytest.fixture(scope="module")
def social(tmp_path_factory):
    return generate(tmp_path_factory, "social")


@pytest.fixture(scope="module")
def banners(tmp_path_factory):
    return generate(tmp_path_factory, "banner", "--lang", "es")


@pytest.fixture(scope="module")
def leaflets(tmp_path_factory):
    return generate(tmp_path_factory, "leaflet", "--lang", "es")


def decode(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image)]


def rasterise(pdf: Path, dpi: int = 150) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=dpi / 72).to_pil() for i in range(len(document))]
    finally:
        document.close()


def char_boxes_px(pdf: Path, pixels_per_point: float) -> list[tuple[str, float, float, float, float]]:
    """Every character with its box in PNG pixels, origin top left."""
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    height = page.get_height()
    textpage = page.get_textpage()
    boxes = []
    for i in range(textpage.count_chars()):
        char = textpage.get_text_range(i, 1)
        if char.strip():
            left, bottom, right, top = textpage.get_charbox(i)
            boxes.append((char, left * pixels_per_point, (height - top) * pixels_per_point,
                          right * pixels_per_point, (height - bottom) * pixels_per_point))
    document.close()
    return boxes


@pytest.mark.parametrize("size", SOCIAL_PIXELS)
def test_social_cards_have_the_platform_pixels(social, size):
    with Image.open(social[(size, "png")]) as image:
        assert image.size == SOCIAL_PIXELS[size]
    assert len(pdf_page_sizes(social[(size, "pdf")])) == 1


@pytest.mark.parametrize("size", WEB_BANNER_PIXELS)
def test_web_banners_have_the_platform_pixels(banners, size):
    with Image.open(banners[(size, "png")]) as image:
        assert image.size == WEB_BANNER_PIXELS[size]


@pytest.mark.parametrize("size", PRINT_BANNER_MM)
def test_print_banners_are_vector_pdfs_with_a_small_preview(banners, size):
    (width, height), = pdf_page_sizes(banners[(size, "pdf")])
    assert (width, height) == pytest.approx(tuple(mm * MM for mm in PRINT_BANNER_MM[size]), abs=0.5)
    with Image.open(banners[(size, "png")]) as image:
        assert max(image.size) <= 2000
    document = pdfium.PdfDocument(banners[(size, "pdf")])
    kinds = {obj.type for obj in document[0].get_objects()}
    document.close()
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in kinds, "a print banner must not carry raster images"


def test_story_text_stays_out_of_the_top_and_bottom_250_px(social):
    boxes = char_boxes_px(social[("story", "pdf")], 1080 / (1080 * 0.75))
    assert boxes
    outside = [(c, round(top), round(bottom)) for c, _, top, _, bottom in boxes if top < 250 or bottom > 1920 - 250]
    assert not outside, outside


def test_youtube_channel_art_keeps_text_in_the_centre_strip(banners):
    boxes = char_boxes_px(banners[("yt-channel", "pdf")], 1 / 0.75)
    left, top = (2560 - 1546) / 2, (1440 - 423) / 2
    outside = [c for c, x0, y0, x1, y1 in boxes
               if x0 < left or x1 > left + 1546 or y0 < top or y1 > top + 423]
    assert not outside, "".join(outside)


SAFE_ZONED = [(s.kind, s.name) for s in registry() if s.kind in ("social", "banner") and any(s.safe)]


@pytest.mark.parametrize("kind, size", SAFE_ZONED)
def test_text_stays_inside_every_platform_safe_zone(social, banners, kind, size):
    spec = next(s for s in registry() if s.name == size)
    pdf = (social if kind == "social" else banners)[(size, "pdf")]
    top, right, bottom, left = (edge * PT_PER_UNIT[spec.unit] for edge in spec.safe)
    boxes = char_boxes_px(pdf, 1.0)  # in points
    assert boxes
    outside = [c for c, x0, y0, x1, y1 in boxes
               if x0 < left or y0 < top or x1 > spec.width_pt - right or y1 > spec.height_pt - bottom]
    assert not outside, "".join(outside)


def test_rollup_carries_a_scannable_qr_above_the_cassette(banners):
    (page,) = rasterise(banners[("rollup", "pdf")], 20)
    assert decode(page) == [
        "https://ilps.info/?utm_source=banner&utm_medium=print&utm_campaign=week-of-struggle-2020"]
    code, = zxingcpp.read_barcodes(page)
    hidden_from = page.height * (2000 - 100) / 2000
    assert max(code.position.bottom_left.y, code.position.bottom_right.y) < hidden_from


def test_small_landscape_cards_drop_the_slogan_but_never_headline_or_dates(social):
    slogan = "Fight back and defeat US intervention"
    assert slogan.casefold() in pdf_text(social[("story", "pdf")]).casefold()
    for size in ("x-post", "og", "yt-thumbnail"):
        text = pdf_text(social[(size, "pdf")]).casefold()
        assert slogan.casefold() not in text
        assert "against us imperialism" in text and "may 25–31, 2020" in text


@pytest.mark.parametrize("size", LEAFLET_POINTS)
def test_leaflets_have_two_pages_of_their_size(leaflets, size):
    pages = pdf_page_sizes(leaflets[(size, "pdf")])
    assert len(pages) == 2
    for width, height in pages:
        assert (width, height) == pytest.approx(LEAFLET_POINTS[size], abs=0.5)


@pytest.mark.parametrize("size", LEAFLET_POINTS)
def test_leaflet_qr_decodes_from_png_and_pdf_on_both_sides(leaflets, size):
    for side in ("front", "back"):
        with Image.open(leaflets[(size, side)]) as image:
            assert decode(image) == [LEAFLET_URL], f"{side} PNG"
    for index, page in enumerate(rasterise(leaflets[(size, "pdf")], 150)):
        assert decode(page) == [LEAFLET_URL], f"PDF page {index + 1} at 150 DPI"


@pytest.mark.parametrize("size", LEAFLET_POINTS)
def test_leaflet_qr_is_vector_and_at_least_20_mm(leaflets, size):
    document = pdfium.PdfDocument(leaflets[(size, "pdf")])
    kinds = {obj.type for page in document for obj in page.get_objects()}
    document.close()
    assert pdfium_c.FPDF_PAGEOBJ_IMAGE not in kinds, "the QR must be drawn as vector paths"
    front = rasterise(leaflets[(size, "pdf")], 300)[0]
    code, = zxingcpp.read_barcodes(front)
    corners = code.position
    dark_px = max(corners.top_right.x, corners.bottom_right.x) - min(corners.top_left.x, corners.bottom_left.x)
    # zxing's corners bound the dark modules; the quiet zone adds 4 modules a side.
    modules = make_qr(LEAFLET_URL).modules
    width_mm = dark_px * modules / (modules - 8) / 300 * 25.4
    assert width_mm >= 20


def test_qr_svg_keeps_a_quiet_zone_of_four_modules():
    qr = make_qr(LEAFLET_URL)
    assert qr.modules == 4 * qr.version + 17 + 8
    runs = re.findall(r"M(\d+) (\d+)h(\d+)", str(qr.svg))
    assert runs
    assert min(int(x) for x, _, _ in runs) == 4 and min(int(y) for _, y, _ in runs) == 4
    assert max(int(x) + int(w) for x, _, w in runs) == qr.modules - 4
    assert max(int(y) for _, y, _ in runs) == qr.modules - 5


def test_a_template_draws_the_qr_code_only_where_it_prints_it(monkeypatch):
    """Templates get the code as an object drawn when printed: a social card without one draws nothing,
    which a chapter build's cards (each chapter's code holds its own link) would otherwise pay for."""
    ws = Workspace(REPO)
    statement, design, fonts = find_statement(None, ws), find_design("placard", ws), load_font_map(ws.fonts_dir)
    chapter = Chapter(id="leeds", name="Leeds", lang="en", event="Saturday 6 pm", url="https://example.org/leeds")
    job = plan("social", statement, None, design, resolve_sizes("social", ["ig-square"]), Path("unused"),
               chapter=chapter)[0]
    svg = str(job.qr.svg)
    drawn = []
    real = qr_module._drawn
    monkeypatch.setattr(qr_module, "_drawn", lambda url, version: drawn.append(url) or real(url, version))
    context = build_context("social", statement, job.lines, design, job.size, fonts, job.dpi, job.qr, chapter)
    qr = pickle.loads(pickle.dumps(dict(context)))["qr"]  # as the template process receives it
    env = jinja2.sandbox.SandboxedEnvironment(autoescape=True)
    assert env.from_string("<p>{{ qr.url }}</p>").render(qr=qr) == f"<p>{job.qr.url}</p>"
    assert drawn == []
    assert env.from_string('<div class="qr">{{ qr.svg }}</div>').render(qr=qr) == f'<div class="qr">{svg}</div>'
    assert drawn == [job.qr.url]


def test_leaflet_front_and_back_carry_their_key_lines(leaflets):
    text = pdf_text(leaflets[("leaflet-a5", "pdf")]).casefold()
    for line in ("contra el imperialismo estadounidense", "25 al 31 de mayo de 2020",
                 "protesta frente a la embajada de ee. uu. en tu ciudad", "únete a la lucha", "ilps.info"):
        assert line in text


def test_no_utm_links_the_plain_url(tmp_path):
    result = run_cli("leaflet", "--size", "leaflet-a6", "--no-utm", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    with Image.open(next(tmp_path.rglob("*-front.png"))) as image:
        assert decode(image) == [STATEMENT_URL]


@pytest.mark.parametrize("url, message", [
    ("ftp://example.org/x", "must be an http:// or https:// address"),
    ("https://example.org/" + "a" * 400, "too long to scan reliably"),
])
def test_a_bad_qr_url_stops_before_anything_is_written(tmp_path, url, message):
    workspace = make_workspace(tmp_path)
    meta = workspace / "statements" / "week-of-struggle-2020" / "statement.toml"
    meta.write_text(meta.read_text().replace('url = "https://ilps.info/"', f'url = "{url}"'))
    result = run_cli("leaflet", "--out", "out", cwd=workspace)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (workspace / "out").exists()
