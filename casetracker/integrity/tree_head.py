"""Tree heads and consistency proofs as files, checked with no database (issue 15).

A tree head (``casetracker/tree-head/1``) holds both logs' sizes and Merkle roots and the
database it was taken of, and, signed, ``key_id`` and ``signature``
(``casetracker.integrity.signing``); a checkpoint (``casetracker/checkpoint/2``) is a tree head
that also holds the digest of every case's head (``services.integrity``).  Either serves below.
A consistency proof between two heads is what a witness or an inspectorate keeps: with the two
heads and the public key it shows, offline, that the log of the newer head extends the log of
the older one, event log and access log both.
"""

from __future__ import annotations

from typing import Any

from casetracker.integrity import merkle, signing

TREE_HEAD_FORMAT = "casetracker/tree-head/1"  # sizes and roots only: what a bundle carries
CHECKPOINT_FORMAT = "casetracker/checkpoint/2"  # a tree head with the case heads' digest
HEAD_FORMATS = (TREE_HEAD_FORMAT, CHECKPOINT_FORMAT)
CONSISTENCY_FORMAT = "casetracker/consistency-proof/1"
HEAD_FIELDS = ("position", "root", "access_size", "access_root")
LARGEST_SIZE = 2**63 - 1


def head_problem(head: Any) -> str:
    """Why ``head`` is not a tree head this module can check ('' when it is)."""
    if not isinstance(head, dict) or head.get("format") not in HEAD_FORMATS:
        return f"it is not a tree head ({' or '.join(HEAD_FORMATS)})"
    if not isinstance(head.get("database_id"), str):
        return "database_id must be text"
    for key in ("position", "access_size"):
        value = head.get(key)
        if type(value) is not int or not 0 <= value <= LARGEST_SIZE:
            return f"{key} must be a whole number from 0 to {LARGEST_SIZE}"
    for key in ("root", "access_root"):
        if not merkle.is_hash(head.get(key)):
            return f"{key} must be 64 lowercase hex digits"
    return ""


def tree_fields(head: dict[str, Any]) -> dict[str, Any]:
    """The sizes and roots a consistency proof is about."""
    return {k: head[k] for k in HEAD_FIELDS}


def consistency_document(
    old: dict[str, Any], new: dict[str, Any], events: list[str], access: list[str]
) -> dict[str, Any]:
    """The file ``casetracker proof consistency`` prints."""
    return {
        "format": CONSISTENCY_FORMAT,
        "database_id": new["database_id"],
        "old": tree_fields(old),
        "new": tree_fields(new),
        "events": events,
        "access_log": access,
    }


def consistency_problems(
    old: Any, new: Any, proof: Any, key: signing.PublicKey | None = None
) -> list[str]:
    """What is wrong with ``proof`` as evidence that head ``new`` extends head ``old``: each
    head's shape (and signature, with a key), that both are of one database, that the proof
    is about exactly these two heads, and both logs' RFC 9162 consistency proofs."""
    problems: list[str] = []
    for name, head in (("old head", old), ("new head", new)):
        problem = head_problem(head)
        if problem:
            problems.append(f"the {name}: {problem}")
        elif key is not None:
            problem = signing.head_signature_problem(head, key)
            if problem:
                problems.append(f"the {name} does not verify with this key: {problem}")
    if problems:
        return problems
    if old["database_id"] != new["database_id"]:
        return ["the two heads are of different databases"]
    if not isinstance(proof, dict) or proof.get("format") != CONSISTENCY_FORMAT:
        return [f"the proof is not a {CONSISTENCY_FORMAT} file"]
    if (proof.get("old"), proof.get("new"), proof.get("database_id")) != (
        tree_fields(old),
        tree_fields(new),
        new["database_id"],
    ):
        return ["the proof is about other heads than these two"]
    logs = (
        ("event log", "position", "root", "events"),
        ("access log", "access_size", "access_root", "access_log"),
    )
    for name, size, root, path in logs:
        hashes = proof.get(path)
        if not (isinstance(hashes, list) and all(isinstance(h, str) for h in hashes)):
            problems.append(f"the proof's {path} must be a list of hashes")
        elif old[size] > new[size]:
            problems.append(
                f"the {name} of the new head ({new[size]} entries) is shorter than the old "
                f"head's ({old[size]}): the log was cut or an older copy restored"
            )
        elif not merkle.verify_consistency(old[size], new[size], old[root], new[root], hashes):
            problems.append(
                f"the {name}: the tree of the old head ({old[size]} entries) is not a prefix of "
                f"the tree of the new head ({new[size]}): the log was rewritten between them"
            )
    return problems
