"""The only place an id, tag, author or file becomes an output path or a relative href.

Output paths are site-relative POSIX paths ("papers/hu2021lora.html"). Every link between pages
is relative, so the site works from ``file://`` and under any sub-path. Nothing here lets a
user-chosen string reach outside the output folder: ids are encoded character by character, and
file paths are checked to stay inside the notes folder.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import quote

from papernotes.blake import blake2b

__all__ = [
    "MAX_NAME_BYTES",
    "RESERVED_SLUGS",
    "WINDOWS_DEVICES",
    "assign_slugs",
    "author_page",
    "file_paths",
    "fold_name",
    "free_name",
    "is_windows_device",
    "key_slug",
    "paper_bib",
    "paper_page",
    "relative",
    "tag_page",
    "unique_slug",
    "urn_key",
    "urn_slug",
    "year_page",
]

_KEY_SAFE = re.compile(r"[A-Za-z0-9_-]", re.ASCII)
# A key with nothing to encode (almost every key): it is its own slug, without the per-character
# walk below (key_slug runs for every link on every page).
_KEY_PLAIN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", re.ASCII)
# A relative href with nothing to percent-encode: quote() would return it unchanged.
_HREF_PLAIN = re.compile(r"[A-Za-z0-9/~._-]*", re.ASCII)

MAX_NAME_BYTES = 200
"""The longest page file name made from a user's string, in UTF-8 bytes: file systems allow
255, and the write stage's temporary names add a few bytes around it."""

WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{d}{n}" for d in ("COM", "LPT") for n in "0123456789¹²³"]
)
"""Names Windows reserves for devices, whatever follows their first dot (``nul.txt``): a site
or library copied to Windows could not hold a file so named."""


def is_windows_device(name: str) -> bool:
    """True when Windows would read the file name ``name`` as a device (``CON``, ``com1.html``)."""
    return name.partition(".")[0].upper() in WINDOWS_DEVICES


RESERVED_SLUGS = frozenset({"index", *(d.lower() for d in WINDOWS_DEVICES)})
"""Tag and author slugs that would replace a list page (``tags/index.html``) or name a Windows
device (``tags/con.html``)."""


def key_slug(key: str) -> str:
    """A citekey as a file name: ``[A-Za-z0-9_.-]`` kept, any other character as the
    ``~XX`` of each of its UTF-8 bytes (``smith/article`` → ``smith~2farticle``,
    ``Müller`` → ``M~c3~bcller``).

    A leading ``.`` is encoded too, and so is the first letter of a Windows device name
    (``CON`` → ``~43ON``). The mapping is injective (``~`` never occurs in a key, and each
    ``~`` is followed by exactly two lower-case hex digits) and the result is ASCII, never
    contains ``/`` or starts with ``.``: ``..`` cannot escape, ``a:b`` cannot be read as a URL
    scheme, and two keys that differ other than in ASCII case never differ only in case here,
    so case-insensitive file systems keep them apart (keys equal ignoring case are one id).
    """
    device = is_windows_device(key)
    if not device and _KEY_PLAIN.fullmatch(key):
        return key
    return "".join(
        ch
        if (_KEY_SAFE.match(ch) or (ch == "." and i)) and (i or not device)
        else "".join(f"~{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
        for i, ch in enumerate(key)
    )


def urn_slug(text: str) -> str:
    """``text`` (a site's title) for a ``urn:papernotes:…`` feed id: as :func:`key_slug` wrote
    it before keys could hold any character (``~`` and the code point's hex, which is not
    injective beyond ASCII). Kept so a feed reader keeps a published feed's identity.
    """
    device = is_windows_device(text)
    return "".join(
        ch
        if (_KEY_SAFE.match(ch) or (ch == "." and i)) and (i or not device)
        else f"~{ord(ch):02x}"
        for i, ch in enumerate(text)
    )


def urn_key(key: str) -> str:
    """``key`` as the last part of a ``urn:papernotes:…`` id: what a URN may hold (RFC 8141:
    letters, digits, ``-._~!$&'()*+,;=:@/``) as written, anything else percent-encoded, so
    the ids of keys papernotes always took (``hu2021lora``, ``arXiv:2106.09685``) stay."""
    return quote(key, safe="!$&'()*+,;=:@/")


def _paper_name(key: str) -> str:
    """``key_slug(key)``, or when that is too long for a file name, its start and a digest.

    ``~~`` never occurs in a key's slug (``~`` is always followed by two hex digits), so a
    shortened name never equals a whole one, and the digest keeps shortened ones apart.
    """
    slug = key_slug(key)  # ASCII: one byte per character
    room = MAX_NAME_BYTES - len(".html")
    if len(slug) <= room:
        return slug
    digest = blake2b(key.encode(), digest_size=8).hexdigest()
    return f"{slug[: room - len(digest) - 2]}~~{digest}"


def paper_page(key: str) -> str:
    """The page of one paper."""
    return f"papers/{_paper_name(key)}.html"


def paper_bib(key: str) -> str:
    """The ``.bib`` file one paper's entry downloads as (made in the browser, not written)."""
    return f"papers/{_paper_name(key)}.bib"


def tag_page(slug: str) -> str:
    """The page listing one tag's papers."""
    return f"tags/{slug}.html"


def author_page(slug: str) -> str:
    """The page listing one author's papers."""
    return f"authors/{slug}.html"


def year_page(year: int) -> str:
    """The page listing one year's papers."""
    return f"years/{year}.html"


def fold_name(path: str) -> str:
    """What case-insensitive file systems compare: case folded, and (on macOS) normalised."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", path).casefold())


def free_name(want: str, taken: set[str], *, ext: str = "") -> str:
    """``want + ext``, or ``want-N + ext`` from N=2 when in ``taken`` (names as
    :func:`fold_name` gives them); the result is added to ``taken``."""
    path, n = want + ext, 1
    while fold_name(path) in taken:
        n += 1
        path = f"{want}-{n}{ext}"
    taken.add(fold_name(path))
    return path


def file_paths(files: Iterable[str]) -> dict[str, str]:
    """Where each file next to the notes (an image, a PDF) is copied: ``files/<its path>``.

    On a case-insensitive file system (macOS, Windows) ``Fig.png`` and ``fig.png`` would be one
    file, so a path that equals an earlier one ignoring case gets ``-2``, ``-3`` before its
    extension, and a folder spelt differently (``Figs/``, ``figs/``) takes the first spelling,
    all in sorted order: the same files always get the same paths.
    """
    taken: set[str] = set()
    folders: dict[str, str] = {}  # folded folder path → the spelling used in the site
    out: dict[str, str] = {}
    for rel in sorted(set(files)):
        *dirs, name = rel.split("/")
        parent = ""
        for part in dirs:
            want = parent + part
            spelt = folders.get(fold_name(want))
            if spelt is None:
                spelt = folders[fold_name(want)] = free_name(want, taken)
            parent = f"{spelt}/"
        stem, ext = posixpath.splitext(name)
        out[rel] = f"files/{free_name(parent + stem, taken, ext=ext)}"
    return out


def _cut(text: str, limit: int) -> str:
    """The longest start of ``text`` that is at most ``limit`` bytes in UTF-8."""
    return text.encode()[:limit].decode("utf-8", "ignore")


def _slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", "-", text).strip("-_")
    # 80 characters of CJK are 240 bytes: leave room for "-N.html" and temporary names.
    return _cut(text[:80], MAX_NAME_BYTES - 20).rstrip("-_") or "x"


def assign_slugs(names: Iterable[str], reserved: Iterable[str] = RESERVED_SLUGS) -> dict[str, str]:
    """File-name slugs for tags or authors: readable, unique, and stable for a given set.

    Names that slugify alike (``José García`` and ``Jose Garcia``) get ``-2``, ``-3`` in sorted
    order, so the same library always gets the same URLs; a reserved slug (``index``, the
    list page) is never given out.
    """
    taken = set(reserved)
    # Where each base's count stopped: the k-th name of a base (thousands of authors whose
    # names slugify to "x") tries one or two slugs, not k.
    counts: dict[str, int] = {}
    return {
        name: unique_slug(_slugify(name), taken, first=2, counts=counts)
        for name in sorted(set(names))
    }


def unique_slug(
    base: str, taken: set[str], *, first: int = 1, counts: dict[str, int] | None = None
) -> str:
    """``base``, or ``base-N`` counting from ``first`` if taken; the result is added to taken.

    ``counts`` (base → the N it stopped at, kept by the caller across calls with the same
    ``taken``) starts the count where it stopped: every slug before it was taken then, and
    ``taken`` only grows, so the slug given is the same."""
    n = first - 1 if counts is None else counts.get(base, first - 1)
    slug = base if n == first - 1 else f"{base}-{n}"
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    if counts is not None:
        counts[base] = n
    return slug


def relative(from_page: str, to_path: str) -> str:
    """The href from one page to another site path, percent-encoded ("../tags/peft.html").

    Both are normalised site paths (no ``..``), so the relative path is the part after their
    common folders, with one ``../`` per folder of ``from_page`` left over. A fragment
    (``#…``) on ``to_path`` is kept.
    """
    path, _, fragment = to_path.partition("#")
    src = from_page.split("/")[:-1]
    dest = path.split("/")
    common = 0
    while common < len(src) and common < len(dest) - 1 and src[common] == dest[common]:
        common += 1
    rel = "/".join([".."] * (len(src) - common) + dest[common:]) if path else ""
    href = rel if _HREF_PLAIN.fullmatch(rel) else quote(rel, safe="/~-._")
    return f"{href}#{quote(fragment, safe='-._~')}" if fragment else href


def inside(rel: str) -> str | None:
    """``rel`` normalised if it stays inside its folder, else None ("a/../../x" escapes)."""
    norm = posixpath.normpath(rel)
    if norm.startswith(("../", "/")) or norm in ("..", ".") or posixpath.isabs(norm):
        return None
    return norm
