"""What a template sees: key lines, size, direction, palette and font roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assets_cli.chapters import Chapter
from assets_cli.designs import Design
from assets_cli.fonts import FontMap
from assets_cli.qr import QR
from assets_cli.sizes import PT_PER_UNIT, Size
from assets_cli.statements import KeyLines, Statement


@dataclass(frozen=True)
class Sources:
    """Where the texts of a context came from, for error messages; never shown to templates."""

    statement: Statement
    lines: KeyLines
    chapter: Chapter | None = None

    def texts(self) -> list[tuple[str, str, str]]:
        """(what, where, text) for every text a template may draw: key lines, chapter fields, statement lines."""
        found = [(key, self.lines.where(key), value) for key, value in self.lines.as_context().items()
                 if isinstance(value, str) and value]
        if self.lines.hashtags:
            found.append(("hashtags", self.lines.where("hashtags"), " ".join(self.lines.hashtags)))
        if self.chapter is not None:
            found += [(key, self.chapter.where, value) for key, value in
                      (("name", self.chapter.name), ("city", self.chapter.city), ("event", self.chapter.event))
                      if value]
        found += [(key, self.statement.where(key), value) for key, value in
                  (("organisation", self.statement.organisation), ("title", self.statement.title or ""),
                   ("hashtags", " ".join(self.statement.hashtags))) if value]
        return found


class Context(dict):
    """A template context: a plain dict to Jinja, plus `sources` for messages about its texts."""

    sources: Sources | None = None


def size_context(size: Size, dpi: int | None) -> dict[str, Any]:
    """A size in every unit a template may want."""
    width_px, height_px = size.pixels(dpi)
    return {
        "name": size.name,
        "title": size.title,
        "kind": size.kind,
        "width": size.width,
        "height": size.height,
        "unit": size.unit,
        "width_mm": round(size.width_mm, 2),
        "height_mm": round(size.height_mm, 2),
        "width_pt": round(size.width_pt, 2),
        "height_pt": round(size.height_pt, 2),
        "width_px": width_px,
        "height_px": height_px,
        "ratio": round(size.ratio, 4),
        "ratio_class": size.ratio_class,
        "medium": size.medium,
        "safe": dict(zip(("top", "right", "bottom", "left"), size.safe)),
    }


def css_variables(size: Size, design: Design, fonts: FontMap, lines: KeyLines) -> str:
    """CSS custom properties that let one template scale to any canvas.

    --w and --h are 1 % of the page width and height, --u 1 % of the shorter
    side of its safe area; --safe-top/right/bottom/left are the insets that
    platforms cover; palette entries become --color-NAME, font roles --font-ROLE
    (the families for the language's script first).
    """
    w, h = size.width_pt / 100, size.height_pt / 100
    safe_pt = [edge * PT_PER_UNIT[size.unit] for edge in size.safe]
    # --u follows the safe area: a YouTube banner's text is sized for its
    # visible strip, not for the whole canvas.
    u = min(size.safe_width, size.safe_height) * PT_PER_UNIT[size.unit] / 100
    rules = [
        f"--page-width: {size.width_pt:.3f}pt;",
        f"--page-height: {size.height_pt:.3f}pt;",
        f"--w: {w:.4f}pt;",
        f"--h: {h:.4f}pt;",
        f"--u: {u:.4f}pt;",
    ]
    rules += [f"--safe-{edge}: {value:.3f}pt;" for edge, value in zip(("top", "right", "bottom", "left"), safe_pt)]
    rules += [f"--color-{name}: {value};" for name, value in design.palette.items()]
    rules += [f"--font-{role}: {fonts.stack(role, lines.script, lines.lang)};" for role in design.fonts]
    return ":root { " + " ".join(rules) + " }"


def display_url(url: str) -> str:
    """A URL as people type it: no scheme, no trailing slash."""
    return url.split("://", 1)[-1].rstrip("/")


def build_context(
    kind: str, statement: Statement, lines: KeyLines, design: Design, size: Size, fonts: FontMap, dpi: int | None,
    qr: QR, chapter: Chapter | None = None,
) -> dict[str, Any]:
    """The template context for one asset (`chapter` is None for the general pack)."""
    context = Context({
        "kind": kind,
        "lang": lines.lang,
        "dir": lines.direction,
        "script": lines.script,
        "lines": lines.as_context(),
        "statement": {
            "id": statement.id,
            "title": statement.title,
            "organisation": statement.organisation,
            "url": statement.url,
            "display_url": display_url(statement.url),
            "start": statement.start.isoformat(),
            "end": statement.end.isoformat(),
            "hashtags": list(statement.hashtags),
        },
        "size": size_context(size, dpi),
        "palette": dict(design.palette),
        # Relative to the design's folder, so `<img src="{{ images.hero }}">` and
        # `url({{ images.hero }})` load the file a designer (or chapter) swapped in.
        "images": dict(design.images),
        "fonts": {role: fonts.stack(role, lines.script, lines.lang) for role in design.fonts},
        "qr": {"svg": qr.shown, "url": qr.url, "modules": qr.modules},
        "chapter": chapter.as_context() if chapter is not None else None,
        # The address people type: the chapter's own, else the statement's.
        "link": display_url(chapter.url if chapter is not None and chapter.url else statement.url),
    })
    context.sources = Sources(statement, lines, chapter)
    return context
