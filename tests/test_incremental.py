"""Incremental builds are correct: after any sequence of edits, building with the cache gives
the same site, byte for byte, as building from scratch — and touches only what changed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from papernotes.build import build
from papernotes.config import load_config
from papernotes.incremental.session import Session
from papernotes.preview import shard_of

from conftest import FIXTURES, note_text, site_tree, write_note

KEYS = ["alpha", "beta", "gamma", "delta"]


def _build(root: Path, out: Path, *, use_cache: bool) -> None:
    config, diags = load_config(root)
    assert not diags
    report = build(root, config, out=out, use_cache=use_cache)
    assert report.errors == 0, [d.format() for d in report.diagnostics]


def _note(key: str, title: str, year: int, cites: list[str], body: str, tags: list[str]) -> str:
    extra = f"id: {key}\ntags: [{', '.join(tags)}]\nstatus: read\nread: 2024-01-0{year % 9 + 1}\n"
    if cites:
        extra += "cites: [" + ", ".join(cites) + "]\n"
    return note_text(
        title, authors=f"[{title.split()[0]} Writer]", year=year, extra=extra, body=body
    )


edit = st.one_of(
    st.tuples(
        st.just("body"),
        st.sampled_from(KEYS),
        st.sampled_from(
            [
                "Plain text.",
                "见 [@alpha]。",
                "$x^2$ and [[beta]]",
                "## Heading\n\nMore [@gamma, p. 2].",
            ]
        ),
    ),
    st.tuples(
        st.just("title"),
        st.sampled_from(KEYS),
        st.sampled_from(["Zeta Study", "Alpha Paper", "注意力 Paper"]),
    ),
    st.tuples(
        st.just("cites"),
        st.sampled_from(KEYS),
        st.lists(st.sampled_from(KEYS), max_size=3, unique=True),
    ),
    st.tuples(
        st.just("tags"),
        st.sampled_from(KEYS),
        st.lists(st.sampled_from(["rl", "peft", "RL", "llm"]), max_size=2, unique=True),
    ),
    st.tuples(st.just("year"), st.sampled_from(KEYS), st.integers(2015, 2024)),
    st.tuples(st.just("add"), st.sampled_from(["epsilon", "zeta"]), st.just(None)),
    st.tuples(st.just("delete"), st.sampled_from([*KEYS, "epsilon"]), st.just(None)),
    st.tuples(st.just("rename"), st.sampled_from(KEYS), st.sampled_from(["renamed", "moved"])),
    st.tuples(st.just("template"), st.just(""), st.sampled_from(["A", "B"])),
    st.tuples(st.just("config"), st.just(""), st.sampled_from(["Notes A", "Notes B"])),
)


class Library:
    """A tiny library on disk whose notes the test edits."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.notes = {
            k: {
                "title": f"{k.title()} Paper",
                "year": 2018 + i,
                "cites": [],
                "body": "Text.",
                "tags": ["rl"],
            }
            for i, k in enumerate(KEYS)
        }
        self.paths = {k: f"{k}.md" for k in KEYS}
        (root / "papers").mkdir(parents=True)
        shutil.copytree(
            FIXTURES / "small" / "papers" / "peft" / "figures", root / "papers" / "figures"
        )
        for k in KEYS:
            self.write(k)

    def write(self, key: str) -> None:
        n = self.notes[key]
        cites = [c for c in n["cites"] if c != key]
        body = n["body"] + "\n\n![fig](figures/update.svg)\n" if key == "alpha" else n["body"]
        write_note(
            self.root, self.paths[key], _note(key, n["title"], n["year"], cites, body, n["tags"])
        )

    def apply(self, op: str, key: str, arg: object) -> None:
        if op in ("body", "title", "cites", "tags", "year") and key in self.notes:
            self.notes[key][op] = arg
            self.write(key)
        elif op == "add" and key not in self.notes:
            self.notes[key] = {
                "title": f"{key.title()} Added",
                "year": 2023,
                "cites": ["alpha"],
                "body": "New [@beta].",
                "tags": ["llm"],
            }
            self.paths[key] = f"sub/{key}.md"
            self.write(key)
        elif op == "delete" and key in self.notes and len(self.notes) > 1:
            (self.root / "papers" / self.paths.pop(key)).unlink()
            del self.notes[key]
        elif op == "rename" and key in self.notes:
            (self.root / "papers" / self.paths[key]).unlink()
            new = f"{arg}{len(self.paths)}"
            self.notes[new] = self.notes.pop(key)
            self.paths.pop(key)
            self.paths[new] = f"{new}.md"
            self.write(new)
        elif op == "template":
            folder = self.root / "templates"
            folder.mkdir(exist_ok=True)
            (folder / "404.html").write_text(
                '{% extends "base.html" %}{% block main %}<h1>Lost ('
                + str(arg)
                + ")</h1>{% endblock %}",
                encoding="utf-8",
            )
        elif op == "config":
            (self.root / "papernotes.yaml").write_text(f"title: {arg}\n", encoding="utf-8")


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """What a watcher sees of the library: each file's size and time, and each folder (the
    state and the site left out)."""
    return {
        str(p.resolve()): (p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else (-1, -1)
        for p in root.rglob("*")
        if not {".papernotes", "site"} & set(p.relative_to(root).parts)
    }


def _changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    """The paths a watcher reports: files and folders added, modified or deleted."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=st.lists(edit, min_size=1, max_size=5), held=st.booleans())
def test_incremental_build_equals_clean_build(tmp_path_factory, edits, held) -> None:
    base = tmp_path_factory.mktemp("inc")
    lib = Library(base / "lib")
    out = base / "lib" / "site"
    _build(lib.root, out, use_cache=True)
    # The same edits, served: a session keeps the library in memory between saves.
    served = Library(base / "served")
    session = Session(served.root, served.root / "site")
    if held:  # as serve starts on a library built before: held, then every save from memory
        _build(served.root, served.root / "site", use_cache=True)
        assert session.build(hold=True).up_to_date
    else:
        assert session.build().errors == 0
    session.persist()
    for step, (op, key, arg) in enumerate(edits):
        before = _files(served.root)
        for one in (lib, served):
            one.apply(op, key, arg)
            # Same-second edits must be seen too: sizes may not change, so move the times on.
            for path in (one.root / "papers").rglob("*.md"):
                os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + step + 1))
        _build(lib.root, out, use_cache=True)
        session.invalidate(_changed(before, _files(served.root)))
        report = session.build()
        assert report.errors == 0, [d.format() for d in report.diagnostics]
        if step % 2:  # the cache saved after some saves, not after others
            session.persist()
        clean = base / f"clean{step}" / "site"
        clean.parent.mkdir()
        shutil.copytree(lib.root / "papers", clean.parent / "papers")
        for extra in ("templates", "papernotes.yaml"):
            src = lib.root / extra
            if src.is_dir():
                shutil.copytree(src, clean.parent / extra)
            elif src.is_file():
                shutil.copy(src, clean.parent / extra)
        _build(clean.parent, clean, use_cache=False)
        assert site_tree(out) == site_tree(clean), (step, op, key, arg)
        assert site_tree(served.root / "site") == site_tree(clean), ("served", step, op, key, arg)
    # What the session leaves on disk is what a build of the same files would use.
    session.persist()
    config, _ = load_config(served.root)
    assert build(served.root, config, out=served.root / "site").up_to_date


def test_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    config, _ = load_config(lib.root)
    report = build(lib.root, config, out=out)
    assert report.up_to_date
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_editing_one_body_rewrites_only_what_shows_it(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    before = site_tree(out)
    lib.apply("body", "delta", "A completely different body, with enough words to matter.")
    config, _ = load_config(lib.root)
    report = build(lib.root, config, out=out)
    assert report.written is not None
    changed = {k for k, v in site_tree(out).items() if before.get(k) != v}
    # The search index's shards: its doc shard and the term shards of the words it changed.
    shards = {k for k in changed if k.startswith("static/search/")}
    # Its link preview shows its first paragraph: the one preview shard it is in.
    previews = {k for k in changed if k.startswith("static/preview/")}
    assert previews == {f"static/preview/{shard_of('papers/delta.html', 1)}.js"}
    assert changed - shards - previews == {
        "papers/delta.html",
        "static/search-index.js",
        "feed.xml",
        ".papernotes-site.json",
    }
    assert len([k for k in shards if k.startswith("static/search/d-")]) == 1
    assert report.written.written == 3 + len(shards) + len(previews)


def test_a_corrupt_cache_is_ignored(tmp_path: Path) -> None:
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    (lib.root / ".papernotes" / "cache" / "index.json").write_bytes(b'{"format": 3, "index": [')
    lib.apply("title", "beta", "Fresh Title")
    _build(lib.root, out, use_cache=True)
    assert "Fresh Title" in (out / "papers" / "beta.html").read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    shutil.copytree(lib.root / "papers", clean / "papers")
    _build(clean, clean / "site", use_cache=False)
    assert site_tree(out) == site_tree(clean / "site")


def test_a_page_left_half_replaced_is_written_again(tmp_path: Path) -> None:
    # A build stopped while renaming pages into place leaves them marked unknown ("") in the
    # manifest: the next build must not take them as unchanged, whatever the cache says.
    lib = Library(tmp_path / "lib")
    out = lib.root / "site"
    _build(lib.root, out, use_cache=True)
    good = (out / "papers" / "alpha.html").read_bytes()
    manifest = json.loads((out / ".papernotes-site.json").read_text("utf-8"))
    manifest["files"]["papers/alpha.html"] = ""
    (out / ".papernotes-site.json").write_text(json.dumps(manifest), encoding="utf-8")
    (out / "papers" / "alpha.html").write_bytes(b"half-way")
    lib.apply("body", "delta", "Something else.")
    _build(lib.root, out, use_cache=True)
    assert (out / "papers" / "alpha.html").read_bytes() == good


def test_parallel_build_equals_serial_build(tmp_path: Path, monkeypatch) -> None:
    from papernotes.incremental import parallel

    lib = Library(tmp_path / "lib")
    for i in range(6):
        write_note(
            lib.root,
            f"extra{i}.md",
            _note(
                f"extra{i}",
                f"Extra Paper {i}",
                2020 + i % 3,
                ["alpha", f"extra{max(i - 1, 0)}"],
                f"见 [@beta] and $x_{i}$.",
                ["llm"],
            ),
        )
    config, _ = load_config(lib.root)
    build(lib.root, config, out=tmp_path / "serial", use_cache=False, workers=1)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # even a tiny library goes to workers
    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)  # however quick its notes are
    report = build(lib.root, config, out=tmp_path / "parallel", use_cache=False, workers=2)
    assert report.errors == 0
    assert site_tree(tmp_path / "parallel") == site_tree(tmp_path / "serial")
    assert len(site_tree(tmp_path / "serial")) > 40
