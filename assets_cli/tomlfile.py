"""Reading TOML files with errors that name the file and line."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from assets_cli.errors import AssetsError


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file; a syntax error names the file, line and column."""
    return read_toml_text(path)[0]


def read_toml_text(path: Path) -> tuple[dict[str, Any], str]:
    """Parse one TOML file and return its text too (for `where_in`); errors as in `read_toml`."""
    try:
        # Windows editors (Notepad) start UTF-8 files with a byte order mark; TOML has no room for it.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AssetsError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", where=str(path)) from None
    except OSError as exc:
        raise AssetsError(f"cannot read file ({exc.strerror})", where=str(path)) from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        # tomllib phrases it "Invalid value (at line 3, column 9)"; lead with the place.
        message = str(exc)
        if "(at line" in message:
            what, _, place = message.rpartition(" (at ")
            place = place.rstrip(")")
            raise AssetsError(f"{place}: invalid TOML: {what}", where=str(path)) from None
        raise AssetsError(f"invalid TOML: {message}", where=str(path)) from None
    except RecursionError:
        # tomllib parses nested arrays and tables recursively.
        raise AssetsError("invalid TOML: arrays or tables nested too deeply", where=str(path)) from None


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def key_path(*parts: str) -> str:
    """A dotted TOML key as it would be written (`palette.ink`, `families."Noto Sans"`), safe to print on one line."""
    return ".".join(part if _BARE_KEY.match(part) else json.dumps(part, ensure_ascii=False) for part in map(str, parts))


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")


def _unquote(part: str) -> str:
    part = part.strip()
    return part[1:-1] if len(part) >= 2 and part[0] == part[-1] and part[0] in "\"'" else part


def line_of(text: str, *keys: str) -> int | None:
    """The 1-based line where the key `keys` (a path: table, key) is set in TOML `text`, if found.

    tomllib gives values, not positions; error messages still need to say where.
    A key named only by its table (`"palette"`) finds the table's header or its inline assignment.
    """
    table: tuple[str, ...] = ()
    wanted = tuple(keys)
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = tuple(_unquote(p) for p in header.group(1).split("."))
            if table == wanted:
                return number
            continue
        key = _KEY.match(line)
        if key and (*table, _unquote(key.group(1))) == wanted:
            return number
    return None


def where_in(path: Path, text: str, *keys: str) -> str:
    """`path:line` for the key `keys` in the file, or just `path` when it cannot be found."""
    line = line_of(text, *keys) if keys else None
    return f"{path}:{line}" if line else str(path)
