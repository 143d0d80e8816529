"""Reading TOML files with errors that name the file and line."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from assets_cli.errors import AssetsError


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file; a syntax error names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AssetsError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", where=str(path)) from None
    except OSError as exc:
        raise AssetsError(f"cannot read file ({exc.strerror})", where=str(path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib phrases it "Invalid value (at line 3, column 9)"; lead with the place.
        message = str(exc)
        if "(at line" in message:
            what, _, place = message.rpartition(" (at ")
            place = place.rstrip(")")
            raise AssetsError(f"{place}: invalid TOML: {what}", where=str(path)) from None
        raise AssetsError(f"invalid TOML: {message}", where=str(path)) from None
