"""Only ``cli/`` (and ``__main__``) prints or exits: everything else returns what to say."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import papernotes

PACKAGE = Path(papernotes.__file__).parent
_SYS = {"exit", "stdout", "stderr", "__stdout__", "__stderr__"}
_NAMES = {"print", "exit", "quit", "SystemExit", "breakpoint"}


def offences(source: str) -> list[str]:
    """``line: what`` for every print, exit or use of the standard streams in ``source``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id in _NAMES:
            found.append(f"{node.lineno}: {node.id}")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (
                (node.value.id == "sys" and node.attr in _SYS)
                or (node.value.id == "os" and node.attr == "_exit")
            )
        ):
            found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "sys":
            found.extend(
                f"{node.lineno}: from sys import {a.name}" for a in node.names if a.name in _SYS
            )
    return found


def _outside_cli() -> list[Path]:
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] != "cli" and p.name != "__main__.py"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("print('x')", ["1: print"]),
        ("import sys\nsys.stderr.write('x')", ["2: sys.stderr"]),
        ("import sys\nsys.exit(1)", ["2: sys.exit"]),
        ("raise SystemExit(2)", ["1: SystemExit"]),
        ("from sys import stdout", ["1: from sys import stdout"]),
        ("import os\nos._exit(1)", ["2: os._exit"]),
        ("import sys\nexc = sys.exc_info()\nsay = callback", []),
        ("text = 'print(x)'  # print", []),
    ],
)
def test_the_scan_finds_what_it_should(source: str, expected: list[str]) -> None:
    assert offences(source) == expected


def test_the_scan_covers_the_package() -> None:
    scanned = {p.relative_to(PACKAGE).as_posix() for p in _outside_cli()}
    assert {"build.py", "serve/http.py", "serve/watch.py", "notes/import_fields.py"} <= scanned
    assert not any(name.startswith("cli/") for name in scanned)


def test_only_cli_prints_or_exits() -> None:
    found = {
        p.relative_to(PACKAGE).as_posix(): bad
        for p in _outside_cli()
        if (bad := offences(p.read_text(encoding="utf-8")))
    }
    assert found == {}
