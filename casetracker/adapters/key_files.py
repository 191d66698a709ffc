"""The signing key pair on disk: written once, the private half readable only by its owner.

A tree head signed with a key that anyone with the database can read proves nothing, so the
key lives in the user's configuration directory (``casetracker locate``), never in the database,
and the private file is created with mode 0600 in one step (no moment when it is readable by
others) and never overwritten: replacing a key is a deliberate act of moving the old one away.
"""

from __future__ import annotations

import os
from pathlib import Path

from casetracker.domain.errors import UsageError
from casetracker.paths import public_key_file

KEY_FILE_LIMIT = 64 * 1024  # a PEM key is a few hundred bytes


def write_key_pair(private: Path, private_pem: bytes, public_pem: bytes) -> Path:
    """Write both files (the private one 0600, created exclusively); returns the public path.

    Refuses, changing nothing, when either file exists.
    """
    public = public_key_file(private)
    for path in (private, public):
        if path.exists():
            raise UsageError(
                f"a key already exists at {path}: move it away first to make a new one"
            )
    private.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    public.write_bytes(public_pem)
    return public


def read_key_file(path: Path) -> bytes:
    """A key file's bytes; ``UsageError`` when it is missing, unreadable or far too large."""
    try:
        with path.open("rb") as handle:  # read no further than the limit: /dev/zero has size 0
            raw = handle.read(KEY_FILE_LIMIT + 1)
    except FileNotFoundError:
        raise UsageError(f"no key file at {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a key file") from None
    except PermissionError:
        raise UsageError(f"cannot read the key file {path}: permission denied") from None
    if len(raw) > KEY_FILE_LIMIT:
        raise UsageError(f"{path} is too large to be a key file")
    return raw
