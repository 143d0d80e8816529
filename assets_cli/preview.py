"""`assets preview`: a contact sheet of every size of a design.

The sheet is `OUT/preview/<design>/index.html` with small PNGs beside it.
Without watching it is written once; `watch.Watcher` keeps it current and
`watch.serve` shows it on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from assets_cli.context import build_context
from assets_cli.designs import KIND_PAGES, KINDS, Design
from assets_cli.errors import AssetsError, UnknownChoice
from assets_cli.fonts import FontMap
from assets_cli.generate import Job, page_css, plan
from assets_cli.output import check_writable, write_atomic
from assets_cli.raster import png_from_pdf
from assets_cli.render import Renderer
from assets_cli.scripts import language_name
from assets_cli.sizes import registry, sizes_for
from assets_cli.statements import Statement

log = logging.getLogger(__name__)

PREVIEW_DIR = "preview"
SHEET = "index.html"
VERSION_PATH = "/__version"
PREVIEW_DPI = 60  # print sizes: enough to judge a layout, a fraction of the raster time
MAX_SIDE = 800  # px, longest side of any preview image: a 3 m banner at 60 DPI would be 7,000 px
TILE_HEIGHT, TILE_WIDTH = 240, 400  # CSS px a tile's pictures may take on the sheet

Key = tuple[str, str, str]  # kind, language, size name


def preview_folder(out_dir: Path, design: Design) -> Path:
    """Where a design's sheet and its images go: OUT/preview/<design>/."""
    return out_dir / PREVIEW_DIR / design.name


def job_key(job: Job) -> Key:
    """What identifies a job across re-plans: kind, language and size."""
    return job.kind, job.lines.lang, job.size.name


def plan_preview(statement: Statement, design: Design, langs: Iterable[str] | None, kinds: Iterable[str] | None,
                 size_names: Iterable[str] | None, out_dir: Path) -> list[Job]:
    """Every job of the sheet: kinds × languages × sizes (default: all kinds, the statement's language, all sizes)."""
    kinds = list(dict.fromkeys(kinds or design.kinds))
    size_names = list(dict.fromkeys(size_names or ()))
    for kind in kinds:
        if kind not in KINDS:
            raise UnknownChoice("kind", kind, KINDS)
    known = {s.name for s in registry() if s.kind in kinds}
    for name in size_names:
        if name not in known:
            raise UnknownChoice("size", name, known)
    jobs = []
    for kind in kinds:
        sizes = [s for s in sizes_for(kind) if not size_names or s.name in size_names]
        if not sizes:
            continue
        for lang in dict.fromkeys(langs or [statement.default_lang]):
            jobs += plan(kind, statement, lang, design, sizes, out_dir)
    return jobs


@dataclass(frozen=True)
class Picture:
    """One preview PNG of a page of an asset."""

    page: str  # "" for single pages, else "front"/"back"
    href: str  # relative to the sheet
    width: int
    height: int
    digest: str  # of the PNG: busts the browser's cache when it changes


@dataclass
class Tile:
    """What the sheet shows for one job: its pictures, or what went wrong."""

    job: Job
    pictures: list[Picture] = field(default_factory=list)
    overflow: list[str] = field(default_factory=list)
    warning: str = ""
    error: str = ""
    seconds: float = 0.0
    pending: bool = False

    @property
    def problem(self) -> str:
        """What is wrong with this asset, in one line ("" when nothing is)."""
        if self.error:
            return self.error
        notes = [f"overflows: {', '.join(self.overflow)}"] if self.overflow else []
        return "; ".join(notes + ([self.warning] if self.warning else []))

    @property
    def anchor(self) -> str:
        """The tile's id on the sheet: kind-lang-size."""
        return "-".join(job_key(self.job))


@dataclass
class PreviewResult:
    """A sheet's content: its folder and a tile per job, in plan order."""

    folder: Path
    design: Design
    statement: Statement
    tiles: list[Tile]
    problems: list[str] = field(default_factory=list)  # files that no longer load, shown above the tiles


def preview_pixels(job: Job) -> tuple[int, int]:
    """The preview PNG's size: print at PREVIEW_DPI, screens at their pixels, both within MAX_SIDE."""
    width, height = job.size.pixels(None if job.size.unit == "px" else PREVIEW_DPI)
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def render_tile(job: Job, renderer: Renderer, fonts: FontMap, folder: Path) -> Tile:
    """Lay out one job as the real command would, and write its preview PNGs; failures become the tile's error."""
    tile = Tile(job)
    started = time.perf_counter()
    try:
        context = build_context(job.kind, job.statement, job.lines, job.design, job.size, fonts, job.dpi, job.qr,
                                job.chapter)
        document, overflows = renderer.layout(job.kind, context, page_css(job, fonts), allow_overflow=True)
        tile.overflow = [o.key for o in overflows]
        pages = KIND_PAGES[job.kind]
        if len(document.pages) != len(pages):
            tile.warning = f"laid out on {len(document.pages)} pages instead of {len(pages)}: content spills over"
        pdf = document.write_pdf()
        pixels = preview_pixels(job)
        kind, lang, size = job_key(job)
        for index, page in enumerate(pages[:len(document.pages)]):
            png = png_from_pdf(pdf, pixels, None, index)
            href = f"{lang}/{kind}/{size}{'-' + page if page else ''}.png"
            write_atomic(folder / href, png)
            tile.pictures.append(Picture(page, href, *pixels, hashlib.sha256(png).hexdigest()[:12]))
    except AssetsError as exc:
        tile.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one broken asset must not take the sheet (or the watcher) down
        log.debug("preview of %s failed", job_key(job), exc_info=True)
        tile.error = f"{type(exc).__name__}: {exc}"
    tile.seconds = time.perf_counter() - started
    return tile


def render_preview(jobs: list[Job], fonts: FontMap, out_dir: Path, only: Iterable[int] | None = None,
                   previous: PreviewResult | None = None,
                   progress: Callable[[Tile, int, int], None] | None = None) -> PreviewResult:
    """Render the jobs' preview PNGs (only those at the indices in `only`, the rest kept from `previous`)."""
    if not jobs:
        raise AssetsError("nothing to preview", hint="check --kind and --size")
    design, statement = jobs[0].design, jobs[0].statement
    folder = preview_folder(out_dir, design)
    check_writable(folder)  # else every tile would fail on its own, after its render
    wanted = set(range(len(jobs)) if only is None else only)
    kept = {job_key(t.job): t for t in previous.tiles} if previous is not None else {}
    renderer = Renderer(design, fonts)
    tiles = []
    done = 0
    try:
        for index, job in enumerate(jobs):
            if index in wanted:
                tile = render_tile(job, renderer, fonts, folder)
                done += 1
                if progress is not None:
                    progress(tile, done, len(wanted))
            else:
                tile = kept.get(job_key(job)) or Tile(job, pending=True)
            tiles.append(tile)
    finally:
        renderer.close()
    return PreviewResult(folder, design, statement, tiles)


# --- The sheet -------------------------------------------------------------------------

SHEET_CSS = """
:root { --ink: #1d1d1f; --muted: #6b6b70; --line: #d8d6d2; --paper: #fff; --ground: #ecebe8; --red: #c4161c;
        --warn-bg: #fdecec; color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: var(--ground); }
header { position: sticky; top: 0; z-index: 2; display: flex; flex-wrap: wrap; align-items: baseline;
         gap: 0.3rem 1.2rem; padding: 0.7rem 1.5rem; background: var(--ink); color: #fff; }
header h1 { margin: 0; font-size: 1.15rem; }
header h1 span { font-weight: 400; color: #b9b9bf; }
header p { margin: 0; color: #cfcfd4; }
header nav { margin-inline-start: auto; display: flex; gap: 0.9rem; }
header nav a { color: #fff; text-decoration: none; border-bottom: 1px solid #777; }
.count-bad { color: #ff8a8a; font-weight: 600; }
.live { display: inline-flex; align-items: center; gap: 0.35rem; }
.live::before { content: ""; width: 0.55rem; height: 0.55rem; border-radius: 50%; background: #3ccf6e; }
body[data-state="busy"] .live::before { background: #ffc83d; }
body[data-state="offline"] .live::before { background: #888; }
main { padding: 0.5rem 1.5rem 3rem; }
.problem { margin: 1rem 0; padding: 0.8rem 1rem; background: var(--warn-bg); border-inline-start: 4px solid var(--red);
           color: var(--red); white-space: pre-wrap; font: 13px/1.4 ui-monospace, Menlo, Consolas, monospace; }
h2 { margin: 1.6rem 0 0.2rem; font-size: 1.35rem; text-transform: capitalize; }
h3 { margin: 0.6rem 0 0.6rem; font-size: 0.95rem; font-weight: 600; color: var(--muted); }
h3 code { font-weight: 400; }
.tiles { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { display: flex; flex-direction: column; margin: 0; padding: 0.6rem; background: var(--paper);
         border: 1px solid var(--line); border-radius: 6px; width: min-content; min-width: 13rem; }
figure.flagged { border-color: var(--red); box-shadow: 0 0 0 1px var(--red); }
figure:target { outline: 3px solid #3b82f6; }
/* Tiles on a line stretch to the tallest; pictures sit on the line's bottom edge, above their captions. */
.pictures { flex: 1; display: flex; justify-content: center; align-items: flex-end; gap: 0.5rem; }
.pictures img { display: block; outline: 1px solid rgba(0, 0, 0, 0.15); }
.pictures .page { display: flex; flex-direction: column; align-items: center; gap: 0.15rem; }
.pictures .page span { font-size: 11px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }
.pending .pictures { opacity: 0.35; }
.pending .name::after { content: "rendering…"; margin-inline-start: 0.4rem; color: #b7791f; }
figcaption { margin-top: 0.5rem; }
.name { font-weight: 600; }
.name code { font-weight: 400; color: var(--muted); margin-inline-start: 0.3rem; white-space: nowrap; }
.dims { color: var(--muted); font-size: 12.5px; }
.note { margin: 0.3rem 0 0; color: var(--red); font-weight: 600; font-size: 12.5px; overflow-wrap: anywhere; }
.error { height: 240px; width: 320px; margin: 0; padding: 0.7rem; overflow: auto; background: var(--warn-bg);
         border: 1px dashed var(--red); color: var(--red); white-space: pre-wrap; overflow-wrap: anywhere;
         font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; }
.empty { display: flex; align-items: center; justify-content: center; height: 240px; width: 170px;
         background: #f6f6f4; border: 1px dashed var(--line); color: var(--muted); }
footer { padding: 0 1.5rem 2rem; color: var(--muted); font-size: 12.5px; }
"""

# Polls the watcher and reloads when the sheet changed. Only over http(s): the
# same file opened from disk has no server to ask.
LIVE_SCRIPT = """
(function () {
  if (!/^https?:$/.test(location.protocol)) return;
  var version = %d;
  function tick() {
    fetch("%s", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.version !== version) { location.reload(); return; }
      document.body.dataset.state = s.rendering ? "busy" : "live";
      setTimeout(tick, 500);
    }).catch(function () { document.body.dataset.state = "offline"; setTimeout(tick, 2000); });
  }
  setTimeout(tick, 500);
})();
"""


def _dimensions(job: Job) -> list[str]:
    """The asset's size as lines for its caption: the page (in mm too) and the real PNG's pixels."""
    size = job.size
    if size.unit == "px":
        return [f"{size.width:g} × {size.height:g} px"]
    page = f"{size.width:g} × {size.height:g} {size.unit}"
    if size.unit != "mm":
        page += f" ({size.width_mm:.0f} × {size.height_mm:.0f} mm)"
    width, height = size.pixels(job.dpi)
    return [page, f"PNG {width} × {height} px at {job.dpi} DPI"]


def _language(code: str) -> str:
    english, native = language_name(code)
    if native and native != english:
        return f'{escape(english or code)} · <span lang="{escape(code)}" dir="auto">{escape(native)}</span>'
    return escape(english or code)


def _shown(picture: Picture, pages: int) -> tuple[int, int]:
    """The CSS size of a picture on the sheet: as tall as a tile allows, wide shapes within its width."""
    scale = min(TILE_HEIGHT / picture.height, TILE_WIDTH / pages / picture.width)
    return round(picture.width * scale), round(picture.height * scale)


def _tile_html(tile: Tile) -> str:
    job = tile.job
    classes = " ".join(["tile", *(["pending"] if tile.pending else []), *(["flagged"] if tile.problem else [])])
    parts = [f'<figure class="{classes}" id="{escape(tile.anchor)}">', '<div class="pictures">']
    alt = job.lines.alt_text or job.lines.headline
    if tile.error:
        parts.append(f'<pre class="error">{escape(tile.error)}</pre>')
    elif not tile.pictures:
        parts.append('<div class="empty">not rendered yet</div>')
    for picture in tile.pictures if not tile.error else ():
        width, height = _shown(picture, len(tile.pictures))
        src = f"{escape(picture.href)}?v={picture.digest}"
        image = (f'<a href="{src}"><img src="{src}" width="{width}" height="{height}" alt="{escape(alt)}" '
                 f'lang="{escape(job.lines.lang)}" dir="{job.lines.direction}"></a>')
        parts.append(f'<div class="page">{image}<span>{escape(picture.page)}</span></div>' if picture.page else image)
    parts.append("</div>")
    parts.append(f'<figcaption><div class="name">{escape(job.size.title)}<code>{escape(job.size.name)}</code></div>'
                 + "".join(f'<div class="dims">{escape(line)}</div>' for line in _dimensions(job)))
    if tile.overflow:
        parts.append(f'<p class="note" title="does not fit its box even at its smallest size">'
                     f'overflows: {escape(", ".join(tile.overflow))}</p>')
    if tile.warning:
        parts.append(f'<p class="note">{escape(tile.warning)}</p>')
    parts.append("</figcaption></figure>")
    return "".join(parts)


def sheet_html(result: PreviewResult, *, live: bool = False, version: int = 0) -> str:
    """The contact sheet: tiles grouped by kind, then language; with `live`, a script that reloads on change."""
    design, statement = result.design, result.statement
    kinds = list(dict.fromkeys(t.job.kind for t in result.tiles))
    failed = sum(1 for t in result.tiles if t.error)
    overflowing = sum(1 for t in result.tiles if t.overflow or t.warning)
    pending = sum(1 for t in result.tiles if t.pending)
    counts = [f"{len(result.tiles)} assets"]
    if failed:
        counts.append(f'<span class="count-bad">{failed} failed</span>')
    if overflowing:
        counts.append(f'<span class="count-bad">{overflowing} overflow</span>')
    if pending:
        counts.append(f"{pending} rendering")
    state = "busy" if pending else "live"
    parts = [
        "<!doctype html>",
        '<html lang="en" dir="ltr">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Preview: {escape(design.title)}</title>",
        '<link rel="icon" href="data:,">',  # no favicon request
        f"<style>{SHEET_CSS}</style>",
        "</head>",
        f'<body data-state="{state}">',
        f"<header><h1>{escape(design.title)} <span>{escape(design.name)} · {escape(statement.id)}</span></h1>",
        f"<p>{' · '.join(counts)}</p>",
    ]
    if live:
        parts.append('<p class="live">live: reloads when you save</p>')
    parts.append('<nav aria-label="kinds">' + "".join(f'<a href="#{escape(k)}">{escape(k)}</a>' for k in kinds)
                 + "</nav></header>")
    parts.append("<main>")
    parts += [f'<pre class="problem"><b>Not reloaded; the sheet shows the last version that loaded.</b>\n'
              f"{escape(problem)}</pre>" for problem in result.problems]
    for kind in kinds:
        parts.append(f'<section id="{escape(kind)}"><h2>{escape(kind)}</h2>')
        tiles = [t for t in result.tiles if t.job.kind == kind]
        for lang in dict.fromkeys(t.job.lines.lang for t in tiles):
            parts.append(f"<h3>{_language(lang)} <code>{escape(lang)}</code></h3>")
            group = [t for t in tiles if t.job.lines.lang == lang]
            parts.append('<div class="tiles">')
            parts += [_tile_html(t) for t in group]
            parts.append("</div>")
        parts.append("</section>")
    parts.append("</main>")
    hint = ("Saved files re-render what they affect; the page follows." if live
            else "A snapshot: <code>assets preview --watch</code> keeps it up to date while you work.")
    parts.append(f"<footer>Laid out as <code>assets {escape('/'.join(kinds))}</code> makes them; previewed at "
                 f"{PREVIEW_DPI} DPI (print) and within {MAX_SIDE} px. {hint}</footer>")
    if live:
        parts.append(f"<script>{LIVE_SCRIPT % (version, VERSION_PATH)}</script>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def write_sheet(result: PreviewResult, *, live: bool = False, version: int = 0) -> Path:
    """Write OUT/preview/<design>/index.html; returns its path."""
    path = result.folder / SHEET
    write_atomic(path, sheet_html(result, live=live, version=version).encode("utf-8"))
    return path
