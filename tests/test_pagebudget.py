"""A page of the library's own templates has a budget of CPU time and memory: a loop that never
ends, or one that fills the memory, stops the build with one error at its line."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from papernotes import pagebudget
from papernotes.build import build
from papernotes.config import load_config
from papernotes.errors import Location
from papernotes.incremental import parallel
from papernotes.pagebudget import OverBudget, PageOverBudget, over_reason, page_budget

from conftest import note_text, write_note

ENDLESS = "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
FILLING = "{% for i in range(99999) %}{{ 'x' * 5000000 }}{% endfor %}"


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagebudget, "CPU_SECONDS", 0.3)
    monkeypatch.setattr(pagebudget, "MEMORY_BYTES", 64 << 20)
    monkeypatch.setattr(pagebudget, "TICK", 0.02)


def _memory_only(monkeypatch: pytest.MonkeyPatch, said: str) -> None:
    # The memory's bound alone: filling 64 MiB takes a few ms, but allocating on a loaded
    # machine (the suite's other threads, the page's own setup) must not meet the CPU's first.
    if "memory" in said:
        monkeypatch.setattr(pagebudget, "CPU_SECONDS", 60.0)


def _library(tmp_path: Path, templates: dict[str, str], notes: int = 1) -> Path:
    root = tmp_path / "lib"
    for i in range(notes):
        write_note(root, f"n{i:02}.md", note_text(f"N{i:02}", extra=f"id: n{i:02}\ntags: [x]\n"))
    for name, text in templates.items():
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates" / name).write_text(text, encoding="utf-8")
    return root


def _page(main: str) -> str:
    return "{% extends 'base.html' %}\n{% block main %}\n" + main + "\n{% endblock %}\n"


@pytest.mark.usefixtures("small_budget")
@pytest.mark.parametrize(
    ("main", "line", "said"),
    [
        (ENDLESS, 3, "the page took more than 0.3 s of CPU to render"),
        (FILLING, 3, "the page needed more than 64 MiB of memory"),
        (
            "{% macro m() %}\n" + FILLING + "\n{% endmacro %}\n{{ m() }}",
            4,
            "the page needed more than 64 MiB of memory",
        ),
    ],
)
def test_a_page_over_its_budget_stops_the_build_at_its_line(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, main: str, line: int, said: str
) -> None:
    _memory_only(monkeypatch, said)
    root = _library(tmp_path, {"tag.html": _page(main)})
    result = cli("build", "--root", str(root))
    assert result.code == 1
    assert f"templates/tag.html:{line}: error: {said}" in result.err
    assert "the build stops here (look in templates/tag.html for a loop" in result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert not (root / "site").exists()


@pytest.mark.usefixtures("small_budget")
def test_a_page_over_its_budget_in_a_worker_stops_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # the pages go to workers, however quick
    page = "{{ note.meta.title }}\n{% if note.key == 'n70' %}" + ENDLESS + "{% endif %}\n"
    root = _library(tmp_path, {"paper.html": page}, notes=80)
    config, _ = load_config(root)
    with pytest.raises(PageOverBudget) as raised:
        build(root, config, out=tmp_path / "out", use_cache=False, workers=2)
    assert raised.value.where == Location("templates/paper.html", 2)
    assert not (tmp_path / "out").exists()


def test_the_default_themes_pages_are_not_timed(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagebudget, "CPU_SECONDS", 0.0)  # any timed page would be over
    monkeypatch.setattr(pagebudget, "TICK", 0.001)
    root = _library(tmp_path, {}, notes=3)
    result = cli("build", "--root", str(root))
    assert result.code == 0, result.err
    assert (root / "site" / "papers" / "n01.html").is_file()


def _spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_the_timer_is_stopped_when_the_page_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagebudget, "CPU_SECONDS", 0.05)
    monkeypatch.setattr(pagebudget, "TICK", 0.01)
    with pytest.raises(OverBudget), page_budget():
        _spin(2.0)
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    _spin(0.1)  # a tick still pending finds no page: nothing is raised


def _in_a_thread(work: Callable[[], object]) -> list[object]:
    """What ``work`` returned or raised, run in a thread of its own (``serve``'s build thread)."""
    met: list[object] = []

    def run() -> None:
        try:
            met.append(work())
        except BaseException as exc:  # what the thread met is the answer
            met.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return met


def test_a_page_outside_the_main_thread_is_watched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pagebudget, "CPU_SECONDS", 0.2)
    monkeypatch.setattr(pagebudget, "TICK", 0.02)

    def render() -> None:
        with page_budget():
            _spin(10.0)

    [met] = _in_a_thread(render)
    assert isinstance(met, OverBudget)
    assert over_reason(met) == "the page took more than 0.2 s of CPU to render"
    [done] = _in_a_thread(lambda: _quick_page())  # let go when it ends: no late raise
    assert done == "rendered"


def _quick_page() -> str:
    with page_budget():
        pass
    _spin(0.1)
    return "rendered"


def test_serve_rebuilds_past_an_endless_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes.incremental.session import Session
    from papernotes.serve.watch import build_once, rebuild

    monkeypatch.setattr(pagebudget, "CPU_SECONDS", 0.3)
    monkeypatch.setattr(pagebudget, "TICK", 0.02)
    root = _library(tmp_path, {}, notes=2)
    out = root / "site"
    session = Session(root, out)
    [first] = _in_a_thread(lambda: build_once(root, out, session))
    assert first.status and first.status.startswith("rebuilt"), first
    (root / "templates").mkdir()
    (root / "templates" / "tag.html").write_text(_page(ENDLESS), encoding="utf-8")
    [looping] = _in_a_thread(lambda: rebuild(root, out, session, None))
    assert looping.status == "build failed: 1 errors; still serving the last good site"
    assert looping.problems[0].startswith(
        "templates/tag.html:3: error: the page took more than 0.3 s of CPU to render;"
    )
    assert (out / "papers" / "n01.html").is_file()  # the last good site
    (root / "templates" / "tag.html").unlink()
    [fixed] = _in_a_thread(lambda: rebuild(root, out, session, None))
    assert fixed.problems == () and fixed.status and fixed.status.startswith("rebuilt"), fixed
