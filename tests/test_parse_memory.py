"""A parsed note is held by the build to its end (and by ``serve`` between saves): what it
keeps is counted here, object by object, so that a change that grows it shows."""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

from papernotes.errors import Location
from papernotes.fieldplaces import FieldLocation, FieldLocations
from papernotes.markdown.factory import make_parser
from papernotes.model import Note
from papernotes.parse import parse_note

MD = make_parser()

TEXT = """---
title: "Paper {n}"
authors:
  - Ada Lovelace
  - Charles Babbage
  - van Dijk, Jan
year: 2020
venue: NeurIPS
tags: [peft, llm, survey]
cites:
  - other2019
  - arXiv:2106.09685
bibtex:
  note: extra
---

A body that cites [@other2019] and [[another]], twice: [@other2019].
"""


def _note(n: int) -> Note:
    note, diags = parse_note(f"papers/p{n}.md", TEXT.replace("{n}", str(n)), MD)
    assert note is not None, diags
    return note


def _reachable(root: object) -> list[Any]:
    """Every object ``root`` holds, ``root`` included, each once (not through classes, which
    lead to the whole interpreter)."""
    seen: dict[int, Any] = {}
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) not in seen and not isinstance(obj, type):
            seen[id(obj)] = obj
            todo.extend(gc.get_referents(obj))
    return list(seen.values())


def test_locations_hold_numbers_not_a_location_per_place() -> None:
    note = _note(1)
    held = _reachable(note.locations)
    assert not [x for x in held if isinstance(x, (Location, FieldLocation))]
    # Whatever the keys and items (7 keys, 3 authors, 3 tags, 2 cites): the mapping, its
    # two tuples, and the shared path and key names (interned).
    assert len(note.locations) == 7
    owned = [x for x in held if not isinstance(x, (str, int))]
    assert len(owned) == 3


def test_locations_read_as_they_were_written() -> None:
    where = _note(1).locations
    assert where["title"].key == Location("papers/p1.md", 2, 1)
    assert where["title"].value == Location("papers/p1.md", 2, 8)
    assert where["authors"].items == tuple(Location("papers/p1.md", n, 5) for n in (4, 5, 6))
    assert where["authors"].item(2) == Location("papers/p1.md", 6, 5)
    assert where["authors"].item(3) == where["authors"].key  # past the last: the key
    assert where["bibtex"].items == (Location("papers/p1.md", 14, 3),)


def test_field_location_of_keeps_what_is_not_known() -> None:
    key = Location("papers/x.md", 1)
    made = FieldLocation.of(key)
    assert (made.key, made.items, made.value) == (key, (), None)
    both = FieldLocation.of(Location("a.md", 3, 2), (Location("a.md", 4, None),), key)
    assert both.items == (Location("a.md", 4, None),)
    assert both.value == Location("a.md", 1, None)


def test_two_notes_share_the_texts_that_recur() -> None:
    a, b = _note(1), _note(2)
    assert a.meta.title is not b.meta.title  # unique texts are not interned
    assert a.meta.venue is b.meta.venue
    assert all(x is y for x, y in zip(a.meta.tags, b.meta.tags, strict=True))
    for x, y in zip(a.meta.authors, b.meta.authors, strict=True):
        assert x.family is y.family
        assert x.given is y.given
        assert x.particle is y.particle
    assert all(x.target is y.target for x, y in zip(a.meta.cites, b.meta.cites, strict=True))
    assert all(x is y for x, y in zip(a.locations, b.locations, strict=True))
    keys_a = [k for c in a.body.citations for k in c.keys]
    keys_b = [k for c in b.body.citations for k in c.keys]
    assert keys_a == ["other2019", "another", "other2019"]
    assert all(x is y for x, y in zip(keys_a, keys_b, strict=True))


def test_the_body_text_is_held_packed() -> None:
    long = TEXT + "\n".join(
        f"A sentence of the body, number {i}, as notes have." for i in range(200)
    )
    note, _ = parse_note("papers/long.md", long, MD)
    assert note is not None
    body = long.split("---\n", 2)[2]
    assert note.body.text == body
    held = _reachable(note.body)
    assert not [x for x in held if isinstance(x, str) and len(x) > 1000]  # no string of it
    assert len(note.body.packed_text) < len(body.encode()) / 4


def test_packed_text_keeps_every_character() -> None:
    text = "café 杨植麟 \U0001f600, and an escaped \\u2028 line separator \u2028 too"
    note, _ = parse_note("papers/odd.md", f"---\ntitle: T\n---\n{text}\n", MD)
    assert note is not None
    assert note.body.text == text + "\n"


_SECTION = (
    "## Section {s}\n\nParagraph {s} of note {n} cites [@other2019] and [[another]] in a "
    "sentence that goes on. "
    + "More words here about the method and its results, which are good. "
    * 4
)
_LONG_FRONT = TEXT.split("\n---\n", 1)[0].replace('"Paper {n}"', '"Paper {n}: a study of things"')


def _held_bytes(count: int) -> int:
    """What ``count`` parsed notes of about 2 KB each hold (tracemalloc, after collecting)."""
    body = "\n\n".join(_SECTION.replace("{s}", str(s)) for s in range(5))
    texts = [f"{_LONG_FRONT}\n---\n\n{body}\n".replace("{n}", str(i)) for i in range(count)]
    gc.collect()
    tracemalloc.start()
    try:
        notes = [parse_note(f"papers/p{i}.md", t, MD)[0] for i, t in enumerate(texts)]
        gc.collect()
        size = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert all(notes)
    return size


def test_bytes_held_per_note_are_bounded() -> None:
    # The slope between two sizes, so that what is made once (caches, interned names) cancels
    # out: 13.4 KB a note before the front-matter places, the body text and the recurring
    # names were made small; 8.5 KB after.
    per_note = (_held_bytes(120) - _held_bytes(40)) / 80
    assert per_note < 10_000


def test_places_from_a_crafted_cache_read_as_not_known() -> None:
    """A cache is untrusted: numbers that are not places never raise, they read as unknown."""
    odd = FieldLocations("a.md", ("id", "title", "x"), (99, 1))
    assert odd["id"].key == Location("a.md", None, None)
    assert odd["title"].key == Location("a.md", None, None)
    assert odd["x"].items == ()
    assert odd.get("nope") is None
    assert FieldLocations("a.md", ("id",), (-5, 3, 4))["id"].value is None
    short = FieldLocation("a.md", (3,))
    assert (short.key, short.value, short.item(0)) == (Location("a.md"), None, Location("a.md"))
