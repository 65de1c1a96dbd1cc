"""Stage 5 streamed (``sitewriter``): pages are staged as they are rendered, the site changes
only at ``commit``, and a build that fails after staging leaves the previous site and no
litter (nor a folder it made)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from papernotes import plan, write
from papernotes.build import build
from papernotes.config import load_config
from papernotes.errors import Diagnostic
from papernotes.render import Output
from papernotes.sitejobs import Job
from papernotes.sitewriter import Made, SiteWriter
from papernotes.write import STAGING, Copy, Page, write_site

from conftest import copy_fixture, site_tree

_FIRST = [Page("index.html", b"one"), Page("papers/a.html", b"a"), Page("gone.html", b"g")]
_SECOND = [Page("index.html", b"two"), Page("papers/a.html", b"a"), Page("new/b.html", b"b")]


def test_nothing_changes_before_commit_and_leaving_without_it_undoes_the_staging(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    write_site(_FIRST, [], out)
    before = site_tree(out)
    with SiteWriter(out) as writer:
        for page in _SECOND:
            writer.put(page)
        staged = site_tree(out / STAGING)  # and the staging folder's mark (empty)
        assert sorted(staged.values()) == [b"", b"b", b"two"]  # only what changed, already on disk
        assert {k: v for k, v in site_tree(out).items() if not k.startswith(STAGING)} == before
    assert site_tree(out) == before
    assert not (out / STAGING).exists()


def test_an_exception_while_rendering_leaves_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(_FIRST, [], out)
    before = site_tree(out)
    with pytest.raises(KeyboardInterrupt), SiteWriter(out) as writer:
        writer.put(_SECOND[0])
        raise KeyboardInterrupt
    assert site_tree(out) == before


def test_a_failed_first_build_leaves_no_folder_behind(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er" / "site"
    with SiteWriter(out) as writer:
        writer.put(Page("index.html", b"x"))
        assert (out / STAGING).is_dir()
    assert not (tmp_path / "deep").exists()


@pytest.mark.parametrize(
    ("first", "second", "unchanged", "fresh"),
    [
        ([], _FIRST, (), False),
        (_FIRST, _SECOND, (), False),
        (_FIRST, _SECOND, (), True),
        (_FIRST, _SECOND[1:], ("index.html",), False),
        (_FIRST, [], (), False),
    ],
)
def test_commit_makes_what_write_site_makes(
    tmp_path: Path,
    first: list[Page],
    second: list[Page],
    unchanged: tuple[str, ...],
    fresh: bool,
) -> None:
    asset = tmp_path / "style.css"
    asset.write_bytes(b"body{}")
    copies = [Copy("static/style.css", asset)]
    results = []
    for name in ("whole", "streamed"):
        out = tmp_path / name
        write_site(first, copies, out)
        if name == "whole":
            report = write_site(second, copies, out, unchanged=unchanged, fresh=fresh)
        else:
            with SiteWriter(out, fresh=fresh) as writer:
                for page in second:
                    writer.put(page)
                report = writer.commit(copies, unchanged=unchanged)
        results.append((site_tree(out), report))
    assert results[0] == results[1]


def test_a_build_streams_each_page_as_it_is_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture("small", tmp_path)
    config, _ = load_config(root)
    made: list[str] = []
    seen: list[int] = []  # how many paper pages were rendered when each job's were taken
    real_page, real_take = plan.paper_page, SiteWriter.take

    def paper_page(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append("paper")
        return real_page(*args, **kwargs)

    def take(self: SiteWriter, done: Made) -> tuple[Diagnostic, ...]:
        seen.append(len(made))
        return real_take(self, done)

    monkeypatch.setattr(plan, "paper_page", paper_page)
    monkeypatch.setattr(SiteWriter, "take", take)
    report = build(root, config, out=tmp_path / "site", use_cache=False, workers=1)
    assert report.errors == 0 and len(made) >= 2
    assert seen[0] == 1  # the first page was written before the second was rendered


def test_a_build_that_fails_in_a_template_leaves_the_previous_site(tmp_path: Path) -> None:
    root = copy_fixture("small", tmp_path)
    config, _ = load_config(root)
    out = tmp_path / "site"
    assert build(root, config, out=out, use_cache=False).errors == 0
    before = site_tree(out)
    (root / "templates").mkdir()
    # The last paper page rendered fails: every page before it was staged already.
    (root / "templates" / "paper.html").write_text("{{ nosuch.x }}\n", encoding="utf-8")
    report = build(root, config, out=out, use_cache=False, workers=1)
    assert report.errors and report.written is None
    assert site_tree(out) == before
    assert not (out / STAGING).exists()


@pytest.mark.parametrize(
    ("theirs", "unchanged", "kept"),
    [
        # Nothing of the user's; a page left as it is still counts in the size.
        ({}, ("papers/a.html",), ()),
        # Their files at the top, deep down, beside a page that goes away, and sorted as paths.
        (
            {"CNAME": b"x", "papers/notes/x.txt": b"yy", "a-b": b"z", "a/b": b"w"},
            ("papers/a.html",),
            ("CNAME", "a/b", "a-b", "papers/notes/x.txt"),
        ),
        # A symlink to a file is theirs too; a page that went away is not reported as theirs.
        ({"link": None}, (), ("link",)),
    ],
)
def test_commit_reports_the_users_files_and_the_size_from_one_scan(
    tmp_path: Path,
    theirs: dict[str, bytes | None],
    unchanged: tuple[str, ...],
    kept: tuple[str, ...],
) -> None:
    out = tmp_path / "site"
    write_site(_FIRST, [], out)
    for rel, data in theirs.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        if data is None:
            (out / rel).symlink_to(out / "index.html")
        else:
            (out / rel).write_bytes(data)
    second = [p for p in _SECOND if p.path not in unchanged]
    with SiteWriter(out) as writer:
        for page in second:
            writer.put(page)
        report = writer.commit(unchanged=unchanged)
    assert report.kept == kept
    assert not (out / "gone.html").exists()
    ours = [p.path for p in second] + list(unchanged)
    assert report.files == len(ours)
    assert report.bytes == sum((out / p).stat().st_size for p in ours)


def test_a_build_reads_the_output_manifest_once_for_the_writer_and_the_planner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papernotes import write

    root = copy_fixture("small", tmp_path)
    config, _ = load_config(root)
    out = tmp_path / "site"
    assert build(root, config, out=out).errors == 0
    (root / "papers" / "peft" / "lora.md").write_text(
        (root / "papers" / "peft" / "lora.md").read_text(encoding="utf-8") + "\nMore.\n",
        encoding="utf-8",
    )
    reads: list[Path] = []
    real = write.read_manifest

    def counted(folder: Path, *, shown: Path | None = None) -> dict[str, str] | None:
        reads.append(folder)
        return real(folder, shown=shown)

    monkeypatch.setattr(write, "read_manifest", counted)
    report = build(root, config, out=out)
    assert report.errors == 0 and report.rendered > 0
    assert len(reads) == 2  # check_output's look, then the writer's (the planner shares it)


def test_the_manifest_encoded_from_memory_is_the_one_json_writes() -> None:
    from papernotes.outputmemo import OutputMemo
    from papernotes.write import manifest_json

    memo = OutputMemo()
    assert memo.encode({}) == manifest_json({})
    files = {"papers/b.html": "0" * 32, "index.html": "", 'tags/é "q".html': "f" * 32}
    for step in range(4):
        assert memo.encode(files) == manifest_json(files), step
        if step == 0:
            files = {**files, "index.html": "a" * 32}  # a hash moved: paths kept
        elif step == 1:
            files = {**files, "authors/😀.html": "b" * 32}  # a path added
        else:
            files = {}


def test_the_files_a_session_keeps_are_the_folders_as_listed_after_each_change(
    tmp_path: Path,
) -> None:
    """``OutputMemo.scan`` patches the files it gave last time (commits, a folder listed again):
    after commits that add, change and drop files and folders, and changes made behind its
    back, it gives what a fresh listing does."""
    from papernotes.outputmemo import OutputMemo
    from papernotes.write import _scan

    out = tmp_path / "site"
    memo = OutputMemo()
    sites = [
        {"index.html": "home", "papers/a.html": "a", "papers/b.html": "b"},
        {"index.html": "home 2", "papers/a.html": "a", "tags/t.html": "t", "x/y/z.html": "z"},
        {"index.html": "home 2", "papers/a.html": "a 2", "x/y/z.html": "z"},
        {"index.html": "home 3", "papers/c.html": "c"},
    ]
    for step, pages in enumerate(sites):
        with SiteWriter(out, memo=memo) as writer:
            for path, text in pages.items():
                writer.put(Page(path, text.encode()))
            writer.commit()
        assert memo.scan(out.resolve()) == _scan(out.resolve()), step
        if step == 1:  # the user's own file, and a folder gone behind the session's back
            (out / "papers" / "mine.txt").write_text("mine", encoding="utf-8")
            (out / "x" / "y" / "z.html").unlink()
            (out / "x" / "y").rmdir()
            assert memo.scan(out.resolve()) == _scan(out.resolve()), step


def test_a_job_made_in_a_worker_sends_back_its_files_hashes_not_their_bytes(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    write_site(_FIRST, [], out)
    page = b"<p>" + b"x" * 10_000 + b"</p>"
    job = Job("index.html", "fp", lambda: Output((Page("index.html", page), _FIRST[1])))
    with SiteWriter(out) as writer:
        made = writer.made(job)  # what a worker pickles back to the parent
        assert len(pickle.dumps(made)) < 1_000
        assert [f.path for f in made.files] == ["index.html", "papers/a.html"]
        assert made.files[1].tmp is None  # the same bytes as the folder holds: not staged
        assert writer.take(made) == ()
        report = writer.commit()
    assert site_tree(out)["index.html"] == page
    assert (report.files, report.written, report.removed) == (2, 1, 1)


def test_a_build_stages_the_pages_where_they_are_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.generate import generate
    from papernotes.incremental import parallel

    monkeypatch.setattr(parallel, "FORK_WORTH", 0.0)
    root = tmp_path / "lib"
    generate(parallel.PARALLEL_FROM + 16, root)
    config, _ = load_config(root)
    staged_here: list[str] = []  # a forked worker's count its own copy, never seen here
    real = write._Staging.put

    def put(self, data, shown, name=""):  # type: ignore[no-untyped-def]
        staged_here.append(name)
        return real(self, data, shown, name)

    monkeypatch.setattr(write._Staging, "put", put)
    sites = []
    for workers in (1, 2):
        staged_here.clear()
        out = tmp_path / f"site{workers}"
        report = build(root, config, out=out, use_cache=False, workers=workers)
        assert report.errors == 0
        sites.append((site_tree(out), len(staged_here)))
    (alone, all_here), (shared, some_here) = sites
    assert shared == alone
    assert all_here == len(alone) - 1  # every file but the manifest staged by this process
    assert some_here < all_here / 2  # the pages the workers rendered, staged by them


def test_the_files_of_a_folder_not_there_are_not_asked_about_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build's commit asks about each folder once: its 1,000 pages are in a folder
    that is not there yet, so none of them can be a file of the user's. A folder that is
    there still has each new file asked about (a user's file there is refused)."""
    out = tmp_path / "site"
    write_site([Page("index.html", b"one")], [], out)
    (out / "mine").mkdir()
    (out / "mine" / "b.html").write_text("my page", encoding="utf-8")
    asked: list[str] = []
    lstat = Path.is_symlink

    def is_symlink(path: Path) -> bool:
        if path.is_relative_to(out) and not path.is_relative_to(out / STAGING):
            asked.append(path.relative_to(out).as_posix())
        return lstat(path)

    monkeypatch.setattr(Path, "is_symlink", is_symlink)
    pages = [Page("index.html", b"two"), *(Page(f"papers/{i}.html", b"p") for i in range(200))]
    write_site(pages, [], out)
    assert sorted(asked) == ["papers"]  # the folder alone (index.html is the last build's)
    asked.clear()
    with pytest.raises(write.OutputRefused, match=r"mine/b\.html: not written by papernotes"):
        write_site([*pages, Page("mine/a.html", b"a"), Page("mine/b.html", b"b")], [], out)
    assert sorted(asked) == ["mine", "mine/a.html", "mine/b.html", "papers"]  # papers/ ours now
    assert (out / "mine" / "b.html").read_text("utf-8") == "my page"
