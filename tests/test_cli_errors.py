"""Each bad choice: one clear line naming it and the valid ones, exit 2, nothing written."""

from __future__ import annotations


import pytest

from conftest import make_workspace, run_cli


@pytest.mark.parametrize("args, expected", [
    (["--lang", "xx"], ["unknown language 'xx'", "valid: ar, en, es, fr, hi, id, ko, pt, tl, ur"]),
    (["--design", "nope"], ["unknown design 'nope'", "valid: broadsheet, placard, rally"]),
    (["--size", "b5"], ["unknown poster size 'b5'", "valid: a2, a3, a4, letter, tabloid"]),
    (["--statement", "nope"], ["unknown statement 'nope'", "valid: week-of-struggle-2020"]),
    (["--dpi", "5000"], ["--dpi 5000 is out of range", "10 to 600"]),
    (["--dpi", "600", "--size", "a2"], ["--dpi 600 would make a 9921×14031 px PNG of a2", "80 megapixels"]),
])
def test_bad_choice(tmp_path, args, expected):
    result = run_cli("poster", *args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_malformed_toml_names_file_and_line(tmp_path):
    workspace = make_workspace(tmp_path)
    lang_file = workspace / "statements" / "week-of-struggle-2020" / "en.toml"
    lang_file.write_text('headline = "ok"\ndates = "May\ncall_to_action = "x"\n')
    result = run_cli("poster", "--out", "out", cwd=workspace)
    assert result.returncode == 2
    assert f"{lang_file.resolve()}: line 2" in result.stderr or "en.toml: line 2" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workspace / "out").exists()


def test_every_problem_in_a_language_file_is_reported_at_once(tmp_path):
    workspace = make_workspace(tmp_path, headline="", call_to_action=None, colour="red")
    result = run_cli("poster", "--out", "out", cwd=workspace)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert any("headline is empty" in line for line in lines)
    assert any("missing required key 'call_to_action'" in line for line in lines)
    assert any("unknown key 'colour'" in line for line in lines)
    assert all(line.startswith("error: ") and "en.toml" in line for line in lines)


def test_statement_url_must_be_http(tmp_path):
    workspace = make_workspace(tmp_path)
    meta = workspace / "statements" / "week-of-struggle-2020" / "statement.toml"
    meta.write_text(meta.read_text().replace('url = "https://ilps.info/"', 'url = "javascript:alert(1)"'))
    result = run_cli("poster", "--out", "out", cwd=workspace)
    assert result.returncode == 2
    assert "must be an http:// or https:// address" in result.stderr


def test_sizes_lists_every_size_with_kind_and_png():
    result = run_cli("sizes")
    assert result.returncode == 0
    rows = [line.split("│") for line in result.stdout.splitlines() if "│" in line]
    cells = {(row[1].strip(), row[2].strip()): [c.strip() for c in row] for row in rows}
    assert cells[("a4", "poster")][4:7] == ["210×297 mm", "1240×1754", "150"]
    assert cells[("tabloid", "poster")][4:7] == ["11×17 in", "1650×2550", "150"]
    assert cells[("story", "social")][4:6] == ["1080×1920 px", "1080×1920"]
    assert cells[("street-banner", "banner")][4:7] == ["3000×1000 mm", "1890×630", "16"]
    assert cells[("leaflet-dl", "leaflet")][4] == "99×210 mm"


def test_unknown_sheet_lists_the_papers(tmp_path):
    result = run_cli("leaflet", "--sheet", "b4", "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "unknown sheet size 'b4' (valid: a4, letter)" in result.stderr
    assert not (tmp_path / "out").exists()
