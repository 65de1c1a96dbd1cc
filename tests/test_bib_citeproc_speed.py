"""``bib.citeproc_speed``: the memoized look-ups change nothing citeproc-py prints.

Every item of the documented-examples table, and a few more that take other branches of the
styles (many authors, editors, no date, a thesis, a chapter, a CJK book), formatted in every
built-in style and one more packaged style, with and without the memo: the same text, byte
for byte, in the same order.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from citeproc import CitationStylesStyle, model
from test_bib_styles import CASES

from papernotes.bib import citeproc_speed, styles
from papernotes.bib.styles import StyleSet, packaged_style

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
    memo = compiled.root.__dict__[citeproc_speed._MEMO]
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
    assert citeproc_speed._MEMO not in plain.root.__dict__
