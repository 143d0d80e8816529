"""Chapters: local groups from an organiser's spreadsheet (CSV), validated row by row."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assets_cli.errors import AssetsError, UnknownChoice, collect
from assets_cli.qr import make_qr
from assets_cli.statements import Statement, check_url, control_character

COLUMNS = ("id", "name", "lang", "city", "event", "url")
REQUIRED_COLUMNS = ("id", "name", "lang")
MAX_ID = 64
# A chapter's name and city share one line of small print, its event a line or
# two of the poster; far longer text is a pasted paragraph, not a name.
MAX_LENGTH = {"name": 100, "city": 60, "event": 200}


def _ascii_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:MAX_ID].strip("-")


def slugify(text: str) -> str:
    """A safe file-name part: lower-case ASCII letters, digits and single hyphens, never empty.

    Text with no ASCII letter or digit to keep (Hangul, say, or only
    punctuation) gets a short digest of itself instead, so the result is still
    one path component that differs between texts.
    """
    slug = _ascii_slug(text)
    if slug:
        return slug
    return "x" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:10]


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
    # The CSV the chapter came from, so later errors can name its row.
    path: Path | None = field(default=None, compare=False, repr=False)

    @property
    def slug(self) -> str:
        return slugify(self.id)

    @property
    def where(self) -> str:
        """`file: row N` of this chapter, for messages."""
        return f"{self.path}: row {self.row}" if self.path is not None else f"chapter {self.id!r}"

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
    if not _ascii_slug(value):
        return f"id {value!r} has no letters or digits to name files by"
    return None


def _rows(text: str) -> tuple[csv.reader, str]:
    # Spreadsheets in many locales save with semicolons.
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    # newline="": a quoted cell may hold line breaks; strict: a stray quote is an error, not a merged row.
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True), delimiter


def _read(path: Path) -> str:
    where = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AssetsError("file not found", where=where) from None
    except OSError as exc:
        raise AssetsError(f"cannot read file ({exc.strerror})", where=where) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AssetsError(f"not UTF-8 text (byte {exc.start})", where=where,
                          hint="save the spreadsheet as CSV UTF-8") from None


def load_chapters(path: Path, statement: Statement) -> list[Chapter]:
    """Every row of the CSV as a Chapter; all bad rows are reported together, with their row numbers."""
    where = str(path)
    rows, delimiter = _rows(_read(path))
    quote_hint = f"put text that holds {delimiter!r} in double quotes, or save the spreadsheet again as CSV"
    columns = f"the first row names the columns: {', '.join(COLUMNS)} (url optional)"
    problems: list[AssetsError] = []
    chapters: list[Chapter] = []
    seen: dict[str, int] = {}
    header: list[str] | None = None
    number = 0
    try:
        for cells in rows:
            number += 1  # rows as a spreadsheet numbers them: the header is row 1, blank rows count
            if header is None:
                header = [name.strip().lower() for name in cells]
                missing = [c for c in REQUIRED_COLUMNS if c not in header]
                if missing:
                    raise AssetsError(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                                      where=where, hint=columns)
                twice = sorted({name for name in header if name in COLUMNS and header.count(name) > 1})
                if twice:
                    raise AssetsError(f"column {twice[0]!r} appears {header.count(twice[0])} times", where=where,
                                      hint=columns)
                continue
            at = f"{where}: row {number}"
            row = {name: cell.strip() for name, cell in zip(header, cells) if name in COLUMNS}
            if not any(row.values()):
                continue
            found: list[AssetsError] = []
            chapter = _chapter(row, number, at, statement, seen, found)
            if len(cells) > len(header) and (found or any(cell.strip() for cell in cells[len(header):])):
                # More cells than columns: an unquoted separator inside a cell moved
                # the rest of the row one column on; that is the problem to report.
                found = [AssetsError(f"{len(cells)} cells for {len(header)} columns", where=at, hint=quote_hint)]
            problems += found
            if chapter and not found:
                chapters.append(Chapter(**chapter, path=path))
    except csv.Error as exc:
        reason = ("a double quote opens a cell that never closes" if "end of data" in str(exc)
                  else f"not valid CSV ({exc})")
        problems.append(AssetsError(reason, where=f"{where}: row {number + 1}", hint=quote_hint))
    if header is None:
        raise AssetsError(f"missing columns {', '.join(REQUIRED_COLUMNS)}", where=where, hint=columns)
    collect(problems)
    if not chapters:
        raise AssetsError("no chapters in the file", where=where, hint="add a row per chapter under the header")
    return chapters


def _chapter(row: dict[str, str], number: int, at: str, statement: Statement, seen: dict[str, int],
             problems: list[AssetsError]) -> dict | None:
    """One row's fields for a Chapter, or None after adding its problems."""
    before = len(problems)
    if reason := _unsafe_id(row.get("id", "")):
        problems.append(AssetsError(reason, where=at, hint="use letters, digits and hyphens, e.g. manila-north"))
    elif (slug := slugify(row["id"])) in seen:
        problems.append(AssetsError(f"duplicate id {row['id']!r} (row {seen[slug]} has the same)", where=at))
    else:
        seen[slug] = number
    if not row.get("name"):
        problems.append(AssetsError("name is empty", where=at))
    for column in ("name", "city", "event"):
        value = row.get(column, "")
        if control := control_character(value):
            problems.append(AssetsError(f"{column} contains {control}", where=at,
                                        hint="delete it; it would print as nothing or as a box"))
        elif len(value) > MAX_LENGTH[column]:
            problems.append(AssetsError(f"{column} is {len(value)} characters long", where=at,
                                        hint=f"at most {MAX_LENGTH[column]} fit on a poster; shorten it"))
    lang = row.get("lang", "")
    if lang not in statement.languages:
        problems.append(UnknownChoice("language", lang, statement.languages, where=at))
    url = row.get("url") or None
    if url:
        if bad := check_url(url, at):
            problems.append(bad)
        else:
            try:
                make_qr(url, where=at)  # the chapter's own link goes into its QR codes as it is
            except AssetsError as exc:
                problems.append(exc)
    if len(problems) > before:
        return None
    return {"id": row["id"], "name": row["name"], "lang": lang, "city": row.get("city", ""),
            "event": row.get("event", ""), "url": url, "row": number}


def find_chapter(chapters: list[Chapter], wanted: str) -> Chapter:
    """The chapter with id (or slug) `wanted`."""
    for chapter in chapters:
        if wanted in (chapter.id, chapter.slug):
            return chapter
    raise UnknownChoice("chapter", wanted, [c.id for c in chapters])
