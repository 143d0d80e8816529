"""Ten languages, every script: fonts, right-to-left text, `assets check`, `assets langs`."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets_cli.check import check, contrast_ratio, plan_checks
from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, plan
from assets_cli.render import Renderer
from assets_cli.context import build_context
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import REPO, make_workspace, pdf_fonts, pdf_text, run_cli

LANGUAGES = ("ar", "en", "es", "fr", "hi", "id", "ko", "pt", "tl", "ur")
WORKSPACE = Workspace(REPO)


def shipped_families() -> tuple[str, ...]:
    """Family names of fonts.toml as PDFs spell them (spaces as hyphens)."""
    return tuple(name.replace(" ", "-") for name in load_font_map(WORKSPACE.fonts_dir).families)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """An A4 poster and an Instagram card in every shipped language, made in one process."""
    out = tmp_path_factory.mktemp("languages")
    statement, design = find_statement(None, WORKSPACE), find_design(None, WORKSPACE)
    fonts = load_font_map(WORKSPACE.fonts_dir)
    files = {}
    for lang in LANGUAGES:
        jobs = plan("poster", statement, lang, design, resolve_sizes("poster", ["a4"]), out)
        jobs += plan("social", statement, lang, design, resolve_sizes("social", ["ig-square"]), out)
        for written in make(jobs, fonts):
            if written.format == "pdf":
                files[(lang, written.kind)] = written.path
    return files


def test_the_default_statement_speaks_ten_languages_none_reviewed_yet():
    statement = find_statement(None, WORKSPACE)
    assert sorted(statement.languages) == sorted(LANGUAGES)
    for lines in statement.languages.values():
        assert lines.reviewed is False
        assert lines.alt_text and len(lines.alt_text) <= 125


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", ["poster", "social"])
def test_every_language_renders_in_shipped_fonts_only(rendered, lang, kind):
    fonts = pdf_fonts(rendered[(lang, kind)])
    assert fonts and all(fonts.values()), fonts
    used = {name.split("+", 1)[1] for name in fonts}
    # A glyph no shipped font has would pull in a system font (DejaVu, …).
    assert all(name.startswith(shipped_families()) for name in used), used


@pytest.mark.parametrize("lang", LANGUAGES)
def test_key_lines_copy_out_of_the_pdf_as_written(rendered, lang):
    lines = find_statement(None, WORKSPACE).lines(lang)
    text = pdf_text(rendered[(lang, "poster")]).casefold()
    for key in ("headline", "dates", "call_to_action"):
        assert " ".join(getattr(lines, key).replace("\xa0", " ").split()).casefold() in text, key


def test_arabic_and_urdu_come_out_in_logical_order_with_digits_in_place(rendered):
    arabic = pdf_text(rendered[("ar", "poster")])
    assert "ضد الإمبريالية الأمريكية" in arabic
    assert "من 25 إلى 31 مايو 2020" in arabic
    urdu = pdf_text(rendered[("ur", "poster")])
    assert "امریکی سامراج کے خلاف" in urdu
    assert "25 تا 31 مئی 2020" in urdu


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("ur", "rtl"), ("en", "ltr"), ("hi", "ltr")])
def test_pages_carry_the_direction_of_their_language(lang, direction):
    statement, design = find_statement(None, WORKSPACE), find_design(None, WORKSPACE)
    fonts = load_font_map(WORKSPACE.fonts_dir)
    job, = plan("poster", statement, lang, design, resolve_sizes("poster", ["a4"]), Path("out"))
    html = Renderer(design, fonts).html("poster", build_context(
        job.kind, statement, job.lines, design, job.size, fonts, job.dpi, job.qr))
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_rtl_poster_is_set_from_the_right(rendered):
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(rendered[("ar", "poster")])
    page = document[0]
    textpage = page.get_textpage()
    lefts = [textpage.get_charbox(i)[0] for i in range(textpage.count_chars())
             if textpage.get_text_range(i, 1).strip()]
    rights = [textpage.get_charbox(i)[2] for i in range(textpage.count_chars())
              if textpage.get_text_range(i, 1).strip()]
    width = page.get_width()
    document.close()
    # Every line ends flush at the right margin; short lines leave the left empty.
    assert max(rights) > width * 0.9
    assert min(lefts) > width * 0.05


def test_korean_headline_breaks_only_between_words(rendered):
    text = pdf_text(rendered[("ko", "poster")])
    lines = find_statement(None, WORKSPACE).lines("ko")
    assert lines.headline in text.replace("\u2060", "")
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(rendered[("ko", "poster")])
    raw = document[0].get_textpage().get_text_range()
    document.close()
    words = set(lines.headline.split())
    headline_lines = [line for line in raw.splitlines() if line and set(line.split()) <= words]
    assert headline_lines, raw
    assert all(set(line.split()) <= words for line in headline_lines)


@pytest.mark.parametrize("design_name", ["placard", "rally", "broadsheet"])
def test_korean_running_text_breaks_only_between_words(tmp_path, design_name):
    """The slogan on a roll-up and the leaflet's body text, as well as the headline."""
    import pypdfium2 as pdfium

    statement, design = find_statement(None, WORKSPACE), find_design(design_name, WORKSPACE)
    lines = statement.lines("ko")
    texts = [*(v for v in vars(lines).values() if isinstance(v, str)), *lines.hashtags, *statement.hashtags]
    words = {word for text in texts for word in text.split()}
    jobs = [*plan("banner", statement, "ko", design, resolve_sizes("banner", ["rollup"]), tmp_path),
            *plan("leaflet", statement, "ko", design, resolve_sizes("leaflet", ["leaflet-a5"]), tmp_path)]
    checked = 0
    for written in make(jobs, load_font_map(WORKSPACE.fonts_dir)):
        if written.format != "pdf":
            continue
        document = pdfium.PdfDocument(written.path)
        raw = "\n".join(page.get_textpage().get_text_range() for page in document).replace("\u2060", "")
        document.close()
        for token in raw.split():
            if any("\uac00" <= char <= "\ud7a3" for char in token):  # Hangul syllables
                assert token in words, f"{token!r} is part of a word ({written.path.name})"
                checked += 1
    assert checked > 60


def test_a_long_german_headline_shrinks_to_fit(tmp_path):
    workspace = make_workspace(tmp_path)
    folder = workspace / "statements" / "week-of-struggle-2020"
    (folder / "de.toml").write_text(
        'headline = "Gegen den US-Imperialismus und seine Kriegsmaschinerie"\n'
        'dates = "25.–31. Mai 2020"\ncall_to_action = "Protestiert vor der US-Botschaft in eurer Stadt"\n', "utf-8")
    result = run_cli("check", "--design", "placard", "--lang", "de", "--size", "a4", "--size", "ig-square",
                     "--size", "x-header", cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 of 3 assets pass" in result.stdout
    out = run_cli("poster", "--lang", "de", "--size", "a4", "--out", "out", cwd=workspace)
    assert out.returncode == 0, out.stderr
    assert "GEGEN DEN US-IMPERIALISMUS UND SEINE KRIEGSMASCHINERIE" in pdf_text(next((workspace / "out").rglob("*.pdf")))


def test_a_character_no_font_has_fails_check_and_is_named(tmp_path):
    workspace = make_workspace(tmp_path, headline="Against US imperialism ᏣᎳᎩ")
    result = run_cli("check", "--design", "placard", "--size", "a4", cwd=workspace)
    assert result.returncode == 1
    assert "U+13E3" in result.stdout and "FAIL" in result.stdout and "0 of 1 assets pass" in result.stdout


def test_shipped_content_passes_check_in_every_language_on_a_sample_of_sizes():
    statement = find_statement(None, WORKSPACE)
    designs = [find_design(None, WORKSPACE)]
    jobs = plan_checks(statement, None, designs, None, ["a4", "story", "x-post", "yt-channel", "leaflet-dl"])
    reports = list(check(jobs, load_font_map(WORKSPACE.fonts_dir)))
    assert len(reports) == 5 * len(LANGUAGES)
    failures = [(r.job.lines.lang, r.job.size.name, r.overflow, r.missing, r.qr, r.smallest, r.contrast, r.error)
                for r in reports if not r.ok]
    assert not failures, failures
    assert {r.qr for r in reports if r.job.kind == "leaflet"} == {"ok"}


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio((1, 1, 1), (0, 0, 0)) == pytest.approx(21)
    assert contrast_ratio((0x77 / 255,) * 3, (1, 1, 1)) == pytest.approx(4.48, abs=0.01)


def test_langs_lists_code_direction_script_and_review():
    result = run_cli("langs")
    assert result.returncode == 0, result.stderr
    rows = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") > 5}
    assert set(rows) == set(LANGUAGES)
    assert "rtl" in rows["ar"] and "arabic" in rows["ar"] and "rtl" in rows["ur"]
    assert "devanagari" in rows["hi"] and "hangul" in rows["ko"] and "ltr" in rows["fr"]
    assert all(" no " in row for row in rows.values())


def test_scripts_are_told_by_their_letters():
    from assets_cli.scripts import keep_words, main_script, script_of

    assert [script_of(c) for c in "aبक한1 "] == ["latin", "arabic", "devanagari", "hangul", None, None]
    assert main_script(["ضد الإمبريالية (ILPS)"]) == "arabic"
    # Word joiners go between Hangul letters only, never at spaces or around Latin.
    assert keep_words("미 제국주의 ILPS") == "미 제\u2060국\u2060주\u2060의 ILPS"
    assert keep_words("2020년 5월 25~31일") == "2020\u2060년 5\u2060월 25~31\u2060일"
