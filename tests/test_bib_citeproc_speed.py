"""``bib.citeproc_speed``: the faster citeproc-py prints exactly what citeproc-py prints.

Every item of the documented-examples table, and a few more that take other branches of the
styles (many authors, editors, no date, a thesis, a chapter, a CJK book), formatted in every
built-in style and one more packaged style, with and without the memo: the same text, byte
for byte, in the same order. Then the whole corpus of ``citeproc_corpus`` (every CSL type
``to_csl`` makes) in a dozen packaged styles and a library's own style, against citeproc-py
with none of papernotes' changes, each style given each entry parsed anew as before.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, model
from citeproc.source.json import CiteProcJSON
from citeproc_corpus import USER_STYLE, entries
from test_bib_styles import CASES

from papernotes.bib import citeproc_speed, citeproc_walk, styles
from papernotes.bib.styles import FormatError, StyleSet, citeproc_item, load_styles, packaged_style

_MORE: list[dict[str, Any]] = [
    {
        "type": "chapter",
        "title": "Deep learning for <b>graphs</b> & more",
        "author": [{"family": f"Author{i}", "given": "A. B."} for i in range(25)],
        "editor": [{"family": "Editor", "given": "Ed"}, {"family": "Other", "given": "Ann"}],
        "container-title": "Handbook of Things",
        "publisher": "Springer",
        "publisher-place": "Cham",
        "page": "101-142",
        "issued": {"date-parts": [[2019, 3, 4]]},
        "DOI": "10.1007/978-3-030-00000-0_5",
    },
    {"type": "thesis", "title": "On nothing", "author": [{"family": "Solo", "given": "Han"}]},
    {
        "type": "book",
        "title": "机器学习",
        "author": [{"family": "周", "given": "志华"}],
        "publisher": "清华大学出版社",
        "publisher-place": "北京",
        "issued": {"date-parts": [[2016]]},
    },
    {
        "type": "report",
        "title": "Why? A report",
        "author": [{"literal": "World Health Organization"}],
        "number": "42",
        "URL": "https://example.org/r?a=1&b=2",
        "issued": {"date-parts": [[2021, 11]]},
    },
    {
        "type": "paper-conference",
        "title": "Two authors, “quoted” title",
        "author": [{"family": "de la Cruz", "given": "Maria"}, {"family": "O'Neil", "given": "J."}],
        "container-title": "Proceedings of the Thing",
        "volume": "3",
        "issue": "2",
        "issued": {"date-parts": [[2008]]},
    },
]
_ITEMS = [{"id": case, **item} for _, case, item, *_ in CASES] + [
    {"id": f"more{i}", **item} for i, item in enumerate(_MORE)
]
_STYLES = [*(name for name, _ in styles.BUILTIN_STYLES), "chicago-author-date"]


def _format_all(monkeypatch: pytest.MonkeyPatch, memo: bool) -> list[list[tuple[str, str]]]:
    with monkeypatch.context() as m:
        if not memo:
            m.setattr(citeproc_speed, "memoize", lambda compiled: compiled)
        formatter = StyleSet([packaged_style(name) for name in _STYLES])
        out = [[(r.style, r.html) for r in formatter.format(item)] for item in _ITEMS]
        # bibliography() sorts with the same compiled styles: the sort keys must agree too.
        out.append([(name, " | ".join(formatter.bibliography(name, _ITEMS))) for name in _STYLES])
        return out


def test_memoized_styles_print_exactly_what_citeproc_py_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = _format_all(monkeypatch, memo=False)
    fast = _format_all(monkeypatch, memo=True)
    assert fast == plain
    assert all(len(refs) == len(_STYLES) for refs in plain)  # every style formatted every item


def test_the_memo_is_used_and_kept_per_compiled_style() -> None:
    formatter = StyleSet([packaged_style("apa")])
    formatter.format(_ITEMS[0])
    (compiled,) = formatter._compiled.values()
    memo = compiled.root.__dict__[citeproc_speed.MEMO]
    assert memo, "formatting asked the style nothing: the memo is not in use"
    size = len(memo)
    formatter.format(_ITEMS[0])
    assert len(memo) == size  # the same questions the second time: all answered from the memo


def test_a_tree_without_a_memo_is_answered_as_before() -> None:
    citeproc_speed.install()
    citeproc_speed.install()  # twice is once: no wrapper around the wrapper
    wrapped = model.CitationStylesElement.xpath_search
    assert not hasattr(wrapped.__wrapped__, "__wrapped__")
    plain = CitationStylesStyle(io.BytesIO(packaged_style("ieee").xml), validate=False)
    layout = plain.root.xpath_search("./cs:bibliography/cs:layout")
    assert len(layout) == 1
    assert citeproc_speed.MEMO not in plain.root.__dict__


_PACKAGED = (
    "chicago-author-date",
    "modern-language-association",
    "harvard-cite-them-right",
    "nature",
    "american-medical-association",
    "elsevier-harvard",
    "american-chemical-society",
    "springer-basic-author-date",
)


def _plain_bibliography(compiled: Any, parsed: Any, formatter: Any) -> Any:
    # What styles.py did before citeproc_speed.bibliography: citeproc-py's own items.
    bib = CitationStylesBibliography(compiled, parsed, formatter)
    bib.register(Citation([CitationItem(key) for key in parsed]))
    return bib


def _unpatched(m: pytest.MonkeyPatch) -> None:
    """citeproc-py as it is: every method papernotes replaced given back, styles compiled
    without a memo, entries parsed and registered by citeproc-py's own classes."""
    for cls in vars(model).values():
        if not isinstance(cls, type):
            continue
        for name, value in list(vars(cls).items()):
            if hasattr(value, "__wrapped__"):
                m.setattr(cls, name, value.__wrapped__)
            elif isinstance(value, property) and hasattr(value.fget, "__wrapped__"):
                m.setattr(cls, name, property(value.fget.__wrapped__))
    m.setattr(citeproc_speed, "memoize", lambda compiled: compiled)
    m.setattr(citeproc_walk, "source", lambda items: CiteProcJSON(list(items)))
    m.setattr(citeproc_walk, "bibliography", _plain_bibliography)


def _as_before(formatter: StyleSet, item: dict[str, Any]) -> list[tuple[str, str, str]]:
    # StyleSet.format as it was: each style parses the entry anew.
    out = []
    for style in formatter.styles:
        try:
            html = formatter._render(style, citeproc_item(item), True)
        except FormatError:
            continue
        out.append((style.name, styles._plain(html), html))
    return out


@pytest.fixture(scope="module")
def corpus_styles(tmp_path_factory: pytest.TempPathFactory) -> list[styles.Style]:
    root = tmp_path_factory.mktemp("library")
    (root / "styles").mkdir()
    (root / "styles" / "everything.csl").write_text(USER_STYLE, encoding="utf-8")
    found, problems = load_styles(root)
    assert not problems
    assert [s.name for s in found][-1] == "everything"  # the user style's path, checked
    return [*found, *(packaged_style(name) for name in _PACKAGED)]


def test_every_entry_in_every_style_is_what_unpatched_citeproc_py_prints(
    monkeypatch: pytest.MonkeyPatch, corpus_styles: list[styles.Style]
) -> None:
    items = entries()
    fast = StyleSet(corpus_styles)
    got = [[(r.style, r.text, r.html) for r in fast.format(item)] for item in items]
    with monkeypatch.context() as m:
        _unpatched(m)
        slow = StyleSet(corpus_styles)
        want = [_as_before(slow, item) for item in items]
        assert not any(citeproc_speed.MEMO in c.root.__dict__ for c in slow._compiled.values())
    assert got == want
    formatted = sum(len(refs) for refs in want)
    assert formatted >= 0.95 * len(items) * len(corpus_styles)  # not equal by failing alike
    assert len({html for refs in want for _, _, html in refs}) > len(items) * 10


def _outcome(formatter: StyleSet, name: str, items: list[dict[str, Any]]) -> list[str] | str:
    try:
        return formatter.bibliography(name, items)
    except FormatError as exc:  # citeproc-py fails on some entries in some styles: alike
        return str(exc)


@pytest.mark.parametrize(
    ("name", "fails"),
    [
        ("apa", False),
        ("gb7714", False),
        ("everything", False),
        ("harvard-cite-them-right", False),
        ("nature", True),
    ],
)
def test_sorted_bibliographies_are_what_unpatched_citeproc_py_prints(
    monkeypatch: pytest.MonkeyPatch, corpus_styles: list[styles.Style], name: str, fails: bool
) -> None:
    items = entries()
    got = _outcome(StyleSet(corpus_styles), name, items)
    with monkeypatch.context() as m:
        _unpatched(m)
        want = _outcome(StyleSet(corpus_styles), name, items)
    assert got == want
    assert isinstance(want, str) == fails
    assert fails or len(want) == len(items)


def test_an_entry_parsed_once_serves_every_style_unchanged(
    corpus_styles: list[styles.Style],
) -> None:
    # StyleSet.format parses an entry once for all its styles: formatting must not change it.
    item = citeproc_item(entries()[0])
    parsed = styles._parse(item, True)
    before = repr(sorted(parsed["item"].items()))
    formatter = StyleSet(corpus_styles)
    for style in corpus_styles:
        formatter._render(style, item, True, parsed)
    assert repr(sorted(parsed["item"].items())) == before


@pytest.mark.parametrize(
    ("version", "patched"),
    [("0.11.1", True), ("0.11.0", True), ("0.12.0", False), ("1.0", False), ("", False)],
)
def test_only_the_tested_citeproc_py_releases_are_patched(version: str, patched: bool) -> None:
    assert citeproc_speed.supported(version) is patched


def test_the_installed_citeproc_py_is_one_the_corpus_was_compared_on() -> None:
    # A new release turns the patches off (slower, never wrong); this says so in CI, so the
    # corpus comparison is run against it and TESTED extended.
    import citeproc

    assert citeproc_speed.supported(citeproc.__version__)


class _FakeItem(dict[str, Any]):
    """A citation item: ``in`` asks about its locator; ``reference`` is the entry."""

    reference: Any = None


@pytest.mark.parametrize("match", [None, "all", "any", "none"])
@pytest.mark.parametrize(
    ("types", "variables"),
    [
        ((), ("title",)),
        ((), ("DOI", "URL")),
        (("book",), ()),
        (("book", "chapter"), ("title",)),
        (("article-journal",), ("title", "URL")),
        (("book",), ("locator",)),
        ((), ()),
    ],
)
def test_if_tests_stop_early_with_citeproc_py_s_answer(
    types: tuple[str, ...], variables: tuple[str, ...], match: str | None
) -> None:
    # _passes stops at the first test that decides; citeproc-py lists every result first.
    for reference in ({"type": "book", "title": "T"}, {"type": "chapter", "URL": "u"}):
        entry = citeproc_walk.source([{"id": "x", **reference}])["x"]
        for locator in (False, True):
            item = _FakeItem({"locator": "3"} if locator else {})
            item.reference = entry
            results = [t == entry.type for t in types]
            results += [locator if v == "locator" else v in entry for v in variables]
            expected = {"any": any, "none": lambda r: not any(r)}.get(match or "", all)(results)
            assert citeproc_walk._passes((types, variables, match), item) is expected


def test_a_locale_without_options_keeps_no_frame_of_the_formatting() -> None:
    # A locale's missing options are kept as IndexError's arguments, not as the exception: its
    # traceback held the frames of the first reference formatted, and through them every
    # caller's locals (a build's CSL items, its worker pool), in a cycle the build's frozen
    # collector never freed; every page worker inherited them.
    import gc
    import weakref

    from papernotes.bib.styles import BUILTIN_STYLES

    class Held:
        """Something only the caller's frame holds."""

    formatter = StyleSet([packaged_style(name, check=False) for name, _ in BUILTIN_STYLES])

    def format_holding(marker: Held) -> weakref.ref[Held]:
        formatter.format(_ITEMS[0])
        return weakref.ref(marker)

    paused = gc.isenabled()
    gc.disable()  # freed by reference counts alone, as in a build's frozen heap
    try:
        held = format_holding(Held())
        memos = [c.root.__dict__[citeproc_speed.MEMO] for c in formatter._compiled.values()]
        kept = [v for memo in memos for v in memo.values() if isinstance(v, tuple)]
        assert any(v[0] is None and v[1] is not None for v in kept if len(v) == 2)  # a miss
        assert not any(isinstance(x, BaseException) for v in kept for x in v)
        assert held() is None
    finally:
        if paused:
            gc.enable()
