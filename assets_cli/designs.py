"""Designs: folders of Jinja2 HTML/CSS templates described by design.toml."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assets_cli.errors import AssetsError, UnknownChoice, collect
from assets_cli.tomlfile import read_toml
from assets_cli.workspace import Workspace, available_names, find_folder

DESIGN_FILE = "design.toml"
DEFAULT_DESIGN = "placard"
KINDS = ("poster", "social", "banner", "leaflet")
# The pages each kind has, named for file names (a single page needs no name).
KIND_PAGES: dict[str, tuple[str, ...]] = {"poster": ("",), "social": ("",), "banner": ("",), "leaflet": ("front", "back")}

# key: (type, required)
_SCHEMA: dict[str, tuple[type, bool]] = {
    "name": (str, True),
    "title": (str, True),
    "description": (str, False),
    "author": (str, False),
    "licence": (str, False),
    "kinds": (list, True),
    "palette": (dict, False),
    "fonts": (list, False),
    "templates": (dict, False),
}


@dataclass(frozen=True)
class Design:
    """A designer's folder: metadata, palette, font roles and a template per kind."""

    name: str
    path: Path
    title: str
    kinds: tuple[str, ...]
    templates: dict[str, str]
    description: str = ""
    author: str = ""
    licence: str = ""
    palette: dict[str, str] = field(default_factory=dict)
    fonts: tuple[str, ...] = ()

    def template_for(self, kind: str) -> str:
        """The template file name that renders `kind`."""
        if kind not in self.kinds:
            raise AssetsError(f"design {self.name!r} has no {kind} template",
                              where=str(self.path / DESIGN_FILE), hint=f"it makes: {', '.join(self.kinds)}")
        return self.templates[kind]


def load_design(folder: Path) -> Design:
    """Read and validate a design folder's design.toml."""
    path = folder / DESIGN_FILE
    where = str(path)
    data = read_toml(path)
    problems: list[AssetsError] = []
    for key, value in data.items():
        if key not in _SCHEMA:
            problems.append(AssetsError(f"unknown key {key!r}", where=where, hint=f"valid: {', '.join(_SCHEMA)}"))
        elif not isinstance(value, _SCHEMA[key][0]):
            problems.append(AssetsError(f"{key} must be a {_SCHEMA[key][0].__name__}", where=where))
    for key, (_, required) in _SCHEMA.items():
        if required and key not in data:
            problems.append(AssetsError(f"missing required key {key!r}", where=where))
    collect(problems)

    kinds = tuple(data["kinds"])
    for kind in kinds:
        if kind not in KINDS:
            problems.append(UnknownChoice("kind", str(kind), KINDS, where=f"{where}: kinds"))
    templates = {kind: f"{kind}.html" for kind in kinds} | data.get("templates", {})
    for kind, name in templates.items():
        if kind not in kinds:
            problems.append(AssetsError(f"templates.{kind} names a kind not listed in kinds", where=where))
        elif not (folder / name).is_file():
            problems.append(AssetsError(f"template {name!r} for {kind} not found in {folder}", where=where))
    palette = data.get("palette", {})
    for key, value in palette.items():
        if not isinstance(value, str):
            problems.append(AssetsError(f"palette.{key} must be a CSS colour text", where=where))
    collect(problems)
    return Design(
        name=data["name"],
        path=folder,
        title=data["title"],
        description=data.get("description", ""),
        author=data.get("author", ""),
        licence=data.get("licence", ""),
        kinds=kinds,
        templates=templates,
        palette=palette,
        fonts=tuple(data.get("fonts", ())),
    )


def find_design(name_or_path: str | None, workspace: Workspace) -> Design:
    """The design named (or at PATH) in the workspace's designs/, else a built-in one."""
    search = workspace.search_path("designs")
    folder = find_folder(name_or_path or DEFAULT_DESIGN, search, DESIGN_FILE)
    if folder is None:
        raise UnknownChoice("design", name_or_path or DEFAULT_DESIGN, available_names(search, DESIGN_FILE))
    return load_design(folder)


def all_designs(workspace: Workspace) -> list[str]:
    """Names of every design in the workspace and the built-ins."""
    return available_names(workspace.search_path("designs"), DESIGN_FILE)
