"""``bib.citeproc_names``: a list of names is printed once per element, formatter and
context, and what is kept prints what citeproc-py prints (``test_bib_citeproc_plan`` and
``test_bib_citeproc_speed`` compare whole bibliographies with citeproc-py as it is)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from citeproc import model

from papernotes.bib import citeproc_names
from papernotes.bib.styles import StyleSet, packaged_style

_HU = {"family": "Hu", "given": "Edward J."}
_SHEN = {"family": "Shen", "given": "Yelong"}


def _item(i: int, *authors: dict[str, str]) -> dict[str, Any]:
    return {
        "type": "book",
        "title": f"Title {i}",
        "author": list(authors),
        "issued": {"date-parts": [[2020 + i]]},
    }


def _counted(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, ...]]:
    """Name.process counted by the family names it prints (what the memo spares)."""
    calls: Counter[tuple[str, ...]] = Counter()
    process = model.Name.process

    def counted(self: Any, item: Any, variable: str, *args: Any, **kwargs: Any) -> Any:
        calls[tuple(n.parts()[1] for n in item.reference.get(variable, []))] += 1
        return process(self, item, variable, *args, **kwargs)

    monkeypatch.setattr(model.Name, "process", counted)
    return calls


def test_each_distinct_list_of_names_is_printed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    formatter = StyleSet([packaged_style("apa"), packaged_style("ieee")])
    calls = _counted(monkeypatch)
    first = [formatter.format(_item(i, _HU, _SHEN)) for i in range(5)]
    assert calls == Counter({("Hu", "Shen"): 2})  # once per style, for five entries
    assert all("Hu" in ref.text and "Shen" in ref.text for refs in first for ref in refs)
    formatter.format(_item(9, _SHEN, _HU))  # another list: another order
    formatter.format(_item(9, _HU))
    assert calls == Counter({("Hu", "Shen"): 2, ("Shen", "Hu"): 2, ("Hu",): 2})
    # The kept text is the text: each entry differs only where its title and year do.
    again = formatter.format(_item(3, _HU, _SHEN))
    assert again == first[3]


def test_what_is_kept_prints_as_printed_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    items = [_item(i, *people) for i, people in enumerate([(_HU,), (_HU, _SHEN), (_HU,)] * 3)]
    kept = StyleSet([packaged_style("apa"), packaged_style("gb7714")])
    with_memo = [kept.format(item) for item in items]
    monkeypatch.setattr(citeproc_names, "NAMES_KEPT", 0)  # every list printed anew
    fresh = StyleSet([packaged_style("apa"), packaged_style("gb7714")])
    assert [fresh.format(item) for item in items] == with_memo
