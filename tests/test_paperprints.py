"""The fingerprints a save keeps: a listing's while the notes it lists keep their metadata, a
body's diagram test while it is the same body; always what they are without a memo."""

from __future__ import annotations

import json

import pytest

from papernotes import paperprints
from papernotes.incremental.lazy import Parts, seconds
from papernotes.incremental.searchmemo import SaveMemo
from papernotes.markdown._types import RenderedBody
from papernotes.markdown.code import MERMAID_OPEN
from papernotes.model import CiteKey
from papernotes.paperprints import any_diagram, listings

A, B, C = CiteKey("a"), CiteKey("b"), CiteKey("c")
LISTS = [(A, B), (B, C), (C,), ()]


def _saved(memo: SaveMemo, metas: dict[CiteKey, str], shared: tuple[str, str]) -> list[str]:
    """One save's listing fingerprints (in a new index: other tuples, the same keys)."""
    listing = listings(metas, shared, memo)
    prints = [listing(tuple(keys)) for keys in LISTS]
    memo.sweep()
    return prints


def test_a_listing_is_kept_while_the_notes_it_lists_keep_their_metadata() -> None:
    memo = SaveMemo()
    metas = {A: "ma", B: "mb", C: "mc"}
    shared = ("", "slugs")
    plain = listings(metas, shared)
    assert _saved(memo, metas, shared) == [plain(keys) for keys in LISTS]
    assert memo.made["listing"] == len(LISTS)
    assert _saved(memo, dict(metas), shared) == [plain(keys) for keys in LISTS]
    assert "listing" not in memo.made  # equal metadata, equal keys: all kept
    moved = {**metas, C: "mc2"}
    assert _saved(memo, moved, shared) == [listings(moved, shared)(keys) for keys in LISTS]
    assert memo.made["listing"] == 2  # (b, c) and (c,): the two that list c
    other = ("", "other slugs")
    assert _saved(memo, moved, other) == [listings(moved, other)(keys) for keys in LISTS]
    assert memo.made["listing"] == len(LISTS)  # what every page shows changed


def _body(html: str) -> RenderedBody:
    return RenderedBody(html, "", html)


def test_a_body_is_searched_for_a_diagram_only_when_it_is_a_new_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    searched: list[str] = []
    real = paperprints.has_diagram
    monkeypatch.setattr(paperprints, "has_diagram", lambda h: searched.append(h) or real(h))
    memo = SaveMemo()
    plain, drawn = _body("<p>text</p>"), _body(f"<div>{MERMAID_OPEN}graph TD</div>")
    # Told each body's fingerprint (what ``reuse`` keeps it under), as plan_site tells it.
    assert any_diagram({"a": plain, "b": drawn}, memo, {"a": "1", "b": "2"}) is True
    assert len(searched) == 2
    assert any_diagram({"a": plain, "b": drawn}, memo, {"a": "1", "b": "2"}) is True
    assert len(searched) == 2  # the same bodies: not searched again
    gone = {"a": plain, "b": _body("<p>no more</p>")}
    assert any_diagram(gone, memo, {"a": "1", "b": "3"}) is False
    assert len(searched) == 3
    assert any_diagram({"a": plain}) is any_diagram({"a": plain}, memo, {"a": "1"}) is False
    assert any_diagram({"a": plain, "c": drawn}, memo, {"a": "1", "c": "2"}) is True
    assert len(searched) == 4 + 1  # the plain build's, and the note added


def test_serve_first_save_decodes_only_the_bodies_that_may_draw_a_diagram() -> None:
    # ``serve``'s first save finds every body moved: one whose stored JSON lacks the marker
    # is not decoded (at 50,000 notes, all of them decoded took 7 s of the start-up).
    drawn = f"<div>{MERMAID_OPEN}graph TD</div>"
    raw = {"a": ("1", json.dumps("<p>text</p>").encode()), "b": ("2", json.dumps(drawn).encode())}
    parts: Parts[RenderedBody] = Parts(raw, _body)
    assert any_diagram(seconds(parts), SaveMemo(), {"a": "1", "b": "2"}) is True
    assert parts.decoded == 1  # b alone
    plain = Parts({"a": raw["a"]}, _body)
    assert any_diagram(seconds(plain), SaveMemo(), {"a": "1"}) is False
    assert plain.decoded == 0
