"""Statements: one campaign's metadata plus its key lines per language."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from assets_cli.errors import AssetsError, UnknownChoice, collect
from assets_cli.qr import url_problem
from assets_cli.scripts import main_script
from assets_cli.tomlfile import read_toml_text, where_in
from assets_cli.workspace import Workspace, available_names, find_folder

Direction = Literal["ltr", "rtl"]

STATEMENT_FILE = "statement.toml"
DEFAULT_STATEMENT = "week-of-struggle-2020"

# Primary language subtags written right to left.
RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku-arab", "ps", "sd", "ug", "ur", "yi"})
LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def direction_of(lang: str) -> Direction:
    """Text direction of a BCP 47 language code."""
    primary = lang.lower().split("-")[0]
    return "rtl" if primary in RTL_LANGUAGES or lang.lower() in RTL_LANGUAGES else "ltr"


@dataclass(frozen=True)
class KeyLines:
    """The short texts a design places, in one language."""

    lang: str
    headline: str
    dates: str
    call_to_action: str
    kicker: str | None = None
    slogan: str | None = None
    organisation: str | None = None
    body: str | None = None
    caption: str | None = None
    alt_text: str | None = None
    hashtags: tuple[str, ...] = ()
    reviewed: bool = False
    # The <lang>.toml these lines came from, so later errors can name its lines.
    path: Path | None = field(default=None, compare=False, repr=False)

    @property
    def direction(self) -> Direction:
        return direction_of(self.lang)

    @cached_property
    def script(self) -> str:
        """The writing system most of the key lines are in: 'latin', 'arabic', 'devanagari', …

        Kept once asked: every asset asks it a few times, and it reads every letter of every line."""
        return main_script([getattr(self, key) or "" for key in TEXT_LINES])

    def present(self) -> list[str]:
        """The names of the key lines this language has."""
        return [key for key in (*TEXT_LINES, "hashtags") if getattr(self, key)]

    def as_context(self) -> dict[str, Any]:
        """The key lines as a template sees them (absent optional lines are None)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("lang", "reviewed", "path")}

    def where(self, key: str) -> str:
        """`file:line` of `key` in the <lang>.toml, for messages (just the language when unknown)."""
        if self.path is None:
            return f"{self.lang}.toml"
        try:
            return where_in(self.path, self.path.read_text("utf-8-sig"), key)
        except (OSError, UnicodeDecodeError):
            return str(self.path)


REQUIRED_LINES = ("headline", "dates", "call_to_action")
TEXT_LINES = tuple(f.name for f in fields(KeyLines) if f.name not in ("lang", "hashtags", "reviewed", "path"))


@dataclass(frozen=True)
class Statement:
    """A campaign: where it lives, what it links to, and its languages."""

    id: str
    path: Path
    organisation: str
    url: str
    default_lang: str
    start: dt.date
    end: dt.date
    hashtags: tuple[str, ...] = ()
    title: str | None = None
    version: str = ""
    languages: Mapping[str, KeyLines] = field(default_factory=dict)

    def where(self, key: str) -> str:
        """`file:line` of `key` in statement.toml, for messages."""
        meta = self.path / STATEMENT_FILE
        try:
            return where_in(meta, meta.read_text("utf-8-sig"), key)
        except (OSError, UnicodeDecodeError):
            return str(meta)

    def lines(self, lang: str | None = None) -> KeyLines:
        """Key lines in `lang` (the default language when None)."""
        lang = lang or self.default_lang
        if lang not in self.languages:
            raise UnknownChoice("language", lang, self.languages, where=f"statement {self.id}")
        return self.languages[lang]


_TYPE_NAMES = {str: "text", int: "a number", float: "a number", bool: "true or false", list: "a list",
               dict: "a table", dt.date: "a date", dt.datetime: "a date and time", dt.time: "a time"}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


# Line breaks and tabs are layout's business; every other control character
# prints as nothing, or as a box, and usually arrived by copy and paste.
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def control_character(text: str) -> str | None:
    """Where `text` holds a control character (other than tab and line breaks), as a phrase, or None."""
    for index, char in enumerate(text):
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            before = text[max(0, index - 20):index].lstrip()
            place = f"after {before!r}" if before else "at the start"
            return f"a control character (U+{ord(char):04X}) {place}"
    return None


def _text(value: Any, where: str, key: str, problems: list[AssetsError]) -> str | None:
    if not isinstance(value, str):
        problems.append(AssetsError(f"{key} must be text, not {_type_name(value)}", where=where,
                                    hint=f'put it in quotes: {key} = "…"'))
        return None
    value = value.strip()
    if not value:
        problems.append(AssetsError(f"{key} is empty", where=where))
        return None
    if control := control_character(value):
        problems.append(AssetsError(f"{key} contains {control}", where=where,
                                    hint="delete it; it would print as nothing or as a box"))
        return None
    return value


def _hashtags(value: Any, where: str, problems: list[AssetsError]) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(AssetsError("hashtags must be a list of non-empty texts", where=where,
                                    hint='e.g. hashtags = ["#ILPS", "#StopUSImperialism"]'))
        return ()
    for tag in value:
        if control := control_character(tag):
            problems.append(AssetsError(f"hashtag {tag.strip()!r} contains {control}", where=where))
            return ()
    return tuple(v.strip() for v in value)


def check_url(url: str, where: str) -> AssetsError | None:
    """Why `url` cannot be a QR or link target, or None when it can."""
    problem = url_problem(url)
    return AssetsError(problem, where=where) if problem else None


def load_key_lines(path: Path) -> KeyLines:
    """Read and validate one `<lang>.toml`."""
    lang = path.stem
    where = str(path)
    data, text = read_toml_text(path)

    def at(key: str) -> str:
        return where_in(path, text, key)

    problems: list[AssetsError] = []
    if not LANG_CODE.match(lang):
        problems.append(AssetsError(f"{lang!r} is not a language code", where=where,
                                    hint="name language files by BCP 47 code: en.toml, es.toml, pt-BR.toml"))
    known = set(TEXT_LINES) | {"hashtags", "reviewed"}
    for key in data:
        if key not in known:
            problems.append(AssetsError(f"unknown key {key!r}", where=at(key),
                                        hint=f"valid: {', '.join(sorted(known))}"))
    for key in REQUIRED_LINES:
        if key not in data:
            problems.append(AssetsError(f"missing required key {key!r}", where=where,
                                        hint=f'add a line like {key} = "…"'))
    values: dict[str, Any] = {}
    for key in TEXT_LINES:
        if key in data:
            values[key] = _text(data[key], at(key), key, problems)
    if "hashtags" in data:
        values["hashtags"] = _hashtags(data["hashtags"], at("hashtags"), problems)
    if "reviewed" in data:
        if isinstance(data["reviewed"], bool):
            values["reviewed"] = data["reviewed"]
        else:
            problems.append(AssetsError("reviewed must be true or false", where=at("reviewed")))
    collect(problems)
    return KeyLines(lang=lang, **values, path=path)


_STATEMENT_KEYS = {"id", "title", "organisation", "url", "default_lang", "start", "end", "hashtags", "version"}


def _content_version(folder: Path) -> str:
    """A short digest of the statement's TOML files: changes whenever any key line does."""
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def load_statement(folder: Path) -> Statement:
    """Read and validate a statement folder: statement.toml plus every <lang>.toml."""
    meta_path = folder / STATEMENT_FILE
    where = str(meta_path)
    data, text = read_toml_text(meta_path)

    def at(key: str) -> str:
        return where_in(meta_path, text, key)

    problems: list[AssetsError] = []
    for key in data:
        if key not in _STATEMENT_KEYS:
            problems.append(AssetsError(f"unknown key {key!r}", where=at(key),
                                        hint=f"valid: {', '.join(sorted(_STATEMENT_KEYS))}"))
    for key in ("id", "organisation", "url", "default_lang", "start", "end"):
        if key not in data:
            problems.append(AssetsError(f"missing required key {key!r}", where=where))
    statement_id = _text(data.get("id", folder.name), at("id"), "id", problems) or folder.name
    if not SAFE_ID.match(statement_id):
        problems.append(AssetsError(f"id {statement_id!r} is not a safe name", where=at("id"),
                                    hint="use lowercase letters, digits and hyphens"))
    organisation = _text(data["organisation"], at("organisation"), "organisation", problems) \
        if "organisation" in data else None
    title = _text(data["title"], at("title"), "title", problems) if "title" in data else None
    url = _text(data["url"], at("url"), "url", problems) if "url" in data else None
    if url and (bad := check_url(url, at("url"))):
        problems.append(bad)
    version = data.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, str | int | float)):
        problems.append(AssetsError(f"version must be text or a number, not {_type_name(version)}",
                                    where=at("version"), hint='e.g. version = "2"'))
        version = None
    dates: dict[str, dt.date] = {}
    for key in ("start", "end"):
        if key in data:
            if isinstance(data[key], dt.date) and not isinstance(data[key], dt.datetime):
                dates[key] = data[key]
            else:
                problems.append(AssetsError(f"{key} must be a date like 2020-05-25", where=at(key),
                                            hint="write it without quotes"))
    if len(dates) == 2 and dates["start"] > dates["end"]:
        problems.append(AssetsError("start is after end", where=at("start")))

    languages: dict[str, KeyLines] = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name == STATEMENT_FILE:
            continue
        try:
            languages[path.stem] = load_key_lines(path)
        except AssetsError as exc:
            problems.append(exc)
    hashtags = _hashtags(data["hashtags"], at("hashtags"), problems) if "hashtags" in data else ()
    default_lang = data.get("default_lang")
    found = [path.stem for path in folder.glob("*.toml") if path.name != STATEMENT_FILE]
    if default_lang is not None and not isinstance(default_lang, str):
        problems.append(AssetsError(f"default_lang must be text, not {_type_name(default_lang)}",
                                    where=at("default_lang"), hint=f"one of: {', '.join(sorted(found))}"))
    elif default_lang is not None and default_lang not in found:
        problems.append(UnknownChoice("default_lang", default_lang, found, where=at("default_lang")))
    collect(problems)
    return Statement(
        id=statement_id,
        path=folder,
        title=title,
        version=str(version or _content_version(folder)),
        organisation=organisation or "",
        url=url or "",
        default_lang=default_lang,
        start=dates["start"],
        end=dates["end"],
        hashtags=hashtags,
        languages=languages,
    )


def find_statement(name_or_path: str | None, workspace: Workspace) -> Statement:
    """The statement named (or at PATH) in the workspace, else a built-in one."""
    search = workspace.search_path("statements")
    folder = find_folder(name_or_path or DEFAULT_STATEMENT, search, STATEMENT_FILE)
    if folder is None:
        raise UnknownChoice("statement", name_or_path or DEFAULT_STATEMENT, available_names(search, STATEMENT_FILE))
    return load_statement(folder)
