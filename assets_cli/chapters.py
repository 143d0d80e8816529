"""Chapters: local groups from an organiser's spreadsheet (CSV), validated row by row."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from assets_cli.errors import AssetsError, UnknownChoice, collect
from assets_cli.statements import Statement, check_url

COLUMNS = ("id", "name", "lang", "city", "event", "url")
REQUIRED_COLUMNS = ("id", "name", "lang")
MAX_ID = 64


def slugify(text: str) -> str:
    """A safe file-name part: lower-case ASCII letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_ID].strip("-")


@dataclass(frozen=True)
class Chapter:
    """A local group: who they are, what they call people to, where their QR code leads."""

    id: str
    name: str
    lang: str
    city: str = ""
    event: str = ""
    url: str | None = None
    row: int = 0

    @property
    def slug(self) -> str:
        return slugify(self.id)

    def as_context(self) -> dict[str, str | None]:
        return {"id": self.id, "slug": self.slug, "name": self.name, "city": self.city or None,
                "event": self.event or None, "url": self.url}


def _unsafe_id(value: str) -> str | None:
    """Why `value` cannot name a chapter's files, or None."""
    if not value:
        return "id is empty"
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in value):
        return f"id {value!r} has control or invisible characters"
    if "/" in value or "\\" in value or ".." in value:
        return f"id {value!r} looks like a path"
    if len(value) > MAX_ID:
        return f"id is longer than {MAX_ID} characters"
    if not slugify(value):
        return f"id {value!r} has no letters or digits to name files by"
    return None


def _reader(text: str) -> csv.DictReader:
    # Spreadsheets in many locales save with semicolons.
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return csv.DictReader(text.splitlines(), delimiter=delimiter)


def load_chapters(path: Path, statement: Statement) -> list[Chapter]:
    """Every row of the CSV as a Chapter; all bad rows are reported together, with their row numbers."""
    where = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise AssetsError("file not found", where=where) from None
    except UnicodeDecodeError as exc:
        raise AssetsError(f"not UTF-8 text (byte {exc.start})", where=where,
                          hint="save the spreadsheet as CSV UTF-8") from None
    reader = _reader(text)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise AssetsError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}", where=where,
                          hint=f"the first row names the columns: {', '.join(COLUMNS)} (url optional)")
    reader.fieldnames = header
    problems: list[AssetsError] = []
    chapters: list[Chapter] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        row = {key: (value or "").strip() for key, value in raw.items() if key in COLUMNS}
        if not any(row.values()):
            continue
        at = f"{where}: row {number}"
        before = len(problems)
        if reason := _unsafe_id(row.get("id", "")):
            problems.append(AssetsError(reason, where=at, hint="use letters, digits and hyphens, e.g. manila-north"))
        elif (slug := slugify(row["id"])) in seen:
            problems.append(AssetsError(f"duplicate id {row['id']!r} (row {seen[slug]} has the same)", where=at))
        else:
            seen[slug] = number
        if not row.get("name"):
            problems.append(AssetsError("name is empty", where=at))
        lang = row.get("lang", "")
        if lang not in statement.languages:
            problems.append(UnknownChoice("language", lang, statement.languages, where=at))
        url = row.get("url") or None
        if url and (bad := check_url(url, at)):
            problems.append(bad)
        if len(problems) == before:
            chapters.append(Chapter(row["id"], row["name"], lang, row.get("city", ""), row.get("event", ""), url,
                                    number))
    collect(problems)
    if not chapters:
        raise AssetsError("no chapters in the file", where=where)
    return chapters


def find_chapter(chapters: list[Chapter], wanted: str) -> Chapter:
    """The chapter with id (or slug) `wanted`."""
    for chapter in chapters:
        if wanted in (chapter.id, chapter.slug):
            return chapter
    raise UnknownChoice("chapter", wanted, [c.id for c in chapters])
