"""The pages reading lists make (each list, the index, the to-read queue, the series strip
and "in reading lists" on paper pages), built from a tiny library on disk; and an
incremental build after a list is edited (by ``build`` and by ``serve``'s session) equals a
clean one."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental.session import Session
from papernotes.lists.pages import commentary_html, recently_read, to_read

from conftest import clean_library, library_at, note_text, write_note

GPT = """---
title: The line
series: true
---
Read *in order*. <script>alert(1)</script>

## Early
- [[a2020]] the **first**, then [@c2022] later
- [[b2021]]

## Late
- [[c2022]]: last
"""


def _lib(tmp_path: Path) -> Path:
    root = tmp_path / "lib"
    notes = [
        ("a2020", "Alpha", "status: read\n"),
        ("b2021", "Beta", "status: to-read\nadded: 2024-05-01\n"),
        ("c2022", "Gamma", "status: to-read\n"),
        ("d2023", "Delta", "status: to-read\nadded: 2024-01-02\n"),
    ]
    for key, title, extra in notes:
        write_note(root, f"{key}.md", note_text(title, extra=extra))
    write_note(root, "lists/gpt.md", GPT)
    write_note(root, "lists/picks.md", "---\ntitle: Picks\n---\n- [[d2023]]\n- [[nope]]\n")
    return root


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".papernotes-manifest.json"
    }


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = _lib(tmp_path)
    config, _ = load_config(root)
    report = build(root, config, out=root / "site")
    assert report.errors == 0
    (warning,) = report.diagnostics
    assert warning.format().startswith("papers/lists/picks.md:5:3: warning: ")
    assert 'unknown paper "nope"' in warning.message
    return root / "site"


def test_a_list_page_shows_sections_papers_and_commentary(site: Path) -> None:
    page = _main((site / "lists" / "gpt.html").read_text("utf-8"))
    assert "<h1>The line</h1>" in page
    assert "A series of 3 papers" in page
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", page) == ["Early", "Late"]
    titles = re.findall(r'<p class="list-paper"><a href="[^"]+">([^<]+)</a>', page)
    assert titles == ["Alpha", "Beta", "Gamma"]
    assert "<em>in order</em>" in page and "<strong>first</strong>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page  # raw HTML is text
    assert '<a href="../papers/c2022.html">Lovelace, 2020' in page
    assert '<ol class="list-entries" start="3">' in page  # numbering runs on across sections
    assert 'class="status status-to-read"' in page


def test_the_index_the_nav_and_the_to_read_queue(site: Path) -> None:
    index = (site / "lists" / "index.html").read_text("utf-8")
    assert '<a href="index.html" aria-current="page">Lists</a>' in index
    assert re.findall(r'<li><a href="(\w+)\.html">([^<]+)</a>', _main(index)) == [
        ("gpt", "The line"),
        ("picks", "Picks"),
    ]
    assert "(3 papers, a series)" in index and 'To read</a> <span class="count">(3)' in index
    home = (site / "index.html").read_text("utf-8")
    assert '<a href="lists/index.html">Lists</a>' in home
    queue = _main((site / "to-read.html").read_text("utf-8"))
    # Oldest added first; no added: date last, by title.
    assert re.findall(r'<li><a href="papers/\w+\.html">(\w+)</a>', queue) == [
        "Delta",
        "Beta",
        "Gamma",
    ]
    assert '<time datetime="2024-01-02">' in queue


@pytest.mark.parametrize(
    ("key", "position", "prev", "next_", "lists"),
    [
        ("a2020", "1 of 3", None, "Beta", ["The line"]),
        ("b2021", "2 of 3", "Alpha", "Gamma", ["The line"]),
        ("c2022", "3 of 3", "Beta", None, ["The line"]),
        ("d2023", None, None, None, ["Picks"]),
    ],
)
def test_paper_pages_show_their_series_and_lists(
    site: Path,
    key: str,
    position: str | None,
    prev: str | None,
    next_: str | None,
    lists: list[str],
) -> None:
    page = (site / "papers" / f"{key}.html").read_text("utf-8")
    strip = re.search(r'<nav class="series-strip".*?</nav>', page, re.S)
    assert (strip is not None) is (position is not None)
    if strip is not None:
        text = strip.group(0)
        assert f'<span class="series-position">{position}</span>' in text
        found_prev = re.search(r'rel="prev">.*?Previous: </span>(\w+)</a>', text)
        found_next = re.search(r'rel="next"><span class="visually-hidden">Next: </span>(\w+)', text)
        assert (found_prev.group(1) if found_prev else None) == prev
        assert (found_next.group(1) if found_next else None) == next_
    shown = re.search(r'<p class="in-lists">(.*?)</p>', page)
    assert shown is not None
    assert re.findall(r">([^<]+)</a>", shown.group(1)) == lists


def _touch(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


EDITS = [
    # Reordered: every member's strip changes.
    GPT.replace(
        "- [[a2020]] the **first**, then [@c2022] later\n- [[b2021]]\n",
        "- [[b2021]]\n- [[a2020]] moved\n",
    ),
    GPT.replace("series: true", "series: false"),  # no longer a series: the strips go
    GPT.replace("## Late\n- [[c2022]]: last\n", ""),  # a paper leaves the list
    GPT.replace("title: The line", "title: Renamed"),
]


@pytest.mark.parametrize("edit", range(len(EDITS)))
def test_an_edited_list_builds_as_a_clean_build_would(tmp_path: Path, edit: int) -> None:
    root = _lib(tmp_path)
    config, _ = load_config(root)
    out = root / "site"
    build(root, config, out=out)
    _touch(root / "papers" / "lists" / "gpt.md", EDITS[edit])
    again = build(root, config, out=out)
    assert not again.up_to_date and again.rendered > 0
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert _tree(out) == _tree(clean)


def test_a_list_added_and_edited_while_serving_builds_as_a_clean_build(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    out = root / "site"
    session = Session(root, out)
    assert session.build().errors == 0
    lists = root / "papers" / "lists"
    for path, text in [
        (lists / "new.md", "---\ntitle: New\nseries: true\n---\n- [[d2023]]\n- [[a2020]]\n"),
        (lists / "gpt.md", EDITS[0]),
        (lists / "picks.md", "---\ntitle: Picks again\n---\n- [[c2022]]\n"),
    ]:
        _touch(path, text)
        session.invalidate({str(path.resolve())})
        assert session.build().errors == 0
    session.persist()
    config, _ = load_config(root)
    clean = tmp_path / "clean"
    build(root, config, out=clean, use_cache=False)
    assert _tree(out) == _tree(clean)
    assert "2 of 2" in (out / "papers" / "a2020.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("", ""),
        ("plain", "<p>plain</p>\n"),
        ("see [[b2021]]", '<p>see <a href="../papers/b2021.html">Beta</a></p>\n'),
        ("see [[b2021|the second]]", '<p>see <a href="../papers/b2021.html">the second</a></p>\n'),
        ("see [@a2020]", '<p>see <a href="../papers/a2020.html">Lovelace, 2020a</a></p>\n'),
        ("see [[missing]]", "<p>see missing</p>\n"),  # nothing to link to: its text
        ("<b>x</b>", "<p>&lt;b&gt;x&lt;/b&gt;</p>\n"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
    ],
)
def test_commentary_is_markdown_with_links_to_papers(tmp_path: Path, text: str, html: str) -> None:
    library, diags = library_at(_lib(tmp_path))
    # The one problem _lib has on purpose: picks.md names a paper no note is.
    assert [d.message for d in diags] == ['reading list names unknown paper "nope"']
    assert str(commentary_html(text, library, "lists/x.html")) == html


def test_the_package_names_its_api_lazily() -> None:
    import papernotes.lists as lists

    assert lists.to_read is to_read
    assert "list_jobs" in dir(lists)


def test_recently_read_is_the_last_five_by_read_date(tmp_path: Path) -> None:
    root = tmp_path / "lib"
    days = [3, 9, 1, 7, 9, 5, 2]
    for i, day in enumerate(days):
        extra = f"id: r{i}\nread: 2024-01-0{day}\n"
        write_note(root, f"r{i}.md", note_text(f"Read {i}", extra=extra))
    write_note(root, "unread.md", note_text("Unread", extra="id: unread\n"))
    shown = recently_read(clean_library(root))
    # Newest first; the same day by title.
    assert [n.key for n in shown] == ["r1", "r4", "r3", "r5", "r0"]
    assert recently_read(clean_library(root), 2) == shown[:2]
