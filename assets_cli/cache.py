"""The build cache: an asset whose inputs have not changed since its files were written is not made again.

Each job gets a key, a digest of everything its files depend on: the tool (its
own source and the libraries that draw), the design folder (templates, CSS,
pictures), the fonts folder, and the job itself (statement fields, the
language's key lines, the chapter's row, size, DPI, QR link, options). Editing
es.toml changes only Spanish keys; editing a design only that design's.

One small JSON record per job, in OUT/.cache/, holds the key and the files it
wrote. One file a job (not one manifest) because shards of a CI matrix build
disjoint jobs on different machines: their output folders merge by copying.
A file counts as still there when its size and modification time match the
record, or (after a copy, which changes times) when its SHA-256 does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from assets_cli import __version__
from assets_cli.generate import Job, Written
from assets_cli.output import write_atomic

log = logging.getLogger(__name__)

CACHE_DIR = ".cache"
RECORD_VERSION = 1
# What draws the files: a new version of any may change a pixel.
LIBRARIES = ("weasyprint", "pydyf", "pypdfium2", "pillow", "fpng", "qrcode", "fonttools", "jinja2", "tinycss2",
             "cssselect2")
PACKAGE = Path(__file__).resolve().parent
SKIP_PARTS = {"__pycache__", "starter"}  # the starter is copied by `init`, never drawn


def _digest_files(root: Path, skip: set[str] = frozenset()) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part.startswith(".") or part in skip for part in relative.parts):
            continue
        digest.update(relative.as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@cache
def tool_digest() -> str:
    """This tool's source and data, the drawing libraries' versions and the fixed PDF date."""
    digest = hashlib.sha256(f"assets {__version__} record {RECORD_VERSION}\0".encode())
    digest.update(_digest_files(PACKAGE, SKIP_PARTS).encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name} {metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} -\0".encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "0").encode())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """A dataclass as JSON-able data, without where it was read from (paths move, contents matter)."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("path", "row", "languages", "version")}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class Keys:
    """Cache keys for one batch: each folder is read and digested once a batch, not once a job."""

    def __init__(self, fonts_root: Path, *, allow_overflow: bool = False):
        self.fonts_root = fonts_root
        self.allow_overflow = allow_overflow
        self._folders: dict[Path, str] = {}
        self._plains: dict[int, tuple[Any, Any]] = {}  # jobs of a batch share their statement, lines and design

    def _folder(self, folder: Path) -> str:
        if folder not in self._folders:
            self._folders[folder] = _digest_files(folder.resolve())
        return self._folders[folder]

    def _shared(self, value: Any) -> Any:
        """`_plain(value)`, worked out once for each object a batch's jobs share."""
        found = self._plains.get(id(value))
        if found is None or found[0] is not value:
            found = self._plains[id(value)] = (value, _plain(value))
        return found[1]

    def key(self, job: Job) -> str:
        """The digest of everything `job`'s files depend on."""
        inputs = {
            "tool": tool_digest(),
            "design": self._folder(job.design.path),
            "fonts": self._folder(self.fonts_root),
            "job": {
                "kind": job.kind, "statement": self._shared(job.statement), "lines": self._shared(job.lines),
                "design": self._shared(job.design), "size": _plain(job.size), "dpi": job.dpi, "qr": job.qr.url,
                "sheets": _plain(job.sheets), "chapter": self._shared(job.chapter), "home": job.home,
                "print": job.for_print, "allow_overflow": self.allow_overflow,
            },
        }
        return hashlib.sha256(json.dumps(inputs, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _record_path(out_dir: Path, name: str) -> Path:
    return out_dir / CACHE_DIR / f"{hashlib.sha256(name.encode('utf-8')).hexdigest()[:24]}.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _still_there(out_dir: Path, entry: dict) -> bool:
    path = out_dir / entry["path"]
    try:
        stat = path.stat()
    except OSError:
        return False
    if stat.st_size != entry["bytes"]:
        return False
    return stat.st_mtime_ns == entry["mtime_ns"] or _sha256(path) == entry["sha256"]


def kept(out_dir: Path, name: str, key: str) -> list[dict] | None:
    """The file entries recorded for `name` under `key`, when every file is still there as written."""
    try:
        record = json.loads(_record_path(out_dir, name).read_text("utf-8"))
        if record.get("key") != key or record.get("identity") != name:
            return None
        entries = record["files"]
        return entries if all(_still_there(out_dir, entry) for entry in entries) else None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        # No record, or one from another version or half a copy: make it again.
        log.debug("no usable cache record for %s: %r", name, exc)
        return None


def keep(out_dir: Path, name: str, key: str, files: list[tuple[Path, str, dict]]) -> None:
    """Record that `name` wrote `files` (path, SHA-256, what else to remember) from inputs with `key`."""
    entries = []
    for path, sha256, extra in files:
        stat = path.stat()
        entries.append({"path": path.relative_to(out_dir).as_posix(), "bytes": stat.st_size,
                        "mtime_ns": stat.st_mtime_ns, "sha256": sha256, **extra})
    record = {"identity": name, "key": key, "files": entries}
    # Not flushed to disk: a record lost to a power cut only means making the asset again (`kept` checks it).
    write_atomic(_record_path(out_dir, name), (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8"),
                 durable=False)


def lookup(job: Job, key: str) -> list[Written] | None:
    """The files `job` wrote last time, when its key is unchanged and they are all still there as written."""
    entries = kept(job.out_dir, job.identity, key)
    if entries is None:
        return None
    try:
        return [Written(path=job.out_dir / e["path"], kind=e["kind"], size=e["size"], lang=e["lang"],
                        design=e["design"], format=e["format"], width=e["width"], height=e["height"],
                        unit=e["unit"], sha256=e["sha256"], for_print=e["print"], warnings=tuple(e["warnings"]),
                        reused=True)
                for e in entries]
    except KeyError:
        return None


def store(job: Job, key: str, written: list[Written]) -> None:
    """Remember what `job` wrote under `key`."""
    keep(job.out_dir, job.identity, key, [
        (item.path, item.sha256, {"kind": item.kind, "size": item.size, "lang": item.lang, "design": item.design,
                                  "format": item.format, "width": item.width, "height": item.height,
                                  "unit": item.unit, "print": item.for_print, "warnings": list(item.warnings)})
        for item in written])
