"""The Markdown dialect of notes: the MarkdownIt factory, citation and wikilink rules, math.

A body is parsed once (:func:`parse_body`) into tokens plus what the later stages need to know
(citations, local links, headings), and rendered from those tokens (:func:`render_body`) as
often as needed; rendering never mutates the tokens. The dialect's parts live in small modules,
installed in order by :func:`make_parser`:

- ``md_cjk``: CJK-friendly emphasis (``这是**“重点”**内容``);
- ``md_math``: ``$…$`` / ``$$…$$`` with pandoc's rules;
- ``md_cite``: ``[@key, p. 3]`` and ``[[key|alias]]``;
- ``md_toc``: heading shift, ``h-`` anchors, ``[TOC]``;
- ``md_code``: Pygments highlighting and its stylesheet.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_inline import StateInline, image, link
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from papernotes.markdown.cite import cite_plugin
from papernotes.markdown.cjk import install_cjk_emphasis
from papernotes.markdown.code import make_fence_renderer, pygments_css
from papernotes.markdown.math import MATH_TOKENS, math_plugin
from papernotes.markdown.toc import (
    TOC_MAX_LEVEL,
    Heading,
    inline_text,
    prepare_headings,
    toc_entry_html,
    toc_html,
    toc_plugin,
    wide,
)

__all__ = [
    "BodyCitation",
    "CiteTarget",
    "Heading",
    "LocalLink",
    "ParsedBody",
    "RenderContext",
    "RenderedBody",
    "is_local_url",
    "make_parser",
    "parse_body",
    "pygments_css",
    "render_body",
]


@dataclass(frozen=True, slots=True)
class BodyCitation:
    """An inline citation in a note body: ``[@a; @b, p. 3]`` or ``[[a]]``."""

    keys: tuple[str, ...]
    """The cited keys, as written (``hu2021lora``, ``arXiv:2106.09685``)."""
    line: int
    """1-based line within the body text."""
    col: int
    """1-based column within that line."""
    syntax: str
    """``pandoc`` or ``wikilink``."""


@dataclass(frozen=True, slots=True)
class LocalLink:
    """A link or image whose target is a relative path (a file next to the note)."""

    url: str
    """The target as written, e.g. ``figures/lora.svg`` or ``../other.md#method``."""
    line: int
    """1-based line within the body text."""
    is_image: bool
    """True for ``![alt](src)``."""
    col: int = 0
    """1-based column of the link's ``[`` (``!`` for images); 0 if unknown."""


@dataclass(frozen=True, slots=True)
class ParsedBody:
    """A note body parsed once; rendering needs only this and a RenderContext."""

    tokens: tuple[Token, ...]
    """markdown-it tokens, headings already shifted and anchored; never mutated afterwards."""
    citations: tuple[BodyCitation, ...]
    """Every ``[@…]`` and ``[[…]]`` in document order."""
    local_links: tuple[LocalLink, ...]
    """Every link and image with a relative target, in document order."""
    has_toc: bool
    """Whether the body has a ``[TOC]`` marker."""
    headings: tuple[Heading, ...] = ()
    """The body's headings after the level shift, with their anchors."""


@dataclass(frozen=True, slots=True)
class CiteTarget:
    """What a citation key resolves to, for rendering."""

    label: str
    """Author–year label: "Hu et al., 2021"."""
    title: str
    """The cited paper's title (shown as a tooltip)."""
    href: str
    """Relative URL of the cited note's page, or an external URL."""


@dataclass(frozen=True, slots=True)
class RenderContext:
    """What rendering a body needs to know about the rest of the library."""

    cite: Callable[[str], CiteTarget | None]
    """Resolve a citation or wikilink key; None renders it as unresolved."""
    local: Callable[[str], str | None]
    """Rewrite a relative link/image URL to its URL in the site; None leaves it as written."""


@dataclass(frozen=True, slots=True)
class RenderedBody:
    """A body as HTML, plus what the page around it shows."""

    html: str
    """The body's HTML (sanitized when the parser allows raw HTML)."""
    toc_html: str
    """``<nav class="toc">`` of the h2–h4 headings, or "" with fewer than two."""
    text: str
    """Plain text (math as TeX, citations as labels), whitespace collapsed: search, summaries."""


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_TAG = re.compile(r"<[^>]*>")
# markdown-it splits lines on these three only (str.splitlines knows more breaks).
_NEWLINE = re.compile(r"\r\n|\r|\n")

# Raw HTML (allow_html=True) is cleaned after rendering. Our own markup must survive it too:
# heading/footnote ids, cite data-key, lazy images, task checkboxes, table alignment.
_SANITIZER = nh3.Cleaner(
    tags={
        *("a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup"),
        *("dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "li"),
        *("mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section"),
        *("small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot"),
        *("th", "thead", "time", "tr", "u", "ul", "var"),
    },
    attributes={
        "*": {"class", "id", "title", "align", "lang", "dir"},
        "a": {"href", "rel", "data-key"},
        "span": {"data-key"},
        "img": {"src", "alt", "width", "height", "loading"},
        "td": {"style", "colspan", "rowspan"},
        "th": {"style", "colspan", "rowspan"},
        "ol": {"start"},
        "details": {"open"},
        "nav": {"aria-label"},
        "input": {"checked"},
    },
    # Task-list checkboxes; a raw <input> can only ever be a disabled checkbox.
    tag_attribute_values={"input": {"type": {"checkbox"}}},
    set_tag_attribute_values={"input": {"disabled": "disabled"}},
    filter_style_properties={"text-align"},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,  # we set rel="noopener" on external links ourselves
)


def is_local_url(url: str) -> bool:
    """A relative path: no scheme, and not ``#frag``, ``/abs``, ``//host`` or ``?query``."""
    return bool(url) and url[0] not in "#/?" and _SCHEME.match(url) is None


def _with_pos(rule: Callable[[StateInline, bool], bool], kind: str) -> Callable[..., bool]:
    """Wrap markdown-it's link/image rule to record where the token starts in the inline text."""

    def wrapped(state: StateInline, silent: bool) -> bool:
        start = state.pos
        first = len(state.tokens)
        if not rule(state, silent):
            return False
        if not silent:
            for tok in state.tokens[first:]:  # pending text may have been flushed first
                if tok.type == kind:
                    tok.meta["pos"] = start
                    break
        return True

    return wrapped


def _attrs_html(attrs: dict[str, str | int | float]) -> str:
    return "".join(f' {name}="{escapeHtml(str(value))}"' for name, value in attrs.items())


def _site_url(url: str, env: EnvType) -> str:
    if is_local_url(url):
        rewritten: str | None = env["local"](unquote(url))
        if rewritten is not None:
            return rewritten
    return url


def _render_link_open(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    attrs = dict(tokens[idx].attrs)  # a copy: the stored tokens are rendered again later
    href = str(attrs.get("href", ""))
    if href.startswith(("http://", "https://")):
        attrs["rel"] = "noopener"
    else:
        attrs["href"] = _site_url(href, env)
    return "<a" + _attrs_html(attrs) + ">"


def _render_image(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    attrs = dict(token.attrs)
    attrs["src"] = _site_url(str(attrs.get("src", "")), env)
    # markdown-it's own image rule would write the alt text into the shared token.
    attrs["alt"] = self.renderInlineAsText(token.children, options, env)  # type: ignore[attr-defined]
    attrs["loading"] = "lazy"
    return "<img" + _attrs_html(attrs) + ">"


def _render_toc(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    toc: str = env["toc_html"]
    return toc


def _footnote_anchor_name(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # The footnote renderers write id="fn" + this and id="fnref" + this: fn-1, fnref-1.
    return f"-{tokens[idx].meta['id'] + 1}"


def make_parser(*, allow_html: bool = False) -> MarkdownIt:
    """The notes dialect: CommonMark + tables, strikethrough, footnotes, task lists, math,
    citations, wikilinks, ``[TOC]``, heading anchors and highlighting.

    With ``allow_html=False`` raw HTML is shown as text; with True it passes and the rendered
    body is sanitized. Build one per process and reuse it.
    """
    md = MarkdownIt("commonmark", {"html": allow_html})
    md.enable(["table", "strikethrough"])
    install_cjk_emphasis(md)  # must come before plugins add inline rules
    md.inline.ruler.at("link", _with_pos(link, "link_open"))
    md.inline.ruler.at("image", _with_pos(image, "image"))
    math_plugin(md)
    cite_plugin(md)
    # Inline ``^[…]`` footnotes are off: their tokens are parsed out of place, so citations in
    # them could not be located, and the note format only promises ``[^1]``.
    footnote_plugin(md, inline=False)
    tasklists_plugin(md)
    toc_plugin(md)
    md.add_render_rule("link_open", _render_link_open)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("fence", make_fence_renderer())
    md.add_render_rule("toc", _render_toc)
    md.add_render_rule("footnote_anchor_name", _footnote_anchor_name)
    md.add_render_rule("softbreak", _render_softbreak)
    md.add_render_rule("code_block", _render_code_block)
    md.add_render_rule("html_inline", _render_raw_html)
    md.add_render_rule("html_block", _render_raw_html)
    return md


def _render_code_block(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Focusable like fenced code: a block that scrolls sideways must be reachable by keyboard.
    return f'<pre tabindex="0"><code>{escapeHtml(tokens[idx].content)}</code></pre>\n'


def _render_softbreak(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A line break inside a paragraph, dropped between two CJK characters.

    Browsers show a newline as a space, which is right between English words but shows as a
    stray gap in Chinese text hard-wrapped in the editor (the rule CSS Text 3 describes for
    segment breaks between East Asian wide characters).
    """
    before = tokens[idx - 1].content[-1:] if idx > 0 and tokens[idx - 1].type == "text" else ""
    after = (
        tokens[idx + 1].content[:1]
        if idx + 1 < len(tokens) and tokens[idx + 1].type == "text"
        else ""
    )
    return "" if wide(before) and wide(after) else "\n"


_RAW_URL = re.compile(r"""(\s(?:src|href)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def _render_raw_html(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Raw HTML (only with allow_html): relative ``src``/``href`` rewritten like Markdown links,
    so ``<img src="fig.png" width="300">`` works; the sanitizer runs on the result."""
    local: Callable[[str], str | None] = env["local"]

    def rewrite(m: re.Match[str]) -> str:
        url = htmllib.unescape(m.group(3))
        new = local(url) if is_local_url(url) else None
        return (
            m.group(0) if new is None else f"{m.group(1)}{m.group(2)}{escapeHtml(new)}{m.group(2)}"
        )

    return _RAW_URL.sub(rewrite, tokens[idx].content)


class _Locator:
    """Maps an offset in an inline token's content back to a line and column of the body."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None
        # Per line, where the last located thing was: table cells and repeated text on one
        # line are found left to right.
        self._cursor: dict[int, int] = {}

    def locate(self, inline: Token, offset: int) -> tuple[int, int]:
        if self._lines is None:
            self._lines = _NEWLINE.split(self._text)
        content = inline.content
        row = content.count("\n", 0, offset)
        seg_start = content.rfind("\n", 0, offset) + 1
        seg_end = content.find("\n", offset)
        segment = content[seg_start : seg_end if seg_end >= 0 else len(content)]
        within = offset - seg_start
        line = (inline.map[0] if inline.map else 0) + row
        if line >= len(self._lines):
            return line + 1, within + 1
        source = self._lines[line]
        cursor = self._cursor.get(line, 0)
        found = source.find(segment, cursor)
        if found >= 0 and found + within >= cursor:
            col = found + within
        else:
            # The segment was rewritten by a container (tabs, ``\|`` in tables): find the
            # thing itself.
            found = source.find(segment[within : within + 12], cursor)
            col = found if found >= 0 else within
        self._cursor[line] = col + 1
        return line + 1, col + 1


def parse_body(md: MarkdownIt, text: str) -> ParsedBody:
    """Parse a note body once: tokens, citations and local links with their lines, headings."""
    env: EnvType = {}
    tokens = md.parse(text, env)
    headings = prepare_headings(tokens)
    citations: list[BodyCitation] = []
    local_links: list[LocalLink] = []
    locator = _Locator(text)
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        for tok in block.children:
            kind = tok.type
            if kind == "citation":
                line, col = locator.locate(block, tok.meta["pos"])
                keys = tuple(item[1] for item in tok.meta["items"])
                citations.append(BodyCitation(keys, line, col, "pandoc"))
            elif kind == "wikilink":
                line, col = locator.locate(block, tok.meta["pos"])
                citations.append(BodyCitation((tok.meta["key"],), line, col, "wikilink"))
            elif kind in ("link_open", "image"):
                url = str(tok.attrGet("href" if kind == "link_open" else "src") or "")
                if is_local_url(url) and "pos" in tok.meta:
                    line, col = locator.locate(block, tok.meta["pos"])
                    local_links.append(LocalLink(unquote(url), line, kind == "image", col))
    return ParsedBody(
        tokens=tuple(tokens),
        citations=tuple(citations),
        local_links=tuple(local_links),
        has_toc=bool(env.get("has_toc")),
        headings=headings,
    )


def _text_and_toc(
    tokens: Sequence[Token], cite: Callable[[str], CiteTarget | None]
) -> tuple[str, str]:
    """One walk over the tokens for the plain text and the TOC entries."""
    parts: list[str] = []
    entries: list[tuple[int, str, str]] = []
    for i, tok in enumerate(tokens):
        kind = tok.type
        if kind == "inline":
            parts.append(inline_text(tok.children or (), cite))
            prev = tokens[i - 1]
            if prev.type == "heading_open" and int(prev.tag[1]) <= TOC_MAX_LEVEL:
                anchor = str(prev.attrGet("id"))
                entries.append((int(prev.tag[1]), anchor, toc_entry_html(tok.children or (), cite)))
        elif kind in ("fence", "code_block") or kind in MATH_TOKENS:
            parts.append(tok.content)
        elif kind == "html_block":
            parts.append(_TAG.sub(" ", tok.content))
        parts.append(" ")
    return " ".join("".join(parts).split()), toc_html(entries)


def render_body(md: MarkdownIt, body: ParsedBody, ctx: RenderContext) -> RenderedBody:
    """Render a parsed body for one page; the same body may be rendered again with another ctx."""
    text, toc = _text_and_toc(body.tokens, ctx.cite)
    env: EnvType = {"cite": ctx.cite, "local": ctx.local, "toc_html": toc}
    html = md.renderer.render(body.tokens, md.options, env)
    if md.options.get("html"):
        html = _SANITIZER.clean(html)
    return RenderedBody(html=html, toc_html=toc, text=text)
