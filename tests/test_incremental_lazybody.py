"""A note's parsed body read from the cache is decoded on its first read, once, and is then the
body it stands for (equal, same hash, pickled, replaced); one that does not decode raises
``BodyDamaged``. An edit build decodes the bodies of the notes whose pages it makes again
and no other: an unchanged note's links by section come from the summary
(``incremental.sectionrows``), and the site is a clean build's byte for byte."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

import pytest
from cachefiles import entry

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import lazybody, store
from papernotes.incremental.entryfile import PARTS, dump
from papernotes.incremental.lazybody import BodyDamaged, LazyBody, lazy_body, raw_body
from papernotes.incremental.records import NoteRecord
from papernotes.incremental.sectionrows import section_links
from papernotes.markdown._types import ParsedBody
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser

from conftest import note_text, site_tree, write_note

TEXT = "# Method\n\nWe cite [@lora] and [[lora#Method]].\n\n## Results\n\nIt works.\n"


def _body() -> ParsedBody:
    return parse_body(make_parser(), TEXT)


def _lazy(body: ParsedBody) -> ParsedBody:
    codec = store._codec()
    return lazy_body(dump(codec.encode(body, ParsedBody)), store.body_decoder())


def test_a_lazy_body_is_decoded_once_on_first_read(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[object] = []
    monkeypatch.setattr(lazybody, "decoded", decoded.append)
    body = _body()
    lazy = _lazy(body)
    assert isinstance(lazy, ParsedBody) and raw_body(lazy) is not None and decoded == []
    assert lazy.headings == body.headings and decoded == [lazy]
    assert lazy.citations == body.citations and lazy.text == TEXT and len(decoded) == 1
    assert raw_body(lazy) is None  # decoded: written from its fields from now on


def test_a_lazy_body_is_the_body_it_stands_for() -> None:
    body = _body()
    assert _lazy(body) == body and body == _lazy(body) and _lazy(body) == _lazy(body)
    assert hash(_lazy(body)) == hash(body) and repr(_lazy(body)) == repr(body)
    assert _lazy(body) != dataclasses.replace(body, has_toc=not body.has_toc)
    again = pickle.loads(pickle.dumps(_lazy(body)))  # to a worker: still undecoded
    assert type(again) is LazyBody and raw_body(again) is not None and again == body
    read = _lazy(body)
    assert read.leads == body.leads
    assert type(pickle.loads(pickle.dumps(read))) is ParsedBody  # decoded: as a body
    changed = dataclasses.replace(_lazy(body), citations=())
    assert changed.citations == () and changed.headings == body.headings


def test_the_codec_writes_an_undecoded_body_as_it_was_read() -> None:
    codec = store._codec()
    text = dump(codec.encode(_body(), ParsedBody))
    lazy = lazy_body(text, store.body_decoder())
    assert codec.encode(lazy, ParsedBody) == text  # bytes: the store puts them on a line
    assert codec.decode(text, ParsedBody) == _body()  # bytes decode as a lazy body


def test_a_body_that_does_not_decode_raises_on_first_read() -> None:
    lazy = lazy_body(b'["not", "a", "body"]', store.body_decoder())
    with pytest.raises(BodyDamaged, match="does not decode"):
        _ = lazy.citations
    with pytest.raises(AttributeError):
        _ = lazy.no_such_field  # type: ignore[attr-defined]


def test_an_entry_keeps_the_body_on_its_own_line() -> None:
    assert [f.name for f in dataclasses.fields(NoteRecord)][2:] == list(PARTS)


def _library(root: Path, n: int) -> None:
    """``n`` notes in a ring, each citing the next and linking to a section of it."""
    for i in range(n):
        to = f"n{(i + 1) % n}"
        body = f"# Part {i}\n\nSee [[{to}#More]] and [@{to}]. Text {i}.\n\n## More\n\nMore.\n"
        write_note(root, f"n{i}.md", note_text(f"Paper {i}", extra=f"id: n{i}\n", body=body))


def test_an_edit_build_decodes_only_the_bodies_it_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "lib"
    (root / "papers").mkdir(parents=True)
    _library(root, 80)
    config, _ = load_config(root)
    assert build(root, config, out=root / "site").errors == 0
    edited = root / "papers" / "n7.md"
    edited.write_text(edited.read_text("utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    decoded: list[object] = []
    monkeypatch.setattr(lazybody, "decoded", decoded.append)
    made: list[int] = []
    real = section_links

    def counting(*args, **kw):  # type: ignore[no-untyped-def]
        found = real(*args, **kw)
        made.append(found[2])
        return found

    from papernotes.incremental import summary

    monkeypatch.setattr(summary, "section_links", counting)

    report = build(root, config, out=root / "site")

    assert report.errors == 0 and report.rendered < 10, report
    assert made == [1]  # the edited note's links by section, the others' from the summary
    # Of 80 notes: the pages made again read their neighbours' (the backlink from n6, the
    # cards of the preview shard n7 is in: 8 shards).
    assert 0 < len(decoded) <= 16, len(decoded)
    head = json.loads(entry(root, "papers/n3.md").split(b"\n")[0])
    assert head["note"][1][2] == 0 and head["body"] > 0  # the body on its own line
    clean = tmp_path / "clean"
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(root / "site") == site_tree(clean)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda s: s.__setitem__(19, [0] * (len(s[19]) - 1) + [10**6]),  # ends past the rows
        lambda s: s.__setitem__(17, ["nosuchnote"] * len(s[17])),  # notes not in the library
    ],
    ids=["ends", "targets"],
)
def test_crafted_section_rows_are_not_used(tmp_path: Path, spoil) -> None:  # type: ignore[no-untyped-def]
    # Well typed, so the index is used: rows that do not line up (``PlanSummary.fits``) or name
    # notes the library lacks are not taken, and every body is read for its links instead.
    root = tmp_path / "lib"
    (root / "papers").mkdir(parents=True)
    _library(root, 20)
    config, _ = load_config(root)
    assert build(root, config, out=root / "site").errors == 0
    index = root / ".papernotes" / "cache" / "index.json"
    data = json.loads(index.read_bytes())
    spoil(data["index"][4])
    index.write_text(json.dumps(data), encoding="utf-8")
    edited = root / "papers" / "n7.md"
    edited.write_text(edited.read_text("utf-8") + "\nOne more sentence.\n", encoding="utf-8")

    assert build(root, config, out=root / "site").errors == 0

    clean = tmp_path / "clean"
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert site_tree(root / "site") == site_tree(clean)
