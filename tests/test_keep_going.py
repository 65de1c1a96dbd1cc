"""``build --keep-going`` and ``serve``: the notes with errors are left out and the others
published; a plain build stays all-or-nothing; the cache stays right across both kinds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.serve.lastgood import LEFT_OUT
from papernotes.serve.watch import rebuild

from conftest import note_text, site_tree, write_note

GOOD = ("a2020", "b2020", "c2020", "citer2020")
"""The pages of the notes that are published whatever the broken ones do."""

BROKEN_YAML = "---\nid: bad2020\ntitle: [Broken\nauthors: [Ada Lovelace]\nyear: 2020\n---\nB.\n"
FIXED_YAML = note_text("Fixed", extra="id: bad2020\n")


def _library(root: Path) -> Path:
    """Three good notes, one whose YAML is broken, one with an invalid id, and one citing the
    broken one."""
    for key in GOOD[:3]:
        write_note(root, f"{key}.md", note_text(f"Paper {key}", extra=f"id: {key}\n"))
    write_note(root, "bad.md", BROKEN_YAML)
    write_note(root, "badid.md", note_text("Bad id", extra='id: "bad id"\n'))
    body = "Builds on [@bad2020] and [@a2020].\n"
    write_note(root, "citer.md", note_text("Citer", extra="id: citer2020\n", body=body))
    (root / "papernotes.yaml").write_text("title: Keep going\n", encoding="utf-8")
    return root


def _pages(out: Path) -> set[str]:
    return {p.stem for p in (out / "papers").glob("*.html")}


def _build(root: Path, *args: str, out: Path | None = None) -> int:
    from papernotes.cli.main import main

    return main(["build", "--root", str(root), "-q", *args, *(["--out", str(out)] if out else [])])


def test_keep_going_publishes_the_valid_notes_and_reports_the_broken(tmp_path: Path, cli) -> None:
    root = _library(tmp_path)
    run = cli("build", "--root", str(root), "--keep-going")
    # Exit 1 although the site is written, so CI notices the notes left out.
    assert run.code == 1
    assert re.search(r"^papers/bad\.md:\d+:\d+: error: ", run.err, re.M)
    assert re.search(r'^papers/badid\.md:\d+:\d+: error: id: "bad id"', run.err, re.M)
    assert re.search(r"^built: 4 notes, .* 2 errors .*; 2 notes left out$", run.out, re.M)
    assert _pages(root / "site") == set(GOOD)
    citer = (root / "site" / "papers" / "citer2020.html").read_text(encoding="utf-8")
    assert '<span class="cite unresolved"' in citer and "@bad2020" in citer
    assert '<a class="cite" href="a2020.html">' in citer  # the good citation still links
    # The citation of the note left out is the warning of an unknown key, not one more error.
    assert re.search(
        r'^papers/citer\.md:\d+:\d+: warning: unknown citation key "bad2020"', run.err, re.M
    )


def test_a_plain_build_writes_nothing_and_keeps_the_old_site(tmp_path: Path, cli) -> None:
    root = _library(tmp_path)
    for name in ("bad.md", "badid.md"):
        (root / "papers" / name).unlink()
    assert cli("build", "--root", str(root)).code == 0
    before = site_tree(root / "site")
    _library(root)  # the broken notes are back
    run = cli("build", "--root", str(root))
    assert run.code == 1 and "not built: " in run.out
    assert site_tree(root / "site") == before


def test_a_fixed_note_is_published_by_the_next_build(tmp_path: Path) -> None:
    root = _library(tmp_path)
    assert _build(root, "--keep-going") == 1
    write_note(root, "bad.md", FIXED_YAML)
    (root / "papers" / "badid.md").unlink()
    assert _build(root, "--keep-going") == 0
    assert _pages(root / "site") == {*GOOD, "bad2020"}
    citer = (root / "site" / "papers" / "citer2020.html").read_text(encoding="utf-8")
    assert '<a class="cite" href="bad2020.html">' in citer and "cite unresolved" not in citer
    # What the cache kept from the keep-going build changes nothing: a build from scratch
    # writes the same site byte for byte.
    fresh = tmp_path / "fresh"
    assert _build(root, "--no-cache", out=fresh) == 0
    assert site_tree(fresh) == site_tree(root / "site")


def test_a_plain_build_after_a_keep_going_one_fails_and_keeps_its_site(tmp_path: Path) -> None:
    root = _library(tmp_path)
    assert _build(root, "--keep-going") == 1
    site = site_tree(root / "site")
    for _ in range(2):  # nothing changed: the second plain build must not be "up to date"
        assert _build(root) == 1
        assert site_tree(root / "site") == site
    assert _build(root, "--strict") == 1
    assert site_tree(root / "site") == site
    # Nor is a keep-going one: it leaves the same notes out again, and says so.
    config, _ = load_config(root)
    report = build(root, config, out=root / "site", keep_going=True, workers=1)
    assert report.left_out == ("papers/bad.md", "papers/badid.md") and report.written is not None
    assert not report.up_to_date and site_tree(root / "site") == site


def _duplicate(root: Path) -> tuple[str, ...]:
    write_note(root, "dup.md", note_text("Another A", extra="id: a2020\n"))
    return ("papers/a2020.md", "papers/dup.md")


def _not_utf8(root: Path) -> tuple[str, ...]:
    (root / "papers" / "latin1.md").write_bytes(note_text("Caf\xe9").encode("latin-1"))
    return ("papers/latin1.md",)


def _bad_year(root: Path) -> tuple[str, ...]:
    # (``year: twenty`` is only a warning now: no year read; a rating of 9 is an error.)
    write_note(root, "year.md", note_text("Bad year", extra="id: year\nrating: 9\n"))
    return ("papers/year.md",)


@pytest.mark.parametrize("spoil", [_duplicate, _not_utf8, _bad_year])
def test_each_kind_of_broken_note_is_left_out(tmp_path: Path, spoil) -> None:
    root = _library(tmp_path)
    also = spoil(root)
    config, _ = load_config(root)
    report = build(root, config, out=root / "site", keep_going=True, workers=1)
    assert report.left_out == tuple(sorted({"papers/bad.md", "papers/badid.md", *also}))
    assert report.written is not None
    # A duplicate id leaves out both notes: which one is meant is the author's to say.
    expected = set(GOOD) - ({"a2020"} if spoil is _duplicate else set())
    assert _pages(root / "site") == expected
    assert {d.where.path for d in report.diagnostics if d.severity.value == "error"} == set(
        report.left_out
    )


def test_an_error_not_about_one_note_still_stops_a_keep_going_build(tmp_path: Path) -> None:
    root = _library(tmp_path)
    (root / "templates").mkdir()
    (root / "templates" / "index.html").write_text("{% if %}\n", encoding="utf-8")
    config, _ = load_config(root)
    report = build(root, config, out=root / "site", keep_going=True, workers=1)
    assert report.written is None and not (root / "site").exists()


def test_serve_rebuild_publishes_the_valid_notes(tmp_path: Path) -> None:
    root = _library(tmp_path)
    outcome = rebuild(root, root / "site")
    assert _pages(root / "site") == set(GOOD)
    # The overlay and the terminal still show every error, and which notes are left out.
    left = tuple(f"papers/{n}: note: {LEFT_OUT}" for n in ("bad.md", "badid.md"))
    assert len(outcome.problems) == 4 and outcome.problems[2:] == left
    assert any(p.startswith("papers/bad.md:") for p in outcome.problems)
    assert any(p.startswith("papers/badid.md:") for p in outcome.problems)
    assert set(outcome.problems) <= set(outcome.report)
    assert outcome.status is not None and outcome.status.endswith("2 notes with errors left out")
    write_note(root, "bad.md", FIXED_YAML)
    (root / "papers" / "badid.md").unlink()
    outcome = rebuild(root, root / "site")
    assert outcome.problems == () and _pages(root / "site") == {*GOOD, "bad2020"}


def test_under_strict_a_note_citing_a_duplicate_id_is_not_left_out(tmp_path: Path) -> None:
    root = tmp_path
    write_note(root, "a.md", note_text("A", extra="id: a2020\n"))
    write_note(root, "dup.md", note_text("Another A", extra="id: a2020\n"))
    write_note(root, "c.md", note_text("C", extra="id: c2020\n", body="On [@a2020].\n"))
    config, _ = load_config(root)
    report = build(root, config, out=root / "site", strict=True, keep_going=True, workers=1)
    assert report.left_out == ("papers/a.md", "papers/dup.md")
    assert _pages(root / "site") == {"c2020"}
    unknown = [d for d in report.diagnostics if d.where.path == "papers/c.md"]
    assert [d.severity.value for d in unknown] == ["warning"]
    assert 'unknown citation key "a2020"' in unknown[0].message
