"""The cache index is written in pieces (``incremental.jsonpieces``), byte for byte as one
``dump`` of it, without holding its whole text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import jsonpieces, store
from papernotes.incremental.entryfile import dump
from papernotes.incremental.jsonpieces import dump_pieces

from conftest import note_text, write_note

_BIG = "B" * 70_000
_VALUES = [
    [],
    {},
    'plain é 注意 \u2028 "quoted" \\ \x00',
    [1, 2.5, None, True, "x"],
    list(range(2000)),
    {f"k{i}": [i, str(i), {"n": [i] * 70}] for i in range(300)},
    [[f"term{i}", "A" * (i % 7)] for i in range(3000)],
    {str(i): i for i in range(100)} | {"": [[[]]] * 100},
    [{1: "an int key is written as a string"}] * 70,
    [tuple(range(70)), [{}] * 80, [[]] * 90],
    {"a": _BIG, "b": [_BIG, [_BIG, {"c": _BIG}], 1], "d": {3: _BIG}, "e": list(_BIG)},
    [list(range(20000)), [str(i) * 9 for i in range(20000)], {"k": ["x" * 99] * 2000}],
    [[1.5, None, True, False, "s", 2**70] * 1000, ["x"] * 4097, [None] * 2048],
    {f"page/{i}.html": f"{i:032x}" for i in range(5000)},
    {f"k{i}": [None, 1.5, True, "é 注意", 2**70][i % 5] for i in range(4097)},
    {"a": "x" * 70_000, "b": "y" * 70_000, "c": 1},
]


@pytest.mark.parametrize("value", _VALUES, ids=range(len(_VALUES)))
def test_the_pieces_join_to_the_whole_dump(value: object) -> None:
    assert b"".join(dump_pieces(value)) == dump(value)


def test_a_large_value_is_handed_over_in_bounded_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonpieces, "_BUFFER", 4096)
    monkeypatch.setattr(jsonpieces, "_LARGE", 2048)
    monkeypatch.setattr(jsonpieces, "_RUN", 64)
    monkeypatch.setattr(jsonpieces, "_STRING", 3000)
    big = "C" * 10_000  # cut in slices of _STRING characters
    value = {"index": [[f"term{i}" for i in range(20000)], ["AB" * 20] * 20000, [big, "x"]]}
    pieces = list(dump_pieces(value))
    whole = dump(value)
    assert b"".join(pieces) == whole and len(whole) > 1_000_000
    # Each piece is a buffer, plus at most one run of small items or one slice of a string.
    assert len(pieces) > 100 and max(map(len, pieces)) < 4096 + 3010


# Strings cut anywhere: escapes, a quote, non-ASCII and 4-byte characters at every offset.
_LONG = ['é"注\\n\x01😀' * 1000, "a" * 5000, "😀" * 3001, '"' * 2999 + "x"]


@pytest.mark.parametrize("text", _LONG, ids=range(len(_LONG)))
def test_a_long_string_is_cut_into_slices_that_join_to_its_dump(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setattr(jsonpieces, "_LARGE", 100)
    for size in (1, 7, 1000, 2999, 3000):
        monkeypatch.setattr(jsonpieces, "_STRING", size)
        value = {"s": text, "l": [text, 1, [text]], "d": {"k": 2, "t": text}}
        pieces = list(jsonpieces._pieces(value))
        assert b"".join(pieces) == dump(value)
        assert len(text) <= size or len(pieces) > len(text) // size


def test_a_run_of_strings_longer_in_all_than_a_slice_is_dumped_an_item_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonpieces, "_LARGE", 100)
    monkeypatch.setattr(jsonpieces, "_STRING", 3000)
    postings = [f"{i:04d}" + "p" * 500 for i in range(5000)]  # the search index's postings
    value = {
        "postings": postings,
        "mixed": [*postings[:100], 7, None],
        "by": {p: p for p in postings},
    }
    pieces = list(jsonpieces._pieces(value))
    assert b"".join(pieces) == dump(value)
    assert max(map(len, pieces)) <= 2 * 3000 + 10  # a key and its value, at most


def test_the_caller_is_called_between_the_parts_and_can_stop_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonpieces, "_STRING", 1000)
    monkeypatch.setattr(jsonpieces, "_LARGE", 100)
    value = {"terms": [f"t{i}" for i in range(10_000)], "packed": "P" * 50_000}
    parts = len(list(jsonpieces._pieces(value)))
    calls: list[int] = []
    assert b"".join(dump_pieces(value, lambda: calls.append(1))) == dump(value)
    assert len(calls) == parts + 1  # before each part, and once more to find the end

    class Stop(Exception):
        pass

    def stop_at(n: int):  # type: ignore[no-untyped-def]
        asked = iter(range(n + 1))

        def between() -> None:
            if next(asked) == n:
                raise Stop

        return between

    for n in (0, 1, parts // 2, parts):
        with pytest.raises(Stop):
            list(dump_pieces(value, stop_at(n)))


def test_a_cold_build_writes_the_index_the_whole_dump_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(30):
        body = f"Paper {i} on attention, é 注意, cites [@paper{(i + 1) % 30}].\n"
        write_note(
            tmp_path, f"papers/n{i}.md", note_text(f"P {i}", extra=f"id: paper{i}\n", body=body)
        )
    handed: list[int] = []
    pieces = store.dump_pieces

    def counted(value: object, between=None):  # type: ignore[no-untyped-def]
        for piece in pieces(value, between):
            handed.append(len(piece))
            yield piece

    monkeypatch.setattr(jsonpieces, "_BUFFER", 1024)
    monkeypatch.setattr(jsonpieces, "_LARGE", 256)
    monkeypatch.setattr(jsonpieces, "_RUN", 16)
    monkeypatch.setattr(store, "dump_pieces", counted)
    config, _ = load_config(tmp_path)
    assert build(tmp_path, config, out=tmp_path / "site", workers=1).errors == 0
    written = (tmp_path / ".papernotes" / "cache" / "index.json").read_bytes()
    assert len(handed) > 5 and sum(handed) == len(written)
    assert written == dump(json.loads(written))  # as one dump of the same value writes it
    saved, _ = store.read(tmp_path, json.loads(written)["key"])
    assert saved is not None and len(saved.notes) == 30  # and it reads back
