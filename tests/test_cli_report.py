"""The CLI's shared reporting: diagnostics one a line, and reading the configuration (its
problems printed; an error in it, or a missing folder, stops the command in one line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.cli.report import Stop, load_config_or_stop, print_diagnostics
from papernotes.errors import error, warning


def test_diagnostics_are_printed_one_a_line_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    print_diagnostics(
        [warning("papers/a.md", 3, "unknown key", col=1), error("papers/b.md", None, "bad")]
    )
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "papers/a.md:3:1: warning: unknown key\npapers/b.md: error: bad\n"


@pytest.mark.parametrize(
    ("yaml", "stop", "printed"),
    [
        ("title: Notes\n", None, ""),
        (
            "title: Notes\nlanguge: en\n",
            None,
            "papernotes.yaml:2: warning: languge: unknown option",
        ),
        (
            "allow_html: yes please\n",
            "papernotes: error: fix the configuration errors above",
            "papernotes.yaml:1: error: allow_html: expected true or false, got 'yes please'",
        ),
    ],
)
def test_config_problems_are_printed_and_errors_stop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], yaml: str, stop: str | None, printed: str
) -> None:
    (tmp_path / "papernotes.yaml").write_text(yaml, encoding="utf-8")
    if stop is None:
        assert load_config_or_stop(tmp_path).title == "Notes"
    else:
        with pytest.raises(Stop) as caught:
            load_config_or_stop(tmp_path)
        assert caught.value.format() == stop
    assert capsys.readouterr().err.startswith(printed)


def test_a_missing_folder_stops_in_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(Stop) as caught:
        load_config_or_stop(missing)
    assert caught.value.format() == (
        f"papernotes: error: {missing}: no such folder (--root expects the library's folder)"
    )
