from __future__ import annotations

import posixpath

import pytest
from bs4 import BeautifulSoup

from papernotes import urls

from conftest import note_text, write_note


@pytest.mark.parametrize(
    ("key", "slug"),
    [
        ("hu2021lora", "hu2021lora"),
        ("Liu_2022-b", "Liu_2022-b"),
        ("a:b", "a~3ab"),
        ("v1.2", "v1.2"),
        (".hidden", "~2ehidden"),
        ("..", "~2e."),
    ],
)
def test_key_slug(key: str, slug: str) -> None:
    assert urls.key_slug(key) == slug


def test_key_slug_is_injective_and_stays_in_its_folder() -> None:
    keys = ["a:b", "a~3ab", "a.b", "a_b", "..", ".", "a-b", "A:B"]
    slugs = [urls.key_slug(k) for k in keys if "~" not in k]
    assert len(set(slugs)) == len(slugs)
    for key in keys:
        path = urls.paper_page(key)
        assert posixpath.normpath(path).startswith("papers/")
        assert "/" not in path.removeprefix("papers/")


@pytest.mark.parametrize(
    ("src", "dest", "href"),
    [
        ("index.html", "papers/x.html", "papers/x.html"),
        ("papers/x.html", "papers/y.html", "y.html"),
        ("papers/x.html", "tags/peft.html", "../tags/peft.html"),
        ("papers/x.html", "files/peft/fig 1.svg", "../files/peft/fig%201.svg"),
        ("tags/a.html", "index.html", "../index.html"),
        ("papers/x.html", "papers/y.html#h-方法", "y.html#h-%E6%96%B9%E6%B3%95"),
        ("authors/z.html", "authors/杨植麟.html", "%E6%9D%A8%E6%A4%8D%E9%BA%9F.html"),
    ],
)
def test_relative(src: str, dest: str, href: str) -> None:
    assert urls.relative(src, dest) == href


def test_assign_slugs_unique_and_stable() -> None:
    names = ["José García", "Jose Garcia", "杨植麟", "RLHF", "rlhf!", "  "]
    first = urls.assign_slugs(names)
    assert first == urls.assign_slugs(reversed(names))
    assert len(set(first.values())) == len(names)
    assert first["杨植麟"] == "杨植麟"
    assert {first["Jose Garcia"], first["José García"]} == {"jose-garcia", "jose-garcia-2"}


@pytest.mark.parametrize(
    ("rel", "expected"),
    [
        ("a/b.png", "a/b.png"),
        ("a/../b.png", "b.png"),
        ("../x", None),
        ("a/../../x", None),
        ("/etc/passwd", None),
        ("..", None),
    ],
)
def test_inside(rel: str, expected: str | None) -> None:
    assert urls.inside(rel) == expected


# Page names fit in a file name, with room for the write stage's temporary names.


@pytest.mark.parametrize("length", [190, 195, 196, 241, 300, 1000])
def test_long_ids_give_short_stable_distinct_page_names(length: int) -> None:
    keys = ["a" * length, "a" * length + "b", "a" * (length - 1) + ":", "b" + "a" * length]
    names = [posixpath.basename(urls.paper_page(k)) for k in keys]
    assert all(len(n.encode()) <= urls.MAX_NAME_BYTES for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names == [posixpath.basename(urls.paper_page(k)) for k in keys]
    bibs = [posixpath.basename(urls.paper_bib(k)) for k in keys]
    assert [b.removesuffix(".bib") for b in bibs] == [n.removesuffix(".html") for n in names]


def test_short_ids_keep_their_page_names() -> None:
    key = "x" * (urls.MAX_NAME_BYTES - len(".html"))
    assert urls.paper_page(key) == f"papers/{key}.html"
    assert urls.paper_page("hu2021lora") == "papers/hu2021lora.html"


def test_tag_and_author_slugs_fit_in_bytes() -> None:
    names = ["低秩" * 60, "低秩" * 60 + "!", "é" * 300, "x" * 300]
    slugs = urls.assign_slugs(names)
    assert len(set(slugs.values())) == len(names)
    for slug in slugs.values():
        assert len(f"{slug}.html".encode()) <= urls.MAX_NAME_BYTES


def test_a_library_with_a_300_character_id_builds(tmp_path, cli) -> None:
    key = "k" * 300
    write_note(tmp_path, "a.md", note_text("Long", extra=f"id: {key}\n"))
    write_note(tmp_path, "b.md", note_text("Cites it", body=f"See [@{key}].\n"))
    result = cli("build", "--root", str(tmp_path))
    assert result.code == 0, result.err
    page = tmp_path / "site" / urls.paper_page(key)
    assert "Long" in page.read_text("utf-8")
    href = BeautifulSoup((tmp_path / "site/papers/b.html").read_text("utf-8"), "html.parser")
    assert href.select_one("a.cite")["href"] == posixpath.basename(urls.paper_page(key))


# A tag or author never takes the name of a list page.


def test_reserved_slugs_are_never_given_out() -> None:
    slugs = urls.assign_slugs(["index", "Index", "INDEX!", "other"])
    assert "index" not in slugs.values()
    assert len(set(slugs.values())) == 4


def test_tag_and_author_named_index_keep_the_list_pages(tmp_path, cli) -> None:
    write_note(tmp_path, "a.md", note_text("Indexing", authors="[Index]", extra="tags: [index]\n"))
    write_note(tmp_path, "b.md", note_text("Reindexing", authors="[Index]"))
    write_note(tmp_path, "c.md", note_text("Indexed", authors="[Index]"))  # a page: 3 papers
    assert cli("build", "--root", str(tmp_path)).code == 0
    site = tmp_path / "site"
    for folder, heading, name in [("tags", "Tags", "index"), ("authors", "Authors", "Index")]:
        listing = BeautifulSoup((site / folder / "index.html").read_text("utf-8"), "html.parser")
        assert heading in listing.h1.get_text()
        link = listing.find("a", string=lambda s, n=name: s is not None and s.strip() == n)
        assert link is not None and link["href"] == "index-2.html"
        own = BeautifulSoup((site / folder / "index-2.html").read_text("utf-8"), "html.parser")
        assert name in own.h1.get_text() and "Indexing" in own.get_text()


# Files whose paths differ only in case never collide on macOS or Windows.


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["Fig.png", "fig.png"], ["files/Fig.png", "files/fig-2.png"]),
        (
            ["Fig.png", "fig-2.png", "fig.png"],
            ["files/Fig.png", "files/fig-2.png", "files/fig-3.png"],
        ),
        (
            ["Figs/a.png", "figs/a.png", "figs/b.png"],
            ["files/Figs/a.png", "files/Figs/a-2.png", "files/Figs/b.png"],
        ),
        (["A", "a/x.png"], ["files/A", "files/a-2/x.png"]),
        (["README", "readme"], ["files/README", "files/readme-2"]),
        (
            ["caf\u00e9.png", "cafe\u0301.png", "CAF\u00c9.PNG"],
            ["files/CAF\u00c9.PNG", "files/cafe\u0301-2.png", "files/caf\u00e9-3.png"],
        ),
        (["peft/figures/update.svg"], ["files/peft/figures/update.svg"]),
    ],
)
def test_file_paths_differ_ignoring_case(files: list[str], expected: list[str]) -> None:
    placed = urls.file_paths(files)
    assert sorted(placed.values()) == sorted(expected)
    assert placed == urls.file_paths(reversed(files))


def test_fig_and_Fig_are_two_files_with_their_own_links(tmp_path, cli) -> None:
    write_note(tmp_path, "a.md", note_text("Upper", body="![u](Fig.png)\n"))
    write_note(tmp_path, "b.md", note_text("Lower", body="![l](fig.png)\n"))
    (tmp_path / "papers" / "Fig.png").write_bytes(b"UPPER")
    (tmp_path / "papers" / "fig.png").write_bytes(b"lower")
    assert cli("build", "--root", str(tmp_path)).code == 0
    site = tmp_path / "site"
    copied = [p.relative_to(site).as_posix() for p in (site / "files").iterdir()]
    assert len({p.lower() for p in copied}) == 2
    for note, data in [("a", b"UPPER"), ("b", b"lower")]:
        page = site / "papers" / f"{note}.html"
        src = BeautifulSoup(page.read_text("utf-8"), "html.parser").select_one(".note-body img")
        assert (page.parent / str(src["src"])).read_bytes() == data


@pytest.mark.parametrize(
    ("key", "page"),
    [
        ("CON", "papers/~43ON.html"),
        ("nul", "papers/~6eul.html"),
        ("com1.x", "papers/~63om1.x.html"),
        ("console", "papers/console.html"),
        ("conx", "papers/conx.html"),
    ],
)
def test_windows_device_names_never_name_a_page(key: str, page: str) -> None:
    assert urls.paper_page(key) == page


def test_windows_device_names_are_never_tag_or_author_slugs() -> None:
    slugs = urls.assign_slugs(["CON", "Aux", "lpt1", "conference"])
    assert slugs == {"Aux": "aux-2", "CON": "con-2", "conference": "conference", "lpt1": "lpt1-2"}


@pytest.mark.parametrize("seed", range(5))
def test_the_plain_fast_paths_agree_with_the_character_walk(seed: int) -> None:
    # key_slug and relative skip their per-character work when nothing needs encoding; over
    # random strings of plain and special characters they must say what the walk says.
    import random
    from urllib.parse import quote

    rng = random.Random(seed)
    alphabet = "aZ09_-.~/ é%#CONcon"
    for _ in range(400):
        key = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        device = urls.is_windows_device(key)
        walked = "".join(
            ch
            if ((ch.isascii() and (ch.isalnum() or ch in "_-")) or (ch == "." and i))
            and (i or not device)
            else "".join(f"~{b:02x}" for b in ch.encode("utf-8"))
            for i, ch in enumerate(key)
        )
        assert urls.key_slug(key) == walked, key
        path = key.replace("#", "").lstrip("/") or "x"
        assert urls.relative("index.html", path) == quote(path, safe="/~-._"), path


def test_assign_slugs_alike_names_cost_linear_probes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names that slugify alike ("x" for a name of symbols alone): the k-th of them tries a
    slug or two, not k (thousands of them made assigning the slugs quadratic)."""
    probes = 0

    class Counting(set[str]):
        def __contains__(self, item: object) -> bool:
            nonlocal probes
            probes += 1
            return super().__contains__(item)

    monkeypatch.setattr(urls, "set", Counting, raising=False)

    def cost(n: int) -> int:
        nonlocal probes
        probes = 0
        slugs = urls.assign_slugs(["!" * (i + 1) for i in range(n)])
        assert sorted(slugs.values()) == sorted(["x", *(f"x-{i}" for i in range(2, n + 1))])
        return probes

    small, large = cost(50), cost(200)
    assert large <= 5 * small  # linear: 4x the names, 4x the probes (quadratic: 16x)
