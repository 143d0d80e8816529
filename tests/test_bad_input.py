"""The bad-input matrix: every kind of bad (or merely unusual) input, through the real CLI.

One row per case: how to make the input, the command, and exactly what the
user sees. A refused input exits 2 with one `error:` line per problem, naming
the file and line (or CSV row, or key) and the fix or the valid choices, with
no traceback and no PDF or PNG written. Unusual input a user would expect to
work (zero-width joiners, emoji in a caption, mixed Arabic and English,
markup and template syntax in the text) exits 0 and prints literally.

`{ws}` in an expected message is the case's workspace, `{repo}` this
repository (the built-in designs and fonts).
"""

from __future__ import annotations

import codecs
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import REPO, make_workspace, pdf_text, run_cli

STATEMENT = Path("statements") / "week-of-struggle-2020"
EN = "{ws}/statements/week-of-struggle-2020/en.toml"
META = "{ws}/statements/week-of-struggle-2020/statement.toml"
MINE = "{ws}/designs/mine"
FONTS_TOML = "{ws}/fonts/fonts.toml"
LANGS = "(valid: en)"
SAFE_ID_HINT = "(use letters, digits and hyphens, e.g. manila-north)"
HTTP = "must be an http:// or https:// address"
REFUSED = "(designs may load files from their own folder, fonts/ and data: URIs only)"
QUOTE_HINT = "(put text that holds ',' in double quotes, or save the spreadsheet again as CSV)"
LONG_URL_HINT = "(use a shorter link (about 150 characters at most, UTM tags included; --no-utm drops them))"
A4 = ["poster", "--size", "a4"]
PACK = ["pack", "--chapters", "chapters.csv", "--kind", "poster"]
MY_A4 = ["poster", "--design", "mine", "--size", "a4"]
CSV_HEADER = "id,name,lang,city,event,url\n"

Setup = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One row of the matrix: make the input, run the command, expect exactly these errors (or success)."""

    name: str
    setup: Setup
    args: list[str]
    errors: list[str] = field(default_factory=list)  # each stderr line after "error: "; empty: it works
    printed: list[str] = field(default_factory=list)  # text the A4 PDF must hold when it works

    @property
    def works(self) -> bool:
        return not self.errors


# --- ways to make bad input -------------------------------------------------------------------------------------

def lines(**overrides: str | None) -> Setup:
    """The default statement with en.toml's key lines changed (None removes one)."""
    return lambda ws: make_workspace(ws, **overrides)


def en_toml(text: str | bytes) -> Setup:
    """en.toml written as given, byte for byte."""
    def setup(ws: Path) -> None:
        make_workspace(ws)
        path = ws / STATEMENT / "en.toml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return setup


def with_bom(ws: Path) -> None:
    make_workspace(ws)
    path = ws / STATEMENT / "en.toml"
    path.write_bytes(codecs.BOM_UTF8 + path.read_bytes())


def meta(old: str, new: str) -> Setup:
    """statement.toml with one line replaced."""
    def setup(ws: Path) -> None:
        make_workspace(ws)
        path = ws / STATEMENT / "statement.toml"
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new), "utf-8")
    return setup


def url(value: str) -> Setup:
    return meta('url = "https://ilps.info/"', f"url = {json.dumps(value)}")


def chapters(*rows: str, header: str = CSV_HEADER, encoding: str = "utf-8") -> Setup:
    """The default statement (English only) and a chapters.csv of these rows."""
    def setup(ws: Path) -> None:
        make_workspace(ws)
        (ws / "chapters.csv").write_bytes((header + "".join(f"{row}\n" for row in rows)).encode(encoding))
    return setup


def design(*files: tuple[str, str | bytes], slogan: str | None = None, toml: tuple[str, str] | None = None,
           source: str = "placard") -> Setup:
    """designs/mine: a copy of a built-in design with extra files, the poster's slogan replaced, design.toml edited."""
    def setup(ws: Path) -> None:
        make_workspace(ws)
        folder = ws / "designs" / "mine"
        shutil.copytree(REPO / "designs" / source, folder)
        toml_path = folder / "design.toml"
        text = toml_path.read_text("utf-8").replace(f'name = "{source}"', 'name = "mine"')
        if toml is not None:
            assert toml[0] in text
            text = text.replace(*toml)
        toml_path.write_text(text, "utf-8")
        for name, content in files:
            (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
        if slogan is not None:
            poster = folder / "poster.html"
            html = poster.read_text("utf-8")
            assert SLOGAN in html
            poster.write_text(html.replace(SLOGAN, slogan), "utf-8")
    return setup


def fonts(edit: Callable[[Path], None]) -> Setup:
    """A workspace fonts/ (as `assets init` makes it), then changed."""
    def setup(ws: Path) -> None:
        make_workspace(ws)
        shutil.copytree(REPO / "fonts", ws / "fonts")
        edit(ws / "fonts")
    return setup


def garbage_font(folder: Path) -> None:
    (folder / "anton" / "Anton-Regular.ttf").write_bytes(b"this is not a font\n" * 50)


def missing_font(folder: Path) -> None:
    (folder / "anton" / "Anton-Regular.ttf").unlink()


def font_weight_word(folder: Path) -> None:
    path = folder / "fonts.toml"
    text = path.read_text("utf-8")
    old = 'files = [{ path = "anton/Anton-Regular.ttf", weight = 400 }]'
    assert old in text
    path.write_text(text.replace(old, 'files = [{ path = "anton/Anton-Regular.ttf", weight = "heavy" }]'), "utf-8")


GARBAGE_PNG = b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 20
EVIL_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
            '<image href="file:///etc/passwd" width="10" height="10"/></svg>')
LONG_URL = "https://example.org/" + "campaign/" * 30
SLOGAN = '<p class="slogan">{{ lines.slogan | keep_words }}</p>'  # as placard's poster.html has it
SECRET_CSS = f'<div style="background: url(../../secret.png)">{SLOGAN}</div>'
FOREVER = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
FLOOD = "{% for a in range(100000) %}{% for b in range(1000) %}{{ lines.headline }}{% endfor %}{% endfor %}"
LONG_HEADLINE = ("Solidarity with every people resisting US imperialism " * 100)[:5000]


CASES = [
    # --- statement files ----------------------------------------------------------------------------------------
    Case("malformed_toml_names_file_line_and_column",
         en_toml('headline = "ok"\ndates = "May\ncall_to_action = "x"\n'), A4,
         [f"{EN}: line 2, column 13: invalid TOML: Illegal character '\\n'"]),
    Case("malformed_statement_toml_names_file_line_and_column",
         meta('id = "week-of-struggle-2020"', 'id = "week-of-struggle-2020'), A4,
         [f"{META}: line 3, column 28: invalid TOML: Illegal character '\\n'"]),
    Case("toml_saved_with_a_byte_order_mark_works", with_bom, A4, printed=["AGAINST US IMPERIALISM"]),
    Case("missing_required_key_is_named",
         lines(call_to_action=None), A4,
         [f"{EN}: missing required key 'call_to_action' (add a line like call_to_action = \"…\")"]),
    Case("empty_required_key_is_named_with_its_line",
         lines(headline="   "), A4, [f"{EN}:2: headline is empty"]),
    Case("key_line_that_is_not_text_says_so",
         en_toml('headline = 7\ndates = "May 25–31, 2020"\ncall_to_action = "Protest"\n'), A4,
         [f"{EN}:1: headline must be text, not a number (put it in quotes: headline = \"…\")"]),
    Case("unknown_key_lists_the_valid_keys",
         lines(colour="red"), A4,
         [f"{EN}:6: unknown key 'colour' (valid: alt_text, body, call_to_action, caption, dates, hashtags, "
          "headline, kicker, organisation, reviewed, slogan)"]),
    Case("every_problem_of_a_file_at_once",
         lines(headline="", call_to_action=None), A4,
         [f"{EN}: missing required key 'call_to_action' (add a line like call_to_action = \"…\")",
          f"{EN}:2: headline is empty"]),
    Case("statement_value_of_the_wrong_type_says_so",
         meta('organisation = "International League of Peoples’ Struggle"', "organisation = 7"), A4,
         [f"{META}:5: organisation must be text, not a number (put it in quotes: organisation = \"…\")"]),

    # --- choices ------------------------------------------------------------------------------------------------
    Case("unknown_language_lists_the_languages", lines(), ["poster", "--lang", "xx"],
         [f"statement week-of-struggle-2020: unknown language 'xx' {LANGS}"]),
    Case("unknown_design_lists_the_designs", lines(), ["poster", "--design", "nope"],
         ["unknown design 'nope' (valid: broadsheet, placard, rally)"]),
    Case("unknown_size_lists_the_sizes", lines(), ["poster", "--size", "b5"],
         ["unknown poster size 'b5' (valid: a2, a3, a4, letter, tabloid)"]),
    Case("unknown_statement_lists_the_statements", lines(), ["poster", "--statement", "nope"],
         ["unknown statement 'nope' (valid: week-of-struggle-2020)"]),
    Case("statement_path_climbing_out_is_just_unknown", lines(), ["poster", "--statement", "../../../etc"],
         ["unknown statement '../../../etc' (valid: week-of-struggle-2020)"]),
    Case("statement_id_with_dots_and_slashes_is_refused",
         meta('id = "week-of-struggle-2020"', 'id = "../../evil"'), A4,
         [f"{META}:3: id '../../evil' is not a safe name (use lowercase letters, digits and hyphens)"]),
    Case("unknown_chapter_lists_the_chapters", chapters("madrid,Madrid,en,,,"), [*PACK, "--chapter", "nope"],
         ["unknown chapter 'nope' (valid: madrid)"]),

    # --- what the text holds ------------------------------------------------------------------------------------
    Case("five_thousand_character_headline_does_not_fit",
         lines(headline=LONG_HEADLINE), A4,
         [f"{EN}:2: 'headline' does not fit at a4 in en even at its smallest size in the placard design "
          "(shorten the text or pass --allow-overflow)"]),
    Case("control_character_in_a_key_line_is_refused",
         lines(headline="Against\x07 US imperialism"), A4,
         [f"{EN}:2: headline contains a control character (U+0007) after 'Against' "
          "(delete it; it would print as nothing or as a box)"]),
    Case("nul_character_in_a_key_line_is_refused",
         lines(kicker="\x00Week of struggle"), A4,
         [f"{EN}:1: kicker contains a control character (U+0000) at the start "
          "(delete it; it would print as nothing or as a box)"]),
    Case("zero_width_joiners_and_spaces_in_key_lines_render",
         lines(headline="Against\u200b US\u200c imperialism\u200d", slogan="Fight\u2060back!"), A4,
         printed=["AGAINST US IMPERIALISM"]),
    Case("emoji_no_font_can_draw_are_refused_by_name",
         lines(headline="Against US imperialism ✊🔥"), A4,
         [f"{EN}:2: headline: no font in {{repo}}/fonts can draw '✊' (U+270A RAISED FIST), "
          "'🔥' (U+1F525 FIRE) (remove them, or add a font that has them to {repo}/fonts/fonts.toml)"]),
    Case("emoji_in_the_caption_which_is_posted_not_printed_render",
         lines(caption="Join us ✊🔥 #ILPS"), A4, printed=["AGAINST US IMPERIALISM"]),
    Case("mixed_right_to_left_and_left_to_right_text_renders",
         lines(headline="Against US imperialism", slogan="Fight back! ضد الإمبريالية"), A4,
         printed=["AGAINST US IMPERIALISM", "Fight back!", "الإمبريالية"]),
    Case("html_and_jinja_in_key_lines_print_literally",
         lines(headline="<b>{{ 7*7 }}</b>", kicker="{% if true %}x{% endif %} & <i>"), A4,
         printed=["<B>{{7*7}}</B>", "{%IFTRUE%}X{%ENDIF%}&<I>"]),

    # --- the QR code's address ----------------------------------------------------------------------------------
    Case("javascript_url_is_refused", url("javascript:alert(1)"), A4,
         [f"{META}:6: url 'javascript:alert(1)' {HTTP}"]),
    Case("file_url_is_refused", url("file:///etc/passwd"), A4, [f"{META}:6: url 'file:///etc/passwd' {HTTP}"]),
    Case("data_url_is_refused", url("data:text/html,<script>alert(1)</script>"), A4,
         [f"{META}:6: url 'data:text/html,<script>alert(1)</script>' {HTTP}"]),
    Case("url_too_long_to_scan_is_refused", url(LONG_URL), A4,
         [f"{META}:6: QR url is 360 characters, too long to scan reliably {LONG_URL_HINT}"]),
    Case("url_with_a_space_is_refused", url("https://ilps .info/"), A4,
         [f"{META}:6: url 'https://ilps .info/' contains a space (U+0020 SPACE)"]),
    Case("url_with_a_broken_address_is_refused", url("https://[ilps.info/"), A4,
         [f"{META}:6: url 'https://[ilps.info/' is not a valid address (Invalid IPv6 URL)"]),

    # --- chapters -----------------------------------------------------------------------------------------------
    Case("chapter_javascript_url_is_refused_with_its_row",
         chapters("madrid,Madrid,en,,,https://example.org/madrid", "manila,Manila,en,,,javascript:alert(1)"), PACK,
         [f"chapters.csv: row 3: url 'javascript:alert(1)' {HTTP}"]),
    Case("chapter_file_url_is_refused_with_its_row", chapters("madrid,Madrid,en,,,file:///etc/passwd"), PACK,
         [f"chapters.csv: row 2: url 'file:///etc/passwd' {HTTP}"]),
    Case("chapter_data_url_is_refused_with_its_row",
         chapters('madrid,Madrid,en,,,"data:text/html;base64,PHNjcmlwdD4="'), PACK,
         [f"chapters.csv: row 2: url 'data:text/html;base64,PHNjcmlwdD4=' {HTTP}"]),
    Case("chapter_url_too_long_to_scan_is_refused_with_its_row", chapters(f"madrid,Madrid,en,,,{LONG_URL}"), PACK,
         [f"chapters.csv: row 2: QR url is 290 characters, too long to scan reliably {LONG_URL_HINT}"]),
    Case("chapter_ids_with_dots_and_slashes_are_refused",
         chapters("../../etc,Madrid,en,,,", "..\\win,Manila,en,,,"), PACK,
         [f"chapters.csv: row 2: id '../../etc' looks like a path {SAFE_ID_HINT}",
          f"chapters.csv: row 3: id '..\\\\win' looks like a path {SAFE_ID_HINT}"]),
    Case("chapter_row_with_an_unquoted_comma_is_refused",
         chapters("madrid,Madrid,en,Madrid,Rally: Thursday, 7 pm,"), PACK,
         [f"chapters.csv: row 2: 7 cells for 6 columns {QUOTE_HINT}"]),
    Case("chapter_cell_with_an_unclosed_quote_is_refused",
         chapters("madrid,Madrid,en,,,", 'manila,"Manila,en,,,'), PACK,
         [f"chapters.csv: row 3: a double quote opens a cell that never closes {QUOTE_HINT}"]),
    Case("chapter_control_character_is_refused_with_its_row", chapters("madrid,Mad\x1brid,en,,,"), PACK,
         ["chapters.csv: row 2: name contains a control character (U+001B) after 'Mad' "
          "(delete it; it would print as nothing or as a box)"]),
    Case("chapter_name_far_too_long_is_refused", chapters("madrid," + "Madrid " * 50 + ",en,,,"), PACK,
         ["chapters.csv: row 2: name is 349 characters long (at most 100 fit on a poster; shorten it)"]),
    Case("chapter_unknown_language_is_refused_with_its_row", chapters("madrid,Madrid,xx,,,"), PACK,
         [f"chapters.csv: row 2: unknown language 'xx' {LANGS}"]),
    Case("chapter_column_twice_is_refused",
         chapters("madrid,Madrid,Other,en", header="id,name,name,lang\n"), PACK,
         ["chapters.csv: column 'name' appears 2 times "
          "(the first row names the columns: id, name, lang, city, event, url (url optional))"]),
    Case("chapter_csv_not_in_utf8_is_refused", chapters("madrid,Café Madrid,en,,,", encoding="latin-1"), PACK,
         ["chapters.csv: not UTF-8 text (byte 38) (save the spreadsheet as CSV UTF-8)"]),
    Case("chapter_event_with_emoji_no_font_can_draw_is_refused_with_its_row",
         chapters("madrid,Madrid,en,,Rally at 7 ⏰,"), PACK,
         ["chapters.csv: row 2: event: no font in {repo}/fonts can draw '⏰' (U+23F0 ALARM CLOCK) "
          "(remove them, or add a font that has them to {repo}/fonts/fonts.toml)"]),
    Case("html_jinja_and_dots_in_chapter_fields_print_literally",
         chapters('madrid,<b>{{ 7*7 }}</b> ../../etc,en,"{% raw %}",Rally <i>here</i> {{ x }},'), PACK,
         printed=["<b>{{ 7*7 }}</b> ../../etc", "{% raw %}", "Rally <i>here</i> {{ x }}"]),

    # --- designs ------------------------------------------------------------------------------------------------
    Case("template_reading_etc_passwd_is_refused", design(slogan='<img src="file:///etc/passwd">'), MY_A4,
         [f"{MINE}/poster.html: refused to load file:///etc/passwd {REFUSED}"]),
    Case("template_including_etc_passwd_is_refused", design(slogan='{% include "/etc/passwd" %}'), MY_A4,
         [f"{MINE}/poster.html:17: cannot include a template: '/etc/passwd' leads out of the design's folder "
          "(templates may include files from their own folder only)"]),
    Case("template_including_by_dots_is_refused", design(slogan='{% include "../../en.toml" %}'), MY_A4,
         [f"{MINE}/poster.html:17: cannot include a template: '../../en.toml' leads out of the design's folder "
          "(templates may include files from their own folder only)"]),
    Case("css_url_climbing_out_of_the_design_is_refused", design(slogan=SECRET_CSS), MY_A4,
         [f"{MINE}/poster.html: refused to load file://{{ws}}/secret.png {REFUSED}"]),
    Case("template_reaching_the_network_is_refused", design(slogan='<img src="http://example.com/pixel.png">'),
         MY_A4, [f"{MINE}/poster.html: refused to load http://example.com/pixel.png {REFUSED}"]),
    Case("svg_picture_reaching_for_a_local_file_is_refused",
         design(("evil.svg", EVIL_SVG), slogan='<img src="evil.svg">'), MY_A4,
         [f"{MINE}/poster.html: refused to load file:///etc/passwd (asked for by evil.svg) {REFUSED}"]),
    Case("template_syntax_error_names_file_and_line", design(slogan="{% if lines.slogan %}<p>"), MY_A4,
         [f"{MINE}/poster.html:28: template syntax error: Unexpected end of template. Jinja was looking for the "
          "following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'."]),
    Case("template_error_at_run_time_names_file_and_line", design(slogan="{{ lines.nothing.here }}"), MY_A4,
         [f"{MINE}/poster.html:17: template uses an undefined value: 'dict object' has no attribute 'nothing' "
          "(test optional key lines with {% if lines.NAME %})"]),
    Case("template_that_loops_forever_is_stopped", design(slogan=FOREVER), MY_A4,
         [f"{MINE}/poster.html: the template ran for more than 10 s and was stopped "
          "(look for loops inside loops, or a macro that calls itself)"]),
    Case("template_that_writes_gigabytes_is_stopped", design(slogan=FLOOD), MY_A4,
         [f"{MINE}/poster.html: the template wrote more than 4 MB of HTML and was stopped"]),
    Case("template_that_asks_for_gigabytes_of_memory_is_stopped", design(slogan='{{ "x" * 10**10 }}'), MY_A4,
         [f"{MINE}/poster.html: the template needed more than 512 MB and was stopped"]),
    Case("corrupt_png_in_an_image_slot_is_refused_by_its_line",
         design(("hero.png", GARBAGE_PNG), toml=('hero = "crowd.svg"', 'hero = "hero.png"'), source="rally"),
         MY_A4,
         [f"{MINE}/design.toml:14: images.hero: 'hero.png' is not a readable PNG picture: the file is cut short "
          "(replace the file, or point the slot at another picture)"]),
    Case("corrupt_png_in_an_img_tag_is_refused", design(("broken.png", GARBAGE_PNG), slogan='<img src="broken.png">'),
         MY_A4,
         [f"{MINE}/broken.png: not a readable PNG picture: the file is cut short "
          "(replace the file, or point the design at another picture)"]),
    Case("missing_picture_is_named", design(slogan='<img src="photo.jpg">'), MY_A4,
         [f"{MINE}/poster.html: cannot find {MINE}/photo.jpg "
          "(check the file name, or add the file to the design's folder)"]),

    # --- fonts --------------------------------------------------------------------------------------------------
    Case("font_map_pointing_at_a_missing_file_is_refused", fonts(missing_font), A4,
         [f"{FONTS_TOML}:14: family 'Anton': font file 'anton/Anton-Regular.ttf' not found "
          "(font files live in {ws}/fonts)"]),
    Case("corrupt_font_file_is_refused", fonts(garbage_font), A4,
         [f"{FONTS_TOML}:14: family 'Anton': 'anton/Anton-Regular.ttf' is not a TrueType or OpenType font "
          "(bad sfntVersion) (replace it with the .ttf or .otf file from the font's source)"]),
    Case("font_map_value_of_the_wrong_type_is_refused", fonts(font_weight_word), A4,
         [f"{FONTS_TOML}:14: family 'Anton': weight 'heavy' of 'anton/Anton-Regular.ttf' is not a number "
          "from 1 to 1000 (400 is regular, 700 bold)"]),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    case.setup(ws)
    started = time.monotonic()
    result = run_cli(*case.args, "--out", "out", cwd=ws)
    elapsed = time.monotonic() - started
    assert "Traceback" not in result.stderr, result.stderr
    written = sorted(p for p in (ws / "out").rglob("*") if p.is_file()) if (ws / "out").exists() else []
    if case.works:
        assert result.returncode == 0, result.stderr
        assert all(line.startswith("wrote ") for line in result.stderr.splitlines()), result.stderr
        pdf = next(p for p in written if p.suffix == ".pdf" and "-a4-" in p.name and "print" not in p.parts)
        text = pdf_text(pdf)
        for expected in case.printed:
            # Line breaks fall anywhere in a fitted line: compare without spaces too.
            assert expected in text or expected.replace(" ", "") in text.replace(" ", ""), (expected, text)
        return
    expected = [f"error: {line.replace('{ws}', str(ws)).replace('{repo}', str(REPO))}" for line in case.errors]
    assert result.stderr.splitlines() == expected, result.stderr
    assert result.returncode == 2
    assert written == [], written  # not a PDF, not a PNG, not a temporary file
    # Stopped, not hanging: even the endless template and the 5,000-character headline end in seconds.
    assert elapsed < 60, elapsed


def test_the_matrix_has_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)
