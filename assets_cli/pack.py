"""Packs: one zip per language (or chapter) with every asset, captions, a README, a manifest and a preview."""

from __future__ import annotations

import hashlib
import io
import json
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from assets_cli import __version__
from assets_cli.chapters import Chapter, find_chapter, load_chapters
from assets_cli.designs import Design
from assets_cli.errors import AssetsError, UnknownChoice
from assets_cli.fonts import FontMap
from assets_cli.generate import Job, Written, make_each, plan, qr_url
from assets_cli.output import write_atomic
from assets_cli.scripts import language_name
from assets_cli.sizes import sizes_for
from assets_cli.statements import KeyLines, Statement

PACKS_DIR = "packs"
SHEETS = ("a4", "letter")
# A fixed time for every zip entry: the same inputs give the same zip, byte for byte.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PREVIEW_WIDTH = 1600
THUMB_HEIGHT = 220
ALT_TEXT_MAX = 125


@dataclass(frozen=True)
class Platform:
    """Where a caption is posted, and which card suits it."""

    name: str
    source: str  # utm_source
    sizes: tuple[str, ...]
    limit: int | None = None  # characters, links counted as LINK_LENGTH
    link_in_bio: bool = False


LINK_LENGTH = 23  # X counts every link as 23 characters
PLATFORMS = (
    Platform("Instagram", "instagram", ("ig-square", "ig-portrait", "story"), link_in_bio=True),
    Platform("Facebook", "facebook", ("og", "ig-square", "story")),
    Platform("WhatsApp", "whatsapp", ("story", "ig-square")),
    Platform("X", "x", ("x-post",), limit=280),
    Platform("LinkedIn", "linkedin", ("linkedin-post",)),
    Platform("YouTube", "youtube", ("yt-thumbnail",)),
)


@dataclass(frozen=True)
class Pack:
    """One pack to make: its jobs and where its zip goes."""

    statement: Statement
    lines: KeyLines
    design: Design
    jobs: tuple[Job, ...]
    path: Path
    chapter: Chapter | None = None


def plan_pack(statement: Statement, lang: str | None, design: Design, out_dir: Path, sheets,
              *, chapter: Chapter | None = None, kinds: Iterable[str] | None = None) -> Pack:
    """Every asset of a pack (all kinds the design makes, every size), validated before anything renders."""
    lines = statement.lines(chapter.lang if chapter is not None else lang)
    jobs: list[Job] = []
    for kind in kinds or design.kinds:
        # Print sizes also get their print-shop PDF, in the pack's print/ folder.
        jobs += plan(kind, statement, lines.lang, design, sizes_for(kind), out_dir, sheets=sheets, chapter=chapter,
                     for_print=True)
    name = f"{statement.id}-{lines.lang}" + (f"-{chapter.slug}" if chapter is not None else "")
    return Pack(statement, lines, design, tuple(jobs), out_dir / PACKS_DIR / f"{name}.zip", chapter)


def plan_packs(statement: Statement, design: Design, out_dir: Path, *, langs: list[str] | None = None,
               all_langs: bool = False, chapters_csv: Path | None = None, chapter_ids: list[str] | None = None,
               kinds: list[str] | None = None) -> list[Pack]:
    """Every pack asked for: one per chapter with a chapters file, else one per language."""
    for kind in kinds or ():
        if kind not in design.kinds:
            raise UnknownChoice("kind", kind, design.kinds, where=f"design {design.name}")
    sheets = [size for size in sizes_for("sheet") if size.name in SHEETS]
    if chapters_csv is not None:
        chapters = load_chapters(chapters_csv, statement)
        if chapter_ids:
            chapters = [find_chapter(chapters, wanted) for wanted in dict.fromkeys(chapter_ids)]
        return [plan_pack(statement, None, design, out_dir, sheets, chapter=c, kinds=kinds) for c in chapters]
    if chapter_ids:
        raise AssetsError("--chapter needs --chapters FILE.csv", hint="name the spreadsheet the chapter is in")
    codes = sorted(statement.languages) if all_langs else (langs or [statement.default_lang])
    return [plan_pack(statement, code, design, out_dir, sheets, kinds=kinds) for code in dict.fromkeys(codes)]


@cache
def _texts() -> dict[str, dict[str, str]]:
    return tomllib.loads(resources.files("assets_cli").joinpath("packtext.toml").read_text("utf-8"))


def texts(lang: str) -> dict[str, str]:
    """The pack's own words in `lang` (English where a language has none)."""
    table = _texts()
    return {**table["en"], **table.get(lang, table.get(lang.split("-")[0], {}))}


def _title(pack: Pack) -> str:
    return pack.lines.kicker or pack.statement.title or pack.lines.headline


def readme(pack: Pack, kinds: set[str]) -> str:
    """README.txt in the pack's language: what is inside, which file where, how to print."""
    t = texts(pack.lines.lang)
    english, native = language_name(pack.lines.lang)
    title = t["title"].format(title=_title(pack))
    lines = [title, "=" * len(title), "", t["intro"].format(language=native or english or pack.lines.lang)]
    if pack.chapter is not None:
        lines += ["", t["chapter"].format(chapter=pack.chapter.name)]
    lines += ["", t["inside"], "-" * len(t["inside"]), ""]
    lines += [f"- {t[kind]}" for kind in ("poster", "social", "banner", "leaflet") if kind in kinds]
    lines += [f"- {t[key]}" for key in ("captions", "preview", "manifest")]
    lines += ["", t["printing"], "-" * len(t["printing"]), "", f"- {t['actual_size']}", f"- {t['where']}"]
    if any(job.for_print for job in pack.jobs):
        lines.append(f"- {t['print_shop']}")
    if "leaflet" in kinds:
        lines.append(f"- {t['duplex']}")
    link = qr_url(pack.statement, pack.chapter, source="pack", medium="print")
    lines += ["", f"{t['link']}: {link}", ""]
    return "\n".join(lines)


def _short_post(lines: KeyLines, hashtags: str, limit: int) -> str:
    """The caption if it fits the platform's limit with link and hashtags, else headline and dates."""
    room = limit - LINK_LENGTH - len(hashtags) - 4
    if lines.caption and len(lines.caption) <= room:
        return lines.caption
    short = f"{lines.headline}: {lines.dates}. {lines.call_to_action}"
    return short if len(short) <= room else f"{lines.headline}: {lines.dates}"[:room]


def captions(pack: Pack, images: list[str]) -> str:
    """captions.md: for each platform the card to use, the text, hashtags and a tracked link; then alt texts."""
    t = texts(pack.lines.lang)
    lines, statement = pack.lines, pack.statement
    tags = " ".join(dict.fromkeys((*lines.hashtags, *statement.hashtags)))
    out = [f"# {_title(pack)}", ""]
    for platform in PLATFORMS:
        cards = [name for size in platform.sizes for name in images if f"-{size}-" in name]
        if not cards:
            continue
        link = qr_url(statement, pack.chapter, source=platform.source, medium="social")
        event = pack.chapter.event if pack.chapter is not None and pack.chapter.event else ""
        if platform.limit:
            text = _short_post(lines, tags, platform.limit - (len(event) + 2 if event else 0))
        else:
            text = lines.caption or f"{lines.headline}: {lines.dates}. {lines.call_to_action}"
        if event:
            # The chapter's own call comes first: it is what its followers can act on.
            text = f"{event}\n\n{text}"
        out += [f"## {platform.name}", "", ", ".join(f"`{card}`" for card in cards), "", f"**{t['caption_for']}**", ""]
        out += [text, ""]
        if tags:
            out += [f"{t['hashtags']}: {tags}", ""]
        out += [f"{t['link']}: {link}", ""]
    alt = (lines.alt_text or f"{lines.headline}: {lines.dates}")[:ALT_TEXT_MAX]
    out += [f"## {t['alt_text']}", ""]
    out += [f"- `{name}`: {alt}" for name in images]
    return "\n".join(out) + "\n"


def preview(images: list[tuple[str, Path]]) -> bytes:
    """A contact sheet of every PNG in the pack, in rows by kind, labelled with file names."""
    from assets_cli.raster import encode_png, thumbnail

    font = ImageFont.load_default(size=14)
    placed: list[tuple[int, int, Image.Image, str]] = []
    x = y = 16
    row_height = THUMB_HEIGHT + 24
    last_kind = None
    for name, path in images:
        kind = name.split("/", 1)[0]
        thumb = thumbnail(path, (THUMB_HEIGHT * 3, THUMB_HEIGHT))
        if (last_kind is not None and kind != last_kind) or x + thumb.width > PREVIEW_WIDTH - 16:
            x, y = 16, y + row_height + 12
        placed.append((x, y, thumb, name.split("/", 1)[1]))
        x += thumb.width + 16
        last_kind = kind
    sheet = Image.new("RGB", (PREVIEW_WIDTH, y + row_height + 16), "#eeeeee")
    draw = ImageDraw.Draw(sheet)
    for x, y, thumb, label in placed:
        sheet.paste(thumb, (x, y))
        draw.text((x, y + thumb.height + 4), label[: max(8, thumb.width // 7)], fill="#333333", font=font)
    return encode_png(sheet)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            # PNGs and PDFs are deflated inside already: deflating them again costs seconds and saves 1-3 %.
            info.compress_type = zipfile.ZIP_STORED if name.endswith((".png", ".pdf")) else zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, whatever machine built it
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def _entry(name: str, data: bytes, **fields) -> dict:
    return {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), **fields}


def build_packs(packs: list[Pack], fonts: FontMap, *, progress: Callable[[Written], None] | None = None,
                workers: int = 1, force: bool = False) -> Iterator[Written]:
    """Make (or keep) every asset of the packs, writing each pack's zip once its assets are done.

    One batch for all packs, so a pool of workers starts once, not once a pack.
    """
    made = make_each([job for pack in packs for job in pack.jobs], fonts, workers=workers, force=force)
    try:
        for pack in packs:
            assets: list[tuple[str, Written]] = []
            for _ in pack.jobs:
                _, files = next(made)
                for written in files:
                    if progress is not None:
                        progress(written)
                    assets.append((f"{'print' if written.for_print else written.kind}/{written.path.name}", written))
            yield _finish(pack, assets, force=force)
    finally:
        made.close()


def build_pack(pack: Pack, fonts: FontMap, *, progress: Callable[[Written], None] | None = None,
               workers: int = 1, force: bool = False) -> Written:
    """Make (or keep) every asset of one pack, then write its zip; returns the zip as written."""
    return next(build_packs([pack], fonts, progress=progress, workers=workers, force=force))


def _finish(pack: Pack, assets: list[tuple[str, Written]], *, force: bool) -> Written:
    """Write the pack's zip (atomically), unless no file in it would change."""
    from assets_cli.cache import keep, kept, tool_digest

    images = sorted(name for name, _ in assets if name.endswith(".png"))
    texts_in = {
        "README.txt": readme(pack, {job.kind for job in pack.jobs}).encode("utf-8"),
        "captions.md": captions(pack, images).encode("utf-8"),
    }
    head = {
        "statement": {"id": pack.statement.id, "title": pack.statement.title, "version": pack.statement.version},
        "lang": pack.lines.lang,
        "chapter": {"id": pack.chapter.id, "name": pack.chapter.name} if pack.chapter is not None else None,
        "design": pack.design.name,
        "tool": {"name": "assets", "version": __version__},
    }
    out_dir = pack.path.parent.parent
    name = pack.path.relative_to(out_dir).as_posix()
    key = hashlib.sha256(json.dumps({
        "tool": tool_digest(), "head": head, "assets": sorted((n, w.sha256) for n, w in assets),
        "texts": {n: hashlib.sha256(data).hexdigest() for n, data in texts_in.items()},
    }, sort_keys=True).encode()).hexdigest()
    if not force and (entries := kept(out_dir, name, key)) is not None:
        return Written(pack.path, "pack", "pack", pack.lines.lang, pack.design.name, "zip", 0, 0, "",
                       entries[0]["sha256"], reused=True)
    data = _zip_pack(head, assets, texts_in, images)
    write_atomic(pack.path, data)
    sha256 = hashlib.sha256(data).hexdigest()
    keep(out_dir, name, key, [(pack.path, sha256, {})])
    return Written(pack.path, "pack", "pack", pack.lines.lang, pack.design.name, "zip", 0, 0, "", sha256)


def _zip_pack(head: dict, assets: list[tuple[str, Written]], texts_in: dict[str, bytes], images: list[str]) -> bytes:
    """The pack's zip: the assets, README, captions, a contact sheet and the manifest listing them all."""
    entries: dict[str, bytes] = {}
    files = []
    for name, written in assets:
        entries[name] = written.path.read_bytes()
        files.append(_entry(name, entries[name], kind=written.kind, size=written.size, format=written.format,
                            width=written.width, height=written.height, unit=written.unit,
                            **({"print": True} if written.for_print else {})))
    paths = dict((name, written.path) for name, written in assets)
    extra = {**texts_in, "preview.png": preview([(name, paths[name]) for name in images])}
    for name, data in extra.items():
        entries[name] = data
        files.append(_entry(name, data))
    manifest = {**head, "files": sorted(files, key=lambda f: f["path"])}
    entries["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return _zip(entries)
