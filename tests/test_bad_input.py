"""One broken library per error class: the message names the file, the line and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, copy_fixture

CASES = sorted(p.name for p in (FIXTURES / "broken").iterdir() if p.is_dir())


def _expected(case: Path) -> list[tuple[str, str, str]]:
    out = []
    for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines():
        severity, _, rest = line.partition(" ")
        where, _, message = rest.partition(": ")
        out.append((severity, where, message))
    return out


@pytest.mark.parametrize("case", CASES)
def test_broken_library_reports_file_line_and_problem(case: str, tmp_path: Path, cli) -> None:
    root = copy_fixture(f"broken/{case}", tmp_path)
    expected = _expected(root)
    result = cli("build", "--root", str(root))
    assert "Traceback" not in result.err
    for severity, where, message in expected:
        wanted = f"{where}: {severity}: {message}"
        assert any(line.startswith(wanted) for line in result.err.splitlines()), (
            f"expected a line starting with {wanted!r} in:\n{result.err}"
        )
    has_error = any(sev == "error" for sev, _, _ in expected)
    assert result.code == (1 if has_error else 0)
    assert (root / "site").exists() is (not has_error)


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if "warning" in (FIXTURES / "broken" / c / "expected.txt").read_text()],
)
def test_strict_turns_warnings_into_errors(case: str, tmp_path: Path, cli) -> None:
    root = copy_fixture(f"broken/{case}", tmp_path)
    result = cli("build", "--root", str(root), "--strict")
    assert result.code == 1
    assert ": error: " in result.err
    assert not (root / "site").exists()


def test_every_problem_is_reported_in_one_run(tmp_path: Path, cli) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "a.md").write_text(
        "---\ntitle: A\nauthors: [X Y]\nyear: 20x\n---\n", encoding="utf-8"
    )
    (papers / "b.md").write_text("no front matter\n", encoding="utf-8")
    (papers / "c.md").write_text(
        "---\ntitle: C\nauthors: [X Y]\nyear: 2020\nrating: 9\n---\n", encoding="utf-8"
    )
    result = cli("build", "--root", str(tmp_path))
    assert result.code == 1
    assert "papers/a.md:4:1: warning: year" in result.err  # no year read, not an error
    assert "papers/b.md:1: warning: no front matter" in result.err  # a quick note now
    assert "papers/c.md:5:1: error: rating" in result.err


def test_windows_line_endings_and_bom_are_accepted(tmp_path: Path, cli) -> None:
    root = copy_fixture("windows", tmp_path)
    result = cli("build", "--root", str(root), "--strict")
    assert result.code == 0, result.err
    html = (root / "site" / "papers" / "win.html").read_text(encoding="utf-8")
    assert "Written on Windows" in html
    assert "<strong>“重点”</strong>" in html
