"""BLAKE2b, the one hash papernotes takes digests with (cache keys, file names, anchors).

From CPython's own ``_blake2``, which ``hashlib.blake2b`` is: ``import hashlib`` also loads
OpenSSL for algorithms papernotes never asks for (~2.5 ms, a tenth of a quick edit's imports).
"""

from __future__ import annotations

try:
    from _blake2 import blake2b
except ImportError:  # a Python built without it: hashlib's is then OpenSSL's, the same hash
    from hashlib import blake2b

__all__ = ["blake2b"]
