"""`assets preview --watch`: what a saved file affects, the watcher that re-renders it, the local server.

A `Watcher` keeps the preview sheet current: it polls the design, the
statement and the fonts, and re-renders only the assets a saved file can
change. `serve` shows the sheet on 127.0.0.1, where the page reloads itself
when the sheet's version changes.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from jinja2 import meta, nodes

from assets_cli.designs import DESIGN_FILE, Design, load_design
from assets_cli.errors import AssetsError
from assets_cli.fonts import load_font_map
from assets_cli.generate import Job
from assets_cli.preview import (
    SHEET, VERSION_PATH, Key, PreviewResult, Tile, job_key, plan_preview, preview_folder, render_tile, write_sheet,
)
from assets_cli.render import Renderer
from assets_cli.statements import STATEMENT_FILE, Statement, load_statement

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5

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
