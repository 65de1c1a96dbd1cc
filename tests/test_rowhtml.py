"""rowhtml: the rows of the shipped macros made in Python are the rows the macros' loops made.

``fixtures/macros_before_rowhtml.html`` is ``_macros.html`` as it was, every row a Jinja loop
step; both are rendered in the theme's sandbox, with its options, on generated rows.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes import urls
from papernotes.model import OTHERS, Author, Backlink
from papernotes.rowhtml import PageRows
from papernotes.sandbox import ThemeSandbox
from papernotes.theme import default_theme_dir

BEFORE = Path(__file__).parent / "fixtures" / "macros_before_rowhtml.html"
PAGE = "papers/page.html"
HERE = urls.paper_page("x")

CALLS = """{% from M import author_links, editor_links, people_links, author_list, tag_links,
   paper_rows, paper_list, backlink_list with context %}
[{{ author_links(authors, limit, here) }}]
[{{ editor_links(authors, limit, here) }}]
[{{ people_links(meta, limit, here) }}]
[{{ author_list(authors, 2) }}]
[{{ tag_links(tags) }}]
[{{ paper_rows(notes, show_year) }}]
[{{ paper_rows(notes) }}]
[{{ paper_list(notes) }}]
[{{ backlink_list(links) }}]
"""


def _env() -> jinja2.Environment:
    macros = {
        "before": BEFORE.read_text(encoding="utf-8"),
        "now": (default_theme_dir() / "_macros.html").read_text(encoding="utf-8"),
    }
    return ThemeSandbox(
        loader=jinja2.DictLoader({**macros, "calls": CALLS}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


ENV = _env()
TEXT = st.text(alphabet="ab <&\"'é中", max_size=5)
KEYS = ("x", "k1", "k&2")
PATHS = (PAGE, HERE, "authors/a&b.html", "papers/k1.html#x")


@st.composite
def _people(draw: Any) -> tuple[Author, ...]:
    names = draw(st.lists(st.tuples(TEXT, TEXT), max_size=14))
    people = tuple(Author(family=f or "F", given=g) for f, g in names)
    return (*people, OTHERS) if people and draw(st.booleans()) else people


@st.composite
def _case(draw: Any) -> dict[str, Any]:
    def meta() -> SimpleNamespace:
        return SimpleNamespace(
            authors=draw(_people()),
            editors=draw(_people()),
            heading=draw(TEXT),
            year_label=draw(TEXT),
            venue=draw(TEXT),
        )

    notes = {k: SimpleNamespace(key=k, meta=meta()) for k in KEYS}
    links = [
        Backlink(
            draw(st.sampled_from(KEYS)),
            draw(st.booleans()),
            draw(TEXT),
            draw(TEXT),
            draw(TEXT),
            draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 3)))
    ]
    return {
        "authors": draw(_people()),
        "meta": meta(),
        "limit": draw(st.sampled_from((0, 1, 3, 12))),
        "here": draw(st.sampled_from((None, HERE))),
        "tags": draw(st.lists(TEXT, max_size=3)),
        "notes": [notes[k] for k in draw(st.lists(st.sampled_from(KEYS), max_size=4))],
        "show_year": draw(st.booleans()),
        "links": links,
        "library": SimpleNamespace(notes=notes, labels={k: f"{k} <label>" for k in KEYS}),
    }


def _render(macros: str, case: dict[str, Any]) -> str:
    def url(target: str) -> str:
        return "../" + target

    def author_path(a: Author) -> str:
        return PATHS[len(a.display) % len(PATHS)]

    def tag_path(tag: str) -> str:
        return f"tags/{tag}.html"

    index = SimpleNamespace(author_path=author_path, tag_path=tag_path)
    helpers = {
        "url": url,
        "page_path": PAGE,
        "author_path": author_path,
        "paper_path": urls.paper_page,
        "tag_path": tag_path,
        "rows": PageRows(url, PAGE, case["library"], index),  # type: ignore[arg-type]
    }
    return ENV.get_template("calls").render(M=macros, **helpers, **case)


@settings(max_examples=300, deadline=None)
@given(_case())
def test_the_rows_are_the_macros_rows(case: dict[str, Any]) -> None:
    assert _render("now", case) == _render("before", case)


def test_a_long_author_list_is_cut_and_counted() -> None:
    many = tuple(Author(family=f"F{i}", given="G") for i in range(1234))
    case = {
        "authors": many,
        "meta": SimpleNamespace(authors=(), editors=many[:2], heading="", year_label="", venue=""),
        "limit": 3,
        "here": None,
        "tags": ["a<b"],
        "notes": [],
        "show_year": True,
        "links": [],
        "library": SimpleNamespace(notes={}, labels={}),
    }
    now = _render("now", case)
    assert now == _render("before", case)
    assert " et al. (1,234 authors)]" in now and "(eds.)]" in now and "a&lt;b" in now


def test_a_row_of_what_the_macro_cannot_show_is_a_template_error() -> None:
    case = {
        "authors": ["Doe"],  # a theme's own mistake: names as text, not authors
        "meta": SimpleNamespace(authors=(), editors=(), heading="", year_label="", venue=""),
        "limit": 0,
        "here": None,
        "tags": [],
        "notes": [],
        "show_year": True,
        "links": [],
        "library": SimpleNamespace(notes={}, labels={}),
    }
    for macros in ("before", "now"):
        with pytest.raises(jinja2.UndefinedError):
            _render(macros, case)
