"""A ``cs:date`` compiled once per style: its date-parts, with the attributes they will have,
found once; then each date formatted directly.

citeproc-py's ``Date.process`` finds, on every call, the locale's date for the element's form,
and each ``cs:date-part`` of it looks up the style's date-part of the same name and copies its
attributes into the locale's (``Date_Part.process``: ``attrib.update``). That copy is never
undone, so a style that overrides a date-part in one ``cs:date`` changes how every later date
of that form prints, in this entry and the next: what citeproc-py prints depends on what it
formatted before. Here the attributes a date-part has in citeproc-py formatting afresh (the
locale's as they were parsed, kept by :func:`~papernotes.bib.citeproc_speed.memoize`, updated
by the overriding date-part's) are found once per ``cs:date``, nothing is written into the
locale, and a call runs citeproc-py's statements on them in the same order: the parts shown,
a range's shared parts printed once after an en dash, the terms (months, seasons, "BC"),
ordinals, the date-part's markup, then the date's delimiter and affixes.

Only a tree that ``memoize`` prepared, formatting a bibliography (no sort options, called as
``render`` calls it), takes this path; anything else goes to citeproc-py's ``Date.process``,
found as ``process.__wrapped__``. ``tests/test_bib_citeproc_nameplan.py`` holds the output equal
to citeproc-py's, each example in a formatter made for it, in every built-in style.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from citeproc import model
from citeproc.model import to_ordinal
from citeproc.source import DateRange, LiteralDate, VariableError

from papernotes.bib.citeproc_speed import DATE_PART_ATTRIBUTES, ROOT
from papernotes.bib.citeproc_walk import _FONT, _PLAIN_TYPES

__all__ = ["TARGETS"]

_COMPILED = "_papernotes_date"
"""What a ``cs:date`` of a memoized tree keeps in its ``__dict__``: its compiled formatter
(or False: left to citeproc-py)."""


class _Part(model.Formatted, model.Affixed, model.TextCased, model.StrippedPeriods):  # type: ignore[misc]
    """A ``cs:date-part`` with the attributes it has when citeproc-py formats afresh: the
    markup mixins read them through ``get``, as they read the element's."""

    def __init__(self, element: Any, attributes: dict[str, str]):
        self.element = element
        self.attributes = attributes
        self.name = attributes.get("name")
        # Whether the markup gives a plain text back as it came (an int as str, as format
        # turns it): no affixes, no font, no case, no stripped periods.
        self.plain = (
            _FONT.isdisjoint(attributes)
            and not (attributes.get("prefix") or attributes.get("suffix"))
            and attributes.get("text-case") is None
            and attributes.get("strip-periods", "false").lower() != "true"
        )

    def get(self, key: str, default: Any = None) -> Any:
        return self.attributes.get(key, default)

    def get_formatter(self) -> Any:
        return self.element.get_formatter()

    def text(self, date: Any, context: Any) -> Any:
        """``Date_Part.process`` after its attribute copy (raises VariableError for a part
        the date does not have, and what citeproc-py raises on a form it does not know)."""
        get = self.attributes.get
        name = self.name
        if name == "day":
            form = get("form", "numeric")
            if (
                form == "ordinal"
                and self.element.get_locale_option("limit-day-ordinals-to-day-1").lower() == "true"
                and date.day > 1
            ):
                form = "numeric"
            if form == "numeric":
                return date.day
            if form == "numeric-leading-zeros":
                return f"{date.day:02}"
            if form == "ordinal":
                return to_ordinal(date.day, context)
        elif name == "month":
            form = get("form", "long")
            try:
                index = date.month
                term = "month"
            except VariableError:
                index = date.season
                term = "season"
            if form == "long" or form == "short":
                return context.get_single_term(
                    name=f"{term}-{index:02}", form="short" if form == "short" else None
                )
            assert term == "month"  # as citeproc-py asserts
            if form == "numeric":
                return f"{index}"
            if form == "numeric-leading-zeros":
                return f"{index:02}"
        elif name == "year":
            form = get("form", "long")
            if form == "long":
                text = str(abs(date.year))
                if date.year < 0:
                    text += context.get_single_term(name="bc")
                elif date.year < 1000:
                    text += context.get_single_term(name="ad")
                return text
            if form == "short":
                return str(date.year)[-2:]
        raise UnboundLocalError(f"date-part {name!r} in form {get('form')!r}")

    def render(self, date: Any, context: Any) -> Any:
        """``Date_Part.render``: the text, then its markup."""
        text = self.text(date, context)
        if text and self.plain:
            kind = type(text)
            if kind is int:
                return str(text)
            if kind in _PLAIN_TYPES:
                return text
        if text:
            return self.wrap(self.format(self.case(self.strip_periods(text))))
        return None


def _attributes(part: Any) -> dict[str, str] | None:
    found: dict[str, str] | None = part.__dict__.get(DATE_PART_ATTRIBUTES)
    return None if found is None else dict(found)


def _compile(style_date: Any) -> Callable[..., Any] | None:
    """``style_date.process(item, context=...)`` for a ``cs:date`` of the style, or None
    when citeproc-py's must answer (a locale date, a part that is not a date-part)."""
    if style_date.is_locale_date():
        return None
    variable = style_date.get("variable")
    form = style_date.get("form")
    date_parts = style_date.get("date-parts")
    localized = form is not None
    shown: tuple[str, ...] | None = None
    if localized:
        source = style_date.get_date(form)
        if date_parts is not None:
            shown = tuple(date_parts.split("-"))
    else:
        source = style_date
    children = list(source.iterchildren())
    parts = []
    for child in children:
        if not isinstance(child, model.Date_Part):
            return None
        attributes = _attributes(child)
        if attributes is None:
            return None
        if localized:
            # What Date_Part.process copies in: the style's date-part of the same name.
            expression = './cs:date-part[@name="{}"]'.format(attributes.get("name"))
            override = style_date.xpath_search(expression)
            if override:
                attributes.update(dict(override[0].attrib))
        parts.append(_Part(child, attributes))
    field = variable.replace("-", "_") if variable else None
    en_dash = source.unicode_character("EN DASH")

    def single(date: Any, show: list[str], context: Any) -> Any:
        # Date.render_single_date then Date.parts (a locale date joins by the style's).
        output = []
        for part in parts:
            if part.name in show:
                try:
                    # A date of the style's own parts, formatted for itself: each part is
                    # its own context (Date.parts is called without one).
                    text = part.render(date, part.element if context is None else context)
                except VariableError:
                    continue
                if text is not None:
                    output.append(text)
        return style_date.join(output) if output else None

    def date_range(dates: Any, show: list[str], context: Any, parts_context: Any) -> Any:
        # Date.render_date_range, statement by statement.
        same_show: list[str] = []
        if dates.end.is_nil():
            same = None
            diff_begin = single(dates.begin, show, parts_context)
            diff_end = ""
        else:
            if dates.begin.year == dates.end.year:
                show.remove("year")
                same_show.append("year")
                try:
                    if "month" in show and dates.begin.month == dates.end.month:
                        show.remove("month")
                        same_show.append("month")
                        try:
                            if "day" in show and dates.begin.day == dates.end.day:
                                show.remove("day")
                                same_show.append("day")
                        except AttributeError:
                            show.remove("day")
                except AttributeError:
                    show.remove("month")
            same = single(dates.end, same_show, parts_context)
            diff_begin = single(dates.begin, show, parts_context)
            diff_end = single(dates.end, show, parts_context)
        if not diff_begin:
            return None
        diff = diff_begin.rstrip() + en_dash + diff_end
        if same:
            return context.join([diff, same.rstrip()])
        return diff

    def process(item: Any, context: Any) -> Any:
        if context is None or localized:
            context = style_date
        parts_context = None if context is style_date and not localized else context
        show = list(shown) if shown is not None else ["year", "month", "day"]
        if field is None:
            raise AttributeError("'NoneType' object has no attribute 'replace'")
        value = item.reference[field]
        if not value:
            return None
        if isinstance(value, LiteralDate):
            text = value.text
        elif isinstance(value, DateRange):
            text = date_range(value, show, context, parts_context)
        else:
            text = single(value, show, parts_context)
        return None if text is None else style_date.wrap(text)

    return process


def _process(original: Callable[..., Any]) -> Callable[..., Any]:
    def process(
        self: Any,
        item: Any,
        variable: Any = None,
        show_parts: Any = None,
        context: Any = None,
        **kw: Any,
    ) -> Any:
        found = self.__dict__
        if (
            variable is not None
            or show_parts is not None
            or kw.get("sort_options") is not None
            or found.get(ROOT) is None
        ):
            return process.__wrapped__(self, item, variable, show_parts, context, **kw)  # type: ignore[attr-defined]
        run = found.get(_COMPILED)
        if run is None:
            run = found[_COMPILED] = _compile(self) or False
        if run is False:
            return process.__wrapped__(self, item, variable, show_parts, context, **kw)  # type: ignore[attr-defined]
        return run(item, context)

    process.__wrapped__ = original  # type: ignore[attr-defined]
    return process


TARGETS: tuple[tuple[type, str, Callable[[Callable[..., Any]], Callable[..., Any]]], ...] = (
    (model.Date, "process", _process),
)
"""What :func:`~papernotes.bib.citeproc_speed.install` puts into citeproc-py's classes."""
