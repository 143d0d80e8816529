"""New things from templates: a design to start from (`designs new`) and a workspace (`init`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from assets_cli.designs import DESIGN_FILE, SAFE_NAME, Design, load_design
from assets_cli.errors import AssetsError
from assets_cli.output import staging_folder, write_atomic
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
        raise AssetsError(f"cannot create folder ({exc.strerror})", where=str(target)) from None


def _copy(source: Path, folder: Path) -> None:
    """Copy a folder into a staging folder; a failure (a full disk) is one line naming where."""
    try:
        shutil.copytree(source, folder, symlinks=False, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    except shutil.Error as exc:  # copytree gathers (source, destination, reason) for every file that failed
        failed = exc.args[0] if exc.args and isinstance(exc.args[0], list) and exc.args[0] else [(str(exc),)]
        reason = failed[0][-1]
        raise AssetsError(f"cannot copy {source} ({reason})", where=str(folder.parent.parent)) from None
    except OSError as exc:
        raise AssetsError(f"cannot copy {source} ({exc.strerror or exc})", where=str(folder.parent.parent)) from None


def new_design(name: str, designs_dir: Path, *, title: str | None = None, source: Design | None = None) -> Design:
    """Create `designs_dir/name`: the commented starter, or a copy of `source` renamed."""
    _check_name(name)
    target = designs_dir / name
    if target.exists():
        raise AssetsError("already exists", where=str(target), hint="choose another name or delete the folder")
    with staging_folder(designs_dir, name) as staging:
        folder = staging / name
        _copy(source.path if source else STARTER, folder)
        toml = folder / DESIGN_FILE
        title = title or name.replace("-", " ").title()
        text = toml.read_text("utf-8")
        if source is None:
            text = text.replace("__NAME__", name).replace("__TITLE__", title.replace('"', "'"))
        else:
            text = _renamed(text, source.name, name, title)
        try:
            toml.write_text(text, "utf-8")  # inside the staging folder: published whole, below, or not at all
        except OSError as exc:
            raise AssetsError(f"cannot write file ({exc.strerror})", where=str(target / DESIGN_FILE)) from None
        load_design(folder)  # what we write must load
        _publish(folder, target)
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
        with staging_folder(target.parent, target.name) as staging:
            _copy(source, staging / target.name)
            _publish(staging / target.name, target)
        made.append(target)
    guide = builtin / "designs" / "README.md"
    if guide.is_file() and not (root / "designs" / "README.md").exists():
        write_atomic(root / "designs" / "README.md", guide.read_bytes())
    return made
