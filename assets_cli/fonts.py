"""The font map (fonts/fonts.toml): which shipped families serve which role, per script."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

from assets_cli.errors import AssetsError, UnknownChoice, collect
from assets_cli.tomlfile import key_path, read_toml_text, where_in

FONT_MAP = "fonts.toml"


@dataclass(frozen=True)
class FontFile:
    path: Path
    weight: int
    style: str


@cache
def _cmap(path: Path) -> frozenset[int]:
    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap() or ())
    finally:
        font.close()


@dataclass(frozen=True)
class FontMap:
    """Families with their files, the families each role uses per script, and per-language overrides."""

    root: Path
    families: dict[str, tuple[FontFile, ...]]
    roles: dict[str, dict[str, tuple[str, ...]]]
    languages: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def families_for(self, role: str, script: str = "latin", lang: str | None = None) -> tuple[str, ...]:
        """The families of `role` in fallback order: the language's own, its script's, then every other script's."""
        if role not in self.roles:
            raise UnknownChoice("font role", role, self.roles, where=str(self.root / FONT_MAP))
        by_script = self.roles[role]
        primary = lang.split("-")[0].lower() if lang else ""
        order = [*self.languages.get(primary, {}).get(role, ()), *by_script.get(script, ())]
        order += [name for names in by_script.values() for name in names]
        return tuple(dict.fromkeys(order))

    def stack(self, role: str, script: str = "latin", lang: str | None = None) -> str:
        """A CSS font-family value for `role`, its script's families first."""
        return ", ".join(f'"{name}"' for name in self.families_for(role, script, lang))

    def covers(self, family: str, char: str) -> bool:
        """Whether a file of `family` has a glyph for `char`."""
        return any(ord(char) in _cmap(f.path) for f in self.families.get(family, ()))

    def missing(self, text: str, role: str, script: str = "latin", lang: str | None = None) -> list[str]:
        """Characters of `text` that no family of the role's stack can draw."""
        families = self.families_for(role, script, lang)
        return [char for char in dict.fromkeys(text)
                if _needs_glyph(char) and not any(self.covers(name, char) for name in families)]

    def undrawable(self, text: str) -> list[str]:
        """Characters of `text` that no family of the map can draw: they would print as empty boxes."""
        return [char for char in dict.fromkeys(text)
                if _needs_glyph(char) and not any(self.covers(name, char) for name in self.families)]

    def face_css(self) -> str:
        """@font-face rules for every shipped file, by file URL."""
        rules = []
        for name, files in self.families.items():
            for f in files:
                rules.append(
                    f'@font-face {{ font-family: "{name}"; src: url("{f.path.as_uri()}"); '
                    f"font-weight: {f.weight}; font-style: {f.style}; }}"
                )
        return "\n".join(rules)


def _needs_glyph(char: str) -> bool:
    # Line breaks, spaces, invisible format characters (ZWJ, ZWNJ, bidi marks)
    # and variation selectors are handled by layout, not drawn from a font.
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or code == 0x034F:
        return False
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf"))


_STYLES = ("normal", "italic", "oblique")


def font_file_problem(path: Path) -> str | None:
    """Why the file at `path` cannot serve as a font (a phrase), or None when it can."""
    try:
        size = path.stat().st_size
        font = TTFont(path, lazy=True)
    except Exception as exc:  # noqa: BLE001 - fontTools raises TTLibError, struct.error, … on garbage
        # fontTools says "Not a TrueType or OpenType font (bad sfntVersion)": keep only its reason.
        reason = str(exc).removeprefix("Not a TrueType or OpenType font").strip(" ()") or type(exc).__name__
        return f"is not a TrueType or OpenType font ({reason})"
    try:
        missing = [tag for tag in ("cmap", "head", "hmtx") if tag not in font]
        if missing:
            return f"is not a usable font (no {', '.join(missing)} table)"
        tables = getattr(font.reader, "tables", {})
        if any(entry.offset + entry.length > size for entry in tables.values()):
            return "is cut short (its tables run past the end of the file)"
    finally:
        font.close()
    return None


def _family_name_problem(name: str) -> str | None:
    # Family names go into CSS strings: a quote or backslash would end them early.
    if not name.strip():
        return "a family needs a name"
    if any(c in name for c in "\"\\") or any(unicodedata.category(c).startswith("C") for c in name):
        return f"family name {name!r} has quotes, backslashes or control characters"
    return None


@cache
def load_font_map(fonts_dir: Path) -> FontMap:
    """Read and validate the font map of a fonts/ folder: every problem at once, each with its line."""
    path = fonts_dir / FONT_MAP
    data, text = read_toml_text(path)

    def at(*keys: str) -> str:
        return where_in(path, text, *keys)

    problems: list[AssetsError] = []

    def table(value, where: str, what: str, example: str) -> dict:
        if isinstance(value, dict):
            return value
        problems.append(AssetsError(f"{what} must be a table, not {type(value).__name__}", where=where,
                                    hint=f"e.g. {example}"))
        return {}

    for key in data:
        if key not in ("families", "roles", "languages"):
            problems.append(AssetsError(f"unknown key {key!r}", where=at(key),
                                        hint="valid: families, roles, languages"))
    families: dict[str, tuple[FontFile, ...]] = {}
    root = fonts_dir.resolve()
    for name, spec in table(data.get("families", {}), at("families"), "families",
                            '[families."Anton"]').items():
        where = at("families", name)
        if reason := _family_name_problem(name):
            problems.append(AssetsError(reason, where=where))
            continue
        spec = table(spec, where, key_path("families", name), 'licence = "anton/OFL.txt" and files = [...]')
        entries = spec.get("files", [])
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            problems.append(AssetsError(f"family {name!r}: files must be a list of tables", where=where,
                                        hint='files = [{ path = "anton/Anton-Regular.ttf", weight = 400 }]'))
            entries = []
        files = []
        for entry in entries:
            font_file = _font_file(name, entry, fonts_dir, root, where, problems)
            if font_file is not None:
                files.append(font_file)
        licence = spec.get("licence", "")
        if not isinstance(licence, str) or not licence or not (fonts_dir / licence).is_file():
            problems.append(AssetsError(f"family {name!r}: licence file {licence!r} not found", where=where))
        families[name] = tuple(files)

    def family_list(names, key: str, where: str) -> tuple[str, ...]:
        if not isinstance(names, list) or not all(isinstance(family, str) for family in names):
            problems.append(AssetsError(f"{key} must be a list of family names", where=where,
                                        hint='e.g. latin = ["Anton"]'))
            return ()
        for family in names:
            if family not in families:
                problems.append(UnknownChoice("font family", family, families, where=f"{where}: {key}"))
        return tuple(names)

    roles = {}
    for role, scripts in table(data.get("roles", {}), at("roles"), "roles", "[roles.display]").items():
        where = at("roles", role)
        roles[role] = {script: family_list(names, key_path("roles", role, script), where)
                       for script, names in table(scripts, where, key_path("roles", role), 'latin = ["Anton"]').items()}
    languages = {}
    for lang, by_role in table(data.get("languages", {}), at("languages"), "languages", "[languages.ko]").items():
        where = at("languages", lang)
        languages[lang] = {role: family_list(names, key_path("languages", lang, role), where)
                           for role, names in table(by_role, where, key_path("languages", lang),
                                                    'display = ["Black Han Sans"]').items()}
    for lang, by_role in languages.items():
        for role in by_role:
            if role not in roles:
                problems.append(UnknownChoice("font role", role, roles, where=at("languages", lang)))
    collect(problems)
    return FontMap(root=fonts_dir, families=families, roles=roles, languages=languages)


def _font_file(family: str, entry: dict, fonts_dir: Path, root: Path, where: str,
               problems: list[AssetsError]) -> FontFile | None:
    """One `files` entry of a family, checked: inside fonts/, a real font, a weight and style CSS knows."""
    name = entry.get("path")
    if not isinstance(name, str) or not name:
        problems.append(AssetsError(f"family {family!r}: a file entry has no path", where=where,
                                    hint='{ path = "anton/Anton-Regular.ttf", weight = 400 }'))
        return None
    file_path = (fonts_dir / name).resolve()
    if not file_path.is_relative_to(root) or not file_path.is_file():
        problems.append(AssetsError(f"family {family!r}: font file {name!r} not found", where=where,
                                    hint=f"font files live in {fonts_dir}"))
        return None
    if reason := font_file_problem(file_path):
        problems.append(AssetsError(f"family {family!r}: {name!r} {reason}", where=where,
                                    hint="replace it with the .ttf or .otf file from the font's source"))
        return None
    weight = entry.get("weight", 400)
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 1000:
        problems.append(AssetsError(f"family {family!r}: weight {weight!r} of {name!r} is not a number from 1 to 1000",
                                    where=where, hint="400 is regular, 700 bold"))
        return None
    style = entry.get("style", "normal")
    if style not in _STYLES:
        problems.append(UnknownChoice("font style", str(style), _STYLES, where=where))
        return None
    return FontFile(file_path, weight, style)
