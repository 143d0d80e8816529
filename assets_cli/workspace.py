"""Where statements, designs and fonts come from: the workspace, then the built-ins."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_root() -> Path:
    """The folder holding the shipped statements/, designs/ and fonts/.

    An installed wheel carries them in `_builtin/`; a clone (or an editable
    install) has them beside the package.
    """
    bundled = _PACKAGE / "_builtin"
    return bundled if bundled.is_dir() else _PACKAGE.parent


@dataclass(frozen=True)
class Workspace:
    """A working folder, searched before the built-in content."""

    root: Path

    def search_path(self, folder: str) -> list[Path]:
        """Existing `folder` directories, workspace first, built-ins last."""
        candidates = [self.root.resolve() / folder, builtin_root() / folder]
        return [p for p in dict.fromkeys(candidates) if p.is_dir()]

    @property
    def fonts_dir(self) -> Path:
        """The workspace's fonts/ when it has a font map, else the built-in one."""
        for path in self.search_path("fonts"):
            if (path / "fonts.toml").is_file():
                return path
        return builtin_root() / "fonts"


def find_folder(name_or_path: str, search_path: list[Path], marker: str) -> Path | None:
    """A folder holding `marker`: NAME in the search path first, else PATH as given."""
    if name_or_path and "/" not in name_or_path and name_or_path not in (".", ".."):
        for base in search_path:
            if (base / name_or_path / marker).is_file():
                return base / name_or_path
    path = Path(name_or_path).expanduser()
    return path.resolve() if (path / marker).is_file() else None


def available_names(search_path: list[Path], marker: str) -> list[str]:
    """Names of the folders holding `marker` across the search path."""
    names: dict[str, None] = {}
    for base in search_path:
        for child in sorted(base.iterdir()):
            if (child / marker).is_file():
                names.setdefault(child.name, None)
    return list(names)
