"""The replayed no-op build: the last command-line build's report, answered before the
configuration is read, exactly when the full check would find nothing to do."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from papernotes.cli.quick import quick_build
from papernotes.incremental.replay import REPLAY_FILE, Replay, replay
from papernotes.write import MARKER

from conftest import copy_fixture, note_text, write_note


@pytest.fixture
def built(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # the note keeps the folder the build was run from
    root = copy_fixture("small", tmp_path)
    assert cli("build", "--root", "small").code == 0
    return root


def _replay(root: Path, out: str | None = None, *, strict: bool = False) -> Replay | None:
    return replay(root.name, out, strict=strict)


def test_an_unchanged_library_is_replayed(built: Path) -> None:
    done = _replay(built)
    # 66 before the 3 notes' .bib files went, 63 after, 66 with link previews' three files,
    # 68 with the reading lists' index and the to-read page
    assert done == Replay(3, 68, (), ())


def _touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def _edit_note(root: Path) -> None:
    note = next((root / "papers").glob("*.md"))
    note.write_text(note.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")


def _new_note_in_a_new_folder(root: Path) -> None:
    write_note(root, "sub/new.md", note_text("New"))


def _new_folder_in_the_theme(root: Path) -> None:
    (root / "templates").mkdir()


# Each change the full check would see; the replay must answer None to every one.
CHANGES: list[tuple[str, Callable[[Path], None]]] = [
    ("a note edited", _edit_note),
    ("a note touched", lambda root: _touch_later(next((root / "papers").glob("*.md")))),
    ("a note added", lambda root: write_note(root, "new.md", note_text("New"))),
    ("a note added in a new folder", _new_note_in_a_new_folder),
    ("a note removed", lambda root: next((root / "papers").glob("*.md")).unlink()),
    ("an image added", lambda root: (root / "papers" / "fig.png").write_bytes(b"png")),
    ("a configuration file added", lambda root: (root / "pyproject.toml").write_text("")),
    ("the configuration edited", lambda root: (root / "papernotes.yaml").write_text("title: X\n")),
    ("the library's own templates", _new_folder_in_the_theme),
    ("a styles folder", lambda root: (root / "styles").mkdir()),
    ("the site's manifest gone", lambda root: (root / "site" / MARKER).unlink()),
    ("the site's manifest touched", lambda root: _touch_later(root / "site" / MARKER)),
    ("the stamp gone", lambda root: (root / ".papernotes" / "cache" / "stamp.json").unlink()),
    ("the note gone", lambda root: (root / ".papernotes" / "cache" / REPLAY_FILE).unlink()),
    (
        "the note garbled",
        lambda root: (root / ".papernotes" / "cache" / REPLAY_FILE).write_text("["),
    ),
]


@pytest.mark.parametrize("change", [c for _, c in CHANGES], ids=[n for n, _ in CHANGES])
def test_any_change_is_not_replayed(built: Path, change: Callable[[Path], None]) -> None:
    change(built)
    assert _replay(built) is None


def test_other_arguments_are_not_replayed(built: Path, tmp_path: Path) -> None:
    assert _replay(built, "small/site") is None  # the same folder, named otherwise
    assert replay(str(built), None, strict=False) is None  # the stamp's paths are relative
    os.chdir(built)
    assert replay(".", None, strict=False) is None


def test_a_library_copied_with_its_cache_is_not_replayed(built: Path, tmp_path: Path) -> None:
    import shutil

    shutil.move(built, tmp_path / "moved")
    shutil.copytree(tmp_path / "moved", built, symlinks=True, copy_function=shutil.copy2)
    assert _replay(built) is None  # another folder (inode) at the same path


def _warned(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "lib"
    write_note(root, "a.md", note_text(extra="cites: [nobody2020]\n"))
    (root / "papernotes.yaml").write_text("titel: typo\n", encoding="utf-8")
    assert cli("build", "--root", "lib").code == 0
    return root


def test_warnings_are_replayed_as_the_full_check_prints_them(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _warned(tmp_path, cli, monkeypatch)
    quick = cli("build", "--root", "lib")
    (root / ".papernotes" / "cache" / REPLAY_FILE).unlink()
    full = cli("build", "--root", "lib")  # the full check, which leaves the note again
    assert (root / ".papernotes" / "cache" / REPLAY_FILE).exists()
    assert "titel: unknown option" in quick.err and "nobody2020" in quick.err
    assert "nothing to do" in quick.out
    assert (quick.code, quick.out, quick.err) == (full.code, full.out, full.err)
    done = replay("lib", None, strict=False)
    assert done is not None and len(done.config_diagnostics) == len(done.diagnostics) == 1


def test_strict_with_warnings_is_left_to_the_build(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _warned(tmp_path, cli, monkeypatch)
    assert replay("lib", None, strict=True) is None
    assert cli("build", "--root", "lib", "--strict").code == 1


def test_a_partial_build_is_not_replayed(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_note(tmp_path / "lib", "a.md", note_text())
    write_note(tmp_path / "lib", "b.md", "---\ntitle: [\n---\n")
    assert cli("build", "--root", "lib", "--keep-going").code == 1
    assert replay("lib", None, strict=False) is None


# Arguments the quick path leaves to argparse and the full build (None), or answers.
ARGUMENTS: list[tuple[list[str], bool]] = [
    ([], True),
    (["--root", "small"], True),
    (["--root=small"], True),
    (["-q"], True),
    (["--quiet", "--keep-going"], True),
    (["--clean"], False),
    (["--no-cache"], False),
    (["--help"], False),
    (["--root"], False),
    (["--root", "--strict"], False),
    (["--qui"], False),  # a prefix argparse would take for --quiet
]


@pytest.mark.parametrize(("argv", "answered"), ARGUMENTS)
def test_the_quick_path_takes_only_plain_arguments(
    built: Path, argv: list[str], answered: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    os.chdir(built.parent)
    if "--root" not in " ".join(argv):  # the library named as the first build named it
        argv = ["--root", "small", *argv]
    assert (quick_build(argv) == 0) is answered
    out = capsys.readouterr().out
    quiet = "-q" in argv or "--quiet" in argv
    assert ("nothing to do" in out) is (answered and not quiet)


def test_the_note_names_what_it_was_made_from(built: Path) -> None:
    note = json.loads((built / ".papernotes" / "cache" / REPLAY_FILE).read_bytes())
    assert note["args"] == ["small", None]
    assert note["manifest"][0] == str((built / "site" / MARKER).resolve())
    assert note["config"] == []


def test_a_library_with_a_draft_is_up_to_date_and_says_so_each_time(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A draft left out is a note, said on every build: it must not keep the library from being
    # up to date, nor count as a warning, nor stop a --strict replay.
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "lib"
    write_note(root, "a.md", note_text())
    write_note(root, "b.md", note_text("Another Paper", extra="draft: true\n"))
    first = cli("build", "--root", "lib")
    assert first.code == 0 and "b.md" in first.err
    quick = cli("build", "--root", "lib")
    assert "nothing to do" in quick.out and "0 warnings" in quick.out
    assert "b.md" in quick.err
    done = replay("lib", None, strict=True)
    assert done is not None and [d.severity.value for d in done.diagnostics] == ["note"]
    (root / ".papernotes" / "cache" / REPLAY_FILE).unlink()
    full = cli("build", "--root", "lib")  # the full check answers the same
    assert (full.code, full.out, full.err) == (quick.code, quick.out, quick.err)
