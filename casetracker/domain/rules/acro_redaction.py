"""What a reader may see of a case's ACRO checks (¶4.32–4.35, fn 20).

A police-requested ACRO result below the Serious Offence List is police data: unless the force
shares every result with IOs (West Yorkshire, ¶4.35), a Home Office reader sees that the result
exists, never its content (¶4.32).  ``hosol.acro_visibility`` decides that per check; this module
applies it to everything a read returns (the folded view and the recorded events), so that every
read path (``case show``, history, replay, the TUI's case screen) redacts the same way.  Rules and
guards still run on the full record; only what is shown is redacted.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from casetracker.domain.case_view import CaseView, Instance, Step
from casetracker.domain.events import RecordedEvent
from casetracker.domain.organisation import AcroSharing, Organisation
from casetracker.domain.rules.field_values import as_text
from casetracker.domain.rules.hosol import acro_visibility

RESULT_FIELDS = ("conviction_categories",)
POLICE_ONLY = "police-only ACRO result: withheld from the Home Office (¶4.32)"


def withheld_checks(view: CaseView, org: Organisation, role: str) -> frozenset[int]:
    """The numbers of the case's ACRO checks whose content ``role`` may not see."""
    hidden = set()
    for check in view.of("acro_check"):
        force = org.force(as_text(check.fields.get("force")))
        sharing = force.policy.acro_sharing if force else AcroSharing.RESTRICTED
        if not acro_visibility(check, sharing, role).visible:
            hidden.add(check.number)
    return frozenset(hidden)


def redact_view(view: CaseView, hidden: frozenset[int]) -> CaseView:
    """A copy of ``view`` in which each hidden check's result fields say only that they exist."""
    if not hidden:
        return view
    keys = {
        key
        for key, instance in view.instances.items()
        if instance.workflow == "acro_check" and instance.number in hidden
    }
    instances = {
        key: _redact_instance(instance) if key in keys else instance
        for key, instance in view.instances.items()
    }
    steps = [(key, _redact_step(step) if key in keys else step) for key, step in view.steps]
    return replace(view, instances=instances, steps=steps)


def redact_events(events: list[RecordedEvent], hidden: frozenset[int]) -> list[RecordedEvent]:
    """The events, each hidden check's result fields replaced by ``POLICE_ONLY``.

    A redacted event no longer matches its hash: it is for showing, never for verifying (an
    export bundle carries the events as stored, and only auditors and admins may export).
    """
    if not hidden:
        return events
    return [
        e._replace(payload=_redact_payload(e.payload))
        if e.workflow == "acro_check" and e.instance in hidden
        else e
        for e in events
    ]


def _redact_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (POLICE_ONLY if k in RESULT_FIELDS else v) for k, v in fields.items()}


def _redact_instance(instance: Instance) -> Instance:
    return replace(
        instance,
        fields=_redact_fields(instance.fields),
        history=[_redact_step(s) for s in instance.history],
    )


def _redact_step(step: Step) -> Step:
    return step._replace(fields=_redact_fields(step.fields))


def _redact_payload(payload: str) -> str:
    data = json.loads(payload)
    fields = data.get("fields")
    if isinstance(fields, dict):
        data["fields"] = _redact_fields(fields)
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
