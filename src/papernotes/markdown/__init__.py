"""Note bodies: the configured MarkdownIt parser and what it extracts (``body``), and one
rule per module — citations (``cite``), CJK emphasis (``cjk``), highlighted code (``code``),
math (``math``) and headings with the table of contents (``toc``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.markdown.body import (
        CiteTarget,
        LocalLink,
        ParsedBody,
        RenderContext,
        RenderedBody,
        is_local_url,
        make_parser,
        parse_body,
        render_body,
    )
    from papernotes.markdown.code import MIN_CONTRAST, contrast_ratio, pygments_css

__all__ = [
    "MIN_CONTRAST",
    "CiteTarget",
    "LocalLink",
    "ParsedBody",
    "RenderContext",
    "RenderedBody",
    "contrast_ratio",
    "is_local_url",
    "make_parser",
    "parse_body",
    "pygments_css",
    "render_body",
]

# Hidden from mypy, which would otherwise type every unknown attribute as Any.
if not TYPE_CHECKING:
    __getattr__, __dir__ = lazy_exports(
        __name__,
        {
            "body": (
                "CiteTarget",
                "LocalLink",
                "ParsedBody",
                "RenderContext",
                "RenderedBody",
                "is_local_url",
                "make_parser",
                "parse_body",
                "render_body",
            ),
            "code": ("MIN_CONTRAST", "contrast_ratio", "pygments_css"),
        },
    )
