"""An entry file splits where it was joined, and one cut short, changed in length or made for
another note, version, key or layout is told apart (with the words the warning gives)."""

from __future__ import annotations

import pytest

from papernotes.incremental.entryfile import PARTS, dump, join, split

NAMES = ("papers/a.md", "v1", "k", "s")
HEAD = dict(zip(("path", "version", "key", "shape"), NAMES, strict=True))
PART_TEXTS = [("fb", dump(["<p>a\nb</p>", "", "a b"])), None, ("fr", dump([])), ("fd", b"1")]
BODY = dump(["the parsed\nbody"])


def _file(body: bytes = BODY) -> bytes:
    return join({**HEAD, "note": ["sha", None, []]}, body, PART_TEXTS)


def test_an_entry_splits_where_it_was_joined() -> None:
    data = _file()
    assert data.count(b"\n") == len(PARTS) + 1  # the newlines in the bodies are escaped
    assert split(data, *NAMES) == (["sha", None, []], BODY, PART_TEXTS)
    assert split(_file(b""), *NAMES) == (["sha", None, []], b"", PART_TEXTS)


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda d: d.replace(b'"v1"', b'"v2"'), "another version"),
        (lambda d: d.replace(b'"papers/a.md"', b'"papers/b.md"'), "another note's"),
        (lambda d: d.replace(b'"key":"k"', b'"key":"x"'), "another build"),
        (lambda d: d[: d.rindex(b"\n")], "cut short"),
        (lambda d: d[:-1], "a part cut short or changed"),
        (lambda d: d.replace(b'"parts":[', b'"parts":[1,'), "not of the shape"),
        (lambda d: b"[]\n" + d.partition(b"\n")[2], "not a cache entry"),
        (lambda d: d.replace(b'body"]', b'bod"]'), "body cut short or changed"),
        (lambda d: d.replace(b'"body":20', b'"body":"20"'), "body cut short or changed"),
    ],
)
def test_an_entry_that_is_not_the_one_named_is_told(spoil, words: str) -> None:  # type: ignore[no-untyped-def]
    found = split(spoil(_file()), *NAMES)
    assert isinstance(found, str) and words in found, found


def test_a_first_line_that_is_not_json_raises() -> None:
    with pytest.raises(ValueError):
        split(_file()[:20], *NAMES)
