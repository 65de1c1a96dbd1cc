"""A note file's bytes as its text: the one rule the load stage, a quick edit
(``incremental.quick``) and ``migrate`` read notes by, in a module of its own so that a quick
edit need not import the load stage (its walk, its dataclasses)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from papernotes.errors import error

if TYPE_CHECKING:
    from papernotes.errors import Diagnostic

__all__ = ["decode"]


def decode(raw: bytes, display: str) -> tuple[str | None, Diagnostic | None]:
    """Decode a note's bytes; BOM and CRLF come from Windows editors and are accepted."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, error(
            display,
            line,
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "re-save the file as UTF-8",
        )
    return text.replace("\r\n", "\n").replace("\r", "\n"), None
