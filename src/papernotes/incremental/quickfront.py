"""A quick edit's note split as the parse stage splits it, when all the parse stage reads of it
but its body is what it read of the note's last text: its fields, and so its problems.

The parse stage makes a note's fields and problems from its path, the library's configuration
and its front matter: a YAML one, the same text (its digest with the last body is the last
text's), or none at all (Obsidian's): then the fields are the title that the body's first
``# heading`` gives (``barenote``), the same heading on the same line. Besides, the parse
warns about a Hugo shortcode in the body, by line: a body with ``{{`` is refused
(``incremental.quick``). The problems that the link stage finds in a body are found from its
facets (``quickbody.facets``: where each citation, link and embed is, and what it names), which
the quick edit keeps too: so the last build's problems are those a full build would report now
and, in the same order, the quick edit reports them again.

What cannot be shown (a front matter changed, a comment-only one whose title opens the body,
a title heading moved) answers None: the full build runs.
"""

from __future__ import annotations

from papernotes.barenote import bare, bare_title, split_bare
from papernotes.incremental.cache import text_digest

__all__ = ["same_front"]


def _yaml_body(text: str) -> tuple[str, str] | None:
    """``text`` split after its YAML front matter's closing fence: (front matter, body), as
    ``frontmatter.split_note`` splits a note that starts with its fence; None for another."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None or end + 1 >= len(lines):
        return None
    body = "\n".join(lines[end + 1 :])
    return text[: len(text) - len(body)], body


def same_front(text: str, last_body: str, last_digest: str) -> str | None:
    """The body the parse stage reads from note text ``text``, when all else it reads of it is
    what it read of the note's last text (the one of digest ``last_digest`` and body
    ``last_body``); else None."""
    if bare(text):
        title, body = split_bare(text)
        last = last_body
        if title is not None and title.opens:  # the last text had that line in its body's place
            lines = last_body.split("\n")
            if title.line_index >= len(lines):
                return None
            lines[title.line_index] = text.split("\n")[title.line_index]
            last = "\n".join(lines)
        if text_digest(last) != last_digest or not bare(last):
            return None
        return body if split_bare(last) == (title, last_body) else None
    split = _yaml_body(text)
    if split is None or text_digest(split[0] + last_body) != last_digest:
        return None
    # A front matter of only comments is none: the title is the body's (``quick_note``).
    if bare_title(split[1].split("\n")) != bare_title(last_body.split("\n")):
        return None
    return split[1]
