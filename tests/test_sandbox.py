"""The theme sandbox: Jinja's immutable sandbox with ``*`` and ``**`` bounded."""

from __future__ import annotations

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
