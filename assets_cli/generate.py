"""Plan assets (statement × language × design × size) and make them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assets_cli.chapters import Chapter
from assets_cli.context import css_variables
from assets_cli.designs import Design
from assets_cli.errors import AssetsError
from assets_cli.fonts import FontMap
from assets_cli.output import check_writable
from assets_cli.qr import QR, make_qr, tracked_url
from assets_cli.sizes import Size, resolve_sizes, sizes_for
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

    @property
    def identity(self) -> str:
        """Which asset this is, whatever goes into it: folder, kind, size, design, and which files it makes."""
        parts = [self.kind, self.size.name, self.design.name, "home" if self.home else "",
                 "print" if self.for_print else ""]
        return self.folder.relative_to(self.out_dir).as_posix() + "/" + "-".join(p for p in parts if p)

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
    reused: bool = False  # kept from an earlier build: its inputs have not changed

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


def parse_shard(text: str) -> tuple[int, int]:
    """`--shard K/N` as (K, N): this machine's part K of N."""
    index, slash, count = text.partition("/")
    if slash and index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count):
        return int(index), int(count)
    raise AssetsError(f"--shard {text!r} is not K/N with K from 1 to N", hint="e.g. --shard 2/4: the second of 4 parts")


def shard(jobs: list[Job], index: int, count: int) -> list[Job]:
    """Part `index` of `count` (from 1) of the jobs: the same on every machine, every part about as big."""
    ordered = sorted(jobs, key=lambda job: job.identity)
    return [job for number, job in enumerate(ordered) if number % count == index - 1]


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


def make(jobs: list[Job], fonts: FontMap, *, allow_overflow: bool = False, workers: int = 1,
         force: bool = False) -> Iterator[Written]:
    """Each job's files (PDF, PNGs, sheets, print PDF), in the jobs' order, written as they are done.

    A job whose inputs are unchanged since it last wrote its files, all still
    there, is not made again (unless `force`); the others are made by
    `workers` processes at once.
    """
    for _, files in make_each(jobs, fonts, allow_overflow=allow_overflow, workers=workers, force=force):
        yield from files


def make_each(jobs: list[Job], fonts: FontMap, *, allow_overflow: bool = False, workers: int = 1,
              force: bool = False) -> Iterator[tuple[Job, list[Written]]]:
    """As `make`, one job at a time: the job with the files it wrote (or kept)."""
    from assets_cli.cache import Keys, lookup, store

    for out_dir in dict.fromkeys(job.out_dir for job in jobs):
        check_writable(out_dir)  # before the first render: a bad --out costs nothing
    keys = Keys(fonts.root, allow_overflow=allow_overflow)
    planned = [(job, keys.key(job)) for job in jobs]
    kept = [None if force else lookup(job, key) for job, key in planned]
    todo = [job for (job, _), files in zip(planned, kept) if files is None]
    made = _produce(todo, fonts, workers=workers, allow_overflow=allow_overflow)
    try:
        for (job, key), files in zip(planned, kept):
            if files is None:
                files = next(made)
                store(job, key, files)
            yield job, files
    finally:
        made.close()


def _produce(jobs: list[Job], fonts: FontMap, *, workers: int, allow_overflow: bool) -> Iterator[list[Written]]:
    """Each job's files in order: in this process, or in a pool when there is more than one to make."""
    if not jobs:
        return
    if workers > 1 and len(jobs) > 1:
        from assets_cli.pool import produce_all

        yield from produce_all(jobs, fonts, workers=min(workers, len(jobs)), allow_overflow=allow_overflow)
        return
    from assets_cli.produce import Producer

    with Producer(fonts, allow_overflow=allow_overflow) as producer:
        for job in jobs:
            yield producer.produce(job)
