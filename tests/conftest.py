"""Shared helpers: run the CLI in-process, copy fixture libraries, build the site; and a guard
that fails the session if the suite left anything in the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from papernotes.build import BuildReport, build, read_library
from papernotes.cli.main import main
from papernotes.config import load_config
from papernotes.errors import Diagnostic
from papernotes.model import Library

from browser import Problems, browser, serve  # noqa: F401  (one session fixture: one Playwright per run)

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = "PAPERNOTES_UPDATE_GOLDEN"
"""Set to 1 to write the built bundled site into ``GOLDEN`` (see tests/test_golden.py)."""


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Call ``papernotes ARGS…`` in-process; returns exit code and captured output."""

    def run(*args: str) -> Run:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def copy_fixture(name: str, dest: Path) -> Path:
    """A fresh copy of ``tests/fixtures/<name>`` in ``dest``."""
    target = dest / Path(name).name
    shutil.copytree(FIXTURES / name, target)
    return target


def copy_bundled(dest: Path) -> Path:
    """The bundled library (``papers/`` and its ``[tool.papernotes]`` in ``pyproject.toml``)
    copied into ``dest``: a build takes a lock and keeps its cache in ``<root>/.papernotes/``,
    so building the checkout itself would write there."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "papers", dest / "papers")
    shutil.copy2(REPO / "pyproject.toml", dest / "pyproject.toml")
    return dest


def site_tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes: two builds' output
    compared byte for byte."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def same_as_clean(root: Path, clean: Path, out: Path | None = None) -> BuildReport:
    """A plain build of ``root`` from its cache on disk (into ``out``: its ``site/``) makes
    the site a clean build makes (into ``clean``), byte for byte; the plain build's report."""
    config, _ = load_config(root)
    out = out or root / "site"
    report = build(root, config, out=out)
    assert report.errors == 0
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(out) == site_tree(clean)
    return report


def write_note(root: Path, rel: str, text: str) -> Path:
    path = root / "papers" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def note_text(
    title: str = "A Paper",
    *,
    authors: str = "[Ada Lovelace]",
    year: int = 2020,
    extra: str = "",
    body: str = "Body.\n",
) -> str:
    return f"---\ntitle: {title}\nauthors: {authors}\nyear: {year}\n{extra}---\n{body}"


# Written by the test tools themselves (or a virtualenv), not by the code under test.
_TOOL_DIRS = {".git", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}

Signature = tuple[int, int] | None
"""A file's (size, mtime in ns); None for a folder or a skipped tool folder."""


def _opted_in() -> list[Path]:
    """Folders a test writes into only when asked to by an environment variable."""
    folders = [GOLDEN] if os.environ.get(UPDATE_GOLDEN) else []
    if shots := os.environ.get("PAPERNOTES_SCREENSHOTS"):
        folders.append(Path(shots).resolve())
    return folders


def _candidates() -> list[Path]:
    """What git lists as untracked or ignored (folders collapsed), or the whole checkout when
    it is not a git checkout (an unpacked sdist). Tracked files are left out: a developer may
    edit them while the suite runs."""
    try:
        top = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        listing = subprocess.run(
            [
                "git",
                "--no-optional-locks",
                "-C",
                str(REPO),
                "status",
                "--porcelain=v1",
                "-z",
                "--ignored",
                "--untracked-files=normal",
                "--",
                ".",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [REPO]
    entries = [e for e in listing.split("\0") if e[:3] in ("?? ", "!! ")]
    return [Path(top, e[3:]) for e in entries]


def _checkout_state() -> dict[str, Signature]:
    """Every untracked or ignored path in the checkout, outside tool folders and virtualenvs."""
    state: dict[str, Signature] = {}
    skip = _opted_in()

    def note(path: Path) -> None:
        rel = path.relative_to(REPO).as_posix()
        if path.is_dir() and not path.is_symlink():
            state[rel + "/"] = None
        elif path.exists() or path.is_symlink():
            st = path.lstat()
            state[rel] = (st.st_size, st.st_mtime_ns)

    for start in _candidates():
        if any(start == s or s in start.parents for s in skip):
            continue
        if start.name in _TOOL_DIRS or (start / "pyvenv.cfg").is_file():
            continue
        note(start)
        if not start.is_dir() or start.is_symlink():
            continue
        for folder, dirs, files in os.walk(start):
            here = Path(folder)
            dirs[:] = [
                d
                for d in dirs
                if d not in _TOOL_DIRS
                and not (here / d / "pyvenv.cfg").is_file()
                and here / d not in skip
            ]
            for name in (*dirs, *files):
                note(here / name)
    return state


@pytest.fixture(scope="session", autouse=True)
def checkout_stays_clean() -> Iterator[None]:
    """Fail the session if it created or changed an untracked or ignored file in the checkout
    (a site, a ``.papernotes/`` cache or lock): tests must work in ``tmp_path``."""
    before = _checkout_state()
    yield
    after = _checkout_state()
    touched = sorted(p for p, sig in after.items() if before.get(p, ()) != sig)
    if touched:
        pytest.fail(
            f"the tests created or changed these paths in the checkout {REPO} (build a copy in "
            "tmp_path instead, e.g. with conftest.copy_bundled): " + ", ".join(touched),
            pytrace=False,
        )


def library_at(root: Path) -> tuple[Library, tuple[Diagnostic, ...]]:
    """The library at ``root`` with its own configuration, as ``bib`` and ``check`` read it."""
    config, _ = load_config(root)
    return read_library(root, config)


def clean_library(root: Path) -> Library:
    """``library_at(root)``, failing the test on any diagnostic."""
    library, diags = library_at(root)
    assert diags == (), [d.format() for d in diags]
    return library


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:  # noqa: F811  (uses the fixture imported above)
    """A fresh 1280×900 page; the test fails on any console error or failed request."""
    problems = Problems()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield problems.watch(context.new_page())
    context.close()
    assert problems.items == []


# A browser test module builds its site in a fixture named ``site`` (the output folder); these
# open that site both ways a reader does: over HTTP, and from file://.
@pytest.fixture(scope="module")
def http_base(site: Path) -> Iterator[str]:
    """The module's ``site`` served over HTTP on a free port, under a sub-path."""
    yield from serve(site)


@pytest.fixture(params=["http", "file"])
def base(request: pytest.FixtureRequest, site: Path) -> str:
    """The module's ``site`` as a URL ending in "/": once over HTTP, once from file://."""
    if request.param == "file":
        return site.as_uri() + "/"
    return str(request.getfixturevalue("http_base"))


def catch_saves(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every build cache ``incremental.cache.save_cache`` is given from here on, in order
    (each still saved): what a test reads of what a build stored."""
    from papernotes.incremental import cache

    saved: list[Any] = []
    real = cache.save_cache

    def keep(root: Path, built: Any, stamp: object, **kw: int) -> Any:
        saved.append(built)
        return real(root, built, stamp, **kw)

    monkeypatch.setattr(cache, "save_cache", keep)
    return saved
