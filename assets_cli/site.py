"""The download page: site/ under the output folder, one page per language, from the packs on disk.

Every link is relative and nothing is loaded from elsewhere (no CDN, no web
fonts), so the folder works from file:// and from any static host.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from contextlib import suppress
from dataclasses import dataclass
from html import escape
from pathlib import Path


from assets_cli.chapters import slugify
from assets_cli.errors import AssetsError
from assets_cli.fonts import FontMap
from assets_cli.output import check_writable, write_atomic, write_if_changed
from assets_cli.pack import PACKS_DIR, texts
from assets_cli.scripts import language_name
from assets_cli.sizes import registry
from assets_cli.statements import Statement

SITE_DIR = "site"
THUMB_WIDTH = 360
KINDS = ("poster", "social", "banner", "leaflet")
TITLES = {(size.kind, size.name): size.title for size in registry()}
# Font files copied beside the pages (relative @font-face), so every language
# switcher entry and heading shows on machines without Devanagari, Hangul or
# Arabic fonts; one text weight per script keeps the page light.
SITE_FONT_WEIGHTS = (400, 500)

CSS = """
:root { --red: #d7141a; --ink: #111; --paper: #fff; --band: #ffd21f; }
* { box-sizing: border-box; }
body { margin: 0; font-family: var(--site-fonts), system-ui, sans-serif; color: var(--ink);
       background: #f4f1ee; line-height: 1.45; }
header { background: var(--red); color: var(--paper); padding: 1.5rem clamp(1rem, 4vw, 3rem); }
header h1 { margin: 0.2rem 0; font-size: clamp(1.6rem, 4vw, 2.6rem); line-height: 1.15; }
header p { margin: 0.4rem 0 0; max-width: 48rem; }
nav { background: var(--ink); padding: 0.5rem clamp(1rem, 4vw, 3rem); }
nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; }
nav a { color: var(--band); text-decoration: none; font-weight: 600; }
nav a[aria-current] { color: var(--paper); text-decoration: underline; }
main { padding: 1rem clamp(1rem, 4vw, 3rem) 3rem; }
h2 { margin: 2rem 0 0.8rem; font-size: 1.5rem; }
h3 { margin: 1.6rem 0 0.6rem; font-size: 1.2rem; }
.packs { display: grid; gap: 0.8rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
.pack { background: var(--paper); border-inline-start: 0.5rem solid var(--red); padding: 0.9rem 1rem; }
.pack a { font-weight: 700; color: var(--red); }
.pack details a { font-weight: 400; color: var(--ink); }
.pack summary { cursor: pointer; margin-top: 0.5rem; }
.files { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); list-style: none;
         padding: 0; margin: 0; }
.files li { background: var(--paper); padding: 0.6rem; }
.files img { display: block; width: 100%; height: auto; background: #ddd; }
.files .name { font-weight: 600; margin: 0.4rem 0 0.2rem; }
.files .size { color: #555; font-size: 0.9rem; margin: 0; }
.files a { color: var(--ink); }
"""


@dataclass(frozen=True)
class PackInfo:
    """A pack on disk, as its manifest describes it."""

    path: Path
    lang: str
    chapter: dict | None
    files: list[dict]
    bytes: int
    statement_id: str


def find_packs(out_dir: Path, statement: Statement) -> list[PackInfo]:
    """The statement's packs under `out_dir/packs/`, read from their manifests."""
    found = [_pack_info(path) for path in sorted((out_dir / PACKS_DIR).glob(f"{statement.id}-*.zip"))]
    return [info for info in found if info.statement_id == statement.id]


def _pack_info(path: Path) -> PackInfo:
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    return PackInfo(path, manifest["lang"], manifest["chapter"], manifest["files"], path.stat().st_size,
                    manifest["statement"]["id"])


def make_thumbs(out_dir: Path, statement: Statement, pack: Path) -> None:
    """The page's thumbnails of a language pack's pictures, made now so that `build_site` finds them made.

    `assets build` calls it as each pack is done, while the workers make the next languages' assets:
    the page, written after the last pack, then has one language's thumbnails left to make, not all.
    """
    info = _pack_info(pack)
    if info.chapter is None and info.statement_id == statement.id:
        _files_section(statement, info.lang, info, out_dir, out_dir / SITE_DIR, texts(info.lang), "")


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def _dimensions(entry: dict) -> str:
    if not entry.get("unit"):
        return ""
    return f"{entry['width']:g}×{entry['height']:g} {entry['unit']}"


def _thumb(source: Path, target: Path, sha256: str, out_dir: Path) -> None:
    """A small copy of `source` (whose SHA-256 is given), made again only when the source changed."""
    from assets_cli.cache import keep, kept, tool_digest

    name = target.relative_to(out_dir).as_posix()
    key = hashlib.sha256(f"{tool_digest()} {sha256} {THUMB_WIDTH}".encode()).hexdigest()
    if kept(out_dir, name, key) is not None:
        return
    from assets_cli.raster import thumbnail

    buffer = io.BytesIO()
    # JPEG, for a page read on phones: 45 KB a thumbnail in 2 ms, where Pillow's PNG took 52 KB and 14 ms
    # (three seconds of every cold build). Full colour resolution keeps red-on-white text clean.
    thumbnail(source, (THUMB_WIDTH, THUMB_WIDTH * 2)).save(buffer, "JPEG", quality=85, subsampling=0)
    # Not flushed to disk: one lost to a power cut no longer matches its record, and is made again.
    write_atomic(target, buffer.getvalue(), durable=False)
    keep(out_dir, name, key, [(target, hashlib.sha256(buffer.getvalue()).hexdigest(), {})])


def _page(statement: Statement, lang: str, packs: list[PackInfo], languages: list[str], out_dir: Path,
          site: Path, font_css: str) -> str:
    t = texts(lang)
    lines = statement.lines(lang)
    english, native = language_name(lang)
    title = t["site_title"].format(title=lines.kicker or statement.title or lines.headline)
    parts = [
        "<!doctype html>",
        f'<html lang="{escape(lang)}" dir="{lines.direction}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title>",
        f"<style>{font_css}{CSS}</style>",
        "</head>",
        "<body>",
        f"<header><p>{escape(lines.organisation or statement.organisation)}</p>",
        f"<h1>{escape(lines.headline)}</h1>",
        f"<p>{escape(lines.dates)}. {escape(t['site_intro'])}</p></header>",
        f'<nav aria-label="{escape(t["site_languages"])}"><ul>',
    ]
    for code in languages:
        code_english, code_native = language_name(code)
        current = ' aria-current="page"' if code == lang else ""
        parts.append(f'<li><a href="{escape(code)}.html" lang="{escape(code)}" hreflang="{escape(code)}"{current}>'
                     f"{escape(code_native or code_english or code)}</a></li>")
    parts += ["</ul></nav>", "<main>", f"<h2>{escape(t['site_packs'])}</h2>", '<div class="packs">']
    own = [p for p in packs if p.lang == lang]
    for pack in sorted(own, key=lambda p: (p.chapter is not None, (p.chapter or {}).get("name", ""))):
        label = (t["site_pack_chapter"].format(chapter=pack.chapter["name"]) if pack.chapter
                 else t["site_pack_language"].format(language=native or english or lang))
        parts.append(f'<div class="pack"><p>{escape(label)}</p>'
                     f'<a href="../{PACKS_DIR}/{escape(pack.path.name)}" download>{escape(t["site_download"])}: '
                     f"<bdi>{escape(pack.path.name)}</bdi></a> (<bdi>{_megabytes(pack.bytes)}</bdi>)")
        if pack.chapter:
            parts += _chapter_files(statement, pack, t)
        parts.append("</div>")
    parts.append("</div>")
    language_pack = next((p for p in own if p.chapter is None), None)
    if language_pack is not None:
        parts.append(f"<h2>{escape(t['site_files'])}</h2>")
        parts += _files_section(statement, lang, language_pack, out_dir, site, t, lines.alt_text or lines.headline)
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def _chapter_files(statement: Statement, pack: PackInfo, t: dict) -> list[str]:
    """A chapter's single files, as plain links under its pack."""
    folder = f"../{statement.id}/chapters/{slugify(pack.chapter['id'])}"
    links = [f'<li><a href="{folder}/{escape(entry["path"])}">{escape(entry["path"].split("/", 1)[1])}</a></li>'
             for entry in pack.files if entry.get("kind") in KINDS]
    return [f"<details><summary>{escape(t['site_files'])}</summary><ul>", *links, "</ul></details>"]


def _files_section(statement: Statement, lang: str, pack: PackInfo, out_dir: Path, site: Path, t: dict,
                   alt: str) -> list[str]:
    parts = []
    by_kind: dict[str, list[dict]] = {}
    printed = {}  # (kind, size) → the print-shop PDF's name
    for entry in pack.files:
        kind = entry.get("kind")
        if kind in KINDS and entry.get("print"):
            printed[kind, entry["size"]] = entry["path"].split("/", 1)[1]
        elif kind in KINDS:
            by_kind.setdefault(kind, []).append(entry)
    for kind in KINDS:
        entries = by_kind.get(kind)
        if not entries:
            continue
        parts += [f"<h3>{escape(t['kind_' + kind])}</h3>", '<ul class="files">']
        pngs = {e["path"]: e for e in entries if e["format"] == "png"}
        for entry in entries:
            if entry["format"] != "pdf":
                continue
            name = entry["path"].split("/", 1)[1]
            stem = name[:-len(".pdf")]
            folder = out_dir / statement.id / lang / kind
            links = [f'<a href="../{statement.id}/{escape(lang)}/{kind}/{escape(name)}">PDF</a>']
            png_names = [p for p in (f"{kind}/{stem}.png", f"{kind}/{stem}-front.png", f"{kind}/{stem}-back.png")
                         if p in pngs]
            links += [f'<a href="../{statement.id}/{escape(lang)}/{kind}/{escape(p.split("/", 1)[1])}">'
                      f'PNG{" " + p.rsplit("-", 1)[-1][:-4] if p.endswith(("-front.png", "-back.png")) else ""}</a>'
                      for p in png_names]
            if (kind, entry["size"]) in printed:
                links.append(f'<a href="../{statement.id}/{escape(lang)}/print/{escape(printed[kind, entry["size"]])}">'
                             f'{escape(t["site_print"])}</a>')
            image = ""
            if png_names:
                source = folder / png_names[0].split("/", 1)[1]
                thumb = (Path("thumbs") / lang / kind / png_names[0].split("/", 1)[1]).with_suffix(".jpg")
                if source.is_file():
                    _thumb(source, site / thumb, pngs[png_names[0]]["sha256"], out_dir)
                    image = f'<img src="{escape(thumb.as_posix())}" alt="{escape(alt)}" loading="lazy">'
            parts.append(f'<li>{image}<p class="name">{escape(TITLES.get((kind, entry["size"]), entry["size"]))}</p>'
                         f'<p class="size" dir="ltr">{escape(_dimensions(entry))}</p><p>{" · ".join(links)}</p></li>')
        parts.append("</ul>")
    return parts


def _site_fonts(fonts: FontMap, site: Path) -> str:
    """Copy one regular text face per script beside the pages; their @font-face rules."""
    rules, families = [], []
    for index, name in enumerate(dict.fromkeys(n for names in fonts.roles.get("text", {}).values() for n in names)):
        files = sorted(fonts.families[name], key=lambda f: (f.weight not in SITE_FONT_WEIGHTS, abs(f.weight - 450)))
        if not files:
            continue
        write_if_changed(site / "fonts" / files[0].path.name, files[0].path.read_bytes())
        # A family each: faces sharing one family name and weight would replace each other.
        families.append(f'"Site Text {index}"')
        rules.append(f'@font-face {{ font-family: "Site Text {index}"; src: url("fonts/{files[0].path.name}"); '
                     f"font-weight: 100 900; }}")
    return "\n".join(rules) + f"\n:root {{ --site-fonts: {', '.join(families)}; }}\n"


def build_site(out_dir: Path, statement: Statement, fonts: FontMap) -> list[Path]:
    """Write site/<lang>.html for every language with a pack, and site/index.html (the default language)."""
    check_writable(out_dir / SITE_DIR)
    packs = find_packs(out_dir, statement)
    if not packs:
        raise AssetsError(f"no packs of {statement.id} in {out_dir / PACKS_DIR}", hint="run assets pack (or assets build) first")
    site = out_dir / SITE_DIR
    languages = sorted({p.lang for p in packs}, key=lambda code: (code != statement.default_lang, code))
    font_css = _site_fonts(fonts, site)
    written = []
    for lang in languages:
        html = _page(statement, lang, packs, languages, out_dir, site, font_css).encode("utf-8")
        for name in ([f"{lang}.html", "index.html"] if lang == languages[0] else [f"{lang}.html"]):
            write_if_changed(site / name, html)
            written.append(site / name)
    _drop_old_thumbnails(site)
    return written


def _drop_old_thumbnails(site: Path) -> None:
    """Thumbnails were PNGs before they were JPEGs: a PNG beside its JPEG is the old one, which no page
    links to any more (a folder uploaded to a web host should not carry a second set)."""
    for old in (site / "thumbs").rglob("*.png"):
        if old.with_suffix(".jpg").is_file():
            with suppress(OSError):
                old.unlink()
