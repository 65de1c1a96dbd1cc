"""static/graph-data.js: what it holds, how it is escaped, and the fingerprints around it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_graph import library_of, paper
from test_plan import _fps, _plan

from papernotes import urls
from papernotes.graph import data as graph
from papernotes.graph.payload import GLOBAL, graph_data, graph_data_js, graph_inputs
from papernotes.model import CiteKey, Library

from conftest import clean_library, note_text, write_note

PREFIX = f"window.{GLOBAL}="


def payload(library: Library) -> tuple[str, dict[str, object]]:
    """The script's text and the value it assigns."""
    text = graph_data_js(graph_data(library, graph.tag_palette(library)))
    assert text.startswith(PREFIX) and text.endswith(";\n")
    return text, json.loads(text[len(PREFIX) : -2])


def test_nodes_keep_library_order_and_edges_point_at_what_each_paper_cites() -> None:
    library = library_of(
        paper("old", 2017, tags=["NLP", "vision"]),
        paper("mid", 2019, ["old"], tags=["nlp"]),
        paper("new", 2021, ["mid", "old"]),
        (
            "papers/undated.md",
            "---\nid: undated\ntitle: Undated\nauthors: [Ada Smith]\nyear:\n---\n",
        ),
    )
    _, value = payload(library)
    nodes = value["nodes"]
    assert isinstance(nodes, list)
    assert [n[0] for n in nodes] == list(library.notes)
    by_key = {n[0]: n for n in nodes}
    index = {n[0]: i for i, n in enumerate(nodes)}
    # [key, label, title, year, page, tags, cites]
    assert by_key["new"][6] == [index["mid"], index["old"]]  # in its cites: order
    assert by_key["mid"][6] == [index["old"]] and by_key["old"][6] == []
    assert by_key["old"][2] == "Paper old" and by_key["old"][3] == 2017
    assert by_key["undated"][3] == 0
    assert by_key["old"][1] == library.labels[CiteKey("old")]
    # Tags are folded once, sorted, shown as first met in library order; a note keeps its own
    # order; the palette names the tags that colour (vision colours no note nlp does not).
    assert value["tags"] == [graph.tag_palette(library).names["nlp"], "vision"]
    assert by_key["old"][5] == [0, 1] and by_key["mid"][5] == [0]
    assert value["palette"] == [0]
    assert value["years"] == {y: urls.year_page(int(y)) for y in ("2017", "2019", "2021")}
    assert value["no_date"] == "n.d."


@pytest.mark.parametrize(
    ("title", "raw"),
    [
        ("</script><script>alert(1)</script>", "</script"),
        ("<!-- a comment -->", "<!--"),
        ("Tom & Jerry > cats", "&"),
        ("line\u2028separator", "\u2028"),
        ('quote " and back\\slash', None),
    ],
)
def test_titles_cannot_break_out_of_the_script(title: str, raw: str | None) -> None:
    library = library_of(paper("a", 2020, ["b"], title=title), paper("b", 2019))
    text, value = payload(library)
    if raw is not None:
        assert raw not in text
    assert "<" not in text and ">" not in text
    nodes = value["nodes"]
    assert isinstance(nodes, list) and nodes[0][2] == title  # the same string once parsed


def test_page_names_are_stored_only_when_they_differ_from_the_key() -> None:
    library = library_of(paper("plain2020", 2020, ["Odd:Key.1"]), paper("Odd:Key.1", 2019))
    _, value = payload(library)
    nodes = value["nodes"]
    assert isinstance(nodes, list)
    pages = {n[0]: n[4] for n in nodes}
    assert pages["plain2020"] == ""
    odd = pages["Odd:Key.1"]
    assert odd and urls.relative("papers/x.html", urls.paper_page("Odd:Key.1")) == odd + ".html"


def test_it_is_compact() -> None:
    text, value = payload(library_of(paper("a", 2020, ["b"]), paper("b", 2019)))
    compact = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert text == f"{PREFIX}{compact};\n"


# --- fingerprints --------------------------------------------------------------------------


def _chain(root: Path, *, c_title: str = "Paper C", b_title: str = "Paper B") -> Library:
    """a cites b, b cites c: c is two steps from a."""
    write_note(root, "a.md", note_text("Paper A", extra="cites: [b]\n"))
    write_note(root, "b.md", note_text(b_title, year=2019, extra="cites: [c]\n"))
    write_note(root, "c.md", note_text(c_title, year=2018))
    write_note(root, "d.md", note_text("Paper D", year=2021))
    return clean_library(root)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "lib"


def test_a_title_two_steps_away_changes_graph_data_but_not_the_page(root: Path) -> None:
    before = _fps(_plan(root, _chain(root)))
    after = _fps(_plan(root, _chain(root, c_title="Paper C, renamed")))
    changed = {path for path in before if before[path] != after[path]}
    assert "static/graph-data.js" in changed
    assert urls.paper_page("a") not in changed  # c is only in a's two-step graph
    assert urls.paper_page("b") in changed  # b lists c among what it cites
    assert urls.paper_page("c") in changed
    assert urls.paper_page("d") not in changed


def test_a_cited_papers_title_reaches_the_citing_page(root: Path) -> None:
    before = _fps(_plan(root, _chain(root)))
    after = _fps(_plan(root, _chain(root, b_title="Paper B, renamed")))
    assert before[urls.paper_page("a")] != after[urls.paper_page("a")]
    assert before["static/graph-data.js"] != after["static/graph-data.js"]


def test_a_body_edit_leaves_graph_data_and_the_graph_page_alone(root: Path) -> None:
    library = _chain(root)
    before, after = _fps(_plan(root, library)), _fps(_plan(root, library, c_body="edited"))
    assert before["static/graph-data.js"] == after["static/graph-data.js"]
    assert before["graph.html"] == after["graph.html"]


def test_the_graph_data_job_writes_what_the_payload_says(root: Path) -> None:
    library = _chain(root)
    job = next(j for j in _plan(root, library).jobs if j.path == "static/graph-data.js")
    (page,) = job.run().pages
    assert page.path == "static/graph-data.js"
    assert page.content.decode("utf-8") == payload(library)[0]


def test_paper_pages_carry_a_placeholder_only_when_the_paper_has_links(root: Path) -> None:
    plan = _plan(root, _chain(root))
    html = {
        key: next(j for j in plan.jobs if j.path == urls.paper_page(key)).run().pages[0].content
        for key in ("a", "d")
    }
    assert (
        b'data-key="a"' in html["a"] and b'data-graph-data="../static/graph-data.js"' in html["a"]
    )
    assert b"<svg" not in html["a"]  # drawn by graph.js, not inlined
    assert b"data-pn-graph" not in html["d"] and b"graph-local" not in html["d"]


@pytest.mark.parametrize(
    ("edit", "changes"),
    [
        ({"title": "Renamed"}, True),
        ({"tags": ["new-tag"]}, True),
        ({"year": 2018}, True),
        ({"cites": []}, True),
        ({"author": "Bo Other"}, True),  # the label
        ({}, False),
    ],
    ids=["title", "tags", "year", "cites", "label", "nothing"],
)
def test_graph_inputs_follow_everything_graph_data_shows(
    edit: dict[str, object], changes: bool
) -> None:
    def build(**kw: object) -> Library:
        args: dict[str, object] = {"tags": ["t"], "title": "A", **kw}
        cites = args.pop("cites", ["b"])
        year = args.pop("year", 2020)
        return library_of(paper("a", year, cites, **args), paper("b", 2019))  # type: ignore[arg-type]

    before, after = build(), build(**edit)
    inputs = [graph_inputs(lib, graph.tag_palette(lib)) for lib in (before, after)]
    datas = [graph_data_js(graph_data(lib, graph.tag_palette(lib))) for lib in (before, after)]
    assert (inputs[0] != inputs[1]) is changes
    assert (datas[0] != datas[1]) is changes


def test_mentions_are_an_eighth_list_only_when_a_note_has_any() -> None:
    path, text = paper("m", 2021, ["b"])
    mentions = (path, text + "Builds on [[a]] and [@b].\n")
    library = library_of(paper("a", 2020, ["b"]), paper("b", 2019), mentions)
    _, value = payload(library)
    nodes = value["nodes"]
    assert isinstance(nodes, list)
    index = {n[0]: i for i, n in enumerate(nodes)}
    by_key = {n[0]: n for n in nodes}
    # m cites b in its front matter (an edge), and mentions a in its body (a dashed line);
    # [@b] in the body is the citation it already is, not a mention.
    assert by_key["m"][6] == [index["b"]] and by_key["m"][7] == [index["a"]]
    assert len(by_key["a"]) == len(by_key["b"]) == 7
    # The fingerprint follows mentions too.
    plain = library_of(paper("a", 2020, ["b"]), paper("b", 2019), paper("m", 2021, ["b"]))
    inputs = [graph_inputs(lib, graph.tag_palette(lib)) for lib in (library, plain)]
    assert inputs[0] != inputs[1]
