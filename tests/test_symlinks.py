"""Nothing from outside the library is published: symlinks that lead out of it are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from papernotes.load import load_sources

from conftest import note_text, write_note

SECRET = b"SECRET-KEY-MATERIAL"


def _outside(tmp_path: Path) -> Path:
    """A folder next to the library, standing for ``~/.ssh``."""
    out = tmp_path / "home"
    (out / "dir").mkdir(parents=True)
    for name in ("id_ed25519", "notes.txt", "doc.pdf", "dir/x.png"):
        (out / name).write_bytes(SECRET)
    (out / "secret.md").write_bytes(b"---\ntitle: Secret\nyear: 2020\n---\n" + SECRET)
    (out / "dir" / "n.md").write_bytes(b"---\ntitle: Also secret\nyear: 2020\n---\n" + SECRET)
    return out


def _site_bytes(site: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file())


def test_symlinks_out_of_the_library_are_not_published(tmp_path: Path, cli) -> None:
    home = _outside(tmp_path)
    root = tmp_path / "lib"
    body = "![key](fig.png)\n\n[attachment](att.txt)\n\n![in folder](ext/x.png)\n"
    write_note(root, "a.md", note_text("A", extra="pdf: paper.pdf\n", body=body))
    papers = root / "papers"
    (papers / "fig.png").symlink_to(home / "id_ed25519")
    (papers / "att.txt").symlink_to(home / "notes.txt")
    (papers / "paper.pdf").symlink_to(home / "doc.pdf")
    (papers / "ext").symlink_to(home / "dir", target_is_directory=True)
    (papers / "leak.md").symlink_to(home / "secret.md")

    result = cli("build", "--root", str(root))
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    real = home.resolve()
    for where, name in [
        ("papers/a.md:7:1", '"fig.png"'),
        ("papers/a.md:9:1", '"att.txt"'),
        ("papers/a.md:11:1", '"ext/x.png"'),
        ("papers/a.md:5:1", '"paper.pdf"'),  # at its pdf: key
    ]:
        assert f"{where}: warning: {name} links outside the library (→ {real}" in result.err
    assert "not published (copy the file into the library)" in result.err
    assert f"papers/leak.md: warning: links outside the library (→ {real}/secret.md)" in result.err
    assert f"papers/ext: warning: links outside the library (→ {real}/dir)" in result.err

    site = root / "site"
    assert not (site / "files").exists()
    assert not (site / "papers" / "leak.html").exists()
    assert SECRET not in _site_bytes(site)
    page = (site / "papers" / "a.html").read_text("utf-8")
    assert "paper.pdf" not in page.split('class="note-body"')[0]  # no PDF link in the header


def test_symlinks_inside_the_library_keep_working(tmp_path: Path, cli) -> None:
    root = tmp_path / "lib"
    (root / "shared" / "figs").mkdir(parents=True)
    (root / "shared" / "figs" / "y.png").write_bytes(b"Y")
    (root / "shared" / "in.png").write_bytes(b"IN")
    (root / "drafts").mkdir()
    (root / "drafts" / "b.md").write_text(note_text("B note"), encoding="utf-8")
    body = "![in](in.png) ![y](figs/y.png) [b](b.md)\n"
    write_note(root, "a.md", note_text("A", body=body))
    papers = root / "papers"
    (papers / "in.png").symlink_to(Path("..") / "shared" / "in.png")
    (papers / "figs").symlink_to(root / "shared" / "figs", target_is_directory=True)
    (papers / "b.md").symlink_to(root / "drafts" / "b.md")

    result = cli("build", "--root", str(root))
    assert result.code == 0 and "warning" not in result.err, result.err
    site = root / "site"
    assert (site / "files" / "in.png").read_bytes() == b"IN"
    assert (site / "files" / "figs" / "y.png").read_bytes() == b"Y"
    assert "B note" in (site / "papers" / "b.html").read_text("utf-8")
    page = (site / "papers" / "a.html").read_text("utf-8")
    assert 'src="../files/figs/y.png"' in page and 'href="b.html"' in page


def test_symlink_loops_end(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    (papers / "sub").mkdir(parents=True)
    (papers / "a.md").write_text("a", encoding="utf-8")
    (papers / "self").symlink_to(".", target_is_directory=True)
    (papers / "sub" / "up").symlink_to("../..", target_is_directory=True)
    (papers / "l1").symlink_to("l2")
    (papers / "l2").symlink_to("l1")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "again").symlink_to("../other", target_is_directory=True)
    (tmp_path / "other" / "o.png").write_bytes(b"O")
    (papers / "other").symlink_to("../other", target_is_directory=True)
    sources, diags = load_sources(tmp_path, "papers")
    assert diags == ()
    assert [s.path for s in sources.notes] == ["papers/a.md"]
    assert sources.files == frozenset({"other/o.png"})


@pytest.mark.parametrize("papers_dir", ["papers", "notes/papers"])
def test_a_notes_folder_that_is_itself_a_symlink_is_read(tmp_path: Path, papers_dir: str) -> None:
    # The notes kept in Dropbox, linked into the library: that is the library's own content.
    elsewhere = tmp_path / "dropbox"
    elsewhere.mkdir()
    (elsewhere / "a.md").write_text("a", encoding="utf-8")
    (elsewhere / "f.png").write_bytes(b"F")
    root = tmp_path / "lib"
    (root / papers_dir).parent.mkdir(parents=True)
    (root / papers_dir).symlink_to(elsewhere, target_is_directory=True)
    sources, diags = load_sources(root, papers_dir)
    assert diags == ()
    assert [s.path for s in sources.notes] == [f"{papers_dir}/a.md"]
    assert sources.files == frozenset({"f.png"}) and sources.outside == {}


def test_a_change_behind_a_folder_symlink_is_rebuilt(tmp_path: Path, cli) -> None:
    root = tmp_path / "lib"
    (root / "shared").mkdir(parents=True)
    (root / "shared" / "y.png").write_bytes(b"old")
    write_note(root, "a.md", note_text("A", body="![y](figs/y.png)\n"))
    (root / "papers" / "figs").symlink_to(root / "shared", target_is_directory=True)
    assert cli("build", "--root", str(root)).code == 0
    (root / "shared" / "y.png").write_bytes(b"new and longer")
    assert cli("build", "--root", str(root)).code == 0
    assert (root / "site" / "files" / "figs" / "y.png").read_bytes() == b"new and longer"
