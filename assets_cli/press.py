"""Print-shop PDFs: PDF/X-4 with a CMYK output intent, bleed, crop marks, TrimBox and BleedBox.

A guillotine can land a millimetre off, so art that touches the edge must run
past the cut (the bleed), and the sheet must show where to cut (crop marks,
outside the bleed where no art is). Designs are laid out at the trim size,
exactly as for the home PDF; the bleed is made by mirroring the strip inside
each trim edge out across it, as prepress tools do for files that come
without bleed. Flat fields, gradients and art that runs off the edge carry on
past the cut, and any design gets a bleed without knowing about it. Text is
left out of the mirror (see `_without_text`). Essential content keeps 3 mm
from the trim (`assets check` sees to it), so the mirror only ever repeats
what a slightly wide cut may show: background.

The PDF is PDF/X-4. WeasyPrint embeds every font it uses. The FOGRA39
profile (assets_cli/profiles) is the output intent. sRGB colours and pictures
are tagged as sRGB through a DefaultRGB colour space, which PDF/X-4 requires
of RGB under a CMYK intent; a design's `[palette-cmyk]` arrives as
DeviceCMYK. Dates and IDs are fixed, so the same inputs give the same bytes.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources

import pydyf
from weasyprint.css import ColorProfile
from weasyprint.document import Document

from assets_cli import deflate
from assets_cli.designs import Design
from assets_cli.sizes import Size

deflate.install()

MM = 72 / 25.4
MARK_GAP = 1 * MM  # between the bleed's edge and the marks: the marks never touch art
MARK_LENGTH = 5 * MM
SLUG = MARK_GAP + MARK_LENGTH + 1 * MM  # paper beyond the bleed that holds the marks
MARK_WIDTH = 0.25  # pt, the hairline print shops expect
PROFILE = "profiles/FOGRA39-assets.icc"
OUTPUT_CONDITION = "FOGRA39"
OUTPUT_CONDITION_TEXT = "Offset printing on coated paper, ISO 12647-2:2004/Amd 1 (FOGRA39)"
# Every separation at full strength, so the marks show on each printing plate.
REGISTRATION = pydyf.Array(["/Separation", "/All", "/DeviceCMYK", pydyf.Dictionary({
    "FunctionType": 2, "Domain": pydyf.Array([0, 1]), "C0": pydyf.Array([0, 0, 0, 0]),
    "C1": pydyf.Array([1, 1, 1, 1]), "N": 1})])
_XMP_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def cmyk_css(design: Design) -> str:
    """CSS that swaps the design's sRGB palette for its CMYK one ('' when it has none)."""
    if not design.palette_cmyk:
        return ""
    rules = [f"--color-{name}: device-cmyk({c:g}% {m:g}% {y:g}% {k:g}%);"
             for name, (c, m, y, k) in design.palette_cmyk.items()]
    return ":root { " + " ".join(rules) + " }"


def srgb_css(design: Design) -> str:
    """CSS that puts the design's sRGB palette back over `cmyk_css`."""
    return ":root { " + " ".join(f"--color-{name}: {value};" for name, value in design.palette.items()) + " }"


def print_pdf(document: Document, size: Size, identity: str) -> bytes:
    """The print-shop PDF of a laid-out asset; `identity` names it (the XMP DocumentID derives from it)."""
    bleed = size.bleed_pt
    document_id = uuid.uuid5(uuid.NAMESPACE_URL, f"assets:{identity}")

    def finish(_document: Document, pdf: pydyf.PDF) -> None:
        _tag_rgb_as_srgb(pdf)
        _bleed_and_marks(pdf, bleed)
        _name_output_intent(pdf)
        _fix_document_id(pdf, document_id)

    with _print_settings(document):
        return document.write_pdf(pdf_variant="pdf/x-4", finisher=finish)


@contextmanager
def _print_settings(document: Document) -> Iterator[None]:
    """Give the document the output profile and fixed dates for one write, then take them back.

    The same document also writes the home PDF, which needs neither.
    """
    metadata = document.metadata
    saved = metadata.created, metadata.modified
    # PDF/X stamps the clock unless dates are set; SOURCE_DATE_EPOCH keeps packs reproducible.
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
    metadata.created = metadata.modified = datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    with resources.files("assets_cli").joinpath(PROFILE).open("rb") as handle:
        document.color_profiles["device-cmyk"] = ColorProfile(
            handle, OUTPUT_CONDITION, "relative-colorimetric", (["c"], ["m"], ["y"], ["k"]))
    try:
        yield
    finally:
        del document.color_profiles["device-cmyk"]
        metadata.created, metadata.modified = saved


def _object(pdf: pydyf.PDF, reference: bytes):
    return pdf.objects[int(reference.split()[0])]


def _pages(pdf: pydyf.PDF) -> list[pydyf.Dictionary]:
    return [pdf.objects[number] for number in pdf.pages["Kids"][::3]]


def _bleed_and_marks(pdf: pydyf.PDF, bleed: float) -> None:
    """Turn each trim-size page into a form, draw it with mirrored bleed on a larger sheet, add crop marks."""
    margin = bleed + SLUG
    copies: dict[int, pydyf.Stream] = {}
    for page in _pages(pdf):
        left, bottom, right, top = (float(v) for v in page["MediaBox"])
        width, height = right - left, top - bottom
        form = _object(pdf, page["Contents"])
        form.extra.update({"Type": "/XObject", "Subtype": "/Form", "Resources": page["Resources"],
                           "BBox": pydyf.Array([left, bottom, right, top])})
        mirrored = _without_text(pdf, form, copies)
        content = pydyf.Stream(compress=True)
        for index, (clip, matrix) in enumerate(_mirrors(width, height, bleed, margin)):
            content.push_state()
            content.rectangle(*clip)
            content.clip()
            content.end()
            content.set_matrix(*matrix)
            content.draw_x_object("Page" if index == 0 else "Bleed")
            content.pop_state()
        _draw_crop_marks(content, width, height, bleed, margin)
        pdf.add_object(content)
        page_resources = pydyf.Dictionary({
            "XObject": pydyf.Dictionary({"Page": form.reference, "Bleed": mirrored.reference}),
            "ColorSpace": pydyf.Dictionary({"Registration": REGISTRATION}),
        })
        pdf.add_object(page_resources)
        page["Contents"] = content.reference
        page["Resources"] = page_resources.reference
        page["MediaBox"] = pydyf.Array([0, 0, width + 2 * margin, height + 2 * margin])
        page["BleedBox"] = pydyf.Array([margin - bleed, margin - bleed, margin + width + bleed, margin + height + bleed])
        page["TrimBox"] = pydyf.Array([margin, margin, margin + width, margin + height])
        # Links mean nothing on paper, and PDF/X allows no annotations inside the bleed.
        page.pop("Annots", None)


def _without_text(pdf: pydyf.PDF, form: pydyf.Stream, copies: dict[int, pydyf.Stream]) -> pydyf.Stream:
    """A copy of a form, and of the forms it draws, with no text: what the bleed mirrors.

    Text extractors ignore clipping, so mirrored text would be read out eight
    more times, backwards. Essential text keeps clear of the trim anyway.
    """
    if id(form) in copies:
        return copies[id(form)]
    chunks, in_text = [], False
    for chunk in form.stream:  # WeasyPrint writes one operator per chunk
        if chunk in (b"BT", "BT"):
            in_text = True
        elif chunk in (b"ET", "ET"):
            in_text = False
        elif not in_text:
            chunks.append(chunk)
    copy = copies[id(form)] = pydyf.Stream(chunks, dict(form.extra), compress=form.compress)
    resources = pydyf.Dictionary(_object(pdf, form.extra["Resources"]))
    xobjects = pydyf.Dictionary()
    for name, reference in resources.get("XObject", {}).items():
        drawn = _object(pdf, reference)
        is_form = isinstance(drawn, pydyf.Stream) and drawn.extra.get("Subtype") == "/Form"
        xobjects[name] = _without_text(pdf, drawn, copies).reference if is_form else reference
    resources["XObject"] = xobjects
    pdf.add_object(resources)
    copy.extra["Resources"] = resources.reference
    pdf.add_object(copy)
    return copy


def _mirrors(width: float, height: float, bleed: float, margin: float):
    """(clip rectangle, placement matrix): the trim area first, then its eight mirrored bleed strips and corners."""
    # Per axis: the page as it is, or mirrored about its near or far trim edge.
    xs = [((margin, width), (1, margin))]
    ys = [((margin, height), (1, margin))]
    if bleed > 0:
        xs += [((margin - bleed, bleed), (-1, margin)), ((margin + width, bleed), (-1, margin + 2 * width))]
        ys += [((margin - bleed, bleed), (-1, margin)), ((margin + height, bleed), (-1, margin + 2 * height))]
    for (x, clip_w), (a, e) in xs:
        for (y, clip_h), (d, f) in ys:
            yield (x, y, clip_w, clip_h), (a, 0, 0, d, e, f)


def _draw_crop_marks(content: pydyf.Stream, width: float, height: float, bleed: float, margin: float) -> None:
    """Two hairlines at each corner, on the trim lines, starting beyond the bleed."""
    near, far = bleed + MARK_GAP, bleed + MARK_GAP + MARK_LENGTH
    content.push_state()
    content.set_color_space("Registration", stroke=True)
    content.set_color_special(None, True, 1)
    content.set_line_width(MARK_WIDTH)
    for x in (margin, margin + width):
        for y0, y1 in ((margin - near, margin - far), (margin + height + near, margin + height + far)):
            content.move_to(x, y0)
            content.line_to(x, y1)
    for y in (margin, margin + height):
        for x0, x1 in ((margin - near, margin - far), (margin + width + near, margin + width + far)):
            content.move_to(x0, y)
            content.line_to(x1, y)
    content.stroke()
    content.pop_state()


def _tag_rgb_as_srgb(pdf: pydyf.PDF) -> None:
    """Make every DeviceRGB colour and picture mean sRGB: PDF/X-4 allows no untagged RGB under a CMYK intent."""
    srgb = resources.files("weasyprint.pdf").joinpath("sRGB2014.icc").read_bytes()
    profile = pydyf.Stream([srgb], pydyf.Dictionary({"N": 3}), compress=True)
    pdf.add_object(profile)
    # WeasyPrint shares one colour-space dictionary between pages, forms and patterns.
    spaces = {}
    for page in _pages(pdf):
        space = _object(pdf, _object(pdf, page["Resources"])["ColorSpace"])
        spaces[id(space)] = space
    for space in spaces.values():
        space["DefaultRGB"] = pydyf.Array(["/ICCBased", profile.reference])


def _name_output_intent(pdf: pydyf.PDF) -> None:
    """Name the intent by its registered condition, so a RIP can match it to its own FOGRA39 profile."""
    for intent in pdf.catalog.get("OutputIntents", ()):
        intent["OutputConditionIdentifier"] = pydyf.String(OUTPUT_CONDITION)
        intent["OutputCondition"] = pydyf.String(OUTPUT_CONDITION_TEXT)
        intent["RegistryName"] = pydyf.String("http://www.color.org")
        intent["Info"] = pydyf.String(OUTPUT_CONDITION_TEXT)


def _fix_document_id(pdf: pydyf.PDF, document_id: uuid.UUID) -> None:
    """WeasyPrint writes a random XMP DocumentID; one derived from the asset keeps builds identical."""
    metadata = _object(pdf, pdf.catalog["Metadata"])
    metadata.stream = [_XMP_DOCUMENT_ID.sub(f"xmp.did:{document_id}".encode(), bytes(chunk))
                       for chunk in metadata.stream]
