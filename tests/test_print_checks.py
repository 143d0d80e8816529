"""Print-shop checks: picture resolution, QR size, and what sits near the trim or in a safe inset."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from assets_cli.check import check, plan_checks
from assets_cli.cli import find_design, find_statement, load_font_map
from assets_cli.printcheck import print_problems, qr_widths_mm
from assets_cli.qr import make_qr
from assets_cli.sizes import registry
from assets_cli.workspace import Workspace

from conftest import REPO, make_workspace, run_cli

SIZES = {(s.kind, s.name): s for s in registry()}
A4, ROLLUP = SIZES["poster", "a4"], SIZES["banner", "rollup"]
LOW_DPI = re.compile(r"crowd\.png is (\d+) DPI at A4 \(placed (\d+) × (\d+) mm\); print needs 300: "
                     r"use a picture of at least (\d+) × (\d+) px")


def check_wide(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`assets check ARGS` on a terminal wide enough that no table cell wraps a message."""
    return subprocess.run([sys.executable, "-m", "assets_cli", "check", *args], cwd=cwd,
                          env={**os.environ, "COLUMNS": "600"}, capture_output=True, text=True, timeout=300)


def page(body: str, width_mm: float = 210, height_mm: float = 297):
    """A WeasyPrint document of one page: `body` in Anton (a shipped font), laid out at trim size."""
    html = (f"<style>@font-face {{ font-family: T; src: url(fonts/anton/Anton-Regular.ttf) }}"
            f"@page {{ size: {width_mm}mm {height_mm}mm; margin: 0 }} body {{ margin: 0; font: 40pt T }}"
            f"p {{ margin: 0; position: absolute }}</style>{body}")
    return HTML(string=html, base_url=f"{REPO}/").render(font_config=FontConfiguration())


def test_a_low_resolution_picture_fails_check_and_a_large_enough_one_passes(tmp_path):
    workspace = make_workspace(tmp_path)
    made = run_cli("designs", "new", "pic", "--from", "rally", cwd=workspace)
    assert made.returncode == 0, made.stderr
    folder = workspace / "designs" / "pic"
    toml = folder / "design.toml"
    toml.write_text(toml.read_text("utf-8").replace('hero = "crowd.svg"', 'hero = "crowd.png"'), "utf-8")
    Image.new("RGB", (200, 140), "#ff5a1f").save(folder / "crowd.png")

    result = check_wide("--design", "pic", "--kind", "poster", "--size", "a4", "--lang", "en", cwd=workspace)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAIL" in result.stdout and "0 of 1 assets pass" in result.stdout
    found = LOW_DPI.search(result.stdout)
    assert found, result.stdout
    dpi, placed_w, placed_h, need_w, need_h = map(int, found.groups())
    # The picture covers most of an A4 page's width: a couple of dozen DPI, and
    # the advice is the placed size at 300 DPI (sizes shown rounded to the mm).
    assert 100 < placed_w < 210 and dpi == pytest.approx(200 / (placed_w / 25.4), abs=1)
    assert need_w == pytest.approx(placed_w / 25.4 * 300, abs=6) and need_h == pytest.approx(placed_h / 25.4 * 300, abs=6)

    # The picture the message asks for passes.
    Image.new("RGB", (need_w, need_h), "#ff5a1f").save(folder / "crowd.png")
    result = check_wide("--design", "pic", "--kind", "poster", "--size", "a4", "--lang", "en", cwd=workspace)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DPI" not in result.stdout and "1 of 1 assets pass" in result.stdout


def test_an_img_is_judged_at_its_drawn_size_and_vector_pictures_are_not(tmp_path):
    Image.new("RGB", (100, 100), "navy").save(tmp_path / "dot.png")
    (tmp_path / "dot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                      '<rect width="10" height="10"/></svg>', "utf-8")
    html = (f'<img src="{(tmp_path / "dot.png").as_uri()}" style="position: absolute; left: 40mm; top: 40mm; '
            f'width: 50mm; height: 50mm">'
            f'<img src="{(tmp_path / "dot.svg").as_uri()}" style="position: absolute; left: 40mm; top: 150mm; '
            f'width: 100mm">')
    problems = print_problems(page(html), A4)
    expected_dpi = math.floor(100 / (50 / 25.4))
    assert problems == [f"dot.png is {expected_dpi} DPI at A4 (placed 50 × 50 mm); print needs 300: "
                        f"use a picture of at least 591 × 591 px"]


def test_text_near_the_trim_is_named_with_its_edge_and_distance():
    problems = print_problems(page(
        '<p style="left: 1mm; top: 100mm">Near the edge</p>'
        # A tall line box touches the top edge, but its letters sit well inside.
        '<p style="left: 30mm; top: 0; line-height: 4">Leading only</p>'), A4)
    assert len(problems) == 1, problems
    found = re.fullmatch(r"'Near the edge' is (\d+\.\d) mm from the left edge; keep 3 mm clear of the trim",
                         problems[0])
    assert found, problems
    assert 1.0 <= float(found.group(1)) < 2.0  # 1 mm plus the N's side bearing


def test_text_in_a_safe_inset_is_named_with_the_inset():
    problems = print_problems(page('<p style="left: 100mm; bottom: 50mm">Behind the stand</p>', 850, 2000), ROLLUP)
    assert len(problems) == 1 and problems[0].startswith("'Behind the stand' is 5"), problems
    assert problems[0].endswith("mm from the bottom edge, inside the bottom 100 mm that Roll-up keeps clear")


def test_a_small_qr_code_and_one_at_the_trim_are_reported():
    svg = make_qr("https://example.org/a").svg
    document = page(f'<div style="position: absolute; left: 50mm; top: 50mm; width: 15mm">{svg}</div>'
                    f'<div style="position: absolute; right: 1mm; top: 150mm; width: 25mm">{svg}</div>')
    assert [round(w, 1) for w in qr_widths_mm(document)] == [15.0, 25.0]
    assert print_problems(document, A4) == [
        "the QR code is 15.0 mm wide at A4; printed codes need 20 mm",
        "'the QR code' is 1.0 mm from the right edge; keep 3 mm clear of the trim",
    ]


def test_the_placard_poster_and_leaflet_have_no_print_problems():
    workspace = Workspace(REPO)
    statement = find_statement(None, workspace)
    design = find_design("placard", workspace)
    jobs = (plan_checks(statement, ["en"], [design], ["poster"], ["a3"])
            + plan_checks(statement, ["ar"], [design], ["leaflet"], ["leaflet-a5"]))
    reports = list(check(jobs, load_font_map(workspace.fonts_dir)))
    assert [(r.job.size.name, r.job.lines.lang) for r in reports] == [("a3", "en"), ("leaflet-a5", "ar")]
    for report in reports:
        assert report.print_problems == [] and report.ok, (report.job.size.name, report.print_problems, report.error)
