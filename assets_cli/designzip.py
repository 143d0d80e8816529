"""`assets designs add FILE.zip`: install a design someone sent, refusing archives that try anything.

A zip from a stranger may name files outside the folder (`../../.bashrc`,
`/etc/…`), carry symbolic links that lead out of it, or unpack to gigabytes
from a few kilobytes. Every entry is judged before a byte is written, sizes
are counted as the data comes out (headers can lie), and the design lands in
`designs/` by one rename only once it loads and its templates parse.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath

from assets_cli.designs import DESIGN_FILE, Design, load_design
from assets_cli.errors import AssetsError, collect
from assets_cli.output import staging_folder

MAX_ARCHIVE_MB = 50
MAX_UNPACKED_MB = 100
MAX_FILE_MB = 40
MAX_ENTRIES = 2000
CHUNK = 1 << 16


def _entry_problems(info: zipfile.ZipInfo, where: str) -> list[AssetsError]:
    name = info.filename
    problems = []
    path = PurePosixPath(name)
    mode = info.external_attr >> 16
    if "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        problems.append(AssetsError(f"entry {name!r} has an absolute or Windows path", where=where))
    elif ".." in path.parts:
        problems.append(AssetsError(f"entry {name!r} leads out of the folder (..)", where=where))
    if stat.S_ISLNK(mode):
        problems.append(AssetsError(f"entry {name!r} is a symbolic link", where=where,
                                    hint="designs hold real files only"))
    elif stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):  # 0: zipped without a file type
        problems.append(AssetsError(f"entry {name!r} is not a plain file", where=where))
    if info.flag_bits & 0x1:
        problems.append(AssetsError(f"entry {name!r} is encrypted", where=where))
    if any(ord(c) < 32 for c in name):
        problems.append(AssetsError(f"entry {name!r} has control characters in its name", where=where))
    if info.file_size > MAX_FILE_MB * 1024 * 1024:
        problems.append(AssetsError(f"entry {name!r} unpacks to {info.file_size / 1e6:.0f} MB", where=where,
                                    hint=f"files in a design stay under {MAX_FILE_MB} MB"))
    return problems


def _root_of(names: list[str], where: str) -> str:
    """The folder inside the zip that holds design.toml: the top, or its one top-level folder."""
    if DESIGN_FILE in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{DESIGN_FILE}" in names:
            return f"{top}/"
    raise AssetsError(f"no {DESIGN_FILE} at the top of the archive or in its one folder", where=where,
                      hint="zip the design's folder itself")


def _unpack(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], root: str, target: Path, where: str) -> None:
    budget = MAX_UNPACKED_MB * 1024 * 1024
    for info in infos:
        relative = info.filename[len(root):]
        if not relative or info.is_dir():
            continue
        destination = target / relative
        if not destination.resolve().is_relative_to(target.resolve()):
            raise AssetsError(f"entry {info.filename!r} leads out of the folder", where=where)
        destination.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with archive.open(info) as source, open(destination, "xb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                budget -= len(chunk)
                if written > MAX_FILE_MB * 1024 * 1024 or budget < 0:
                    raise AssetsError(f"the archive unpacks to more than {MAX_UNPACKED_MB} MB", where=where,
                                      hint="a design is a few templates, stylesheets and images")
                out.write(chunk)
        destination.chmod(0o644)


def add_design(zip_path: Path, designs_dir: Path) -> Design:
    """Unpack a design archive into `designs_dir/<its name>` after judging every entry."""
    from assets_cli.render import check_templates  # WeasyPrint loads only when a design is really added

    where = str(zip_path)
    try:
        if zip_path.stat().st_size > MAX_ARCHIVE_MB * 1024 * 1024:
            raise AssetsError(f"the archive is larger than {MAX_ARCHIVE_MB} MB", where=where)
        archive = zipfile.ZipFile(zip_path)
    except FileNotFoundError:
        raise AssetsError("no such file", where=where) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise AssetsError(f"not a zip archive ({exc})", where=where) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise AssetsError(f"the archive has {len(infos)} entries", where=where, hint=f"at most {MAX_ENTRIES}")
        problems = [p for info in infos for p in _entry_problems(info, where)]
        if sum(info.file_size for info in infos) > MAX_UNPACKED_MB * 1024 * 1024:
            problems.append(AssetsError(f"the archive unpacks to more than {MAX_UNPACKED_MB} MB", where=where))
        collect(problems)
        infos = [i for i in infos if not PurePosixPath(i.filename).name.startswith(("__MACOSX", ".DS_Store"))
                 and not i.filename.startswith("__MACOSX/")]
        root = _root_of([i.filename for i in infos], where)
        with staging_folder(designs_dir, "design-add") as staging:
            folder = staging / "design"
            folder.mkdir()
            try:
                _unpack(archive, [i for i in infos if i.filename.startswith(root)], root, folder, where)
            except OSError as exc:  # a full disk: the staging folder goes, designs/ is untouched
                raise AssetsError(f"cannot unpack the design ({exc.strerror or exc})", where=str(designs_dir)) from None
            design = load_design(folder)
            check_templates(design)
            target = designs_dir / design.name
            if target.exists():
                raise AssetsError(f"a design named {design.name!r} is already here", where=str(target),
                                  hint="delete or rename that folder first")
            try:
                folder.rename(target)  # one rename: designs/ never holds half a design
            except OSError as exc:
                raise AssetsError(f"cannot create folder ({exc.strerror})", where=str(target)) from None
    return load_design(target)
