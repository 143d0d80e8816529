"""`impose`: leaflets on home-printer sheets, read back by rendering the sheet and scanning its QR codes."""

from __future__ import annotations

import base64
import dataclasses
import itertools
import subprocess
import sys
from functools import cache
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import qrcode
import zxingcpp
from PIL import Image
from qrcode.image.svg import SvgPathImage
from weasyprint import HTML

from assets_cli.errors import AssetsError
from assets_cli.impose import Imposition, Slot, _render_sheet, impose, plan_sheet
from conftest import MM

DPI = 150
SCALE = DPI / 72
SHEETS = {"a4": (210 * MM, 297 * MM), "letter": (612.0, 792.0)}
LEAFLETS = {
    "a5": (148 * MM, 210 * MM),
    "a6": (105 * MM, 148 * MM),
    "dl": (99 * MM, 210 * MM),
    "half-letter": (5.5 * 72, 8.5 * 72),
}
FRONT = ("https://example.org/front", (0xD7, 0x14, 0x1A))
BACK = ("https://example.org/back", (0x1A, 0x4F, 0xD7))
# These URLs make 25-module codes; with the 4-module quiet zone each side, 33 mm gives 1 mm modules.
QR_WIDTH = "33mm"


@dataclasses.dataclass(frozen=True)
class Case:
    leaflet: str
    sheet: str
    copies: int
    landscape: bool
    cut_lines: int  # lines between leaflets, plus block edges that are not sheet edges


CASES = {
    # A5 is 148 mm, so two leave a 0.5 mm strip at each short side of A4: those edges are cut too.
    "a5-on-a4": Case("a5", "a4", 2, True, 3),
    # 2 × 148 mm on 297 mm: 0.5 mm strips top and bottom; 2 × 105 mm is exactly 210 mm.
    "a6-on-a4": Case("a6", "a4", 4, False, 4),
    # 3 × 99 mm is exactly 297 mm and 210 mm the height: only the two inner cuts.
    "dl-on-a4": Case("dl", "a4", 3, True, 2),
    "half-letter-on-letter": Case("half-letter", "letter", 2, True, 1),
    # Four would need 2 × 148 mm = 296 mm on 279.4 mm.
    "a6-on-letter": Case("a6", "letter", 2, False, 5),
}


@cache
def leaflet_pdf(name: str) -> bytes:
    """A two-page leaflet: a solid-colour page with a QR code at its top left, front red, back blue."""
    width, height = LEAFLETS[name]
    sections = []
    for side, (url, _) in zip(("front", "back"), (FRONT, BACK)):
        svg = qrcode.make(url, image_factory=SvgPathImage).to_string()
        src = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
        sections.append(f'<section class="{side}"><img src="{src}" alt="{url}"></section>')
    css = f"""
        @page {{ size: {width}pt {height}pt; margin: 0 }}
        @page front {{ background: rgb{FRONT[1]} }}
        @page back {{ background: rgb{BACK[1]} }}
        .front {{ page: front }}
        .back {{ page: back }}
        body {{ margin: 0 }}
        img {{ display: block; width: {QR_WIDTH}; margin: 12mm 0 0 10mm; background: white }}
    """
    pdf = HTML(string=f"<style>{css}</style>{''.join(sections)}").write_pdf()
    assert len(pdfium.PdfDocument(pdf)) == 2
    return pdf


def render(pdf: bytes) -> list[Image.Image]:
    """Each page of `pdf` at 150 DPI."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=SCALE).to_pil().convert("RGB") for i in range(len(document))]
    finally:
        document.close()


@cache
def imposed(case_id: str) -> tuple[bytes, Imposition, list[Image.Image]]:
    """The sheet PDF of a case, its plan and its two sides rendered."""
    case = CASES[case_id]
    pdf, plan = impose(leaflet_pdf(case.leaflet), *SHEETS[case.sheet])
    return pdf, plan, render(pdf)


def evidence(image: Image.Image, tmp_path: Path, name: str) -> str:
    """Keep the rendered side for a failing check; returns where it went."""
    path = tmp_path / f"{name}.png"
    image.save(path)
    return f"rendered side kept at {path}"


def codes(image: Image.Image, sheet_height: float) -> list[tuple[str, list[tuple[float, float]]]]:
    """Every QR code on a rendered side: text and corners (TL, TR, BR, BL) in PDF points, y up."""
    found = []
    for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
        p = barcode.position
        corners = [(c.x / SCALE, sheet_height - c.y / SCALE)
                   for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        found.append((barcode.text, corners))
    return found


def inside(point: tuple[float, float], slot: Slot, slack: float = 1.0) -> bool:
    x, y = point
    return slot.x - slack <= x <= slot.x + slot.width + slack and slot.y - slack <= y <= slot.y + slot.height + slack


def up(corners: list[tuple[float, float]]) -> tuple[float, float]:
    """The code's upward direction (bottom-left → top-left corner), as a unit vector."""
    (tlx, tly), _, _, (blx, bly) = corners
    dx, dy = tlx - blx, tly - bly
    length = (dx * dx + dy * dy) ** 0.5
    return dx / length, dy / length


@cache
def leaflet_codes(name: str) -> tuple[list[tuple[float, float]], ...]:
    """Corners of the code on each leaflet page, in the page's own points."""
    found = [codes(image, LEAFLETS[name][1]) for image in render(leaflet_pdf(name))]
    assert [[text for text, _ in page] for page in found] == [[FRONT[0]], [BACK[0]]]
    return tuple(page[0][1] for page in found)


def on_sheet(point: tuple[float, float], slot: Slot, side: str) -> tuple[float, float]:
    """Where a point of a leaflet page lands in `slot` on the sheet."""
    u, v = point
    if not slot.rotated:
        return slot.x + u, slot.y + v
    if side == "front":  # a quarter turn anticlockwise: the leaflet's top points left
        return slot.x + slot.width - v, slot.y + u
    return slot.x + v, slot.y + slot.height - u  # a quarter turn clockwise on the back


def check_codes_in_slots(plan: Imposition, leaflet: str, images: list[Image.Image], tmp_path: Path, name: str) -> None:
    """One code per slot, exactly where the leaflet has it; backs read the same way up as fronts."""
    ups = []
    for side, slots, (url, _), image, page_corners in zip(
            ("front", "back"), (plan.front, plan.back), (FRONT, BACK), images, leaflet_codes(leaflet)):
        found = codes(image, plan.sheet_height)
        assert sorted(text for text, _ in found) == [url] * len(slots), (
            f"{side}: decoded {[t for t, _ in found]}, want {len(slots)} × {url}; "
            + evidence(image, tmp_path, f"{name}-{side}"))
        by_slot = []
        for slot in slots:
            here = [corners for _, corners in found if all(inside(c, slot) for c in corners)]
            assert len(here) == 1, (f"{side} slot {slot}: {len(here)} codes inside, want 1; "
                                    + evidence(image, tmp_path, f"{name}-{side}"))
            want = [on_sheet(c, slot, side) for c in page_corners]
            # 2 pt: a pixel at 150 DPI is 0.48 pt, on the leaflet and on the sheet.
            assert all(abs(gx - wx) < 2 and abs(gy - wy) < 2 for (gx, gy), (wx, wy) in zip(here[0], want)), (
                f"{side} slot {slot}: code corners {here[0]}, want {want}; "
                + evidence(image, tmp_path, f"{name}-{side}"))
            by_slot.append(here[0])
        ups.append([up(corners) for corners in by_slot])
    # Turning the sheet over about its vertical axis maps a direction (dx, dy)
    # on the back to (-dx, dy) on the front; the back must then point the way
    # the front does, so the cut leaflet reads upright when turned over.
    for (fx, fy), (bx, by) in zip(*ups):
        assert fx * -bx + fy * by > 0.95, (
            f"front up {fx, fy}, back up seen through the sheet {-bx, by}; "
            + evidence(images[1], tmp_path, f"{name}-back"))


@pytest.mark.parametrize("case_id", CASES)
def test_plan_fits_the_expected_number_of_copies(case_id):
    case = CASES[case_id]
    plan = plan_sheet(*LEAFLETS[case.leaflet], *SHEETS[case.sheet])
    assert len(plan.front) == len(plan.back) == case.copies
    assert (plan.sheet_width > plan.sheet_height) == case.landscape
    assert not any(slot.rotated for slot in plan.front + plan.back)
    assert sorted((plan.sheet_width, plan.sheet_height)) == pytest.approx(sorted(SHEETS[case.sheet]))


@pytest.mark.parametrize("case_id", CASES)
def test_slots_are_the_leaflet_size_on_the_sheet_centred_without_overlap(case_id):
    case = CASES[case_id]
    leaf_w, leaf_h = LEAFLETS[case.leaflet]
    plan = plan_sheet(leaf_w, leaf_h, *SHEETS[case.sheet])
    for slot in plan.front:
        assert (slot.width, slot.height) == pytest.approx((leaf_w, leaf_h))
        assert -0.5 <= slot.x and slot.x + slot.width <= plan.sheet_width + 0.5
        assert -0.5 <= slot.y and slot.y + slot.height <= plan.sheet_height + 0.5
    for a, b in itertools.combinations(plan.front, 2):
        overlap_x = min(a.x + a.width, b.x + b.width) - max(a.x, b.x)
        overlap_y = min(a.y + a.height, b.y + b.height) - max(a.y, b.y)
        assert overlap_x < 0.01 or overlap_y < 0.01, (a, b)
    left = min(s.x for s in plan.front)
    right = plan.sheet_width - max(s.x + s.width for s in plan.front)
    bottom = min(s.y for s in plan.front)
    top = plan.sheet_height - max(s.y + s.height for s in plan.front)
    assert (left, bottom) == pytest.approx((right, top), abs=0.01)


@pytest.mark.parametrize("case_id", CASES)
def test_back_slot_is_the_horizontal_mirror_of_its_front_slot(case_id):
    case = CASES[case_id]
    plan = plan_sheet(*LEAFLETS[case.leaflet], *SHEETS[case.sheet])
    for front, back in zip(plan.front, plan.back, strict=True):
        assert back.x == pytest.approx(plan.sheet_width - front.x - front.width)
        assert (back.y, back.width, back.height, back.rotated) == (front.y, front.width, front.height, front.rotated)


def test_a_leaflet_larger_than_the_sheet_is_an_error_naming_both_sizes():
    with pytest.raises(AssetsError) as error:
        plan_sheet(297 * MM, 420 * MM, *SHEETS["a4"])
    assert "297×420 mm" in str(error.value) and "210×297 mm" in str(error.value)


def test_a_one_page_pdf_is_not_a_leaflet():
    one_page = HTML(string="<style>@page { size: A6 }</style><p>front only</p>").write_pdf()
    with pytest.raises(AssetsError, match="2 pages"):
        impose(one_page, *SHEETS["a4"])


@pytest.mark.parametrize("case_id", CASES)
def test_sheet_pdf_is_two_pages_of_the_planned_sheet(case_id):
    pdf, plan, _ = imposed(case_id)
    document = pdfium.PdfDocument(pdf)
    sizes = [document.get_page_size(i) for i in range(len(document))]
    assert len(sizes) == 2
    for width, height in sizes:
        assert (width, height) == pytest.approx((plan.sheet_width, plan.sheet_height), abs=0.01)
        assert (width > height) == CASES[case_id].landscape


@pytest.mark.parametrize("case_id", CASES)
def test_each_copy_is_vector_and_each_cut_line_has_marks_on_both_sides(case_id):
    pdf, plan, _ = imposed(case_id)
    document = pdfium.PdfDocument(pdf)
    for index in range(2):
        page = document[index]
        top = [obj.type for obj in page.get_objects(max_depth=1)]
        assert top.count(pdfium_c.FPDF_PAGEOBJ_FORM) == CASES[case_id].copies
        # Two ends per cut line, each a white halo and a black line.
        assert top.count(pdfium_c.FPDF_PAGEOBJ_PATH) == CASES[case_id].cut_lines * 2 * 2
        assert not list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])), "a copy was rasterised"


@pytest.mark.parametrize("case_id", CASES)
def test_every_copy_scans_inside_its_slot_and_backs_sit_behind_fronts(case_id, tmp_path):
    _, plan, images = imposed(case_id)
    check_codes_in_slots(plan, CASES[case_id].leaflet, images, tmp_path, case_id)


@pytest.mark.parametrize("case_id", CASES)
def test_front_colour_fills_front_slots_and_back_colour_back_slots(case_id, tmp_path):
    _, plan, images = imposed(case_id)
    for slots, (_, colour), image in zip((plan.front, plan.back), (FRONT, BACK), images):
        for slot in slots:
            # Low in the leaflet, away from the code at its top and the marks at the sheet edges.
            for fx, fy in ((0.5, 0.3), (0.3, 0.5), (0.7, 0.5)):
                x, y = slot.x + fx * slot.width, slot.y + fy * slot.height
                pixel = image.getpixel((round(x * SCALE), round((plan.sheet_height - y) * SCALE)))
                assert all(abs(a - b) <= 8 for a, b in zip(pixel, colour)), (
                    f"pixel {pixel} at ({x:.0f}, {y:.0f}) pt, want {colour}; " + evidence(image, tmp_path, case_id))


def cut_lines(plan: Imposition) -> tuple[list[float], list[float]]:
    """x of vertical and y of horizontal cuts: every slot edge that is not a sheet edge."""
    xs = {round(v, 1) for s in plan.front for v in (s.x, s.x + s.width)}
    ys = {round(v, 1) for s in plan.front for v in (s.y, s.y + s.height)}
    return ([x for x in sorted(xs) if 0.5 < x < plan.sheet_width - 0.5],
            [y for y in sorted(ys) if 0.5 < y < plan.sheet_height - 0.5])


def across_cut(pdf: bytes, index: int, x: float, y: float, vertical: bool) -> list[tuple[int, int, int]]:
    """Colours at 1200 DPI at -0.5, 0 and +0.5 pt from (x, y) across a vertical or horizontal cut line."""
    # 150 DPI blurs a 0.5 pt line and its 0.5 pt halo into one grey pixel; a small patch at 1200 DPI resolves them.
    scale, half = 1200 / 72, 3.0
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[index]
        width, height = page.get_size()
        left, bottom = max(x - half, 0), max(y - half, 0)
        right, top = min(x + half, width), min(y + half, height)
        image = page.render(scale=scale, crop=(left, bottom, width - right, height - top)).to_pil().convert("RGB")
    finally:
        document.close()
    points = [(x + d, y) if vertical else (x, y + d) for d in (-0.5, 0, 0.5)]
    return [image.getpixel((min(round((px - left) * scale), image.width - 1),
                            min(round((top - py) * scale), image.height - 1))) for px, py in points]


@pytest.mark.parametrize("case_id", CASES)
def test_cut_marks_are_black_on_a_white_halo_near_the_sheet_edges_only(case_id, tmp_path):
    pdf, plan, images = imposed(case_id)
    xs, ys = cut_lines(plan)
    assert len(xs) + len(ys) == CASES[case_id].cut_lines
    width, height = plan.sheet_width, plan.sheet_height
    for index, image in enumerate(images):
        # The middle of each 5–11 mm mark: x on a vertical cut, y on a horizontal one.
        marks = [(x, y, True) for x in xs for y in (8 * MM, height - 8 * MM)]
        marks += [(x, y, False) for y in ys for x in (8 * MM, width - 8 * MM)]
        for x, y, vertical in marks:
            before, on, after = across_cut(pdf, index, x, y, vertical)
            assert max(on) < 60, f"side {index + 1}: no black line at ({x:.1f}, {y:.1f}) pt: {on}; " + evidence(
                image, tmp_path, f"{case_id}-{index + 1}")
            assert min(before) > 220 and min(after) > 220, (
                f"side {index + 1}: no white halo around ({x:.1f}, {y:.1f}) pt: {before}, {after}; "
                + evidence(image, tmp_path, f"{case_id}-{index + 1}"))
        # Away from the sheet edges the cut lines carry no ink: the art is left alone.
        middles = [(x, height / 2) for x in xs] + [(width / 2, y) for y in ys]
        for x, y in middles:
            column, row = round(x * SCALE), round((height - y) * SCALE)
            near = [(column + d, row) for d in range(-3, 4)] + [(column, row + d) for d in range(-3, 4)]
            window = [image.getpixel((min(max(c, 0), image.width - 1), min(max(r, 0), image.height - 1)))
                      for c, r in near]
            assert not any(max(p) < 150 and max(p) - min(p) < 20 for p in window), (
                f"side {index + 1}: ink on the cut at ({x:.1f}, {y:.1f}) pt: {window}; "
                + evidence(image, tmp_path, f"{case_id}-{index + 1}"))


def test_impose_twice_gives_identical_bytes_without_a_creation_date(tmp_path):
    leaflet = leaflet_pdf("a6")
    first, _ = impose(leaflet, *SHEETS["a4"])
    second, _ = impose(leaflet, *SHEETS["a4"])
    assert first == second
    # Another process allocates elsewhere and runs later: pdfium's address-seeded /ID and clock must not show.
    (tmp_path / "leaflet.pdf").write_bytes(leaflet)
    script = ("import sys; from pathlib import Path; from assets_cli.impose import impose; "
              "sys.stdout.buffer.write(impose(Path(sys.argv[1]).read_bytes(), *map(float, sys.argv[2:]))[0])")
    other = subprocess.run([sys.executable, "-c", script, str(tmp_path / "leaflet.pdf"), *map(str, SHEETS["a4"])],
                           capture_output=True, check=True, timeout=120).stdout
    assert other == first
    assert pdfium.PdfDocument(first).get_metadata_value("CreationDate") == ""


def test_sideways_leaflets_scan_inside_their_slots_and_backs_read_upright(tmp_path):
    """plan_sheet never turns leaflets (an upright grid on the turned sheet fits as many), so build such a plan."""
    leaf_w, leaf_h = LEAFLETS["a6"]
    footprints = plan_sheet(leaf_h, leaf_w, *SHEETS["a4"])  # A6 lying down: 2 × 2 on landscape A4
    plan = dataclasses.replace(
        footprints,
        front=tuple(dataclasses.replace(s, rotated=True) for s in footprints.front),
        back=tuple(dataclasses.replace(s, rotated=True) for s in footprints.back))
    source = pdfium.PdfDocument(leaflet_pdf("a6"))
    images = render(_render_sheet(source, plan))
    source.close()
    check_codes_in_slots(plan, "a6", images, tmp_path, "a6-sideways-on-a4")
