"""Templates run in a child process with limits on time, memory and output.

Jinja's sandbox stops a design from reaching Python internals, but not from
looping for ever (`{% for a in x %}{% for b in x %}…`), from building a
gigabyte string in one C call (`"x" * 10**10`, `center(10**9)`), or from
recursing until the interpreter gives up. A child process can be limited
from outside: its address space is capped, it gets a fixed time per page,
and whatever it writes past the output limit is refused. The child is forked
once per design and kept, so a render costs a pipe round trip, not a fork.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
from typing import Any

import jinja2

from assets_cli.errors import RenderError

log = logging.getLogger(__name__)

TIME_LIMIT_S = 10.0  # a poster's template renders in about 10 ms
MEMORY_LIMIT_MB = 512  # on top of what the process already maps
OUTPUT_LIMIT_BYTES = 4 * 1024 * 1024  # a page's HTML is 20–60 KB, most of it the QR code


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _limit_memory(extra_mb: int) -> None:
    try:
        limit = _address_space() + extra_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (OSError, ValueError) as exc:  # not Linux, or limits not allowed: time and output limits still hold
        log.debug("no memory limit for templates: %s", exc)


def _place(exc: BaseException, name: str) -> tuple[str, int | None]:
    """The template file and line a runtime error happened at (Jinja maps its frames to template lines)."""
    file, line = name, None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            file, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return file, line


def _render(env: jinja2.Environment, name: str, context: dict[str, Any], max_bytes: int, memory_mb: int) -> tuple:
    """One render in the child: ("ok", html) or ("error", category, message, file, line)."""
    try:
        chunks, size = [], 0
        for chunk in env.get_template(name).generate(context):
            size += len(chunk)
            if size > max_bytes:
                return ("error", "output", f"the template wrote more than {max_bytes // (1024 * 1024)} MB of HTML",
                        None, None)
            chunks.append(chunk)
        return ("ok", "".join(chunks))
    except jinja2.TemplateSyntaxError as exc:
        return ("error", "syntax", exc.message, exc.name or name, exc.lineno)
    except jinja2.TemplateNotFound as exc:  # an {% include %} or {% extends %} of a file it may not have
        return ("error", "include", exc.message or repr(exc.name), *_place(exc, name))
    except jinja2.UndefinedError as exc:
        return ("error", "undefined", exc.message, *_place(exc, name))
    except jinja2.exceptions.SecurityError as exc:
        return ("error", "security", str(exc), *_place(exc, name))
    except jinja2.TemplateError as exc:
        return ("error", "template", str(exc), *_place(exc, name))
    except MemoryError:
        return ("error", "memory", f"the template needed more than {memory_mb} MB", name, None)
    except RecursionError:
        return ("error", "recursion", "the template recursed too deep (a macro calling itself?)", name, None)
    except Exception as exc:  # noqa: BLE001 - anything a filter or test raised on the design's data
        return ("error", "template", f"{type(exc).__name__}: {exc}", *_place(exc, name))


def _serve(env: jinja2.Environment, conn, parent_end, memory_mb: int, max_bytes: int) -> None:
    # The fork copied the parent's end of the pipe too; holding it would keep
    # this child waiting for ever once the parent is gone (killed, say).
    parent_end.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # The parent may turn SIGTERM into KeyboardInterrupt for itself; the fork
    # inherits that, and multiprocessing ends daemon children with SIGTERM at
    # exit: this child should just end, not print a traceback.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _limit_memory(memory_mb)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        name, context = request
        try:
            try:
                answer = _render(env, name, context, max_bytes, memory_mb)
            except MemoryError:
                answer = ("error", "memory", f"the template needed more than {memory_mb} MB", name, None)
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return  # the parent is gone (killed while this rendered): nobody to answer


class TemplateSandbox:
    """Renders one design's templates in a forked child; a stuck or greedy template is stopped."""

    def __init__(self, env: jinja2.Environment, *, time_limit: float = TIME_LIMIT_S,
                 memory_mb: int = MEMORY_LIMIT_MB, max_bytes: int = OUTPUT_LIMIT_BYTES):
        self.env = env
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self.max_bytes = max_bytes
        self._process = None
        self._conn = None

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.env, child, parent, self.memory_mb, self.max_bytes),
                                        daemon=True, name="assets-template")
        self._process.start()
        child.close()
        self._conn = parent

    def render(self, name: str, context: dict[str, Any], where: str) -> str:
        """The template `name` filled with `context`, or RenderError naming `where`."""
        if self._process is None or not self._process.is_alive():
            self._start()
        try:
            # A plain dict: what rides along on the context object (where texts came from) stays here.
            self._conn.send((name, dict(context)))
            if not self._conn.poll(self.time_limit):
                self.close(kill=True)
                raise RenderError(f"the template ran for more than {self.time_limit:g} s and was stopped",
                                  where=where, hint="look for loops inside loops, or a macro that calls itself")
            answer = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self.close(kill=True)
            raise RenderError("the template's process died while rendering", where=where,
                              hint=f"it may have needed more than {self.memory_mb} MB") from None
        if answer[0] == "ok":
            return answer[1]
        _, category, message, file, line = answer
        # file:line as design.toml errors and `assets designs check` give them.
        location = os.path.join(os.path.dirname(where), file) if file else where
        location = f"{location}:{line}" if line else location
        if category == "syntax":
            raise RenderError(f"template syntax error: {message}", where=location)
        if category == "undefined":
            raise RenderError(f"template uses an undefined value: {message}", where=location,
                              hint="test optional key lines with {% if lines.NAME %}")
        if category == "include":
            raise RenderError(f"cannot include a template: {message}", where=location,
                              hint="templates may include files from their own folder only")
        if category == "security":
            raise RenderError(f"template did something unsafe: {message}", where=location)
        if category in ("output", "memory", "recursion"):
            raise RenderError(f"{message} and was stopped", where=where)
        raise RenderError(f"template error: {message}", where=location)

    def close(self, *, kill: bool = False) -> None:
        """Stop the child (at once when `kill`)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is None:
            return
        try:
            if not kill and process.is_alive():
                conn.send(None)
                process.join(1)
        except (OSError, BrokenPipeError):
            pass
        if process.is_alive():
            process.kill()
            process.join(1)
        conn.close()

    def __del__(self):
        try:
            self.close(kill=True)
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass
