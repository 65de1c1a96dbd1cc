"""Rows that listings repeat (authors, papers, backlinks, tags), made as markup in Python.

The shipped ``_macros.html`` calls these for the insides of its macros. In the template each
row was a loop step of Jinja's sandbox: every ``url(...)`` and ``paper_path(...)`` a sandboxed
call, every ``n.meta.heading`` two sandboxed attribute reads, every value escaped on its own;
the rows of a paper page (its authors, cites and cited-by) were about half of rendering it,
and the rows of tag, author and year pages most of theirs. Here a row is one f-string, with
the values escaped as Jinja's autoescape escapes them, so the bytes are the same
(``tests/test_rowhtml.py`` renders the macros as they were and compares).

A theme of its own that replaces ``_macros.html`` need not use these; one that keeps ours
gets the same markup as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from jinja2.exceptions import UndefinedError
from markupsafe import Markup, escape

from papernotes import urls
from papernotes.model import Author, Backlink, Library, Metadata, Note
from papernotes.siteindex import SiteIndex

__all__ = ["PageRows"]

_F = TypeVar("_F", bound=Callable[..., Markup])


def _as_template_error(make: _F) -> _F:
    """A theme's own template may hand a row maker what the macro never got (a name as text,
    not an author): the macro's loop said so as an undefined attribute, a template error with
    its line, and so does this, rather than stopping the build with a traceback."""

    @functools.wraps(make)
    def checked(*args: Any, **kwargs: Any) -> Markup:
        try:
            return make(*args, **kwargs)
        except (AttributeError, KeyError, TypeError) as exc:
            raise UndefinedError(f"{make.__name__}: {exc}") from exc

    return checked  # type: ignore[return-value]


class PageRows:
    """The row makers of one page (at ``page_path``, linking with its ``url``)."""

    __slots__ = ("_index", "_library", "_page_path", "_url")

    def __init__(
        self, url: Callable[[str], str], page_path: str, library: Library, index: SiteIndex
    ) -> None:
        self._url = url
        self._page_path = page_path
        self._library = library
        self._index = index

    @_as_template_error
    def authors(self, authors: Sequence[Author], limit: int = 0, here: str | None = None) -> Markup:
        """``author_links``: the first ``limit`` names (all with 0), each linked unless the
        link would lead to this page or to ``here``; "et al." when some are left out."""
        et_al = len(authors) > 0 and authors[-1].others
        count = len(authors) - (1 if et_al else 0)
        author_path, url, page_path = self._index.author_path, self._url, self._page_path
        parts: list[str] = []
        for a in authors[: (limit if limit and limit < count else count)]:
            target = author_path(a)
            if target in (page_path, here):
                parts.append(escape(a.display))
            else:
                parts.append(f'<a href="{escape(url(target))}">{escape(a.display)}</a>')
        out = ", ".join(parts)
        if limit and count > limit:
            out += f" et al. ({count:,} authors)" if count > 10 else " et al."
        elif et_al:
            out += " et al."
        return Markup(out)

    @_as_template_error
    def people(self, meta: Metadata, limit: int = 0, here: str | None = None) -> Markup:
        """``people_links``: the authors, else the editors with "(eds.)", else nothing."""
        if meta.authors:
            return self.authors(meta.authors, limit, here)
        if meta.editors:
            return self.editors(meta.editors, limit, here)
        return Markup("")

    @_as_template_error
    def editors(self, editors: Sequence[Author], limit: int = 0, here: str | None = None) -> Markup:
        """``editor_links``: the names, then "(ed.)" or "(eds.)"."""
        said = "eds." if len(editors) > 1 else "ed."
        return Markup(f"{self.authors(editors, limit, here)} ({said})")

    @_as_template_error
    def papers(self, notes: Iterable[Note], show_year: bool = True) -> Markup:
        """``paper_rows``' rows: title, then year, the first three names and venue."""
        url, out = self._url, []
        for n in notes:
            path = urls.paper_page(n.key)
            meta = n.meta
            who = self.people(meta, 3, path).strip()
            year = f" · {escape(meta.year_label)}" if show_year else ""
            by = f" · {who}" if who else ""
            venue = f" · {escape(meta.venue)}" if meta.venue else ""
            out.append(
                f'<li><a href="{escape(url(path))}">{escape(meta.heading)}</a>'
                f'<span class="muted">{year}{by}{venue}</span></li>\n'
            )
        return Markup("".join(out))

    @_as_template_error
    def cites(self, notes: Iterable[Note]) -> Markup:
        """``paper_list``'s rows: the title linked, then the author–year label."""
        url, labels = self._url, self._library.labels
        return Markup(
            "".join(
                f'<li><a href="{escape(url(urls.paper_page(n.key)))}">{escape(n.meta.heading)}'
                f"</a> — {escape(labels[n.key])}</li>\n"
                for n in notes
            )
        )

    @_as_template_error
    def backlinks(self, links: Iterable[Backlink]) -> Markup:
        """``backlink_list``'s rows: the citing paper, its label, the kind of link and the
        sentence it is in."""
        url, notes, labels = self._url, self._library.notes, self._library.labels
        out = []
        for b in links:
            n = notes[b.source]
            kind = "citation" if b.formal else "embed" if b.embedded else "mention"
            said = (
                f'<q class="backlink-context">{escape(b.before)}<em>{escape(b.cited)}</em>'
                f"{escape(b.after)}</q>"
                if b.cited
                else ""
            )
            out.append(
                f'<li><a href="{escape(url(urls.paper_page(n.key)))}">{escape(n.meta.heading)}'
                f'</a> — {escape(labels[n.key])} <span class="link-kind">{kind}</span>'
                f"{said}</li>\n"
            )
        return Markup("".join(out))

    @_as_template_error
    def tags(self, tags: Iterable[str]) -> Markup:
        """``tag_links``: each tag linked to its page."""
        url, tag_path = self._url, self._index.tag_path
        return Markup(
            "".join(
                f'<a class="tag" href="{escape(url(tag_path(t)))}">{escape(t)}</a>' for t in tags
            )
        )
