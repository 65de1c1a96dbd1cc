"""The on-disk response cache: what is stored comes back; anything else is a miss."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from papernotes.fetch.cache import Answer, ResponseCache

URL = "https://api.example.org/work/1"


def _cached_file(cache: ResponseCache) -> Path:
    key = ResponseCache.key("GET", URL, "application/json")
    return cache.folder / key[:2] / f"{key}.json"


def test_a_stored_answer_comes_back_marked_as_cached(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    cache.put("GET", URL, "application/json", Answer(URL, 200, "{}", "application/json"))
    got = cache.get("GET", URL, "application/json")
    assert got == Answer(URL, 200, "{}", "application/json", from_cache=True)
    assert [p.name for p in tmp_path.rglob(".tmp-*")] == []  # no temp file left behind


@pytest.mark.parametrize(
    ("method", "url", "accept"),
    [
        ("HEAD", URL, "application/json"),
        ("GET", URL + "?x", "application/json"),
        ("GET", URL, "*/*"),
    ],
)
def test_a_different_request_is_a_miss(tmp_path: Path, method: str, url: str, accept: str) -> None:
    cache = ResponseCache(tmp_path)
    cache.put("GET", URL, "application/json", Answer(URL, 200, "{}"))
    assert cache.get(method, url, accept) is None


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        json.dumps({"method": "GET", "url": "https://other", "accept": "application/json"}),
        json.dumps(
            {"method": "GET", "url": URL, "accept": "application/json", "status": "200", "text": ""}
        ),
        json.dumps(
            {"method": "GET", "url": URL, "accept": "application/json", "status": 200, "text": 1}
        ),
    ],
)
def test_unusable_records_are_misses(tmp_path: Path, content: str) -> None:
    cache = ResponseCache(tmp_path)
    path = _cached_file(cache)
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    assert cache.get("GET", URL, "application/json") is None


def test_a_planted_symlink_is_never_followed(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "cache")
    secret = tmp_path / "secret.json"
    record = {"method": "GET", "url": URL, "accept": "application/json", "status": 200}
    secret.write_text(json.dumps({**record, "text": "secret"}), encoding="utf-8")
    path = _cached_file(cache)
    path.parent.mkdir(parents=True)
    os.symlink(secret, path)
    assert cache.get("GET", URL, "application/json") is None
    cache.put("GET", URL, "application/json", Answer(URL, 200, "new"))
    assert json.loads(secret.read_text(encoding="utf-8"))["text"] == "secret"


def test_an_unwritable_cache_only_costs_a_refetch(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    cache = ResponseCache(blocker)
    cache.put("GET", URL, "application/json", Answer(URL, 200, "{}"))  # no exception
    assert cache.get("GET", URL, "application/json") is None
