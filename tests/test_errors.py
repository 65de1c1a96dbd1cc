"""Diagnostics and the one exception base: how they print, and that every raised class has it."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import papernotes
from papernotes.errors import Diagnostic, Location, PapernotesError, Severity, error, warning
from papernotes.notes import scaffold


@pytest.mark.parametrize(
    ("diag", "text"),
    [
        (error("papers/a.md", None, "bad"), "papers/a.md: error: bad"),
        (warning("papers/a.md", 3, "odd", "fix it"), "papers/a.md:3: warning: odd (fix it)"),
        (warning("papers/a.md", 3, "odd", col=7), "papers/a.md:3:7: warning: odd"),
        (warning("papers/a.md", 3, "odd", col=7).promoted(), "papers/a.md:3:7: error: odd"),
        # A column without a line means nothing to an editor: it is left out.
        (error("a.md", None, "bad", col=4), "a.md: error: bad"),
    ],
)
def test_diagnostics_format_as_editors_expect(diag: Diagnostic, text: str) -> None:
    assert diag.format() == text


@pytest.mark.parametrize(
    ("exc", "text"),
    [
        (PapernotesError("no such folder"), "papernotes: error: no such folder"),
        (PapernotesError("taken", hint="pick another"), "papernotes: error: taken (pick another)"),
        (
            PapernotesError("bad key", where=Location("papers/a.md", 2, 5), hint="see README"),
            "papers/a.md:2:5: error: bad key (see README)",
        ),
    ],
)
def test_papernotes_errors_format_as_one_line(exc: PapernotesError, text: str) -> None:
    assert exc.format() == text
    assert str(exc) == text.split("error: ", 1)[1].split(" (", 1)[0]


def test_a_located_error_is_also_a_diagnostic() -> None:
    where = Location("papers/a.md", 2, 5)
    assert PapernotesError("x", where=where, hint="h").diagnostic() == Diagnostic(
        Severity.ERROR, where, "x", "h"
    )
    assert PapernotesError("x").diagnostic() is None


def _exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(papernotes.__path__, "papernotes."):
        if info.name == "papernotes.__main__":
            continue  # running it is the command line
        module = importlib.import_module(info.name)
        for name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == info.name:
                found[f"{info.name}.{name}"] = obj
    return list(found.values())


def test_every_exception_papernotes_defines_derives_from_the_base() -> None:
    classes = _exception_classes()
    names = {c.__name__ for c in classes}
    # The scan must see the classes it is about.
    assert {"NoteExists", "FetchError", "UnknownDOI", "Refused", "BuildBusy"} <= names
    assert [c.__qualname__ for c in classes if not issubclass(c, PapernotesError)] == []


def test_the_codec_error_is_still_a_value_error() -> None:
    from papernotes.incremental.codec import CodecError

    assert issubclass(CodecError, ValueError)


def test_the_command_line_prints_any_papernotes_error_in_one_line(
    monkeypatch: pytest.MonkeyPatch, cli
) -> None:
    def refuse(_: object) -> list[str]:
        raise PapernotesError("cannot", where=Location("a/b.md", 4, 2), hint="try again")

    monkeypatch.setattr(scaffold, "init_library", refuse)
    result = cli("init", "somewhere")
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "a/b.md:4:2: error: cannot (try again)\n",
    )
