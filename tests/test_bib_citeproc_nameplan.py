"""Compiled ``cs:name`` and ``cs:date`` (``bib.citeproc_nameplan``, ``bib.citeproc_dateplan``)
print what citeproc-py prints.

Generated entries (names with particles, suffixes, literal names, initials, CJK names, up to
thirty authors for et-al; dates with ranges, seasons, circa, missing parts and literals) are
formatted in every built-in style, a library's own style and packaged styles of other shapes,
and compared with citeproc-py with none of papernotes' changes, in a formatter made for the
example (but for the initials after a hyphen, papernotes' fix of them, kept on both
sides; citeproc-py's ``Date_Part.process`` writes into the locale as it goes, so what it
prints for an entry can depend on what it formatted before). Then that the compiled path is
what formats: citeproc-py's ``Name.process`` and ``Date.process`` are not called.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from citeproc import model
from citeproc_corpus import USER_STYLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bib_citeproc_plan import _PACKAGED
from test_bib_citeproc_speed import _as_before, _unpatched

from papernotes.bib import (
    citeproc_dateplan,
    citeproc_nameplan,
    citeproc_names,
    citeproc_speed,
    styles,
)
from papernotes.bib.styles import StyleSet, load_styles, packaged_style

_FAMILY = st.sampled_from(
    ["Hu", "Cruz", "O'Neil", "García", "周", "山田", "김", "Müller-Lüdenscheidt", "Ng", "Smith"]
)
_GIVEN = st.sampled_from(
    ["Edward J.", "Ann", "志华", "太郎", "민수", "J.-P.", "Min-jun", "Ludwig", "e. e.", "A.B."]
)
_PERSON = st.fixed_dictionaries(
    {"family": _FAMILY},
    optional={
        "given": _GIVEN,
        "non-dropping-particle": st.sampled_from(["de", "van der", "de la"]),
        "dropping-particle": st.sampled_from(["van", "d'"]),
        "suffix": st.sampled_from(["Jr.", "III"]),
    },
)
_NAME = st.one_of(
    _PERSON,
    st.fixed_dictionaries({"literal": st.sampled_from(["OpenAI", "世界卫生组织", "W & H"])}),
)
_NAMES = st.lists(_NAME, min_size=1, max_size=30)
_PART = st.one_of(
    st.tuples(st.integers(-50, 2030)),
    st.tuples(st.integers(1990, 2030), st.integers(1, 12)),
    st.tuples(st.integers(1990, 2030), st.integers(1, 12), st.integers(1, 28)),
).map(list)
_DATE = st.one_of(
    st.builds(lambda p: {"date-parts": [p]}, _PART),
    st.builds(lambda a, b: {"date-parts": [a, b]}, _PART, _PART),
    st.builds(
        lambda y, s: {"date-parts": [[y]], "season": s}, st.integers(1990, 2030), st.integers(1, 4)
    ),
    st.builds(lambda p: {"date-parts": [p], "circa": True}, _PART),
    st.just({"literal": "in press"}),
)
_ITEM = st.fixed_dictionaries(
    {
        "id": st.just("item"),
        "type": st.sampled_from(["article-journal", "book", "chapter", "paper-conference"]),
        "title": st.just("A title"),
    },
    optional={
        "author": _NAMES,
        "editor": _NAMES,
        "translator": _NAMES,
        "issued": _DATE,
        "accessed": _DATE,
        "event-date": _DATE,
        "container-title": st.just("Nature"),
        "URL": st.just("https://example.org/r"),
        "language": st.sampled_from(["en", "zh", "de"]),
    },
)


@pytest.fixture(scope="module")
def every_style(tmp_path_factory: pytest.TempPathFactory) -> list[styles.Style]:
    root = tmp_path_factory.mktemp("library")
    (root / "styles").mkdir()
    (root / "styles" / "everything.csl").write_text(USER_STYLE, encoding="utf-8")
    found, problems = load_styles(root)
    assert not problems
    return [*found, *(packaged_style(name) for name in _PACKAGED)]


@pytest.fixture(scope="module")
def both(every_style: list[styles.Style]) -> Callable[[dict[str, Any]], Any]:
    """Formats an item through papernotes' path (one formatter for all examples, as a build
    has) and citeproc-py's own (a fresh formatter each time)."""
    fast = StyleSet(every_style)

    def compare(item: dict[str, Any]) -> tuple[Any, Any]:
        got = [(r.style, r.text, r.html) for r in fast.format(item)]
        with pytest.MonkeyPatch.context() as m:
            _unpatched(m)
            # papernotes' one intended change to names stays: initials after a hyphen.
            m.setattr(model.Name, "initialize", citeproc_names._initialize(model.Name.initialize))
            want = _as_before(StyleSet(every_style), item)
        return got, want

    return compare


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(item=_ITEM)
def test_compiled_names_and_dates_print_what_citeproc_py_prints(
    both: Callable[[dict[str, Any]], Any], item: dict[str, Any]
) -> None:
    got, want = both(item)
    assert got == want


def test_long_name_lists_and_particles_format_in_every_style(
    both: Callable[[dict[str, Any]], Any], every_style: list[styles.Style]
) -> None:
    # Not equal by failing alike: the names print, truncated where styles say et al.
    people = [
        {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
        {"family": "Cruz", "given": "Ana", "non-dropping-particle": "de la", "suffix": "Jr."},
        {"literal": "OpenAI"},
        *({"family": f"Author{i}", "given": "Min-jun"} for i in range(25)),
    ]
    item = {
        "id": "item",
        "type": "article-journal",
        "title": "A title",
        "author": people,
        "issued": {"date-parts": [[2021, 3, 4]]},
    }
    got, want = both(item)
    assert got == want
    assert len(want) == len(every_style)
    assert all("beethoven" in text.lower() for _, text, _ in want)
    assert any("Author24" not in text for _, text, _ in want)  # et al. somewhere


def _counted(monkeypatch: pytest.MonkeyPatch, cls: type) -> Counter[str]:
    citeproc_speed.install()
    calls: Counter[str] = Counter()
    original = cls.process.__wrapped__  # type: ignore[attr-defined]

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls[cls.__name__] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(cls.process, "__wrapped__", counted)
    return calls


def test_citeproc_py_s_name_and_names_process_are_not_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counted(monkeypatch, model.Name)
    lists = _counted(monkeypatch, model.Names)
    formatter = StyleSet([packaged_style("apa"), packaged_style("ieee")])
    item = {
        "id": "item",
        "type": "book",
        "title": "T",
        "author": [{"family": "Hu", "given": "Edward J."}, {"family": "Ng", "given": "Ann"}],
        "editor": [{"family": "Roe", "given": "R."}],
        "issued": {"date-parts": [[2020, 5]]},
    }
    refs = formatter.format(item)
    assert refs and "Hu" in refs[0].text and "Ng" in refs[1].text
    assert calls == lists == Counter()
    compiled = [
        e
        for c in formatter._compiled.values()
        for e in c.root.iter()
        if citeproc_nameplan._COMPILED in e.__dict__
    ]
    assert compiled and all(isinstance(e, model.Name) for e in compiled)


def test_citeproc_py_s_date_process_is_not_called(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counted(monkeypatch, model.Date)
    part = model.Date_Part.process

    def copying(*args: Any, **kwargs: Any) -> Any:
        calls["Date_Part"] += 1  # the call that writes into the locale's date-parts
        return part(*args, **kwargs)

    monkeypatch.setattr(model.Date_Part, "process", copying)
    formatter = StyleSet([packaged_style(name) for name in ("apa", "ieee", "gb7714")])
    item = {
        "id": "item",
        "type": "article-journal",
        "title": "T",
        "author": [{"family": "Hu", "given": "Edward J."}],
        "issued": {"date-parts": [[2020, 5, 17]]},
        "accessed": {"date-parts": [[2021, 1, 3]]},
        "URL": "https://example.org/r",
    }
    refs = formatter.format(item)
    assert len(refs) == 3 and all("2020" in r.text for r in refs)
    assert calls == Counter()


def test_editors_who_translated_print_as_citeproc_py_prints_them(
    both: Callable[[dict[str, Any]], Any],
) -> None:
    same = [{"family": "Roe", "given": "Rita"}, {"family": "Ng", "given": "Ann"}]
    for translator in (same, [{"family": "Hu", "given": "E."}]):
        item = {
            "id": "item",
            "type": "chapter",
            "title": "A title",
            "container-title": "A book",
            "author": [{"family": "Hu", "given": "Edward J."}],
            "editor": same,
            "translator": translator,
            "issued": {"date-parts": [[2020, 9, 17]], "season": 3},
        }
        got, want = both(item)
        assert got == want
        assert any("Roe" in text for _, text, _ in want)


def test_a_date_part_override_is_not_written_into_the_locale(
    every_style: list[styles.Style],
) -> None:
    # USER_STYLE's text date shortens the month: citeproc-py would copy that into the locale.
    (everything,) = [s for s in every_style if s.name == "everything"]
    formatter = StyleSet([everything])
    item = {
        "id": "item",
        "type": "article-journal",
        "title": "T",
        "issued": {"date-parts": [[2020, 9, 17]]},
    }
    (ref,) = formatter.format(item)
    assert "Sep" in ref.text and "Sep." not in ref.text
    parts = [
        (e, e.__dict__[citeproc_speed.DATE_PART_ATTRIBUTES])
        for c in formatter._compiled.values()
        for loc in c.root.locales
        for e in loc.iter()
        if citeproc_speed.DATE_PART_ATTRIBUTES in e.__dict__
    ]
    assert parts and all(dict(e.attrib) == kept for e, kept in parts)
    dates = [
        e
        for c in formatter._compiled.values()
        for e in c.root.iter()
        if citeproc_dateplan._COMPILED in e.__dict__
    ]
    assert dates and all(isinstance(e, model.Date) for e in dates)
