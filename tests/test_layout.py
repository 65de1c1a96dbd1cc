"""The source tree's shape: every module is imported by a test, and none is over 400 lines.

"Imported" is read statically from the tests' ``import`` and ``from`` statements, so a
module reached only through another one (or a subprocess) does not count: each module has a
test that names it.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent
PACKAGE = TESTS.parent / "src" / "papernotes"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imported_by_tests() -> set[str]:
    """Every dotted name a test file imports: ``import a.b``, ``from a.b import c`` (a.b and
    a.b.c: ``c`` may be a submodule)."""
    names: set[str] = set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_every_module_is_imported_by_a_test() -> None:
    untested = sorted(set(_modules()) - _imported_by_tests())
    assert not untested, "modules no test imports (add tests/test_<pkg>_<module>.py):\n" + (
        "\n".join(untested)
    )


def test_no_module_is_over_the_line_limit() -> None:
    sizes = {name: _lines(path) for name, path in _modules().items()}
    too_long = {name: n for name, n in sizes.items() if n > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines (split by responsibility): {too_long}"


def test_the_import_reader_sees_all_the_import_forms() -> None:
    """The static reader counts ``import x.y``, ``from x import y`` and ``from x.y import z``."""
    names = _imported_by_tests()
    assert "papernotes.bib" in names  # import papernotes.bib (test_packages)
    assert "papernotes.graph.data" in names  # from papernotes.graph import data as graph
    assert "papernotes.markdown.body" in names  # from papernotes.markdown.body import …
