"""One build while serving (serve/watch.py): what it says, and what the browser is shown."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from papernotes.serve import watch
from papernotes.serve.http import LiveState, make_server
from papernotes.serve.lastgood import LEFT_OUT
from papernotes.serve.watch import BuildOutcome, build_once, rebuild

from conftest import copy_fixture


def _good(root: Path) -> None:
    pass


def _broken_note(root: Path) -> None:
    (root / "papers" / "bad.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")


def _broken_template(root: Path) -> None:
    (root / "templates").mkdir()
    (root / "templates" / "index.html").write_text("{% if %}\n", encoding="utf-8")


def _broken_config(root: Path) -> None:
    (root / "papernotes.yaml").write_text("title: [\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("spoil", "status", "problem"),
    [
        (_good, r"rebuilt in \d+\.\d\d s \(\d+ pages rendered\)", None),
        (
            # Serve keeps going: the other notes are published, the broken one is reported.
            _broken_note,
            r"rebuilt in \d+\.\d\d s \(\d+ pages rendered\); 1 notes with errors left out",
            r"papers/bad\.md:3:1: error: front matter is not valid YAML: ",
        ),
        (
            _broken_template,
            r"build failed: 1 errors; still serving the last good site",
            r"templates/index\.html:1: error: template: ",
        ),
        (_broken_config, None, r"papernotes\.yaml:2:1: error: invalid YAML: "),
    ],
)
def test_build_once_says_what_happened(
    tmp_path: Path, spoil: Callable[[Path], None], status: str | None, problem: str | None
) -> None:
    root = copy_fixture("small", tmp_path)
    spoil(root)
    outcome = build_once(root, root / "site")
    if status is None:
        assert outcome.status is None
    else:
        assert outcome.status is not None and re.fullmatch(status, outcome.status)
    if problem is None:
        assert outcome.problems == ()
    else:
        assert re.match(problem, outcome.problems[0])
        assert outcome.problems[0] in outcome.report
        # A note left out (no good version of it to serve instead) is said to be, once.
        left = [f"papers/bad.md: note: {LEFT_OUT}"] if spoil is _broken_note else []
        assert list(outcome.problems[1:]) == left


def test_a_second_build_is_up_to_date(tmp_path: Path) -> None:
    root = copy_fixture("small", tmp_path)
    build_once(root, root / "site")
    outcome = build_once(root, root / "site")
    assert outcome.status is not None and re.fullmatch(
        r"site up to date \(\d+ pages\)", outcome.status
    )


def test_a_refused_output_is_reported_not_raised(tmp_path: Path) -> None:
    root = copy_fixture("small", tmp_path)
    outcome = rebuild(root, root)
    assert outcome == BuildOutcome(
        (f"{root}: is the library root; choose a folder such as site/",),
        (f"papernotes: error: {root}: is the library root; choose a folder such as site/",),
    )


def test_rebuild_reports_a_missing_library_in_one_line(tmp_path: Path) -> None:
    root = tmp_path / "gone"
    line = f"papernotes: error: {root}: No such file or directory"
    assert rebuild(root, tmp_path / "site") == BuildOutcome((line,), (line,))


def test_rebuild_reports_a_bug_in_one_line_and_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(root: Path, out: Path) -> BuildOutcome:
        raise RuntimeError("oops")

    monkeypatch.setattr(watch, "build_once", broken)
    line = "papernotes: internal error: RuntimeError('oops') — this is a bug; please report it"
    assert rebuild(tmp_path, tmp_path / "site") == BuildOutcome((line,), (line,))


def test_server_errors_go_to_the_callback_not_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines: list[str] = []
    server = make_server("127.0.0.1", 0, tmp_path, LiveState(), on_error=lines.append)
    try:
        for exc in (ValueError("boom"), ConnectionResetError()):
            try:
                raise exc
            except Exception:
                server.handle_error(socket.socket(), ("203.0.113.9", 1))
    finally:
        server.server_close()
    assert lines == ["papernotes: error answering 203.0.113.9: ValueError('boom')"]
    assert capsys.readouterr() == ("", "")
