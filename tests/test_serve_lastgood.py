"""A note saved with errors while serving keeps its last good page and files until it is fixed
(serve/lastgood.py); fixed, the site is the clean build's byte for byte; deleted, it goes; a
build from the command line (or a new serve) still meets its errors."""

from __future__ import annotations

import os
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papernotes.build import build
from papernotes.config import load_config
from papernotes.errors import Severity
from papernotes.incremental.session import Session
from papernotes.markdown.factory import make_parser
from papernotes.parse import parse_note
from papernotes.serve.http import LiveState
from papernotes.serve.lastgood import KEPT, LEFT_OUT, LastGood, checker
from papernotes.serve.watch import build_once

from conftest import copy_fixture, site_tree
from serving import start

LORA = "papers/peft/lora.md"
PAGE = "papers/hu2021lora.html"
FIGURE = "files/peft/figures/update.svg"


def _clean(root: Path, tmp: Path) -> dict[str, bytes]:
    """The site a build from nothing makes of ``root``'s notes as they are now."""
    clean = tmp / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(root / "papers", clean / "papers")
    shutil.copy(root / "papernotes.yaml", clean / "papernotes.yaml")
    config, _ = load_config(clean)
    report = build(clean, config, out=clean / "site", use_cache=False)
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    return site_tree(clean / "site")


def _save(session: Session, note: Path, text: str) -> None:
    note.write_text(text, encoding="utf-8")
    session.invalidate([str(note)])


def _broken(text: str) -> str:
    return text.replace("year: 2022", "year: [2022")  # a flow list not closed yet


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, Session, str]:
    root = copy_fixture("small", tmp_path)
    session = Session(root, root / "site")
    assert session.build().errors == 0
    session.persist()
    return root, session, (root / LORA).read_text(encoding="utf-8")


def test_a_broken_note_keeps_its_last_good_page_then_fixed_is_the_clean_build(
    served: tuple[Path, Session, str], tmp_path: Path
) -> None:
    root, session, original = served
    site = root / "site"
    before = site_tree(site)
    assert PAGE in before and FIGURE in before

    _save(session, root / LORA, _broken(original))
    report = session.build()
    assert session.held == (LORA,)
    assert report.left_out == ()
    said = [d.format() for d in report.diagnostics]
    assert any(re.match(rf"{LORA}:\d+:\d+: error: front matter is not valid YAML", s) for s in said)
    assert f"{LORA}: note: {KEPT}" in said
    assert site_tree(site) == before  # the page, its figure, the links to it: all as they were

    # Still broken, otherwise: still held, the site untouched.
    _save(session, root / LORA, original.replace("year: 2022", "year: 2022\nrating: 9"))
    report = session.build()
    assert session.held == (LORA,)
    assert any(re.match(rf"{LORA}:\d+:\d+: error: rating", d.format()) for d in report.diagnostics)
    assert site_tree(site) == before

    _save(session, root / LORA, original.replace("## 方法", "## 方法\n\nFixed."))
    report = session.build()
    assert report.errors == 0 and session.held == ()
    assert site_tree(site) == _clean(root, tmp_path) != before


def test_a_note_broken_from_the_start_is_left_out_then_held_once_it_was_good(
    tmp_path: Path,
) -> None:
    root = copy_fixture("small", tmp_path)
    note = root / LORA
    original = note.read_text(encoding="utf-8")
    note.write_text(_broken(original), encoding="utf-8")
    session = Session(root, root / "site")
    report = session.build()
    assert report.left_out == (LORA,) and session.held == ()
    assert PAGE not in site_tree(root / "site")  # no good version to show: none is made up

    _save(session, note, original)
    assert session.build().errors == 0
    good = _clean(root, tmp_path)
    assert site_tree(root / "site") == good

    _save(session, note, _broken(original))
    report = session.build()
    assert session.held == (LORA,) and report.left_out == ()
    assert site_tree(root / "site") == good  # the clean build of its last good text


def test_a_broken_note_deleted_leaves_the_site(
    served: tuple[Path, Session, str], tmp_path: Path
) -> None:
    root, session, original = served
    _save(session, root / LORA, _broken(original))
    session.build()
    assert session.held == (LORA,)
    (root / LORA).unlink()
    session.invalidate([str(root / LORA)])
    report = session.build()
    assert report.errors == 0 and session.held == ()
    assert site_tree(root / "site") == _clean(root, tmp_path)


def test_an_undecodable_save_is_held_too(served: tuple[Path, Session, str]) -> None:
    root, session, original = served
    before = site_tree(root / "site")
    (root / LORA).write_bytes(original.encode() + b"\n\xff\n")
    session.invalidate([str(root / LORA)])
    report = session.build()
    assert session.held == (LORA,)
    assert any("not UTF-8" in d.message for d in report.diagnostics)
    assert site_tree(root / "site") == before


def test_a_build_after_serve_held_a_note_still_fails_on_it(
    served: tuple[Path, Session, str],
) -> None:
    root, session, original = served
    note = root / LORA
    _save(session, note, _broken(original))
    # Saved long ago: a stamp that vouched for this file would let a build take the note
    # from the cache (the good one) without reading it.
    os.utime(note, ns=(note.stat().st_atime_ns, note.stat().st_mtime_ns - 3600 * 10**9))
    session.invalidate([str(note)])
    session.build()
    assert session.held == (LORA,)
    session.persist()
    held_site = site_tree(root / "site")
    config, _ = load_config(root)

    other = root / "papers" / "peft" / "adapters.md"
    other.write_text(other.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    report = build(root, config, out=root / "site")
    assert report.written is None and not report.up_to_date
    assert any(d.where.path == LORA and d.severity is Severity.ERROR for d in report.diagnostics)
    assert site_tree(root / "site") == held_site  # a failed build keeps the last site

    # A new serve has no good version of it: the note is left out, and says so.
    outcome = build_once(root, root / "site", Session(root, root / "site"))
    assert f"{LORA}: note: {LEFT_OUT}" in outcome.problems
    assert PAGE not in site_tree(root / "site")


def test_the_browser_and_terminal_are_told_which_note_is_held_and_where_its_error_is(
    served: tuple[Path, Session, str],
) -> None:
    root, session, original = served
    (root / LORA).write_text(_broken(original), encoding="utf-8")
    outcome = build_once(root, root / "site", session)
    assert outcome.problems[0].startswith(f"{LORA}:9:6: error: front matter is not valid YAML")
    assert outcome.problems[-1] == f"{LORA}: note: {KEPT}"
    assert outcome.problems[-1] in outcome.report
    assert outcome.status is not None
    assert outcome.status.endswith("; 1 notes with errors: their last good version kept")


BROKEN = [
    "---\ntitle: [\n---\n\nBody.\n",
    "---\ntitle: T\nauthors: [A B]\nyear: 20x2\n---\n\nBody [@x].\n",
    "---\ntitle: T\nauthors: [A B]\n---\n\nNo year.\n",
    "---\ntitle: T\nauthors: [A B]\nyear: 2020\nid: 'no spaces please'\n---\n",
    "---\ntitle: T\nauthors: [A B]\nyear: 2020\nrating: 11\n---\n\n# Head\n",
    "---\ntitle: T\n",
    "No front matter, but a long body.\n\nAnd more.\n",
    "---\n- a list\n---\n",
    "---\ntitle: T\nauthors: [A B]\nyear: 2020\n---\n\nA good one: no errors.\n",
    "---\ntitle: T\nauthors: [A B]\nyear: 2020\ndraft: true\n---\n\nA draft.\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_the_check_finds_the_errors_a_parse_finds(tmp_path: Path, text: str) -> None:
    copy_fixture("small", tmp_path)
    config, _ = load_config(tmp_path / "small")
    md = make_parser()
    _, diags = parse_note("papers/x.md", text, md, dict(config.keys))
    errors = tuple(d for d in diags if d.severity is Severity.ERROR)
    assert checker(config, md)("papers/x.md", text) == errors
    assert checker(config, None)("papers/lists/x.md", text) == ()  # a reading list is not


def test_nothing_is_checked_without_a_last_good_text() -> None:
    keeper = LastGood()
    keeper.check = lambda display, text: ()
    from papernotes.load import Source

    keeper.read("papers/a.md", Source("papers/a.md", "x"), None, None)  # new to the session
    assert keeper.checked == 0
    keeper.read("papers/a.md", Source("papers/a.md", "y"), None, Source("papers/a.md", "x"))
    assert keeper.checked == 1 and keeper.held == {}


def _get(url: str) -> tuple[int, bytes]:
    """Status and body; a page's live-reload tag without the build number it carries, which
    moves on with every build, the page itself or not."""
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            status, body = answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, re.sub(rb' data-since="\d+"', b"", body)


def _save_whole(note: Path, text: str) -> None:
    """As an editor saves: the new text renamed into place, one change for the watcher."""
    temp = note.with_name(f".{note.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, note)


def _until(state: LiveState, done: Callable[[], bool]) -> None:
    """Wait, build after build (events, not sleeps), for ``done``."""
    seen = state.generation
    while not done():
        now = state.wait(seen, timeout=30)
        assert now != seen, "no build came"
        seen = now


def test_over_http_the_page_and_its_figure_stay_while_the_note_is_broken(
    tmp_path: Path,
) -> None:
    live = start(copy_fixture("small", tmp_path))
    try:
        note = live.root / LORA
        original = note.read_text(encoding="utf-8")
        page, figure = _get(live.url + PAGE), _get(live.url + FIGURE)
        assert page[0] == figure[0] == 200
        files = site_tree(live.site)

        _save_whole(note, _broken(original))
        _until(
            live.state,
            lambda: any(p.startswith(f"{LORA}:9:6: error:") for p in live.state.problems),
        )
        assert f"{LORA}: note: {KEPT}" in live.state.problems
        assert _get(live.url + PAGE) == page and _get(live.url + FIGURE) == figure
        assert site_tree(live.site) == files  # not a file more or less, not a byte changed

        _save_whole(note, original.replace("## 方法", "## 方法\n\nFixed over HTTP."))
        _until(live.state, lambda: not live.state.problems)
        status, body = _get(live.url + PAGE)
        assert status == 200 and "Fixed over HTTP." in body.decode()
        assert site_tree(live.site) == _clean(live.root, tmp_path)
    finally:
        live.close()


def _clean_of(root: Path, texts: dict[str, str], where: Path) -> dict[str, bytes]:
    """The clean build of ``root``'s library with the notes ``texts`` gives in place."""
    shutil.rmtree(where, ignore_errors=True)
    shutil.copytree(root / "papers", where / "papers")
    shutil.copy(root / "papernotes.yaml", where / "papernotes.yaml")
    for rel, text in texts.items():
        (where / rel).write_text(text, encoding="utf-8")
    config, _ = load_config(where)
    report = build(where, config, out=where / "site", use_cache=False)
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    return site_tree(where / "site")


ADAPTERS = "papers/peft/adapters.md"
SAVES = st.tuples(
    st.sampled_from([LORA, ADAPTERS]),
    st.sampled_from(["edit", "yaml", "field", "undecodable"]),
)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(saves=st.lists(SAVES, min_size=1, max_size=5))
def test_at_every_save_the_site_is_the_clean_build_of_the_last_good_texts(
    tmp_path_factory: pytest.TempPathFactory, saves: list[tuple[str, str]]
) -> None:
    base = tmp_path_factory.mktemp("lastgood")
    root = copy_fixture("small", base)
    session = Session(root, root / "site")
    assert session.build().errors == 0
    good = {rel: (root / rel).read_text(encoding="utf-8") for rel in (LORA, ADAPTERS)}
    for step, (rel, how) in enumerate(saves):
        note = root / rel
        if how == "edit":
            good[rel] += f"\nSaved {step}.\n"
            note.write_text(good[rel], encoding="utf-8")
        elif how == "undecodable":
            note.write_bytes(good[rel].encode() + b"\xff")
        else:
            bad = "title: [" if how == "yaml" else "rating: 11"
            note.write_text(good[rel].replace("---\n", f"---\n{bad}\n", 1), encoding="utf-8")
        session.invalidate([str(note)])
        report = session.build()
        broken = {r for r in good if (root / r).read_bytes() != good[r].encode()}
        assert set(session.held) == broken and report.left_out == ()
        assert site_tree(root / "site") == _clean_of(root, good, base / f"clean{step}")
