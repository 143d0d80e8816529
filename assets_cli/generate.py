"""Plan assets (statement × language × design × size) and make them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from assets_cli.context import build_context, css_variables
from assets_cli.designs import Design
from assets_cli.errors import AssetsError
from assets_cli.fonts import FontMap
from assets_cli.output import write_atomic
from assets_cli.raster import png_from_pdf
from assets_cli.render import Renderer
from assets_cli.sizes import Size
from assets_cli.statements import KeyLines, Statement

Format = Literal["pdf", "png"]
FORMATS: tuple[Format, ...] = ("pdf", "png")
DPI_RANGE = (36, 600)


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

    def path(self, fmt: Format) -> Path:
        """Where this asset's file of format `fmt` is written."""
        folder = self.out_dir / self.statement.id / self.lines.lang / self.kind
        return folder / f"{self.kind}-{self.size.name}-{self.design.name}.{fmt}"


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

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "kind": self.kind, "size": self.size, "lang": self.lang,
            "design": self.design, "format": self.format, "width": self.width, "height": self.height,
            "unit": self.unit, "sha256": self.sha256,
        }


def check_dpi(dpi: int) -> None:
    """Refuse resolutions that are useless or would make gigapixel PNGs."""
    low, high = DPI_RANGE
    if not low <= dpi <= high:
        raise AssetsError(f"--dpi {dpi} is out of range", hint=f"choose {low} to {high}; 150 suits posters, 300 print")


def plan(kind: str, statement: Statement, lang: str | None, design: Design, sizes: Iterable[Size],
         out_dir: Path, dpi: int | None = None) -> list[Job]:
    """Every job for one kind; validates the language and design before anything renders."""
    lines = statement.lines(lang)
    design.template_for(kind)
    if dpi is not None:
        check_dpi(dpi)
    return [Job(kind, statement, lines, design, size, dpi or size.dpi, out_dir) for size in sizes]


def _page_css(job: Job, fonts: FontMap) -> str:
    size = job.size
    return f"@page {{ size: {size.css_size}; margin: 0 }}\n" + css_variables(size, job.design, fonts)


def make(jobs: list[Job], fonts: FontMap, *, allow_overflow: bool = False) -> Iterator[Written]:
    """Render each job to PDF and PNG, writing files as they are done."""
    renderers: dict[Path, Renderer] = {}
    for job in jobs:
        renderer = renderers.get(job.design.path)
        if renderer is None:
            renderer = renderers[job.design.path] = Renderer(job.design, fonts)
        context = build_context(job.kind, job.statement, job.lines, job.design, job.size, fonts, job.dpi)
        pdf = renderer.pdf(job.kind, context, _page_css(job, fonts), allow_overflow=allow_overflow)
        pixels = job.size.pixels(job.dpi)
        png = png_from_pdf(pdf, pixels, None if job.size.unit == "px" else job.dpi)
        for fmt, data, width, height, unit in (
            ("pdf", pdf, job.size.width, job.size.height, job.size.unit),
            ("png", png, pixels[0], pixels[1], "px"),
        ):
            path = job.path(fmt)
            write_atomic(path, data)
            yield Written(path, job.kind, job.size.name, job.lines.lang, job.design.name, fmt,
                          width, height, unit, hashlib.sha256(data).hexdigest())
