"""`assets preview`: a contact sheet of every size of a design, kept up to date while a designer works.

The sheet is `OUT/preview/<design>/index.html` with small PNGs beside it.
Without watching it is written once; a `Watcher` keeps it current (a saved
file re-renders only the assets it can change) and `serve` shows it on
127.0.0.1, where the page reloads itself when the sheet changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from jinja2 import meta, nodes

from assets_cli.context import build_context
from assets_cli.designs import DESIGN_FILE, KIND_PAGES, KINDS, Design, load_design
from assets_cli.errors import AssetsError, UnknownChoice
from assets_cli.fonts import FontMap, load_font_map
from assets_cli.generate import Job, page_css, plan
from assets_cli.output import write_atomic
from assets_cli.raster import png_from_pdf
from assets_cli.render import Renderer
from assets_cli.scripts import language_name
from assets_cli.sizes import registry, sizes_for
from assets_cli.statements import STATEMENT_FILE, Statement, load_statement

log = logging.getLogger(__name__)

PREVIEW_DIR = "preview"
SHEET = "index.html"
VERSION_PATH = "/__version"
PREVIEW_DPI = 60  # print sizes: enough to judge a layout, a fraction of the raster time
MAX_SIDE = 800  # px, longest side of any preview image: a 3 m banner at 60 DPI would be 7,000 px
TILE_HEIGHT, TILE_WIDTH = 240, 400  # CSS px a tile's pictures may take on the sheet
POLL_SECONDS = 0.5

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


# --- What a saved file affects -------------------------------------------------------------

_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def _local(reference: str, base: Path) -> Path | None:
    """The file a relative reference in `base`'s folder names; None for data:, URLs and template expressions."""
    if not reference or "{" in reference or urlsplit(reference).scheme or reference.startswith(("/", "#")):
        return None
    path = unquote(reference.split("#", 1)[0].split("?", 1)[0])
    return (base.parent / path).resolve() if path else None


def _first(match: re.Match) -> str:
    return next((g for g in match.groups() if g is not None), "")


def _css_files(css: Path, seen: set[Path]) -> None:
    """`css`, the files its url()s name and the stylesheets it @imports, into `seen`."""
    if css in seen:
        return
    seen.add(css)
    try:
        text = css.read_text("utf-8", errors="replace")
    except OSError:
        return
    for match in _IMPORT.finditer(text):
        if (path := _local(_first(match), css)) is not None:
            _css_files(path, seen)
    for match in _URL.finditer(text):
        if (path := _local(_first(match), css)) is not None:
            (_css_files(path, seen) if path.suffix.lower() == ".css" else seen.add(path))


def template_files(design: Design, kind: str) -> set[Path] | None:
    """Every file of the design that `kind`'s template reads, or None when that cannot be told.

    The template, what it includes, extends or imports, the stylesheets it
    links and what they load, the files named in src= and url(), and the
    design's [images] when the template uses `images`.
    """
    if kind not in design.templates:
        return None
    root = design.path.resolve()
    env = jinja2.Environment()
    files: set[Path] = set()
    queue = [design.templates[kind]]
    uses_images = False
    while queue:
        name = queue.pop()
        path = (root / name).resolve()
        if path in files:
            continue
        files.add(path)
        try:
            source = path.read_text("utf-8")
            tree = env.parse(source)
        except (OSError, UnicodeDecodeError, jinja2.TemplateSyntaxError):
            # A broken or missing template: its includes are unknown until it is fixed.
            return None
        for included in meta.find_referenced_templates(tree):
            if included is None:  # {% include some_variable %}
                return None
            queue.append(included)
        uses_images = uses_images or any(n.name == "images" for n in tree.find_all(nodes.Name))
        for tag in _LINK.findall(source):
            attrs = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
                     for m in _ATTR.finditer(tag)}
            if "stylesheet" in attrs.get("rel", "").lower().split():
                if (css := _local(attrs.get("href", ""), root / name)) is not None:
                    _css_files(css, files)
        for match in [*_SRC.finditer(source), *_URL.finditer(source)]:
            if (target := _local(_first(match), root / name)) is not None:
                (_css_files(target, files) if target.suffix.lower() == ".css" else files.add(target))
    if uses_images:
        files |= {(root / image).resolve() for image in design.images.values()}
    return files


def affected(changed: Iterable[Path], jobs: list[Job], design: Design, statement: Statement,
             fonts_dir: Path) -> set[int]:
    """The indices of the jobs that the changed (saved, added or removed) files can change."""
    design_root, statement_root = design.path.resolve(), statement.path.resolve()
    fonts_root = fonts_dir.resolve()
    everything = set(range(len(jobs)))
    kinds_of: dict[Path, set[str]] | None = {}
    for kind in {job.kind for job in jobs}:
        files = template_files(design, kind)
        if files is None:
            kinds_of = None
            break
        for path in files:
            kinds_of.setdefault(path, set()).add(kind)
    hit: set[int] = set()
    for path in (Path(p).resolve() for p in changed):
        if path.is_relative_to(fonts_root):
            return everything
        if path.is_relative_to(design_root):
            if path == design_root / DESIGN_FILE or kinds_of is None or path not in kinds_of:
                return everything  # the design itself, or a file we cannot place: render all
            hit |= {i for i, job in enumerate(jobs) if job.kind in kinds_of[path]}
        elif path.is_relative_to(statement_root) and path.suffix == ".toml":
            if path.name == STATEMENT_FILE:
                return everything
            hit |= {i for i, job in enumerate(jobs) if job.lines.lang == path.stem}
    return hit


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


# --- Watching ----------------------------------------------------------------------------

Snapshot = dict[Path, tuple[int, int]]


def _ignored(relative: Path) -> bool:
    # Editors' swap, backup and lock files come and go on every save (4913: vim's probe).
    return any(part.startswith((".", "#")) or part.endswith(("~", ".swp", ".tmp")) or part == "4913"
               for part in relative.parts)


def _scan(roots: Iterable[Path], skip: Path) -> Snapshot:
    """mtime and size of every file under the roots (skipping `skip`, the preview's own output)."""
    found: Snapshot = {}
    for root in roots:
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if _ignored(path.relative_to(root)) or path.is_relative_to(skip):
                continue
            try:
                stat = path.stat()
            except OSError:  # removed while we looked
                continue
            if not path.is_dir():
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


class Watcher:
    """Keeps a preview sheet current: notices saved files and re-renders only the jobs they affect."""

    def __init__(self, statement: Statement, design: Design, fonts_dir: Path, out_dir: Path, *,
                 langs: Iterable[str] | None = None, kinds: Iterable[str] | None = None,
                 size_names: Iterable[str] | None = None, progress: Callable[[Tile], None] | None = None):
        self.statement, self.design = statement, design
        self.fonts_dir, self.out_dir = fonts_dir, out_dir
        self.selection = (list(langs or ()), list(kinds or ()), list(size_names or ()))
        self.progress = progress
        self.fonts = load_font_map(fonts_dir)
        self.jobs = plan_preview(statement, design, *self.selection, out_dir)
        self.folder = preview_folder(out_dir, design)
        self.version = 0
        self.problems: dict[str, str] = {}
        self.tiles: dict[Key, Tile] = {job_key(job): Tile(job, pending=True) for job in self.jobs}
        self._dirty: list[Key] = list(self.tiles)
        self._lock = threading.Lock()
        self._renderer: Renderer | None = None
        self._snapshot = self._scan()
        self._publish()

    @property
    def roots(self) -> list[Path]:
        """The folders whose files can change the sheet."""
        return [self.design.path.resolve(), self.statement.path.resolve(), self.fonts_dir.resolve()]

    def _scan(self) -> Snapshot:
        return _scan(self.roots, self.out_dir.resolve())

    def close(self) -> None:
        """Stop the renderer's template process."""
        if self._renderer is not None:
            self._renderer.close()
            self._renderer = None

    def status(self) -> dict[str, int]:
        """The sheet's version and how many jobs wait to be rendered (for the page's poll)."""
        with self._lock:
            return {"version": self.version, "rendering": len(self._dirty)}

    def result(self) -> PreviewResult:
        """The sheet as it stands."""
        tiles = [self.tiles[job_key(job)] for job in self.jobs]
        return PreviewResult(self.folder, self.design, self.statement, tiles, list(self.problems.values()))

    def _publish(self) -> None:
        with self._lock:
            self.version += 1
            write_sheet(self.result(), live=True, version=self.version)

    def _reload(self, changed: set[Path]) -> set[Path]:
        """Read again what the changed files describe; returns the changed files that no longer load.

        What fails to load is shown on the page; until it is fixed the sheet
        keeps the last design, statement and fonts that loaded.
        """
        design_file = self.design.path.resolve() / DESIGN_FILE
        statement_root = self.statement.path.resolve()
        statement_files = {p for p in changed if p.is_relative_to(statement_root) and p.suffix == ".toml"}
        font_files = {p for p in changed if p.is_relative_to(self.fonts_dir.resolve())}
        broken: set[Path] = set()
        if design_file in changed and not self._load("design", lambda: load_design(self.design.path)):
            broken.add(design_file)
        if statement_files and not self._load("statement", lambda: load_statement(self.statement.path)):
            broken |= statement_files
        if font_files:
            load_font_map.cache_clear()  # cached per folder for the one-shot commands
            if not self._load("fonts", lambda: load_font_map(self.fonts_dir)):
                broken |= font_files
        self._load("jobs", lambda: plan_preview(self.statement, self.design, *self.selection, self.out_dir))
        keys = {job_key(job) for job in self.jobs}
        self.tiles = {key: tile for key, tile in self.tiles.items() if key in keys}
        for job in self.jobs:
            self.tiles.setdefault(job_key(job), Tile(job, pending=True))
        return broken

    def _load(self, attribute: str, load: Callable[[], object]) -> bool:
        """Set `attribute` to what `load` returns, or keep it and note the problem for the page; True when loaded."""
        try:
            value = load()
        except AssetsError as exc:
            self.problems[attribute] = "\n".join(str(p) for p in getattr(exc, "problems", [exc]))
            log.info("%s: %s", attribute, self.problems[attribute])
            return False
        setattr(self, attribute, value)
        self.problems.pop(attribute, None)
        return True

    def _notice(self) -> bool:
        """Compare the files with the last look; mark what the changes affect. True when anything changed."""
        current = self._scan()
        changed = {p for p in current.keys() | self._snapshot.keys() if current.get(p) != self._snapshot.get(p)}
        self._snapshot = current
        if not changed:
            return False
        log.info("changed: %s", ", ".join(sorted(str(p) for p in changed)))
        # A fresh renderer reads everything as it now is: the renderer keeps
        # parsed stylesheets (and what they @import), its design and fonts.
        self.close()
        hits = affected(changed - self._reload(changed), self.jobs, self.design, self.statement, self.fonts_dir)
        new = [job_key(self.jobs[i]) for i in sorted(hits)]
        keys = {job_key(job) for job in self.jobs}
        with self._lock:
            self._dirty = [k for k in self._dirty if k in keys]
            self._dirty += [k for k in new if k not in self._dirty]
            self._dirty += [k for k, t in self.tiles.items() if t.pending and k not in self._dirty]
        for key in new:
            self.tiles[key].pending = True
        self._publish()
        return True

    def poll_once(self) -> list[Job]:
        """Look for saved files and re-render the jobs they affect, one by one; returns the jobs rendered."""
        self._notice()
        rendered = []
        while self._dirty:
            key = self._dirty[0]
            job = next(j for j in self.jobs if job_key(j) == key)
            if self._renderer is None:
                self._renderer = Renderer(self.design, self.fonts)
            tile = render_tile(job, self._renderer, self.fonts, self.folder)
            with self._lock:
                self._dirty.remove(key)
            self.tiles[key] = tile
            rendered.append(job)
            if self.progress is not None:
                self.progress(tile)
            # Saved again while we rendered: take it into this batch.
            if not self._notice():
                self._publish()
        return rendered


# --- Serving ----------------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    """GET/HEAD of files under the preview folder, and the version endpoint; nothing else."""

    server: PreviewServer

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._respond(body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(body=False)

    def _respond(self, body: bool) -> None:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
        if host not in ("127.0.0.1", "localhost"):
            # A page elsewhere that rebinds its name to 127.0.0.1 gets nothing.
            return self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain", body)
        path = unquote(urlsplit(self.path).path)
        if path == VERSION_PATH:
            data = json.dumps(self.server.status()).encode()
            return self._send(HTTPStatus.OK, data, "application/json", body)
        target = self.server.resolve(path)
        if target is None:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)
        try:
            data = target.read_bytes()
        except OSError:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", body)
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self._send(HTTPStatus.OK, data, kind + ("; charset=utf-8" if kind == "text/html" else ""), body)

    def _send(self, status: HTTPStatus, data: bytes, content_type: str, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server's signature
        log.debug("%s %s", self.address_string(), format % args)


class PreviewServer(ThreadingHTTPServer):
    """Serves one preview folder on 127.0.0.1."""

    daemon_threads = True

    def __init__(self, folder: Path, status: Callable[[], dict], port: int = 8000):
        self.folder = folder.resolve()
        self.status = status
        try:
            super().__init__(("127.0.0.1", port), _Handler)
        except OSError as exc:
            raise AssetsError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror})",
                              hint="choose another --port, or --port 0 for any free one") from None

    @property
    def url(self) -> str:
        """Where the sheet is served."""
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def resolve(self, url_path: str) -> Path | None:
        """The file under the folder that a request path names, or None (outside, missing, a folder)."""
        if "\0" in url_path or "\\" in url_path:
            return None
        relative = url_path.lstrip("/") or SHEET
        target = (self.folder / relative).resolve()
        if not target.is_relative_to(self.folder) or not target.is_file():
            return None
        return target


def serve(watcher: Watcher, port: int = 8000, *, ready: Callable[[str], None] | None = None,
          interval: float = POLL_SECONDS) -> None:
    """Serve the watcher's sheet on 127.0.0.1 and keep it current until interrupted (KeyboardInterrupt)."""
    server = PreviewServer(watcher.folder, watcher.status, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    try:
        if ready is not None:
            ready(server.url)
        while True:
            if not watcher.poll_once():
                time.sleep(interval)
    finally:
        server.shutdown()
        server.server_close()
        watcher.close()
