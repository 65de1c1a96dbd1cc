"""Highlighted code's colours: every Pygments token reaches WCAG AAA (7:1) on the background
it is drawn on, keeping its hue."""

from __future__ import annotations

import colorsys
import re
import subprocess
import sys

import pytest

from papernotes.markdown.code import (
    DARK_CODE_BG,
    LIGHT_CODE_BG,
    MIN_CONTRAST,
    contrast_ratio,
    pygments_css,
    with_contrast,
)

from conftest import REPO


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#fff", "#FFFFFF", 1.0),
        ("#777777", "#ffffff", 4.48),
        ("#0a58ca", "#ffffff", 6.44),
        ("#e6edf3", "#0d1117", 16.02),
    ],
)
def test_contrast_ratio_is_wcag_2(a: str, b: str, expected: float) -> None:
    assert contrast_ratio(a, b) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(b, a) == contrast_ratio(a, b)


def _hue(colour: str) -> float:
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return colorsys.rgb_to_hls(*(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)))[0]


@pytest.mark.parametrize(
    ("colour", "background", "expected"),
    [
        # Already enough: unchanged, as written.
        ("#1f2328", "#ffffff", "#1f2328"),
        ("#A00000", "#f6f8fa", "#A00000"),
        # Too light on a light background: darker, same hue.
        ("#008000", "#f6f8fa", "#006300"),
        ("#3D7B7B", "#f6f8fa", "#2e5c5c"),
        ("#666", "#f6f8fa", "#555555"),
        ("#A2F", "#f6f8fa", "#7f00cf"),
        # Too dark on a dark background: lighter, same hue.
        ("#8B949E", "#161b22", "#9ea6ae"),
        ("#FF7B72", "#161b22", "#ff7e76"),
        ("#56D364", "#0F5323", "#bbedc0"),
    ],
)
def test_with_contrast_moves_lightness_just_far_enough(
    colour: str, background: str, expected: str
) -> None:
    result = with_contrast(colour, background)
    assert result == expected
    assert contrast_ratio(result, background) >= MIN_CONTRAST
    if result != colour:
        assert _hue(result) == pytest.approx(_hue(colour), abs=0.01)
        # Just far enough: a step less in the same direction would not do.
        assert contrast_ratio(result, background) < MIN_CONTRAST + 0.15


_RULE = re.compile(r"^[ ]*(?P<selector>[^{\n]+?) \{ (?P<body>[^}]*) \}", re.M)
_SCOPES = (
    ".highlight",
    '[data-theme="dark"] .highlight',
    ':root:not([data-theme="light"]) .highlight',
)


def test_every_token_colour_reaches_aaa_on_its_background() -> None:
    css = pygments_css()
    rules = [(m["selector"], m["body"]) for m in _RULE.finditer(css)]
    backgrounds = {
        selector: re.search(r"background: (#\w+)", body)[1]  # type: ignore[index]
        for selector, body in rules
        if selector in _SCOPES
    }
    assert backgrounds == {
        _SCOPES[0]: LIGHT_CODE_BG,
        _SCOPES[1]: DARK_CODE_BG,
        _SCOPES[2]: DARK_CODE_BG,
    }
    checked = 0
    for selector, body in rules:
        scope = max((s for s in _SCOPES if selector.startswith(s)), key=len)
        own = re.search(r"background-color: (#\w+)", body)
        under = own[1] if own else backgrounds[scope]
        for colour in re.findall(r"(?<![-\w])color: (#\w+)", body):
            assert contrast_ratio(colour, under) >= MIN_CONTRAST, (selector, colour, under)
            checked += 1
    assert checked > 200  # light, dark and the dark media query's copy
    assert ".hll" not in css  # a highlighted-line background the colours were not checked on


def test_code_backgrounds_are_the_themes_bg_soft() -> None:
    css = (REPO / "templates" / "static" / "style.css").read_text(encoding="utf-8")
    soft = re.findall(r"--bg-soft: (#\w+);", css)
    assert soft == [LIGHT_CODE_BG, DARK_CODE_BG, DARK_CODE_BG]


_IMPORTS_PYGMENTS = """
import sys
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser
md = make_parser()
parse_body(md, {first!r})
before = "pygments" in sys.modules
parse_body(md, {second!r})
print(before, "pygments" in sys.modules)
"""


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("```\nplain\n```\n\n```mermaid\ngraph TD\n```\n", "```math\nx\n```\n", "False False"),
        ("no code at all\n", "```python\nx = 1\n```\n", "False True"),
    ],
)
def test_pygments_is_loaded_only_for_a_fence_with_a_language(
    first: str, second: str, expected: str
) -> None:
    code = _IMPORTS_PYGMENTS.format(first=first, second=second)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert done.stdout.split() == expected.split()


def test_a_snippet_is_highlighted_once_per_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    import pygments

    from papernotes.markdown import code as code_module
    from papernotes.markdown.factory import make_parser

    calls: list[str] = []
    real = pygments.highlight

    def counted(source: str, *args: object) -> str:
        calls.append(source)
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pygments, "highlight", counted)
    md = make_parser()
    same = "```python\nx = 1\n```\n"
    first = md.render(same)
    assert md.render(same) == first
    assert md.render("```ruby\nx = 1\n```\n") != first  # another language: its own lexer
    assert md.render("```python\ny = 2\n```\n") != first
    assert calls == ["x = 1\n", "x = 1\n", "y = 2\n"]
    # Bounded: after as many other snippets as it keeps, the first is highlighted again.
    for i in range(code_module.HIGHLIGHTS_KEPT):
        md.render(f"```python\nz = {i}\n```\n")
    calls.clear()
    assert md.render(same) == first
    assert calls == ["x = 1\n"]
    # A snippet longer than what is kept is highlighted each time.
    calls.clear()
    long = "```python\n" + "x = 1\n" * (code_module.HIGHLIGHT_KEPT_CHARS // 6 + 1) + "```\n"
    assert md.render(long) == md.render(long)
    assert len(calls) == 2
