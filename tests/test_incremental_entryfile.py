"""An entry file is read where it was joined (its first line by ``read_head``, each other line
by ``line_of``), and one cut short, changed in length or made for another note, version, key
or layout is told apart (with the words the warning gives)."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.incremental import entryread
from papernotes.incremental.entryfile import PARTS, Head, dump, join, line_of, read_head

NAMES = ("papers/a.md", "v1", "k", "s")
PATH, _, KEY, SHAPE = NAMES
HEAD = dict(zip(("path", "version", "key", "shape"), NAMES, strict=True))
PART_TEXTS = [("fb", dump(["<p>a\nb</p>", "", "a b"])), None, ("fr", dump([])), ("fd", b"1")]
BODY = dump(["the parsed\nbody"])


def _file(body: bytes = BODY) -> bytes:
    return join({**HEAD, "note": ["sha", None, []]}, body, PART_TEXTS)


def _head(data: bytes) -> Head | str:
    return read_head(data[: data.index(b"\n") + 1], len(data), *NAMES)


@pytest.mark.parametrize("body", [BODY, b""])
def test_an_entry_is_read_where_it_was_joined(body: bytes) -> None:
    data = _file(body)
    assert data.count(b"\n") == len(PARTS) + 1  # the newlines in the bodies are escaped
    head = _head(data)
    parts = [None if p is None else (p[0], len(p[1])) for p in PART_TEXTS]
    assert head == Head(["sha", None, []], len(body), parts)
    assert line_of(data, PATH, KEY, SHAPE, 0, "sha", len(body)) == body
    for at, part in enumerate(PART_TEXTS, start=1):
        if part is not None:
            assert line_of(data, PATH, KEY, SHAPE, at, part[0], len(part[1])) == part[1]


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda d: d.replace(b'"v1"', b'"v2"'), "another version"),
        (lambda d: d.replace(b'"papers/a.md"', b'"papers/b.md"'), "another note's"),
        (lambda d: d.replace(b'"key":"k"', b'"key":"x"'), "another build"),
        (lambda d: d[: d.rindex(b"\n")], "lines and size differ"),
        (lambda d: d[:-1], "lines and size differ"),
        (lambda d: d.replace(b'body"]', b'bod"]'), "lines and size differ"),
        (lambda d: d.replace(b'"parts":[', b'"parts":[1,'), "not of the shape"),
        (lambda d: b"[]\n" + d.partition(b"\n")[2], "not a cache entry"),
        (lambda d: d.replace(b'"body":20', b'"body":"20"'), "body cut short or changed"),
        (lambda d: d.replace(b'["fr",2]', b'["fr",-2]'), "a part cut short or changed"),
    ],
)
def test_an_entry_that_is_not_the_one_named_is_told(spoil, words: str) -> None:  # type: ignore[no-untyped-def]
    data = spoil(_file())
    assert data != _file()
    found = _head(data)
    assert isinstance(found, str) and words in found, found


def test_a_line_that_moved_since_it_was_read_is_told() -> None:
    data = _file()
    first = PART_TEXTS[0]
    assert first is not None
    fb, text = first
    assert line_of(data, PATH, KEY, SHAPE, 1, "other", len(text)) == "changed since it was read"
    assert line_of(data, PATH, KEY, SHAPE, 1, fb, len(text) + 1) == "changed since it was read"
    other = line_of(data, "papers/b.md", KEY, SHAPE, 1, fb, len(text))
    assert isinstance(other, str) and other.startswith("not the entry"), other
    assert line_of(data[:-1], PATH, KEY, SHAPE, 4, "fd", 1) == "changed since it was read"


def test_a_first_line_that_is_not_json_raises() -> None:
    with pytest.raises(ValueError):
        read_head(_file()[:20], 20, *NAMES)


def test_a_line_is_read_alone_while_its_entry_begins_as_it_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``entryread``: a part asked for is read alone (not its whole entry) while the entry at
    # its place still begins with the first line read; else the entry is read whole and
    # checked, found again where its bucket holds it now, or its change told.
    data = _file()
    other = join({**HEAD, "path": "papers/b.md", "note": ["o", None, []]}, b"", [None] * 4)
    bucket = tmp_path / "16-0.pack"
    bucket.write_bytes(other + b"\n" + data + b"\n")
    found = entryread.entry(str(bucket), PATH, "v1", KEY, SHAPE, lambda n: n, {})
    assert not isinstance(found, str)
    loads = [None if p is None else p[1] for p in found[1]]
    whole: list[int] = []
    real = entryread._pread
    monkeypatch.setattr(entryread, "_pread", lambda f, at, n: whole.append(n) or real(f, at, n))
    want = [None if p is None else p[1] for p in PART_TEXTS]
    assert [None if f is None else f() for f in loads] == want
    assert whole == []
    # The bucket written again, the entry first in it now: found where it is.
    bucket.write_bytes(data + b"\n" + other + b"\n")
    assert [None if f is None else f() for f in loads] == want
    assert len(whole) == 3
    # The first line as it was, but a line that no longer ends where the first line says.
    at = data.index(PART_TEXTS[0][1])  # type: ignore[index]
    spoiled = data[: at + 2] + b"\n" + data[at + 3 :]
    bucket.write_bytes(other + b"\n" + spoiled + b"\n")
    with pytest.raises(ValueError, match=r"changed since it was read|not a cache entry"):
        loads[0]()  # type: ignore[misc]
