"""The theme sandbox: Jinja's immutable sandbox with ``*`` and ``**`` bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from papernotes.sandbox import MAX_ITEMS, ThemeSandbox


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 'ab' * 3 }}", "ababab"),
        ("{{ 2 ** 10 }}", "1024"),
        ("{{ [1] * 2 }}", "[1, 1]"),
        ("{{ 3 * 'x' }}", "xxx"),
        ("{{ 1 ** 100000000 }}", "1"),  # a power of 1 stays small however large the exponent
    ],
)
def test_ordinary_arithmetic_renders(template: str, expected: str) -> None:
    assert ThemeSandbox().from_string(template).render() == expected


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'x' * 100000000 }}",
        "{{ 100000000 * 'x' }}",
        "{{ [0] * 20000000 }}",
        "{{ 10 ** 10000000 }}",
    ],
)
def test_values_too_large_to_render_are_refused(template: str) -> None:
    with pytest.raises(SecurityError, match="too large"):
        ThemeSandbox().from_string(template).render()


def test_the_bound_is_the_one_documented() -> None:
    env = ThemeSandbox()
    assert env.from_string("{{ 'x' * n }}").render(n=MAX_ITEMS) == "x" * MAX_ITEMS
    with pytest.raises(SecurityError):
        env.from_string("{{ 'x' * n }}").render(n=MAX_ITEMS + 1)


def test_unsafe_attributes_stay_unsafe_when_the_answer_is_remembered() -> None:
    env = ThemeSandbox()
    for _ in range(2):  # the second time answers from the per-(type, name) memo
        with pytest.raises(SecurityError, match="__globals__"):
            env.from_string("{{ f.__globals__.x }}").render(f=_function)
        with pytest.raises(SecurityError, match="append"):
            env.from_string("{{ items.append(1) }}").render(items=[])
        assert env.from_string("{{ s.upper() }}").render(s="ok") == "OK"
    assert env.is_safe_attribute("a", "upper", "a".upper)
    assert not env.is_safe_attribute("a", "_private", None)


def _function() -> None:
    """A function whose internals a template must not reach."""


def test_compiled_templates_are_kept_outside_the_library_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from papernotes.theme import load_theme

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    library = tmp_path / "lib"
    library.mkdir()
    first = load_theme(library)
    first.env.get_template("404.html")
    kept = [p.name for p in (tmp_path / "tmp").rglob("papernotes-*.cache")]
    assert kept and not (library / ".papernotes").exists()
    second = load_theme(library)

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(second.env, "compile", refuse)
    assert second.env.get_template("404.html").name == "404.html"  # from the kept code


def test_a_template_that_changed_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from papernotes.theme import load_theme

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    library = tmp_path / "lib"
    (library / "templates").mkdir(parents=True)
    own = library / "templates" / "404.html"
    outputs = []
    for text in ("<p>one</p>", "<p>two, longer</p>"):
        own.write_text(text, encoding="utf-8")
        outputs.append(load_theme(library).env.get_template("404.html").render())
    assert outputs == ["<p>one</p>", "<p>two, longer</p>"]
    # A library's own templates are not kept: each library would add files for good.
    assert not list((tmp_path / "tmp").rglob("papernotes-*.cache"))


class _Holder:
    """An object a template reads attributes of: one a bound ``str.format`` under another name."""

    def __init__(self) -> None:
        self.fmt = "{0.__class__.__mro__}".format
        self.title = "a title"

    def shout(self, text: str) -> str:
        return text.upper()


def test_calls_and_attributes_on_the_quick_path_stay_sandboxed() -> None:
    from jinja2 import pass_context
    from jinja2.sandbox import unsafe

    @unsafe
    def marked() -> str:
        return "ran"

    @pass_context
    def wants_context(ctx: object, name: str) -> object:
        return ctx[name]  # type: ignore[index]

    def stops() -> str:
        raise StopIteration

    env = ThemeSandbox()
    holder = _Holder()
    for _ in range(2):  # the second time, the attribute's safety is remembered
        with pytest.raises(SecurityError, match="not safely callable"):
            env.from_string("{{ f() }}").render(f=marked)
        assert env.from_string("{{ f('x') }}").render(f=wants_context, x=7) == "7"
        assert env.from_string("[{{ f() }}]").render(f=stops) == "[]"
        with pytest.raises(SecurityError):  # str.format is sandboxed whatever its name
            env.from_string("{{ h.fmt(1) }}").render(h=holder)
        assert env.from_string("{{ h.title }} {{ h.shout('y') }}").render(h=holder) == "a title Y"


def test_macros_and_plain_functions_skip_jinjas_call_checks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jinja2.runtime import Context

    asked: list[object] = []
    original = Context.call

    def counted(self: Context, obj: object, *args: object, **kwargs: object) -> object:
        asked.append(obj)
        return original(self, obj, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Context, "call", counted)
    source = (
        "{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}"
        "{% for i in items %}{{ twice(f(i)) }}{{ h.shout('a') }}{% endfor %}"
    )
    html = ThemeSandbox().from_string(source).render(items=[1, 2], f=lambda i: i * 10, h=_Holder())
    assert html == "1010A2020A"
    assert asked == []


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'x' | center(10 ** 9) }}",
        "{{ 'x' | indent(10 ** 9) }}",
        "{{ 'x' | indent('y' * 10 ** 6) ~ ('a\\n' * 100) | indent('y' * 10 ** 6) }}",
        "{{ '%s' | format('x') | center(10 ** 9) }}",
        "{{ '%*s' | format(10 ** 9, 'x') }}",
        "{{ ('x' * 10 ** 6) | replace('', 'y' * 100) }}",
        "{{ [1] | slice(10 ** 9) | list }}",
        "{{ [1] | batch(10 ** 9, 0) | list }}",
        "{{ lipsum(10 ** 6) }}",
        "{{ lipsum(5, max=10 ** 7) }}",
        "{{ 'x'.ljust(10 ** 9) }}",
        "{{ 'x'.zfill(10 ** 9) }}",
        "{{ ('\\t' * 10 ** 6).expandtabs(1000) }}",
        "{{ ('x' * 10 ** 6).replace('', 'y' * 100) }}",
        "{{ '%1000000000s' % 'x' }}",
        "{{ '%*s' % (10 ** 9, 'x') }}",
        "{{ '%.1000000000f' % 1.0 }}",
        "{{ '{:>1000000000}'.format(1) }}",
        "{{ '{:>{}}'.format(1, 10 ** 9) }}",
        "{{ '{x:>{w}}'.format_map({'x': 1, 'w': 10 ** 9}) }}",
    ],
)
def test_what_grows_by_a_size_the_theme_names_is_bounded(template: str) -> None:
    with pytest.raises(SecurityError, match="would make a value too large to render"):
        ThemeSandbox().from_string(template).render()


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ 'x' | center(5) }}", "  x  "),
        ("{{ 'a\\nb' | indent(2) }}", "a\n  b"),
        ("{{ '%d items' | format(123456789012) }}", "123456789012 items"),
        ("{{ '%5.2f' % 3.14159 }}", " 3.14"),
        ("{{ '%s of %s' % (2020, 12345678901) }}", "2020 of 12345678901"),
        ("{{ '{:,}'.format(12345678901) }}", "12,345,678,901"),
        ("{{ '{} and {}'.format('a', 10 ** 12) }}", "a and 1000000000000"),
        ("{{ '{:>4}|'.format(1) }}", "   1|"),
        ("{{ 'abc' | replace('b', 'X') }}", "aXc"),
        ("{{ 'x'.ljust(3) }}|", "x  |"),
        ("{{ [1, 2, 3] | slice(2) | list }}", "[[1, 2], [3]]"),
        ("{{ [1, 2, 3] | batch(2, 0) | list }}", "[[1, 2], [3, 0]]"),
        ("{{ lipsum(2, html=False) | wordcount > 20 }}", "True"),
        ("{{ lipsum(1).startswith('<p>') }}", "True"),
    ],
)
def test_ordinary_uses_of_those_still_render(template: str, expected: str) -> None:
    assert ThemeSandbox(autoescape=True).from_string(template).render() == expected
