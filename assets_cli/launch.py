"""The `assets` command as it starts: the worker pool's fork server first, then the CLI.

A command that renders on several cores waits for the pool's fork server to
import WeasyPrint (about a second) before the first worker can start. Started
as the process starts, that import runs on another core while this process
imports the CLI, reads the statement and plans (half a second): a cold
`assets poster` finishes about a third sooner. A command that turns out to
have nothing to render (every file kept) stops the server as it exits, so it
does not hold the terminal, or a pipe, open any longer.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys

# Commands that render assets, and so may start a pool.
RENDERING = frozenset({"poster", "social", "banner", "leaflet", "pack", "build"})
# Options that take a value, before or after the command's name: --jobs is read; the others are skipped.
_JOBS = ("--jobs", "-j")


def pool_likely(args: list[str]) -> bool:
    """Whether the command line `args` (without the program name) renders with more than one worker."""
    words, jobs, index = [], None, 0
    while index < len(args):
        arg = args[index]
        if arg in ("--help", "-h", "--version"):
            return False
        if arg in _JOBS and index + 1 < len(args):
            jobs, index = args[index + 1], index + 2
            continue
        for prefix in ("--jobs=", "-j"):
            if arg.startswith(prefix) and arg != "-j":
                jobs = arg[len(prefix):]
        if not arg.startswith("-"):
            words.append(arg)
        index += 1
    if not words or words[0] not in RENDERING:
        return False
    if jobs is not None:
        return not jobs.isdigit() or int(jobs) > 1  # a bad value is the CLI's to report
    return cores() > 1


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
    if pool_likely(sys.argv[1:]):
        start_fork_server()
    from assets_cli.cli import main as cli

    cli()
