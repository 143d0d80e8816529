"""The shipped designs: each passes its own check, serves chapters, and looks like no other."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from assets_cli.chapters import Chapter
from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, plan
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import REPO, pdf_fonts, pdf_text, run_cli

DESIGNS = sorted(p.name for p in (REPO / "designs").iterdir() if (p / "design.toml").is_file())
WORKSPACE = Workspace(REPO)
MADRID = Chapter(id="madrid-centro", name="Coordinadora Antiimperialista Madrid", lang="es", city="Madrid",
                 event="Concentración: jueves 28 de mayo, 19 h")


def test_three_designs_ship():
    assert {"placard", "rally", "broadsheet"} <= set(DESIGNS)


@pytest.mark.parametrize("design", DESIGNS)
def test_every_shipped_design_passes_its_own_check(design):
    result = run_cli("designs", "check", design)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    passed = re.search(r"(\d+) of (\d+) assets pass", result.stdout)
    assert passed and passed.group(1) == passed.group(2) and int(passed.group(1)) >= 32


def render(design_name: str, kind: str, size: str, out: Path, chapter: Chapter | None = None,
           lang: str = "es", workspace: Workspace = WORKSPACE) -> dict[str, Path]:
    statement = find_statement(None, workspace)
    design = find_design(design_name, workspace)
    jobs = plan(kind, statement, lang, design, resolve_sizes(kind, [size]), out, chapter=chapter)
    return {w.path.name: w.path for w in make(jobs, load_font_map(workspace.fonts_dir))}


@pytest.mark.parametrize("design", DESIGNS)
@pytest.mark.parametrize("kind, size", [("poster", "a4"), ("leaflet", "leaflet-a6"), ("social", "ig-square")])
def test_a_chapters_lines_appear_only_in_its_own_assets(design, kind, size, tmp_path):
    with_chapter = render(design, kind, size, tmp_path / "chapter", MADRID)
    general = render(design, kind, size, tmp_path / "general")
    chapter_pdf = next(p for name, p in with_chapter.items() if name.endswith(".pdf"))
    general_pdf = next(p for name, p in general.items() if name.endswith(".pdf"))
    chapter_text, general_text = pdf_text(chapter_pdf), pdf_text(general_pdf)
    assert "19 h" in chapter_text, chapter_text
    assert "19 h" not in general_text and "Madrid" not in general_text
    if kind != "social":
        assert "Coordinadora Antiimperialista Madrid" in chapter_text


def ig_square(design: str, out: Path) -> tuple[Path, Path]:
    files = render(design, "social", "ig-square", out, lang="en")
    return (next(p for n, p in files.items() if n.endswith(".pdf")), next(p for n, p in files.items() if n.endswith(".png")))


def test_the_designs_look_unlike_each_other(tmp_path):
    cards = {design: ig_square(design, tmp_path / design) for design in DESIGNS}
    fonts = {design: frozenset(name.split("+", 1)[-1] for name in pdf_fonts(pdf)) for design, (pdf, _) in cards.items()}
    for first, second in itertools.combinations(DESIGNS, 2):
        assert fonts[first] != fonts[second], (first, second, fonts[first])
        with Image.open(cards[first][1]) as a, Image.open(cards[second][1]) as b:
            difference = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean
        assert sum(difference) / 3 > 30, (first, second, difference)


def test_the_rally_picture_is_a_slot_a_designer_can_swap(tmp_path):
    folder = tmp_path / "designs" / "rally"
    shutil.copytree(REPO / "designs" / "rally", folder)
    design = find_design("rally", Workspace(tmp_path))
    assert design.images.get("hero"), "rally declares its picture in [images]"
    (folder / design.images["hero"]).unlink()
    (folder / "green.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" '
                                      'preserveAspectRatio="none"><rect width="10" height="10" fill="#00ff00"/></svg>')
    toml = folder / "design.toml"
    toml.write_text(re.sub(r'hero\s*=\s*"[^"]+"', 'hero = "green.svg"', toml.read_text()))
    files = render("rally", "social", "ig-square", tmp_path / "out", lang="en", workspace=Workspace(tmp_path))
    png = next(p for n, p in files.items() if n.endswith(".png"))
    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(image.width * image.height)
        green = sum(count for count, (r, g, b) in colours if g > 240 and r < 20 and b < 20)
        assert green > 0.05 * image.width * image.height, green
