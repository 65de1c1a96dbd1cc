"""A damaged cache (a file cut short, of the wrong shape or types, not the one the index names,
missing) is not used and is said: one warning naming the file, never promoted by ``--strict``
and never replayed by the next no-op build; the site is the same as a clean build's. A cache
that is merely absent or made for another configuration is ignored without a word."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cachefiles import rewrite_entry

from papernotes.build import BuildReport, build
from papernotes.config import load_config
from papernotes.errors import Diagnostic, Severity
from papernotes.incremental import cache as cache
from papernotes.incremental.entryfile import bucket_of
from papernotes.incremental.store import ENTRIES, INDEX

from conftest import copy_fixture, note_text, site_tree, write_note

LORA = "papers/peft/lora.md"
INDEX_FILE = f".papernotes/cache/{INDEX}"
LORA_FILE = f".papernotes/cache/{ENTRIES}/{bucket_of(LORA, 16)}"
"""The bucket of LoRA's entry (16 buckets: the fewest, for a small library); its entry is
spoilt in it, the other entries left as they are."""
WHOLE = "not in its bucket whole"
"""What is said of an entry its bucket does not hold whole: it is not found there."""


def _lib(tmp_path: Path) -> Path:
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()
    write_note(root, "other.md", note_text("Other Paper", extra="id: otherpaper\n"))
    return root


def _build(root: Path, out: Path | None = None, **kw: object) -> BuildReport:
    config, _ = load_config(root)
    report = build(root, config, out=out or root / "site", **kw)  # type: ignore[arg-type]
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    return report


def _cache_warnings(report: BuildReport) -> list[tuple[str, str]]:
    return [
        (d.where.path, d.message)
        for d in report.diagnostics
        if d.severity is Severity.WARNING and "build cache" in d.message
    ]


def _swap_version(text: str) -> str:
    head, _, parts = text.partition("\n")  # the first line names the entry
    data = json.loads(head)
    data["version"] = "0" * 32
    return json.dumps(data) + "\n" + parts


def _sections_wrong_types(text: str) -> str:
    data = json.loads(text)
    data["index"][4][19] = ["ends", "as", "strings"]  # the summary's links by section: ints
    return json.dumps(data)


def _drawn_wrong_types(text: str) -> str:
    data = json.loads(text)
    data["index"][4][20] = [1, 2]  # the summary's notes that draw a diagram: keys expected
    return json.dumps(data)


def _sizes_wrong_types(text: str) -> str:
    data = json.loads(text)
    data["index"][3][5] = ["sizes", "as", "strings"]  # the search state's: ints expected
    return json.dumps(data)


def _cut_body(text: str) -> str:
    head, body, parts = text.split("\n", 2)  # the note's parsed body: its second line
    return "\n".join([head, body[: len(body) // 2], parts])


def _index_wrong_types(text: str) -> str:
    data = json.loads(text)
    data["index"][1] = ["pages", "as", "a", "list"]  # a dict of strings expected
    return json.dumps(data)


def _summary_wrong_types(text: str) -> str:
    data = json.loads(text)
    data["index"][4][11] = ["ends", "as", "strings"]  # the summary's: ints expected
    return json.dumps(data)


Spoil = Callable[[str], str | None]

DAMAGE: list[tuple[str, str, Spoil, str]] = [
    # (case, file, what is done to it, words the warning has)
    ("index cut", INDEX_FILE, lambda t: t[: len(t) // 2], "not JSON (cut short?)"),
    ("index a list", INDEX_FILE, lambda t: "[]", "not a cache index"),
    ("index wrong types", INDEX_FILE, _index_wrong_types, "not of the shape"),
    ("index summary wrong types", INDEX_FILE, _summary_wrong_types, "not of the shape"),
    ("index sections wrong types", INDEX_FILE, _sections_wrong_types, "not of the shape"),
    ("index sizes wrong types", INDEX_FILE, _sizes_wrong_types, "not of the shape"),
    ("index drawn wrong types", INDEX_FILE, _drawn_wrong_types, "not of the shape"),
    ("index too deep", INDEX_FILE, lambda t: "[" * 50_000 + "]" * 50_000, "nested too deep"),
    ("entry cut", LORA_FILE, lambda t: t[: len(t.partition("\n")[0]) // 2], WHOLE),
    # Told by the entry's size (only its first line is read): no matter which line was cut.
    ("entry body cut", LORA_FILE, _cut_body, WHOLE),
    ("entry a string", LORA_FILE, lambda t: '"entry"', WHOLE),
    ("entry wrong types", LORA_FILE, lambda t: t.replace('"note":[', '"note":[1,'), "shape"),
    ("entry another version", LORA_FILE, _swap_version, "not the entry the index names"),
    ("entry another note's", LORA_FILE, lambda t: t.replace(LORA, "papers/x.md"), WHOLE),
    ("entry missing", LORA_FILE, lambda t: None, WHOLE),
    # Its last line (the search document) cut: told by its length, read or not.
    ("entry part cut", LORA_FILE, lambda t: t[: -len(t.rpartition("\n")[2]) // 2], WHOLE),
]


@pytest.mark.parametrize(
    ("file", "spoil", "words"), [d[1:] for d in DAMAGE], ids=[d[0] for d in DAMAGE]
)
def test_a_damaged_cache_is_said_once_and_the_site_is_a_clean_builds(
    tmp_path: Path, file: str, spoil: Spoil, words: str
) -> None:
    root = _lib(tmp_path)
    assert _cache_warnings(_build(root)) == []
    target = root / file
    if file == LORA_FILE:
        rewrite_entry(root, LORA, lambda d: (spoil(d.decode("utf-8")) or "").encode("utf-8"))
    elif (spoiled := spoil(target.read_text("utf-8"))) is None:
        target.unlink()
    else:
        target.write_text(spoiled, encoding="utf-8")
    # An edit too, so that the build runs (the stamp sees it) and has something to do.
    lora = root / LORA
    lora.write_text(lora.read_text("utf-8") + "\nOne more sentence.\n", encoding="utf-8")

    report = _build(root, strict=True)  # a damaged cache is not the library's fault

    said = _cache_warnings(report)
    assert len(said) == 1, said
    where, message = said[0]
    assert where == file and words in message, said
    if file == LORA_FILE:
        assert LORA in message and "the note is made again" in message
    # Saved whole again: the next build does nothing and says nothing of the cache.
    again = _build(root, strict=True)
    assert again.up_to_date and _cache_warnings(again) == []
    key = json.loads((root / INDEX_FILE).read_bytes())["key"]
    loaded, problems = _read_cache(root, key)
    assert loaded is not None and LORA in loaded.notes and problems == ()
    clean = _build(root, tmp_path / "clean", use_cache=False)  # (this clears the cache)
    assert _cache_warnings(clean) == []
    assert site_tree(root / "site") == site_tree(tmp_path / "clean")


def _read_cache(root: Path, key: str) -> tuple[cache.BuildCache | None, tuple[Diagnostic, ...]]:
    """The cache read as a build reads it: under the build lock, which thaws what reading it
    froze (``gc.freeze``) when it lets go; read outside, the freeze would outlive the test."""
    with cache.build_lock(root):
        return cache.read_cache(root, key)


def test_many_damaged_entries_are_one_warning(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    _build(root)
    folder = root / ".papernotes" / "cache" / ENTRIES
    for entry in folder.glob("*.pack"):
        entry.write_text("{", encoding="utf-8")
    key = json.loads((root / INDEX_FILE).read_bytes())["key"]
    loaded, problems = _read_cache(root, key)
    assert loaded is not None and loaded.notes == {}
    notes = len(list((root / "papers").rglob("*.md")))
    assert len(problems) == 1 and f"(and {notes - 1} more)" in problems[0].message


@pytest.mark.parametrize("case", ["absent", "another configuration", "another version"])
def test_a_cache_that_is_not_damaged_is_ignored_without_a_word(tmp_path: Path, case: str) -> None:
    root = _lib(tmp_path)
    _build(root)
    index = root / INDEX_FILE
    key = json.loads(index.read_bytes())["key"]
    if case == "absent":
        index.unlink()
    elif case == "another version":
        data = json.loads(index.read_bytes())
        index.write_text(json.dumps({**data, "shape": "an older layout"}), encoding="utf-8")
    else:
        key = "the key of another configuration"
    loaded, problems = _read_cache(root, key)
    assert loaded is None and problems == ()


def test_an_edited_title_reaches_every_page_that_lists_the_note(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    _build(root)
    old = "LoRA: Low-Rank Adaptation of Large Language Models"
    lora = root / LORA
    lora.write_text(lora.read_text("utf-8").replace(old, "A Retitled Paper"), encoding="utf-8")

    report = _build(root)

    site = root / "site"
    assert report.rendered > 0
    for page in ("tags/peft.html", "years/2022.html", "authors/edward-j-hu.html", "feed.xml"):
        if (site / page).is_file():
            assert "A Retitled Paper" in (site / page).read_text("utf-8"), page
    assert "A Retitled Paper" in (site / "tags" / "peft.html").read_text("utf-8")
    assert not [p for p, data in site_tree(site).items() if old.encode() in data]
    _build(root, tmp_path / "clean", use_cache=False)
    assert site_tree(site) == site_tree(tmp_path / "clean")
