"""Bundles written by hand: a valid one with its own two-state workflow, and the same with a
header altered and its digest recomputed (anyone can recompute it, so the verifier must not
trust the header's shape)."""

from __future__ import annotations

import hashlib
from typing import Any

from casetracker.integrity import bundle
from casetracker.integrity.encoding import (
    EVENT_FIELDS,
    GENESIS,
    canonical_json,
    event_hash,
    heads_digest,
)


def event(seq: int, prev_hash: str, action: str = "go") -> dict[str, Any]:
    fields: dict[str, Any] = {
        "position": seq,
        "case_id": "C-0000001",
        "seq": seq,
        "realm": "live",
        "workflow": "w",
        "workflow_version": 1,
        "instance": 0,
        "action": action,
        "actor_user": "someone",
        "actor_role": "police",
        "effective": "2015-01-01",
        "recorded": "2015-01-01T00:00:00.000000Z",
        "idempotency_key": "",
        "payload": "{}",
        "prev_hash": prev_hash,
    }
    return {**fields, "hash": event_hash(tuple(fields[k] for k in EVENT_FIELDS))}


def events() -> list[dict[str, Any]]:
    first = event(1, GENESIS, "go")
    return [first, event(2, first["hash"], "back")]


def header(evs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "format": bundle.BUNDLE_FORMAT_1,  # no tree head: written by hand
        "event_format": bundle.EVENT_FORMAT,
        "database_id": "db",
        "realm": "live",
        "exported": "2015-01-02T00:00:00Z",
        "exported_by": "someone",
        "reason": "test",
        "cases": [{"case_id": "C-0000001", "events": len(evs), "head": evs[-1]["hash"]}],
        "checkpoint": {
            "format": bundle.BUNDLE_CHECKPOINT_FORMAT,
            "cases": 1,
            "events": len(evs),
            "position": evs[-1]["position"],
            "heads_digest": heads_digest([("C-0000001", len(evs), evs[-1]["hash"])]),
        },
        "workflows": [
            {
                "name": "w",
                "version": 1,
                "initial": "a",
                "many": False,
                "actions": [
                    {"name": "go", "sources": ["a"], "dest": "b"},
                    {"name": "back", "sources": ["b"], "dest": "a"},
                ],
            }
        ],
        "checks": list(bundle.CHECKS),
    }


def write(head: dict[str, Any], evs: list[dict[str, Any]]) -> bytes:
    """The bundle's bytes with ``head``'s digest recomputed, as a forger would."""
    head = {k: v for k, v in head.items() if k != "header_digest"}
    head["header_digest"] = hashlib.sha256(canonical_json(head).encode()).hexdigest()
    lines = [canonical_json(head), *(canonical_json(e) for e in evs)]
    return ("\n".join(lines) + "\n").encode()


def valid() -> bytes:
    evs = events()
    return write(header(evs), evs)
