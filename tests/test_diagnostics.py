"""Diagnostics as values: where they are, how bad, and the line the CLI prints."""

from __future__ import annotations

import pytest

from papernotes.errors import Diagnostic, Location, Severity, error, warning


@pytest.mark.parametrize(
    ("location", "text"),
    [
        (Location("papers/a.md"), "papers/a.md"),
        (Location("papers/a.md", 3), "papers/a.md:3"),
        (Location("papers/a.md", 3, 7), "papers/a.md:3:7"),
        (Location("papers/a.md", None, 7), "papers/a.md"),  # a column means nothing alone
    ],
)
def test_location_prints_as_editors_link_it(location: Location, text: str) -> None:
    assert str(location) == text


def test_format_is_path_line_severity_message_and_hint() -> None:
    assert error("a.md", 2, "bad year").format() == "a.md:2: error: bad year"
    assert (
        warning("a.md", None, "no title", hint="add one").format()
        == "a.md: warning: no title (add one)"
    )


def test_helpers_set_severity_and_location() -> None:
    w = warning("a.md", 4, "m", "h")
    assert w == Diagnostic(Severity.WARNING, Location("a.md", 4), "m", "h")
    assert error("a.md", 4, "m").severity is Severity.ERROR


def test_promoted_turns_a_warning_into_the_same_error() -> None:
    w = Diagnostic(Severity.WARNING, Location("a.md", 1, 2), "m", "h")
    e = w.promoted()
    assert e.severity is Severity.ERROR
    assert (e.where, e.message, e.hint) == (w.where, w.message, w.hint)
    assert w.severity is Severity.WARNING  # values are frozen; the original is unchanged
    with pytest.raises(AttributeError):
        w.message = "changed"  # type: ignore[misc]
