"""Properties over arbitrary input: text, keys, spreadsheets, names and links never crash the loaders.

Whatever a user types, the library either accepts it (and what it accepts
is safe: slugs are one harmless path component, URLs round-trip) or refuses
it with an AssetsError whose every problem is one line. No rendering here.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import string
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from assets_cli.chapters import MAX_ID, load_chapters, slugify
from assets_cli.designs import SAFE_NAME, load_design
from assets_cli.errors import AssetsError, InvalidInput
from assets_cli.fonts import load_font_map
from assets_cli.qr import make_qr, tracked_url, url_problem
from assets_cli.scripts import WORD_JOINER, keep_words, main_script, script_of
from assets_cli.statements import (LANG_CODE, SAFE_ID, TEXT_LINES, check_url, direction_of, load_key_lines,
                                   load_statement)
from assets_cli.tomlfile import read_toml
from conftest import DEFAULT_STATEMENT, REPO

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
FEWER = settings(SETTINGS, max_examples=100)  # each example writes a folder of files

_TMP = Path(tempfile.mkdtemp(prefix="assets-properties-"))


@pytest.fixture(scope="module", autouse=True)
def _clean_tmp():
    yield
    shutil.rmtree(_TMP, ignore_errors=True)


def fresh_folder() -> Path:
    """A new empty folder per example (pytest's tmp_path is one per test, not per example)."""
    return Path(tempfile.mkdtemp(dir=_TMP))


def problems_of(error: AssetsError) -> list[AssetsError]:
    return error.problems if isinstance(error, InvalidInput) else [error]


def assert_one_line_each(error: AssetsError) -> None:
    """What the CLI prints: one line per problem, never empty."""
    for problem in problems_of(error):
        text = str(problem)
        assert text and "\n" not in text and "\r" not in text, repr(text)


# --- TOML values -------------------------------------------------------------------------------------------------

def toml_string(value: str) -> str:
    # JSON's string escapes are TOML's (\uXXXX for control characters); other characters go in as they are.
    return json.dumps(value, ensure_ascii=False)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(table: dict) -> str:
    return "".join(f"{toml_string(key)} = {toml_value(value)}\n" for key, value in table.items())


scalars = st.one_of(st.text(), st.integers(-10**6, 10**6), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=5), inner, max_size=3)),
                      max_leaves=6)
known_keys = st.sampled_from([*TEXT_LINES, "hashtags", "reviewed"])
any_key = st.one_of(known_keys, st.text(min_size=1, max_size=12))
key_lines = st.dictionaries(any_key, st.one_of(st.text(), values), max_size=8)


@SETTINGS
@given(st.binary(max_size=300))
@example(b"\xef\xbb\xbfheadline = 'x'\n")  # a byte order mark, as Notepad saves it
@example(b"a = " + b"[" * 3000 + b"]" * 3000)  # nested deeper than the parser recurses
def test_reading_any_bytes_as_toml_raises_only_assets_errors(data):
    path = fresh_folder() / "en.toml"
    path.write_bytes(data)
    try:
        assert isinstance(read_toml(path), dict)
    except AssetsError as error:
        assert_one_line_each(error)


@SETTINGS
@given(key_lines)
@example({"headline": "Against\x07 imperialism", "dates": "May", "call_to_action": "Go"})
@example({"headline": " ", "dates": 7, "call_to_action": ["x"], "reviewed": "yes", "hashtags": [""]})
def test_a_language_file_with_any_keys_and_values_loads_or_says_why(table):
    path = fresh_folder() / "en.toml"
    path.write_text(toml_document(table), "utf-8")
    try:
        lines = load_key_lines(path)
    except AssetsError as error:
        assert_one_line_each(error)
        return
    for key in TEXT_LINES:
        value = getattr(lines, key)
        if value is not None:
            # Kept text is trimmed, non-empty and free of control characters other than tabs and line breaks.
            assert value == value.strip() and value
            assert all(unicodedata.category(c) != "Cc" or c in "\t\n\r" for c in value)
    for key in ("headline", "dates", "call_to_action"):
        assert getattr(lines, key) == table[key].strip()
    assert set(lines.as_context()) == {*TEXT_LINES, "hashtags"}


statement_tables = st.fixed_dictionaries(
    {},
    optional={"id": st.one_of(st.text(max_size=20), st.from_regex(SAFE_ID, fullmatch=True), values),
              "organisation": st.one_of(st.text(), values),
              "title": st.one_of(st.text(), values),
              "url": st.one_of(st.text(), st.just("https://ilps.info/"), values),
              "default_lang": st.one_of(st.just("en"), st.text(max_size=5), values),
              "hashtags": st.one_of(st.lists(st.text(max_size=10), max_size=3), values),
              "version": values,
              "extra": values})


@FEWER
@given(statement_tables, st.booleans())
def test_a_statement_with_any_metadata_loads_or_says_why(table, dates_as_text):
    folder = fresh_folder()
    dates = 'start = "May 25"\nend = "May 31"\n' if dates_as_text else "start = 2020-05-25\nend = 2020-05-31\n"
    (folder / "statement.toml").write_text(toml_document(table) + dates, "utf-8")
    shutil.copy(DEFAULT_STATEMENT / "en.toml", folder)
    try:
        statement = load_statement(folder)
    except AssetsError as error:
        assert_one_line_each(error)
        return
    assert SAFE_ID.match(statement.id)
    assert check_url(statement.url, "statement.toml") is None
    assert isinstance(statement.organisation, str) and statement.organisation
    assert statement.title is None or isinstance(statement.title, str)
    assert isinstance(statement.version, str) and statement.version


# --- chapters ----------------------------------------------------------------------------------------------------

HEADER = ["id", "name", "lang", "city", "event", "url"]
cells = st.text(max_size=30)
safe_ids = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)
rows = st.lists(st.tuples(st.one_of(safe_ids, cells), cells, st.sampled_from(["en", "es", "xx", ""]), cells, cells,
                          st.one_of(st.just(""), st.just("https://example.org/x"), cells)),
                min_size=0, max_size=5)


def write_csv(rows: list, delimiter: str, bom: bool) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = fresh_folder() / "chapters.csv"
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), "utf-8")
    return path


@pytest.fixture(scope="module")
def statement():
    from assets_cli.statements import find_statement
    from assets_cli.workspace import Workspace
    return find_statement(None, Workspace(REPO))


@SETTINGS
@given(rows, st.sampled_from([",", ";"]), st.booleans())
def test_a_spreadsheet_with_any_cells_loads_or_names_its_rows(statement, rows, delimiter, bom):
    path = write_csv(rows, delimiter, bom)
    try:
        chapters = load_chapters(path, statement)
    except AssetsError as error:
        assert_one_line_each(error)
        for problem in problems_of(error):
            assert str(problem).startswith(str(path))
        return
    # Every row a spreadsheet wrote (quotes, separators, line breaks and all) comes back as written, trimmed.
    wanted = [row for row in rows if any(cell.strip() for cell in row)]
    assert len(chapters) == len(wanted)
    for chapter, row in zip(chapters, wanted):
        fields = (chapter.id, chapter.name, chapter.lang, chapter.city, chapter.event)
        assert fields == tuple(cell.strip() for cell in row[:5])
        assert chapter.url == (row[5].strip() or None)
        assert chapter.row == rows.index(row) + 2
        assert chapter.slug == slugify(chapter.id)


@SETTINGS
@given(st.text(max_size=400))
@example("\ufeffid;name;lang\nx;Y;en\n")
@example('id,name,lang\n"open,en\n')
@example("id,id,name,lang\na,b,c,en\n")
def test_any_text_as_a_spreadsheet_raises_only_assets_errors(statement, text):
    path = fresh_folder() / "chapters.csv"
    path.write_text(text, "utf-8")
    try:
        for chapter in load_chapters(path, statement):
            assert chapter.lang in statement.languages
            assert chapter.url is None or url_problem(chapter.url) is None
    except AssetsError as error:
        assert_one_line_each(error)


# --- safe names --------------------------------------------------------------------------------------------------

def assert_safe_component(name: str, max_length: int = MAX_ID) -> None:
    """One harmless path component: no separators, no dots to climb, no NUL, ASCII, bounded."""
    assert name and name not in (".", "..")
    assert "/" not in name and "\\" not in name and ".." not in name and "\x00" not in name
    assert name.isascii() and name.isprintable()
    assert len(name) <= max_length
    assert Path(name).name == name and len(Path(name).parts) == 1


@SETTINGS
@given(st.text())
@example("../../etc/passwd")
@example("마닐라")
@example("-..-")
@example("São Paulo ½ ﬁ")
def test_slugify_always_gives_one_safe_ascii_component(text):
    slug = slugify(text)
    assert_safe_component(slug)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert slugify(slug) == slug


@SETTINGS
@given(st.one_of(st.from_regex(SAFE_ID, fullmatch=True), st.from_regex(SAFE_NAME, fullmatch=True)))
def test_statement_ids_and_design_names_the_validators_accept_are_safe_path_components(name):
    assert_safe_component(name)


@SETTINGS
@given(st.from_regex(LANG_CODE, fullmatch=True))
def test_language_codes_the_validator_accepts_are_safe_path_components(code):
    # A language's files go to OUT/<statement>/<lang>/; its length is its file name's.
    assert_safe_component(code, max_length=len(code))


@SETTINGS
@given(st.text())
def test_language_codes_never_crash_direction(lang):
    assert direction_of(lang) in ("ltr", "rtl")


# --- links and QR codes ------------------------------------------------------------------------------------------

url_chars = st.characters(blacklist_categories=("Cs",))
hosts = st.one_of(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True),
                  st.text(url_chars, max_size=12))
url_like = st.builds(
    lambda scheme, host, port, path, query, fragment: f"{scheme}://{host}{port}{path}{query}{fragment}",
    st.sampled_from(["http", "https", "HTTPS", "javascript", "file", "data", "ftp", ""]),
    hosts,
    st.sampled_from(["", ":8080", ":0", ":abc", ":99999"]),
    st.one_of(st.just(""), st.text(url_chars, max_size=20).map(lambda p: "/" + p)),
    st.one_of(st.just(""), st.text(url_chars, max_size=20).map(lambda q: "?" + q),
              st.just("?utm_source=old&a=%zz&b&c=1;d=2")),
    st.one_of(st.just(""), st.text(url_chars, max_size=10).map(lambda f: "#" + f)))
any_url = st.one_of(url_like, st.text(url_chars, max_size=60))


@SETTINGS
@given(any_url)
@example("http://[")
@example("https://ilps .info/")
@example("https://ilps.info/?x=%zz&y&a=1;b=2#frag")
@example("https://u:p@ilps.info/")
@example("https://example.org/" + "x" * 5000)
def test_any_text_as_a_link_is_accepted_whole_or_refused_in_one_line(url):
    problem = url_problem(url)
    error = check_url(url, "statement.toml")
    assert (problem is None) == (error is None)
    if error is not None:
        assert_one_line_each(error)
        with pytest.raises(AssetsError):
            make_qr(url)
        return
    # An accepted link is an http(s) address with a host, and the QR code holds it exactly.
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.hostname
    try:
        assert make_qr(url).url == url
    except AssetsError as error:
        assert "too long to scan" in str(error)
        assert_one_line_each(error)


visible = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zs", "Zl", "Zp"))
good_urls = st.builds(
    lambda scheme, host, port, path, query, fragment: f"{scheme}://{host}{port}{path}{query}{fragment}",
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True),
    st.sampled_from(["", ":8080"]),
    st.one_of(st.just(""), st.text(visible, max_size=20).map(lambda p: "/" + p)),
    st.one_of(st.just(""), st.text(visible, max_size=30).map(lambda q: "?" + q),
              st.just("?utm_source=old&a=%zz&b&c=1;d=2")),
    st.one_of(st.just(""), st.text(visible, max_size=10).map(lambda f: "#" + f)))


@SETTINGS
@given(good_urls, st.sampled_from(["poster", "leaflet", "x"]), st.sampled_from(["print", "social"]),
       st.one_of(st.none(), st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True)))
@example("https://ilps.info/?x=%zz&y&a=1;b=2&utm_medium=old#frag", "poster", "print", "madrid")
def test_tracking_tags_keep_the_link_and_its_own_parameters(url, source, medium, content):
    assume(url_problem(url) is None)
    assert tracked_url(url, source=source, medium=medium, campaign="c", content=content, utm=False) == url
    tracked = tracked_url(url, source=source, medium=medium, campaign="c", content=content)
    assert url_problem(tracked) is None
    before, after = urlsplit(url), urlsplit(tracked)
    assert (after.scheme, after.netloc, after.fragment) == (before.scheme, before.netloc, before.fragment)
    assert after.path == (before.path or "/")
    own = [item for item in before.query.split("&") if item and not item.startswith("utm_")]
    tags = [f"utm_source={source}", f"utm_medium={medium}", "utm_campaign=c"] + (
        [f"utm_content={content}"] if content else [])
    assert after.query.split("&") == own + tags
    # Tagging again replaces the tags rather than piling them up.
    assert tracked_url(tracked, source=source, medium=medium, campaign="c", content=content) == tracked


# --- scripts and glyphs ------------------------------------------------------------------------------------------

@SETTINGS
@given(st.text())
@example("5월 25일 서울")
def test_script_detection_and_word_keeping_never_crash(text):
    assert all(script_of(c) is None or isinstance(script_of(c), str) for c in text)
    assert isinstance(main_script([text]), str)
    kept = keep_words(text)
    assert (kept or "").replace(WORD_JOINER, "") == text.replace(WORD_JOINER, "")


@SETTINGS
@given(st.text())
@example("Against US imperialism ✊🔥")
def test_undrawable_characters_are_exactly_those_needing_a_glyph_no_font_has(text):
    fonts = load_font_map(REPO / "fonts")
    missing = fonts.undrawable(text)
    assert len(missing) == len(set(missing)) and all(c in text for c in missing)
    assert not any(c in string.ascii_letters + string.digits for c in missing)


font_maps = st.fixed_dictionaries({}, optional={
    "families": st.one_of(values, st.dictionaries(st.text(max_size=8), st.one_of(values, st.fixed_dictionaries(
        {"licence": st.one_of(st.just("OFL.txt"), values)},
        optional={"files": st.one_of(values, st.lists(st.fixed_dictionaries(
            {"path": st.one_of(st.just("a.ttf"), st.text(max_size=10), values)},
            optional={"weight": values, "style": values}), max_size=2))})), max_size=2)),
    "roles": st.one_of(values, st.dictionaries(st.text(max_size=8), st.one_of(
        values, st.dictionaries(st.text(max_size=8), st.one_of(values, st.lists(st.text(max_size=8), max_size=2)),
                                max_size=2)), max_size=2)),
    "languages": values,
    "other": values})


@FEWER
@given(font_maps)
@example({"families": {"A": {"licence": "OFL.txt", "files": [{"path": "a.ttf", "weight": "bold"}]}}})
@example({"families": {"A": {"licence": "OFL.txt", "files": "a.ttf"}}, "roles": 3})
@example({"roles": {"\n": {"latin": ["Nope"]}}, "languages": {"\r": {"x\ny": ["A"]}}})
def test_a_font_map_with_any_values_loads_or_names_its_lines(table):
    folder = fresh_folder()
    (folder / "OFL.txt").write_text("licence")
    (folder / "a.ttf").write_bytes(b"not a font")
    (folder / "fonts.toml").write_text(toml_document(table), "utf-8")
    try:
        fonts = load_font_map(folder)
    except AssetsError as error:
        assert_one_line_each(error)
        return
    assert not fonts.families or all(files == () for files in fonts.families.values())  # a.ttf is no font


# --- messages ----------------------------------------------------------------------------------------------------

@SETTINGS
@given(st.text(), st.one_of(st.none(), st.text()), st.one_of(st.none(), st.text()))
@example("missing", "/tmp/a\nfolder", "add x\r\n.html")
def test_any_message_where_and_hint_print_as_one_line(message, where, hint):
    text = str(AssetsError(message, where=where, hint=hint))
    assert text.splitlines() == [text] or text == "", repr(text)
    # Nothing is dropped: escaping only adds characters.
    assert len(text) >= len(message)


# --- designs -----------------------------------------------------------------------------------------------------

design_tables = st.fixed_dictionaries(
    {"name": st.one_of(st.just("mine"), st.text(max_size=10), values),
     "title": st.one_of(st.just("Mine"), values)},
    optional={"kinds": st.one_of(st.lists(st.sampled_from(["poster", "social", "flyer"]), max_size=3), values),
              "templates": st.one_of(st.dictionaries(st.sampled_from(["poster", "social"]),
                                                     st.one_of(st.text(max_size=12), st.just("page.html")),
                                                     max_size=2), values),
              "images": st.one_of(st.dictionaries(st.text(max_size=6), st.text(max_size=12), max_size=2), values),
              "palette": st.one_of(st.dictionaries(st.text(max_size=6), st.one_of(st.text(max_size=10),
                                                                                  st.just("#d7141a")), max_size=2),
                                   values),
              "fonts": st.one_of(st.lists(st.text(max_size=8), max_size=2), values)})


@FEWER
@given(design_tables)
@example({"name": "mine", "title": "Mine", "kinds": ["poster"], "templates": {"poster": "\x00"}})
@example({"name": "mine", "title": "Mine", "kinds": ["poster"], "templates": {"poster": "page.html"},
          "images": {"hero": "../../../etc/passwd"}})
@example({"name": "mine", "title": "Mine", "palette": {"a\nb": "red", "ok": "not\na colour"}, "images": {"\r": "x"},
          "kinds": ["poster", "fly\ner"]})
@example({"name": "mine", "title": "Mine", "kinds": ["social"], "templates": {"social": "\n"}})  # found by CI
def test_a_design_toml_with_any_values_loads_or_names_its_lines(table):
    folder = fresh_folder() / "mine"
    shutil.copytree(REPO / "assets_cli" / "starter", folder)
    (folder / "design.toml").write_text(toml_document(table), "utf-8")
    try:
        design = load_design(folder)
    except AssetsError as error:
        assert_one_line_each(error)
        return
    assert SAFE_NAME.match(design.name)
    for name in design.templates.values():
        assert (folder / name).resolve().is_relative_to(folder.resolve())
