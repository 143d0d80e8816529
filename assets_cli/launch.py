"""The `assets` command as it starts: the worker pool's fork server first, then the CLI.

A command that renders on several cores waits for the pool's fork server to
import WeasyPrint (about a second) before the first worker can start. Started
as the process starts, that import runs on another core while this process
imports the CLI, reads the statement and plans (half a second): a cold
`assets poster` finishes about a third sooner. Only a command that will make
everything starts it this early: one with --force, or one whose output folder
keeps nothing yet. Elsewhere most files may be kept, and starting a second
Python beside a rebuild that makes nothing slowed it by a tenth of a second;
the pool starts it there as before, once it knows there is work. A server
started early is stopped as the command exits, so it does not hold the
terminal, or a pipe, open any longer.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
from pathlib import Path

# Commands that render assets, and so may start a pool.
RENDERING = frozenset({"poster", "social", "banner", "leaflet", "pack", "build"})
KEPT = ".cache"  # where an output folder keeps its records of what it holds (cache.CACHE_DIR)


def renders_everything(args: list[str], cwd: Path) -> bool:
    """Whether the command line `args` (without the program name) renders, with more than one worker,
    every asset it names: --force, or an output folder (--out, else ./output) that keeps nothing yet."""
    words, options, index = [], {}, 0
    while index < len(args):
        arg = args[index]
        if arg in ("--help", "-h", "--version"):
            return False
        name, equals, value = arg.partition("=")
        if name in ("--jobs", "-j", "--out", "-o") and not equals and index + 1 < len(args):
            options[name.lstrip("-")[0]] = args[index + 1]
            index += 2
            continue
        if equals and name in ("--jobs", "--out"):
            options[name[2]] = value
        elif arg[:2] in ("-j", "-o") and len(arg) > 2:
            options[arg[1]] = arg[2:]
        elif arg == "--force":
            options["force"] = ""
        elif not arg.startswith("-"):
            words.append(arg)
        index += 1
    if not words or words[0] not in RENDERING:
        return False
    jobs = options.get("j")
    if jobs is not None and jobs.isdigit() and int(jobs) <= 1:
        return False
    if jobs is None and cores() <= 1:
        return False
    return "force" in options or not (cwd / options.get("o", "output") / KEPT).is_dir()


def cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def pool_context() -> multiprocessing.context.BaseContext:
    """Where the pool's workers come from: a fork server that has imported what renders."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["assets_cli.produce"])
    return context


def start_fork_server() -> None:
    """Start the pool's fork server now, and stop it as this process exits (its workers are done by then)."""
    from multiprocessing import forkserver

    pool_context()
    forkserver.ensure_running()
    atexit.register(_stop, forkserver)


def _stop(forkserver) -> None:
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)  # it is this process's child: reaped here, not left to whoever adopts it
        except OSError:
            pass


def main() -> None:
    if renders_everything(sys.argv[1:], Path.cwd()):
        start_fork_server()
    from assets_cli.cli import main as cli

    cli()
