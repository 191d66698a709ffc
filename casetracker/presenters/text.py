"""Plain-text and JSON renderings shared by the CLI, and the words for times the TUI shares.

Times are stored in UTC, but effective times are read and shown in UK local time
(``effective_time.DEFAULT_ZONE``); a recorded time shown in UTC beside them made a record seem
to precede what it recorded (an event of 24 June 2016 "recorded 2016-06-23T23:00Z").  So every
human rendering shows recorded times, and deadlines, in that same zone, named (GMT or BST);
JSON keeps the stored UTC text.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Container
from datetime import datetime
from typing import Any

from casetracker.domain.access import DENIED, AccessEntry
from casetracker.domain.case_facts import CaseFacts, Clock
from casetracker.domain.case_view import CaseView
from casetracker.domain.clock import parse_recorded
from casetracker.domain.effective_time import DEFAULT_ZONE, parse_canonical
from casetracker.domain.engine import Option
from casetracker.domain.events import RecordedEvent, personal_name
from casetracker.domain.vocabulary import WorkflowSpec


def counted(n: int, noun: str) -> str:
    """``1 event``, ``2 events``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def local_time(moment: datetime, seconds: bool = False) -> str:
    """``moment`` in UK local time, the zone named: ``2016-06-24 00:00 BST``."""
    pattern = "%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z"
    return moment.astimezone(DEFAULT_ZONE).strftime(pattern)


def recorded_time(text: str, seconds: bool = False) -> str:
    """A stored recorded time (UTC text) in UK local time, as effective times are shown."""
    moment = _stored_moment(text)
    return local_time(moment, seconds) if moment else _not_a_time(text)


def recorded_date(text: str) -> str:
    """The UK day a stored recorded time falls on (the UTC date can be the day before)."""
    moment = _stored_moment(text)
    return moment.astimezone(DEFAULT_ZONE).date().isoformat() if moment else _not_a_time(text)


def _stored_moment(text: str) -> datetime | None:
    """A stored recorded time read, or None when the file holds something the store never
    writes there: shown as it is, pointing to ``verify``, rather than stopping the reader."""
    try:
        return parse_recorded(text)
    except (TypeError, ValueError):
        return None


def _not_a_time(text: object) -> str:
    return f"{text!r} (not a recorded time: run `casetracker verify`)"


def effective_text(text: str) -> str:
    """A stored effective time at its own precision; an instant with its zone named."""
    when = parse_canonical(text)
    shown = when.display()
    if when.precision == "instant":
        shown += when.start.astimezone(DEFAULT_ZONE).strftime(" %Z")
    return shown


def clock_line(clock: Clock) -> str:
    """A PACE clock in words, its expiry in UK local time."""
    return clock.describe(local_time)


def facts_lines(facts: CaseFacts) -> list[str]:
    """``CaseFacts.lines`` with the clocks' expiry in UK local time."""
    rest = dataclasses.replace(facts, clocks=[]).lines()
    return [clock_line(c) for c in facts.clocks] + rest


def event_line(event: RecordedEvent) -> str:
    effective = parse_canonical(event.effective).display()
    target = event.workflow if not event.instance else f"{event.workflow}#{event.instance}"
    return (
        f"{event.seq:>4}  {effective:<28} {event.action:<28} {target:<16} "
        f"{event.actor_user} ({event.actor_role})  recorded {recorded_time(event.recorded, True)}"
    )


def view_json(view: CaseView) -> dict[str, Any]:
    return {
        "version": view.version,
        "lifecycles": {
            key: {
                "state": i.state,
                "workflow": i.workflow,
                "definition_version": i.version,
                "fields": i.fields,
            }
            for key, i in view.instances.items()
        },
    }


def view_lines(view: CaseView) -> list[str]:
    return [f"  {key:<24} {i.state}" for key, i in view.instances.items()]


# The subject's own details under the names a reader needs: a claimed nationality and a verified
# one are different facts (casetracker.domain.rules.nationality), so each says which it is.
SUBJECT_LABELS = {
    "nationality": "nationality (claimed)",
    "verified_nationality": "nationality (verified)",
}


def subject_label(key: str) -> str:
    """How an own-detail key of the subject record is shown on a screen."""
    return SUBJECT_LABELS.get(key, key.replace("_", " "))


def split_subject(
    values: dict[str, Any] | None,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """``(the subject's own details, free text)`` of a subject record: free text is kept as
    ``field@seq`` and shown under its field, event by event (``justification`` is the reason
    the actor gave for that event)."""
    if values is None:
        return None, []
    own: dict[str, Any] = {}
    free_text: list[dict[str, Any]] = []
    for key, value in values.items():
        name, seq = personal_name(key)
        if seq is None:
            own[key] = value
        else:
            free_text.append({"seq": seq, "field": name, "value": value})
    free_text.sort(key=lambda item: (item["seq"], item["field"]))
    return own, free_text


def summary_json(summary: Any) -> dict[str, Any]:
    own, free_text = split_subject(summary.subject)
    return {
        "case_id": summary.case_id,
        "version": summary.version,
        "opened": summary.opened,
        "updated": summary.updated,
        "subject": own,
        "free_text": free_text,
        "subject_erased": summary.subject_erased,
        "personal_data": "shown" if summary.subject is not None else "withheld: give --reason",
        **view_json(summary.view),
        "facts": summary.facts.as_dict(),
    }


def opened_day(summary: Any) -> str:
    """When the case opened: the day its first event happened (a case keyed in years later,
    as Figure 1's was, opened then, not on the day it was typed in)."""
    if not summary.events:
        return recorded_date(summary.opened)
    shown = effective_text(summary.events[0].effective)
    return shown[:10] if shown[:4].isdigit() else shown  # a day, without the time of day


def subject_lines(subject: dict[str, Any]) -> list[str]:
    """The subject's own details by their labels ("date of birth", a list as "a, b"), then
    free text under its field, event by event."""
    own, free_text = split_subject(subject)
    return [
        *(
            f"{subject_label(k)}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in (own or {}).items()
        ),
        *(f"event {t['seq']} {t['field']}: {t['value']}" for t in free_text),
    ]


def summary_lines(summary: Any) -> list[str]:
    recorded = recorded_time(summary.opened, seconds=True)
    lines = [
        f"case {summary.case_id}  version {summary.version}  opened {opened_day(summary)} "
        f"(on record since {recorded})"
    ]
    if summary.subject_erased:
        lines.append(f"  personal data erased on {recorded_date(summary.subject_erased)}")
    elif summary.subject is not None:
        lines += [f"  {line}" for line in subject_lines(summary.subject)]
    else:
        lines.append("  personal data withheld (give --reason to see it; the reason is logged)")
    lines.append("lifecycles:")
    lines += view_lines(summary.view)
    facts = facts_lines(summary.facts)
    if facts:
        lines.append("now:")
        lines += [f"  {line}" for line in facts]
    return lines


def options_json(view: CaseView, options: list[Option], role: str) -> dict[str, Any]:
    return {
        "case_id": view.case_id,
        "role": role,
        "version": view.version,
        "actions": [
            {
                "action": o.spec.name,
                "label": o.spec.label,
                "lifecycle": o.target,
                "allowed": o.allowed,
                "blocks": [
                    {"reason": b.reason, "remedy": b.remedy, "rule": b.rule} for b in o.blocks
                ],
                "fields": [
                    {
                        "name": f.name,
                        "type": f.type.value,
                        "required": f.required,
                        "choices": list(f.choices),
                    }
                    for f in o.spec.fields
                ],
            }
            for o in options
        ],
    }


def options_lines(options: list[Option], everything: bool = False) -> list[str]:
    """Allowed, then blocked with every reason; actions that only another role may take are
    summed up in one line unless ``everything`` is asked for (they are all in ``--json``)."""
    allowed = [o for o in options if o.allowed]
    blocked = [o for o in options if not o.allowed]
    others = [o for o in blocked if all(b.rule == "role" for b in o.blocks)]
    if not everything:
        blocked = [o for o in blocked if o not in others]
    lines = ["allowed now:"] + [f"  {o.spec.name:<30} {o.spec.label} ({o.target})" for o in allowed]
    if not allowed:
        lines.append("  (nothing)")
    lines.append("not allowed:")
    twice = {name for name, n in Counter(o.spec.name for o in blocked).items() if n > 1}
    for o in blocked:
        which = f"on {o.target} " if o.spec.name in twice else ""  # e.g. two open encounters
        lines.append(f"  {o.spec.name:<30} {which}blocked — " + "; ".join(str(b) for b in o.blocks))
    if others and not everything:
        lines.append(
            f"for other roles only ({len(others)}): "
            + ", ".join(o.spec.name for o in others)
            + " (--all shows who may)"
        )
    return lines


# The access log's names of the reads of a case (``services.case_reading``) and of the log
# itself: refused, they are reads denied, not actions refused.
READS = frozenset({"show", "history", "replay", "actions", "search", "read-access-log"})


def access_line(entry: AccessEntry, actions: Container[str] = ()) -> str:
    """An access-log entry as a line: a refusal says what was attempted and why, an action
    (one of ``actions``, the definitions' names) as "refused authorise_proposal: …", a read as
    "denied read (history): …"; another entry its detail, as the TUI's column does."""
    case = f" {entry.case_id}" if entry.case_id else ""
    why = f"  reason: {entry.justification}" if entry.justification else ""
    when = recorded_time(entry.recorded, seconds=True)
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        detail = {}
    detail = detail if isinstance(detail, dict) else {}
    what = f"{entry.action}{case}"
    if entry.action == DENIED:
        attempted = str(detail.get("attempted") or "")
        reasons = "; ".join(str(r) for r in detail.get("reasons") or [])
        if attempted in actions:
            what = f"refused {attempted}{case}"
        elif attempted in READS:
            what = f"denied read ({attempted}){case}"
        else:
            what = f"denied {attempted or 'access'}{case}"
        what += f": {reasons}" if reasons else ""
    else:
        shown = ", ".join(f"{k}={v}" for k, v in detail.items() if v not in ("", None))
        what += f"  ({shown})" if shown else ""
    return f"{when}  {entry.user} ({entry.role})  {what}{why}"


def spec_json(spec: WorkflowSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "version": spec.version,
        "label": spec.label,
        "many": spec.many,
        "initial": spec.initial,
        "cites": spec.cites,
        "help": spec.help,
        "states": [{"name": s.name, "label": s.label, "terminal": s.terminal} for s in spec.states],
        "actions": [
            {
                "name": a.name,
                "label": a.label,
                "sources": list(a.sources),
                "dest": a.dest,
                "roles": [r.value for r in a.roles],
                "guards": list(a.guards),
                "irreversible": a.irreversible,
                "cites": a.cites,
                "fields": [
                    {
                        "name": f.name,
                        "type": f.type.value,
                        "required": f.required,
                        "personal": f.personal or f.free_text,  # what a person types too
                        "choices": list(f.choices),
                    }
                    for f in a.fields
                ],
            }
            for a in spec.actions
        ],
    }


def spec_lines(spec: WorkflowSpec) -> list[str]:
    lines = [f"{spec.label} ({spec.name} v{spec.version}) {spec.cites}", spec.help, "states:"]
    lines += [f"  {s.name:<28} {s.label}{' (terminal)' if s.terminal else ''}" for s in spec.states]
    lines.append("actions:")
    for a in spec.actions:
        lines.append(f"  {a.name:<30} {' | '.join(a.sources)} -> {a.dest}")
        lines.append(f"      roles: {', '.join(r.value for r in a.roles)}")
        if a.guards:
            lines.append(f"      guards: {', '.join(a.guards)}")
        if a.fields:
            fields = ", ".join(
                f"{f.name}{'' if f.required else '?'}:{f.type.value}"
                + (f"[{'|'.join(f.choices)}]" if f.choices else "")
                for f in a.fields
            )
            lines.append(f"      fields: {fields}")
    return lines
