"""The one place that writes outputs: a temporary file beside the target, then an atomic rename.

A reader (or a build killed at any moment) sees the old file or the new one,
never half of one. Temporary files and staging folders are named
`.LABEL.PID.RANDOM.tmp`: hidden, beside their target (a rename is atomic only
within one filesystem), and marked with the process that made them. Ctrl-C
removes a temp on the way out; SIGKILL cannot, so the next write into a folder
first sweeps it of temps whose process is gone (or that are a day old), and
nothing else: a killed build leaves litter only until it is run again.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from assets_cli.errors import AssetsError

TEMP_SUFFIX = ".tmp"
TEMP_PATTERN = re.compile(r"^\..+\.(?P<pid>[1-9][0-9]*)\.[0-9a-f]{8}\.tmp$")
# No write takes a day: older temps are stale even if their PID now names another process.
STALE_AFTER = 24 * 3600
LABEL_MAX = 100  # bytes: keeps `.LABEL.PID.RANDOM.tmp` within a filesystem's 255-byte names

_in_flight: set[str] = set()  # this process's temps still being written
_swept: set[Path] = set()  # folders this process has already swept


def temp_name(label: str) -> str:
    """A fresh temporary name for `label` (a file or folder name): `.LABEL.PID.RANDOM.tmp`."""
    label = os.fsencode(label)[:LABEL_MAX].decode(errors="ignore")
    return f".{label}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}"


def is_temp(name: str) -> bool:
    """Whether `name` is one of our temporary names."""
    return TEMP_PATTERN.match(name) is not None


def _alive(pid: int, path: str) -> bool:
    """Whether the process that made the temp at `path` may still be writing it."""
    if pid == os.getpid():
        return path in _in_flight
    if os.name == "nt":  # os.kill(pid, 0) would end the process there; rely on age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def sweep(folder: Path, dead: set[int] = frozenset()) -> list[Path]:
    """Remove from `folder` the temps a killed run left: ours by name, made by a process that is gone (or in
    `dead`: killed, if not yet reaped)."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = TEMP_PATTERN.match(entry.name)
        if match is None:
            continue
        try:
            if entry.is_symlink():  # never ours: we make plain files and folders
                continue
            old = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
            if not old and int(match["pid"]) not in dead and _alive(int(match["pid"]), entry.path):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:  # gone already (another run swept it), or not ours to remove
            continue
        removed.append(Path(entry.path))
    return removed


def _sweep_once(folder: Path) -> None:
    if folder not in _swept:
        sweep(folder)
        _swept.add(folder)


def _cannot_write_here(folder: Path, exc: OSError) -> AssetsError:
    return AssetsError(f"cannot write here ({exc.strerror or exc})", where=str(folder))


def check_writable(folder: Path) -> None:
    """Refuse an output folder that cannot be made or written, before any work is done.

    Only a first look (a file in the way, a read-only disk, no permission);
    `write_atomic` still reports what goes wrong later.
    """
    for existing in (folder, *folder.parents):
        if not existing.exists():
            continue
        if not existing.is_dir():
            reason = "it is a file, not a folder" if existing == folder else f"{existing} is a file, not a folder"
            raise AssetsError(f"cannot write here ({reason})", where=str(folder))
        if hasattr(os, "statvfs") and os.statvfs(existing).f_flag & os.ST_RDONLY:
            raise AssetsError(f"cannot write here ({os.strerror(errno.EROFS)})", where=str(folder))
        if not os.access(existing, os.W_OK | os.X_OK):
            raise AssetsError(f"cannot write here ({os.strerror(errno.EACCES)})", where=str(folder))
        return


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    `durable=False` skips flushing to disk before the rename, for files that are only worth a little
    (a cache record: after a power cut it may be empty, and the asset is made again).
    """
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write_here(folder, exc) from None
    _sweep_once(folder)
    tmp = str(folder / temp_name(path.name))
    _in_flight.add(tmp)
    replaced = False
    try:
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except OSError as exc:
            raise _cannot_write_here(folder, exc) from None
        try:
            _write_all(fd, data)
            # On disk before the rename: after a power cut the name holds the old file or the new, not an empty one.
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o644)  # whatever the umask: the same file on every machine
        os.replace(tmp, path)
        replaced = True
    except OSError as exc:
        raise AssetsError(f"cannot write file ({exc.strerror or exc})", where=str(path)) from None
    finally:
        # Also on Ctrl-C (KeyboardInterrupt) and any other way out: no temp is left behind.
        if not replaced:
            with suppress(OSError):
                os.unlink(tmp)
        _in_flight.discard(tmp)


def write_if_changed(path: Path, data: bytes) -> bool:
    """`write_atomic`, unless the file already holds exactly `data`: a rebuild leaves it, and its time, alone."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


@contextmanager
def staging_folder(parent: Path, label: str) -> Iterator[Path]:
    """A new empty temporary folder in `parent`, to fill and then publish with one rename; removed on the way out."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write_here(parent, exc) from None
    _sweep_once(parent)
    while True:
        folder = parent / temp_name(label)
        try:
            folder.mkdir(mode=0o700)
            break
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot_write_here(parent, exc) from None
    _in_flight.add(str(folder))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        _in_flight.discard(str(folder))
