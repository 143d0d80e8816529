"""`assets designs list` and `assets designs check`: what a designer runs."""

from __future__ import annotations

import shutil

from conftest import REPO, run_cli


def test_designs_list_shows_name_title_kinds_author_licence():
    result = run_cli("designs", "list")
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "placard" in line)
    for text in ("Placard", "poster, social, banner, leaflet", "assets project", "CC0-1.0"):
        assert text in row


def test_template_syntax_errors_are_reported_with_file_and_line_before_anything_renders(tmp_path):
    design = tmp_path / "designs" / "broken"
    shutil.copytree(REPO / "designs" / "placard", design)
    toml = design / "design.toml"
    toml.write_text(toml.read_text().replace('name = "placard"', 'name = "broken"'))
    poster = design / "poster.html"
    lines = poster.read_text().splitlines()
    lines[5] = "{% if lines.kicker %}<p>unclosed"
    poster.write_text("\n".join(lines) + "\n")
    (design / "card.html").write_text("<p>{{ lines.headline }</p>\n")
    result = run_cli("designs", "check", "broken", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "card.html:1: template syntax error" in result.stderr
    assert "poster.html:" in result.stderr and "template syntax error" in result.stderr
    assert "checking" not in result.stdout
