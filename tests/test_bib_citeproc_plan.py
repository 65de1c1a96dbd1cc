"""``bib.citeproc_plan``: a layout compiled into closures prints exactly what citeproc-py prints.

Random entries (names with particles, suffixes, organisations and CJK script, one to thirty
authors for et-al, editors, full, partial, literal and missing dates, missing titles and
venues, page ranges, HTML-looking text, other languages) are formatted in the built-in
styles, a library's own style (``is-numeric`` and ``position`` tests, substitutes) and
packaged styles of other shapes, and compared with citeproc-py with none of papernotes'
changes. Then that the compiled layout is what formats: citeproc-py's ``cs:choose``,
``cs:group`` and ``cs:text`` methods are not called at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from citeproc import model
from citeproc_corpus import USER_STYLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bib_citeproc_speed import _as_before, _unpatched

from papernotes.bib import citeproc_plan, citeproc_speed, styles
from papernotes.bib.styles import StyleSet, load_styles, packaged_style

_PACKAGED = (
    "chicago-author-date",
    "modern-language-association",
    "nature",
    "harvard-cite-them-right",
    "american-medical-association",
    "elsevier-vancouver",
)

_FAMILY = st.sampled_from(
    ["Hu", "de la Cruz", "O'Neil", "García", "周", "山田", "김", "Müller-Lüdenscheidt", "Ng"]
)
_GIVEN = st.sampled_from(["Edward J.", "Ann", "志华", "太郎", "민수", "J.-P.", "", "Ludwig"])
_NAME = st.one_of(
    st.fixed_dictionaries({"family": _FAMILY, "given": _GIVEN}),
    st.fixed_dictionaries(
        {"family": _FAMILY, "given": _GIVEN},
        optional={
            "non-dropping-particle": st.sampled_from(["van", "de", "von der"]),
            "dropping-particle": st.sampled_from(["van", "d'"]),
            "suffix": st.sampled_from(["Jr.", "III"]),
        },
    ),
    st.fixed_dictionaries({"literal": st.sampled_from(["OpenAI", "世界卫生组织", "W & H"])}),
    st.fixed_dictionaries({"family": _FAMILY}),
)
_DATE = st.one_of(
    st.fixed_dictionaries(
        {"date-parts": st.lists(st.integers(1990, 2030), min_size=1, max_size=1).map(lambda y: [y])}
    ),
    st.tuples(st.integers(1990, 2030), st.integers(1, 12)).map(
        lambda ym: {"date-parts": [list(ym)]}
    ),
    st.tuples(st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 28)).map(
        lambda ymd: {"date-parts": [list(ymd)]}
    ),
    st.just({"literal": "in press"}),
)
_TEXT = st.sampled_from(
    [
        "On <b>graphs</b> & “quoted” things?",
        "Deep learning. A study",
        "机器学习：方法",
        "attention is all you need",
        "Why?",
        "",
    ]
)
_ITEM = st.fixed_dictionaries(
    {
        "id": st.just("item"),
        "type": st.sampled_from(
            [
                "article-journal",
                "paper-conference",
                "book",
                "chapter",
                "thesis",
                "report",
                "webpage",
                "manuscript",
                "article",
            ]
        ),
    },
    optional={
        "title": _TEXT,
        "author": st.lists(_NAME, min_size=1, max_size=30),
        "editor": st.lists(_NAME, min_size=1, max_size=4),
        "issued": _DATE,
        "accessed": _DATE,
        "container-title": _TEXT,
        "publisher": st.sampled_from(["Springer", "清华大学出版社", "MIT Press"]),
        "publisher-place": st.sampled_from(["Cham", "北京"]),
        "volume": st.sampled_from(["12", "III", "2a"]),
        "issue": st.sampled_from(["3", "4-5"]),
        "page": st.sampled_from(["101-142", "e1002", "7", "1234–1240"]),
        "number": st.sampled_from(["42", "arXiv:2106.09685"]),
        "edition": st.sampled_from(["2", "second"]),
        "DOI": st.just("10.1000/x.1"),
        "URL": st.just("https://example.org/r?a=1&b=2"),
        "language": st.sampled_from(["en", "zh", "ja", "de"]),
    },
)


@pytest.fixture(scope="module")
def every_style(tmp_path_factory: pytest.TempPathFactory) -> list[styles.Style]:
    root = tmp_path_factory.mktemp("library")
    (root / "styles").mkdir()
    (root / "styles" / "everything.csl").write_text(USER_STYLE, encoding="utf-8")
    found, problems = load_styles(root)
    assert not problems and [s.name for s in found][-1] == "everything"
    return [*found, *(packaged_style(name) for name in _PACKAGED)]


@pytest.fixture(scope="module")
def both(every_style: list[styles.Style]) -> Iterator[Callable[[dict[str, Any]], Any]]:
    """A function formatting an item through papernotes' path and citeproc-py's own."""
    fast = StyleSet(every_style)
    slow = StyleSet(every_style)

    def compare(item: dict[str, Any]) -> tuple[Any, Any]:
        got = [(r.style, r.text, r.html) for r in fast.format(item)]
        with pytest.MonkeyPatch.context() as m:
            _unpatched(m)
            want = _as_before(slow, item)
        return got, want

    yield compare
    assert not any(citeproc_speed.MEMO in c.root.__dict__ for c in slow._compiled.values())


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(item=_ITEM)
def test_compiled_layouts_print_what_citeproc_py_prints(
    both: Callable[[dict[str, Any]], Any], item: dict[str, Any]
) -> None:
    got, want = both(item)
    assert got == want


def test_the_corpus_formats_in_every_style(
    both: Callable[[dict[str, Any]], Any], every_style: list[styles.Style]
) -> None:
    # Not equal by failing alike: the entries format, in every style, and differ.
    item = {
        "id": "item",
        "type": "article-journal",
        "title": "A title",
        "author": [{"family": "Hu", "given": "Edward J."}],
        "issued": {"date-parts": [[2021]]},
        "container-title": "Nature",
    }
    got, want = both(item)
    assert got == want
    assert len(want) == len(every_style)
    assert len({html for _, _, html in want}) > len(every_style) // 2


def test_the_layout_is_compiled_once_and_citeproc_py_s_walk_is_not_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    formatter = StyleSet([packaged_style("apa")])
    item = {"type": "book", "title": "T", "author": [{"family": "Hu", "given": "E."}]}
    formatter.format(item)  # compiles the style and its layout
    calls: Counter[str] = Counter()
    for cls, name in ((model.Choose, "render"), (model.Group, "process"), (model.Text, "process")):
        method = getattr(cls, name)

        def counted(*args: Any, _m: Any = method, _n: str = name, **kwargs: Any) -> Any:
            calls[_n] += 1
            return _m(*args, **kwargs)

        monkeypatch.setattr(cls, name, counted)
    (compiled,) = formatter._compiled.values()
    layout = compiled.root.bibliography.layout
    plan = layout.__dict__[citeproc_plan._PLAN]
    refs = formatter.format(item)
    assert refs and "Hu" in refs[0].text
    assert layout.__dict__[citeproc_plan._PLAN] is plan  # compiled once, kept
    assert calls == Counter()
