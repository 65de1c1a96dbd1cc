"""Golden output: the bundled library's whole site, byte for byte, against ``tests/golden/``.

Every file papernotes writes for ``papers/`` is kept as-is under ``tests/golden/site/``, so a
change in output shows in ``git diff`` line by line; its name ends in ``.golden``, so that tools
that pick files by ending (linters, formatters, ``duplicates``) pass it by. Files copied verbatim from the default
theme's ``templates/static/`` (KaTeX and its fonts, style.css, the scripts) are kept as their
SHA-256 in ``tests/golden/site.sha256`` (``sha256sum -c`` format, relative to the site): their
text is in the repository already, and a change to them shows in ``git diff templates/``.

After a change that is meant to change the output, regenerate the golden files and review them:

    PAPERNOTES_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
    git diff --stat tests/golden

The build must be deterministic for this to hold: the cached build, its rebuild (which finds
nothing to do) and a build without the cache, from a copy in another folder with one worker,
give the same bytes; no file holds a path of this machine or today's date; and each run of the
suite is a new process with a new hash seed, compared against files made on another machine.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from papernotes.build import BuildReport, build
from papernotes.config import load_config

from conftest import GOLDEN, REPO, UPDATE_GOLDEN, copy_bundled

GOLDEN_SITE = GOLDEN / "site"
MANIFEST = GOLDEN / "site.sha256"
SUFFIX = ".golden"
THEME_STATIC = REPO / "templates" / "static"

Site = dict[str, bytes | str]
"""A site by relative path: a file's bytes when kept as-is, its SHA-256 (hex) when a copy."""


def _is_theme_copy(rel: str) -> bool:
    return rel.startswith("static/") and (THEME_STATIC / rel.removeprefix("static/")).is_file()


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def site_of(folder: Path) -> Site:
    """A built site as the golden files keep it."""
    return {
        rel: hashlib.sha256(data).hexdigest() if _is_theme_copy(rel) else data
        for rel, data in _files(folder).items()
    }


def golden_site() -> Site:
    site: Site = {}
    for rel, data in (_files(GOLDEN_SITE) if GOLDEN_SITE.is_dir() else {}).items():
        # A file without the ending is reported as missing from the build, never compared.
        site[rel.removesuffix(SUFFIX) if rel.endswith(SUFFIX) else f"{rel} (no {SUFFIX})"] = data
    if MANIFEST.is_file():
        for line in MANIFEST.read_text(encoding="utf-8").splitlines():
            digest, rel = line.split("  ", 1)
            site[rel] = digest
    return site


def write_golden(site: Site) -> None:
    shutil.rmtree(GOLDEN_SITE, ignore_errors=True)
    digests = []
    for rel, content in sorted(site.items()):
        if isinstance(content, str):
            digests.append(f"{content}  {rel}\n")
            continue
        path = GOLDEN_SITE / (rel + SUFFIX)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    MANIFEST.write_text("".join(digests), encoding="utf-8", newline="\n")


def _first_difference(a: list[str], b: list[str]) -> tuple[int, int]:
    """1-based line and column of the first difference."""
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            col = next((j for j, (p, q) in enumerate(zip(x, y, strict=False)) if p != q), None)
            return i + 1, (col if col is not None else min(len(x), len(y))) + 1
    return min(len(a), len(b)) + 1, 1


def _clip(line: str, column: int, width: int = 200) -> str:
    # The search index and the site manifest are one long line each: show the part that changed.
    if len(line) <= width:
        return line
    start = max(0, column - 1 - width // 2)
    end = start + width
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")


def _describe(content: bytes | str) -> str:
    return f"sha256 {content[:16]}…" if isinstance(content, str) else f"{len(content)} bytes"


def _first_change(rel: str, old: bytes | str, new: bytes | str, context: int, most: int) -> str:
    if isinstance(old, str) or isinstance(new, str):
        why = " (a copy of a theme file: see git diff templates/)" if _is_theme_copy(rel) else ""
        return f"first changed: {rel}: golden {_describe(old)}, built {_describe(new)}{why}"
    a = old.decode("utf-8", "replace").splitlines()
    b = new.decode("utf-8", "replace").splitlines()
    if a == b:
        return f"first changed: {rel}: the same lines, other line endings or final newline"
    line, column = _first_difference(a, b)
    diff = list(
        difflib.unified_diff(
            [_clip(x, column) for x in a], [_clip(y, column) for y in b],
            f"golden/{rel}", f"built/{rel}", n=context,
            lineterm="",
        )
    )  # fmt: skip
    if len(diff) > most:
        diff = [*diff[:most], f"… {len(diff) - most} more lines of diff"]
    return f"first changed: {rel} (line {line}, column {column})\n" + "\n".join(diff)


def differences(expected: Site, actual: Site, *, context: int = 3, most: int = 40) -> str:
    """Empty when the sites are equal; else the missing, extra and changed files, and a unified
    diff (long lines clipped around the change) of the first changed one."""
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    # Hidden files last: .papernotes-site.json holds the other files' hashes, so its change
    # only echoes theirs and its diff is no help.
    changed = sorted(
        (k for k in expected.keys() & actual.keys() if expected[k] != actual[k]),
        key=lambda rel: (rel.startswith("."), rel),
    )
    report = []
    for label, names in (("missing", missing), ("extra", extra), ("changed", changed)):
        if names:
            more = f", … {len(names) - 10} more" if len(names) > 10 else ""
            report.append(f"{label} ({len(names)}): {', '.join(names[:10])}{more}")
    if changed:
        rel = changed[0]
        report.append(_first_change(rel, expected[rel], actual[rel], context, most))
    return "\n".join(report)


@dataclass(frozen=True, slots=True)
class Builds:
    """The bundled library built with the cache (twice) and without it."""

    temp: Path
    """The session's temporary folder, where the libraries and sites are."""
    cached: Path
    """Built with the cache, then rebuilt."""
    first: Site
    """``cached`` after the first build."""
    first_report: BuildReport
    """The first build's report."""
    rebuild: BuildReport
    """The second build's report: it should have found nothing to do."""
    times_before: dict[str, int]
    """Each file's mtime (ns) in ``cached`` before the rebuild."""
    times_after: dict[str, int]
    """The same after the rebuild."""
    uncached: Path
    """Built from the other copy (another, longer path) without the cache, with one worker."""


def _mtimes(folder: Path) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    here = tmp_path_factory.mktemp("golden")
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "a deeper 目录" / "with spaces"
    lib_a, lib_b = copy_bundled(here / "lib"), copy_bundled(elsewhere / "lib")
    cached, uncached = here / "site", elsewhere / "out" / "site"
    config, diagnostics = load_config(lib_a)
    assert diagnostics == ()
    first_report = build(lib_a, config, out=cached)
    first = site_of(cached)
    before = _mtimes(cached)
    rebuild = build(lib_a, config, out=cached)
    after = _mtimes(cached)
    build(lib_b, load_config(lib_b)[0], out=uncached, use_cache=False, workers=1)
    return Builds(
        tmp_path_factory.getbasetemp(),
        cached,
        first,
        first_report,
        rebuild,
        before,
        after,
        uncached,
    )


def test_the_bundled_site_matches_the_golden_files(builds: Builds) -> None:
    assert builds.first_report.diagnostics == ()
    built = site_of(builds.cached)
    if os.environ.get(UPDATE_GOLDEN):
        write_golden(built)
    problems = differences(golden_site(), built)
    if problems:
        pytest.fail(
            f"the built site differs from {GOLDEN.relative_to(REPO)}; if the change is meant, "
            f"regenerate with {UPDATE_GOLDEN}=1 python -m pytest tests/test_golden.py and review "
            f"git diff tests/golden\n{problems}",
            pytrace=False,
        )


def test_a_rebuild_does_nothing_and_a_build_without_cache_gives_the_same_bytes(
    builds: Builds,
) -> None:
    assert builds.rebuild.up_to_date
    assert builds.rebuild.diagnostics == ()
    assert builds.times_after == builds.times_before
    assert differences(builds.first, site_of(builds.cached)) == ""
    assert differences(builds.first, site_of(builds.uncached)) == ""


def _today(builds: Builds) -> list[str]:
    today = dt.date.today().isoformat()
    sources = b"".join(p.read_bytes() for p in (REPO / "papers").rglob("*") if p.is_file())
    # A note may mention today's date; the build itself must not.
    return [] if today.encode() in sources else [today]


def _machine_paths(builds: Builds) -> list[str]:
    # Where the libraries and sites were (all below the session's temporary folder) and the
    # default theme; not the checkout itself, whose path may be as short as "/src".
    folders = {builds.temp, REPO / "templates"}
    folders |= {p.resolve() for p in folders}
    return sorted({str(p) for p in folders} | {p.as_uri() for p in folders})


@pytest.mark.parametrize(
    "needles", [_today, _machine_paths], ids=["today's date", "paths of this machine"]
)
def test_no_file_holds_what_differs_between_runs_or_machines(
    builds: Builds, needles: Callable[[Builds], list[str]]
) -> None:
    wanted = [n.encode() for n in needles(builds)]
    found = [(rel, n) for rel, data in _files(builds.cached).items() for n in wanted if n in data]
    assert found == []


EXAMPLE = b"<html>\n<head>\n<title>A</title>\n</head>\n<body>\n<p>one</p>\n</body>\n</html>\n"
LONG = b'{"docs": [' + b'"word", ' * 2000 + b'"last"]}'


@pytest.mark.parametrize(
    ("actual", "expected_report"),
    [
        ({"index.html": EXAMPLE, "static/style.css": "ab" * 32}, ""),
        ({"static/style.css": "ab" * 32}, "missing (1): index.html"),
        (
            {"index.html": EXAMPLE, "static/style.css": "ab" * 32, "new.html": b""},
            "extra (1): new.html",
        ),
        (
            {"index.html": EXAMPLE.replace(b"one", b"two"), "static/style.css": "ab" * 32},
            "changed (1): index.html\nfirst changed: index.html (line 6, column 4)\n"
            "--- golden/index.html\n+++ built/index.html\n@@ -3,6 +3,6 @@\n <title>A</title>\n"
            " </head>\n <body>\n-<p>one</p>\n+<p>two</p>\n </body>\n </html>",
        ),
        (
            {"index.html": EXAMPLE.rstrip(b"\n"), "static/style.css": "ab" * 32},
            "changed (1): index.html\nfirst changed: index.html: the same lines, other line "
            "endings or final newline",
        ),
        (
            {"index.html": EXAMPLE, "static/style.css": "cd" * 32},
            "changed (1): static/style.css\nfirst changed: static/style.css: golden sha256 "
            "abababababababab…, built sha256 cdcdcdcdcdcdcdcd… (a copy of a theme file: see git "
            "diff templates/)",
        ),
    ],
    ids=["equal", "missing", "extra", "changed line", "final newline", "changed copy"],
)
def test_the_report_names_missing_extra_and_changed_files_with_a_diff(
    actual: Site, expected_report: str
) -> None:
    golden: Site = {"index.html": EXAMPLE, "static/style.css": "ab" * 32}
    assert differences(golden, actual) == expected_report


def test_a_change_in_a_long_line_is_shown_around_the_change() -> None:
    changed = LONG.replace(b'"last"', b'"LAST"')
    report = differences({"static/search-index.js": LONG}, {"static/search-index.js": changed})
    lines = report.splitlines()
    assert lines[1] == f"first changed: static/search-index.js (line 1, column {len(LONG) - 6})"
    assert max(map(len, lines)) < 250
    changes = [ln for ln in lines if ln[:1] in "-+" and ln[:3] not in ("---", "+++")]
    assert [(ln[:2], ln[-8:]) for ln in changes] == [("-…", '"last"]}'), ("+…", '"LAST"]}')]


def test_many_changed_files_are_counted_and_the_diff_is_cut() -> None:
    golden: Site = {f"p{i:02}.html": b"a\n" * 100 for i in range(12)}
    built: Site = {k: b"b\n" * 100 for k in golden}
    report = differences(golden, built, most=5).splitlines()
    assert report[0] == "changed (12): " + ", ".join(sorted(golden)[:10]) + ", … 2 more"
    assert report[1] == "first changed: p00.html (line 1, column 1)"
    assert report[-1] == "… 198 more lines of diff"
