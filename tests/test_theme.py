"""A library's theme is untrusted: it renders in a sandbox and reads only the theme folders."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from papernotes.theme import load_theme

from conftest import note_text, write_note

SECRET = "SECRET-KEY-MATERIAL"


def _library(tmp_path: Path, templates: dict[str, str]) -> Path:
    root = tmp_path / "lib"
    write_note(root, "a.md", note_text("A", extra="tags: [x]\n"))
    for name, text in templates.items():
        path = root / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    "payload",
    [
        "cycler.__init__.__globals__.os.system('touch {flag}')",
        "lipsum.__globals__['os'].system('touch {flag}')",
        "self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch {flag}')",
        "joiner.__init__.__globals__.os.popen('touch {flag}').read()",
        "''.__class__.__mro__[1].__subclasses__()",
        "'{0.__class__.__init__.__globals__}'.format(cycler)",
        "site.__class__",
        "[].append(1)",
        "range(10 ** 6) | list",
        "'x' * 10 ** 9",
        "10 ** 1000000000",
        "lipsum(10 ** 6)",
        "'x' | center(10 ** 9)",
        "'x'.ljust(10 ** 9)",
        "'%1000000000s' % 'x'",
        "'{:>1000000000}'.format(1)",
    ],
)
def test_a_theme_cannot_run_code_or_exhaust_memory(tmp_path: Path, cli, payload: str) -> None:
    flag = tmp_path / "pwned"
    page = "{% extends 'base.html' %}\n{% block main %}\n{{ " + payload + " }}\n{% endblock %}\n"
    root = _library(tmp_path, {"tag.html": page.replace("{flag}", str(flag))})
    result = cli("build", "--root", str(root))
    assert result.code == 1
    assert not flag.exists()
    assert "Traceback" not in result.err
    assert "templates/tag.html:3: error: the theme tried an unsafe operation: " in result.err
    assert "themes may only use the variables, filters and tests papernotes gives" in result.err


def test_the_default_theme_is_sandboxed_too(tmp_path: Path) -> None:
    assert isinstance(load_theme(tmp_path).env, ImmutableSandboxedEnvironment)


def test_a_theme_reads_no_file_outside_its_folders(tmp_path: Path, cli) -> None:
    secret = tmp_path / "home" / "id_ed25519"
    secret.parent.mkdir()
    secret.write_text(SECRET, encoding="utf-8")
    page = (
        "{% extends 'base.html' %}\n{% block main %}\n{% include 'leak.html' %}\n{% endblock %}\n"
    )
    root = _library(tmp_path, {"tag.html": page, "static/ok.css": "p {}"})
    (root / "templates" / "leak.html").symlink_to(secret)
    (root / "templates" / "static" / "key.txt").symlink_to(secret)
    result = cli("build", "--root", str(root))
    assert result.code == 1
    real = secret.resolve()
    assert f"templates/leak.html: warning: links outside the library (→ {real})" in result.err
    assert f"templates/static/key.txt: warning: links outside the library (→ {real})" in result.err
    assert "templates/tag.html:3: error: template: leak.html" in result.err
    assert "Traceback" not in result.err

    (root / "templates" / "tag.html").unlink()  # what is left builds, without the secret
    result = cli("build", "--root", str(root))
    assert result.code == 0, result.err
    site = root / "site"
    assert (site / "static" / "ok.css").is_file()
    assert not (site / "static" / "key.txt").exists()
    assert all(SECRET.encode() not in p.read_bytes() for p in site.rglob("*") if p.is_file())


def test_include_cannot_climb_out_of_the_theme(tmp_path: Path, cli) -> None:
    page = "{% include '../papers/a.md' %}\n"
    root = _library(tmp_path, {"index.html": page})
    result = cli("build", "--root", str(root))
    assert result.code == 1
    assert "templates/index.html:1: error: template: ../papers/a.md" in result.err


def test_a_templates_folder_linked_from_outside_is_not_used(tmp_path: Path, cli) -> None:
    theme = tmp_path / "home"
    theme.mkdir()
    (theme / "index.html").write_text(SECRET, encoding="utf-8")
    root = tmp_path / "lib"
    write_note(root, "a.md", note_text("A"))
    (root / "templates").symlink_to(theme, target_is_directory=True)
    result = cli("build", "--root", str(root))
    assert result.code == 0
    real = theme.resolve()
    assert f"templates: warning: links outside the library (→ {real})" in result.err
    assert "the default theme is used instead" in result.err
    assert SECRET not in (root / "site" / "index.html").read_text("utf-8")


def test_a_template_that_is_not_utf8_is_an_error_not_a_traceback(tmp_path: Path, cli) -> None:
    root = _library(tmp_path, {})
    (root / "templates").mkdir()
    (root / "templates" / "index.html").write_bytes(b"caf\xe9\n")
    result = cli("build", "--root", str(root))
    assert result.code == 1
    assert "templates/index.html:1: error: template: not UTF-8 text" in result.err


def test_a_template_is_read_once_for_all_the_pages_of_a_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "templates").mkdir()
    own = tmp_path / "templates" / "mine.html"
    own.write_text("{% include '_part.html' %}!", encoding="utf-8")
    (tmp_path / "templates" / "_part.html").write_text("part", encoding="utf-8")
    env = load_theme(tmp_path).env
    assert env.get_template("mine.html").render() == "part!"
    asked: list[str] = []
    monkeypatch.setattr("os.path.getmtime", lambda p: asked.append(str(p)) or 0.0)
    for _ in range(3):
        assert env.get_template("mine.html").render() == "part!"
    assert asked == []  # no template's file looked at again, page after page


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("1 / 0", "division by zero"),
        ("1 + 'a'", "unsupported operand type(s) for +: 'int' and 'str'"),
        ("range(10) | random(5)", "do_random() takes 2 positional arguments but 3 were given"),
    ],
)
def test_a_theme_whose_code_fails_is_told_at_its_line(
    tmp_path: Path, cli, expression: str, said: str
) -> None:
    page = "{% extends 'base.html' %}\n{% block main %}\n{{ " + expression + " }}\n{% endblock %}\n"
    root = _library(tmp_path, {"tag.html": page})
    result = cli("build", "--root", str(root))
    assert result.code == 1
    assert "internal error" not in result.err
    assert "Traceback" not in result.err
    assert f"templates/tag.html:3: error: template: {said}" in result.err
    assert "fix templates/tag.html, or delete it to use the default theme's" in result.err
    assert not (root / "site").exists()


def test_a_recursive_macro_is_the_themes_error(tmp_path: Path, cli) -> None:
    page = (
        "{% extends 'base.html' %}\n{% block main %}\n"
        "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}\n{% endblock %}\n"
    )
    result = cli("build", "--root", str(_library(tmp_path, {"tag.html": page})))
    assert result.code == 1
    assert "templates/tag.html:3: error: template: maximum recursion depth exceeded" in result.err
    assert "internal error" not in result.err


def test_a_missing_template_says_which_file_to_add(tmp_path: Path, cli) -> None:
    page = (
        "{% extends 'base.html' %}\n{% block main %}\n{% include 'card.html' %}\n{% endblock %}\n"
    )
    result = cli("build", "--root", str(_library(tmp_path, {"tag.html": page})))
    assert result.code == 1
    assert "templates/tag.html:3: error: template: card.html" in result.err
    assert "add templates/card.html to the library" in result.err


def test_a_mistake_on_every_page_is_said_once_with_the_count(tmp_path: Path, cli) -> None:
    root = tmp_path / "lib"
    for i, tag in enumerate("pqrs"):
        write_note(root, f"n{i}.md", note_text(f"N{i}", extra=f"tags: [{tag}]\n"))
    page = "{% extends 'base.html' %}\n{% block main %}\n{{ missing_value }}\n{% endblock %}\n"
    (root / "templates").mkdir()
    (root / "templates" / "tag.html").write_text(page, encoding="utf-8")
    result = cli("build", "--root", str(root))
    assert result.code == 1
    said = [line for line in result.err.splitlines() if "missing_value" in line]
    assert said == [
        "templates/tag.html:3: error: template: 'missing_value' is undefined (on 4 pages)"
        " (use a variable the page is given, as the default theme's template of the same name"
        " does, or test it first: {% if name is defined %})"
    ]
    assert "4 notes, 0 warnings, 1 errors" in result.out


def test_an_exception_of_the_default_theme_is_not_blamed_on_the_library(tmp_path: Path) -> None:
    from papernotes.foreign import theme_raised

    own, default = tmp_path / "templates", tmp_path / "default"
    try:
        1 / 0  # noqa: B018
    except ZeroDivisionError as exc:
        assert not theme_raised(exc, (own, default))  # raised here, in no theme file
        assert not theme_raised(exc, (default,))
        assert theme_raised(exc, (Path(__file__).parent, default))


def test_repeats_are_folded_in_order_of_first_meeting() -> None:
    from papernotes.errors import error
    from papernotes.foreign import fold_repeats

    a, b = error("templates/a.html", 1, "x"), error("templates/b.html", 2, "y")
    folded = fold_repeats([a, b, a, a, b, error("templates/c.html", 3, "z")])
    assert [d.message for d in folded] == ["x (on 3 pages)", "y (on 2 pages)", "z"]
    assert fold_repeats([]) == ()
