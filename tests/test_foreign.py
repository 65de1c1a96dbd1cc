"""The adapters of foreign errors, fed the exceptions the libraries really raise."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import yaml
from pybtex.database.input.bibtex import Parser
from pybtex.exceptions import PybtexError

from papernotes.errors import Location, Severity
from papernotes.fetch.netguard import Refused
from papernotes.foreign import (
    bibtex_error,
    link_failure,
    lookup_failure,
    template_error,
    template_file,
    yaml_error,
)
from papernotes.theme import UNSAFE_HINT, load_theme


def _yaml_exc(text: str) -> yaml.MarkedYAMLError:
    with pytest.raises(yaml.MarkedYAMLError) as info:
        yaml.safe_load(text)
    return info.value


@pytest.mark.parametrize(
    ("text", "first_line", "expected"),
    [
        # An unclosed flow list: PyYAML points at the end of the stream.
        ("a: [", 1, "papernotes.yaml:1:5: error: bad: expected the node content, but found"),
        # Front matter starts on line 2 of the note (after its ---).
        ("a: b\nc: d: e", 2, "papernotes.yaml:3:5: error: bad: mapping values are not allowed"),
        ('key: "open', 1, "papernotes.yaml:1:11: error: bad: found unexpected end of stream"),
        ("a:\n\tb: 1", 1, "papernotes.yaml:2:1: error: bad: found character '\\t' that cannot"),
    ],
)
def test_yaml_errors_name_line_and_column(text: str, first_line: int, expected: str) -> None:
    diag = yaml_error(_yaml_exc(text), "papernotes.yaml", "bad", first_line=first_line)
    assert diag.severity is Severity.ERROR
    assert diag.format().startswith(expected), diag.format()


def test_yaml_error_without_a_mark_uses_the_fallback_line() -> None:
    exc = _yaml_exc("a: [")
    exc.problem_mark = exc.context_mark = None
    assert yaml_error(exc, "p.md", "bad", unknown_line=1).where == Location("p.md", 1)
    assert yaml_error(exc, "c.yaml", "bad").where == Location("c.yaml")


_TEMPLATES = {
    "syntax.html": "<p>\n{% if x %}\n<b>\n",
    "undefined.html": "<p>\n\n{{ nothing.here }}\n",
    "unsafe.html": "<p>\n{{ ''.__class__ }}\n",
    "huge.html": "{{ 'x' * 10**10 }}\n",
    "outer.html": "line 1\n{% include 'inner.html' %}\n",
    "inner.html": "one\ntwo\n{{ 1 // 0 if missing_var else 0 }}\n",
}


@pytest.mark.parametrize(
    ("template", "where", "message"),
    [
        ("syntax.html", "templates/syntax.html:3", "template: Unexpected end of template."),
        ("undefined.html", "templates/undefined.html:3", "template: 'nothing' is undefined"),
        ("unsafe.html", "templates/unsafe.html:2", "the theme tried an unsafe operation: "),
        ("huge.html", "templates/huge.html:1", "the theme tried an unsafe operation: "),
        # A runtime error is placed in the innermost template it happened in.
        ("outer.html", "templates/inner.html:3", "template: 'missing_var' is undefined"),
    ],
)
def test_template_errors_name_the_theme_file_and_line(
    tmp_path: Path, template: str, where: str, message: str
) -> None:
    (tmp_path / "templates").mkdir()
    for name, text in _TEMPLATES.items():
        (tmp_path / "templates" / name).write_text(text, encoding="utf-8")
    theme = load_theme(tmp_path)
    with pytest.raises(Exception) as info:
        theme.env.get_template(template).render()
    diag = template_error(info.value, theme.dirs, template)
    assert str(diag.where) == where
    assert diag.message.startswith(message), diag.message
    if "unsafe" in message:
        assert diag.message.endswith(UNSAFE_HINT)


def test_template_file_outside_the_theme_is_kept_as_is(tmp_path: Path) -> None:
    assert template_file(str(tmp_path / "t" / "a.html"), [tmp_path / "t"]) == "templates/a.html"
    assert template_file("/elsewhere/a.html", [tmp_path / "t"]) == "/elsewhere/a.html"


@pytest.mark.parametrize(
    ("text", "col", "expected"),
    [
        # Errors after the block's first line keep pybtex's column as it is.
        ("@article{k,\n  title = {A} b,\n}", 1, "refs.bib:11:15: error: k: '}' expected"),
        ("@article{k,\n title = }", 1, "refs.bib:11:10: error: k: field value expected"),
        # On the first line, the column counts from where the block starts in the file.
        ('@article{k, title = "x" # }', 1, "refs.bib:10:27: error: k: field value expected"),
        ('@article{k, title = "x" # }', 3, "refs.bib:10:29: error: k: field value expected"),
    ],
)
def test_bibtex_syntax_errors_name_line_and_column(text: str, col: int, expected: str) -> None:
    with pytest.raises(PybtexError) as info:
        Parser().parse_string(text)
    assert bibtex_error(info.value, "refs.bib", "k", line=10, col=col).format() == expected


def test_bibtex_error_without_a_position_is_at_the_block() -> None:
    diag = bibtex_error(PybtexError("no entry could be read"), "refs.bib", "k", line=7)
    assert diag.format() == "refs.bib:7: error: k: no entry could be read"


def _raising(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def _loop(request: httpx.Request) -> httpx.Response:
    return httpx.Response(302, headers={"Location": str(request.url)})


def _http_exc(handler: Callable[[httpx.Request], httpx.Response], url: str) -> Exception:
    """The exception an httpx client really raises when ``handler`` answers ``url``."""
    with (
        httpx.Client(transport=httpx.MockTransport(handler), max_redirects=2) as client,
        pytest.raises(httpx.HTTPError) as info,
    ):
        client.get(url, follow_redirects=True)
    return info.value


_REFUSED = Refused("localhost", "127.0.0.1", "a loopback address")
_URL = "https://api.example.org/works/10.1/x"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (
            lambda: _http_exc(_raising(httpx.ConnectError("connection refused")), _URL),
            "Crossref: cannot connect to api.example.org (connection refused); "
            "check the network, or use --offline to answer from the cache",
        ),
        (
            lambda: _http_exc(_loop, _URL),
            f"Crossref: too many redirects for {_URL}",
        ),
        (
            lambda: _http_exc(_raising(httpx.UnsupportedProtocol("no  such\nscheme")), _URL),
            "Crossref: api.example.org: no such scheme",
        ),
        (
            lambda: _REFUSED,
            "Crossref: refused to contact localhost, which resolves to a loopback address "
            "127.0.0.1: metadata lookups only go to public addresses",
        ),
    ],
)
def test_lookup_failures_say_what_and_what_to_do(
    make: Callable[[], Exception], expected: str
) -> None:
    assert lookup_failure(make(), service="Crossref", url=_URL) == expected


def _invalid_url() -> Exception:
    with pytest.raises(httpx.InvalidURL) as info:
        httpx.URL("http://[::1")
    return info.value


@pytest.mark.parametrize(
    ("make", "via", "expected"),
    [
        (lambda: _http_exc(_raising(httpx.ReadTimeout("slow")), _URL), None, ("timed out", False)),
        (
            lambda: _http_exc(_raising(httpx.ConnectError("")), _URL),
            None,
            ("cannot connect (refused)", False),
        ),
        (lambda: _http_exc(_loop, _URL), None, ("Exceeded maximum allowed redirects.", False)),
        (lambda: _invalid_url(), None, ("not a valid URL (Invalid port: ':1')", False)),
        (
            lambda: OSError("Name or service not known"),
            None,
            ("cannot connect (Name or service not known)", False),
        ),
        (lambda: OSError(), None, ("cannot connect (no address)", False)),
        (
            lambda: _REFUSED,
            None,
            ("refused: localhost, which resolves to a loopback address 127.0.0.1; HINT", True),
        ),
        (
            lambda: _REFUSED,
            "http://localhost/",
            (
                "refused: redirects to localhost, which resolves to a loopback address "
                "127.0.0.1 (http://localhost/); HINT",
                True,
            ),
        ),
    ],
)
def test_link_failures(
    make: Callable[[], Exception], via: str | None, expected: tuple[str, bool]
) -> None:
    assert link_failure(make(), "HINT", via=via) == expected
