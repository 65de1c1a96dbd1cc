"""The cycle collector and a build: the notes and the library, and what stage 4 makes of them,
which live to the build's end, are made with the collector paused and then frozen, so no full
collection walks them again (at 5,000 notes, 8 such walks while the notes were read; at 20,000,
17 while the site was rendered); the build thaws them when done."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from papernotes import parse, plan
from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental.cache import collector_paused

from conftest import copy_bundled


@pytest.fixture
def thawed() -> Iterator[None]:
    """Each test starts and ends with nothing frozen and the collector on."""
    gc.unfreeze()
    assert gc.isenabled()
    yield
    gc.unfreeze()
    gc.enable()


def test_collector_paused_then_what_was_made_is_frozen(thawed: None) -> None:
    before = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        made = [[i] for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)


def test_collector_left_as_it_is_when_not_paused(thawed: None) -> None:
    with collector_paused(False):
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    gc.disable()  # a caller that switched it off itself: not switched on, nothing frozen
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_build_reads_its_notes_without_the_collector_and_thaws_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, thawed: None
) -> None:
    root = copy_bundled(tmp_path / "lib")
    config, _ = load_config(root)
    seen: list[bool] = []
    parse_note = parse.parse_note

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return parse_note(*args, **kwargs)

    monkeypatch.setattr(parse, "parse_note", spy)
    report = build(root, config, out=root / "site", workers=1)
    assert report.errors == 0
    assert seen
    assert not any(seen)  # every note parsed with the collector paused
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # the build let go of the library: collectable again


def test_a_build_renders_its_site_without_the_collector_and_thaws_after(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, thawed: None
) -> None:
    root = copy_bundled(tmp_path / "lib")
    config, _ = load_config(root)
    seen: list[bool] = []
    render_site = plan.render_site

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(gc.isenabled())
        return render_site(*args, **kwargs)

    monkeypatch.setattr(plan, "render_site", spy)
    report = build(root, config, out=root / "site", workers=1)
    assert report.errors == 0
    assert report.pages > 0
    assert seen == [False]  # stage 4 ran once, with the collector paused
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # what it made is collectable again
