"""The fit pass: long text shrinks to fit its box; text that cannot fit is an error."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from weasyprint import HTML

import assets_cli.fit as fit
import assets_cli.measure as measure
from assets_cli.chapters import Chapter
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


def _fitted_sizes(design_name: str, kind: str, size: str, lang: str, *,
                  chapter: bool = False) -> tuple[dict[str, float], int]:
    """Each marked element's fitted font size, and how many layouts the pass took (`chapter`: for a
    chapter whose event, the dates again, goes under the call to action)."""
    ws = Workspace(Path(__file__).resolve().parent.parent)
    statement, design, fonts = find_statement(None, ws), find_design(design_name, ws), load_font_map(ws.fonts_dir)
    local = Chapter(id=f"{lang}-local", name="Local", lang=lang, event=statement.lines(lang).dates) if chapter else None
    job = plan(kind, statement, lang, design, resolve_sizes(kind, [size]), Path("unused"), chapter=local)[0]
    layouts = [0]
    real = HTML.render

    def counted(self, *args, **kwargs):
        layouts[0] += 1
        return real(self, *args, **kwargs)

    HTML.render = counted
    renderer = Renderer(design, fonts)
    try:
        context = build_context(kind, statement, job.lines, design, job.size, fonts, job.dpi, job.qr, local)
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
    the whole page's model where it holds (plain text, rally's dates in a tag, broadsheet's dates as
    unbreakable words; rally's square card shares its auto rows' growth between two flexible rows,
    broadsheet's dates and call to action grow their row side by side), else element by element
    (broadsheet's leaflet body holds a lead-in and a closing mark)."""
    whole = [("placard", "social", "ig-square", lang) for lang in ("en", "ar", "hi", "ko")] + [
        ("rally", "social", "ig-square", lang) for lang in ("en", "es", "ar", "hi")] + [
        ("broadsheet", "social", "ig-square", "ar"), ("broadsheet", "banner", "x-header", "hi"),
        ("placard", "banner", "rollup", "ko")]
    cases = whole + [
        ("placard", "banner", "x-header", "es"),
        ("placard", "poster", "a4", "ur"), ("placard", "leaflet", "leaflet-a5", "fr"),
        ("rally", "poster", "a4", "es"), ("broadsheet", "social", "story", "ur"),
        ("broadsheet", "leaflet", "leaflet-a5", "fr")]
    foretold = {case: _fitted_sizes(*case) for case in cases}
    monkeypatch.setattr(fit, "FORETELL", False)
    monkeypatch.setattr(fit, "text_of", lambda document, element: None)
    for case in cases:
        sizes, layouts = _fitted_sizes(*case)
        assert foretold[case][0] == sizes, case
        assert foretold[case][1] < layouts, case
    # The cards' model holds: a probe to measure from, a layout to check. A step up is laid out only where the
    # measures foretell it overflows by less than they may be off: the roll-up's headline, by 0.02 px across.
    counts = {case: foretold[case][1] for case in whole}
    assert counts.pop(("placard", "banner", "rollup", "ko")) == 3
    assert all(count == 2 for count in counts.values()), counts


def test_a_chapters_event_stacked_under_the_call_to_action_is_foretold_as_laying_out_fits_it(monkeypatch):
    """A chapter's card and leaflet put its event under the call to action, in one grid item of an auto row:
    the row grows by both their growths, and beside the leaflet's taller QR code only by what the two
    outgrow it by together. In Arabic and Hindi the card's headline overflows its row even as one letter at
    its designed size: that row still has a height of its own to take from. The measures answer as the
    layout search does, with one probe and one check."""
    cards = [("placard", "social", "ig-square", lang) for lang in ("en", "ar", "hi")] + [
        ("rally", "social", "ig-square", "hi"), ("broadsheet", "social", "ig-square", "ar")]
    cases = cards + [("placard", "leaflet", "leaflet-a5", "hi"), ("rally", "leaflet", "leaflet-a6", "en")]
    foretold = {case: _fitted_sizes(*case, chapter=True) for case in cases}
    monkeypatch.setattr(fit, "FORETELL", False)
    for case in cases:
        sizes, layouts = _fitted_sizes(*case, chapter=True)
        assert "event" in sizes, case
        assert foretold[case][0] == sizes, case
        assert foretold[case][1] < layouts, case
    # A probe and a check; rally's event is foretold to overflow a step up by 0.007 px: that step is laid out.
    counts = {case: foretold[case][1] for case in cards}
    assert counts.pop(("rally", "social", "ig-square", "hi")) == 3
    assert all(count == 2 for count in counts.values()), counts


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



@pytest.mark.parametrize("lang", ["en", "ar", "hi", "ko", "ja"])
def test_hyphenated_text_breaks_into_no_fewer_lines_than_its_fewest(lang):
    """The fewest lines a hyphenated text is told to need, without breaking it, are never more than it
    breaks into, at any size: with scripts Pyphen has no dictionary for (Hindi, Korean), right to left,
    and a word wider than the column (which fills a line of its own)."""
    words = {"en": "the week of international struggle against imperialism and fascist reaction",
             "ar": "أسبوع النضال الدولي ضد الإمبريالية والرجعية الفاشية في كل مكان",
             "hi": "अमेरिकी साम्राज्यवाद और फासीवादी प्रतिक्रिया के विरुद्ध अंतरराष्ट्रीय संघर्ष सप्ताह",
             "ko": "미 제국주의와 파시스트 반동에 맞선 국제 투쟁 주간에 함께하자",
             # No dictionary hyphenates it: a word wider than the column, which takes a line of its own.
             "ja": "Donaudampfschifffahrtsgesellschaftskapitän gegen Imperialismus und Krieg"}[lang]
    document, element = _laid_out(
        f'<p data-fit lang="{lang}" style="font: 30px/1.3 sans-serif; hyphens: auto; margin: 0">'
        f'{" ".join([words] * 4)}</p>', 420)
    measured = measure.text_of(document, element)
    assert measured is not None and measured.style["hyphens"] == "auto"
    for ratio in [0.3 + 0.05 * step for step in range(40)]:
        fewest, broken = measured.fewest_lines(ratio), measured.measure(ratio)[0]
        assert fewest <= broken, (ratio, fewest, broken)
    if lang == "en":  # English lines, hyphenated, come out near full: the fewest are near what it takes
        assert measured.fewest_lines(1.5) >= 0.8 * measured.measure(1.5)[0]


def test_a_leaflet_body_is_broken_only_at_sizes_its_fewest_lines_cannot_rule_out(monkeypatch):
    """The placard leaflet's hyphenated body is broken at each size the search tries (some 5 ms each);
    the sizes far too big are told from its fewest lines instead, and the sizes found are the same."""
    broken = []
    real = measure.Text._breaks

    def counted(self, style, width, lead=0.0):
        if style["hyphens"] == "auto":
            broken.append(style["font_size"])
        return real(self, style, width, lead)

    monkeypatch.setattr(measure.Text, "_breaks", counted)
    sizes, _ = _fitted_sizes("placard", "leaflet", "leaflet-a5", "en")
    told = len(broken)
    broken.clear()
    monkeypatch.setattr(measure.Model, "_surely_over", lambda self, scales: False)
    assert _fitted_sizes("placard", "leaflet", "leaflet-a5", "en")[0] == sizes
    assert told <= len(broken) - 3, (told, len(broken))


def _laid_out(markup: str, width: int):
    """A page of `markup` in a column `width` px wide: the document and its data-fit element."""
    html = HTML(string=f'<body style="margin:0; width:{width}px"><div style="height:900px">{markup}</div></body>')
    document = html.render()
    return document, next(e for e in html.etree_element.iter() if e.get("data-fit") is not None)


def _lines(document, element) -> int:
    box, _ = measure.box_of(document, element)
    return sum(type(line).__name__ == "LineBox" for line in measure.walk(box))


def test_markup_the_measures_read_and_markup_they_leave_to_layouts():
    def shape(markup: str) -> str | None:
        return measure.shape_of(_laid_out(markup, 400)[1])

    assert shape("<p data-fit>plain words</p>") == "plain"
    assert shape("<p data-fit> <span>one tag</span> </p>") == "wrapped"
    assert shape("<p data-fit><span>2020년</span> <span>5월</span> <span>25~31일</span></p>") == "words"
    assert shape("<p data-fit>May <b>25</b></p>") is None  # text beside a child
    assert shape("<p data-fit><span>a</span><span>b</span></p>") is None  # no space between words
    assert shape("<p data-fit><span><i>deep</i></span></p>") is None
    assert shape("<p data-fit><span> </span></p>") is None
    assert shape("<p data-fit></p>") is None


def test_words_that_never_break_inside_fill_lines_as_a_layout_does():
    words = "2020년 5월 25~31일 — 서울 광화문 광장에서 함께 합니다"
    markup = ('<p data-fit style="font: 40px/1.25 sans-serif; margin: 0">'
              + " ".join(f'<span style="white-space: nowrap">{w}</span>' for w in words.split()) + "</p>")
    counts = set()
    for width in (180, 260, 340, 420, 560, 900):
        document, element = _laid_out(markup, width)
        measured = measure.text_of(document, element)
        assert measured is not None and measured.words == tuple(words.split())
        lines = _lines(document, element)
        counts.add(lines)
        assert measured.measure(1.0)[0] == lines, width
        smaller, smaller_element = _laid_out(markup.replace("40px", "30px"), width)
        assert measured.measure(0.75)[0] == _lines(smaller, smaller_element), width
    assert len(counts) >= 3


def test_text_in_one_tag_without_padding_breaks_as_the_tag_lays_out():
    markup = ('<p data-fit style="font: 36px/1.2 serif; margin: 0">'
              '<span style="color: red">Protest at the United States embassy in your city, every day</span></p>')
    counts = set()
    for width in (200, 320, 480, 700, 1400):
        document, element = _laid_out(markup, width)
        measured = measure.text_of(document, element)
        assert measured is not None and measured.lead == 0
        counts.add(_lines(document, element))
        assert measured.measure(1.0)[0] == _lines(document, element), width
    assert len(counts) >= 3
    # In bold, the tag's lines stand taller than line-height says (the faces' ascents differ): left to layouts.
    bold, element = _laid_out(markup.replace("span", "b"), 320)
    assert _lines(bold, element) > 1 and measure.text_of(bold, element) is None


def test_a_tag_around_the_text_counts_its_padding_and_grows_it_with_the_font():
    markup = ('<p data-fit style="font: 50px/1.3 sans-serif; margin: 0; white-space: nowrap">'
              '<span style="padding: 0.1em 0.3em; background: orange">May 25–31, 2020</span></p>')
    document, element = _laid_out(markup, 900)
    measured = measure.text_of(document, element)
    assert measured is not None and measured.lead == 15.0  # 0.3 em of 50 px
    inked, _ = measure.line_widths(document, element)
    assert abs(measured.measure(1.0)[1] - (15.0 + inked[0])) < 0.01
    assert abs(measured.measure(0.5)[1] - (15.0 + inked[0]) / 2) < 0.5
    # The paragraph's own padding in em gives back width as the font shrinks; in px, it does not.
    for padding, inset in (("0.5em", 25.0), ("25px", 0.0)):
        padded, element = _laid_out(markup.replace("margin: 0;", f"margin: 0; padding-right: {padding};"), 900)
        measured = measure.text_of(padded, element)
        assert measured.width == 875.0 and measured.inset == inset
        smaller, element = _laid_out(markup.replace("50px", "25px").replace("margin: 0;",
                                                                          f"margin: 0; padding-right: {padding};"), 900)
        assert measured.width_at(0.5) == measure.box_of(smaller, element)[0].width
    # Padding in px does not grow with the font: left to layouts.
    fixed, element = _laid_out(markup.replace("0.1em 0.3em", "5px 15px"), 900)
    assert measure.text_of(fixed, element) is None
    # A tag that wraps: where its padding falls on each line is a layout's to tell.
    wrapping, element = _laid_out(markup.replace("white-space: nowrap", "white-space: normal"), 200)
    assert measure.text_of(wrapping, element) is None
