from __future__ import annotations

from pathlib import Path

from papernotes import load
from papernotes.load import load_sources
from papernotes.notetext import decode


def test_finds_notes_and_files_and_skips_hidden_folders(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    (papers / "sub" / "figures").mkdir(parents=True)
    (papers / ".obsidian").mkdir()
    (papers / "a.md").write_text("a", encoding="utf-8")
    (papers / "sub" / "B.MD").write_text("b", encoding="utf-8")
    (papers / "sub" / "figures" / "f.svg").write_text("<svg/>", encoding="utf-8")
    (papers / ".obsidian" / "workspace.md").write_text("x", encoding="utf-8")
    sources, diags = load_sources(tmp_path, "papers")
    assert diags == ()
    assert [s.path for s in sources.notes] == ["papers/a.md", "papers/sub/B.MD"]
    assert sources.files == frozenset({"sub/figures/f.svg"})


def test_decode_bom_crlf_and_bad_bytes() -> None:
    assert load.decode is decode  # the load stage reads notes by the same rule
    assert decode("\ufeff---\r\na\rb\n".encode(), "x.md") == ("---\na\nb\n", None)
    text, problem = decode(b"line one\nline two \xff\n", "papers/x.md")
    assert text is None and problem is not None
    assert problem.format().startswith("papers/x.md:2: error: not UTF-8 text (byte 0xff")


def test_symlinks_out_of_the_library_are_recorded_not_read(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "dir").mkdir(parents=True)
    (home / "id_ed25519").write_bytes(b"secret")
    (home / "secret.md").write_text("secret", encoding="utf-8")
    (home / "dir" / "n.md").write_text("secret", encoding="utf-8")
    root = tmp_path / "lib"
    papers = root / "papers"
    (papers / "figures").mkdir(parents=True)
    (papers / "a.md").write_text("a", encoding="utf-8")
    (papers / "figures" / "key.png").symlink_to(home / "id_ed25519")
    (papers / "leak.md").symlink_to(home / "secret.md")
    (papers / "ext").symlink_to(home / "dir", target_is_directory=True)
    sources, diags = load_sources(root, "papers")
    real = home.resolve()
    assert [s.path for s in sources.notes] == ["papers/a.md"]
    assert sources.files == frozenset()
    assert sources.outside == {
        "figures/key.png": f"{real}/id_ed25519",
        "leak.md": f"{real}/secret.md",
        "ext": f"{real}/dir",
    }
    assert [d.format() for d in diags] == [
        f"papers/ext: warning: links outside the library (→ {real}/dir) — not published"
        " (copy it into the library)",
        f"papers/leak.md: warning: links outside the library (→ {real}/secret.md) — not"
        " published (copy it into the library)",
    ]
