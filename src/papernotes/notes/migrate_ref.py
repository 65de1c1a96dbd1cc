"""Which paper a note is about, for ``migrate --fetch``: an arXiv id or DOI in its front
matter, else the first arXiv or DOI link (or ``arXiv:``/``doi:`` reference) in the note."""

from __future__ import annotations

import re
from collections.abc import Sequence

from papernotes.fetch.ids import parse_ref
from papernotes.frontmatter import Field
from papernotes.schema import Kind, resolve

__all__ = ["find_ref"]

# Links and prefixed ids as people paste them; parse_ref decides what they really name.
_IN_TEXT = re.compile(
    r"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/[^\s)\]>\"'`]+"
    r"|https?://(?:dx\.|www\.)?doi\.org/[^\s)\]>\"'`]+"
    r"|\barXiv:\s?[\w./-]+\d|\bdoi:\s?10\.\d{4,9}/[^\s)\]>\"'`]+",
    re.IGNORECASE,
)
_ORDER = (Kind.ARXIV, Kind.DOI, Kind.URL, Kind.URL_OR_FILE)


def _names(text: str) -> str | None:
    try:
        ref = parse_ref(text.rstrip(".,;").removesuffix(".pdf"))
    except ValueError:
        return None
    return ref.label


def find_ref(fields: Sequence[Field], body: str) -> str | None:
    """``arXiv:ID`` or ``doi:DOI`` for the paper the note names, or None."""
    for kind in _ORDER:
        for f in fields:
            key = resolve(f.name)
            if key is None or key.kind is not kind or not isinstance(f.value, str):
                continue
            found = _names(f.value.strip())
            if found:
                return found
    texts = [f.value for f in fields if isinstance(f.value, str)] + [body]
    for text in texts:
        for m in _IN_TEXT.finditer(text):
            found = _names(m.group())
            if found:
                return found
    return None
