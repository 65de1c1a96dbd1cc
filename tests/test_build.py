"""build(): the pipeline, its worker processes, ``--strict`` in one place, and the stages that
``bib``, ``check`` and ``add`` share with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from papernotes.build import apply_strict, build, read_library
from papernotes.config import load_config
from papernotes.errors import Diagnostic, Location, Severity
from papernotes.incremental import parallel as incremental_parallel
from papernotes.incremental.parallel import fans_out

from conftest import note_text, site_tree, write_note

NOTES = 80


def _big_library(root: Path) -> Path:
    """80 notes citing each other, with math, CJK text, tags and a few unresolved citations."""
    for i in range(NOTES):
        cites = ", ".join(f"n{j:02}" for j in (i - 1, i - 7) if j >= 0)
        body = f"见 [@n{(i * 13) % NOTES:02}] and $x_{i}$; see [[n{(i + 1) % NOTES:02}]].\n"
        if i % 20 == 0:
            body += "\nAnd [@nosuch2020], which no note has.\n"
        extra = f"id: n{i:02}\ntags: [t{i % 5}, shared]\n"
        if cites:
            extra += f"cites: [{cites}]\n"
        write_note(
            root,
            f"sub{i % 3}/n{i:02}.md",
            note_text(
                f"Paper {i:02}",
                authors=f"[Author {i % 9}]",
                year=2000 + i % 20,
                extra=extra,
                body=body,
            ),
        )
    (root / "papernotes.yaml").write_text("title: Big\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _big_library(tmp_path_factory.mktemp("big"))


def test_a_parallel_build_of_80_notes_equals_a_serial_one(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fans_out(NOTES, 2)  # the real threshold: parsing, bodies and pages go to workers
    monkeypatch.setattr(incremental_parallel, "FORK_WORTH", 0.0)  # however quick they are
    config, _ = load_config(big)
    serial = build(big, config, out=tmp_path / "serial", use_cache=False, workers=1)
    parallel = build(big, config, out=tmp_path / "parallel", use_cache=False, workers=2)
    assert serial.errors == 0 and serial.warnings > 0  # the unresolved citations
    assert parallel.diagnostics == serial.diagnostics  # the same problems, in the same order
    assert parallel.rendered == serial.rendered > NOTES
    tree = site_tree(tmp_path / "serial")
    assert len(tree) > 2 * NOTES
    assert site_tree(tmp_path / "parallel") == tree


def test_template_errors_come_back_from_workers_in_job_order(
    big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental_parallel, "FORK_WORTH", 0.0)  # to workers, however quick
    lib = tmp_path / "lib"
    _big_library(lib)
    (lib / "templates").mkdir()
    # Every paper page whose key ends in 7 fails, each in whichever worker renders it, each
    # with its own message (naming its key: the same message twice is said once).
    (lib / "templates" / "paper.html").write_text(
        "{{ note.meta.title }}\n{% if note.key.endswith('7') %}{{ note[note.key].x }}{% endif %}\n",
        encoding="utf-8",
    )
    config, _ = load_config(lib)
    reports = [
        build(lib, config, out=tmp_path / f"out{w}", use_cache=False, workers=w) for w in (1, 2)
    ]
    errors = [[d for d in r.diagnostics if d.severity is Severity.ERROR] for r in reports]
    assert len(errors[0]) == NOTES // 10
    assert all(d.where.path == "templates/paper.html" for d in errors[0])
    assert len({d.message for d in errors[0]}) == NOTES // 10
    assert errors[0] == errors[1]
    assert all(r.written is None for r in reports)


_W = Diagnostic(Severity.WARNING, Location("papers/a.md", 3), "unknown key, ignored")
_E = Diagnostic(Severity.ERROR, Location("papers/b.md", 1), "no title")


@pytest.mark.parametrize(
    ("diags", "strict", "expected"),
    [
        ((), True, ()),
        ((_W,), False, (_W,)),
        ((_W,), True, (_W.promoted(),)),
        ((_E, _W), True, (_E, _W.promoted())),
        ((_E, _W), False, (_E, _W)),
    ],
)
def test_apply_strict(
    diags: tuple[Diagnostic, ...], strict: bool, expected: tuple[Diagnostic, ...]
) -> None:
    assert apply_strict(diags, strict) == expected


def _warned_library(root: Path) -> Path:
    write_note(root, "a.md", note_text("A Paper", extra="id: a\nauthor: typo\n"))
    (root / "papernotes.yaml").write_text("title: Warned\n", encoding="utf-8")
    return root


def test_strict_fails_again_on_the_last_builds_warnings_when_nothing_changed(
    tmp_path: Path,
) -> None:
    root = _warned_library(tmp_path / "lib")
    config, _ = load_config(root)
    out = tmp_path / "site"
    first = build(root, config, out=out)
    assert first.warnings == 1 and first.written is not None
    before = site_tree(out)
    again = build(root, config, out=out)
    assert again.up_to_date and again.warnings == 1
    strict = build(root, config, out=out, strict=True)
    assert not strict.up_to_date and strict.written is None and strict.pages == 0
    assert strict.diagnostics == tuple(d.promoted() for d in first.diagnostics)
    assert site_tree(out) == before  # nothing written
    # The failed strict build left the last good build's cache: without --strict, up to date.
    assert build(root, config, out=out).up_to_date


def test_strict_refuses_to_write_a_site_with_warnings(tmp_path: Path) -> None:
    root = _warned_library(tmp_path / "lib")
    config, _ = load_config(root)
    report = build(root, config, out=tmp_path / "site", strict=True, use_cache=False)
    assert report.errors == 1 and report.written is None
    assert not (tmp_path / "site").exists()


def test_read_library_runs_the_builds_stages(big: Path, tmp_path: Path) -> None:
    config, _ = load_config(big)
    library, diags = read_library(big, config)
    report = build(big, config, out=tmp_path / "site", use_cache=False)
    assert diags == report.diagnostics  # the same stage calls, the same problems
    assert len(library.notes) == report.notes == NOTES
    _, strict = read_library(big, config, strict=True)
    assert strict == apply_strict(diags, True)


def test_a_build_with_nothing_to_do_loads_no_markdown_templates_or_pool(tmp_path: Path) -> None:
    root = _warned_library(tmp_path / "lib")
    script = (
        "import sys; from papernotes.cli.main import main; "
        f"code = main(['build', '--root', {str(root)!r}, '-q']); "
        "heavy = {'markdown_it', 'jinja2', 'pybtex', 'rich', 'multiprocessing'}; "
        "print(code, sorted({m.split('.')[0] for m in sys.modules} & heavy))"
    )
    run = [sys.executable, "-c", script]
    first = subprocess.run(run, capture_output=True, text=True, check=True)
    assert first.stdout.startswith("0 ") and "markdown_it" in first.stdout
    second = subprocess.run(run, capture_output=True, text=True, check=True)
    assert second.stdout.strip() == "0 []"


def test_the_note_texts_are_let_go_once_parsed(big: Path, tmp_path: Path) -> None:
    # Memory: what stages 1-3 keep for the rest of the build holds no note's text.
    from papernotes.build import _read
    from papernotes.markdown.factory import make_parser

    config, _ = load_config(big)
    read = _read(big, config, make_parser(), None, 1)
    assert read.sources.notes == ()
    assert len(read.parsed) == len(read.library.notes) == NOTES
    seen: list[tuple[str, int, int]] = []
    build(big, config, out=tmp_path / "site", use_cache=False, progress=lambda *a: seen.append(a))
    assert ("parse", NOTES, NOTES) in seen  # still counts the notes read
