"""``incremental.searchpatch``: a step's last value patched at the keys the step before said
moved, and nothing patched when that step cannot say (or this step's last value is another)."""

from __future__ import annotations

from papernotes.incremental.searchmemo import SaveMemo
from papernotes.incremental.searchpatch import kept, patch


def _step(memo: SaveMemo, given: dict[str, str], previous: dict[str, tuple[str, str]]) -> object:
    made: list[str] = []

    def make(key: str) -> str:
        made.append(key)
        return given[key].upper()

    out = patch(memo, "t", ("src", given), given, previous, given.__getitem__, make)
    return out, made


def test_the_keys_told_are_made_again_and_recorded_for_the_next_step() -> None:
    memo = SaveMemo()
    before = {"a": "x", "b": "y", "c": "z"}
    last = {k: (v, v.upper()) for k, v in before.items()}
    out, made = _step(memo, before, last)
    assert out is None and made == []  # nothing told yet: the caller's full pass
    kept(memo, "t", before, last)
    after = {"a": "x", "b": "w", "c": "z"}
    memo.record("src", before, after, {"a", "b"})  # "a" told, but the same: not made
    out, made = _step(memo, after, last)
    assert out == {"a": ("x", "X"), "b": ("w", "W"), "c": ("z", "Z")} and made == ["b"]
    assert memo.moved("t", last, out) == {"b"}


def test_nothing_is_patched_from_a_value_this_step_did_not_make() -> None:
    memo = SaveMemo()
    before = {"a": "x"}
    kept(memo, "t", before, {"a": ("x", "X")})
    after = {"a": "y"}
    memo.record("src", before, after, {"a"})
    other = {"a": ("x", "X")}  # equal, but not the very value kept
    out, made = _step(memo, after, other)
    assert out is None and made == []


def test_a_record_of_other_objects_is_not_taken() -> None:
    memo = SaveMemo()
    before, last = {"a": "x"}, {"a": ("x", "X")}
    kept(memo, "t", before, last)
    memo.record("src", {"a": "x"}, {"a": "y"}, {"a"})  # equal to ``before``, another object
    out, _ = _step(memo, {"a": "y"}, last)
    assert out is None
