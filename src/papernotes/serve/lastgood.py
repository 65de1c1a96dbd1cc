"""While a note has errors, ``serve`` builds the site with the note's last text without them.

A note saved mid-typing (a front matter whose YAML does not parse yet, a year half written)
used to leave the served site at once, with its page and its figures: the tab open on it got
404s for the images it had not fetched yet, and for the page itself on reload, while the
other notes' links to it went dead. A build from the command line stops on such a note and
keeps the previous site; ``serve`` keeps going (the other notes are published) but, as Hugo
and Quartz do, it keeps the last good version of the broken one: the build is given that
note's last text that had no errors, its errors are reported (terminal and browser) with
file and line, and once it is fixed the note's new text is built as any save is — the site
is then the clean build's, byte for byte, because every build was a build of real texts.

Only what the session read itself stands in: the text of a note as it was when an earlier
save of this session built it without errors. Nothing is taken from the old site or the
cache on disk (both untrusted input); a note broken since ``serve`` started is left out, as
before. The cache saved while a note is held never vouches for that note's file
(:meth:`LastGood.after`), so the next build, ``serve`` or not, reads the file again and
meets its errors.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import TYPE_CHECKING

from papernotes.errors import Diagnostic, Location, Severity

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from papernotes.build import Run
    from papernotes.config import Config
    from papernotes.load import Source

__all__ = ["Check", "Held", "LastGood", "checker"]

Check = Callable[[str, str], tuple[Diagnostic, ...]]
"""``(display, text)`` → the errors that would leave that note out of the site."""

KEPT = "its last version without errors is still served; fix the errors above and save"
"""What the terminal and the browser say of a note held."""
LEFT_OUT = "left out of the site until fixed (no version of it without errors since serve started)"
"""What they say of a note with errors and no last good version."""


@dataclass(frozen=True, slots=True)
class Held:
    """A note whose file has errors, built from its last good text instead."""

    good: Source
    """The note's last text without errors: what the build is given."""
    problems: tuple[Diagnostic, ...]
    """The errors of the text on disk, as a build would report them."""


class LastGood:
    """Which notes stand in with their last good text, and why (the session keeps one)."""

    def __init__(self) -> None:
        self.held: dict[str, Held] = {}
        """Note file (display) → its stand-in, while its file has errors."""
        self.check: Check | None = None
        """How a text is checked (set by the session before each build); None: it is not."""
        self.checked = 0
        """Texts checked so far (what a test counts)."""
        self._out: frozenset[str] = frozenset()
        """The notes the last build left out: their text then is no one's last good one."""

    def read(
        self, display: str, new: Source | None, problem: Diagnostic | None, last: Source | None
    ) -> None:
        """Told that the note file ``display`` was read afresh: ``new`` (None when it could
        not be decoded: ``problem`` says why), where ``last`` was the text read before.

        The text is checked only when there is something to stand in for it: the held text,
        or the last one while the last build published it. A note new to the session, or
        left out last time, is given as it is (the build leaves it out again if it must)."""
        held = self.held.get(display)
        good = held.good if held is not None else None if display in self._out else last
        if good is None or self.check is None or (new is None and problem is None):
            self.held.pop(display, None)
            return
        problems: tuple[Diagnostic, ...] = ()
        if problem is not None:
            problems = (problem,)
        elif new is not None:
            self.checked += 1
            problems = self.check(display, new.text)
        if problems:
            self.held[display] = Held(good, problems)
        else:
            self.held.pop(display, None)

    def retain(self, displays: Collection[str]) -> None:
        """Forget the notes whose file is gone (a broken note deleted leaves the site)."""
        self.held = {k: v for k, v in self.held.items() if k in displays}

    def after(self, done: Run, root: str) -> Run:
        """``done`` as the session keeps it: the held notes' errors reported, and, when any
        note is held, a stamp that vouches for none of their files and is never replayed
        (``partial``), so that the next build reads them again and meets their errors."""
        self._out = frozenset(done.report.left_out)
        if not self.held:
            return done
        said: list[Diagnostic] = []
        for display, held in sorted(self.held.items()):
            said += held.problems
            said.append(Diagnostic(Severity.NOTE, Location(display), KEPT))
        report = replace(done.report, diagnostics=(*done.report.diagnostics, *said))
        stamp = done.stamp
        inputs = stamp.get("inputs")
        if isinstance(inputs, dict):
            stamp = {**stamp, "inputs": _unvouched(inputs, root, self.held)}
        return done._replace(report=report, stamp={**stamp, "partial": True})


def _unvouched(inputs: dict[str, object], root: str, held: Collection[str]) -> dict[str, object]:
    """``inputs`` (a stamp's file → [size, time]) with the ``held`` note files' entries
    matching no file: looked up as the stamp spells them (``root/display``), and through
    every entry only when one is not (a library reached through ``..``)."""
    keys = [str(PurePath(root, d)) for d in held]
    if all(k in inputs for k in keys):
        return {**inputs, **{k: [-1, -1] for k in keys}}
    mine = {os.path.abspath(k) for k in keys}
    return {k: [-1, -1] if os.path.abspath(k) in mine else v for k, v in inputs.items()}


def checker(config: Config, md: MarkdownIt | None) -> Check:
    """The errors the parse stage finds in a note's text, found from its front matter alone
    (every error of a note is about its front matter or its file name; its body has
    warnings only): a tenth of parsing the note. A reading list is not a note: none."""
    from papernotes import parse
    from papernotes.frontmatter import split_note
    from papernotes.load import LISTS_DIR

    keys = dict(config.keys)
    folder = os.path.normpath(config.papers_dir).replace(os.sep, "/")
    head = "" if folder == "." else f"{folder.rstrip('/')}/"
    parser = [md] if md is not None else []

    def check(display: str, text: str) -> tuple[Diagnostic, ...]:
        rel = display.removeprefix(head)
        if rel.startswith(f"{LISTS_DIR}/") and rel.count("/") == 1:
            return ()
        raw, _ = split_note(display, text, keys)
        if raw is not None and raw.front_matter and raw.body and text.endswith(raw.body):
            text = text[: len(text) - len(raw.body)]
        if not parser:
            from papernotes.markdown.factory import make_parser

            parser.append(make_parser(allow_html=config.allow_html))
        _, diags = parse.parse_note(display, text, parser[0], keys)
        return tuple(d for d in diags if d.severity is Severity.ERROR)

    return check
