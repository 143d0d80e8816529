"""The fit pass: long text shrinks to fit its box; text that cannot fit is an error."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from weasyprint import HTML

import assets_cli.fit as fit
import assets_cli.measure as measure
from assets_cli.context import build_context
from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, page_css, plan
from assets_cli.render import Renderer
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import make_workspace, pdf_text, run_cli


def headline_height(pdf: Path, headline_word: str) -> float:
    """Height in points of the first glyph of `headline_word` on the page."""
    document = pdfium.PdfDocument(pdf)
    textpage = document[0].get_textpage()
    full = textpage.get_text_range()
    index = full.index(headline_word)
    left, bottom, right, top = textpage.get_charbox(index)
    document.close()
    return top - bottom


def render_a4(workspace: Path, out: Path) -> Path:
    ws = Workspace(workspace)
    jobs = plan("poster", find_statement(None, ws), None, find_design(None, ws), resolve_sizes("poster", ["a4"]), out)
    written = list(make(jobs, load_font_map(ws.fonts_dir)))
    return next(w.path for w in written if w.format == "pdf")


def test_a_longer_headline_is_set_smaller_and_still_whole(tmp_path):
    short = render_a4(make_workspace(tmp_path / "a", headline="Stop the war"), tmp_path / "o1")
    long_words = "Internationale Solidaritätskundgebung gegen den US-Imperialismus"
    long = render_a4(make_workspace(tmp_path / "b", headline=long_words), tmp_path / "o2")
    assert headline_height(long, "INTERNATIONALE") < headline_height(short, "STOP") / 2
    assert long_words.upper() in pdf_text(long)


def test_text_that_cannot_fit_fails_naming_language_size_and_key(tmp_path):
    workspace = make_workspace(tmp_path, headline="Solidarity " * 120)
    result = run_cli("poster", "--size", "a4", "--out", "out", cwd=workspace)
    assert result.returncode == 2
    assert "'headline' does not fit at a4 in en" in result.stderr
    assert not (workspace / "out").exists()


def test_allow_overflow_writes_it_anyway(tmp_path):
    workspace = make_workspace(tmp_path, headline="Solidarity " * 120)
    result = run_cli("poster", "--size", "a4", "--out", "out", "--allow-overflow", cwd=workspace)
    assert result.returncode == 0, result.stderr
    assert len(list((workspace / "out").rglob("*.pdf"))) == 1


def _fitted_sizes(design_name: str, kind: str, size: str, lang: str) -> tuple[dict[str, float], int]:
    """Each marked element's fitted font size, and how many layouts the pass took."""
    ws = Workspace(Path(__file__).resolve().parent.parent)
    statement, design, fonts = find_statement(None, ws), find_design(design_name, ws), load_font_map(ws.fonts_dir)
    job = plan(kind, statement, lang, design, resolve_sizes(kind, [size]), Path("unused"))[0]
    layouts = [0]
    real = HTML.render

    def counted(self, *args, **kwargs):
        layouts[0] += 1
        return real(self, *args, **kwargs)

    HTML.render = counted
    renderer = Renderer(design, fonts)
    try:
        context = build_context(kind, statement, job.lines, design, job.size, fonts, job.dpi, job.qr, None)
        document = renderer.fitted(kind, context, page_css(job, fonts)).document
    finally:
        HTML.render = real
        renderer.close()
    sizes = {}
    for page in document.pages:
        for box in measure.walk(page._page_box):
            element = getattr(box, "element", None)
            if element is not None and element.get("data-fit") and type(box).__name__ == "BlockBox":
                sizes.setdefault(element.get("data-fit"), box.style["font_size"])
    return sizes, layouts[0]


def test_foretelling_lines_chooses_what_laying_out_chooses_with_fewer_layouts(monkeypatch):
    """Measuring text instead of laying it out gives the sizes the layout search gives, with fewer layouts:
    the whole page's model for placard (plain text only), headline by headline for rally (dates in a tag)."""
    cases = [("placard", "social", "ig-square", lang) for lang in ("en", "ar", "hi", "ko")] + [
        ("placard", "banner", "x-header", "es"), ("placard", "banner", "rollup", "ko"),
        ("placard", "poster", "a4", "ur"), ("placard", "leaflet", "leaflet-a5", "fr"),
        ("rally", "poster", "a4", "es"), ("broadsheet", "social", "story", "ur")]
    foretold = {case: _fitted_sizes(*case) for case in cases}
    monkeypatch.setattr(fit, "FORETELL", False)
    monkeypatch.setattr(fit, "text_of", lambda document, element: None)
    for case in cases:
        sizes, layouts = _fitted_sizes(*case)
        assert foretold[case][0] == sizes, case
        assert foretold[case][1] < layouts, case
    # The placard card's model holds: a probe to measure from, a layout to check, a few close steps up.
    assert all(foretold[("placard", "social", "ig-square", lang)][1] <= 5 for lang in ("en", "ar", "hi", "ko"))


def test_the_measured_text_breaks_into_the_lines_laid_out():
    """Guards the WeasyPrint internals the foretelling uses (split_first_line, computed styles)."""
    html = HTML(string='<body style="margin:0; width:300px"><div style="height:900px">'
                       '<p data-fit style="font: 40px/1.2 sans-serif; text-transform: uppercase; margin: 0">'
                       'against imperialism and\u00a0war, for the rights of peoples</p></div></body>')
    document = html.render()
    element = next(e for e in html.etree_element.iter() if e.get("data-fit") is not None)
    measured = measure.text_of(document, element)
    assert measured is not None
    box, _ = measure.box_of(document, element)
    lines = [line for line in measure.walk(box) if type(line).__name__ == "LineBox"]
    assert measured.measure(1.0)[0] == len(lines) >= 3
    assert measured.measure(0.5)[0] < len(lines) and measured.fits(1.0) and not measured.fits(30.0)

