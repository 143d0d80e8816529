"""Render one job to its files: fit, the PDF, a PNG per page, imposed sheets, the print-shop PDF.

Kept apart from planning so that a rebuild with nothing to render never loads WeasyPrint.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from assets_cli.context import build_context
from assets_cli.designs import KIND_PAGES
from assets_cli.fonts import FontMap
from assets_cli.generate import Format, Job, Written, page_css
from assets_cli.heap import collect_less, keep_freed_memory
from assets_cli.output import write_atomic
from assets_cli.press import cmyk_css, print_pdf, srgb_css
from assets_cli.recolour import recolour, screen_colours
from assets_cli.printcheck import print_problems
from assets_cli.raster import png_from_pdf
from assets_cli.render import Renderer
from assets_cli.sizes import PT_PER_UNIT, Size


class Producer:
    """Makes jobs' files; keeps one warm renderer per design until closed."""

    def __init__(self, fonts: FontMap, *, allow_overflow: bool = False):
        self.fonts = fonts
        self.allow_overflow = allow_overflow
        self._renderers: dict[Path, Renderer] = {}
        keep_freed_memory()
        collect_less()

    def produce(self, job: Job) -> list[Written]:
        """Render `job` and write its files; returns them as written."""
        renderer = self._renderers.get(job.design.path)
        if renderer is None:
            renderer = self._renderers[job.design.path] = Renderer(job.design, self.fonts)
        context = build_context(job.kind, job.statement, job.lines, job.design, job.size, self.fonts, job.dpi,
                                job.qr, job.chapter)
        css = page_css(job, self.fonts)
        cmyk = cmyk_css(job.design) if job.for_print else ""
        twins = screen_colours(job.design) if cmyk and job.home else None
        if cmyk and (twins is not None or not job.home):
            # Laid out once, in the print palette: the print PDF first, then the same page recoloured for home.
            fitted = renderer.fitted(job.kind, context, css + "\n" + cmyk, allow_overflow=self.allow_overflow)
            printed = _print(job, fitted.document)
            if not job.home:
                return [printed]
            home = fitted.document if recolour(fitted.document, twins) else fitted.restyled(srgb_css(job.design))
            return [*_home(job, home.write_pdf()), printed]
        fitted = renderer.fitted(job.kind, context, css, allow_overflow=self.allow_overflow)
        written = []
        if job.home:
            written += _home(job, fitted.document.write_pdf())
        if job.for_print:
            written.append(_print(job, fitted.restyled(cmyk)))
        return written

    def close(self) -> None:
        """Stop every renderer's template process."""
        for renderer in self._renderers.values():
            renderer.close()
        self._renderers.clear()

    def __enter__(self) -> Producer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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
