"""A body edited where no hole is, rendered again from its last render without the library.

A rendered body is its template with each hole filled (``markdown.holes``): the fill of a hole
depends only on the hole (its maker and arguments) and on the library seen from the note's page.
So when an edit leaves the template's holes as they were (the same list, the same TOC entries),
every hole is filled as it was, and when the edit lies where no hole is, the new render is the
last one with the edited run of literal text swapped. The last render is cut where the
template is unchanged and has no hole on one side of the edit (after the last hole: a paragraph
appended; or before the first): that side's text is known, so the other side's filled text is
what is left of the last render — no hole is filled again, no library is read.

The plain text (search, summaries) is filled then collapsed (runs of whitespace to one space):
it is cut the same way, with the one space the collapse puts (or not) at the cut worked out
from the characters on either side of it.

:func:`facets` is what the rest of the site reads from a parsed body (links, citations and
their sentences, headings, leads, tags, embeds, reading time, whether a link within the note
names something in it): an edit that keeps it and the holes changes only the note's own page
and its search document, and finds in it the problems the last build found.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from typing import Any

from papernotes.markdown._types import ParsedBody, RenderedBody
from papernotes.markdown.holes import MARK

__all__ = ["facets", "respliced"]


def _self_fragments(body: ParsedBody) -> tuple[bool, ...]:
    """For each ``[[#Heading]]`` or ``[[#^block]]`` of the body, whether it names something in
    the body: the link stage warns about one that does not, and reads Dendron's
    ``[[#label|note.path]]`` by it (``wikitarget``); a ``^block`` is found in the text."""
    links = [c.fragment for c in body.citations if not c.keys and c.fragment]
    if not links:
        return ()
    from papernotes.vault import has_fragment

    return tuple(has_fragment(body, fragment) for fragment in links)


def facets(body: ParsedBody) -> str:
    """What other pages, the shared files and the page around the body read from it, as one
    string (``repr``: a citation's sentence and heading compare unequal only there); but the
    reading time, which only the note's own page shows (a quick edit patches it there)."""
    return repr(
        (
            _self_fragments(body),
            body.citations,
            body.local_links,
            body.has_toc,
            body.headings,
            body.web_links,
            body.tags,
            body.embeds,
            body.root_links,
            body.leads,
        )
    )


def _template(body: ParsedBody) -> list[Any] | None:
    if body.template is None:
        return None
    try:
        value = json.loads(zlib.decompress(body.template))
    except (ValueError, zlib.error):
        return None
    ok = isinstance(value, list) and len(value) == 4 and all(isinstance(v, str) for v in value[:2])
    return value if ok else None


def _agree(same: Callable[[int, int], bool], most: int) -> int:
    """The largest ``n`` ≤ ``most`` for which ``same(i, j)`` holds of each part ``i:j`` of
    ``0:n``: the length of a common prefix (or suffix), by halving, each step comparing one
    slice in C (a page's body is tens of thousands of characters: a Python loop over them
    was a quick edit's largest piece of work of its own)."""
    lo, hi = 0, most
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if same(lo, mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


def _cut(old: str, new: str) -> tuple[str, str, str, str] | None:
    """``old`` and ``new`` as ``a + m_old + b`` and ``a + m_new + b``, ``a`` and ``b`` as long
    as they can be; None when a changed part holds (a piece of) a hole's mark."""
    most = min(len(old), len(new))
    p = _agree(lambda i, j: old[i:j] == new[i:j], most)
    s = _agree(
        lambda i, j: old[len(old) - j : len(old) - i] == new[len(new) - j : len(new) - i], most - p
    )
    a, b = old[:p], old[len(old) - s :]
    m_old, m_new = old[p : len(old) - s], new[p : len(new) - s]
    if MARK in m_old or MARK in m_new or a.count(MARK) % 2:
        return None
    return a, m_old, m_new, b


def _html(old_t: str, new_t: str, old_out: str) -> str | None:
    """The filled ``new_t``, from ``old_out``, the filled ``old_t`` (the same holes)."""
    cut = _cut(old_t, new_t)
    if cut is None:
        return None
    a, m_old, m_new, b = cut
    if MARK not in b:  # fill(a) + m + b
        tail = m_old + b
        if not old_out.endswith(tail):
            return None
        return old_out[: len(old_out) - len(tail)] + m_new + b
    if MARK not in a:  # a + m + fill(b)
        head = a + m_old
        if not old_out.startswith(head):
            return None
        return a + m_new + old_out[len(head) :]
    return None


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _joined(first: str, second: str, space: bool) -> str:
    """What collapsing ``x + y`` gives, from ``first`` and ``second`` (``x`` and ``y``
    collapsed) and whether whitespace meets at the cut."""
    if not first or not second:
        return first or second
    return first + (" " if space else "") + second


def _text(old_t: str, new_t: str, old_out: str) -> str | None:
    """The filled and collapsed ``new_t``, from ``old_out`` (``old_t`` filled and collapsed)."""
    if MARK not in old_t and MARK not in new_t:
        return new_t  # collapsed when the template was made
    cut = _cut(old_t, new_t)
    if cut is None:
        return None
    a, m_old, m_new, b = cut
    if MARK not in b and a and a[-1] != MARK and not a[-1].isspace():
        # collapse(fill(a) + r): fill(a) ends with a[-1], so it has text and ends in it.
        r_old, r_new = m_old + b, m_new + b
        c_old = _collapse(r_old)
        tail = _joined("x", c_old, r_old[:1].isspace())[1:]
        if not old_out.endswith(tail) or len(old_out) == len(tail):
            return None
        kept = old_out[: len(old_out) - len(tail)]
        return _joined(kept, _collapse(r_new), r_new[:1].isspace())
    if MARK not in a and b and b[0] != MARK and not b[0].isspace():
        r_old, r_new = a + m_old, a + m_new
        c_old = _collapse(r_old)
        head = _joined(c_old, "x", r_old[-1:].isspace())[:-1]
        if not old_out.startswith(head) or len(old_out) == len(head):
            return None
        kept = old_out[len(head) :]
        return _joined(_collapse(r_new), kept, r_new[-1:].isspace())
    return None


def respliced(
    old: ParsedBody, old_render: RenderedBody, new: ParsedBody, *, sanitized: bool
) -> RenderedBody | None:
    """``new`` rendered for its own page as ``render_body`` would, from ``old_render`` (``old``
    rendered on that page, the library unchanged); None when the edit cannot be spliced in
    (another hole, a changed table of contents, an edit between two holes, raw HTML that the
    sanitizer rewrites: ``sanitized``)."""
    if sanitized:
        return None
    was, now = _template(old), _template(new)
    if was is None or now is None or was[2:] != now[2:]:  # TOC entries and holes
        return None
    html = _html(was[0], now[0], old_render.html)
    text = _text(was[1], now[1], old_render.text) if html is not None else None
    if html is None or text is None:
        return None
    return RenderedBody(html=html, toc_html=old_render.toc_html, text=text)
