"""Render on every core: a pool of worker processes, each with the fonts and one warm renderer per design.

Workers come from a fork server that has already imported WeasyPrint (started
as the command starts where it will make everything, `launch`): a worker
starts in milliseconds, and none is forked from the CLI process itself, whose
progress bar runs a thread (forking beside a thread can copy a held lock).
Ctrl-C is the CLI's to handle: workers ignore it; the pool kills them when the
CLI stops early, and they kill themselves when it dies.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from assets_cli.fonts import FontMap
from assets_cli.generate import Job, Written
from assets_cli.launch import pool_context
from assets_cli.output import sweep

_producer = None


def _end_with(cli: int) -> None:
    """Kill this worker as soon as the CLI process is gone (killed, say): it must not write behind its back.

    Its parent is the fork server, which outlives the CLI for as long as any
    worker does, so the worker watches the CLI itself.
    """
    def watch() -> None:
        try:
            select.select([os.pidfd_open(cli)], [], [])  # readable once the process has ended
        except (AttributeError, OSError):  # no pidfd (not Linux, or before 5.3): ask every half second
            while _alive(cli):
                time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="assets-watch-cli", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start_worker(cli: int, fonts: FontMap, allow_overflow: bool, levels: dict[str, int]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _end_with(cli)
    # The same logging as the CLI: WeasyPrint's warnings only with --verbose.
    logging.basicConfig(level=levels[""], format="%(name)s: %(message)s")
    for name, level in levels.items():
        logging.getLogger(name or None).setLevel(level)
    from assets_cli.produce import Producer

    global _producer
    _producer = Producer(fonts, allow_overflow=allow_overflow)
    # Stop the renderers' template processes when the pool ends this worker.
    multiprocessing.util.Finalize(None, _producer.close, exitpriority=10)


def _produce(job: Job) -> list[Written]:
    return _producer.produce(job)


def produce_all(jobs: Iterable[Job], fonts: FontMap, *, workers: int,
                allow_overflow: bool = False) -> Iterator[list[Written]]:
    """Each job's files, in the jobs' order, made by `workers` processes at once."""
    levels = {"": logging.getLogger().level, "weasyprint": logging.getLogger("weasyprint").level}
    pool = ProcessPoolExecutor(workers, mp_context=pool_context(), initializer=_start_worker,
                               initargs=(os.getpid(), fonts, allow_overflow, levels))
    jobs = list(jobs)
    futures: list[Future] = []
    try:
        futures = [pool.submit(_produce, job) for job in jobs]
        for future in futures:
            yield future.result()
    except BaseException:
        # An error, Ctrl-C or a consumer that stopped: the jobs still running are not wanted.
        for future in futures:
            future.cancel()
        killed = _kill(pool)
        # A worker killed while writing leaves its temp behind.
        for folder in dict.fromkeys(folder for job in jobs for folder in (job.folder, job.print_path().parent)):
            sweep(folder, dead=killed)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _kill(pool: ProcessPoolExecutor) -> set[int]:
    """SIGKILL the pool's workers; their pids."""
    # The executor has no public way to stop a running job; its processes are the way. Waiting for them
    # would race its own thread, which marks the (cancelled) jobs as broken and prints a traceback.
    killed = set()
    for process in list((pool._processes or {}).values()):
        if process.is_alive():
            process.kill()
            killed.add(process.pid)
    return killed
