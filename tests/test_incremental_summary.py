"""An edit build fingerprints only the notes the edit touches, taking the others' fingerprints
from the summary the last build stored in the cache index (``incremental.summary``), and
still makes what a clean build makes; a summary that does not fit is not used."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_incremental import KEYS, Library, _build
from test_incremental_edit import _clean

from papernotes import fingerprints, paperprints
from papernotes.incremental.summary import PlanSummary

from conftest import note_text, site_tree, write_note


def _count(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many notes each fingerprint is made for, from here on."""
    made: Counter[str] = Counter()

    def counted(module: object, name: str) -> None:
        real: Callable[..., Any] = getattr(module, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            made[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)

    counted(fingerprints, "meta_digest")
    counted(fingerprints, "body_fingerprint")
    counted(paperprints, "_paper")
    return made


def _edit_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *edits: tuple[str, str, object]
) -> Counter[str]:
    """Build, make ``edits``, build again counting: what the second build made, after checking
    that its site is a clean build's."""
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    for op, key, arg in edits:
        lib.apply(op, key, arg)
    made = _count(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)
    return made


def test_a_body_edit_fingerprints_its_own_note_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _edit_build(tmp_path, monkeypatch, ("body", "beta", "A new body, citing nobody."))
    assert made == {"meta_digest": 1, "body_fingerprint": 1, "_paper": 1}


def test_a_new_citation_fingerprints_the_page_it_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _edit_build(tmp_path, monkeypatch, ("body", "beta", "Now citing [@gamma]."))
    # gamma's page gains beta in its cited-by list and a backlink in beta's words.
    assert made == {"meta_digest": 1, "body_fingerprint": 1, "_paper": 2}


def test_a_citation_taken_out_fingerprints_the_page_it_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    lib.apply("body", "beta", "Citing [@gamma] and [@delta].")
    _build(lib.root, out, use_cache=True)
    lib.apply("body", "beta", "Citing [@delta] alone.")
    made = _count(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)
    assert made["_paper"] == 3  # beta, gamma (cited no more), delta (its backlink's words)


@pytest.mark.parametrize(
    ("op", "arg"),
    [("title", "A Title Every Neighbour Shows"), ("year", 1999), ("tags", ["nlp"])],
)
def test_a_front_matter_edit_fingerprints_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, op: str, arg: object
) -> None:
    made = _edit_build(tmp_path, monkeypatch, (op, "beta", arg))
    assert made["meta_digest"] == 1  # the others' are kept: made from their text alone
    assert made["_paper"] == len(KEYS)


def test_a_note_added_fingerprints_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _edit_build(tmp_path, monkeypatch, ("add", "epsilon", None))
    assert made["_paper"] == len(KEYS) + 1
    assert made["meta_digest"] == 1


def _summary_of(index: Path) -> list[Any]:
    data = json.loads(index.read_bytes())
    summary = data["index"][4]  # CacheIndex(key, pages, entries, search, summary)
    assert isinstance(summary, list) and len(summary) == len(PlanSummary.__slots__)
    return summary


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (3, ["beta"]),  # a column shorter than the keys
        (11, [9, 1, 2, 3]),  # ends out of order and past the end
        (12, ["../../secret.txt"]),  # a file the library does not have
        (0, "names of another library"),
    ],
)
def test_a_summary_that_does_not_fit_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: int, value: object
) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    index = lib.root / ".papernotes" / "cache" / "index.json"
    data = json.loads(index.read_bytes())
    summary = data["index"][4]
    if field == 12:  # beta's page said to link to it
        files, ends = summary[12], summary[13]
        summary[12] = [*files[: ends[1]], *value, *files[ends[1] :]]  # type: ignore[misc]
        summary[13] = [*ends[:1], *(e + 1 for e in ends[1:])]
    else:
        summary[field] = value
    index.write_text(json.dumps(data), encoding="utf-8")
    lib.apply("body", "delta", "Another body.")
    made = _count(monkeypatch)
    _build(lib.root, out, use_cache=True)
    monkeypatch.undo()
    assert site_tree(out) == _clean(lib, tmp_path)
    assert not (out / "secret.txt").exists()
    assert made["_paper"] >= 2  # delta's page, and the ones the summary could not vouch for


def test_the_summary_is_kept_in_the_index(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    _build(lib.root, lib.root / "site", use_cache=True)
    summary = _summary_of(lib.root / ".papernotes" / "cache" / "index.json")
    assert summary[2] == sorted(KEYS)  # keys, in library order (by file)


def _many(root: Path, count: int) -> None:
    """``count`` notes (several link preview shards), each citing the next, and the first
    linking to a section of the second (its card then shows that section's first words)."""
    for i in range(count):
        body = f"Intro of n{i}.\n\n## Method\n\nWhat n{i} does, citing [@n{(i + 1) % count}].\n"
        if i == 0:
            body += "\nSee [[n1#Method]].\n"
        text = note_text(f"Paper {i}", year=2000 + i % 20, extra=f"id: n{i}\n", body=body)
        write_note(root, f"n{i}.md", text)


def test_a_body_edit_makes_the_cards_of_one_preview_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes import preview

    root, count = tmp_path / "lib", 40
    _many(root, count)
    _build(root, root / "site", use_cache=True)
    text = note_text("Paper 7", year=2007, extra="id: n7\n", body="Edited, citing [@n8].\n")
    write_note(root, "n7.md", text)
    made: Counter[str] = Counter()
    real_entry, real_shard = preview.preview_entry, preview._shard

    def entry(*args: Any, **kwargs: Any) -> Any:
        made["card"] += 1
        return real_entry(*args, **kwargs)

    def shard(*args: Any, **kwargs: Any) -> Any:
        made["shard"] += 1
        return real_shard(*args, **kwargs)

    monkeypatch.setattr(preview, "preview_entry", entry)
    monkeypatch.setattr(preview, "_shard", shard)
    _build(root, root / "site", use_cache=True)
    monkeypatch.undo()
    assert made["shard"] == 1  # of 4
    assert 0 < made["card"] < count // 2  # the cards of n7's shard only
    clean = tmp_path / "clean"
    _many(clean, count)
    write_note(clean, "n7.md", text)
    _build(clean, clean / "site", use_cache=False)
    assert site_tree(root / "site") == site_tree(clean / "site")


def test_a_section_linked_anew_makes_that_card_again(tmp_path: Path) -> None:
    root, count = tmp_path / "lib", 40
    _many(root, count)
    _build(root, root / "site", use_cache=True)
    # n5 now links to n20's section: n20's card gains it, in another shard than n5's.
    body = "## Method\n\nWhat n5 does, citing [@n6]. See [[n20#Method]].\n"
    write_note(root, "n5.md", note_text("Paper 5", year=2005, extra="id: n5\n", body=body))
    _build(root, root / "site", use_cache=True)
    clean = tmp_path / "clean"
    _many(clean, count)
    write_note(clean, "n5.md", note_text("Paper 5", year=2005, extra="id: n5\n", body=body))
    _build(clean, clean / "site", use_cache=False)
    assert site_tree(root / "site") == site_tree(clean / "site")
