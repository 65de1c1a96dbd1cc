"""The output folder's state is untrusted and the user's files in it are theirs: a build never
deletes or overwrites what papernotes did not write, never writes outside the folder, and an
interrupted or failed build leaves the previous site and no litter."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from papernotes import urls, write
from papernotes.write import MARKER, STAGING, OutputRefused, Page, WriteFailed, write_site

from conftest import copy_fixture, note_text, site_tree, write_note


def _manifest(out: Path, files: dict[str, str]) -> None:
    (out / MARKER).write_text(json.dumps({"generator": "papernotes", "files": files}), "utf-8")


@pytest.mark.parametrize(
    "bad",
    [
        "../papers/x.txt",
        "{victim}",
        "a/../../papers/x.txt",
        "a\\..\\..\\papers\\x.md",
        "x.txt\u0000",
        "./index.html",
        ".papernotes-tmp/1",
    ],
)
def test_a_hostile_manifest_deletes_nothing(tmp_path: Path, bad: str, cli) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("small", tmp_path)
    victim = root / "papers" / "x.txt"
    victim.write_text("my note", encoding="utf-8")
    assert cli("build", "--root", str(root)).code == 0
    out = root / "site"
    old = json.loads((out / MARKER).read_text("utf-8"))
    old["files"][bad.format(victim=victim)] = "0" * 32
    (out / MARKER).write_text(json.dumps(old), encoding="utf-8")
    run = cli("build", "--root", str(root))
    assert run.code == 1
    assert f"{out / MARKER}: lists" in run.err
    assert "will not trust it" in run.err
    assert victim.read_text("utf-8") == "my note"
    assert (out / "index.html").is_file()


@pytest.mark.parametrize("digest", ["../../x", "A" * 32, 7, None])
def test_a_manifest_with_malformed_hashes_is_refused(tmp_path: Path, digest: object) -> None:
    out = tmp_path / "site"
    write_site([Page("index.html", b"one")], [], out)
    _manifest(out, {"index.html": digest})  # type: ignore[dict-item]
    with pytest.raises(OutputRefused, match="malformed hash"):
        write_site([Page("index.html", b"two")], [], out)
    assert (out / "index.html").read_bytes() == b"one"


def test_a_symlinked_folder_in_the_site_is_never_written_through(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([Page("index.html", b"one"), Page("papers/a.html", b"a")], [], out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "a.html").write_text("mine", encoding="utf-8")
    (out / "papers" / "a.html").unlink()
    (out / "papers").rmdir()
    (out / "papers").symlink_to(elsewhere)
    with pytest.raises(OutputRefused, match="leads outside"):
        write_site([Page("index.html", b"two")], [], out)  # would delete papers/a.html
    with pytest.raises(OutputRefused, match="leads outside"):
        write_site([Page("index.html", b"two"), Page("papers/a.html", b"b")], [], out)
    assert (elsewhere / "a.html").read_text("utf-8") == "mine"
    assert (out / "index.html").read_bytes() == b"one"


def test_a_file_of_yours_is_never_overwritten_or_deleted(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("small", tmp_path)
    assert cli("build", "--root", str(root)).code == 0
    out = root / "site"
    mine = out / "papers" / "later.html"
    mine.write_text("my page", encoding="utf-8")
    before = site_tree(out)
    note = write_note(root, "later.md", note_text("Later Paper", extra="id: later\n"))
    run = cli("build", "--root", str(root))
    assert run.code == 1
    assert f"{mine}: not written by papernotes" in run.err
    assert "nothing was written" in run.err and "change the note's id" in run.err
    assert site_tree(out) == before  # the previous site, untouched
    assert not (out / STAGING).exists()
    note.unlink()
    assert cli("build", "--root", str(root)).code == 0
    assert mine.read_text("utf-8") == "my page"  # deleting the note does not delete it


def test_a_file_where_a_folder_must_go_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([Page("index.html", b"one")], [], out)
    (out / "tags").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputRefused, match="tags: not written by papernotes"):
        write_site([Page("index.html", b"two"), Page("tags/rl.html", b"x")], [], out)
    assert (out / "tags").read_text("utf-8") == "mine"


def _litter(base: Path) -> list[str]:
    return sorted(
        p.relative_to(base).as_posix()
        for p in base.rglob("*")
        if p.name.startswith((".pn-", ".site.", STAGING))
    )


@pytest.mark.parametrize("failure", ["stage", "place", "manifest"])
@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError])
def test_an_interrupted_write_leaves_no_litter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str, error: type[BaseException]
) -> None:
    out = tmp_path / "site"
    first = [Page("index.html", b"one"), Page("papers/a.html", b"a"), Page("gone.html", b"g")]
    write_site(first, [], out)
    (out / "CNAME").write_text("notes.example.org", encoding="utf-8")
    before = site_tree(out)
    exc = error() if error is KeyboardInterrupt else OSError(errno.ENOSPC, "No space left")
    calls = {"n": 0}

    def fail_on_second(real: object):  # type: ignore[no-untyped-def]
        def wrapped(*args: object, **kw: object) -> object:
            calls["n"] += 1
            if calls["n"] == 2:
                raise exc
            return real(*args, **kw)  # type: ignore[operator]

        return wrapped

    if failure == "stage":
        monkeypatch.setattr(Path, "open", fail_on_second(Path.open))
    elif failure == "place":
        monkeypatch.setattr(write.os, "replace", fail_on_second(os.replace))
    else:
        monkeypatch.setattr(write, "write_atomic", fail_on_second(write.write_atomic))
    second = [Page("index.html", b"two"), Page("papers/a.html", b"b"), Page("new.html", b"n")]
    with pytest.raises(KeyboardInterrupt if error is KeyboardInterrupt else WriteFailed):
        write_site(second, [], out)
    monkeypatch.undo()
    assert _litter(tmp_path) == []
    if failure == "stage":  # nothing was touched yet: the previous site, byte for byte
        assert site_tree(out) == before
    # Whatever was interrupted, the next build completes the site and keeps the user's file.
    report = write_site(second, [], out)
    assert site_tree(out) == {
        "CNAME": b"notes.example.org",
        "index.html": b"two",
        "new.html": b"n",
        "papers/a.html": b"b",
        MARKER: (out / MARKER).read_bytes(),
    }
    assert report.kept == ("CNAME",)


def test_a_full_disk_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    write_site([Page("index.html", b"one")], [], out)
    real_open = Path.open

    def full(self: Path, mode: str = "r", *args: object, **kw: object):  # type: ignore[no-untyped-def]
        if STAGING in self.parts and "x" in mode:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(self, mode, *args, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", full)
    with pytest.raises(WriteFailed) as caught:
        write_site([Page("papers/x.html", b"x")], [], out)
    assert str(caught.value) == (
        f"{out / 'papers' / 'x.html'}: cannot write: No space left on device "
        "(free some space and build again)"
    )
    assert _litter(tmp_path) == []
    assert (out / "index.html").read_bytes() == b"one"


def test_a_stale_staging_folder_is_removed_and_a_user_folder_kept(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([Page("index.html", b"one")], [], out)
    # What a build killed with SIGKILL leaves: our staging folder, with our mark.
    (out / STAGING).mkdir()
    (out / STAGING / ".papernotes-staging").touch()
    (out / STAGING / "1").write_bytes(b"half")
    write_site([Page("index.html", b"two")], [], out)
    assert not (out / STAGING).exists()
    (out / STAGING).mkdir()
    (out / STAGING / "thesis.tex").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputRefused, match="not one of its folders"):
        write_site([Page("index.html", b"three")], [], out)
    assert (out / STAGING / "thesis.tex").read_text("utf-8") == "mine"


def test_litter_of_older_versions_is_cleaned_up(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site([Page("index.html", b"one")], [], out)
    crashed = tmp_path / ".site.new-999999999"  # no such process
    crashed.mkdir()
    (crashed / MARKER).write_text("{}", encoding="utf-8")
    (crashed / "index.html").write_text("half", encoding="utf-8")
    unmarked = tmp_path / ".site.new-999999998"
    unmarked.mkdir()
    (out / ".pn-tmp-4242-index.html").write_bytes(b"half")
    report = write_site([Page("index.html", b"two")], [], out)
    assert not crashed.exists()
    assert unmarked.exists()  # without our manifest it may be anybody's
    assert not (out / ".pn-tmp-4242-index.html").exists()
    assert report.kept == ()


def test_the_output_folder_keeps_its_mode_and_identity(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    out.chmod(0o750)
    before = out.stat()
    write_site([Page("index.html", b"one")], [], out)
    write_site([Page("index.html", b"two")], [], out, fresh=True)
    after = out.stat()
    assert (after.st_ino, after.st_dev, after.st_mode) == (
        before.st_ino,
        before.st_dev,
        before.st_mode,
    )
    assert (out / "index.html").read_bytes() == b"two"


def test_a_mount_point_is_written_in_place(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "site"
    write_site([Page("index.html", b"one")], [], out)
    real_rename = Path.rename

    def busy(self: Path, target: object) -> Path:  # renaming a mount point fails: EBUSY
        if self == out.resolve() or self == out:
            raise OSError(errno.EBUSY, "Device or resource busy", str(self))
        return real_rename(self, target)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "rename", busy)
    write_site([Page("index.html", b"two")], [], out, fresh=True)
    assert (out / "index.html").read_bytes() == b"two"


def test_page_names_at_the_limit_write_twice(tmp_path: Path) -> None:
    out = tmp_path / "site"
    name = "papers/" + "a" * 250 + ".html"
    assert len(name.split("/")[1].encode()) == 255
    for content in (b"one", b"two"):
        write_site([Page("index.html", content), Page(name, content)], [], out)
        assert (out / name).read_bytes() == content


def test_a_241_character_id_builds_again_and_again(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("small", tmp_path)
    key = "k" * 241
    note = write_note(root, "long.md", note_text("Long Id", extra=f"id: {key}\n"))
    for body in ("First body.\n", "Second body.\n", "Third body.\n"):
        note.write_text(note_text("Long Id", extra=f"id: {key}\n", body=body), "utf-8")
        run = cli("build", "--root", str(root))
        assert run.code == 0, run.err
        page = root / "site" / urls.paper_page(key)
        assert len(page.name.encode()) <= 255
        assert body.split()[0] in page.read_text("utf-8")


def test_the_build_command_names_the_file_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli
) -> None:  # type: ignore[no-untyped-def]
    root = copy_fixture("small", tmp_path)
    assert cli("build", "--root", str(root)).code == 0
    out = root / "site"
    before = site_tree(out)
    write_note(root, "later.md", note_text("Later Paper", extra="id: later\n"))
    real_open = Path.open
    staged: list[str] = []

    def full(self: Path, mode: str = "r", *args: object, **kw: object):  # type: ignore[no-untyped-def]
        if STAGING in self.parts and "x" in mode:  # a file staged (in its process's folder)
            staged.append(self.name)
            if len(staged) == 3:  # the third file staged, whatever its name
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(self, mode, *args, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", full)
    run = cli("build", "--root", str(root))
    assert run.code == 1
    line = run.err.strip()
    assert line.startswith(f"papernotes: error: {out}/"), line
    assert line.endswith(
        ": cannot write: No space left on device (free some space and build again)"
    )
    assert site_tree(out) == before
    assert _litter(tmp_path) == []
