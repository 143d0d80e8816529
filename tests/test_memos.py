"""The speed-ups that stand in for WeasyPrint's own work give exactly what that work gives."""

from __future__ import annotations

import io
import os
from pathlib import Path
from types import SimpleNamespace

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops
from weasyprint import CSS, HTML, css, layout
from weasyprint.formatting_structure import boxes, build
from weasyprint.text.fonts import FontConfiguration
from weasyprint.layout import block, inline, preferred
from weasyprint.svg import TAGS
from weasyprint.text.line_break import split_first_line

from assets_cli import layoutmemo, marginboxes, measure, pathmemo, stylememo, svgmemo
from assets_cli.chapters import Chapter
from assets_cli.context import build_context
from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import page_css, plan
from assets_cli.raster import encode_png
from assets_cli.render import Renderer
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import REPO


def _page(design_name: str, kind: str, size: str, lang: str):
    """What it takes to lay one shipped asset out: its renderer, context, page CSS and markup."""
    ws = Workspace(REPO)
    statement, design, fonts = find_statement(None, ws), find_design(design_name, ws), load_font_map(ws.fonts_dir)
    job = plan(kind, statement, lang, design, resolve_sizes(kind, [size]), Path("unused"))[0]
    renderer = Renderer(design, fonts)
    context = build_context(kind, statement, job.lines, design, job.size, fonts, job.dpi, job.qr, None)
    return renderer, context, page_css(job, fonts)


def _boxes(document) -> list[tuple]:
    """Every box of every page: what it is, where, how big, what text."""
    return [(type(box).__name__, box.element_tag, round(box.position_x, 6), round(box.position_y, 6),
             round(box.width, 6), round(box.height, 6), getattr(box, "text", None))
            for page in document.pages for box in measure.walk(page._page_box)]


def _alike(boxes: list[tuple], others: list[tuple]) -> bool:
    """The same boxes, placed to a ten-thousandth of a pixel: an item grid places as it measured it is
    moved there, which adds the same lengths in another order (the last digit of a float may differ)."""
    return len(boxes) == len(others) and all(
        a[:2] == b[:2] and a[6] == b[6] and all(abs(x - y) <= 1e-4 for x, y in zip(a[2:6], b[2:6]))
        for a, b in zip(boxes, others))


def _without_layout_memos(monkeypatch) -> None:
    monkeypatch.setattr(inline, "split_first_line", layoutmemo._split_first_line)
    monkeypatch.setattr(preferred, "split_first_line", layoutmemo._split_first_line)
    monkeypatch.setattr(block, "block_level_layout", layoutmemo._block_level_layout)


def _counting(monkeypatch, calls: list[int]) -> None:
    """Count the grid's real measuring layouts, memo or not."""
    real = layoutmemo._block_level_layout

    def counted(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(layoutmemo, "_block_level_layout", counted)
    if block.block_level_layout is real:
        monkeypatch.setattr(block, "block_level_layout", counted)


CASES = [
    ("placard", "banner", "x-header", "es"),  # a grid inside a grid inside a grid
    ("rally", "social", "ig-square", "ar"),  # sibling rows that share one computed style
    ("broadsheet", "leaflet", "leaflet-a5", "ko"),  # two pages
]


@pytest.mark.parametrize("case", CASES, ids=["-".join(case) for case in CASES])
def test_fitted_pages_lay_out_the_same_with_the_layout_memos(case, monkeypatch):
    renderer, context, css = _page(*case)
    try:
        with monkeypatch.context() as patch:
            calls = [0]
            _counting(patch, calls)
            remembered = _boxes(renderer.fitted(case[1], context, css).document)
            with_memo = calls[0]
        with monkeypatch.context() as patch:
            _without_layout_memos(patch)
            calls = [0]
            _counting(patch, calls)
            laid_out = _boxes(renderer.fitted(case[1], context, css).document)
            without_memo = calls[0]
    finally:
        renderer.close()
    assert _alike(remembered, laid_out)
    assert with_memo < without_memo


def test_a_chapters_card_after_another_finds_its_styles_and_lays_out_as_it_would_alone(monkeypatch):
    """One renderer makes a chapter's card after another's in the same language and size: the page's @page
    rule and variables are one parsed sheet, so the second card finds most of its computed styles kept
    from the first; its boxes and PDF are what a renderer that made nothing before gives."""
    ws = Workspace(REPO)
    statement, design, fonts = find_statement(None, ws), find_design("placard", ws), load_font_map(ws.fonts_dir)
    contexts = []
    for name, event in (("Leeds", "Saturday 6 pm, Park Square"), ("Lagos", "Sunday, Tafawa Balewa Square")):
        chapter = Chapter(id=name.lower(), name=name, lang="en", event=event)
        job = plan("social", statement, None, design, resolve_sizes("social", ["ig-square"]), Path("unused"),
                   chapter=chapter)[0]
        contexts.append(build_context("social", statement, job.lines, design, job.size, fonts, job.dpi, job.qr,
                                      chapter))
    css_text = page_css(job, fonts)
    computed = [0]  # computed values: WeasyPrint computes each property of a style when first read
    real = css.ComputedStyle.__missing__

    def counted(self, key):
        computed[0] += 1
        return real(self, key)

    monkeypatch.setattr(css.ComputedStyle, "__missing__", counted)
    warm, fresh = Renderer(design, fonts), Renderer(design, fonts)
    try:
        warm.fitted("social", contexts[0], css_text)
        computed[0] = 0
        after = warm.fitted("social", contexts[1], css_text).document
        kept = computed[0]
        computed[0] = 0
        alone = fresh.fitted("social", contexts[1], css_text).document
        afresh = computed[0]
        assert _alike(_boxes(after), _boxes(alone))
        assert after.write_pdf() == alone.write_pdf()
    finally:
        warm.close()
        fresh.close()
    assert kept < afresh / 2, (kept, afresh)


GRID_PAGE = """<!doctype html>
<style>
  @page { size: 400px 300px; margin: 0 }
  body { margin: 0; height: 300px; display: grid; grid-template-columns: 1fr 1fr;
         grid-template-rows: auto auto auto minmax(0, 1fr); font: 16px/1.25 sans-serif }
  p { margin: 0 } .wide { grid-column: 1 / 3; padding: 4px 8px }
  .corner { position: relative } .corner span { position: absolute; top: 0; right: 0 }
  .fill { height: 100% }
</style>
<p class="wide">Plain words in a row of their own, measured then placed</p>
<p>A short cell</p><p>A cell beside it that takes three lines or so, so the row is taller than the first</p>
<div class="wide corner">A row with <span>a corner</span></div>
<div class="wide"><div class="fill">A block as tall as its row</div></div>
"""


def test_grid_items_placed_as_measured_are_moved_there_and_others_laid_out(monkeypatch):
    """An item grid places as wide and as tall as it measured it is that measured layout, moved; one
    stretched taller than it measured (beside a taller cell), one holding a positioned box, one whose
    child is as tall as a % of it are laid out again. Every box ends where WeasyPrint alone puts it."""
    moved = []
    real = layoutmemo._placed

    def placed(context, box, bottom_space, containing_block):
        found = real(context, box, bottom_space, containing_block)
        moved.append((box.element.text or "").split()[:2] if found is not None else None)
        return found

    with monkeypatch.context() as patch:
        patch.setattr(layoutmemo, "_placed", placed)
        remembered = _boxes(HTML(string=GRID_PAGE).render())
    with monkeypatch.context() as patch:
        _without_layout_memos(patch)
        laid_out = _boxes(HTML(string=GRID_PAGE).render())
    assert _alike(remembered, laid_out)
    assert moved == [["Plain", "words"], None, ["A", "cell"], None, None]


def test_a_page_that_overflows_breaks_across_pages_the_same_with_the_layout_memos(monkeypatch):
    """At its designed sizes, unfitted, the English x-header banner spills onto more pages: grids
    remember row heights on their boxes for the next page, which the memo must leave as layout would."""
    renderer, context, css = _page("placard", "banner", "x-header", "en")
    try:
        design = renderer.design
        base_url = design.path.as_uri() + "/"

        def layout():
            source = HTML(string=renderer.html("banner", context), base_url=base_url, url_fetcher=renderer.fetcher)
            sheets = [renderer._font_css, *renderer._linked_stylesheets(source.etree_element, base_url),
                      CSS(string=css, font_config=renderer.font_config)]
            return source.render(stylesheets=sheets, font_config=renderer.font_config)

        remembered = layout()
        with layoutmemo.every_row_measured():
            measured = layout()
        with monkeypatch.context() as patch:
            _without_layout_memos(patch)
            laid_out = layout()
    finally:
        renderer.close()
    assert len(laid_out.pages) == len(remembered.pages) > 1
    # Rows whose measured height WeasyPrint drops are not measured: the first page is the same, and
    # everything is when they are.
    first = sum(1 for _ in measure.walk(laid_out.pages[0]._page_box))
    assert _alike(_boxes(remembered)[:first], _boxes(laid_out)[:first])
    assert _alike(_boxes(measured), _boxes(laid_out))


def test_an_asset_left_overflowing_is_laid_out_as_weasyprint_would(monkeypatch):
    """--allow-overflow keeps a page that spills onto another: its later pages are WeasyPrint's own."""
    renderer, context, css_text = _page("placard", "banner", "x-header", "en")
    context["lines"] = {**context["lines"], "headline": " ".join(["Against US imperialism"] * 25)}
    try:
        spilled = renderer.fitted("banner", context, css_text, allow_overflow=True).document
        with monkeypatch.context() as patch:
            _without_layout_memos(patch)
            laid_out = renderer.fitted("banner", context, css_text, allow_overflow=True).document
    finally:
        renderer.close()
    assert len(spilled.pages) > 1
    assert _alike(_boxes(spilled), _boxes(laid_out))


def test_svg_paths_replayed_from_memory_write_the_same_pdf(monkeypatch):
    renderer, context, css = _page("placard", "leaflet", "leaflet-a5", "en")
    try:
        document = renderer.fitted("leaflet", context, css).document
        pathmemo._drawn.clear()
        first = document.write_pdf()
        assert any(len(d) >= pathmemo.LONG for d, _ in pathmemo._drawn)  # the QR code's path was kept
        again = document.write_pdf()
        monkeypatch.setitem(TAGS, "path", pathmemo._path)
        drawn = document.write_pdf()
    finally:
        renderer.close()
    assert first == again == drawn


def test_svg_pictures_replayed_from_memory_write_the_same_pdf(monkeypatch):
    renderer, context, css = _page("rally", "social", "ig-square", "ar")
    try:
        document = renderer.fitted("social", context, css).document
        svgmemo.forget()
        first = document.write_pdf()
        assert any("crowd.svg" in key[0][0] for key in svgmemo._drawn)  # rally's crowd was kept
        again = document.write_pdf()
        svgmemo.uninstall()
        drawn = document.write_pdf()
    finally:
        svgmemo.install()
        renderer.close()
    assert first == again == drawn


def _svg_page(background: str) -> bytes:
    return HTML(string=f'<style>@page {{ size: 200px 100px; margin: 0 }} body {{ margin: 0 }}'
                       f'div {{ height: 100px; background: {background} no-repeat; background-size: 100% 100% }}'
                       '</style><div></div>').write_pdf()


def test_svg_pictures_with_transparency_or_a_changed_file_are_drawn_again(tmp_path):
    svgmemo.forget()
    see_through = ("url('data:image/svg+xml,<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 2 1\">"
                   "<g opacity=\"0.5\"><rect width=\"2\" height=\"1\" fill=\"red\"/></g></svg>')")
    assert _svg_page(see_through) == _svg_page(see_through)
    assert not svgmemo._drawn  # its group is a resource of the page: not kept

    picture = tmp_path / "flag.svg"
    picture.write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 2 1">'
                       '<rect width="2" height="1" fill="#ff0000"/></svg>', "utf-8")
    red = _svg_page(f"url('{picture.as_uri()}')")
    assert len(svgmemo._drawn) == 1
    picture.write_text(picture.read_text("utf-8").replace("#ff0000", "#0000ff"), "utf-8")
    os.utime(picture, ns=(picture.stat().st_atime_ns, picture.stat().st_mtime_ns + 10**9))
    blue = _svg_page(f"url('{picture.as_uri()}')")
    assert red != blue
    pixels = [pdfium.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("RGB").getpixel((100, 50))
              for pdf in (red, blue)]
    assert pixels == [(255, 0, 0), (0, 0, 255)]


def _marked_texts(design_name: str, kind: str, size: str, lang: str) -> list[measure.Text]:
    renderer, context, css = _page(design_name, kind, size, lang)
    try:
        document = renderer.fitted(kind, context, css).document
    finally:
        renderer.close()
    marked = {box.element: None for page in document.pages for box in measure.walk(page._page_box)
              if getattr(box, "element", None) is not None and box.element.get("data-fit")}
    texts = [measure.text_of(document, element) for element in marked]
    return [text for text in texts if text is not None and " " in text.text]


@pytest.mark.parametrize("lang", ["en", "ar", "hi", "ko"])
def test_lines_broken_at_the_laid_out_size_and_scaled_are_those_at_the_size(lang):
    """`Text.breaks` measures unhyphenated text at its laid-out size only; WeasyPrint breaking at each
    size agrees (the leaflet's body is hyphenated, and broken at each size)."""
    texts = _marked_texts("placard", "leaflet", "leaflet-a5", lang) + _marked_texts("placard", "social", "og", lang)
    assert texts
    compared = 0
    for text in texts:
        for ratio in (0.31, 0.5, 0.77, 0.9, 1.3):
            for width in (text.width * 0.6, text.width):
                style = text.style.copy()
                style["font_size"] = text.style["font_size"] * ratio
                if not isinstance(text.style["letter_spacing"], str):
                    style["letter_spacing"] = text.style["letter_spacing"] * ratio
                exact, rest = [], text.text.encode()
                while rest:
                    _, _, resume, line, _, _ = split_first_line(rest.decode(), style, SimpleNamespace(dictionaries={}),
                                                                width, 0, True)
                    exact.append(line)
                    rest = rest[resume:] if resume is not None else b""
                scaled = text.breaks(ratio, width)
                assert len(scaled) == len(exact), (text.text, ratio, width)
                assert max(abs(a - b) for a, b in zip(scaled, exact)) < 0.05, (text.text, ratio, width)
                compared += 1
    assert compared >= 10


def test_png_keeps_every_pixel_and_its_resolution():
    image = Image.new("RGB", (301, 203), "#d7141a")
    image.paste(Image.effect_noise((150, 100), 60).convert("RGB"), (20, 30))
    printed = Image.open(io.BytesIO(encode_png(image, 300)))
    screen = Image.open(io.BytesIO(encode_png(image.convert("RGBA"))))
    for decoded in (printed, screen):
        assert decoded.format == "PNG" and decoded.size == (301, 203)
        assert ImageChops.difference(decoded.convert("RGB"), image).getbbox() is None
    assert printed.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert "dpi" not in screen.info


def _without_style_memo(patch) -> None:
    patch.setattr(css.StyleFor, "__init__", stylememo._init)
    patch.setattr(build, "set_viewport_overflow", stylememo._set_viewport_overflow)
    stylememo.forget()


@pytest.mark.parametrize("case", CASES, ids=["-".join(case) for case in CASES])
def test_fitted_pages_are_the_same_with_styles_kept_across_layouts(case, monkeypatch):
    renderer, context, css_text = _page(*case)
    computed = [0]
    real = css.StyleFor.set_computed_styles

    def counted(self, *args, **kwargs):
        computed[0] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(css.StyleFor, "set_computed_styles", counted)
    try:
        stylememo.forget()
        document = renderer.fitted(case[1], context, css_text).document
        kept, with_memo = (_boxes(document), document.write_pdf()), computed[0]
        computed[0] = 0
        with monkeypatch.context() as patch:
            _without_style_memo(patch)
            document = renderer.fitted(case[1], context, css_text).document
            laid_out, without_memo = (_boxes(document), document.write_pdf()), computed[0]
    finally:
        renderer.close()
    assert kept[0] == laid_out[0]
    assert kept[1] == laid_out[1]
    assert with_memo < without_memo


def test_kept_styles_keep_the_root_overflow_and_anchors():
    """WeasyPrint moves the root's overflow to the page by changing the root's style, and collects anchors
    as it computes styles: neither may be lost when a second layout reuses the first one's styles."""
    page = """<html><body style="margin: 0"><p id="top">Top</p><a href="#top">back to the top</a>
              <div style="width: 400px; height: 50px">wide</div></body></html>"""
    fonts = FontConfiguration()
    sheets = [CSS(string="@page { size: 200px 200px; margin: 0 } body { overflow: hidden } "
                         "a::after { content: ' (' target-text(attr(href)) ')' }", font_config=fonts)]
    source = HTML(string=page)
    stylememo.forget()
    first, second = (source.render(stylesheets=sheets, font_config=fonts) for _ in range(2))
    assert len(next(iter(stylememo._kept.values()))[1]) >= 5  # the second layout had the first's styles
    for document in (first, second):
        assert document.pages[0]._page_box.style["overflow"] == "hidden"
        assert "top" in document.pages[0].anchors
        assert any(link[1] == "top" for link in document.pages[0].links)
        assert "(Top)" in "".join(box.text for box in measure.walk(document.pages[0]._page_box)
                                  if isinstance(box, boxes.TextBox))
    assert first.write_pdf() == second.write_pdf()


def test_pages_skip_margin_boxes_only_when_none_has_content(monkeypatch):
    renderer, context, css_text = _page("placard", "poster", "a4", "hi")
    try:
        document = renderer.fitted("poster", context, css_text).document
        skipped = (_boxes(document), document.write_pdf())
        with monkeypatch.context() as patch:
            patch.setattr(layout, "make_margin_boxes", marginboxes._make_margin_boxes)
            document = renderer.fitted("poster", context, css_text).document
            made = (_boxes(document), document.write_pdf())
    finally:
        renderer.close()
    assert skipped == made
    headed = HTML(string="<p>Body</p>").render(stylesheets=[CSS(
        string="@page { size: 300px; margin: 50px; @top-center { content: 'Running head' } }")])
    assert "Running head" in [box.text for box in measure.walk(headed.pages[0]._page_box)
                              if isinstance(box, boxes.TextBox)]
