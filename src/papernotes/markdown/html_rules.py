"""How the notes dialect writes HTML: links and images rewritten for the site, ``[TOC]``,
footnote ids, CJK line breaks, focusable code blocks, raw HTML and the sanitizer behind it.

The render rules only read the tokens (attributes are copied before they are changed), so one
token stream could be rendered with several contexts; ``env`` carries the page's context:
``cite``, ``local``, ``missing``, ``embed`` and ``id_prefix`` from a ``RenderContext`` and the
finished ``toc_html``. A local (or root-absolute) image the context knows to be missing is a
visible placeholder with its alt text and path.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import unquote

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML, RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from papernotes._lazy import lazy_pattern
from papernotes.cjk import is_wide
from papernotes.markdown.code import make_fence_renderer
from papernotes.markdown.embed import missing_image_html
from papernotes.markdown.holes import HOLES, MARK, PIECES, deferred, fill_marks
from papernotes.markdown.toc import inline_text
from papernotes.markdown.urlkind import is_local_url, is_root_url

__all__ = [
    "SANITIZER",
    "checkbox_html",
    "footnote_id",
    "hashtag_html",
    "image_html",
    "install_render_rules",
    "label_task_checkboxes",
    "link_open_html",
    "raw_html",
    "toc_marker",
]

# Raw HTML (allow_html=True) is cleaned after rendering. Our own markup must survive it too:
# heading/footnote ids, cite data-key, lazy images, task checkboxes, table alignment.
SANITIZER = nh3.Cleaner(
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
        "input": {"checked", "aria-label"},
    },
    # Task-list checkboxes; a raw <input> can only ever be a disabled checkbox.
    tag_attribute_values={"input": {"type": {"checkbox"}}},
    set_tag_attribute_values={"input": {"disabled": "disabled"}},
    filter_style_properties={"text-align"},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,  # we set rel="noopener" on external links ourselves
)


def _attrs_html(attrs: Mapping[str, str | int | float]) -> str:
    return "".join(f' {name}="{escapeHtml(str(value))}"' for name, value in attrs.items())


def _site_url(url: str, env: EnvType) -> str:
    if is_local_url(url) or is_root_url(url):
        rewritten: str | None = env["local"](unquote(url))
        if rewritten is not None:
            return rewritten
    return url


def _never(url: str) -> bool:
    return False


def _render_link_open(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    attrs = dict(tokens[idx].attrs)  # a copy: render rules only read the tokens
    href = str(attrs.get("href", ""))
    if href.startswith(("http://", "https://")):
        attrs["rel"] = "noopener"
    elif is_local_url(href) or is_root_url(href):
        return deferred(env, "link_open", link_open_html, list(attrs.items()), href)
    else:
        attrs["href"] = href
    return "<a" + _attrs_html(attrs) + ">"


def link_open_html(env: EnvType, attrs: Sequence[tuple[str, str]], href: str) -> str:
    """A link to a local file or note (``attrs`` as written): its URL in the site."""
    rewritten = dict(attrs)
    rewritten["href"] = _site_url(href, env)
    return "<a" + _attrs_html(rewritten) + ">"


def _render_image(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    attrs = dict(token.attrs)
    src = str(attrs.get("src", ""))
    # markdown-it's own image rule would write the alt text into the shared token.
    attrs["alt"] = self.renderInlineAsText(token.children, options, env)  # type: ignore[attr-defined]
    if is_local_url(src) or is_root_url(src):
        return deferred(env, "image", image_html, list(attrs.items()), src)
    attrs["src"] = src
    attrs["loading"] = "lazy"
    return "<img" + _attrs_html(attrs) + ">"


def image_html(env: EnvType, attrs: Sequence[tuple[str, str]], src: str) -> str:
    """A local (or root-absolute) image, ``attrs`` as written: its URL in the site, or a
    visible placeholder when the context knows it is missing."""
    shown = dict(attrs)
    if env.get("missing", _never)(unquote(src)):
        # A local image that is not there: show what was meant, not an invisible gap.
        return missing_image_html(str(shown["alt"]), unquote(src))
    shown["src"] = _site_url(src, env)
    shown["loading"] = "lazy"
    return "<img" + _attrs_html(shown) + ">"


def _render_toc(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return deferred(env, "toc", toc_marker)


def toc_marker(env: EnvType) -> str:
    """What ``[TOC]`` stands for: the page's table of contents."""
    toc: str = env["toc_html"]
    return toc


def _footnote_anchor_name(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # The footnote renderers write id="fn" + this and id="fnref" + this: fn-1, fnref-1.
    return deferred(env, "footnote_id", footnote_id, tokens[idx].meta["id"] + 1)


def footnote_id(env: EnvType, number: int) -> str:
    """A footnote's id suffix; a transcluded note's footnotes get a prefix (``id_prefix``),
    so ids stay unique."""
    return f"-{env.get('id_prefix', '')}{number}"


def _render_code_block(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Focusable like fenced code: a block that scrolls sideways must be reachable by keyboard.
    return f'<pre tabindex="0"><code>{escapeHtml(tokens[idx].content)}</code></pre>\n'


def _render_inline_tag(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """``<tag>`` or ``</tag>``: what ``renderToken`` makes of an inline tag token without
    attributes, without its checks for block tags and attributes (a plain ``**term**`` is
    most of a note's tags, and ``renderToken`` a tenth of rendering it)."""
    token = tokens[idx]
    if token.attrs or token.block or not token.nesting:
        return self.renderToken(tokens, idx, options, env)
    return f"<{token.tag}>" if token.nesting == 1 else f"</{token.tag}>"


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
    return "" if is_wide(before) and is_wide(after) else "\n"


_RAW_URL = lazy_pattern(r"""(\s(?:src|href)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


def _render_raw_html(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    content = tokens[idx].content
    if any(is_local_url(htmllib.unescape(m.group(3))) for m in _RAW_URL().finditer(content)):
        return deferred(env, "raw_html", raw_html, content)
    return content


def raw_html(env: EnvType, content: str) -> str:
    """Raw HTML (only with allow_html): relative ``src``/``href`` rewritten like Markdown links,
    so ``<img src="fig.png" width="300">`` works; the sanitizer runs on the result."""
    local: Callable[[str], str | None] = env["local"]

    def rewrite(m: re.Match[str]) -> str:
        url = htmllib.unescape(m.group(3))
        new = local(url) if is_local_url(url) else None
        return (
            m.group(0) if new is None else f"{m.group(1)}{m.group(2)}{escapeHtml(new)}{m.group(2)}"
        )

    return _RAW_URL().sub(rewrite, content)


def _render_hashtag(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    return deferred(env, "hashtag", hashtag_html, token.meta["tag"], token.content)


def hashtag_html(env: EnvType, tag: str, written: str) -> str:
    """An inline ``#tag``: a link to its tag page, like the tags listed above the note."""
    href = env["tag"](tag) if "tag" in env else None
    text = escapeHtml(written)
    if href is None:
        return f'<span class="tag">{text}</span>'
    return f'<a class="tag" href="{escapeHtml(href)}">{text}</a>'


_CHECKBOX = '<input class="task-list-item-checkbox"'


def _task_checkbox_rule(state: StateCore) -> None:
    """Turn the task-list plugin's raw ``<input>`` into a ``task_checkbox`` token, so the render
    rule can name it: a checkbox without a name fails WCAG 4.1.2 (axe's ``label`` rule)."""
    for block in state.tokens:
        first = block.children[0] if block.type == "inline" and block.children else None
        if first is not None and first.type == "html_inline" and _CHECKBOX in first.content:
            first.type = "task_checkbox"
            first.meta["checked"] = 'checked="checked"' in first.content
            first.content = ""


def label_task_checkboxes(md: MarkdownIt) -> None:
    """Install after ``tasklists_plugin``: its checkboxes become ``task_checkbox`` tokens."""
    md.core.ruler.after("github-tasklists", "task_checkbox", _task_checkbox_rule)


def _render_task_checkbox(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    checked = bool(tokens[idx].meta.get("checked"))
    text = inline_text(tokens[idx + 1 :], env.get("cite"), env.get(HOLES))
    if MARK in text:  # a citation or a label in the item's text
        return deferred(env, "checkbox", checkbox_html, checked, text)
    return checkbox_html(env, checked, text)


def checkbox_html(env: EnvType, checked: bool, text: str) -> str:
    """A read-only checkbox named by its state and the item's text ("Done: write intro"), so
    a screen reader says what the box is about and whether it is ticked."""
    text = " ".join(fill_marks(text, env.get(PIECES, ())).split())
    name = ("Done" if checked else "Not done") + (f": {text}" if text else "")
    state = ' checked="checked"' if checked else ""
    return (
        f'<input class="task-list-item-checkbox"{state} disabled="disabled" type="checkbox"'
        f' aria-label="{escapeHtml(name)}">'
    )


_INLINE_TAGS = ("strong_open", "strong_close", "em_open", "em_close")
"""Emphasis tokens, rendered by :func:`_render_inline_tag`."""


def install_render_rules(md: MarkdownIt) -> None:
    """Register the dialect's HTML renderers (citations and math register their own)."""
    md.add_render_rule("link_open", _render_link_open)
    for kind in _INLINE_TAGS:
        md.add_render_rule(kind, _render_inline_tag)
    md.add_render_rule("image", _render_image)
    md.add_render_rule("fence", make_fence_renderer())
    md.add_render_rule("toc", _render_toc)
    md.add_render_rule("footnote_anchor_name", _footnote_anchor_name)
    md.add_render_rule("softbreak", _render_softbreak)
    md.add_render_rule("code_block", _render_code_block)
    md.add_render_rule("html_inline", _render_raw_html)
    md.add_render_rule("html_block", _render_raw_html)
    md.add_render_rule("hashtag", _render_hashtag)
    md.add_render_rule("task_checkbox", _render_task_checkbox)
