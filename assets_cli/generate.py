"""Plan assets (statement × language × design × size) and make them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from assets_cli.chapters import Chapter
from assets_cli.context import build_context, css_variables
from assets_cli.designs import KIND_PAGES, Design
from assets_cli.errors import AssetsError
from assets_cli.fonts import FontMap
from assets_cli.output import check_writable, write_atomic
from assets_cli.press import cmyk_css, print_pdf
from assets_cli.printcheck import print_problems
from assets_cli.qr import QR, make_qr, tracked_url
from assets_cli.raster import png_from_pdf
from assets_cli.render import Renderer
from assets_cli.sizes import PT_PER_UNIT, Size, resolve_sizes, sizes_for
from assets_cli.statements import KeyLines, Statement

Format = Literal["pdf", "png", "zip"]
FORMATS: tuple[Format, ...] = ("pdf", "png")
DPI_RANGE = (10, 600)
MAX_MEGAPIXELS = 80  # an A2 poster at 300 DPI is 35; a 3 m banner at 300 DPI would be 1,300


@dataclass(frozen=True)
class Job:
    """One asset to make: what goes in and where its files go."""

    kind: str
    statement: Statement
    lines: KeyLines
    design: Design
    size: Size
    dpi: int
    out_dir: Path
    qr: QR
    sheets: tuple[Size, ...] = ()
    chapter: Chapter | None = None
    home: bool = True  # the trim-size PDF and the PNGs
    for_print: bool = False  # the print-shop PDF (PDF/X-4, bleed, crop marks)

    @property
    def folder(self) -> Path:
        """The folder of this asset's kind: per language, or per chapter."""
        if self.chapter is not None:
            return self.out_dir / self.statement.id / "chapters" / self.chapter.slug / self.kind
        return self.out_dir / self.statement.id / self.lines.lang / self.kind

    def path(self, fmt: Format, suffix: str = "") -> Path:
        """Where this asset's file of format `fmt` is written (`suffix`: page or sheet)."""
        # Files travel alone (mailed to a print shop): the name says what it is.
        stem = self.size.name if self.size.name.startswith(f"{self.kind}-") else f"{self.kind}-{self.size.name}"
        owner = f"-{self.chapter.slug}" if self.chapter is not None else ""
        return self.folder / f"{stem}-{self.design.name}{owner}{suffix}.{fmt}"

    def print_path(self) -> Path:
        """Where the print-shop PDF goes: a print/ folder beside the kinds, the one to send to a print shop."""
        return self.folder.parent / "print" / self.path("pdf", "-print").name


@dataclass(frozen=True)
class Written:
    """One file written, as `--json` reports it."""

    path: Path
    kind: str
    size: str
    lang: str
    design: str
    format: Format
    width: float
    height: float
    unit: str
    sha256: str
    for_print: bool = False
    warnings: tuple[str, ...] = ()  # what a print shop would query, for print PDFs

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "kind": self.kind, "size": self.size, "lang": self.lang,
            "design": self.design, "format": self.format, "width": self.width, "height": self.height,
            "unit": self.unit, "print": self.for_print, "sha256": self.sha256,
        }


def check_dpi(dpi: int, sizes: Iterable[Size]) -> None:
    """Refuse resolutions that are useless or would make gigapixel PNGs."""
    low, high = DPI_RANGE
    if not low <= dpi <= high:
        raise AssetsError(f"--dpi {dpi} is out of range", hint=f"choose {low} to {high}; 150 suits posters, 300 print")
    for size in sizes:
        width, height = size.pixels(dpi)
        if width * height > MAX_MEGAPIXELS * 1e6:
            raise AssetsError(f"--dpi {dpi} would make a {width}×{height} px PNG of {size.name}",
                              hint=f"PNGs stop at {MAX_MEGAPIXELS} megapixels; the PDF is the file to print big")


def qr_url(statement: Statement, chapter: Chapter | None, *, source: str, medium: str, utm: bool = True) -> str:
    """Where a QR code or link leads: the chapter's own URL, else the statement's, tracked."""
    if chapter is not None and chapter.url:
        return chapter.url
    return tracked_url(statement.url, source=source, medium=medium, campaign=statement.id,
                       content=chapter.slug if chapter is not None else None, utm=utm)


def plan(kind: str, statement: Statement, lang: str | None, design: Design, sizes: Iterable[Size],
         out_dir: Path, dpi: int | None = None, *, utm: bool = True, sheets: Iterable[Size] = (),
         chapter: Chapter | None = None, home: bool = True, for_print: bool = False) -> list[Job]:
    """Every job for one kind; validates language, design, DPI and QR URL before anything renders.

    `home` makes the trim-size PDF and PNGs, `for_print` the print-shop PDF of each print size.
    """
    sizes = list(sizes)
    lines = statement.lines(chapter.lang if chapter is not None else lang)
    design.template_for(kind)
    if dpi is not None:
        check_dpi(dpi, (s for s in sizes if s.unit != "px"))
    where = chapter.where if chapter is not None and chapter.url else statement.where("url")
    codes = {medium: make_qr(qr_url(statement, chapter, source=kind, medium=medium, utm=utm), where=where)
             for medium in {size.medium for size in sizes}}
    return [Job(kind, statement, lines, design, size, dpi or size.dpi, out_dir, codes[size.medium],
                tuple(sheets) if kind == "leaflet" and home else (), chapter, home,
                for_print and size.medium == "print")
            for size in sizes]


def print_sizes(kind: str, names: list[str] | None) -> list[Size]:
    """The sizes --print makes: those named (each must be a print size), else every print size of `kind`."""
    paper = [size for size in sizes_for(kind) if size.medium == "print"]
    if not names:
        return paper
    for size in resolve_sizes(kind, names):
        if size.medium != "print":
            raise AssetsError(f"--print makes print-shop PDFs, and {size.name} is a screen size",
                              hint=f"print sizes of {kind}: {', '.join(s.name for s in paper)}")
    return resolve_sizes(kind, names)


def page_css(job: Job, fonts: FontMap) -> str:
    """The @page rule and CSS variables of one job."""
    size = job.size
    return f"@page {{ size: {size.css_size}; margin: 0 }}\n" + css_variables(size, job.design, fonts, job.lines)


def make(jobs: list[Job], fonts: FontMap, *, allow_overflow: bool = False) -> Iterator[Written]:
    """Render each job to PDF and PNG (one per page), writing files as they are done."""
    for out_dir in dict.fromkeys(job.out_dir for job in jobs):
        check_writable(out_dir)  # before the first render: a bad --out costs nothing
    renderers: dict[Path, Renderer] = {}
    for job in jobs:
        renderer = renderers.get(job.design.path)
        if renderer is None:
            renderer = renderers[job.design.path] = Renderer(job.design, fonts)
        context = build_context(job.kind, job.statement, job.lines, job.design, job.size, fonts, job.dpi, job.qr,
                                job.chapter)
        fitted = renderer.fitted(job.kind, context, page_css(job, fonts), allow_overflow=allow_overflow)
        if job.home:
            yield from _home(job, fitted.document.write_pdf())
        if job.for_print:
            yield _print(job, fitted.restyled(cmyk_css(job.design)))


def _home(job: Job, pdf: bytes) -> Iterator[Written]:
    """The trim-size PDF, a PNG per page, and the leaflet imposed on home-printer sheets."""
    yield _write(job, "pdf", pdf, job.path("pdf"), job.size.name, job.size.width, job.size.height, job.size.unit)
    pixels = job.size.pixels(job.dpi)
    for index, page in enumerate(KIND_PAGES[job.kind]):
        png = png_from_pdf(pdf, pixels, None if job.size.unit == "px" else job.dpi, index)
        suffix = f"-{page}" if page else ""
        yield _write(job, "png", png, job.path("png", suffix), job.size.name, pixels[0], pixels[1], "px")
    for sheet in job.sheets:
        yield _impose(job, pdf, sheet)


def _print(job: Job, document) -> Written:
    path = job.print_path()
    pdf = print_pdf(document, job.size, identity=f"{job.statement.id}/{job.lines.lang}/{path.name}")
    written = _write(job, "pdf", pdf, path, job.size.name, job.size.width, job.size.height, job.size.unit)
    # The file is written either way: a volunteer may still want it, and the shop will say so too.
    return replace(written, for_print=True, warnings=tuple(print_problems(document, job.size)))


def _impose(job: Job, pdf: bytes, sheet: Size) -> Written:
    from assets_cli.impose import impose  # only leaflets on sheets need it

    sheet_pdf, layout = impose(pdf, sheet.width_pt, sheet.height_pt)
    per_unit = PT_PER_UNIT[sheet.unit]
    return _write(job, "pdf", sheet_pdf, job.path("pdf", f"-on-{sheet.name}"), f"{job.size.name}-on-{sheet.name}",
                  round(layout.sheet_width / per_unit, 2), round(layout.sheet_height / per_unit, 2), sheet.unit)


def _write(job: Job, fmt: Format, data: bytes, path: Path, size: str, width: float, height: float,
           unit: str) -> Written:
    write_atomic(path, data)
    return Written(path, job.kind, size, job.lines.lang, job.design.name, fmt, width, height, unit,
                   hashlib.sha256(data).hexdigest())
