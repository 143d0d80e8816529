"""Nothing lost, nothing half-written: builds killed or interrupted mid-way, a full disk, an unwritable --out."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image

from assets_cli import output
from assets_cli.designs import find_design
from assets_cli.errors import AssetsError
from assets_cli.fonts import load_font_map
from assets_cli.generate import make, plan
from assets_cli.output import is_temp, sweep, write_atomic
from assets_cli.scaffold import new_design
from assets_cli.sizes import resolve_sizes
from assets_cli.statements import find_statement
from assets_cli.workspace import Workspace
from conftest import REPO, run_cli

PACK = ("pack", "--lang", "es", "--kind", "poster")
POSTERS = Path("week-of-struggle-2020/es/poster")
PRINTS = Path("week-of-struggle-2020/es/print")
ZIP = Path("packs/week-of-struggle-2020-es.zip")
ENV = {**os.environ, "COLUMNS": "200"}

# Runs the real CLI with os.write changed for our temporary files only (the fd's
# name ends in .tmp), as set by ASSETS_FAULT:
#   slow:SECONDS:TEXT  the first write of each temp whose name holds TEXT stops
#                      halfway for SECONDS, so a signal lands while a
#                      half-written temp is on disk;
#   enospc:BYTES       the disk holds BYTES more, then writes fail as a full disk
#                      does (the part that fits is written, then ENOSPC).
FAULTY_CLI = """
import errno, os, sys, time
mode, value, text = (os.environ["ASSETS_FAULT"] + ":").split(":")[:3]
real_write, slowed, room = os.write, set(), [int(value) if mode == "enospc" else 0]

def write(fd, data):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        target = ""
    if not target.endswith(".tmp"):
        return real_write(fd, data)
    if mode == "slow" and text in target and target not in slowed and len(data) > 1:
        slowed.add(target)
        done = real_write(fd, memoryview(data)[: len(data) // 2])
        time.sleep(float(value))
        return done
    if mode == "enospc":
        if room[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        done = real_write(fd, memoryview(data)[: room[0]])
        room[0] -= done
        return done
    return real_write(fd, data)

os.write = write
sys.argv = ["assets", *sys.argv[1:]]
from assets_cli.cli import main
main()
"""


def _default_sigint() -> None:
    # A runner may start us with SIGINT ignored, and children inherit that; Ctrl-C must reach the CLI.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str, fault: str | None = None) -> subprocess.Popen:
    """Start the CLI (through FAULTY_CLI when `fault` is set), as a terminal would."""
    command = [sys.executable, "-c", FAULTY_CLI, *args] if fault else [sys.executable, "-m", "assets_cli", *args]
    env = {**ENV, "ASSETS_FAULT": fault} if fault else ENV
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_sigint)


def files(folder: Path) -> dict[str, Path]:
    """Every file under `folder`, by relative path, hidden ones included (the cache's records only as temps)."""
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*"))
            if p.is_file() and (".cache" not in p.relative_to(folder).parts or is_temp(p.name))}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: path.read_bytes() for name, path in files(folder).items()}


def temps(folder: Path) -> list[str]:
    return [name for name in files(folder) if name.rsplit("/", 1)[-1].startswith(".")]


def wait_until(process: subprocess.Popen, seen, timeout: float = 240) -> None:
    """Poll the output folder (every ~2 ms) until `seen()`; fail if the process ends first."""
    deadline = time.monotonic() + timeout
    while not seen():
        assert process.poll() is None, f"finished before the signal: {process.communicate()[1]}"
        assert time.monotonic() < deadline, "timed out waiting to send the signal"
        time.sleep(0.002)


def any_file(folder: Path):
    return lambda: any(names for _, _, names in os.walk(folder))


def landed(path: Path):
    return path.exists


def temp_in(folder: Path, *, min_bytes: int = 1):
    def seen() -> bool:
        try:
            return any(is_temp(e.name) and e.stat().st_size >= min_bytes for e in os.scandir(folder))
        except FileNotFoundError:
            return False
    return seen


def assert_whole(state: dict[str, bytes] | Path, clean: dict[str, bytes]) -> list[str]:
    """Every finished file opens and equals the clean build's, byte for byte; returns the temps left over."""
    if isinstance(state, Path):
        state = snapshot(state)
    left = []
    for name, data in state.items():
        base = name.rsplit("/", 1)[-1]
        if base.startswith("."):
            assert is_temp(base), f"a stray hidden file: {name}"
            left.append(name)
            continue
        assert name in clean and len(data) == len(clean[name]), f"truncated or unexpected: {name}"
        if name.endswith(".pdf"):
            document = pdfium.PdfDocument(data)
            assert len(document) == 1, name  # posters are one page, home and print alike
            document.close()
        elif name.endswith(".png"):
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
        elif name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                assert archive.testzip() is None, name
        assert data == clean[name], f"differs from a clean build: {name}"
    return left


class CleanBuild:
    """The Spanish poster pack built without interruption, in the background: it runs beside the faulty builds."""

    def __init__(self, out: Path):
        self.out = out
        self.process = start(*PACK, "--out", str(out))
        self._files: dict[str, bytes] | None = None

    def files(self) -> dict[str, bytes]:
        """Every file of the clean build, by relative path (waits for it)."""
        if self._files is None:
            _, err = self.process.communicate(timeout=300)
            assert self.process.returncode == 0, err
            self._files = snapshot(self.out)
        return self._files


@pytest.fixture(scope="module")
def clean_build(tmp_path_factory) -> CleanBuild:
    build = CleanBuild(tmp_path_factory.mktemp("clean"))
    yield build
    if build.process.poll() is None:
        build.process.kill()
        build.process.communicate()


@pytest.fixture
def clean(clean_build) -> dict[str, bytes]:
    return clean_build.files()


def test_a_build_killed_at_any_moment_is_finished_by_the_next_run(tmp_path, clean_build):
    out = tmp_path / "out"
    after_kills = []
    # Kill as soon as a first file appears; while a print PDF is half-written (its temp on disk,
    # the writer paused halfway); while the zip is half-written, after every asset.
    for seen, fault in ((any_file(out), None),
                        (temp_in(out / PRINTS), "slow:30:-print.pdf"),
                        (temp_in(out / ZIP.parent), "slow:30:.zip")):
        # Faults are set in the CLI's own process: those runs make their files there (--jobs 1).
        process = start(*PACK, "--out", str(out), *(("--jobs", "1") if fault else ()), fault=fault)
        wait_until(process, seen)
        process.kill()
        process.communicate(timeout=30)
        assert process.returncode == -signal.SIGKILL
        after_kills.append(snapshot(out))
        if fault is None:
            # The pool's workers die with the CLI: nothing more is written behind its back.
            time.sleep(3)
            assert snapshot(out) == after_kills[-1]

    clean = clean_build.files()  # built meanwhile
    left = []
    for state in after_kills:
        left += assert_whole(state, clean)
    assert {name.split("/", 1)[0] for name in left} >= {"packs", "week-of-struggle-2020"}, left
    assert any(name.startswith(str(PRINTS)) for name in left), "the half-written print PDF's temp stayed"

    result = run_cli(*PACK, "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert temps(out) == []
    assert snapshot(out) == clean


@pytest.mark.parametrize("when", ["rendering", "writing"])
def test_ctrl_c_leaves_no_temp_and_no_half_file(tmp_path, clean, when):
    out = tmp_path / "out"
    if when == "rendering":  # between files: the first PDF is written, the PNG is being made
        process = start(*PACK, "--out", str(out))
        wait_until(process, landed(out / POSTERS / "poster-a4-placard.pdf"))
    else:  # in the middle of writing the first PDF: half of it is in a temp
        process = start(*PACK, "--out", str(out), "--jobs", "1", fault="slow:30:poster-a4-placard.pdf")
        wait_until(process, temp_in(out / POSTERS))
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert assert_whole(out, clean) == []
    assert not (out / ZIP).exists()


def test_out_is_an_existing_file(tmp_path):
    taken = tmp_path / "taken"
    taken.write_text("mine\n")
    for out in (taken, taken / "below"):
        result = run_cli(*PACK, "--out", str(out))
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            f"error: {out}: cannot write here ({'it' if out == taken else taken} is a file, not a folder)"]
        assert taken.read_text() == "mine\n" and [p.name for p in tmp_path.iterdir()] == ["taken"]


def test_a_full_disk_through_the_cli(tmp_path, clean):
    out = tmp_path / "out"
    a4 = [str(POSTERS / f"poster-a4-placard.{fmt}") for fmt in ("pdf", "png")]
    # a4's PDF, PNG and cache record fit, then a3's PDF does not.
    room = sum(len(clean[name]) for name in a4) + 3000
    process = start("poster", "--lang", "es", "--size", "a4", "--size", "a3", "--out", str(out), "--json",
                    "--jobs", "1", fault=f"enospc:{room}")
    stdout, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert err.splitlines() == [
        f"error: {out / POSTERS / 'poster-a3-placard.pdf'}: cannot write file (No space left on device)"]
    assert stdout == ""
    assert snapshot(out) == {name: clean[name] for name in a4}


# --- The library, in-process ------------------------------------------------------------


@pytest.fixture
def full_disk(monkeypatch):
    """Our temps get `room[0]` more bytes, then ENOSPC; other writes are untouched."""
    real_write, room = os.write, [0]

    def write(fd, data):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target = ""
        if not target.endswith(".tmp"):
            return real_write(fd, data)
        if room[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        done = real_write(fd, memoryview(data)[: room[0]])
        room[0] -= done
        return done

    monkeypatch.setattr(os, "write", write)
    return room


def test_write_atomic_on_a_full_disk_keeps_the_old_file_and_no_temp(tmp_path, full_disk):
    target = tmp_path / "poster.pdf"
    full_disk[0] = 10
    write_atomic(target, b"old poster")
    full_disk[0] = 100
    with pytest.raises(AssetsError) as failed:
        write_atomic(target, b"x" * 1000)
    assert str(failed.value) == f"{target}: cannot write file (No space left on device)"
    assert target.read_bytes() == b"old poster"
    assert [p.name for p in tmp_path.iterdir()] == ["poster.pdf"]


def test_write_atomic_interrupted_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "poster.pdf"
    write_atomic(target, b"old poster")
    real_write = os.write

    def interrupted(fd, data):
        real_write(fd, memoryview(data)[:10])
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"x" * 1000)
    assert target.read_bytes() == b"old poster"
    assert [p.name for p in tmp_path.iterdir()] == ["poster.pdf"]


def test_make_on_a_full_disk_keeps_what_it_wrote(tmp_path, full_disk):
    workspace = Workspace(REPO)
    jobs = plan("poster", find_statement(None, workspace), "es", find_design(None, workspace),
                resolve_sizes("poster", ["a4", "a3"]), tmp_path)
    full_disk[0] = 10**9
    written = []
    first = make(jobs, load_font_map(workspace.fonts_dir))
    written += [next(first), next(first)]  # a4's PDF and PNG; then the disk is nearly full
    full_disk[0] = 1000
    with pytest.raises(AssetsError, match="No space left on device") as failed:
        written += list(first)
    assert failed.value.where == str(jobs[1].path("pdf"))
    for item in written:
        assert hashlib.sha256(item.path.read_bytes()).hexdigest() == item.sha256
    assert {p for p in tmp_path.rglob("*") if p.is_file() and ".cache" not in p.parts} == {w.path for w in written}


def test_designs_new_on_a_full_disk_leaves_no_half_design(tmp_path, monkeypatch):
    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfile", full)
    designs = tmp_path / "designs"
    with pytest.raises(AssetsError, match=r"cannot copy .* \(.*No space left on device"):
        new_design("mine", designs)
    assert list(designs.iterdir()) == []


def test_the_next_write_sweeps_only_temps_whose_process_is_gone(tmp_path):
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, live = int(ended.stdout), os.getppid()
    folder = tmp_path / "poster"
    folder.mkdir()
    stale = [f".poster-a4-placard.pdf.{dead}.0123abcd.tmp", f".poster-a3-placard.png.{live}.89abcdef.tmp"]
    kept = [f".poster-a2-placard.pdf.{live}.0123abcd.tmp",  # still being written by a live process
            f"notes.{dead}.0123abcd.tmp", f".notes.{dead}.tmp", "poster.tmp", f".link.{dead}.0123abcd.tmp"]
    for name in stale + kept[:-1]:
        (folder / name).write_bytes(b"half")
    (folder / f".staging.{dead}.fedcba98.tmp").mkdir()  # a killed `designs new`
    stale.append(f".staging.{dead}.fedcba98.tmp")
    (folder / kept[-1]).symlink_to(tmp_path)  # never ours: we make no links
    day_ago = time.time() - output.STALE_AFTER - 60
    os.utime(folder / stale[1], (day_ago, day_ago))  # no write takes a day, whoever has that PID now

    write_atomic(folder / "poster-a4-placard.pdf", b"whole")
    assert sorted(p.name for p in folder.iterdir()) == sorted(kept + ["poster-a4-placard.pdf"])
    assert sweep(folder) == []  # and sweeping again finds nothing more to remove
