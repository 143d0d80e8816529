"""The fit pass: long text shrinks to fit its box; text that cannot fit is an error."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, plan
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
