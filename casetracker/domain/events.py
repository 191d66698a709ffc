"""Events: what a caller asks to record, and what the log holds once recorded."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from casetracker.domain.case_view import CaseView
from casetracker.domain.vocabulary import ActionSpec


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event not yet recorded.  The store adds position, sequence, times, realm and hashes."""

    workflow: str
    workflow_version: int
    instance: int
    action: str
    actor_user: str
    actor_role: str
    effective: str  # canonical effective-time text (casetracker.domain.effective_time)
    payload: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None


# An event's values in the order they are hashed (``encoding.EVENT_FIELDS``): a
# ``RecordedEvent`` without its hash.
EventValues = tuple[int, str, int, str, str, int, int, str, str, str, str, str, str, str, str]


class RecordedEvent(NamedTuple):
    """One row of the log, exactly as stored and hashed.

    A named tuple rather than a frozen dataclass: folds and read-model rebuilds make one per
    event, millions of them, and a tuple is built several times faster.
    """

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
        data: dict[str, Any] = json.loads(self.payload)
        return data

    def as_dict(self) -> dict[str, Any]:
        """Every stored field, for ``--json`` output and bundles."""
        return self._asdict()


JUSTIFICATION = "justification"
"""The free text an actor gives for an action (``act(..., justification=...)``, ``--reason``):
kept like a free-text field, as ``justification@seq``.  Events recorded before migration 0007
carry it in the payload instead."""


def split_personal(
    spec: ActionSpec, values: dict[str, Any], seq: int, justification: str = ""
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(fields for the log, personal values for the subject record)`` of an action's input.

    Personal fields never enter the hash chain (casetracker.adapters.subjects keeps them erasable);
    one function, so ``act`` and the bulk path cannot disagree about which fields those are.
    A free-text value is the event's own, kept as ``name@seq`` (``seq`` is the event's sequence
    number in its case), so the next note does not replace this one; so is the justification.
    """
    personal = {f.name: f"{f.name}@{seq}" if f.free_text else f.name for f in spec.fields
                if f.personal or f.free_text}  # fmt: skip
    logged = {k: v for k, v in values.items() if k not in personal}
    secret = {personal[k]: v for k, v in values.items() if k in personal}
    if justification:
        secret[f"{JUSTIFICATION}@{seq}"] = justification
    return logged, secret


def personal_name(key: str) -> tuple[str, int | None]:
    """``(field name, sequence number)`` of a subject-record key; the number is None for the
    subject's own details (``name``), which the latest correction replaces."""
    name, _, seq = key.partition("@")
    return name, int(seq) if seq.isdigit() else None


def merge_free_text(view: CaseView, values: dict[str, Any]) -> None:
    """Put the free text of earlier steps (``values``: a subject record) back into the view's
    instances, where the rules read it; the fold sees only the log, which holds digests.
    Once the record is erased there is nothing to merge and the rules find no text."""
    by_seq: dict[int, dict[str, Any]] = {}
    for key, value in values.items():
        name, seq = personal_name(key)
        if seq is not None and name != JUSTIFICATION:  # the actor's reason is not a field
            by_seq.setdefault(seq, {})[name] = value
    for key, step in view.steps if by_seq else ():
        if step.seq in by_seq:
            view.instances[key].fields.update(by_seq[step.seq])


def event_payload(
    spec: ActionSpec,
    fields: dict[str, Any],
    digests: dict[str, str] | None = None,
    provenance: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The payload every recorded action carries (format: docs/event-format.md)."""
    payload: dict[str, Any] = {"fields": fields}
    if spec.guards:
        payload["checked"] = list(spec.guards)  # which rules the event was checked against
    if digests:
        payload["personal"] = digests
    if provenance:  # where a training fork or an import came from
        payload["provenance"] = provenance
    return payload
