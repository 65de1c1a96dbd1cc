"""Backlinks in context: each note that cites or mentions a paper, with the sentence it does so
in, labelled citation or mention; on the paper page as a plain list, kept right by rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from papernotes.backlinks import label_of
from papernotes.build import build
from papernotes.config import load_config
from papernotes.model import Backlink

from conftest import clean_library, note_text, write_note


def _library(root: Path) -> Path:
    write_note(
        root, "target.md", note_text("Target Paper", authors="[Tara Get]", extra="id: target\n")
    )
    write_note(
        root, "other.md", note_text("Other", authors="[Otto Her]", year=2019, extra="id: other\n")
    )
    front = "id: front\ncites: [target]\n"
    write_note(root, "front.md", note_text("Front Only", extra=front, body="No sentence here.\n"))
    write_note(
        root,
        "pandoc.md",
        note_text(
            "Pandoc",
            extra="id: pandoc\n",
            body="Intro. It builds on [@target] and [@other]. Next.\n",
        ),
    )
    write_note(
        root,
        "wiki.md",
        note_text(
            "Wiki",
            extra="id: wiki\n",
            body="- a list item naming [[Target Paper|the target]] here\n",
        ),
    )
    write_note(root, "self.md", note_text("Self", extra="id: self\n", body="Me [[self]].\n"))
    return root


def test_backlinks_carry_kind_and_sentence(tmp_path: Path) -> None:
    library = clean_library(_library(tmp_path))
    assert library.backlinks["target"] == (
        Backlink("front", True),  # front matter only: no sentence
        Backlink("pandoc", True, "It builds on ", "(Get, 2020)", " and (Her, 2019)."),
        Backlink("wiki", False, "a list item naming ", "the target", " here"),
    )
    assert library.backlinks["other"] == (
        Backlink("pandoc", True, "It builds on (Get, 2020) and ", "(Her, 2019)", "."),
    )
    assert "self" not in library.backlinks  # a note does not link back to itself


def test_an_embed_with_no_sentence_is_labelled_embed(tmp_path: Path) -> None:
    """A note that shows another inside it (``![[Target Paper]]``) links to it without a
    sentence to quote: the label says why there is none. A sentence naming it wins."""
    root = _library(tmp_path / "lib")
    write_note(
        root, "shows.md", note_text("Shows", extra="id: shows\n", body="![[Target Paper]]\n")
    )
    both = "See [[target]] here.\n\n![[target]]\n"
    write_note(root, "both.md", note_text("Both", extra="id: both\n", body=both))
    got = {b.source: b for b in clean_library(root).backlinks["target"]}
    assert got["shows"] == Backlink("shows", False, embedded=True)
    assert got["both"] == Backlink("both", False, "See ", "Get, 2020", " here.")
    config, _ = load_config(root)
    assert build(root, config, out=root / "site").errors == 0
    section = _page(root / "site", "target").select_one("section[aria-labelledby=cited-by]")
    assert section is not None
    kinds = {li.a["href"]: li.select_one(".link-kind").get_text() for li in section.select("li")}
    assert kinds["shows.html"] == "embed" and kinds["both.html"] == "mention"


@pytest.mark.parametrize(
    ("target", "label"),
    [
        ("target", "Get, 2020"),
        ("Target Paper", "Get, 2020"),
        ("nobody", "nobody"),
        ("arXiv:1706.03762", "arXiv:1706.03762"),
    ],
)
def test_label_of(tmp_path: Path, target: str, label: str) -> None:
    assert label_of(clean_library(_library(tmp_path)), target) == label


def _page(site: Path, key: str) -> BeautifulSoup:
    return BeautifulSoup((site / f"papers/{key}.html").read_text("utf-8"), "html.parser")


def test_cited_by_section_lists_both_kinds(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    config, _ = load_config(root)
    assert build(root, config, out=root / "site").errors == 0
    section = _page(root / "site", "target").select_one("section[aria-labelledby=cited-by]")
    assert section is not None
    rows = [
        (
            li.a["href"],
            li.select_one(".link-kind").get_text(),
            [q.get_text() for q in li.select("q")],
        )
        for li in section.select("li")
    ]
    assert rows == [
        ("front.html", "citation", []),
        ("pandoc.html", "citation", ["It builds on (Get, 2020) and (Her, 2019)."]),
        ("wiki.html", "mention", ["a list item naming the target here"]),
    ]
    assert [e.get_text() for e in section.select("q em")] == ["(Get, 2020)", "the target"]
    assert section.select_one("#mentioned-by + ul a")["href"] == "wiki.html"
    # No script needed: the list is in the page, and the page loads none for it.
    assert section.select("script") == []


def test_editing_a_sentence_rewrites_the_cited_page(tmp_path: Path) -> None:
    root = _library(tmp_path / "lib")
    config, _ = load_config(root)
    out = root / "site"
    assert build(root, config, out=out).errors == 0
    page = out / "papers/target.html"
    before = {p: p.read_bytes() for p in (out / "papers").glob("*.html")}
    text = (root / "papers/pandoc.md").read_text("utf-8")
    (root / "papers/pandoc.md").write_text(text.replace("builds on", "improves on"), "utf-8")
    report = build(root, config, out=out)
    assert report.errors == 0
    assert "It improves on " in page.read_text("utf-8")
    changed = {p.name for p, data in before.items() if p.read_bytes() != data}
    # The edited note, and the two it cites (their Cited by quotes it); nothing else.
    assert changed == {"pandoc.html", "target.html", "other.html"}
    clean = tmp_path / "clean"
    assert build(root, config, out=clean, use_cache=False).errors == 0
    assert page.read_bytes() == (clean / "papers/target.html").read_bytes()


def test_a_build_asks_only_the_notes_citing_the_page_shown(tmp_path: Path) -> None:
    """``link`` (without ``serve``'s memo) makes a note's backlinks when asked, asking only
    the notes that cite or mention it; all of them equal what ``backlinks`` makes at once."""
    from papernotes.backlinks import Backlinks, backlinks

    library = clean_library(_library(tmp_path))
    lazy = library.backlinks
    assert isinstance(lazy, Backlinks) and lazy.said == 0
    assert len(lazy["other"]) == 1 and lazy.said == 1  # pandoc alone was asked
    assert lazy["target"][0].source == "front" and lazy.said == 3  # front, wiki; pandoc kept
    eager = backlinks(library)
    assert list(lazy) == list(eager) and dict(lazy.items()) == eager
    assert "self" not in lazy and len(lazy) == len(eager)
    with pytest.raises(KeyError):
        lazy["self"]


def test_with_a_spool_each_notes_backlinks_wait_there_and_what_a_note_said_goes(
    tmp_path: Path,
) -> None:
    """A cold build's: each note's backlinks, once made, are in the spool and read back
    equal; what a note says of the others is let go once each note it names has its own."""
    import dataclasses

    from papernotes.backlinks import Backlinks, backlinks
    from papernotes.incremental.spool import Spool

    library = clean_library(_library(tmp_path))
    spool = Spool.open(tmp_path)
    assert spool is not None
    lazy = Backlinks(library, spool)
    eager = backlinks(dataclasses.replace(library, backlinks={}))
    for key in eager:
        assert lazy[key] == eager[key]  # made, spooled, and given as made
    assert lazy._said == {}  # every note named has its backlinks: nothing said is kept
    assert all(type(done) is not tuple for done in lazy._done.values())  # all in the spool
    assert dict(lazy.items()) == eager and lazy.said == 3  # read back; each asked once
    with pytest.raises(KeyError):
        lazy["self"]


def test_a_pages_backlinks_digest_is_the_same_spooled_in_memory_or_served(
    tmp_path: Path,
) -> None:
    """What a paper page's fingerprint holds of its backlinks: a cold build digests the
    spooled bytes undecoded, an edit build the ones it makes, ``serve`` its map's; all equal,
    so the pages an edit leaves keep their fingerprints."""
    import dataclasses

    from papernotes.backlinks import Backlinks, backlinks, backlinks_digest
    from papernotes.incremental.spool import Spool

    library = clean_library(_library(tmp_path))
    spool = Spool.open(tmp_path)
    assert spool is not None
    spooled, plain = Backlinks(library, spool), Backlinks(library)
    served = backlinks(dataclasses.replace(library, backlinks={}))
    for key in library.notes:
        spooled.get(key)  # in the spool, as a cold build's ``meanwhile`` leaves them
    asked = spooled.said
    digests = [backlinks_digest(m, key) for key in library.notes for m in (spooled, plain)]
    assert digests == [backlinks_digest(served, k) for k in library.notes for _ in range(2)]
    none = [k for k in library.notes if k not in served]
    assert none and all(backlinks_digest(served, k) == "" for k in none)  # no backlinks
    assert backlinks_digest(served, "target") != ""
    assert spooled.said == asked  # digested as spooled, not made again


def test_a_cold_build_asks_every_note_for_its_backlinks_while_the_workers_render_bodies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pages' fingerprints ask each note for its backlinks; a cold build with workers
    # asks them while the workers render the bodies (``parallel_iter``'s ``meanwhile``), so
    # the plan that follows, with no worker running, asks none.
    from benchmarks.generate import generate
    from papernotes import plan
    from papernotes.incremental import parallel

    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    generate(80, tmp_path)
    said: list[tuple[int, int]] = []
    real = plan.plan_site

    def watched(library: object, *args: object, **kw: object) -> object:
        backlinks = library.backlinks  # type: ignore[attr-defined]
        before = backlinks.said
        made = real(library, *args, **kw)  # type: ignore[arg-type]
        said.append((before, backlinks.said))
        return made

    monkeypatch.setattr(plan, "plan_site", watched)
    config, _ = load_config(tmp_path)
    sites = []
    for workers in (2, 1):
        report = build(tmp_path, config, out=tmp_path / f"site{workers}", workers=workers)
        assert report.errors == 0
        sites.append(sorted(p.read_bytes() for p in (tmp_path / f"site{workers}").rglob("*.html")))
        (tmp_path / ".papernotes").rename(tmp_path / f"cache{workers}")  # the next one cold
    (forked_before, forked_after), (here_before, here_after) = said
    assert forked_before == forked_after > 0  # all asked before the plan
    assert here_before == 0 and here_after == forked_after  # unforked: the plan asks them
    assert sites[0] == sites[1]
    # A library over ``MEANWHILE_UP_TO``: the workers' inherited pages are left alone, so
    # the plan asks them all (memory: ``bodies.MEANWHILE_UP_TO``), and the site is the same.
    from papernotes.incremental import bodies

    monkeypatch.setattr(bodies, "MEANWHILE_UP_TO", 79)
    report = build(tmp_path, config, out=tmp_path / "site3", workers=2)
    assert report.errors == 0
    assert said[-1] == (0, forked_after)
    assert sorted(p.read_bytes() for p in (tmp_path / "site3").rglob("*.html")) == sites[0]
