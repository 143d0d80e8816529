"""The one family of expected failures; only the CLI turns them into messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def shown(value: object) -> str:
    """A user's name as a message shows it: as typed when it is plain text, quoted when it is not."""
    text = str(value)
    return text if text.isprintable() else repr(text)


_ONE_LINE = str.maketrans({"\n": "\\n", "\r": "\\r", "\u2028": "\\u2028", "\u2029": "\\u2029",
                           "\x85": "\\x85", "\x0b": "\\x0b", "\x0c": "\\x0c", "\x1c": "\\x1c",
                           "\x1d": "\\x1d", "\x1e": "\\x1e"})


class AssetsError(Exception):
    """An expected failure, with where it happened and how to fix it."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        text = f"{text} ({self.hint})" if self.hint else text
        # Names come from users' files and folders: a line break inside one must not split the message.
        return text.translate(_ONE_LINE)

    def __reduce__(self):
        # Errors cross from pool workers to the CLI; subclasses' __init__ take other arguments than args.
        return _restore, (type(self), self.args, self.__dict__)


def _restore(cls: type[AssetsError], args: tuple, state: dict) -> AssetsError:
    error = Exception.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class UnknownChoice(AssetsError):
    """A name (language, design, size, statement…) that is not among the valid ones."""

    def __init__(self, what: str, value: str, choices: Iterable[str], *, where: str | None = None):
        # Choices come from users' files too: one that is not plain text is shown quoted, so the message stays one line.
        valid = ", ".join(shown(c) for c in sorted(map(str, choices))) or "none"
        super().__init__(f"unknown {what} {value!r}", where=where, hint=f"valid: {valid}")
        self.what = what
        self.value = value


class InvalidInput(AssetsError):
    """One or more problems in a file; all are reported together."""

    def __init__(self, problems: Sequence[AssetsError]):
        self.problems = [leaf for p in problems for leaf in (p.problems if isinstance(p, InvalidInput) else [p])]
        super().__init__("; ".join(str(p) for p in self.problems))


def collect(problems: list[AssetsError]) -> None:
    """Raise all gathered problems at once, or nothing when there are none."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidInput(problems)


class RenderError(AssetsError):
    """A design failed to render: template error, refused resource, overflow."""
