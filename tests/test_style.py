"""The default theme's palette (templates/static/style.css): every text colour reaches WCAG AAA
(7:1) on every background it is drawn on, in the light and the dark theme."""

from __future__ import annotations

import re

import pytest

from papernotes.markdown.code import MIN_CONTRAST, contrast_ratio

from conftest import REPO

CSS = (REPO / "templates" / "static" / "style.css").read_text(encoding="utf-8")


def _themes() -> list[dict[str, str]]:
    """The colour variables of :root, the prefers-color-scheme block and [data-theme=dark]."""
    blocks = re.findall(r":root[^{]*\{([^}]*--bg:[^}]*)\}", CSS)
    return [dict(re.findall(r"--([\w-]+): (#[0-9a-f]{6});", block)) for block in blocks]


def test_the_two_dark_blocks_are_identical() -> None:
    light, auto, dark = _themes()
    assert auto == dark
    assert auto.keys() == light.keys() and len(light) == 11


# (text, backgrounds): the pairs style.css draws.
PAIRS = [
    ("fg", ("bg", "bg-soft", "bg-raise", "accent-soft", "mark")),
    ("muted", ("bg", "bg-soft", "bg-raise")),
    ("accent", ("bg", "bg-soft", "bg-raise", "accent-soft")),
    ("warn", ("bg", "bg-soft", "bg-raise")),
    ("ok", ("bg", "bg-soft", "bg-raise")),
]


@pytest.mark.parametrize("theme", [0, 2], ids=["light", "dark"])
@pytest.mark.parametrize(("text", "backgrounds"), PAIRS, ids=[p[0] for p in PAIRS])
def test_text_colours_reach_aaa(theme: int, text: str, backgrounds: tuple[str, ...]) -> None:
    colours = _themes()[theme]
    for background in backgrounds:
        ratio = contrast_ratio(colours[text], colours[background])
        assert ratio >= MIN_CONTRAST, (text, background, round(ratio, 2))


def test_marked_text_takes_the_body_colour_and_stars_reach_aaa() -> None:
    assert re.search(r"\nmark \{ background: var\(--mark\); color: var\(--fg\);", CSS)
    light, _, dark = _themes()
    stars = re.findall(r"\.rating \{ color: (#\w+)", CSS)
    assert len(stars) == 3
    assert contrast_ratio(stars[0], light["bg"]) >= MIN_CONTRAST
    assert all(contrast_ratio(s, dark["bg"]) >= MIN_CONTRAST for s in stars[1:])
