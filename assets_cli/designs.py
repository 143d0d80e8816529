"""Designs: folders of Jinja2 HTML/CSS templates described by design.toml."""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from pathlib import Path

from tinycss2.color4 import parse_color

from assets_cli.errors import AssetsError, UnknownChoice, collect, shown
from assets_cli.pictures import RASTER_SUFFIXES, SVG_SUFFIX, image_problem
from assets_cli.tomlfile import key_path, read_toml_text, where_in
from assets_cli.workspace import Workspace, available_names, find_folder

DESIGN_FILE = "design.toml"
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
DEFAULT_DESIGN = "placard"
KINDS = ("poster", "social", "banner", "leaflet")
MAX_INK = 300  # % of cyan + magenta + yellow + black that coated offset takes (FOGRA39)
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
    "palette-cmyk": (dict, False),
    "fonts": (list, False),
    "templates": (dict, False),
    "images": (dict, False),
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
    # For print PDFs: palette entries as % cyan, magenta, yellow, black.
    palette_cmyk: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    fonts: tuple[str, ...] = ()
    images: dict[str, str] = field(default_factory=dict)

    def template_for(self, kind: str) -> str:
        """The template file name that renders `kind`."""
        if kind not in self.kinds:
            raise AssetsError(f"design {self.name!r} has no {kind} template",
                              where=str(self.path / DESIGN_FILE), hint=f"it makes: {', '.join(self.kinds)}")
        return self.templates[kind]


def _inside(folder: Path, name: str) -> bool:
    """Whether `name` is a file within `folder` (no `..`, no absolute path, no link out)."""
    try:
        path = (folder / name).resolve()
        return path.is_relative_to(folder.resolve()) and path.is_file()
    except (OSError, ValueError):  # a NUL byte in the name, a name too long for the file system
        return False


def load_design(folder: Path) -> Design:
    """Read and validate a design folder's design.toml; every problem names its file and line."""
    path = folder / DESIGN_FILE
    data, text = read_toml_text(path)

    def at(*keys: str) -> str:
        return where_in(path, text, *keys)

    problems: list[AssetsError] = []
    for key, value in data.items():
        if key not in _SCHEMA:
            problems.append(AssetsError(f"unknown key {key!r}", where=at(key), hint=f"valid: {', '.join(_SCHEMA)}"))
        elif not isinstance(value, _SCHEMA[key][0]):
            kind = {str: "text", list: "list", dict: "table"}[_SCHEMA[key][0]]
            problems.append(AssetsError(f"{key} must be a {kind}, not {type(value).__name__}", where=at(key)))
    for key, (_, required) in _SCHEMA.items():
        if required and key not in data:
            problems.append(AssetsError(f"missing required key {key!r}", where=str(path)))
    # Go on with the keys of the right type, so every problem is reported in one go.
    data = {key: value for key, value in data.items() if key in _SCHEMA and isinstance(value, _SCHEMA[key][0])}
    if "name" in data and not SAFE_NAME.match(data["name"]):
        problems.append(AssetsError(f"name {data['name']!r} is not a safe file name", where=at("name"),
                                    hint="lowercase letters, digits and hyphens: it goes into every file name"))
    kinds = tuple(data.get("kinds", KINDS))
    if not kinds:
        problems.append(AssetsError("kinds is empty", where=at("kinds"), hint=f"list some of: {', '.join(KINDS)}"))
    for kind in kinds:
        if kind not in KINDS:
            problems.append(UnknownChoice("kind", str(kind), KINDS, where=at("kinds")))
    fonts = data.get("fonts", [])
    if not all(isinstance(role, str) for role in fonts):
        problems.append(AssetsError("fonts must list font role names", where=at("fonts"), hint='e.g. ["display", "text"]'))
    templates = {kind: f"{kind}.html" for kind in kinds if kind in KINDS}
    for kind, name in data.get("templates", {}).items():
        key = key_path("templates", kind)
        if kind not in kinds:
            problems.append(AssetsError(f"{key} names a kind not listed in kinds", where=at("templates", kind)))
        elif not isinstance(name, str):
            problems.append(AssetsError(f"{key} must be a file name", where=at("templates", kind)))
        else:
            templates[kind] = name
    for kind, name in templates.items():
        if kind in kinds and not _inside(folder, name):
            problems.append(AssetsError(f"template {name!r} for {kind} not found in {folder}",
                                        where=at("templates", kind) if kind in data.get("templates", {}) else at("kinds"),
                                        hint=f"add {shown(name)} or name another file in [templates]"))
    palette = data.get("palette", {})
    for key, value in palette.items():
        if not isinstance(value, str) or parse_color(value) is None:
            problems.append(AssetsError(f"{key_path('palette', key)} = {value!r} is not a CSS colour",
                                        where=at("palette", key), hint='e.g. "#d7141a" or "rgb(215 20 26)"'))
        elif not SAFE_NAME.match(key):
            problems.append(AssetsError(f"{key_path('palette', key)}: name it with lowercase letters, digits and "
                                        "hyphens", where=at("palette", key), hint="it becomes --color-NAME in CSS"))
    palette_cmyk = _palette_cmyk(data.get("palette-cmyk", {}), palette, at, problems)
    images = data.get("images", {})
    for key, value in images.items():
        slot, where = key_path("images", key), at("images", key)
        if not isinstance(value, str) or not _inside(folder, value):
            problems.append(AssetsError(f"{slot}: {value!r} not found in {folder}", where=where,
                                        hint="images live in the design's own folder"))
        elif Path(value).suffix.lower() not in RASTER_SUFFIXES | {SVG_SUFFIX}:
            problems.append(AssetsError(f"{slot}: {value!r} is not a picture file", where=where,
                                        hint="use a PNG, JPEG, GIF, WebP or SVG file"))
        elif problem := image_problem(folder / value):
            # Checked here, with the line of design.toml, rather than as a hole in the first poster.
            problems.append(AssetsError(f"{slot}: {value!r} is {problem}", where=where,
                                        hint="replace the file, or point the slot at another picture"))
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
        palette_cmyk=palette_cmyk,
        fonts=tuple(fonts),
        images=images,
    )


def _palette_cmyk(table: dict, palette: dict, at, problems: list[AssetsError]) -> dict:
    """[palette-cmyk]: each entry a twin of a [palette] one, four percentages within the ink limit."""
    valid = {}
    for key, value in table.items():
        where = at("palette-cmyk", key)
        if key not in palette:
            problems.append(UnknownChoice("palette-cmyk entry", key, palette, where=where))
        elif (not isinstance(value, list) or len(value) != 4
              or not all(isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 100 for v in value)):
            problems.append(AssetsError(f"{key_path('palette-cmyk', key)} = {value!r} is not four percentages",
                                        where=where, hint="cyan, magenta, yellow, black from 0 to 100, e.g. [0, 95, 90, 5]"))
        elif sum(value) > MAX_INK:
            problems.append(AssetsError(f"{key_path('palette-cmyk', key)} puts {sum(value):g} % ink on paper",
                                        where=where, hint=f"coated offset takes at most {MAX_INK} %; rich black is [60, 40, 40, 100]"))
        else:
            valid[key] = tuple(float(v) for v in value)
    return valid


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
