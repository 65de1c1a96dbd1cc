"""Diagnostics: problems found in a library, as values that carry where they are.

Every stage returns its diagnostics alongside its result and keeps going; only the CLI prints
them (``path:line:col: severity: message``, the format editors turn into links) and picks the
exit code.

Both values are NamedTuples, not frozen dataclasses: every build and edit defines them, and a
dataclass's six methods compiled by ``exec`` cost ~0.7 ms each time; their repr, equality and
hash are a dataclass's.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

__all__ = [
    "PATH_ID",
    "Diagnostic",
    "Location",
    "PapernotesError",
    "Severity",
    "error",
    "warning",
]

PATH_ID = "from the path"
"""What the link stage says of an id it made from a note's path, two files sharing the name
(``link``): the words a quick edit (``incremental.quick``), which knows only the id the parse
stage gave, looks for. Here, not in ``ids`` (which re-exports it), as that module's patterns
are a cost the quick edit would pay only for these words."""


class Location(NamedTuple):
    """A place in a source file."""

    path: str
    """The file, relative to the library root where possible, with ``/`` separators."""
    line: int | None = None
    """1-based line number, or None when the problem concerns the whole file."""
    col: int | None = None
    """1-based column, when known."""

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


class Severity(enum.Enum):
    """How bad a diagnostic is; ``--strict`` promotes warnings to errors. A note is what the
    user chose and asked for (a draft left out): said, never promoted, never failing."""

    NOTE = "note"
    WARNING = "warning"
    ERROR = "error"


class Diagnostic(NamedTuple):
    """One problem, with where it is and what to do about it."""

    severity: Severity
    """Whether the build can still succeed."""
    where: Location
    """The file and line the problem is in."""
    message: str
    """What is wrong, naming the key or text involved."""
    hint: str | None = None
    """What to do about it, when there is something useful to say."""

    def format(self) -> str:
        """The ``path:line:col: severity: message (hint)`` line the CLI prints."""
        text = f"{self.where}: {self.severity.value}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def promoted(self) -> Diagnostic:
        """This diagnostic as an error (what ``--strict`` does to warnings); a note stays one."""
        if self.severity is Severity.NOTE:
            return self
        return Diagnostic(Severity.ERROR, self.where, self.message, self.hint)


def error(
    path: str, line: int | None, message: str, hint: str | None = None, *, col: int | None = None
) -> Diagnostic:
    """An error at ``path:line`` (``path:line:col`` when the column is known)."""
    return Diagnostic(Severity.ERROR, Location(path, line, col), message, hint)


def warning(
    path: str, line: int | None, message: str, hint: str | None = None, *, col: int | None = None
) -> Diagnostic:
    """A warning at ``path:line`` (``path:line:col`` when the column is known)."""
    return Diagnostic(Severity.WARNING, Location(path, line, col), message, hint)


class PapernotesError(Exception):
    """The base of every exception papernotes raises on purpose: a problem to report in one
    line, not a bug. ``str(exc)`` is the message; the CLI catches this class in one place and
    prints :meth:`format`, then exits 1.

    Subclasses keep their own constructors; ``where`` and ``hint`` are keyword-only so that
    ``SomeError("message")`` means what it always did.
    """

    where: Location | None = None
    """The file (and line, column) the problem is in, when it is in one."""
    hint: str | None = None
    """What to do about it, when there is something useful to say."""

    def __init__(
        self, *args: object, where: Location | None = None, hint: str | None = None
    ) -> None:
        super().__init__(*args)
        self.where = where
        self.hint = hint

    def format(self, prog: str = "papernotes") -> str:
        """``path:line:col: error: message (hint)``, or ``prog: error: message (hint)`` when the
        problem is in no particular file."""
        text = f"{self.where or prog}: error: {self}"
        return f"{text} ({self.hint})" if self.hint else text

    def diagnostic(self) -> Diagnostic | None:
        """This problem as an error Diagnostic, when it has a location."""
        if self.where is None:
            return None
        return Diagnostic(Severity.ERROR, self.where, str(self), self.hint)
