"""The ``exclude`` option: which files under the notes folder are neither notes nor published,
and that build, check, serve's watcher and migrate all follow the one rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.config import Config, load_config
from papernotes.errors import Severity
from papernotes.exclude import DEFAULT_EXCLUDE, Exclude, excluded, matching
from papernotes.load import input_files, load_sources
from papernotes.serve.watch import watch_filter

NOTE = "---\nid: {key}\ntitle: {key}\nauthors: [A. Author]\nyear: 2020\n---\n{body}\n"
TEMPLATE = "---\nid: {{citekey}}\ntitle: {{title}}\nauthors: {{authors}}\nyear: {{date}}\n---\n"


@pytest.mark.parametrize(
    ("pattern", "path", "matched"),
    [
        ("templates/", "templates/paper.md", True),
        ("templates/", "meta/templates/paper.md", True),  # no "/" inside: any depth
        ("templates/", "templates.md", False),  # a trailing "/" names folders only
        ("templates/", "templates", False),
        ("templates", "templates", True),
        ("templates", "my-templates/x.md", False),
        ("private/**", "private/a/b.md", True),
        ("private/**", "notes/private/b.md", False),  # a "/" inside anchors it
        ("/private/", "private/x.md", True),
        ("/private/", "a/private/x.md", False),
        ("**/*.excalidraw.md", "Excalidraw/Drawing 2023.excalidraw.md", True),
        ("**/*.excalidraw.md", "top.excalidraw.md", True),
        ("**/*.excalidraw.md", "a/b/c.excalidraw.md", True),
        ("**/*.excalidraw.md", "excalidraw.md", False),
        ("*.excalidraw.md", "deep/x.excalidraw.md", True),
        ("drafts/*.md", "drafts/a.md", True),
        ("drafts/*.md", "drafts/sub/a.md", False),  # "*" does not cross a "/"
        ("drafts/*.md", "drafts/a.png", False),
        ("a?c.md", "abc.md", True),
        ("a?c.md", "a/c.md", False),
        ("[ab].md", "b.md", True),
        ("[!ab].md", "b.md", False),
        ("[!ab].md", "c.md", True),
        ("a/**/z.md", "a/z.md", True),
        ("a/**/z.md", "a/b/c/z.md", True),
        ("# a comment", "# a comment", False),
    ],
)
def test_patterns(pattern: str, path: str, matched: bool) -> None:
    assert excluded(path, (pattern,)) is matched


def test_the_last_matching_pattern_decides() -> None:
    patterns = ("drafts/", "!drafts/keep.md")
    assert excluded("drafts/wip.md", patterns)
    assert not excluded("drafts/keep.md", patterns)
    assert matching("drafts/wip.md", patterns) == "drafts/"


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("templates/literature-note.md", True),
        ("0_meta/templates/Planner.md", True),
        ("private/diary.md", True),
        ("Excalidraw/Drawing 2022-05-01.excalidraw.md", True),
        ("peft/lora.md", False),
        ("peft/figures/lora.svg", False),
        ("Excalidraw/Drawing.png", False),
    ],
)
def test_defaults(path: str, matched: bool) -> None:
    assert Config().excludes == Exclude(DEFAULT_EXCLUDE, default=True)
    assert excluded(path, Config().excludes.patterns) is matched


def _vault(root: Path, config: str | None = None) -> Path:
    papers = root / "papers"
    for folder in ("templates", "Excalidraw", "private", "peft"):
        (papers / folder).mkdir(parents=True)
    (papers / "templates" / "paper.md").write_text(TEMPLATE, encoding="utf-8")
    drawing = "---\nexcalidraw-plugin: parsed\n---\n# Drawing\n```json\n{}\n```\n"
    (papers / "Excalidraw" / "Sketch.excalidraw.md").write_text(drawing, encoding="utf-8")
    (papers / "private" / "diary.md").write_text("dear diary", encoding="utf-8")
    (papers / "private" / "photo.png").write_bytes(b"png")
    body = (
        "See [[Sketch.excalidraw]] and [the diary](../private/diary.md).\n\n![[Sketch.excalidraw]]"
    )
    (papers / "peft" / "lora.md").write_text(NOTE.format(key="lora", body=body), encoding="utf-8")
    if config is not None:
        (root / "papernotes.yaml").write_text(config, encoding="utf-8")
    return root


def test_defaults_leave_out_templates_drawings_and_private_and_say_so_once(
    tmp_path: Path,
) -> None:
    root = _vault(tmp_path)
    config, diags = load_config(root)
    assert diags == ()
    sources, d_load = load_sources(root, "papers", config.excludes)
    assert [s.path for s in sources.notes] == ["papers/peft/lora.md"]
    assert sources.files == frozenset()
    assert sources.excluded == {
        "templates/paper.md",
        "Excalidraw/Sketch.excalidraw.md",
        "private/diary.md",
        "private/photo.png",
    }
    (note,) = d_load
    assert note.severity is Severity.NOTE
    assert note.promoted() == note  # --strict never fails a build over it
    assert note.message.startswith("4 files excluded by default: templates/ (1), ")
    assert "exclude: []" in (note.hint or "")


def test_exclude_empty_list_turns_the_defaults_off(tmp_path: Path) -> None:
    root = _vault(tmp_path, "exclude: []\n")
    config, diags = load_config(root)
    assert diags == () and config.excludes == Exclude((), default=False)
    sources, d_load = load_sources(root, "papers", config.excludes)
    assert len(sources.notes) == 4 and sources.excluded == frozenset()
    assert not [d for d in d_load if d.severity is Severity.NOTE]


def test_own_patterns_replace_the_defaults_and_are_not_announced(tmp_path: Path) -> None:
    root = _vault(tmp_path)
    (root / "pyproject.toml").write_text(
        '[tool.papernotes]\nexclude = ["private/**"]\n', encoding="utf-8"
    )
    config, diags = load_config(root)
    assert diags == () and config.exclude == ("private/**",)
    sources, d_load = load_sources(root, "papers", config.excludes)
    assert sources.excluded == {"private/diary.md", "private/photo.png"}
    assert d_load == ()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: T\nexclude: templates/\n", 2),
        ("exclude: {a: 1}\n", 1),
        ("exclude: [1, 2]\n", 1),
    ],
)
def test_exclude_that_is_not_a_list_is_an_error_with_file_line_and_fix(
    tmp_path: Path, text: str, line: int
) -> None:
    (tmp_path / "papernotes.yaml").write_text(text, encoding="utf-8")
    config, diags = load_config(tmp_path)
    (d,) = diags
    assert d.severity is Severity.ERROR
    assert d.format().startswith(f"papernotes.yaml:{line}: error: exclude: expected a list")
    assert "exclude: [templates/, private/**]" in (d.hint or "")
    assert config.exclude is None


def test_a_link_to_an_excluded_file_says_so(tmp_path: Path, cli) -> None:
    root = _vault(tmp_path)
    run = cli("check", "--root", str(root))
    lines = run.err.splitlines()
    excluded_lines = [ln for ln in lines if "an excluded file" in ln]
    assert len(excluded_lines) == 3, run.err  # the wikilink, the Markdown link, the embed
    assert all(ln.startswith("papers/peft/lora.md:") for ln in excluded_lines)
    assert any("private/diary.md, an excluded file" in ln for ln in excluded_lines)
    assert "no such file" not in run.err and "unknown citation key" not in run.err
    assert sum("excluded by default" in ln for ln in lines) == 1
    assert "1 notes" in run.out


def test_build_publishes_no_excluded_file(tmp_path: Path, cli) -> None:
    root = _vault(tmp_path)
    run = cli("build", "--root", str(root), "-q")
    assert run.code == 0, run.err
    site = root / "site"
    published = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert not [p for p in published if "private" in p or "diary" in p or "paper.md" in p]
    assert not [p for p in published if "excalidraw" in p.lower()]
    assert "{{citekey}}" not in run.err  # the template was never read as a note


@pytest.mark.parametrize(
    ("rel", "relevant"),
    [
        ("papers/peft/lora.md", True),
        ("papers/templates/paper.md", False),
        ("papers/Excalidraw/Sketch.excalidraw.md", False),
        ("papers/private/photo.png", False),
        ("templates/note.html", True),  # the theme's templates, outside the notes folder
    ],
)
def test_the_watcher_ignores_excluded_files(tmp_path: Path, rel: str, relevant: bool) -> None:
    root = _vault(tmp_path)
    _, keep = watch_filter(root, "papers", Config().excludes.patterns)
    assert keep(None, str(root.resolve() / rel)) is relevant


def test_input_files_and_migrate_skip_excluded_files(tmp_path: Path, cli) -> None:
    root = _vault(tmp_path)
    found = {p.relative_to(root).as_posix() for p in input_files(root, "papers", DEFAULT_EXCLUDE)}
    assert found == {"papers/peft/lora.md"}
    template = (root / "papers" / "templates" / "paper.md").read_bytes()
    run = cli("migrate", "--root", str(root), "--write")
    assert run.code == 0, run.err
    assert "templates" not in run.out + run.err
    assert (root / "papers" / "templates" / "paper.md").read_bytes() == template
