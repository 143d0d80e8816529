"""`assets poster`: real PDFs and PNGs, read back and measured."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PIL import Image

from conftest import MM, pdf_fonts, pdf_page_sizes, pdf_text, run_cli

# Nominal page sizes in points.
POSTER_POINTS = {
    "a4": (210 * MM, 297 * MM),
    "a3": (297 * MM, 420 * MM),
    "a2": (420 * MM, 594 * MM),
    "letter": (8.5 * 72, 11 * 72),
    "tabloid": (11 * 72, 17 * 72),
}


def _files(entries: list[dict], fmt: str) -> dict[str, Path]:
    return {e["size"]: Path(e["path"]) for e in entries if e["format"] == fmt}


def test_json_lists_every_size_as_pdf_and_png(spanish_posters):
    _, entries = spanish_posters
    assert sorted((e["size"], e["format"]) for e in entries) == sorted(
        (size, fmt) for size in POSTER_POINTS for fmt in ("pdf", "png"))
    for entry in entries:
        assert set(entry) == {"path", "kind", "size", "lang", "design", "format", "width", "height", "unit", "print",
                              "sha256"}
        assert (entry["kind"], entry["lang"], entry["design"], entry["print"]) == ("poster", "es", "placard", False)
        assert hashlib.sha256(Path(entry["path"]).read_bytes()).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("size", POSTER_POINTS)
def test_pdf_is_one_page_of_the_nominal_size(spanish_posters, size):
    pdf = _files(spanish_posters[1], "pdf")[size]
    (width, height), = pdf_page_sizes(pdf)
    expected_width, expected_height = POSTER_POINTS[size]
    assert width == pytest.approx(expected_width, abs=0.5)
    assert height == pytest.approx(expected_height, abs=0.5)


@pytest.mark.parametrize("size", POSTER_POINTS)
def test_png_has_the_pixels_of_150_dpi(spanish_posters, size):
    png = _files(spanish_posters[1], "png")[size]
    with Image.open(png) as image:
        expected = tuple(round(points / 72 * 150) for points in POSTER_POINTS[size])
        assert image.size == expected
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.05)  # PNG stores dots per metre


def test_png_follows_dpi_option(tmp_path):
    result = run_cli("poster", "--size", "a4", "--dpi", "72", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    with Image.open(next(tmp_path.rglob("*.png"))) as image:
        assert image.size == (595, 842)


@pytest.mark.parametrize("size", POSTER_POINTS)
def test_spanish_key_lines_are_in_the_pdf_text(spanish_posters, size):
    text = pdf_text(_files(spanish_posters[1], "pdf")[size]).casefold()
    for line in ("Contra el imperialismo estadounidense", "25 al 31 de mayo de 2020",
                 "Protesta frente a la embajada de EE. UU. en tu ciudad",
                 "Liga Internacional de Lucha de los Pueblos (ILPS)"):
        assert line.casefold() in text


def test_fonts_are_the_shipped_ones_and_embedded(spanish_posters):
    fonts = pdf_fonts(_files(spanish_posters[1], "pdf")["a4"])
    assert fonts, "no fonts in the PDF"
    assert all(fonts.values()), f"not embedded: {[n for n, e in fonts.items() if not e]}"
    # Subset names look like /ABCDEF+Anton: nothing fell back to a system font.
    families = {name.split("+", 1)[1] for name in fonts}
    assert any(f.startswith("Anton") for f in families)
    assert all(f.startswith(("Anton", "Barlow")) for f in families), families


def test_png_shows_the_design_palette(spanish_posters):
    """The raster is the poster, not a blank page: red field, yellow band, black foot."""
    with Image.open(_files(spanish_posters[1], "png")["a4"]) as image:
        colours = {colour for _, colour in image.convert("RGB").getcolors(maxcolors=1 << 20) if _ > 2000}
    def near(target):
        return any(sum(abs(a - b) for a, b in zip(c, target)) < 30 for c in colours)
    assert near((0xD7, 0x14, 0x1A)) and near((0xFF, 0xD2, 0x1F)) and near((0x11, 0x11, 0x11))
    assert near((0xFF, 0xFF, 0xFF))  # the headline


def test_same_inputs_give_identical_files(tmp_path, spanish_posters):
    result = run_cli("poster", "--lang", "es", "--size", "a4", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    for fmt in ("pdf", "png"):
        again = next(tmp_path.rglob(f"*.{fmt}")).read_bytes()
        assert again == _files(spanish_posters[1], fmt)["a4"].read_bytes()


def test_output_folders_are_statement_language_kind(spanish_posters):
    out, entries = spanish_posters
    for entry in entries:
        assert Path(entry["path"]).parent == out / "week-of-struggle-2020" / "es" / "poster"
    assert not list(out.rglob("*.tmp")), "temporary files left behind"


def test_runs_from_any_folder_with_the_built_in_content(tmp_path):
    result = run_cli("poster", "--lang", "es", "--size", "letter", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "output" / "week-of-struggle-2020" / "es" / "poster" / "poster-letter-placard.pdf"
    (width, height), = pdf_page_sizes(pdf)
    assert (width, height) == pytest.approx((612, 792), abs=0.5)
