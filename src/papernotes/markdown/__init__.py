"""Note bodies: the values they hand over (``_types``), the configured MarkdownIt parser
(``factory``), what it extracts (``extract``) and how a body is rendered (``body``), and one
rule per module — citations (``cite``), CJK emphasis (``cjk``), highlighted code (``code``),
math (``math``) and headings with the table of contents (``toc``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes._lazy import lazy_exports

if TYPE_CHECKING:
    from papernotes.markdown._types import (
        CiteTarget,
        LocalLink,
        ParsedBody,
        RenderContext,
        RenderedBody,
    )
    from papernotes.markdown.body import render_body
    from papernotes.markdown.code import MIN_CONTRAST, contrast_ratio, pygments_css
    from papernotes.markdown.extract import is_local_url, parse_body
    from papernotes.markdown.factory import make_parser

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
            "_types": (
                "CiteTarget",
                "LocalLink",
                "ParsedBody",
                "RenderContext",
                "RenderedBody",
            ),
            "body": ("render_body",),
            "code": ("MIN_CONTRAST", "contrast_ratio", "pygments_css"),
            "extract": ("is_local_url", "parse_body"),
            "factory": ("make_parser",),
        },
    )
