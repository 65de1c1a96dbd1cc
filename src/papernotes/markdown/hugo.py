"""Hugo's markup in notes written for a Hugo site: heading attributes and a few shortcodes.

- ``## Method {#method .wide}``: the heading's anchor is ``h-method`` (sanitised and made
  unique like every anchor; the ``h-`` prefix keeps it off DOM globals and the page's own ids,
  and ``[[note#Method]]`` lands on it) and it gets the classes; the braces are not shown;
- ``{{< figure src="x.png" caption="…" >}}``: an image (resolved like any local image) in a
  ``<figure>`` with the caption, Markdown, as ``<figcaption>`` when the shortcode is alone;
- ``{{< ref "other.md" >}}`` / ``relref``, also as ``[text]({{< ref "other.md#sec" >}})``: a
  wikilink token, so the note is found, linked and counted as a wikilink would be;
- ``{{% callout note %}}…{{% /callout %}}``: the callout block ``callout.py`` writes;
- any other shortcode: a ``hugo_shortcode`` token shown as text (escaped), reported by
  :func:`unsupported_shortcodes`. Nothing in a shortcode is ever run.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from papernotes._lazy import lazy_pattern
from papernotes.markdown.callout import CALLOUT_STYLES

__all__ = ["UnsupportedShortcode", "hugo_plugin", "shortcode_args", "unsupported_shortcodes"]

# ``{{< name args >}}`` or ``{{% name args %}}`` on one line; ``{{</* … */>}}`` is Hugo's way
# to write a shortcode as text, so it is not one.
_SHORTCODE = re.compile(r"\{\{([<%])\s*(/?)([A-Za-z][\w.-]*)((?:[^<>%\n]|<(?!\}))*?)\s*([>%])\}\}")
_ARG = lazy_pattern(r"""(?:([\w-]+)=)?(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|'([^']*)'|([^\s"'`]+))""")
_REF_LINK = lazy_pattern(r"\[([^\[\]\n]*)\]\(\s*(\{\{[<%][^\n]*?[>%]\}\})\s*\)")
_HEADING_ATTRS = lazy_pattern(r"[ \t]*\{((?:[ \t]*[#.][\w-]+)+)[ \t]*\}[ \t]*$")
_MARKS = lazy_pattern(r"[*_`]")
_REFS = frozenset({"ref", "relref"})
_BLOCKS = frozenset({"figure", "callout"})


class UnsupportedShortcode(NamedTuple):
    """A shortcode papernotes shows as text, where it was written in the body."""

    name: str
    """The shortcode's name: ``youtube``."""
    shown: str
    """How it is named in a message, with its delimiters: ``{{< youtube >}}``, ``{{% x %}}``."""
    line: int
    """1-based line in the body."""
    col: int
    """1-based column in the body."""


def shortcode_args(text: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """Positional and named arguments: ``"a.md" width=3 caption="x \\"y\\""``."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for m in _ARG().finditer(text):
        name, dq, bq, sq, bare = m.groups()
        value = dq.replace('\\"', '"') if dq is not None else (bq or sq or bare or "")
        if name:
            named[name] = value
        else:
            positional.append(value)
    return tuple(positional), named


def _ref_target(path: str) -> tuple[str, str]:
    """The note and heading a ref names: ``/post/a/index.md#M`` → (post/a/index.md, M),
    ``adam.md`` → (adam, "") (found by its file name, as a wikilink's target is)."""
    target, _, heading = path.partition("#")
    target = target.strip().strip("/")
    stem, ext = posixpath.splitext(posixpath.basename(target))
    if ext.lower() == ".md" and "/" in target:
        return target, heading.strip()  # a path from the notes folder: the library knows it
    return (stem if ext.lower() == ".md" or not ext else stem + ext), heading.strip()


def _wikilink(state: StateInline, args: str, alias: str, pos: int) -> bool:
    positional, named = shortcode_args(args)
    path = named.get("path") or (positional[0] if positional else "")
    key, heading = _ref_target(path)
    if not key:
        return False
    token = state.push("wikilink", "", 0)
    token.content = path
    token.meta = {"key": key, "heading": heading, "alias": alias.strip(), "pos": pos}
    return True


def _image(state: StateInline, args: str, pos: int) -> None:
    _, named = shortcode_args(args)
    # The caption is Markdown; as alt text its emphasis marks would be read out.
    alt = named.get("alt") or named.get("title") or _MARKS().sub("", named.get("caption", ""))
    token = state.push("image", "img", 0)
    token.attrs = {"src": named.get("src", ""), "alt": ""}
    text = Token("text", "", 0)
    text.content = alt
    token.children = [text]
    token.content = alt
    token.meta["pos"] = pos


def _shortcode_inline(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src.startswith("[", pos) and state.linkLevel == 0:
        link = _REF_LINK().match(src, pos, state.posMax)
        inner = _SHORTCODE.fullmatch(link.group(2)) if link else None
        if link is None or inner is None or inner.group(3) not in _REFS:
            return False
        if not silent and not _wikilink(state, inner.group(4), link.group(1), pos):
            return False
        state.pos = link.end()
        return True
    if not src.startswith("{{", pos):
        return False
    m = _SHORTCODE.match(src, pos, state.posMax)
    if m is None:
        return False
    if not silent:
        name = m.group(3)
        if (
            m.group(2)
            or name not in _REFS | {"figure"}
            or (name in _REFS and not _wikilink(state, m.group(4), "", pos))
        ):
            token = state.push("hugo_shortcode", "", 0)
            token.content = m.group(0)
            token.meta = {"name": m.group(2) + name, "delims": m.group(1, 5), "pos": pos}
        elif name == "figure":
            _image(state, m.group(4), pos)
    state.pos = m.end()
    return True


def _block_token(state: StateBlock, kind: str, tag: str, nesting: int, line: int) -> Token:
    token = state.push(kind, tag, nesting)  # type: ignore[arg-type]
    token.map = [line, line + 1]
    token.block = True
    return token


def _inline(state: StateBlock, content: str, line: int) -> None:
    token = state.push("inline", "", 0)
    token.content = content
    token.map = [line, line + 1]
    token.children = []


def _figure(state: StateBlock, start: int, m: re.Match[str]) -> None:
    _, named = shortcode_args(m.group(4))
    _block_token(state, "hugo_figure_open", "figure", 1, start)
    _inline(state, m.group(0), start)  # the inline rule makes the image, located as written
    if caption := named.get("caption", "").strip():
        _block_token(state, "hugo_figcaption_open", "figcaption", 1, start)
        _inline(state, caption, start)
        _block_token(state, "hugo_figcaption_close", "figcaption", -1, start)
    _block_token(state, "hugo_figure_close", "figure", -1, start)


def _closing(state: StateBlock, start: int, end: int, name: str) -> int:
    for line in range(start + 1, end):
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        m = _SHORTCODE.fullmatch(text.strip())
        if m is not None and m.group(2) == "/" and m.group(3) == name:
            return line
    return -1


def _callout(state: StateBlock, start: int, end: int, m: re.Match[str]) -> bool:
    close = _closing(state, start, end, "callout")
    if close < 0:
        return False  # unclosed: the shortcode stays text, with its warning
    positional, named = shortcode_args(m.group(4))
    written = (positional[0] if positional else named.get("type", "note")) or "note"
    style = CALLOUT_STYLES.get(written.lower(), "note")
    opener = _block_token(state, "callout_open", "div", 1, start)
    opener.attrs = {"class": f"callout callout-{style}"}
    opener.map = [start, close + 1]
    title = _block_token(state, "callout_title_open", "div", 1, start)
    title.attrs = {"class": "callout-title"}
    _inline(state, written[:1].upper() + written[1:].lower(), start)
    _block_token(state, "callout_title_close", "div", -1, start)
    content = _block_token(state, "callout_content_open", "div", 1, start)
    content.attrs = {"class": "callout-content"}
    old_max = state.lineMax
    state.lineMax = close
    state.md.block.tokenize(state, start + 1, close)
    state.lineMax = old_max
    _block_token(state, "callout_content_close", "div", -1, close)
    _block_token(state, "callout_close", "div", -1, close)
    state.line = close + 1
    return True


def _shortcode_block(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """A figure alone on its line, or a callout's opening line."""
    if state.sCount[start] - state.blkIndent >= 4:
        return False
    text = state.src[state.bMarks[start] + state.tShift[start] : state.eMarks[start]].strip()
    m = _SHORTCODE.fullmatch(text)
    if m is None or m.group(2) or m.group(3) not in _BLOCKS:
        return False
    if m.group(3) == "figure":
        if not silent:
            _figure(state, start, m)
            state.line = start + 1
        return True
    if silent:
        return _closing(state, start, end, "callout") >= 0
    return _callout(state, start, end, m)


def _heading_attrs(state: StateCore) -> None:
    """Take ``{#id .class}`` off the end of a heading: the id becomes its anchor's base."""
    tokens = state.tokens
    for i, tok in enumerate(tokens[:-1]):
        inline = tokens[i + 1]
        if tok.type != "heading_open" or not inline.children:
            continue
        last = inline.children[-1]
        m = _HEADING_ATTRS().search(last.content) if last.type == "text" else None
        if m is None:
            continue
        last.content = last.content[: m.start()]
        inline.content = _HEADING_ATTRS().sub("", inline.content)
        for item in m.group(1).split():
            if item[0] == "#":
                tok.meta["anchor"] = item[1:]
            else:
                tok.attrJoin("class", item[1:])


def _render_shortcode(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return escapeHtml(tokens[idx].content)


def hugo_plugin(md: MarkdownIt) -> None:
    """Hugo heading attributes, figure/ref/relref/callout shortcodes; others shown as text."""
    alt = ["paragraph", "reference", "blockquote", "list"]
    md.block.ruler.before("paragraph", "hugo_shortcode", _shortcode_block, {"alt": alt})
    md.inline.ruler.before("link", "hugo_shortcode", _shortcode_inline)
    md.core.ruler.after("inline", "hugo_heading_attrs", _heading_attrs)
    md.add_render_rule("hugo_shortcode", _render_shortcode)


def unsupported_shortcodes(md: MarkdownIt, text: str) -> tuple[UnsupportedShortcode, ...]:
    """The shortcodes of a body shown as text, with line and column (none in code)."""
    if "{{<" not in text and "{{%" not in text:
        return ()  # most notes: no second parse
    lines = text.splitlines()
    found: list[UnsupportedShortcode] = []
    for block in md.parse(text, {}):
        for tok in block.children or ():
            if tok.type != "hugo_shortcode" or block.map is None or tok.meta["name"][0] == "/":
                continue  # a closing shortcode is the same one: one warning
            offset = int(tok.meta["pos"])
            row = block.map[0] + block.content.count("\n", 0, offset)
            source = lines[row] if row < len(lines) else ""
            col = source.find(tok.content)
            name, delims = tok.meta["name"], tok.meta["delims"]
            shown = f"{{{{{delims[0]} {name} {delims[1]}}}}}"
            found.append(UnsupportedShortcode(name, shown, row + 1, max(col, 0) + 1))
    return tuple(found)
