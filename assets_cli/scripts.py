"""Writing systems: which script a text is in, from the Unicode names of its letters."""

from __future__ import annotations

import tomllib
import unicodedata
from collections import Counter
from functools import cache
from importlib import resources

# Unicode names whose first word is not the script's name.
_NAME_PREFIXES = (
    ("CJK UNIFIED IDEOGRAPH", "han"),
    ("CJK COMPATIBILITY IDEOGRAPH", "han"),
    ("HANGUL", "hangul"),
    ("HIRAGANA", "kana"),
    ("KATAKANA", "kana"),
    ("FULLWIDTH LATIN", "latin"),
)


@cache  # asked for every letter of every line of every asset
def script_of(char: str) -> str | None:
    """The script of a letter or mark (lower case, e.g. 'arabic'), None for digits, punctuation, spaces."""
    if not unicodedata.category(char).startswith(("L", "M")):
        return None
    name = unicodedata.name(char, "")
    if not name:
        return None
    for prefix, script in _NAME_PREFIXES:
        if name.startswith(prefix):
            return script
    if unicodedata.category(char).startswith("M") and name.startswith("COMBINING"):
        return None  # generic accents go with whatever letter they sit on
    return name.split()[0].lower()


def scripts_in(text: str) -> Counter[str]:
    """How many letters of each script `text` has."""
    return Counter(s for s in map(script_of, text) if s)


def main_script(texts: list[str]) -> str:
    """The script most letters of `texts` are in ('latin' when there are none)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(scripts_in(text))
    return counts.most_common(1)[0][0] if counts else "latin"


@cache
def _names() -> dict[str, tuple[str, str]]:
    data = tomllib.loads(resources.files("assets_cli").joinpath("languages.toml").read_text("utf-8"))
    return {code: (english, native) for code, (english, native) in data.items()}


def language_name(code: str) -> tuple[str, str]:
    """(English name, own name) of a BCP 47 code; ('', '') when unknown."""
    return _names().get(code.split("-")[0].lower(), ("", ""))


WORD_JOINER = "\u2060"
# Scripts written with spaces between words whose letters line breaking may
# still split anywhere (UAX #14 class ID): Korean headlines should break only
# at spaces, as CSS `word-break: keep-all` asks, which WeasyPrint lacks.
_KEEP_ALL_SCRIPTS = frozenset({"hangul"})


def keep_words(text: str | None) -> str | None:
    """`text` with word joiners between Hangul letters, so lines break only between words.

    A number and the Hangul unit after it ("5월", "31일") are one word too.
    """
    if not text:
        return text
    out = [text[0]]
    for before, char in zip(text, text[1:]):
        if script_of(char) in _KEEP_ALL_SCRIPTS and (script_of(before) in _KEEP_ALL_SCRIPTS or before.isdigit()):
            out.append(WORD_JOINER)
        out.append(char)
    return "".join(out)
