"""The font map (fonts/fonts.toml): which shipped families serve which role, per script."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

from assets_cli.errors import AssetsError, UnknownChoice, collect
from assets_cli.tomlfile import read_toml

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
    # Line breaks, spaces and invisible format characters (ZWJ, ZWNJ, bidi
    # marks) are handled by layout, not drawn from a font.
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf"))


@cache
def load_font_map(fonts_dir: Path) -> FontMap:
    """Read and validate the font map of a fonts/ folder."""
    path = fonts_dir / FONT_MAP
    where = str(path)
    data = read_toml(path)
    problems: list[AssetsError] = []
    families: dict[str, tuple[FontFile, ...]] = {}
    for name, spec in data.get("families", {}).items():
        files = []
        for entry in spec.get("files", []):
            file_path = (fonts_dir / entry.get("path", "")).resolve()
            if not file_path.is_file() or not file_path.is_relative_to(fonts_dir.resolve()):
                problems.append(AssetsError(f"family {name!r}: font file {entry.get('path')!r} not found", where=where))
                continue
            files.append(FontFile(file_path, int(entry.get("weight", 400)), entry.get("style", "normal")))
        if not (fonts_dir / spec.get("licence", "")).is_file():
            problems.append(AssetsError(f"family {name!r}: licence file {spec.get('licence')!r} not found", where=where))
        families[name] = tuple(files)

    def family_list(names: list, key: str) -> tuple[str, ...]:
        for family in names:
            if family not in families:
                problems.append(UnknownChoice("font family", family, families, where=f"{where}: {key}"))
        return tuple(names)

    roles = {role: {script: family_list(names, f"roles.{role}.{script}") for script, names in scripts.items()}
             for role, scripts in data.get("roles", {}).items()}
    languages = {lang: {role: family_list(names, f"languages.{lang}.{role}") for role, names in by_role.items()}
                 for lang, by_role in data.get("languages", {}).items()}
    for lang, by_role in languages.items():
        for role in by_role:
            if role not in roles:
                problems.append(UnknownChoice("font role", role, roles, where=f"{where}: languages.{lang}"))
    collect(problems)
    return FontMap(root=fonts_dir, families=families, roles=roles, languages=languages)
