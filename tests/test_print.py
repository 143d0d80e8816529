"""`--print`: what a print shop's preflight reads out of the PDF, and what the sheet shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypdf
import pypdfium2 as pdfium
import pytest

from assets_cli.designs import load_design
from assets_cli.errors import AssetsError
from conftest import MM, REPO, pdf_fonts, pdf_text, run_cli

DPI = 100
PX_PER_PT = DPI / 72


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Path]:
    """A3 poster and A5 leaflet (Arabic) made with --print, their home PDFs, and a Letter poster."""
    out = tmp_path_factory.mktemp("print")
    files = {}
    for name, args in {
        "a3": ("poster", "--size", "a3", "--print"),
        "a3-home": ("poster", "--size", "a3"),
        "a5": ("leaflet", "--size", "leaflet-a5", "--lang", "ar", "--print"),
        "a5-home": ("leaflet", "--size", "leaflet-a5", "--lang", "ar"),
        "letter": ("poster", "--size", "letter", "--design", "rally", "--print"),
        "letter-home": ("poster", "--size", "letter", "--design", "rally"),
    }.items():
        result = run_cli(*args, "--out", str(out / name), "--json")
        assert result.returncode == 0, result.stderr
        pdfs = [Path(entry["path"]) for entry in json.loads(result.stdout) if entry["format"] == "pdf"]
        files[name], = pdfs
    return files


def boxes(path: Path) -> list[dict[str, tuple[float, ...]]]:
    return [{name: tuple(float(v) for v in page[f"/{name}"]) for name in ("MediaBox", "TrimBox", "BleedBox")}
            for page in pypdf.PdfReader(path).pages]


def size(box: tuple[float, ...]) -> tuple[float, float]:
    return box[2] - box[0], box[3] - box[1]


@pytest.mark.parametrize("name, trim_mm, bleed_mm, pages", [
    ("a3", (297, 420), 3, 1), ("a5", (148, 210), 3, 2), ("letter", (215.9, 279.4), 3.175, 1)])
def test_trim_box_is_the_nominal_size_and_bleed_box_runs_past_it(printed, name, trim_mm, bleed_mm, pages):
    found = boxes(printed[name])
    assert len(found) == pages
    for page in found:
        trim, bleed, media = page["TrimBox"], page["BleedBox"], page["MediaBox"]
        assert size(trim) == pytest.approx((trim_mm[0] * MM, trim_mm[1] * MM), abs=0.01)
        for edge in range(4):
            outward = -1 if edge < 2 else 1
            assert bleed[edge] - trim[edge] == pytest.approx(outward * bleed_mm * MM, abs=0.01)
            # Room for the crop marks beyond the bleed.
            assert (media[edge] - bleed[edge]) * outward >= 6 * MM


def test_home_pdfs_stay_trim_size_with_no_print_furniture(printed):
    for name, trim_mm in (("a3-home", (297, 420)), ("a5-home", (148, 210)), ("letter-home", (215.9, 279.4))):
        for page in boxes(printed[name]):
            assert size(page["MediaBox"]) == pytest.approx((trim_mm[0] * MM, trim_mm[1] * MM), abs=0.01)
            assert page["TrimBox"] == page["MediaBox"] == page["BleedBox"]
        reader = pypdf.PdfReader(printed[name])
        assert "/OutputIntents" not in reader.trailer["/Root"]
        assert reader.pdf_header == "%PDF-1.7"


@pytest.mark.parametrize("name", ["a3", "a5", "letter"])
def test_declares_pdf_x4_with_a_cmyk_output_intent(printed, name):
    reader = pypdf.PdfReader(printed[name])
    assert reader.pdf_header == "%PDF-1.6"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert re.search(r"<xmpMM:DocumentID>xmp\.did:[0-9a-f-]{36}</xmpMM:DocumentID>", xmp)
    assert reader.trailer["/Info"]["/Trapped"] == "/False"
    assert reader.trailer["/Info"]["/Title"]
    intent, = reader.trailer["/Root"]["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    profile = intent["/DestOutputProfile"].get_object().get_data()
    assert profile[12:20] == b"prtrCMYK"  # an output profile for CMYK: what PDF/X asks of the intent


@pytest.mark.parametrize("name", ["a3", "a5", "letter"])
def test_fonts_embedded_rgb_tagged_and_no_annotations(printed, name):
    reader = pypdf.PdfReader(printed[name])
    for page in reader.pages:
        assert "/Annots" not in page
        form = page["/Resources"]["/XObject"]["/Page"].get_object()
        resources = form["/Resources"]
        fonts = resources["/Font"]
        assert fonts
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
        default_rgb = resources["/ColorSpace"]["/DefaultRGB"]
        assert default_rgb[0] == "/ICCBased" and default_rgb[1].get_object()["/N"] == 3


def render(path: Path, page: int = 0):
    document = pdfium.PdfDocument(path)
    try:
        return document[page].render(scale=PX_PER_PT).to_pil().convert("RGB")
    finally:
        document.close()


def sheet(path: Path):
    """The first page's boxes, and its pixel at a point in PDF coordinates (points, origin bottom left)."""
    page = boxes(path)[0]
    image = render(path)
    media_h = page["MediaBox"][3]

    def pixel(x: float, y: float) -> tuple[int, int, int]:
        return image.getpixel((round(x * PX_PER_PT), round((media_h - y) * PX_PER_PT)))

    return page, pixel


@pytest.mark.parametrize("name", ["a3", "a5"])
def test_crop_marks_lie_on_the_trim_lines_outside_the_bleed(printed, name):
    page, pixel = sheet(printed[name])
    left, bottom, right, top = page["TrimBox"]
    bleed = page["TrimBox"][0] - page["BleedBox"][0]

    def dark(x: float, y: float) -> bool:
        return sum(pixel(x, y)) < 384

    for x in (left, right):
        # Below and above the sheet's art: a mark on the trim line, from past the bleed outwards.
        for y in (bottom - bleed - 3 * MM, top + bleed + 3 * MM):
            assert dark(x, y), (x, y)
            assert not dark(x + 2 * MM, y) and not dark(x - 2 * MM, y)
    for y in (bottom, top):
        for x in (left - bleed - 3 * MM, right + bleed + 3 * MM):
            assert dark(x, y), (x, y)
            assert not dark(x, y + 2 * MM) and not dark(x, y - 2 * MM)
    # Between the bleed and the marks: paper; the mark never reaches into the bleed.
    for x in (left, right):
        assert not dark(x, bottom - bleed - 0.5 * MM) and not dark(x, top + bleed + 0.5 * MM)


@pytest.mark.parametrize("name", ["a3", "a5"])
def test_bleed_continues_the_art_past_every_edge(printed, name):
    """Each bleed strip mirrors the strip inside its trim edge: the red field runs on, no white band."""
    page, pixel = sheet(printed[name])
    left, bottom, right, top = page["TrimBox"]
    checked = 0
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        x = left + (right - left) * fraction
        y = bottom + (top - bottom) * fraction
        for outside, inside in (((left - 2 * MM, y), (left + 2 * MM, y)), ((right + 2 * MM, y), (right - 2 * MM, y)),
                                ((x, bottom - 2 * MM), (x, bottom + 2 * MM)), ((x, top + 2 * MM), (x, top - 2 * MM))):
            a, b = pixel(*outside), pixel(*inside)
            assert max(abs(p - q) for p, q in zip(a, b)) <= 24, (outside, a, inside, b)
            checked += a != (255, 255, 255)
    assert checked >= 10  # the poster's and the leaflet front's grounds are coloured, so the bleed is too


def test_trim_area_shows_the_home_pdf(printed):
    """Rally has no CMYK palette: inside the trim the print PDF is the home PDF, pixel for pixel."""
    page = boxes(printed["letter"])[0]
    media_h = page["MediaBox"][3]
    left, bottom, right, top = page["TrimBox"]
    # A scale that puts the trim's corner on a whole pixel, so both renderings antialias alike.
    scale = round(left * PX_PER_PT) / left
    assert (media_h - top) * scale == pytest.approx(left * scale, abs=1e-3)
    document = pdfium.PdfDocument(printed["letter"])
    home = pdfium.PdfDocument(printed["letter-home"])
    try:
        sheet = document[0].render(scale=scale).to_pil().convert("RGB")
        expected = home[0].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()
        home.close()
    corner = round(left * scale)
    trimmed = sheet.crop((corner, corner, corner + expected.width, corner + expected.height))
    pixels = list(zip(trimmed.get_flattened_data(), expected.get_flattened_data()))
    differing = sum(1 for a, b in pixels if max(abs(p - q) for p, q in zip(a, b)) > 8)
    assert differing / len(pixels) < 0.005  # glyph edges; a shift of one pixel differs on 4 %


def test_text_reads_the_same_as_the_home_pdf(printed):
    for name in ("a3", "a5", "letter"):
        assert pdf_text(printed[name]) == pdf_text(printed[f"{name}-home"])
        assert pdf_fonts(printed[name]) == {} or all(pdf_fonts(printed[name]).values())


def test_cmyk_palette_reaches_the_print_pdf_only(printed):
    """Placard's [palette-cmyk] red ground is 0/95/90/5 on the press; the home PDF keeps sRGB."""
    def operators(path: Path) -> str:
        reader = pypdf.PdfReader(path)
        page = reader.pages[0]
        xobject = page["/Resources"].get("/XObject", {}).get("/Page")
        stream = xobject.get_object() if xobject is not None else page.get_contents()
        return stream.get_data().decode("latin-1")

    assert "0 0.95 0.9 0.05 scn" in operators(printed["a3"])
    assert "0.6 0.4 0.4 1 scn" in operators(printed["a3"])  # the rich black foot
    assert "DeviceCMYK" not in operators(printed["a3-home"])
    assert "0.843137 0.078431 0.101961 rg" in operators(printed["a3-home"])  # #d7141a


def test_same_inputs_same_bytes(printed, tmp_path):
    result = run_cli("poster", "--size", "a3", "--print", "--out", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    entry, = json.loads(result.stdout)
    assert entry["print"] is True
    assert Path(entry["path"]).read_bytes() == printed["a3"].read_bytes()
    assert Path(entry["path"]).parent.name == "print"
    assert Path(entry["path"]).name == "poster-a3-placard-print.pdf"


@pytest.mark.parametrize("args, message", [
    (("poster", "--print", "--size", "a7"), "unknown poster size 'a7'"),
    (("banner", "--print", "--size", "x-header"), "--print makes print-shop PDFs, and x-header is a screen size"),
    (("leaflet", "--print", "--sheet", "a4"), "--sheet imposes leaflets for a home printer"),
])
def test_print_refusals_are_one_line(tmp_path, args, message):
    result = run_cli(*args, "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not any(tmp_path.rglob("*.pdf"))


def test_banner_print_makes_only_the_print_sizes(tmp_path):
    result = run_cli("banner", "--print", "--size", "rollup", "--out", str(tmp_path), "--json")
    assert result.returncode == 0, result.stderr
    entry, = json.loads(result.stdout)
    assert entry["size"] == "rollup" and entry["print"] is True
    trim = boxes(Path(entry["path"]))[0]["TrimBox"]
    assert size(trim) == pytest.approx((850 * MM, 2000 * MM), abs=0.01)


def design_with(tmp_path: Path, table: str) -> Path:
    folder = tmp_path / "inky"
    folder.mkdir()
    (folder / "poster.html").write_text("<p>{{ lines.headline }}</p>", "utf-8")
    (folder / "design.toml").write_text(
        'name = "inky"\ntitle = "Inky"\nkinds = ["poster"]\n\n[palette]\nfield = "#d7141a"\nink = "#111111"\n\n'
        + table, "utf-8")
    return folder


@pytest.mark.parametrize("table, message", [
    ("[palette-cmyk]\nfeld = [0, 95, 90, 5]\n", r"unknown palette-cmyk entry 'feld' .*valid: field, ink"),
    ("[palette-cmyk]\nfield = [0, 95, 90]\n", r"palette-cmyk.field = \[0, 95, 90\] is not four percentages"),
    ("[palette-cmyk]\nfield = [0, 95, 90, 105]\n", r"is not four percentages"),
    ("[palette-cmyk]\nfield = \"#d7141a\"\n", r"is not four percentages"),
    ("[palette-cmyk]\nink = [100, 100, 100, 100]\n", r"palette-cmyk.ink puts 400 % ink on paper .*at most 300 %"),
])
def test_bad_cmyk_palettes_are_named_with_their_line(tmp_path, table, message):
    folder = design_with(tmp_path, table)
    with pytest.raises(AssetsError) as caught:
        load_design(folder)
    assert re.search(message, str(caught.value))
    assert f"{folder / 'design.toml'}:" in str(caught.value)


def test_partial_cmyk_palette_loads(tmp_path):
    design = load_design(design_with(tmp_path, "[palette-cmyk]\nink = [0, 0, 0, 100]\n"))
    assert design.palette_cmyk == {"ink": (0.0, 0.0, 0.0, 100.0)}
    assert load_design(REPO / "designs" / "placard").palette_cmyk["field"] == (0.0, 95.0, 90.0, 5.0)


def test_print_warns_about_a_low_resolution_picture_but_writes_the_file(tmp_path):
    """The shop would query a 26 DPI picture: --print says so on stderr, and still writes the PDF."""
    from PIL import Image

    from conftest import make_workspace

    workspace = make_workspace(tmp_path)
    assert run_cli("designs", "new", "pic", "--from", "rally", cwd=workspace).returncode == 0
    folder = workspace / "designs" / "pic"
    toml = folder / "design.toml"
    toml.write_text(toml.read_text("utf-8").replace('hero = "crowd.svg"', 'hero = "crowd.png"'), "utf-8")
    Image.new("RGB", (200, 140), "#ff5a1f").save(folder / "crowd.png")
    result = run_cli("poster", "--design", "pic", "--size", "a4", "--print", "--out", str(tmp_path / "out"),
                     cwd=workspace)
    assert result.returncode == 0, result.stderr
    warning, = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert re.match(r"warning: poster-a4-pic-print\.pdf: crowd\.png is \d+ DPI at A4 .*print needs 300", warning)
    printed, = (tmp_path / "out").rglob("*-print.pdf")
    assert pypdf.PdfReader(printed).pdf_header == "%PDF-1.6"
