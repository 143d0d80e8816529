"""Leaflet PDF → home-printable sheet PDF: as many copies as fit at 100 %, plus cut marks.

A leaflet is two pages (front, back) of its trim size. The sheet PDF is two
pages too: page 1 is the front side of the sheet, page 2 the back side, each
holding one copy per slot, never scaled.

Duplex: the back side is laid out for a sheet turned over about its vertical
axis as it lies, so every back lands behind its own front. In the printer
dialog that is "flip on long edge" when the sheet is portrait and "flip on
short edge" when it is landscape (which `Imposition.sheet_width >
Imposition.sheet_height` tells). Each back slot is its front slot mirrored
left to right; upright leaflets are upright on both sides. A leaflet turned
sideways on the sheet is turned the other way on the back (front a quarter
turn anticlockwise, back clockwise): turning the sheet over about its
vertical axis turns such a leaflet over about its own horizontal axis, and
only the opposite quarter turn makes the back read upright once the cut
leaflet is turned over like a page.

Cut marks are drawn on both sides because home printers lose the outer ~5 mm:
for each cut line that does not lie on a sheet edge, a 6 mm stroke on the line
starting 5 mm in from each sheet edge it meets, black over a white halo so it
shows on dark and light art alike.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from assets_cli.errors import AssetsError

MM = 72 / 25.4
# A5 × 2 is exactly A4, but mm → pt rounding leaves crumbs of a point.
TOLERANCE = 0.5
MARK_INSET = 5 * MM
MARK_LENGTH = 6 * MM
# (grey level, width in pt): the halo first, the line over it.
MARK_STROKES = ((255, 1.5), (0, 0.5))


@dataclass(frozen=True)
class Slot:
    """One leaflet's place on a sheet side, in points, origin bottom-left; width/height are its footprint on the sheet."""

    x: float
    y: float
    width: float
    height: float
    rotated: bool


@dataclass(frozen=True)
class Imposition:
    """A sheet size in points and the slots of its front and back sides (back i lies behind front i)."""

    sheet_width: float
    sheet_height: float
    front: tuple[Slot, ...]
    back: tuple[Slot, ...]


def _mm(width: float, height: float) -> str:
    return f"{round(width / MM, 1):g}×{round(height / MM, 1):g} mm"


def plan_sheet(leaf_w: float, leaf_h: float, sheet_w: float, sheet_h: float) -> Imposition:
    """The grid of unscaled leaflets that fits the most copies on the sheet, centred."""
    if min(leaf_w, leaf_h, sheet_w, sheet_h) <= 0:
        raise AssetsError(f"sizes must be positive: leaflet {_mm(leaf_w, leaf_h)}, sheet {_mm(sheet_w, sheet_h)}")
    # Listed in order of preference, since max() keeps the first of equals:
    # upright before rotated, then the sheet as given before turned. A rotated
    # grid on one sheet orientation is the same grid as the upright one on the
    # other, so for a single grid rotation never fits more and never wins.
    # A6 on Letter gives 2 every way: 2 × 148 mm = 296 mm is more than
    # Letter's 279.4 mm, so the 2 × 2 that fills A4 does not fit.
    candidates = [
        (sheet_w, sheet_h, False),
        (sheet_h, sheet_w, False),
        (sheet_w, sheet_h, True),
        (sheet_h, sheet_w, True),
    ]

    def grid(candidate: tuple[float, float, bool]) -> tuple[int, int]:
        width, height, rotated = candidate
        foot_w, foot_h = (leaf_h, leaf_w) if rotated else (leaf_w, leaf_h)
        return math.floor((width + TOLERANCE) / foot_w), math.floor((height + TOLERANCE) / foot_h)

    best = max(candidates, key=lambda c: math.prod(grid(c)))
    cols, rows = grid(best)
    if cols * rows == 0:
        raise AssetsError(f"a {_mm(leaf_w, leaf_h)} leaflet does not fit on a {_mm(sheet_w, sheet_h)} sheet "
                          "at 100 %", hint="pick a larger sheet or a smaller leaflet size")
    width, height, rotated = best
    foot_w, foot_h = (leaf_h, leaf_w) if rotated else (leaf_w, leaf_h)
    left = (width - cols * foot_w) / 2
    bottom = (height - rows * foot_h) / 2
    # Reading order: top row first, left to right.
    front = tuple(
        Slot(left + col * foot_w, bottom + (rows - 1 - row) * foot_h, foot_w, foot_h, rotated)
        for row in range(rows) for col in range(cols)
    )
    back = tuple(Slot(width - s.x - s.width, s.y, s.width, s.height, s.rotated) for s in front)
    return Imposition(width, height, front, back)


def impose(leaflet_pdf: bytes, sheet_w: float, sheet_h: float) -> tuple[bytes, Imposition]:
    """A two-sided sheet PDF with as many unscaled copies of the two-page leaflet as fit, and its plan."""
    source = pdfium.PdfDocument(leaflet_pdf)
    try:
        if len(source) != 2:
            raise AssetsError(f"a leaflet has 2 pages (front, back), this PDF has {len(source)}")
        (front_w, front_h), (back_w, back_h) = source.get_page_size(0), source.get_page_size(1)
        if abs(front_w - back_w) > TOLERANCE or abs(front_h - back_h) > TOLERANCE:
            raise AssetsError(f"leaflet front is {_mm(front_w, front_h)} but back is {_mm(back_w, back_h)}")
        plan = plan_sheet(front_w, front_h, sheet_w, sheet_h)
        return _render_sheet(source, plan), plan
    finally:
        source.close()


def _render_sheet(source: pdfium.PdfDocument, plan: Imposition) -> bytes:
    """Place the leaflet pages on the slots of `plan` as vector form objects, add cut marks, save."""
    with _no_creation_date():
        sheet = pdfium.PdfDocument.new()
    try:
        for index, slots in enumerate((plan.front, plan.back)):
            # One XObject per leaflet page; every copy refers to it, so fonts and images are stored once.
            leaflet = source.page_as_xobject(index, sheet)
            page = sheet.new_page(plan.sheet_width, plan.sheet_height)
            for slot in slots:
                copy = leaflet.as_pageobject()
                copy.transform(_placement(slot, back=index == 1))
                page.insert_obj(copy)
            _draw_cut_marks(page, slots, plan.sheet_width, plan.sheet_height)
            page.gen_content()
            page.close()
        buffer = io.BytesIO()
        sheet.save(buffer)
    finally:
        sheet.close()
    return _content_id(buffer.getvalue())


def _placement(slot: Slot, *, back: bool) -> pdfium.PdfMatrix:
    """The matrix that puts a leaflet page, drawn from (0, 0), into `slot`."""
    if not slot.rotated:
        return pdfium.PdfMatrix().translate(slot.x, slot.y)
    if back:
        # A clockwise quarter turn puts the page below the x axis; lift it by its footprint height.
        return pdfium.PdfMatrix().rotate(90).translate(slot.x, slot.y + slot.height)
    # An anticlockwise quarter turn puts the page left of the y axis; shift it by its footprint width.
    return pdfium.PdfMatrix().rotate(90, ccw=True).translate(slot.x + slot.width, slot.y)


def _cut_lines(slots: Sequence[Slot], sheet_w: float, sheet_h: float) -> tuple[list[float], list[float]]:
    """x of vertical and y of horizontal cut lines that do not lie on a sheet edge."""
    # Rounding merges the shared edge of neighbours, which float sums leave a hair apart.
    xs = sorted({round(v, 2) for s in slots for v in (s.x, s.x + s.width)})
    ys = sorted({round(v, 2) for s in slots for v in (s.y, s.y + s.height)})
    return ([x for x in xs if TOLERANCE < x < sheet_w - TOLERANCE],
            [y for y in ys if TOLERANCE < y < sheet_h - TOLERANCE])


def _draw_cut_marks(page: pdfium.PdfPage, slots: Sequence[Slot], sheet_w: float, sheet_h: float) -> None:
    """Short strokes on each cut line, 5 mm in from the sheet edges, above the leaflets."""
    xs, ys = _cut_lines(slots, sheet_w, sheet_h)
    near, far = MARK_INSET, MARK_INSET + MARK_LENGTH
    segments = [((x, near), (x, far)) for x in xs] + [((x, sheet_h - near), (x, sheet_h - far)) for x in xs]
    segments += [((near, y), (far, y)) for y in ys] + [((sheet_w - near, y), (sheet_w - far, y)) for y in ys]
    # All halos before any line, so a halo never covers a line where marks meet.
    for grey, width in MARK_STROKES:
        for (x0, y0), (x1, y1) in segments:
            path = pdfium_c.FPDFPageObj_CreateNewPath(x0, y0)
            pdfium_c.FPDFPath_LineTo(path, x1, y1)
            pdfium_c.FPDFPath_SetDrawMode(path, pdfium_c.FPDF_FILLMODE_NONE, True)
            pdfium_c.FPDFPageObj_SetStrokeColor(path, grey, grey, grey, 255)
            pdfium_c.FPDFPageObj_SetStrokeWidth(path, width)
            pdfium_c.FPDFPage_InsertObject(page, path)  # the page owns the path from here on


@contextmanager
def _no_creation_date() -> Iterator[None]:
    """Keep pdfium from stamping the clock into a new document's /Info (packs are checksummed)."""
    # FPDF_CreateNewDocument writes /CreationDate only while machine-time
    # access is allowed; the policy is process-wide, so it is lifted just for
    # the creation and restored to pdfium's default (allowed) right after.
    pdfium_c.FPDF_SetSandBoxPolicy(pdfium_c.FPDF_POLICY_MACHINETIME_ACCESS, False)
    try:
        yield
    finally:
        pdfium_c.FPDF_SetSandBoxPolicy(pdfium_c.FPDF_POLICY_MACHINETIME_ACCESS, True)


_TRAILER_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]")


def _content_id(pdf: bytes) -> bytes:
    """Replace the trailer's /ID with a hash of the rest of the file, same length, so offsets stay valid."""
    # pdfium seeds the /ID of a new document with a heap address, so it
    # changes on every save; a hash of the content is stable and still
    # identifies the file, as the PDF spec intends.
    trailer = pdf.rfind(b"trailer")
    match = _TRAILER_ID.search(pdf, trailer if trailer >= 0 else 0)
    if match is None:
        return pdf
    digest = hashlib.sha256(pdf[:match.start()] + pdf[match.end():]).hexdigest()[:32].upper().encode()
    first, second = match.span(1), match.span(2)
    return pdf[:first[0]] + digest + pdf[first[1]:second[0]] + digest + pdf[second[1]:]
