"""Jinja2 (sandboxed, autoescaped) → HTML → WeasyPrint layout and fit → PDF."""

from __future__ import annotations

import logging
import os
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.formatting_structure import boxes
from weasyprint.text.fonts import FontConfiguration

from assets_cli.cffitypes import install as install_cffi_types
from assets_cli.designs import KIND_PAGES, Design
from assets_cli.errors import AssetsError, RenderError, collect
from assets_cli.fetcher import DesignFetcher, RefusedResource, UnreadableResource
from assets_cli.fit import Overflow, fit
from assets_cli.fonts import FontMap
from assets_cli.layoutmemo import every_row_measured, install as install_layout_memo
from assets_cli.marginboxes import install as install_margin_boxes
from assets_cli.opaquegroups import install as install_opaque_groups
from assets_cli.pathmemo import install as install_path_memo
from assets_cli.printcheck import MIN_PRINTED_QR_MM, qr_widths_mm
from assets_cli.sandbox import TemplateSandbox
from assets_cli.scripts import keep_words
from assets_cli.stylememo import install as install_style_memo
from assets_cli.svgmemo import install as install_svg_memo
from assets_cli.textmap import install as install_text_map

log = logging.getLogger(__name__)

PAGE_SHEETS_KEPT = 64  # a page's size and language: every size of a kind in a few languages

# fontTools stamps the current time into each subset font's head table; with a
# fixed epoch the same inputs give byte-identical PDFs (packs are checksummed).
os.environ.setdefault("SOURCE_DATE_EPOCH", "0")
install_text_map()
install_layout_memo()
install_path_memo()
install_style_memo()
install_margin_boxes()
install_opaque_groups()
install_cffi_types()
install_svg_memo()


def _remove(root, element) -> None:
    for parent in root.iter():
        if element in list(parent):
            parent.remove(element)
            return


class DesignLoader(jinja2.FileSystemLoader):
    """Templates from the design's folder only: absolute paths, `..` and links out of it are refused."""

    def get_source(self, environment, template):
        root = Path(self.searchpath[0]).resolve()
        parts = template.replace("\\", "/").split("/")
        if template.startswith(("/", "\\")) or ".." in parts or (parts[0].endswith(":") and len(parts[0]) == 2):
            raise jinja2.TemplateNotFound(template, f"{template!r} leads out of the design's folder")
        try:
            source, filename, uptodate = super().get_source(environment, template)
        except jinja2.TemplateNotFound:
            raise jinja2.TemplateNotFound(template, f"{template!r} is not in the design's folder") from None
        if not Path(filename).resolve().is_relative_to(root):
            raise jinja2.TemplateNotFound(template, f"{template!r} leads out of the design's folder")
        return source, filename, uptodate


@contextmanager
def _load_failures() -> Iterator[list[logging.LogRecord]]:
    """WeasyPrint's "failed to load" errors while inside, kept (and kept off the terminal) for one clear error."""
    failures: list[logging.LogRecord] = []

    def keep(record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and str(record.msg).startswith("Failed to"):
            failures.append(record)
            return False
        return True

    logger = logging.getLogger("weasyprint")
    logger.addFilter(keep)
    try:
        yield failures
    finally:
        logger.removeFilter(keep)


def _short(url: str) -> str:
    # A data: URI can be megabytes long; a file URL is kept whole, its end names the file.
    return url if len(url) <= 300 else f"{url[:200]}...{url[-60:]}"


def _drawn_text(document: Document) -> str:
    """Every character the laid-out pages draw as text."""
    seen: dict[str, None] = {}

    def visit(box) -> None:
        if isinstance(box, boxes.TextBox):
            if box.style["visibility"] == "visible":
                seen.update(dict.fromkeys(box.text))
            return
        for child in getattr(box, "children", ()):
            visit(child)

    for page in document.pages:
        visit(page._page_box)
    return "".join(seen)


def _describe(chars: list[str]) -> str:
    return ", ".join(f"{c!r} (U+{ord(c):04X}{' ' + unicodedata.name(c, '') if unicodedata.name(c, '') else ''})"
                     for c in chars[:5]) + (f" and {len(chars) - 5} more" if len(chars) > 5 else "")


@dataclass
class Fitted:
    """A laid-out, fitted asset; `restyled` lays the same fitted page out again with extra CSS."""

    document: Document
    overflows: list[Overflow]
    _again: Callable[[str], Document]

    def restyled(self, css: str) -> Document:
        """The page with `css` added (colours, say): text keeps the sizes the fit pass chose."""
        return self._again(css) if css else self.document


class Renderer:
    """Renders one design's templates; keeps Jinja, fonts and fetcher warm across assets."""

    def __init__(self, design: Design, fonts: FontMap):
        self.design = design
        self.fonts = fonts
        self.fetcher = DesignFetcher([design.path, fonts.root])
        self.env = SandboxedEnvironment(
            loader=DesignLoader(design.path),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["keep_words"] = keep_words
        self.sandbox = TemplateSandbox(self.env)
        self.font_config = FontConfiguration()
        self._font_css = CSS(string=fonts.face_css(), font_config=self.font_config, url_fetcher=self.fetcher)
        self._sheets: dict[tuple[str, int], CSS] = {}
        self._page_sheets: dict[str, CSS] = {}

    def _linked_stylesheets(self, root, base_url: str) -> list[CSS]:
        """The design's <link rel=stylesheet> files, parsed once and taken out of the page.

        The fit pass lays a page out a few dozen times; WeasyPrint would fetch
        and parse every linked file each time.
        """
        sheets = []
        for link in [e for e in root.iter() if e.tag == "link"]:
            if "stylesheet" not in (link.get("rel") or "").lower().split() or not link.get("href"):
                continue
            url = urljoin(base_url, link.get("href"))
            path = self.fetcher.allows(url)
            if path is None:
                raise RefusedResource(url)
            key = (str(path), Path(path).stat().st_mtime_ns if isinstance(path, Path) else 0)
            if key not in self._sheets:
                self._sheets[key] = CSS(url=url, font_config=self.font_config, url_fetcher=self.fetcher)
            sheets.append(self._sheets[key])
            _remove(root, link)
        return sheets

    def _page_sheet(self, page_css: str) -> CSS:
        """The job's @page rule and variables, parsed once per text.

        Computed styles are kept for a set of stylesheets (`stylememo`): with the same sheet, the next
        chapter's card in a language and size finds most of its styles computed by the one before.
        """
        sheet = self._page_sheets.pop(page_css, None)
        if sheet is None:
            sheet = CSS(string=page_css, font_config=self.font_config, url_fetcher=self.fetcher)
            if len(self._page_sheets) >= PAGE_SHEETS_KEPT:
                self._page_sheets.pop(next(iter(self._page_sheets)))
        self._page_sheets[page_css] = sheet  # most recently used last
        return sheet

    def html(self, kind: str, context: dict[str, Any]) -> str:
        """The template of `kind` filled with `context` (in the sandbox process)."""
        name = self.design.template_for(kind)
        return self.sandbox.render(name, context, where=str(self.design.path / name))

    def close(self) -> None:
        """Stop the template process."""
        self.sandbox.close()

    def layout(self, kind: str, context: dict[str, Any], page_css: str, *, allow_overflow: bool = False):
        """Lay out and fit the asset: its WeasyPrint document and what still overflows.

        Characters no font can draw are left for the caller to report (`assets check`, the preview).
        """
        fitted = self.fitted(kind, context, page_css, allow_overflow=allow_overflow, check_glyphs=False)
        return fitted.document, fitted.overflows

    def fitted(self, kind: str, context: dict[str, Any], page_css: str, *, allow_overflow: bool = False,
               check_glyphs: bool = True) -> Fitted:
        """Lay out and fit the asset, keeping what it takes to lay the fitted page out again.

        With `check_glyphs`, text that no font of the font map can draw (it would print as empty boxes) is an error.
        """
        markup = self.html(kind, context)
        where = str(self.design.path / self.design.template_for(kind))
        with _load_failures() as failures:
            return self._fitted(kind, context, page_css, markup, where, failures, allow_overflow=allow_overflow,
                                check_glyphs=check_glyphs)

    @staticmethod
    def _origin(context: dict[str, Any], key: str, default: str) -> str:
        """Where the text `key` (a data-fit name: a key line, a chapter's event) came from, else `default`."""
        sources = getattr(context, "sources", None)
        if sources is None:
            return default
        return next((origin for what, origin, _ in sources.texts() if what == key), default)

    def _undrawable(self, document: Document, context: dict[str, Any], where: str) -> list[RenderError]:
        """One error per text holding characters no font of the map has, naming the text's file and line."""
        missing = self.fonts.undrawable(_drawn_text(document))
        if not missing:
            return []
        sources = getattr(context, "sources", None)
        texts = sources.texts() if sources is not None else [
            (key, f"{context.get('lang')}.toml", value) for key, value in context.get("lines", {}).items()
            if isinstance(value, str)]
        fonts_toml = self.fonts.root / "fonts.toml"
        hint = f"remove them, or add a font that has them to {fonts_toml}"
        problems, left = [], list(missing)
        for what, origin, text in texts:
            chars = [c for c in missing if c in text or c.lower() in text or c.upper() in text]
            if chars:
                problems.append(RenderError(f"{what}: no font in {self.fonts.root} can draw {_describe(chars)}",
                                            where=origin, hint=hint))
                left = [c for c in left if c not in chars]
        if left:
            problems.append(RenderError(f"the template draws {_describe(left)}, which no font in {self.fonts.root} has",
                                        where=where, hint=hint))
        return problems

    def _fitted(self, kind: str, context: dict[str, Any], page_css: str, markup: str, where: str,
                failures: list[logging.LogRecord], *, allow_overflow: bool, check_glyphs: bool) -> Fitted:
        extra = self._page_sheet(page_css)
        try:
            base_url = self.design.path.as_uri() + "/"
            document_source = HTML(string=markup, base_url=base_url, url_fetcher=self.fetcher)
            stylesheets = [self._font_css, *self._linked_stylesheets(document_source.etree_element, base_url), extra]

            def layout():
                return document_source.render(stylesheets=stylesheets, font_config=self.font_config)

            pages = len(KIND_PAGES[kind])
            document, overflows = fit(layout, document_source.etree_element, pages)
            if len(document.pages) > pages:
                # Overflowing pages are laid out as WeasyPrint would: the fit only needed to know they overflow.
                with every_row_measured():
                    document = layout()
            if failures:
                record = failures[0]
                url = str(record.args[0]) if isinstance(record.args, tuple) and record.args else ""
                raise RenderError(f"could not load {_short(url)}" if url else record.getMessage(), where=where,
                                  hint="pictures must be PNG, JPEG, GIF, WebP or SVG files that open")
            if check_glyphs:
                collect(self._undrawable(document, context, where))
            if overflows and not allow_overflow:
                names = ", ".join(f"{o.key!r}" for o in overflows)
                raise RenderError(
                    f"{names} does not fit at {context['size']['name']} in {context['lang']} even at its smallest size "
                    f"in the {self.design.name} design", where=self._origin(context, overflows[0].key, where),
                    hint="shorten the text or pass --allow-overflow")
            if len(document.pages) != pages and not allow_overflow:
                raise RenderError(
                    f"{kind} at {context['size']['name']} in {context['lang']} laid out on "
                    f"{len(document.pages)} pages instead of {pages}: content spills over", where=where)
            if context["size"]["medium"] == "print":
                self._check_qr_size(document, where, context)

            def again(css: str) -> Document:
                # The fit pass left its sizes in the page's elements: one layout, no fitting.
                restyle = CSS(string=css, font_config=self.font_config, url_fetcher=self.fetcher)
                return document_source.render(stylesheets=[*stylesheets, restyle], font_config=self.font_config)

            return Fitted(document, overflows, again)
        except AssetsError:
            raise
        except RefusedResource as exc:
            if exc.via is None and (path := self.fetcher.missing(exc.url)) is not None:
                raise RenderError(f"cannot find {path}", where=where,
                                  hint="check the file name, or add the file to the design's folder") from None
            via = f" (asked for by {exc.via.name})" if exc.via is not None else ""
            raise RenderError(f"refused to load {_short(exc.url)}{via}", where=where,
                              hint="designs may load files from their own folder, fonts/ and data: URIs only") from None
        except UnreadableResource as exc:
            raise RenderError(exc.reason, where=str(exc.path),
                              hint="replace the file, or point the design at another picture") from None
        except Exception as exc:  # noqa: BLE001 - WeasyPrint's own failures, shown as one line
            raise RenderError(f"layout failed at {context['size']['name']} in {context['lang']}: "
                              f"{type(exc).__name__}: {exc}", where=where) from exc

    @staticmethod
    def _check_qr_size(document, where: str, context: dict[str, Any]) -> None:
        """Printed QR codes must be at least 20 mm wide to scan."""
        for width_mm in qr_widths_mm(document):
            if width_mm < MIN_PRINTED_QR_MM - 0.05:
                raise RenderError(
                    f"the QR code is {width_mm:.1f} mm wide at {context['size']['name']}; "
                    f"printed codes need {MIN_PRINTED_QR_MM} mm", where=where)



def check_templates(design: Design) -> None:
    """Parse every template of a design; all syntax errors at once, each with file and line."""
    env = SandboxedEnvironment(loader=jinja2.FileSystemLoader(design.path), autoescape=True)
    problems = []
    for path in sorted(design.path.glob("*.html")):
        try:
            env.parse(path.read_text("utf-8"), path.name, str(path))
        except jinja2.TemplateSyntaxError as exc:
            problems.append(RenderError(f"template syntax error: {exc.message}", where=f"{path}:{exc.lineno}"))
        except UnicodeDecodeError:
            problems.append(RenderError("not UTF-8 text", where=str(path)))
    collect(problems)
