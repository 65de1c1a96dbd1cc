"""Shared helpers: run the CLI in-process, copy fixture libraries, build the site."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from papernotes.build import read_library
from papernotes.cli.main import main
from papernotes.config import load_config
from papernotes.errors import Diagnostic
from papernotes.model import Library

from browser import Problems, browser  # noqa: F401  (one session fixture: one Playwright per run)

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[1]


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
