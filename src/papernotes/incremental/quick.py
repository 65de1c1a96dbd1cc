"""``papernotes build`` after one note's body changed where no hole is: the page and the search
files patched in place, without the library, the templates or the cache's index.

The command line asks :func:`quick_edit` when the last build's report cannot be replayed
(``incremental.replay``). It goes on only when it can show that a full build would change
nothing but the note's page and search files, and would make them as it makes them:

- the call, the stamp and the output folder are the last build's (``replay.last_build``), no
  other note's embed shows it, and the library has no templates of its own;
- of every stamped input and watched folder, exactly one note file moved, after that stamp;
- its front matter is the same text: the digest of the new front matter with the last body is
  the one the note's cache entry holds (so the entry is that text's); or it has none, and the
  heading that titles it is the same (``quickfront``);
- the problems the last build reported in it are those a full build would report now
  (``quickfront``: they come from the front matter, the path and the facets below), but for
  an id the link stage made from its path, which its page is named by;
- its new body keeps what the rest of the site reads (``quickbody.facets``), holds no Hugo
  shortcode (they are warned about by line), and splices into the last render
  (``quickbody.respliced``), with the same summary and the same page-level flags (the
  reading time, which the page shows above the body, is patched there);
- the page and every search file it reads are the bytes the site's manifest says were
  written, the page holds the last body's HTML once, and the search index patches without
  moving its shard counts: from the shards the edit touches and the ledger of the others' sums
  (``quickshards``, ``searchledger``), or, without a ledger of these files, from every shard
  (``quicksearch.patched``).

Anything else, anything read that is not what a build writes (the library, its cache and its
site are untrusted), and the answer is None: the full build runs. Nothing is unpickled.

What it writes, in order: the journal (``incremental.quickjournal``: the site files it
rewrites, which the next full build makes again whatever its fingerprints say, and what it made
of the note, where the next quick edit of it starts), the files, the site's manifest, the
stamp (the note's new size and time; the note's cache entry stays the last text's, so the next
full build parses it again), the command line's note. A crash between leaves a stamp that does
not match: the next build is a full one.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from papernotes.blake import blake2b
from papernotes.errors import PATH_ID, PapernotesError
from papernotes.incremental.replay import (
    Replay,
    last_build,
    moved_inputs,
    refresh_note,
    reported,
)

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from papernotes.incremental.quickjournal import Journal
    from papernotes.incremental.searchledger import Ledger
    from papernotes.markdown._types import ParsedBody
    from papernotes.search.index import DocTerms, SearchDoc

__all__ = ["Edit", "quick_edit"]
_FLAGS = ('<pre class="mermaid">', 'class="math ', 'class="highlight"')
"""What the page around a body (its head, its scripts) or the whole site looks for in it."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Edit(NamedTuple):
    """A quick edit done: the last build's report, and the files written."""

    report: Replay
    """What the last build reported (this one finds nothing new to say)."""
    written: int
    """Site files written."""
    seconds: float
    """Wall time."""
    site: str
    """The output folder, as the last full build printed it."""


class _Refused(PapernotesError):
    """Not a quick edit: the full build runs (never shown: :func:`quick_edit` answers None)."""


def _read(path: str | Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read()


def _hash(data: bytes) -> str:
    return blake2b(data, digest_size=16).hexdigest()


def _moved(stamp: dict[str, Any]) -> tuple[str, list[int]]:
    """The one stamped input that moved, and its size and time now."""
    taken = stamp.get("taken")
    moved = moved_inputs(stamp, 1)
    if moved is None or type(taken) is not int:
        raise _Refused
    # After the stamp was taken: the next build must not take the cache's text for it
    # (``fastpath.stamped_notes`` trusts only files that moved well before).
    if len(moved) != 1 or moved[0][1][1] < taken:
        raise _Refused
    return moved[0]


def _entry(root: str, display: str) -> tuple[list[Any], str]:
    """From the note's cache entry: its text's digest, its parsed body, rendered body and
    search terms (JSON values), and its citekey."""
    from papernotes.incremental.entryfile import ENTRIES
    from papernotes.incremental.entryread import find

    lines = find(os.path.join(root, ".papernotes", "cache", ENTRIES), display)
    if lines is None:
        raise _Refused
    split = lines.split(b"\n")
    head = json.loads(split[0])
    if not isinstance(head, dict) or head.get("path") != display or len(split) != 6:
        raise _Refused
    specs, note = head.get("parts"), head.get("note")
    if head.get("body") != len(split[1]) or not isinstance(specs, list) or len(specs) != 4:
        raise _Refused
    for spec, line in zip(specs, split[2:], strict=True):
        if not (spec is None and not line) and not (
            isinstance(spec, list) and len(spec) == 2 and spec[1] == len(line)
        ):
            raise _Refused
    # The note as parsed: (its text's digest, its fields, its problems).
    if specs[0] is None or specs[1] is None or not isinstance(note, list) or len(note) != 3:
        raise _Refused
    try:
        sha, key = note[0], note[1][1][0]
    except (TypeError, IndexError, KeyError):
        raise _Refused from None
    if not isinstance(sha, str) or not isinstance(key, str):
        raise _Refused
    return [sha, *map(json.loads, split[1:4])], key


def _terms(value: Any) -> DocTerms:
    ok = isinstance(value, list) and len(value) == 2 and type(value[0]) is int
    if not ok or not isinstance(value[1], dict):
        raise _Refused
    if not all(type(v) is int and v >= 0 for v in value[1].values()):
        raise _Refused
    return value[0], value[1]


def _parser(old: ParsedBody, allow_html: bool) -> MarkdownIt:
    """The build's parser, given the fences the note's last template highlighted (as
    ``incremental.highlights`` gives them to a note parsed again): Pygments only for code
    that changed."""
    from papernotes.markdown.code import HIGHLIGHTED, known_highlights
    from papernotes.markdown.factory import make_parser

    md = make_parser(allow_html=allow_html)
    if allow_html or old.template is None:
        return md
    try:
        html = json.loads(zlib.decompress(old.template))[0]
    except (zlib.error, ValueError, RecursionError, TypeError, IndexError, KeyError):
        return md
    if type(html) is str and (known := known_highlights(html)):
        md.options[HIGHLIGHTED] = known
    return md


def _site_file(out: Path, files: dict[str, Any], path: str) -> bytes:
    """A site file as the manifest says it was written."""
    data = _read(out / path)
    if files.get(path) != _hash(data):
        raise _Refused
    return data


def quick_edit(root: str, out: str | None, *, strict: bool) -> Edit | None:
    """The quick build of ``papernotes build --root root [--out out]`` (see the module), or
    None: the full build runs."""
    start = time.perf_counter()
    last = last_build(root, out)
    if last is None:
        return None
    from papernotes.incremental.cache import build_lock

    try:
        with build_lock(Path(root)):
            written = _edit(root, *last, strict=strict)
    except (_Refused, OSError, ValueError, RecursionError, UnicodeError):
        return None
    report = reported(*last, strict=strict)
    if report is None:
        return None
    settings = last[0].get("quick")
    shown = settings.get("out") if isinstance(settings, dict) else None
    site = shown if isinstance(shown, str) else "the site"
    return Edit(report, written, time.perf_counter() - start, site)


def _edit(root: str, note: dict[str, Any], stamp: dict[str, Any], *, strict: bool) -> int:
    settings = note.get("quick")
    report = reported(note, stamp, strict=strict)
    if report is None or not isinstance(settings, dict):
        raise _Refused
    papers, allow_html = settings.get("papers"), settings.get("html")
    if not isinstance(papers, str) or type(allow_html) is not bool:
        raise _Refused
    if os.path.lexists(os.path.join(root, "templates")):
        raise _Refused  # a template of the library's own may show any part of a body
    path, now = _moved(stamp)
    display = os.path.relpath(path, root).replace(os.sep, "/")
    if not display.startswith(papers.rstrip("/") + "/") or not display.endswith(".md"):
        raise _Refused
    # The link stage gave the note its path for an id (another file has its name): the page
    # and the search document are under that id, not the file name's.
    if any(d.where.path == display and PATH_ID in d.message for d in report.diagnostics):
        raise _Refused
    from papernotes.incremental.quickjournal import read_journal

    entry, key = _entry(root, display)
    shown = stamp.get("mentioned")  # another note's embed may show this body
    if not isinstance(shown, list) or key in shown:
        raise _Refused
    journal = read_journal(Path(root))
    entry = journal.note(display) or entry  # where the last quick edit of it left it
    return _splice(root, note, stamp, (path, now, display), entry, key, journal, allow_html)


def _splice(
    root: str,
    note: dict[str, Any],
    stamp: dict[str, Any],
    moved: tuple[str, list[int], str],
    entry: list[Any],
    key: str,
    journal: Journal,
    allow_html: bool,
) -> int:
    from papernotes import urls
    from papernotes.incremental.cache import text_digest
    from papernotes.incremental.codec import Codec
    from papernotes.incremental.quickbody import facets, respliced
    from papernotes.incremental.quickfront import same_front
    from papernotes.incremental.quicksearch import body_terms
    from papernotes.machine import summary_text, xml_text
    from papernotes.markdown._types import ParsedBody, RenderedBody
    from papernotes.markdown.extract import parse_body
    from papernotes.notetext import decode

    path, now, display = moved
    text, problem = decode(_read(path), display)
    if text is None or problem is not None:
        raise _Refused
    codec = Codec({})
    sha, old, last = (
        entry[0],
        codec.decode(entry[1], ParsedBody),
        codec.decode(entry[2], RenderedBody),
    )
    body = same_front(text, old.text, sha)
    if body is None or "{{" in body or "{{" in old.text:
        raise _Refused  # the front matter changed, or a Hugo shortcode may be warned about
    new = parse_body(_parser(old, allow_html), body)
    if facets(new) != facets(old):
        raise _Refused
    rendered = respliced(old, last, new, sanitized=allow_html)
    if rendered is None or xml_text(rendered.html) != rendered.html or not last.html:
        raise _Refused
    if any((flag in rendered.html) != (flag in last.html) for flag in _FLAGS):
        raise _Refused
    manifest_path = Path(note["manifest"][0])
    out = manifest_path.parent
    site = json.loads(_read(manifest_path))
    files = site.get("files") if isinstance(site, dict) else None
    if not isinstance(files, dict) or site.get("generator") != "papernotes":
        raise _Refused
    page_path = urls.paper_page(key)
    page = _site_file(out, files, page_path).decode("utf-8")
    if page.count(last.html) != 1:
        raise _Refused
    head, _, tail = page.partition(last.html)
    head = _reading_time(head, tail, old.reading_minutes, new.reading_minutes)
    changed = {page_path: head + rendered.html + tail}
    old_terms = _terms(entry[3])
    new_terms = body_terms(old_terms, rendered.text)
    search = _search(root, out, files, key, (old_terms, new_terms), rendered.text)
    # The description and the feed show the abstract, else the body's start (a note with an
    # abstract stores it, cleaned, in the index: one that cleans to nothing is checked too).
    if not search[1].abstract and summary_text(rendered.text) != summary_text(last.text):
        raise _Refused
    changed.update(search[0])
    made = [
        text_digest(text),
        codec.encode(new, ParsedBody),
        codec.encode(rendered, RenderedBody),
        list(new_terms),
    ]
    journal.save(set(changed), display, made)
    _write(out, manifest_path, files, changed, (root, stamp, path, now))
    if search[2] is not None:  # after the site's manifest: it is bound to the files' hashes
        from papernotes.incremental.searchledger import write_ledger

        write_ledger(root, search[2], files)
    refresh_note(root, note)
    return len(changed)


def _search(
    root: str,
    out: Path,
    files: dict[str, Any],
    key: str,
    terms: tuple[DocTerms, DocTerms],
    body_text: str,
) -> tuple[dict[str, str], SearchDoc, Ledger | None]:
    """The search files that change, the note's document as the index stored it, and the
    ledger of the files after (``incremental.searchledger``): from the shards the edit touches
    when the last build left a ledger of the files, else from every shard (no ledger)."""
    from papernotes.incremental.quicksearch import patched, search_paths
    from papernotes.incremental.quickshards import ledger_patched
    from papernotes.incremental.searchledger import read_ledger

    read: dict[str, str] = {}

    def site_text(name: str) -> str:
        if name not in read:
            read[name] = _site_file(out, files, name).decode("utf-8")
        return read[name]

    ledger = read_ledger(root, files)
    if ledger is not None:
        done = ledger_patched(site_text, ledger, key, *terms, body_text)
        if done is None:
            raise _Refused
        return done
    texts = {name: site_text(name) for name in search_paths(site_text("static/search-index.js"))}
    found = patched(texts, key, *terms, body_text)
    if found is None:
        raise _Refused
    return (*found, None)


def _reading_time(head: str, tail: str, was: int, now: int) -> str:
    """``head`` (the page before the body) showing ``now`` minutes to read, not ``was``: the
    built-in page template's one place for it (the page after the body, ``tail``, has none)."""
    if was == now:
        return head
    shown = [f'<span class="reading-time">{n} min read</span>' for n in (was, now)]
    if not was or not now or head.count(shown[0]) != 1 or shown[0] in tail:
        raise _Refused  # shown or not: the line around it changes too
    return head.replace(shown[0], shown[1])


def _write(
    out: Path,
    manifest_path: Path,
    files: dict[str, Any],
    changed: dict[str, str],
    moved: tuple[str, dict[str, Any], str, list[int]],
) -> None:
    """The ``changed`` site files, the site's manifest, then the stamp with the note's file
    ``moved`` (the library, the stamp, the file, its size and time)."""
    from papernotes.atomic import write_atomic
    from papernotes.incremental.cache import state_path
    from papernotes.write import STAGING, manifest_json

    staging = out / STAGING
    staging.mkdir(exist_ok=True)
    for rel, text in changed.items():
        data = text.encode("utf-8")
        write_atomic(out / rel, data, tmp_dir=staging)
        files[rel] = _hash(data)
    site = (manifest_json(files) + "\n").encode("utf-8")
    write_atomic(manifest_path, site, tmp_dir=staging)
    staging.rmdir()
    root, stamp, path, now = moved
    stamp = {**stamp, "inputs": {**stamp["inputs"], path: now}, "manifest": _hash(site)}
    write_atomic(
        state_path(Path(root), "cache", "stamp.json"),
        json.dumps(stamp, sort_keys=True).encode("utf-8"),
    )
