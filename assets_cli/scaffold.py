"""New things from templates: a design to start from (`designs new`) and a workspace (`init`)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from assets_cli.designs import DESIGN_FILE, SAFE_NAME, Design, load_design
from assets_cli.errors import AssetsError
from assets_cli.statements import Statement
from assets_cli.workspace import builtin_root

STARTER = Path(__file__).resolve().parent / "starter"


def _check_name(name: str) -> None:
    if not SAFE_NAME.match(name):
        raise AssetsError(f"design name {name!r} is not a safe folder name",
                          hint="lowercase letters, digits and hyphens, e.g. my-design")


def _publish(staging: Path, target: Path) -> None:
    """Move a finished folder into place in one rename, so no half-made folder is ever seen."""
    try:
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise AssetsError(f"cannot create folder ({exc.strerror})", where=str(target)) from None


def _staging(parent: Path) -> Path:
    try:
        parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(dir=parent, prefix=".new-"))
    except OSError as exc:
        raise AssetsError(f"cannot write here ({exc.strerror})", where=str(parent)) from None


def new_design(name: str, designs_dir: Path, *, title: str | None = None, source: Design | None = None) -> Design:
    """Create `designs_dir/name`: the commented starter, or a copy of `source` renamed."""
    _check_name(name)
    target = designs_dir / name
    if target.exists():
        raise AssetsError("already exists", where=str(target), hint="choose another name or delete the folder")
    staging = _staging(designs_dir)
    try:
        folder = staging / name
        shutil.copytree(source.path if source else STARTER, folder, symlinks=False,
                        ignore=shutil.ignore_patterns("__pycache__", ".*"))
        toml = folder / DESIGN_FILE
        title = title or name.replace("-", " ").title()
        text = toml.read_text("utf-8")
        if source is None:
            text = text.replace("__NAME__", name).replace("__TITLE__", title.replace('"', "'"))
        else:
            text = _renamed(text, source.name, name, title)
        toml.write_text(text, "utf-8")
        load_design(folder)  # what we write must load
        _publish(folder, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return load_design(target)


def _renamed(text: str, old: str, new: str, title: str) -> str:
    """design.toml of a copy: its own name and title, everything else kept."""
    lines = []
    for line in text.splitlines(keepends=True):
        key = line.split("=", 1)[0].strip()
        if key == "name":
            line = f'name = "{new}"\n'
        elif key == "title":
            line = f'title = "{title}"\n'
        lines.append(line)
    return "".join(lines)


def init_workspace(root: Path, statement: Statement) -> list[Path]:
    """Make `root` a workspace: the statement, the built-in designs and fonts with their map.

    Like `mkdocs new`: for people who installed the tool rather than cloning
    it, a folder to edit. Existing folders are never overwritten.
    """
    builtin = builtin_root()
    plan = [
        (statement.path, root / "statements" / statement.id),
        *((folder, root / "designs" / folder.name)
          for folder in sorted((builtin / "designs").iterdir()) if (folder / DESIGN_FILE).is_file()),
        (builtin / "fonts", root / "fonts"),
    ]
    clashes = [str(target) for _, target in plan if target.exists()]
    if clashes:
        raise AssetsError(f"already exists: {', '.join(clashes)}", where=str(root),
                          hint="init makes a new workspace; pick an empty folder")
    made = []
    for source, target in plan:
        staging = _staging(target.parent)
        try:
            shutil.copytree(source, staging / target.name, symlinks=False,
                            ignore=shutil.ignore_patterns("__pycache__", ".*"))
            _publish(staging / target.name, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        made.append(target)
    guide = builtin / "designs" / "README.md"
    if guide.is_file() and not (root / "designs" / "README.md").exists():
        shutil.copy(guide, root / "designs" / "README.md")
    return made
