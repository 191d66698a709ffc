"""Signed tree heads through the service layer: keys, signed checkpoints, consistency proofs.

The CLI and the tests call these; the checks themselves live in ``casetracker.integrity``
(offline, no database) and ``casetracker.services.integrity`` (against a database).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from casetracker import paths
from casetracker.adapters import merkle_tree
from casetracker.adapters.database import read_transaction
from casetracker.adapters.key_files import read_key_file, write_key_pair
from casetracker.domain import clock
from casetracker.domain.errors import UsageError
from casetracker.integrity import signing, tree_head
from casetracker.services.cases import Casetracker
from casetracker.services.integrity import make_checkpoint


def generate_keys(private: Path | None = None) -> dict[str, str]:
    """Create an Ed25519 key pair (``casetracker keys generate``); returns where they are."""
    private = private or paths.signing_key_file()
    private_pem, public_pem = signing.new_key_pair()
    public = write_key_pair(private, private_pem, public_pem)
    key_id = signing.key_id(signing.public_key(public_pem))
    return {"private_key": str(private), "public_key": str(public), "key_id": key_id}


def signing_key(private: Path | None = None) -> signing.PrivateKey:
    """The private key that signs heads; a clear error when there is none."""
    private = private or paths.signing_key_file()
    if not private.exists():
        raise UsageError(f"no signing key at {private}: run `casetracker keys generate` first")
    try:
        return signing.private_key(read_key_file(private))
    except signing.BadKey as exc:
        raise UsageError(f"{private} is not a signing key: {exc}") from None


def signing_key_if_any() -> signing.PrivateKey | None:
    """The default signing key when one was generated, else None."""
    return signing_key() if paths.signing_key_file().exists() else None


def public_key(path: Path) -> signing.PublicKey:
    """A public key file (``--key``); a clear error when it is not one."""
    try:
        return signing.public_key(read_key_file(path))
    except signing.BadKey as exc:
        raise UsageError(f"{path} is not a public key: {exc}") from None


def signed_checkpoint(ct: Casetracker, private: Path | None = None) -> dict[str, Any]:
    """A tree head of both logs, signed (``casetracker checkpoint --sign``)."""
    key = signing_key(private)
    with read_transaction(ct.engine) as conn:
        return make_checkpoint(conn, ct.info, clock.utc_now_text(), key)


def consistency_proof(ct: Casetracker, old: Any, new: Any) -> dict[str, Any]:
    """The proof that head ``new`` extends head ``old``, from this database's stored trees."""
    for name, head in (("OLD", old), ("NEW", new)):
        problem = tree_head.head_problem(head)
        if problem:
            raise UsageError(f"{name} is not a tree head: {problem}")
        if head["database_id"] != ct.info.database_id:
            raise UsageError(f"{name} is a tree head of another database")
    with read_transaction(ct.engine) as conn:
        proofs: list[list[str]] = []
        for tree, size in (
            (merkle_tree.EVENTS, "position"),
            (merkle_tree.ACCESS_LOG, "access_size"),
        ):
            if old[size] > new[size]:
                raise UsageError(f"OLD's {size} ({old[size]}) is beyond NEW's ({new[size]})")
            have = merkle_tree.size(conn, tree)
            if new[size] > have:
                raise UsageError(f"NEW's {size} ({new[size]}) is beyond this database's ({have})")
            proofs.append(merkle_tree.consistency_proof(conn, tree, old[size], new[size]))
    return tree_head.consistency_document(old, new, *proofs)
