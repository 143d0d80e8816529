"""`assets check`: lay out every language × design × size and judge what a reader would meet.

Per asset: text that overflows its box, characters no shipped font of the
box's stack can draw, QR codes that do not decode to their URL, the smallest
text, and the weakest text/background contrast (WCAG AA). Print sizes also get
a print shop's checks (printcheck.py): picture resolution, QR size, and text
or codes too near the trim or in the size's safe insets.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from rich.markup import escape
from weasyprint.formatting_structure import boxes

from assets_cli.context import build_context
from assets_cli.designs import DESIGN_FILE, KINDS, Design
from assets_cli.errors import AssetsError, InvalidInput, UnknownChoice, collect
from assets_cli.fonts import FontMap
from assets_cli.generate import Job, page_css, plan
from assets_cli.printcheck import print_problems, qr_boxes
from assets_cli.render import Renderer, check_templates
from assets_cli.sizes import registry, sizes_for
from assets_cli.statements import Statement
from assets_cli.tomlfile import where_in

MIN_PRINT_PT = 6.0  # below this, print shops and readers give up
MIN_SCREEN_PX = 14.0  # on a phone, a card is seen at about a third of its pixels
AA_NORMAL, AA_LARGE = 4.5, 3.0
LARGE_PX, LARGE_BOLD_PX = 24.0, 18.66  # WCAG "large": 18 pt, or 14 pt bold
CSS_PX_PER_PT = 4 / 3


@dataclass
class Report:
    """What `assets check` found for one asset."""

    job: Job
    overflow: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)  # character → the text it is in
    qr: str = "none"  # none, ok, or what went wrong
    smallest: float = 0.0  # pt for print, px for screens
    smallest_ok: bool = True
    contrast: float = 21.0
    contrast_ok: bool = True
    contrast_where: str = ""
    print_problems: list[str] = field(default_factory=list)  # print sizes only
    error: str = ""

    @property
    def ok(self) -> bool:
        return (not self.error and not self.overflow and not self.missing and self.qr in ("none", "ok")
                and self.smallest_ok and self.contrast_ok and not self.print_problems)


def _srgb(color) -> tuple[float, float, float, float]:
    return tuple(color.to("srgb"))


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(min(max(c, 0.0), 1.0)) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: tuple[float, ...], bg: tuple[float, ...]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (components 0–1)."""
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _text_boxes(document) -> Iterator[tuple[object, tuple[float, ...]]]:
    """Each drawn text box with the colour of the nearest painted background behind it."""
    def visit(box, background):
        color = box.style["background_color"] if hasattr(box, "style") else None
        if color is not None and _srgb(color)[3] > 0:
            background = _srgb(color)
        if isinstance(box, boxes.TextBox):
            if box.text.strip() and box.style["visibility"] == "visible":
                yield box, background
            return
        for child in getattr(box, "children", ()):
            yield from visit(child, background)

    for page in document.pages:
        yield from visit(page._page_box, (1.0, 1.0, 1.0, 1.0))


def _missing_glyphs(box, fonts: FontMap) -> list[str]:
    families = [name for name in box.style["font_family"] if name in fonts.families]
    return [char for char in dict.fromkeys(box.text)
            if not char.isspace() and not _invisible(char) and not any(fonts.covers(f, char) for f in families)]


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf")


def _has_qr(document) -> bool:
    return any(True for page in document.pages for _ in qr_boxes(page))


def _decode_qr(pdf: bytes, job: Job) -> str:
    import zxingcpp

    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            scale = (1 / 0.75) if job.size.unit == "px" else job.dpi / 72
            image = page.render(scale=scale).to_pil()
            found = [code.text for code in zxingcpp.read_barcodes(image)]
            if found != [job.qr.url]:
                return f"page {index + 1}: read {found or 'nothing'}"
    finally:
        document.close()
    return "ok"


def check_job(job: Job, renderer: Renderer, fonts: FontMap) -> Report:
    """Lay out one asset and judge it."""
    report = Report(job)
    context = build_context(job.kind, job.statement, job.lines, job.design, job.size, fonts, job.dpi, job.qr,
                            job.chapter)
    try:
        document, overflows = renderer.layout(job.kind, context, page_css(job, fonts), allow_overflow=True)
    except AssetsError as exc:
        report.error = str(exc)
        return report
    report.overflow = [o.key for o in overflows]
    print_size = job.size.medium == "print"
    smallest = None
    for box, background in _text_boxes(document):
        for char in _missing_glyphs(box, fonts):
            report.missing.setdefault(char, box.text.strip())
        size_px = box.style["font_size"]
        smallest = size_px if smallest is None else min(smallest, size_px)
        large = size_px >= LARGE_PX or (size_px >= LARGE_BOLD_PX and box.style["font_weight"] >= 700)
        ratio = contrast_ratio(_srgb(box.style["color"]), background)
        if ratio < report.contrast:
            report.contrast, report.contrast_where = ratio, box.text.strip()
            if ratio < (AA_LARGE if large else AA_NORMAL):
                report.contrast_ok = False
    if smallest is not None:
        if print_size:
            report.smallest = smallest / CSS_PX_PER_PT
            report.smallest_ok = report.smallest >= MIN_PRINT_PT
        else:
            report.smallest = smallest * (job.size.width / (job.size.width_pt * CSS_PX_PER_PT))
            report.smallest_ok = report.smallest >= MIN_SCREEN_PX
    if print_size:
        report.print_problems = print_problems(document, job.size)
    if _has_qr(document):
        report.qr = _decode_qr(document.write_pdf(), job)
    return report


def check(jobs: list[Job], fonts: FontMap) -> Iterator[Report]:
    """Judge every job, one design renderer kept warm per design."""
    renderers: dict[object, Renderer] = {}
    for job in jobs:
        renderer = renderers.get(job.design.path)
        if renderer is None:
            renderer = renderers[job.design.path] = Renderer(job.design, fonts)
        yield check_job(job, renderer, fonts)


def plan_checks(statement: Statement, langs: list[str] | None, designs: list[Design], kinds: list[str] | None,
                size_names: list[str] | None) -> list[Job]:
    """Every language × design × kind × size to check (all of each when not given)."""
    for kind in kinds or ():
        if kind not in KINDS:
            raise UnknownChoice("kind", kind, KINDS)
    known = {s.name for s in registry() if s.kind in KINDS}
    for name in size_names or ():
        if name not in known:
            raise UnknownChoice("size", name, known)
    jobs = []
    for design in designs:
        for kind in kinds or design.kinds:
            if kind not in design.kinds:
                continue
            sizes = [s for s in sizes_for(kind) if not size_names or s.name in size_names]
            for lang in langs or sorted(statement.languages):
                if sizes:
                    jobs += plan(kind, statement, lang, design, sizes, Path("."))
    return jobs


def report_row(report: Report) -> list[str]:
    """One table row: lang, design, size, then each check's verdict."""
    job = report.job
    head = [job.lines.lang, job.design.name, job.size.name]
    if report.error:
        return [*head, "[red]error[/]", "", "", "", "", "", f"[red]{escape(report.error)}[/]"]
    unit = "pt" if job.size.medium == "print" else "px"

    def mark(ok: bool, text: str) -> str:
        # Messages quote designers' text and file names, which may hold [brackets].
        return escape(text) if ok else f"[red]{escape(text)}[/]"

    missing = " ".join(f"{c!r} U+{ord(c):04X}" for c in report.missing)
    return [
        *head,
        mark(not report.overflow, ", ".join(report.overflow) or "ok"),
        mark(not report.missing, f"missing {missing}" if missing else "ok"),
        mark(report.qr in ("none", "ok"), "—" if report.qr == "none" else report.qr),
        mark(report.smallest_ok, f"{report.smallest:.1f} {unit}"),
        mark(report.contrast_ok, f"{report.contrast:.1f}:1"),
        "—" if job.size.medium != "print" else mark(not report.print_problems, "\n".join(report.print_problems) or "ok"),
        "[green]pass[/]" if report.ok else "[red]FAIL[/]",
    ]


def validate_design(design: Design, fonts: FontMap) -> list[str]:
    """What can be judged without laying out: template syntax and font roles (raised); notes on the rest."""
    problems: list[AssetsError] = []
    try:
        check_templates(design)
    except AssetsError as exc:
        problems += exc.problems if isinstance(exc, InvalidInput) else [exc]
    toml = design.path / DESIGN_FILE
    text = toml.read_text("utf-8")
    for role in design.fonts:
        if role not in fonts.roles:
            problems.append(UnknownChoice("font role", role, fonts.roles, where=where_in(toml, text, "fonts")))
    collect(problems)
    notes = []
    missing = [kind for kind in KINDS if kind not in design.kinds]
    if missing:
        notes.append(f"{design.name} makes no {', '.join(missing)}")
    if design.name != design.path.name:
        notes.append(f"name {design.name!r} differs from its folder {design.path.name!r}: "
                     f"its files are named {design.name!r}, and --design finds it by folder")
    return notes


def sample_checks(statement: Statement, design: Design) -> list[Job]:
    """A quick sample for a designer: per kind the widest and the tallest size, in one language per script."""
    by_script: dict[str, str] = {}
    for code in sorted(statement.languages, key=lambda c: (c != statement.default_lang, c)):
        by_script.setdefault(statement.languages[code].script, code)
    jobs = []
    for kind in design.kinds:
        sizes = sorted(sizes_for(kind), key=lambda s: s.ratio)
        picked = list(dict.fromkeys([sizes[0], sizes[-1]]))
        for lang in by_script.values():
            jobs += plan(kind, statement, lang, design, picked, Path("."))
    return jobs
