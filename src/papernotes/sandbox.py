"""The Jinja sandbox every theme renders in (imported only when templates are rendered)."""

from __future__ import annotations

import functools
import os
import re
import types
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache, FileSystemBytecodeCache
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Macro
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

__all__ = ["MAX_ITEMS", "ThemeSandbox", "bytecode_cache"]

MAX_ITEMS = 10_000_000
"""The largest string, list or number (in bits) a template may make with ``*`` or ``**``:
far beyond any page, far below what would exhaust the memory or the CPU."""


class ThemeSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with ``*`` and ``**`` bounded, remembering which attributes
    of which types are safe.

    Jinja's checks (a leading ``_``, Python internals such as ``__globals__`` or ``mro``,
    methods that change a list, dict or set) depend only on the object's type and the
    attribute's name, so the answer is kept per (type, name): rendering thousands of pages
    asks the same few hundred questions, and asking them afresh made rendering about 1.5×
    slower than without a sandbox (about 1.2× with this).
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._safe: dict[tuple[type, str], bool] = {}
        _bound_growth(self)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    def getattr(self, obj: Any, attribute: str) -> Any:
        # ``n.meta.heading``: an attribute known safe whose value is not a method needs none
        # of Jinja's further steps (``str.format`` wrapped, the safety asked again). Anything
        # else (a method, a missing or unsafe attribute, one not seen yet) goes the whole way.
        if self._safe.get((type(obj), attribute)):
            try:
                value = getattr(obj, attribute)
            except AttributeError:
                pass
            else:
                if not isinstance(value, _METHODS):
                    return value
        return super().getattr(obj, attribute)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # A template calls a macro, or a plain function or method it was given (``url``),
        # tens of thousands of times a build; Jinja asks of each call whether the callable is
        # marked unsafe and what context it wants. A macro is never marked and wants the
        # evaluation context; a function with nothing in its ``__dict__`` (a method: its
        # function's) carries none of those marks (``unsafe_callable``, ``alters_data``,
        # ``jinja_pass_arg``) and wants nothing. Everything else is asked as Jinja asks.
        kind = type(__obj)
        if kind is types.MethodType:
            function = __obj.__func__
            plain = type(function) is types.FunctionType and not function.__dict__
        else:
            plain = kind is types.FunctionType and not __obj.__dict__
        if kind is types.BuiltinMethodType and isinstance(getattr(__obj, "__self__", None), str):
            _check(_str_method_size(__obj.__self__, __obj.__name__, args), __obj.__name__)
        if plain or kind is Macro:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            if kind is Macro:
                args = (__context.eval_ctx, *args)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Context.call has it
                return __context.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        # ``'{:>1000000000}'.format(x)``: a field as wide as the theme says.
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text, call = value.__self__, wrapped

        def bounded(*args: Any, **kwargs: Any) -> str:
            named = [v for a in args if isinstance(a, Mapping) for v in a.values()]  # format_map
            _check(_widths(text, (*args, *named, *kwargs.values())), value.__name__)
            return call(*args, **kwargs)

        return bounded

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check(_size(operator, left, right), operator)
        return super().call_binop(context, operator, left, right)


_METHODS = (types.MethodType, types.BuiltinMethodType)
"""What Jinja's ``wrap_str_format`` looks at: a bound ``format`` may hide under any name."""


def _check(size: int, what: str) -> None:
    if size > MAX_ITEMS:
        raise SecurityError(f"'{what}' would make a value too large to render")


_FIELD = re.compile(r"%[-+ #0]*(\d*)(?:\.(\d+))?|\{[^{}:]*:[^{}\d]*(\d*)(?:\.(\d+))?")
"""A ``%`` field's or a ``format`` field's width and precision."""
_NESTED = re.compile(r"%[-+ #0]*\*|%[-+ #0]*\d*\.\*|\{[^{}]*\{")
"""A field that takes its width or precision from the arguments."""


def _widths(text: object, args: Any = ()) -> int:
    """Roughly how long a ``%`` or ``format`` string's result may be: its length and its
    widest field (``%*s`` and ``{:>{}}`` take theirs from ``args``)."""
    text = str(text)
    numbers = [int(n) for m in _FIELD.finditer(text) for n in m.groups() if n and len(n) < 30]
    if _NESTED.search(text):
        values = args if isinstance(args, tuple | list) else (args,)
        numbers += [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
    return len(text) + max(numbers, default=0)


def _replaced(text: str, old: object, new: object, count: object = -1) -> int:
    """How long ``text.replace(old, new, count)`` would be."""
    times = len(text) + 1 if str(old) == "" else text.count(str(old))
    if isinstance(count, int) and count >= 0:
        times = min(times, count)
    return len(text) + times * len(str(new))


def _str_method_size(text: str, name: str, args: tuple[Any, ...]) -> int:
    """Roughly how long the string a string method makes would be: the padding methods by
    their width, ``expandtabs`` and ``replace`` by what they multiply."""
    first = args[0] if args else None
    if name in ("ljust", "rjust", "center", "zfill") and isinstance(first, int):
        return first
    if name == "expandtabs" and isinstance(first, int):
        return len(text) + text.count("\t") * first
    if name == "replace" and len(args) >= 2:
        return _replaced(text, args[0], args[1], *args[2:3])
    return 0  # ``format``: wrapped by ``wrap_str_format``


def _bound_growth(env: Any) -> None:
    """Give ``env``'s filters and ``lipsum`` that make a value as large as the theme asks
    (``'x'|center(10**9)``: a gigabyte; ``lipsum(10**6)``: minutes) the bound of ``*``."""
    filters = env.filters

    def bounded(name: str, size: Callable[..., int]) -> None:
        original = filters[name]
        skip = 1 if hasattr(original, "jinja_pass_arg") else 0  # the context Jinja passes

        @functools.wraps(original)  # with its ``jinja_pass_arg``
        def guarded(*args: Any, **kwargs: Any) -> Any:
            _check(size(*args[skip:], **kwargs), name)
            return original(*args, **kwargs)

        filters[name] = guarded

    def indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> int:
        lines = str(s).count("\n") + 1
        return len(str(s)) + lines * (width if isinstance(width, int) else len(str(width)))

    bounded("center", lambda value, width=80, *_, **__: width if isinstance(width, int) else 0)
    bounded("indent", indent)
    bounded("format", lambda value, *args, **__: _widths(value, args))
    bounded("replace", lambda s, old, new, count=None, **__: _replaced(str(s), old, new, count))
    # A list a slice: as many as ``range`` may make.
    bounded("slice", lambda value, slices, *_, **__: slices * (MAX_ITEMS // MAX_RANGE))
    bounded("batch", lambda value, count, fill=None, **__: 0 if fill is None else count)
    lipsum = env.globals["lipsum"]

    def bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> Any:
        _check(n * max * 8, "lipsum")  # ~8 characters a word
        return lipsum(n, html, min, max)

    env.globals["lipsum"] = bounded_lipsum


def _size(operator: str, left: Any, right: Any) -> int:
    """Roughly how big ``left operator right`` would be (items, characters or bits)."""
    if operator == "%":
        return _widths(left, right) if isinstance(left, str) else 0
    ints = isinstance(left, int) and isinstance(right, int)
    if operator == "**" and ints:
        return max(right, 0) * max(left.bit_length(), 1) if abs(left) > 1 else 0
    if operator == "*":
        if isinstance(right, int) and isinstance(left, str | bytes | list | tuple):
            return len(left) * right
        if isinstance(left, int) and isinstance(right, str | bytes | list | tuple):
            return len(right) * left
    return 0


class _ThemeCode(FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, for the templates papernotes ships only: a
    library's own templates (in a temporary folder, in tests) would each add a file for good."""

    def __init__(self, shipped: tuple[str, ...], pattern: str) -> None:
        super().__init__(pattern=pattern)
        self._shipped = shipped

    def get_bucket(self, environment: Any, name: str, filename: str | None, source: str) -> Bucket:
        if filename is None or not filename.startswith(self._shipped):
            return Bucket(environment, "", self.get_source_checksum(source))  # never stored
        return super().get_bucket(environment, name, filename, source)

    def set_bucket(self, bucket: Bucket) -> None:
        if bucket.key:
            super().set_bucket(bucket)


def bytecode_cache(shipped: Path) -> BytecodeCache | None:
    """Jinja's compiled templates of the default theme (the folder ``shipped``) kept between
    runs, or None where that cannot be done safely.

    Compiling the templates a one-note rebuild renders was a quarter of a second of it. They
    are kept in Jinja's own per-user folder of the system's temporary directory (which it
    makes private, and refuses when another user owns it), never in the library, whose
    ``.papernotes/`` may come from someone else: loading compiled code runs it. Jinja checks
    each entry against its template's source; the name carries papernotes' version, as the
    sandbox compiles ``*`` and ``**`` its own way."""
    from papernotes import __version__

    try:
        folders = tuple(str(p) + os.sep for p in (shipped, shipped.resolve()))
        return _ThemeCode(folders, f"papernotes-{__version__}-%s.cache")
    except (OSError, RuntimeError):  # no private temporary folder: compile every time
        return None
