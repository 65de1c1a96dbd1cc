"""The build cache and stamp are untrusted input: a crafted one is ignored, never run, never
trusted with a path; one that cannot be written is only a warning; builds take turns."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from cachefiles import all_entries, bucket
from hypothesis import given, settings
from hypothesis import strategies as st

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental import cache as cache
from papernotes.incremental.entryfile import scan

from conftest import copy_fixture, note_text, site_tree, write_note


def _lib(tmp_path: Path) -> Path:
    root = copy_fixture("small", tmp_path)
    (root / "papers" / "hostile.md").unlink()  # its warnings are not what these tests are about
    return root


def _build(root: Path, **kw: object):  # type: ignore[no-untyped-def]
    config, _ = load_config(root)
    report = build(root, config, out=root / "site", **kw)  # type: ignore[arg-type]
    assert report.errors == 0, [d.format() for d in report.diagnostics]
    return report


def _cache_file(root: Path) -> Path:
    return root / ".papernotes" / "cache" / "index.json"


def _entries(root: Path) -> dict[str, bytes]:
    return all_entries(root)


class _Evil:
    """Unpickling this runs a shell command that creates a marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def test_a_warm_build_uses_the_cache_and_equals_a_cold_one(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    _build(root)
    assert _cache_file(root).is_file()
    assert not (root / ".papernotes" / "cache" / "build.pickle").exists()
    write_note(root, "new.md", note_text("New Paper", extra="id: newpaper\n"))
    warm = _build(root)
    assert warm.rendered < warm.pages  # most pages came from the cache
    clean = tmp_path / "clean"
    (clean / "papers").mkdir(parents=True)
    for p in (root / "papers").rglob("*"):
        if p.is_file():
            dest = clean / "papers" / p.relative_to(root / "papers")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(p.read_bytes())
    (clean / "papernotes.yaml").write_bytes((root / "papernotes.yaml").read_bytes())
    _build(clean, use_cache=False)
    assert site_tree(root / "site") == site_tree(clean / "site")


def test_a_cache_round_trips_through_json(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    _build(root)
    data = json.loads(_cache_file(root).read_bytes())
    loaded = cache.load_cache(root, data["key"])
    assert loaded is not None
    assert loaded.notes and loaded.bodies and loaded.pages and loaded.terms
    assert len(_entries(root)) == len(loaded.notes)  # one entry per note
    # Saving what was loaded gives the same bytes: nothing lost or changed on the way.
    before, entries = _cache_file(root).read_bytes(), _entries(root)
    cache.save_cache(root, loaded, {"extra": "", "inputs": {}})
    assert _cache_file(root).read_bytes() == before
    assert _entries(root) == entries
    # And written anew (nothing taken as already stored), they are the same bytes too: each
    # entry's parts, read from its file only now (``store``), go back as they were read.
    cache.save_cache(root, replace(loaded, stored={}), {"extra": "", "inputs": {}})
    assert _entries(root) == entries
    # Once written, what was loaded reads its undecoded parts from the new files alike.
    again = cache.load_cache(root, data["key"])
    assert again is not None
    assert {k: loaded.bodies[k] for k in loaded.bodies} == {
        k: again.bodies[k] for k in again.bodies
    }
    assert [n.body for _, n, _ in loaded.notes.values() if n] == [
        n.body for _, n, _ in again.notes.values() if n
    ]


@pytest.mark.parametrize("name", ["index.json", "build.json", "build.pickle", "bucket"])
def test_a_pickle_that_runs_a_command_is_never_loaded(tmp_path: Path, name: str) -> None:
    root = _lib(tmp_path)
    _build(root)
    marker = tmp_path / "pwned"
    if name == "bucket":  # the bucket of a real note's entry
        name = str(bucket(root, "papers/peft/lora.md").relative_to(root / ".papernotes" / "cache"))
        assert (root / ".papernotes" / "cache" / name).is_file()
    (root / ".papernotes" / "cache" / name).write_bytes(pickle.dumps(_Evil(marker)))
    write_note(root, "new.md", note_text("New Paper", extra="id: newpaper\n"))
    _build(root)
    assert not marker.exists()
    assert "New Paper" in (root / "site" / "papers" / "newpaper.html").read_text("utf-8")


def _real_cache(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    root = _lib(tmp_path)
    _build(root)
    return root, json.loads(_cache_file(root).read_bytes())


def _wrong_index(data: dict) -> list[dict]:  # type: ignore[type-arg]
    cases = []
    for key, value in (
        ("shape", "other"),
        ("index", None),
        ("index", [1, 2]),
        ("index", [data["key"], {"index.html": 1}, {}]),
        ("index", {"__class__": "os.system"}),
    ):
        copy = json.loads(json.dumps(data))
        copy[key] = value
        cases.append(copy)
    return cases


def _wrong_entries(entry: dict) -> list[dict]:  # type: ignore[type-arg]
    note = entry["note"]
    cases = []
    for bad in (
        ["x", 1, []],  # a note as a number
        ["x", ["papers/a.md"], []],  # a note with too few fields
        [note[0], note[1], [["fatal", ["a", 1, None], "m", None]]],  # no such severity
        [note[0], note[1], [["error", ["a", True, None], "m", None]]],  # a bool line
        {"__class__": "os.system"},
    ):
        copy = json.loads(json.dumps(entry))
        copy["note"] = bad
        cases.append(copy)
    for key, value in (("path", "papers/other.md"), ("version", "0"), ("key", "k"), ("shape", "")):
        copy = json.loads(json.dumps(entry))
        copy[key] = value
        cases.append(copy)
    return cases


def test_a_cache_of_the_wrong_shape_is_ignored(tmp_path: Path) -> None:
    root, data = _real_cache(tmp_path)
    key = str(data["key"])
    for case in _wrong_index(data):
        _cache_file(root).write_text(json.dumps(case), encoding="utf-8")
        assert cache.load_cache(root, key) is None, case
    _cache_file(root).write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert cache.load_cache(root, key) is None
    # And a build with such a cache succeeds, starting cold.
    _cache_file(root).write_text(json.dumps(_wrong_index(data)[2]), encoding="utf-8")
    write_note(root, "new.md", note_text("New Paper", extra="id: newpaper\n"))
    report = _build(root)
    assert report.rendered == _build(root, use_cache=False).rendered  # every page, cold
    assert "New Paper" in (root / "site" / "papers" / "newpaper.html").read_text("utf-8")


def test_an_entry_of_the_wrong_shape_costs_only_its_note(tmp_path: Path) -> None:
    root, data = _real_cache(tmp_path)
    key, path = str(data["key"]), "papers/peft/lora.md"
    file = bucket(root, path)
    whole = cache.load_cache(root, key)
    assert whole is not None and path in whole.notes
    # The first line names the entry and holds the note; each other part has a line.
    data = file.read_bytes()
    at, _, size, _ = next(e for e in scan(data) if e[3]["path"] == path)
    head, _, parts = data[at : at + size].partition(b"\n")
    for case in _wrong_entries(json.loads(head)):
        spoilt = json.dumps(case).encode("utf-8") + b"\n" + parts
        file.write_bytes(data[:at] + spoilt + data[at + size :])
        loaded = cache.load_cache(root, key)
        assert loaded is not None, case
        assert path not in loaded.notes and path not in loaded.stored, case
        assert set(loaded.notes) == set(whole.notes) - {path}, case
        assert loaded.pages == whole.pages


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    return _real_cache(tmp_path_factory.mktemp("fuzz"))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_a_damaged_cache_never_raises(built, data) -> None:  # type: ignore[no-untyped-def]
    root, real = built
    entry = bucket(root, "papers/peft/lora.md")
    file = data.draw(st.sampled_from([_cache_file(root), entry]))
    good = file.read_bytes()
    raw = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.sampled_from(b'0123456789"[]{},:-.ntfeE\\ax'))
    file.write_bytes(bytes(raw))
    try:
        loaded = cache.load_cache(root, str(real["key"]))
    finally:
        file.write_bytes(good)
    assert loaded is None or isinstance(loaded, cache.BuildCache)


@pytest.mark.parametrize(
    "stamp",
    [
        {"diagnostics": [["fatal", "a.md", 1, "m", None]]},
        {"diagnostics": [["error", 3, "x", "m", None]]},
        {"diagnostics": [[1, 2]]},
        {"diagnostics": "nope"},
        {"notes": "many"},
        {"pages": -1},
        {"pages": {"x": 1}},
    ],
)
def test_a_crafted_stamp_never_raises(tmp_path: Path, stamp: dict[str, object], cli) -> None:  # type: ignore[no-untyped-def]
    root = _lib(tmp_path)
    assert cli("build", "--root", str(root)).code == 0
    path = root / ".papernotes" / "cache" / "stamp.json"
    saved = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**saved, **stamp}), encoding="utf-8")
    run = cli("build", "--root", str(root))
    assert run.code == 0, run.err
    assert "internal error" not in run.err
    assert run.out.startswith("built:")  # the stamp was not trusted: a real build ran


def test_a_cache_folder_that_leads_outside_is_not_written(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    (elsewhere / "build.json").write_text("my own file", encoding="utf-8")
    (root / ".papernotes").mkdir()
    (root / ".papernotes" / "cache").symlink_to(elsewhere)
    report = _build(root)
    assert report.written is not None
    assert [d.message for d in report.diagnostics if "cache" in d.message]
    assert sorted(p.name for p in elsewhere.iterdir()) == ["build.json"]
    assert (elsewhere / "build.json").read_text("utf-8") == "my own file"


def test_a_cache_that_cannot_be_written_is_a_warning(tmp_path: Path, monkeypatch, cli) -> None:  # type: ignore[no-untyped-def]
    import errno

    from papernotes import atomic

    root = _lib(tmp_path)
    real_replace = os.replace

    def full(src: str, dst: str) -> None:
        if ".papernotes" in Path(dst).parts:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", full)
    run = cli("build", "--root", str(root))
    assert run.code == 0, run.err
    assert run.out.startswith("built:")
    assert "warning: cannot save the build cache: No space left on device" in run.err
    assert ".papernotes/cache/" in run.err  # the file is named
    assert (root / "site" / "index.html").is_file()
    assert [p for p in (root / ".papernotes" / "cache").rglob("*") if p.is_file()] == []


def test_two_builds_of_one_library_take_turns(tmp_path: Path) -> None:
    root = _lib(tmp_path)
    ready_r, ready_w = os.pipe()
    # Another process holds the lock, as a running build would.
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys, pathlib\n"
            "from papernotes.incremental.cache import build_lock\n"
            "with build_lock(pathlib.Path(sys.argv[1])):\n"
            "    os.write(int(sys.argv[2]), b'x')\n"
            "    sys.stdin.read()\n",
            str(root),
            str(ready_w),
        ],
        stdin=subprocess.PIPE,
        pass_fds=(ready_w,),
    )
    os.close(ready_w)
    try:
        assert os.read(ready_r, 1) == b"x"
        config, _ = load_config(root)
        with pytest.raises(cache.BuildBusy, match="another build of this library is running"):
            build(root, config, out=root / "site")
        assert not (root / "site").exists()
    finally:
        # The holder dies without releasing anything: the system frees the lock.
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        os.close(ready_r)
    assert _build(root).written is not None
