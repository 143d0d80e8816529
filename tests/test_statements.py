"""The default statement and the statement loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from assets_cli.errors import AssetsError
from assets_cli.statements import direction_of, find_statement, load_statement
from assets_cli.workspace import Workspace
from conftest import DEFAULT_STATEMENT


def test_default_statement_has_every_key_line_in_english_and_spanish():
    statement = find_statement(None, Workspace(Path("/nonexistent")))
    assert statement.id == "week-of-struggle-2020"
    assert statement.url.startswith("https://")
    assert statement.start.isoformat() == "2020-05-25" and statement.end.isoformat() == "2020-05-31"
    for lang in ("en", "es"):
        lines = statement.lines(lang)
        for key in ("headline", "kicker", "dates", "slogan", "call_to_action", "organisation",
                    "body", "caption", "alt_text"):
            assert getattr(lines, key), f"{lang}: {key} missing"
        assert len(lines.alt_text) <= 125
    assert (DEFAULT_STATEMENT / "source.txt").is_file()


@pytest.mark.parametrize("lang, direction", [("en", "ltr"), ("es", "ltr"), ("ar", "rtl"), ("ur", "rtl"),
                                             ("fa-IR", "rtl"), ("pt-BR", "ltr"), ("he", "rtl")])
def test_direction_follows_language(lang, direction):
    assert direction_of(lang) == direction


def test_language_file_with_a_bad_name_is_refused(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "statement.toml").write_text((DEFAULT_STATEMENT / "statement.toml").read_text())
    (folder / "en.toml").write_text('headline = "a"\ndates = "b"\ncall_to_action = "c"\n')
    (folder / "Notes.toml").write_text('headline = "a"\ndates = "b"\ncall_to_action = "c"\n')
    with pytest.raises(AssetsError, match="'Notes' is not a language code"):
        load_statement(folder)
