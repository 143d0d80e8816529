"""The font map (fonts/fonts.toml): which shipped families serve which role."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assets_cli.errors import AssetsError, UnknownChoice, collect
from assets_cli.tomlfile import read_toml

FONT_MAP = "fonts.toml"


@dataclass(frozen=True)
class FontFile:
    path: Path
    weight: int
    style: str


@dataclass(frozen=True)
class FontMap:
    """Families with their files, and the families each role uses per script."""

    root: Path
    families: dict[str, tuple[FontFile, ...]]
    roles: dict[str, dict[str, tuple[str, ...]]]

    def stack(self, role: str) -> str:
        """A CSS font-family value for `role`: its families across scripts."""
        if role not in self.roles:
            raise UnknownChoice("font role", role, self.roles, where=str(self.root / FONT_MAP))
        names = dict.fromkeys(name for script in self.roles[role].values() for name in script)
        return ", ".join(f'"{name}"' for name in names)

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
    roles: dict[str, dict[str, tuple[str, ...]]] = {}
    for role, scripts in data.get("roles", {}).items():
        roles[role] = {}
        for script, names in scripts.items():
            for family in names:
                if family not in families:
                    problems.append(UnknownChoice("font family", family, families, where=f"{where}: roles.{role}.{script}"))
            roles[role][script] = tuple(names)
    collect(problems)
    return FontMap(root=fonts_dir, families=families, roles=roles)
