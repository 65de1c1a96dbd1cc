"""The command's start-up runs without young collections (``cli.startup``): an edit build of a
small library imports ~440 modules, which under the default threshold took ~75 collections of
objects that all survive. Counted with ``gc.callbacks``, never timed."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from papernotes.cli.startup import ALLOWANCE, StartupCollections, end_windows

from conftest import copy_fixture

# The command as the console script runs it (``main()``: sys.argv), counting the collections
# that run while a module is being imported (a ``<module>`` frame on the stack) and in all.
_PROBE = """
import gc, json, sys
counts = {"imports": 0, "all": 0}
def count(phase, info):
    if phase != "start":
        return
    counts["all"] += 1
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_name != "<module>":
        frame = frame.f_back
    counts["imports"] += frame is not None and frame.f_back is not None
gc.callbacks.append(count)
sys.argv = ["papernotes", "build", "-q", "--root", sys.argv[1]]
from papernotes.cli import startup
startup.exit_now = lambda code: None  # to print the counts after (tests/test_cli_exit.py)
from papernotes.cli.main import main
counts.update(imports=0, all=0)  # what importing the entry point took is not the command's
code = main()
gc.callbacks.remove(count)
print(json.dumps({"code": code, **counts}))
"""


def _edit_build(root: Path) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(root)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, done.stderr
    return result


def test_an_edit_build_imports_without_collecting(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("small", tmp_path)
    assert cli("build", "--root", str(root)).code == 0
    note = root / "papers" / "peft" / "adapters.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8")

    counts = _edit_build(root)

    # Collections inside the imports the command makes, and in all (~75 and ~145 with the
    # default thresholds).
    assert counts["imports"] == 0, counts
    assert counts["all"] <= 2, counts


@pytest.fixture
def thresholds() -> Iterator[tuple[int, int, int]]:
    saved = gc.get_threshold()
    yield saved
    gc.set_threshold(*saved)


def test_the_block_raises_the_young_threshold_and_restores_it(
    thresholds: tuple[int, int, int],
) -> None:
    gc.set_threshold(700, 10, 10)
    with StartupCollections():
        assert gc.get_threshold() == (ALLOWANCE, 10, 10)
    assert gc.get_threshold() == (700, 10, 10)
    assert not any(isinstance(cb.__self__, StartupCollections) for cb in _bound(gc.callbacks))


def test_the_first_collection_ends_the_window(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(700, 10, 10)
    with StartupCollections(until_exit=True):
        gc.collect(0)  # what spending the allowance would do
        assert gc.get_threshold() == (700, 10, 10)
    assert not any(isinstance(cb.__self__, StartupCollections) for cb in _bound(gc.callbacks))


def test_until_exit_leaves_an_unspent_window_open(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(700, 10, 10)
    window = StartupCollections(until_exit=True)
    try:
        with window:
            pass
        assert gc.get_threshold() == (ALLOWANCE, 10, 10)  # the interpreter exits next
    finally:
        gc.callbacks.remove(window._collecting)


def test_a_disabled_threshold_is_left_alone(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(0, 10, 10)
    with StartupCollections():
        assert gc.get_threshold() == (0, 10, 10)
    assert gc.get_threshold() == (0, 10, 10)


def _bound(callbacks: list[object]) -> Iterator[object]:
    return (cb for cb in callbacks if hasattr(cb, "__self__"))


def test_a_cold_build_ends_the_window_before_it_starts(
    tmp_path: Path,
    cli,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    thresholds: tuple[int, int, int],
) -> None:
    import papernotes.build

    seen: list[int] = []
    real = papernotes.build.build

    def build(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(papernotes.build, "build", build)
    gc.set_threshold(700, 10, 10)
    root = copy_fixture("small", tmp_path)
    note = root / "papers" / "peft" / "adapters.md"

    assert cli("build", "--root", str(root)).code == 0  # no cache yet: cold
    note.write_text(note.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    assert cli("build", "--root", str(root)).code == 0  # an edit: the window stays open
    assert cli("build", "--clean", "--root", str(root)).code == 0  # cold again

    assert seen == [700, ALLOWANCE, 700]
    assert gc.get_threshold() == (700, 10, 10)


def test_end_windows_ends_an_open_window(thresholds: tuple[int, int, int]) -> None:
    gc.set_threshold(700, 10, 10)
    with StartupCollections():
        end_windows()
        assert gc.get_threshold() == (700, 10, 10)
