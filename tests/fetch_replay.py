"""Recorded API answers (tests/fixtures/http) replayed through httpx.MockTransport.

No test touches the network: every request is answered here, from a fixture file shaped
like the real API's answer, or by an override that simulates a failure.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote

import httpx

from papernotes.fetch.http import CACHE_DIR, Http, Policy, ResponseCache, make_client

FIXTURES = Path(__file__).parent / "fixtures" / "http"
Handler = Callable[[httpx.Request], httpx.Response]


def slug(text: str) -> str:
    return re.sub(r"[/:]", "_", text)


def fixture(*parts: str) -> str:
    return FIXTURES.joinpath(*parts).read_text(encoding="utf-8")


def _find(folder: str, name: str) -> Path | None:
    for path in (FIXTURES / folder).iterdir():
        if path.name.lower() == name.lower():
            return path
    return None


@dataclass
class FakeClock:
    """A monotonic clock that sleeping advances; records every sleep."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Replay:
    """A MockTransport handler serving the fixtures; ``overrides`` win by URL substring."""

    overrides: dict[str, Handler] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    clock: FakeClock = field(default_factory=FakeClock)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        for needle, handler in self.overrides.items():
            if needle in url:
                return handler(request)
        host = request.url.host
        if host == "export.arxiv.org":
            return self._arxiv(request)
        if host == "api.crossref.org":
            return self._file("crossref", request.url.path.removeprefix("/works/"), ".json")
        if host == "doi.org":
            return self._file("csl", request.url.path.lstrip("/"), ".json")
        if host == "api.semanticscholar.org":
            return self._s2(request)
        return httpx.Response(404, text="no fixture for " + url)

    def _file(self, folder: str, ident: str, suffix: str) -> httpx.Response:
        path = _find(folder, slug(unquote(ident)) + suffix)
        if path is None:
            return httpx.Response(404, text="Resource not found.")
        return httpx.Response(
            200, text=path.read_text(encoding="utf-8"), headers={"Content-Type": "application/json"}
        )

    def _s2(self, request: httpx.Request) -> httpx.Response:
        path = unquote(request.url.path.removeprefix("/graph/v1/paper/"))
        kind = ".refs.json" if path.endswith("/references") else ".paper.json"
        ident = path.removesuffix("/references")
        found = _find("s2", slug(ident) + kind)
        if found is None:
            return httpx.Response(404, json={"error": f"Paper with id {ident} not found"})
        return httpx.Response(200, text=found.read_text(encoding="utf-8"))

    def _arxiv(self, request: httpx.Request) -> httpx.Response:
        query = parse_qs(request.url.query.decode())
        ids = query.get("id_list", [""])[0].split(",")
        files = [p for i in ids if (p := _find("arxiv", slug(i) + ".xml")) is not None]
        if not files:
            return _atom(fixture("arxiv", "empty.xml"))
        if len(files) == 1:
            return _atom(files[0].read_text(encoding="utf-8"))
        texts = [p.read_text(encoding="utf-8") for p in files]
        entries = "".join(t[t.index("<entry>") : t.rindex("</entry>") + 8] for t in texts)
        head = texts[0][: texts[0].index("<entry>")]
        head = re.sub(
            r">1</opensearch:totalResults>", f">{len(files)}</opensearch:totalResults>", head
        )
        return _atom(f"{head}{entries}\n</feed>\n")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def http(self, root: Path | None = None, **kwargs: object) -> Http:
        """An Http that replays, with a fake clock, caching under ``root`` if given."""
        cache = ResponseCache(root / CACHE_DIR) if root is not None else None
        return Http(
            make_client("test@example.org", transport=self.transport()),
            cache=cache,
            clock=self.clock.monotonic,
            sleep=self.clock.sleep,
            wall=lambda: 1_700_000_000.0,
            **kwargs,  # type: ignore[arg-type]
        )

    def factory(self) -> Callable[[Path, argparse.Namespace, Callable[[str], None]], Http]:
        """A stand-in for ``cli_fetch.http_factory``."""

        def make(root: Path, args: argparse.Namespace, on_request: Callable[[str], None]) -> Http:
            return self.http(
                root,
                offline=getattr(args, "offline", False),
                refresh=getattr(args, "refresh", False),
                on_request=on_request,
                policy=Policy(),
            )

        return make

    def hosts(self) -> list[str]:
        return [r.url.host for r in self.requests]


def _atom(text: str) -> httpx.Response:
    return httpx.Response(200, text=text, headers={"Content-Type": "application/atom+xml"})


def json_response(status: int, data: object) -> httpx.Response:
    return httpx.Response(status, text=json.dumps(data))
