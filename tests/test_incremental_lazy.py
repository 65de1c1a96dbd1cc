"""Cache parts decoded when first read: each at most once, one that does not decode left out
(and said to ``on_fail``), and ``reuse`` comparing fingerprints without decoding."""

from __future__ import annotations

import json
from typing import Any

import pytest

from papernotes.incremental.lazy import (
    Kept,
    Parts,
    Reused,
    fingerprint_of,
    mapped,
    may_hold,
    seconds,
)
from papernotes.incremental.reuse import reuse


def _decode(data: Any) -> int:
    if type(data) is not int:
        raise ValueError("not an int")
    return data


def _parts(failed: list[str] | None = None) -> Parts[int]:
    raw = {"a": ("fa", b"1"), "b": ("fb", b'"two"'), "c": ("fc", b"3")}
    return Parts(raw, _decode, on_fail=(failed if failed is not None else []).append)


def test_a_part_is_decoded_when_read_and_only_once() -> None:
    parts = _parts()
    assert parts.fingerprint("a") == "fa" and fingerprint_of(parts, "c") == "fc"
    assert len(parts) == 3 and "b" in parts and parts.decoded == 0
    assert parts["a"] == ("fa", 1) and parts["a"] == ("fa", 1)
    assert parts.decoded == 1


def test_a_part_that_does_not_decode_is_left_out_and_said() -> None:
    failed: list[str] = []
    parts = _parts(failed)
    assert parts.get("b") is None and failed == ["b"]
    assert "b" not in parts and parts.fingerprint("b") is None and len(parts) == 2
    assert dict(parts.items()) == {"a": ("fa", 1), "c": ("fc", 3)}
    again: list[str] = []
    assert dict(_parts(again).items()) == {"a": ("fa", 1), "c": ("fc", 3)} and again == ["b"]


def test_reuse_of_parts_decodes_nothing_it_does_not_return() -> None:
    made: list[str] = []

    def make(x: str) -> int:
        made.append(x)
        return len(x)

    parts = _parts()
    wanted = {"a": ("fa", "x"), "c": ("new", "yyy"), "d": ("fd", "zz")}
    got = reuse(wanted, parts, make, own=lambda v: v * 10)
    assert isinstance(got, Reused) and list(got) == ["a", "c", "d"]
    assert sorted(made) == ["yyy", "zz"] and parts.decoded == 0  # "a" kept, not decoded
    assert fingerprint_of(got, "a") == "fa" and got.fingerprint("c") == "new"
    assert got["c"] == ("new", 30) and got["d"] == ("fd", 20)  # ``own``: what was made here
    assert got["a"] == ("fa", 1) and parts.decoded == 1
    assert dict(seconds(got)) == {"a": 1, "c": 30, "d": 20}


def test_a_kept_part_that_does_not_decode_is_made_then() -> None:
    failed: list[str] = []
    parts = _parts(failed)
    got = reuse({"b": ("fb", "four")}, parts, len)
    assert got["b"] == ("fb", 4) and failed == ["b"]


def test_a_part_read_from_a_real_json_text() -> None:
    text = json.dumps({"x": [1, 2]}).encode("utf-8")
    parts: Parts[dict[str, list[int]]] = Parts({"k": ("f", text)}, dict)
    assert seconds(parts)["k"] == {"x": [1, 2]}


def test_may_hold_looks_at_the_json_without_decoding() -> None:
    raw = {"a": ("fa", b'"say <pre class=\\"x\\">"'), "b": ("fb", b'"plain"')}
    parts: Parts[str] = Parts(raw, str)
    marker = '<pre class="x">'
    assert may_hold(parts, "a", marker) and not may_hold(parts, "b", marker)
    assert not may_hold(seconds(parts), "b", marker) and parts.decoded == 0
    assert marker in parts["a"][1] and may_hold(parts, "a", marker)  # decoded: read it
    assert may_hold({"b": ("fb", "plain")}, "b", marker)  # a plain mapping: cannot tell


def test_kept_values_are_read_from_the_old_parts_when_asked_or_made_again() -> None:
    made: list[str] = []

    def remake(key: str) -> tuple[str, int]:
        made.append(key)
        return "fb", 2

    kept: Kept[int] = Kept({"a": "fa", "b": "fb", "n": "fn"}, _parts(), {"n": ("fn", 9)}, remake)
    assert fingerprint_of(kept, "a") == "fa" and len(kept) == 3 and list(kept) == ["a", "b", "n"]
    assert kept["n"] == ("fn", 9) and made == []
    assert kept["a"] == ("fa", 1)
    assert kept["b"] == ("fb", 2) and kept["b"] == ("fb", 2) and made == ["b"]  # did not decode


def test_mapped_reads_only_the_values_looked_up() -> None:
    parts = _parts()
    texts = mapped(seconds(parts), lambda n: n * 10)
    assert texts.get("c") == 30 and len(texts) == 3 and parts.decoded == 1


def test_a_kept_over_a_kept_is_one_level_with_what_the_first_made() -> None:
    # serve: each save's references keep the last save's; a chain of them, one per save,
    # would grow with every save (and, deep enough, overflow the stack).
    def never(key: str) -> tuple[str, int]:
        raise AssertionError(key)

    parts = _parts()
    kept: Kept[int] = Kept({"a": "fa", "n": "fn"}, parts, {"n": ("fn", 9)}, never)
    for _ in range(3000):
        kept = Kept({"a": "fa", "n": "fn", "m": "fm"}, kept, {"m": ("fm", 5)}, never)
    assert dict(kept.items()) == {"a": ("fa", 1), "n": ("fn", 9), "m": ("fm", 5)}
    changed: Kept[int] = Kept({"a": "fa", "n": "fn2"}, kept, {"n": ("fn2", 7)}, never)
    assert changed["n"] == ("fn2", 7) and changed["a"] == ("fa", 1)


class _Looked(dict[str, str]):
    """Fingerprints that count how many of them a ``Kept`` looks up."""

    looked = 0

    def get(self, key: str, default: Any = None) -> Any:
        _Looked.looked += 1
        return super().get(key, default)


def _saves(n: int) -> tuple[list[int], Kept[int]]:
    """A cold start that made ``n`` values, then 200 saves of one key each: the look-ups
    each save's ``Kept`` made, and the last one."""

    def never(key: str) -> tuple[str, int]:
        raise AssertionError(key)

    fps = _Looked((f"k{i}", "f0") for i in range(n))
    kept: Kept[int] = Kept(fps, {}, {k: ("f0", 0) for k in fps}, never)
    looked = []
    for save in range(1, 201):
        key = f"k{save * 7 % n}"
        fps = _Looked({**fps, key: f"f{save}"})
        _Looked.looked = 0
        kept = Kept(fps, kept, {key: (f"f{save}", save)}, never)
        looked.append(_Looked.looked)
    return looked, kept


def test_a_save_carries_what_the_saves_before_made_without_looking_at_every_key() -> None:
    # serve: a cold start made every note's references; each save used to carry them all.
    small, kept = _saves(400)
    large, _ = _saves(1600)
    assert small[:64] == large[:64] == list(range(64))  # what the saves before made
    # Merged into the shared map once they made an eighth of it (64 at least): at 400 keys,
    # a pass over them all every 65 saves; at 1,600, none in 200 saves.
    assert sum(x > 64 for x in small) == 3 and max(large) <= 1600 // 8
    for save in range(1, 201):  # every key has the value its last save gave
        key = f"k{save * 7 % 400}"
        last = max(s for s in range(1, 201) if f"k{s * 7 % 400}" == key)
        assert kept[key] == (f"f{last}", last)
    assert kept["k1"] == ("f0", 0) and len(kept) == 400


@pytest.mark.parametrize(
    "previous",
    [
        {"a": ("fa", [1]), "b": ("fb", [2]), "c": ("fc", [3])},  # same keys, same order
        {"b": ("fb", [2]), "a": ("fa", [1]), "c": ("fc", [3])},  # another order
        {"a": ("fa", [1]), "c": ("fc", [3])},  # a key added
        {"a": ("fa", [1]), "b": ("fb", [2]), "c": ("fc", [3]), "z": ("fz", [9])},  # one gone
    ],
)
def test_reuse_of_values_in_memory_keeps_the_very_objects_and_makes_the_changed(
    previous: dict[str, tuple[str, list[int]]],
) -> None:
    made: list[str] = []

    def make(x: str) -> list[int]:
        made.append(x)
        return [len(x)]

    wanted = {"a": ("fa", "x"), "b": ("fb", "yy"), "c": ("new", "zzz")}
    got = reuse(wanted, previous, make, own=lambda v: [*v, 0])
    b = ("fb", [2]) if "b" in previous else ("fb", [2, 0])
    assert list(got.items()) == [("a", ("fa", [1])), ("b", b), ("c", ("new", [3, 0]))]
    assert got["a"][1] is previous["a"][1]  # kept, not copied: serve compares by identity
    assert made == ["zzz"] if "b" in previous else made == ["yy", "zzz"]
    assert previous["c"] == ("fc", [3])  # the last build's values are left as they were
