"""papernotes.blake: the digests are hashlib's BLAKE2b, bit for bit (cache keys and file names
made before stay valid), without importing hashlib."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from papernotes.blake import blake2b


@pytest.mark.parametrize("size", [8, 10, 16, 64])
def test_digests_are_hashlibs(size: int) -> None:
    data = "papers/微调.md".encode()
    assert blake2b(data, digest_size=size).hexdigest() == (
        hashlib.blake2b(data, digest_size=size).hexdigest()
    )
    h = blake2b(digest_size=size)
    h.update(data)
    assert h.hexdigest() == hashlib.blake2b(data, digest_size=size).hexdigest()


def test_it_does_not_import_hashlib() -> None:
    probe = "import sys; import papernotes.blake; print('hashlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
