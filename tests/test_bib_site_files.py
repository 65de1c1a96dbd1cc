"""The site's bibliography files follow the notes' metadata and nothing else."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from papernotes import urls
from papernotes.bib import export
from papernotes.bib.entrytexts import EntryTexts
from papernotes.bib.site_files import library_exports
from papernotes.build import build, read_library
from papernotes.config import load_config
from papernotes.incremental.cache import digest
from papernotes.incremental.searchmemo import SaveMemo

from conftest import copy_bundled

REPO = Path(__file__).resolve().parent.parent


def test_each_export_is_made_and_fingerprinted_by_the_metadata() -> None:
    config, _ = load_config(REPO)
    library, _ = read_library(REPO, config)
    metas = [digest(n.meta) for n in library.notes.values()]
    jobs = library_exports(library, metas)
    assert [paths for paths, _, _ in jobs] == [
        ("library.bib", "library-biblatex.bib"),
        ("library.json",),
        ("library.ris",),
    ]
    made = dict(file for _, _, make in jobs for file in make())
    assert list(made) == ["library.bib", "library-biblatex.bib", "library.json", "library.ris"]
    assert made["library.bib"].count("@") >= len(library.notes)
    assert made["library-biblatex.bib"].count("@") >= len(library.notes)
    assert made["library.json"].count('"id":') == len(library.notes)
    assert made["library.ris"].count("ER  -") == len(library.notes)
    # Distinct fingerprints, each moving when one note's metadata moves.
    before = [fp for _, fp, _ in jobs]
    assert len(set(before)) == 3
    after = [fp for _, fp, _ in library_exports(library, [*metas[:-1], "changed"])]
    assert all(a != b for a, b in zip(before, after, strict=True))
    # The same digests, the same fingerprints: a body edit rewrites none of them.
    again = [fp for _, fp, _ in library_exports(replace(library), metas)]
    assert again == before
    # ``serve`` fingerprints them again only when a digest moved (not three hashes of all).
    memo = SaveMemo()
    for given, made in ((metas, 1), (list(metas), 0), ([*metas[:-1], "changed"], 1)):
        assert [fp for _, fp, _ in library_exports(library, given, memo)] == (
            before if given == metas else after
        )
        memo.sweep()
        assert memo.made.get("library-exports", 0) == made


def test_both_bib_files_build_each_entry_once_and_match_each_flavour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, _ = load_config(REPO)
    library, _ = read_library(REPO, config)
    metas = [n.meta for n in library.notes.values()]
    expected = {f: export.format_bib(metas, f) for f in export.FLAVOURS}
    built: list[str] = []
    to_entry = export.to_entry

    def counted(meta: object) -> object:
        built.append(meta.key)  # type: ignore[attr-defined]
        return to_entry(meta)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "to_entry", counted)
    jobs = library_exports(library, [digest(m) for m in metas])
    made = dict(jobs[0][2]())
    assert made == {"library.bib": expected["bibtex"], "library-biblatex.bib": expected["biblatex"]}
    assert sorted(built) == sorted(m.key for m in metas)  # once per note, for both files


def test_a_build_makes_each_entry_once_for_its_page_and_the_bib_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The paper page's BibTeX entry and library.bib's are one making (EntryTexts), and what
    # they hold is what each flavour's format_bib gives.
    root = copy_bundled(tmp_path / "lib")
    config, _ = load_config(root)
    library, _ = read_library(root, config)
    metas = [n.meta for n in library.notes.values()]
    expected = {f: export.format_bib(metas, f) for f in export.FLAVOURS}
    built: list[str] = []
    to_entry = export.to_entry

    def counted(meta: object) -> object:
        built.append(meta.key)  # type: ignore[attr-defined]
        return to_entry(meta)  # type: ignore[arg-type]

    monkeypatch.setattr(export, "to_entry", counted)
    out = tmp_path / "site"
    report = build(root, config, out=out, use_cache=False, workers=1)
    assert report.pages > len(metas)
    assert sorted(built) == sorted(m.key for m in metas)  # once per note, not twice
    assert (out / "library.bib").read_text(encoding="utf-8") == expected["bibtex"]
    assert (out / "library-biblatex.bib").read_text(encoding="utf-8") == expected["biblatex"]
    for meta in metas:
        page = (out / urls.paper_page(meta.key)).read_text(encoding="utf-8")
        assert str(escape(export.format_entry(meta, "bibtex"))) in page


def test_entry_texts_keep_an_entry_until_taken_and_only_for_the_same_metadata() -> None:
    config, _ = load_config(REPO)
    library, _ = read_library(REPO, config)
    meta = next(iter(library.notes.values())).meta
    texts = EntryTexts()
    both = export.format_entries(meta, export.FLAVOURS)
    assert texts.bibtex(meta) == export.format_entry(meta, "bibtex") == both[0]
    assert texts.take(meta) == both
    assert texts.take(replace(meta, title="Another title")) != both  # made again, not kept
    assert not texts._kept  # taken entries are let go


def test_a_page_made_in_a_forked_worker_sends_every_flavour_back_and_keeps_nothing() -> None:
    # The .bib files are made in the building process: a worker sends its page's entry back
    # (Output.entries) instead of keeping it, and the building process takes it from there.
    config, _ = load_config(REPO)
    library, _ = read_library(REPO, config)
    meta = next(iter(library.notes.values())).meta
    texts = EntryTexts()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: its page's entry; every flavour sent, nothing kept
        text = texts.bibtex(meta)
        sent = texts.sent()
        os.write(write, json.dumps([text, sent, len(texts._kept), texts.sent()]).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        answer = json.loads(f.read())
    os.waitpid(pid, 0)
    both = export.format_entries(meta, export.FLAVOURS)
    assert answer == [both[0], [[meta.key, list(both)]], 0, []]  # sent once
    assert texts.sent() == ()  # the building process sends nothing: it keeps its own

    made: list[str] = []
    to_entry = export.to_entry

    def counted(m: Any) -> Any:
        made.append(m.key)
        return to_entry(m)

    export.to_entry = counted  # type: ignore[assignment]
    try:
        texts.receive(((meta.key, tuple(answer[1][0][1])),))
        assert texts.take(meta) == both
        assert made == []  # taken as received, not made again
        assert texts.take(meta) == both and made == [meta.key]  # taken once, then made
    finally:
        export.to_entry = to_entry  # type: ignore[assignment]


def test_received_entries_wait_in_the_spool_not_in_memory(tmp_path: Path) -> None:
    from papernotes.incremental.spool import Spool

    config, _ = load_config(REPO)
    library, _ = read_library(REPO, config)
    metas = [n.meta for n in library.notes.values()][:5]
    texts = EntryTexts()
    texts.spool = Spool.open(tmp_path)
    assert texts.spool is not None
    sent = tuple((m.key, export.format_entries(m, export.FLAVOURS)) for m in metas)
    texts.receive(sent)
    assert all(isinstance(where[0], int) for where in texts._received.values())  # offsets
    for meta, (_, both) in reversed(list(zip(metas, sent, strict=True))):
        assert texts.take(meta) == both
    assert not texts._received


def test_a_build_over_workers_makes_each_entry_once_in_a_worker_and_joins_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Forked page workers send their entries back; library.bib, made after the paper pages,
    # joins them: the building process makes only those of the pages it rendered itself.
    from papernotes.bib import entrytexts
    from papernotes.incremental import parallel

    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 4)
    root = copy_bundled(tmp_path / "lib")
    config, _ = load_config(root)
    library, _ = read_library(root, config)
    metas = [n.meta for n in library.notes.values()]
    expected = {f: export.format_bib(metas, f) for f in export.FLAVOURS}
    parent, here = os.getpid(), []
    real = entrytexts.format_entries

    def counted(meta: Any, flavours: Any) -> Any:
        if os.getpid() == parent:
            here.append(meta.key)
        return real(meta, flavours)

    monkeypatch.setattr(entrytexts, "format_entries", counted)
    out = tmp_path / "site"
    build(root, config, out=out, use_cache=False, workers=2)
    assert (out / "library.bib").read_text(encoding="utf-8") == expected["bibtex"]
    assert (out / "library-biblatex.bib").read_text(encoding="utf-8") == expected["biblatex"]
    assert len(here) == len(set(here)) <= parallel.FIRST_SLICE < len(metas)  # the rest sent
