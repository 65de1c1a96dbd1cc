"""``papernotes build`` in its own process ends without the interpreter's teardown
(``cli.startup.exit_now``), and still says all it has to say and exits with its code; a caller
that runs ``main`` with arguments (a test) gets the code back instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import copy_fixture

# The command as the console script runs it (``sys.exit(main())``, argv from sys.argv), with
# an atexit hook that says whether the interpreter's teardown ran.
_PROBE = """
import atexit, sys
atexit.register(lambda: print("TEARDOWN", file=sys.stderr, flush=True))
from papernotes.cli.main import main
sys.argv = ["papernotes", *sys.argv[1:]]
sys.exit(main())
"""


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, timeout=300
    )


def test_a_build_says_everything_and_skips_the_teardown(tmp_path: Path) -> None:
    root = copy_fixture("small", tmp_path)
    cold = _run("build", "--root", str(root))
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout.startswith("built: ") and cold.stdout.endswith("\n"), cold.stdout
    assert "TEARDOWN" not in cold.stderr

    again = _run("build", "--root", str(root))
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("up to date: "), again.stdout
    assert "TEARDOWN" not in again.stderr

    note = root / "papers" / "peft" / "lora.md"
    note.write_text(note.read_text(encoding="utf-8") + "\nA paragraph added.\n", "utf-8")
    quick = _run("build", "--root", str(root))
    assert quick.returncode == 0, quick.stderr
    assert "(quick: one note's body)" in quick.stdout, quick.stdout
    assert "A paragraph added." in (root / "site" / "papers" / "hu2021lora.html").read_text("utf-8")
    assert "TEARDOWN" not in quick.stderr


def test_a_failed_build_keeps_its_code_and_its_message(tmp_path: Path) -> None:
    root = copy_fixture("broken/invalid-yaml", tmp_path)
    failed = _run("build", "--root", str(root))
    assert failed.returncode == 1
    assert "error" in failed.stderr and "TEARDOWN" not in failed.stderr, failed.stderr


def test_other_commands_end_as_usual(tmp_path: Path) -> None:
    done = _run("init", str(tmp_path / "lib"))
    assert done.returncode == 0, done.stderr
    assert "TEARDOWN" in done.stderr  # only build skips it


def test_main_with_arguments_returns_the_code(tmp_path: Path) -> None:
    from papernotes.cli.main import main

    root = copy_fixture("small", tmp_path)
    assert main(["build", "--root", str(root), "-q"]) == 0
    assert main(["build", "--root", str(tmp_path / "nowhere"), "-q"]) == 1
