"""Print assets laid out once in CMYK and recoloured for home give the files two layouts gave."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from weasyprint import HTML

from assets_cli import produce
from assets_cli.designs import find_design
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, plan
from assets_cli.recolour import screen_colours
from assets_cli.sizes import resolve_sizes, sizes_for
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import REPO


def _made(out: Path, design_name: str, kind: str, size: str) -> tuple[dict[str, bytes], int]:
    """Every file of one print asset (home files and print PDF) by name, and the layouts it took."""
    ws = Workspace(REPO)
    statement, design = find_statement(None, ws), find_design(design_name, ws)
    return _files(out, statement, design, kind, size, ws)


def _files(out: Path, statement, design, kind: str, size: str, ws: Workspace) -> tuple[dict[str, bytes], int]:
    jobs = plan(kind, statement, "ar", design, resolve_sizes(kind, [size]), out, for_print=True,
                sheets=[s for s in sizes_for("sheet") if s.name == "a4"] if kind == "leaflet" else ())
    layouts = [0]
    real = HTML.render

    def counted(self, *args, **kwargs):
        layouts[0] += 1
        return real(self, *args, **kwargs)

    HTML.render = counted
    try:
        written = list(make(jobs, load_font_map(ws.fonts_dir), force=True))
    finally:
        HTML.render = real
    return {w.path.relative_to(out).as_posix(): w.path.read_bytes() for w in written}, layouts[0]


# Placard is the design with a CMYK palette; each kind that has print sizes.
CASES = [("placard", "poster", "a3"), ("placard", "leaflet", "leaflet-a5"), ("placard", "banner", "rollup")]


@pytest.mark.parametrize("case", CASES, ids=["-".join(case) for case in CASES])
def test_a_print_asset_recoloured_for_home_is_the_one_laid_out_twice(case, tmp_path, monkeypatch):
    once, once_layouts = _made(tmp_path / "once", *case)
    monkeypatch.setattr(produce, "screen_colours", lambda design: None)
    twice, twice_layouts = _made(tmp_path / "twice", *case)
    assert sorted(once) == sorted(twice)
    assert any("print" in name for name in once) and any(name.endswith(".png") for name in once)
    for name in once:
        if name.endswith(".png"):
            images = [Image.open(tmp_path / folder / name).convert("RGB") for folder in ("once", "twice")]
            assert ImageChops.difference(*images).getbbox() is None, name
        else:
            assert once[name] == twice[name], name
    assert once_layouts == twice_layouts - 1


def test_a_palette_whose_cmyk_colour_stands_for_two_screen_colours_is_laid_out_again():
    design = find_design("placard", Workspace(REPO))
    assert screen_colours(design) is not None
    assert screen_colours(replace(design, palette_cmyk={**design.palette_cmyk, "band-ink": (0, 95, 90, 5)})) is None
    assert screen_colours(replace(design, palette={"field": "#d7141a"})) is None  # no screen twin for "ink"


def test_a_cmyk_colour_the_palette_does_not_have_is_laid_out_again(tmp_path, monkeypatch):
    """A design may write a CMYK colour of its own: the home PDF then has it too, as a new layout gives."""
    folder = tmp_path / "designs" / "placard"
    shutil.copytree(REPO / "designs" / "placard", folder)
    with (folder / "placard.css").open("a", encoding="utf-8") as css:
        css.write("\n.masthead { color: device-cmyk(0% 0% 0% 60%); }\n")
    ws = Workspace(REPO)
    statement, design = find_statement(None, ws), find_design(str(folder), ws)
    once, once_layouts = _files(tmp_path / "once", statement, design, "poster", "a4", ws)
    monkeypatch.setattr(produce, "screen_colours", lambda design: None)
    twice, twice_layouts = _files(tmp_path / "twice", statement, design, "poster", "a4", ws)
    assert {name: data for name, data in once.items() if name.endswith(".pdf")} == {
        name: data for name, data in twice.items() if name.endswith(".pdf")}
    assert once_layouts == twice_layouts  # the recolouring gave up, and the page was laid out again
