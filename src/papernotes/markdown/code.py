"""Fenced code: Pygments highlighting with CSS classes, and the stylesheet for its classes;
``mermaid`` fences are left for the vendored mermaid script to draw in the browser.

Pygments is imported only when a fence names a language whose code it has not highlighted
before (or the stylesheet is made): a build that renders no such fence does not load it, nor
does an edit of a note that leaves its code as it was (:data:`HIGHLIGHTED`)."""

from __future__ import annotations

import colorsys
import html
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from papernotes._lazy import lazy_pattern

if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

__all__ = [
    "HIGHLIGHTED",
    "contrast_ratio",
    "fence_lang",
    "has_diagram",
    "is_diagram_asset",
    "is_diagram_fence",
    "known_highlights",
    "make_fence_renderer",
    "pygments_css",
    "with_contrast",
]

LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"

# What highlighted code is drawn on: style.css's --bg-soft in each theme, as every other <pre>,
# rather than each Pygments style's own background; the token colours are checked against it.
LIGHT_CODE_BG = "#f6f8fa"
DARK_CODE_BG = "#161b22"

MIN_CONTRAST = 7.0
"""WCAG AAA for normal-size text; no stock Pygments style reaches it for every token."""

MERMAID_OPEN = '<pre class="mermaid">'
"""How a diagram starts in a body's HTML: what mermaid-init.js draws, and what
:func:`has_diagram` looks for."""

DIAGRAM_ASSETS = ("static/mermaid/", "static/mermaid-init.js")
"""The theme's static files that only pages with a diagram load (a folder ends in ``/``)."""

HIGHLIGHTS_KEPT = 256
"""How many distinct (language, code) snippets a fence renderer keeps highlighted."""
HIGHLIGHT_KEPT_CHARS = 8192
"""The longest snippet kept: so what is kept stays under a few megabytes (a long listing is
seldom repeated)."""

HIGHLIGHTED = "papernotes_highlighted"
"""The key, in a parser's options, of what a build knows Pygments makes of some code without
asking it: (language, code) → the highlighted HTML (:func:`known_highlights` of the note's
last template, given while that note is parsed again: ``incremental.highlights``)."""

_HIGHLIGHTED_BLOCK = re.compile(
    r'<pre class="highlight" tabindex="0"><code class="language-([^"<>]*+)">'
    r'((?:[^<]++|<span class="[^"<>]*+">|</span>)*+)</code></pre>\n'
)
_SPAN = re.compile(r"<[^>]*+>")

FenceRenderer = Callable[[RendererProtocol, Sequence[Token], int, OptionsDict, EnvType], str]


def make_fence_renderer() -> FenceRenderer:
    """A ``fence`` render rule; each parser gets its own lexer table and formatter (both
    reusable), made at its first fence with a language."""
    lexers: dict[str, Lexer | None] = {}
    formatters: list[HtmlFormatter[str]] = []
    # The same snippet (a setup line, a loss function, a template copied from note to note)
    # is highlighted once: Pygments is a fifth of parsing a note with one fence. Bounded, so a
    # library of distinct snippets keeps only the last few.
    done: dict[tuple[str, str], str] = {}

    def lexer_for(lang: str) -> Lexer | None:
        if lang not in lexers:
            from pygments.lexers import get_lexer_by_name
            from pygments.util import ClassNotFound

            try:
                # stripnl would drop leading blank lines the author kept on purpose.
                lexers[lang] = get_lexer_by_name(lang, stripnl=False)
            except ClassNotFound:
                lexers[lang] = None
        return lexers[lang]

    def highlighted(code: str, lang: str, lexer: Lexer) -> str:
        key = (lang, code)
        body = done.get(key)
        if body is not None:
            return body
        from pygments import highlight
        from pygments.formatters import HtmlFormatter

        if not formatters:
            formatters.append(HtmlFormatter(nowrap=True))
        body = highlight(code, lexer, formatters[0])
        if len(code) <= HIGHLIGHT_KEPT_CHARS:
            if len(done) >= HIGHLIGHTS_KEPT:
                del done[next(iter(done))]  # the oldest
            done[key] = body
        return body

    def render_fence(
        self: RendererProtocol,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        token = tokens[idx]
        lang = fence_lang(token.info)
        code = token.content
        if lang == "math":  # GitLab/GitHub-style display math fence
            return f'<div class="math display">{escapeHtml(code.strip())}</div>\n'
        if lang == "mermaid":
            # Escaped: the source is the note's, and mermaid reads it back as text.
            return f"{MERMAID_OPEN}{escapeHtml(code)}</pre>\n"
        if not lang:
            return f'<pre tabindex="0"><code>{escapeHtml(code)}</code></pre>\n'
        cls = f' class="language-{escapeHtml(lang)}"'
        known = options.get(HIGHLIGHTED)
        body = known.get((lang, code)) if known else None
        if body is None:
            lexer = lexer_for(lang)
            if lexer is None:
                return f'<pre tabindex="0"><code{cls}>{escapeHtml(code)}</code></pre>\n'
            body = highlighted(code, lang, lexer)
        return f'<pre class="highlight" tabindex="0"><code{cls}>{body}</code></pre>\n'

    return render_fence


def known_highlights(body_html: str) -> dict[tuple[str, str], str]:
    """What Pygments made of each fence in ``body_html``, as the fence renderer wrote it (a
    body's HTML before any of it is filled in or sanitized: raw HTML could write the same):
    (language, code) → the highlighted HTML.

    The code is the text of the highlighted HTML: Pygments' tokens hold the text they were
    made of, so it is the code as the lexer read it, and the same code highlights the same.
    Only code the lexer reads as it is (ending in a newline, without a carriage return or a
    leading byte order mark, which it changes) is taken."""
    found: dict[tuple[str, str], str] = {}
    for match in _HIGHLIGHTED_BLOCK.finditer(body_html):
        lang, body = html.unescape(match[1]), match[2]
        code = html.unescape(_SPAN.sub("", body))
        if code.endswith("\n") and "\r" not in code and not code.startswith("\ufeff"):
            found[(lang, code)] = body
    return found


def fence_lang(info: str) -> str:
    """A fence's language: the first word of its info string, lower-cased ("" if none)."""
    words = info.split(maxsplit=1)
    return words[0].lower() if words else ""


def is_diagram_fence(token: Token) -> bool:
    """Whether ``token`` is a fence that renders as a mermaid diagram."""
    return token.type == "fence" and fence_lang(token.info) == "mermaid"


def has_diagram(html: str) -> bool:
    """Whether a body's HTML has a mermaid diagram, so its page must load mermaid."""
    return MERMAID_OPEN in html


def is_diagram_asset(path: str) -> bool:
    """Whether a site path ("static/mermaid/mermaid.min.js") is one of :data:`DIAGRAM_ASSETS`."""
    return any(path == a or (a.endswith("/") and path.startswith(a)) for a in DIAGRAM_ASSETS)


def _channels(colour: str) -> tuple[float, float, float]:
    """``#rgb`` or ``#rrggbb`` as sRGB channels in 0..1."""
    digits = colour.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return r, g, b


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{round(v * 255):02x}" for v in (r, g, b))


def _luminance(colour: str) -> float:
    def linear(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(v) for v in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2's contrast ratio of two hex colours, from 1 to 21."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def with_contrast(colour: str, background: str, ratio: float = MIN_CONTRAST) -> str:
    """``colour`` if it reaches ``ratio`` on ``background``; otherwise the same HSL hue and
    saturation with the lightness moved towards black (on a light background) or white (on a
    dark one) just far enough, so a token keeps its colour and only gets darker or lighter."""
    if contrast_ratio(colour, background) >= ratio:
        return colour
    hue, lightness, saturation = colorsys.rgb_to_hls(*_channels(colour))
    darken = contrast_ratio("#000000", background) >= contrast_ratio("#ffffff", background)
    # Bisect between the colour and the extreme; test the rounded hex, which is what ships.
    near, far = lightness, (0.0 if darken else 1.0)
    best = _hex(*colorsys.hls_to_rgb(hue, far, saturation))
    for _ in range(24):
        middle = (near + far) / 2
        candidate = _hex(*colorsys.hls_to_rgb(hue, middle, saturation))
        if contrast_ratio(candidate, background) >= ratio:
            best, far = candidate, middle
        else:
            near = middle
    return best


_OWN_BACKGROUND = lazy_pattern(r"background-color: (#[0-9a-fA-F]{3,6})\b")
_TEXT_COLOUR = lazy_pattern(r"(?<![-\w])color: (#[0-9a-fA-F]{3,6})\b")
_BACKGROUND = lazy_pattern(r"(?<![-\w])background: #[0-9a-fA-F]{3,6}\b")


def _style_defs(style: str, scope: str, background: str) -> str:
    """The style's rules under ``scope``, drawn on ``background`` with every text colour at
    ``MIN_CONTRAST`` against it (or against the rule's own background-color)."""
    from pygments.formatters import HtmlFormatter

    defs: str = HtmlFormatter(style=style).get_style_defs(scope)  # type: ignore[no-untyped-call]
    rules = []
    # Keep only the scoped rules: the others would restyle every <pre> and line number. .hll
    # marks hl_lines, which papernotes never sets; its colour would undo the contrast below.
    for line in defs.splitlines():
        if not line.startswith(scope) or line.startswith(f"{scope} .hll "):
            continue
        if line.startswith(f"{scope} {{"):
            line = _BACKGROUND().sub(f"background: {background}", line)
        rules.append(_raised(line, background))
    return "\n".join(rules)


def _raised(rule: str, background: str) -> str:
    """``rule`` with its text colour at ``MIN_CONTRAST`` on the rule's own background-color
    (Pygments' diff styles have one) or else on ``background``."""
    own = _OWN_BACKGROUND().search(rule)
    under = own.group(1) if own else background
    return _TEXT_COLOUR().sub(lambda m: f"color: {with_contrast(m.group(1), under)}", rule)


def pygments_css() -> str:
    """Stylesheet for highlighted code: light by default, dark for ``data-theme="dark"`` or
    the system preference when the page has not chosen ``data-theme="light"``. Every token
    colour reaches ``MIN_CONTRAST`` on the code background."""
    light = _style_defs(LIGHT_STYLE, ".highlight", LIGHT_CODE_BG)
    dark = _style_defs(DARK_STYLE, '[data-theme="dark"] .highlight', DARK_CODE_BG)
    auto = _style_defs(DARK_STYLE, ':root:not([data-theme="light"]) .highlight', DARK_CODE_BG)
    auto = "\n".join("  " + line for line in auto.splitlines())
    return (
        f"/* Pygments {LIGHT_STYLE} (light), colours raised to {MIN_CONTRAST:g}:1 */\n{light}\n\n"
        f"/* Pygments {DARK_STYLE} (dark), colours raised to {MIN_CONTRAST:g}:1 */\n{dark}\n\n"
        f"@media (prefers-color-scheme: dark) {{\n{auto}\n}}\n"
    )
