"""Accessibility fixes found on real vaults: task-list checkboxes named by their state and
text, and drawn mermaid diagrams that are images with a name and their source as a text
alternative; checked by axe-core with every rule, light and dark, over HTTP."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Page, expect
from test_browser import _axe_violations

from papernotes.markdown._types import CiteTarget, RenderContext
from papernotes.markdown.body import render_body
from papernotes.markdown.extract import parse_body
from papernotes.markdown.factory import make_parser

from conftest import note_text, write_note

FLOW = "graph TD\n  A[Start] --> B{Works?}\n  B -->|yes| C[Ship]\n"
TITLED = "flowchart LR\n  accTitle: Training loop\n  A --> B\n"
TASKS = "- [x] Read **Sec. 2** [@kingma2015adam]\n- [ ] Check the `configs/`\n- [X] Done too\n"


def _target(key: str) -> CiteTarget | None:
    return CiteTarget("Kingma & Ba, 2015", "Adam", "kingma2015adam.html") if key else None


def _html(text: str, *, allow_html: bool = False) -> str:
    md = make_parser(allow_html=allow_html)
    ctx = RenderContext(cite=_target, local=lambda url: url)
    return render_body(md, parse_body(md, text), ctx).html


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize(
    ("item", "name", "checked"),
    [
        (0, "Done: Read Sec. 2 (Kingma &amp; Ba, 2015)", True),
        (1, "Not done: Check the configs/", False),
        (2, "Done: Done too", True),
    ],
)
def test_a_task_checkbox_is_named_by_its_state_and_text(
    allow_html: bool, item: int, name: str, checked: bool
) -> None:
    boxes = re.findall(r"<input[^>]*>", _html(TASKS, allow_html=allow_html))
    assert len(boxes) == 3
    box = boxes[item]
    assert f'aria-label="{name}"' in box, box
    assert 'disabled="disabled"' in box and 'type="checkbox"' in box  # still read-only
    assert ('checked="checked"' in box) is checked


def test_an_empty_task_is_named_by_its_state_alone() -> None:
    assert 'aria-label="Not done"' in _html("- [ ] %%only a comment%%\n")


def test_task_lists_keep_their_text_and_classes() -> None:
    html = _html(TASKS)
    assert '<ul class="contains-task-list">' in html
    assert html.count('<li class="task-list-item"><input class="task-list-item-checkbox"') == 3
    assert "<strong>Sec. 2</strong>" in html and "[x]" not in html and "[X]" not in html


def _fence(source: str) -> str:
    return f"```mermaid\n{source}```\n\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from papernotes.cli.main import main

    root = tmp_path_factory.mktemp("a11y")
    body = "Reading list.\n\n" + TASKS + "\n" + _fence(FLOW) + _fence(TITLED)
    write_note(
        root, "kingma2015adam.md", note_text("Adam", extra="id: kingma2015adam\n", body=body)
    )
    out = root / "site"
    assert main(["build", "--root", str(root), "--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_tasks_and_diagrams_pass_every_axe_rule(
    page: Page, http_base: str, theme: Literal["light", "dark"]
) -> None:
    page.emulate_media(color_scheme=theme)
    page.goto(http_base + "papers/kingma2015adam.html")
    expect(page.locator(".note-body pre.mermaid > svg")).to_have_count(2)
    expect(page.locator(".note-body details.mermaid-source:not([hidden])")).to_have_count(2)
    assert _axe_violations(page) == []
    # Open, the source is on the page too (focusable, as it may scroll sideways).
    page.locator(".note-body details.mermaid-source summary").first.click()
    expect(page.locator("#mermaid-source-1")).to_be_visible()
    assert _axe_violations(page) == []


def test_a_drawn_diagram_is_an_image_with_a_name_and_its_source(page: Page, http_base: str) -> None:
    page.goto(http_base + "papers/kingma2015adam.html")
    svgs = page.locator(".note-body pre.mermaid > svg")
    expect(svgs).to_have_count(2)
    first, titled = svgs.nth(0), svgs.nth(1)
    for svg in (first, titled):
        assert svg.get_attribute("role") == "img"
    assert first.get_attribute("aria-label") == "Diagram (flowchart-v2), source below"
    assert titled.get_attribute("aria-label") == "Training loop"  # its accTitle
    assert "mermaid-source-1" in (first.get_attribute("aria-describedby") or "").split()
    assert page.locator("#mermaid-source-1").text_content() == FLOW
    assert page.locator("#mermaid-source-2").text_content() == TITLED
    # The accessible tree: one named image per diagram, its description the source.
    snapshot = page.locator(".note-body").aria_snapshot()
    assert '- img "Training loop"' in snapshot, snapshot
    assert page.get_by_role("checkbox", name="Not done: Check the configs/").is_disabled()
    assert page.get_by_role("checkbox", name=re.compile(r"^Done: Read Sec\. 2")).is_checked()
