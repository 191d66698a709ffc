"""Events: what a caller asks to record, and what the log holds once recorded."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from casetracker.canonical import EVENT_FIELDS


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event not yet recorded.  The store adds position, sequence, times, realm and hashes."""

    workflow: str
    workflow_version: int
    instance: int
    action: str
    actor_user: str
    actor_role: str
    effective: str  # canonical effective-time text (casetracker.effective_time)
    payload: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One row of the log, exactly as stored and hashed."""

    position: int
    case_id: str
    seq: int
    realm: str
    workflow: str
    workflow_version: int
    instance: int
    action: str
    actor_user: str
    actor_role: str
    effective: str
    recorded: str
    idempotency_key: str
    payload: str  # the canonical JSON text that was hashed
    prev_hash: str
    hash: str

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.payload)

    def hashed_values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in EVENT_FIELDS)

    def as_dict(self) -> dict[str, Any]:
        """Every stored field, for ``--json`` output and bundles."""
        out = {name: getattr(self, name) for name in (*EVENT_FIELDS, "hash")}
        return out
