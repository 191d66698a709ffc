"""Proving that nothing in the log was altered, removed, inserted or reordered.

``verify`` walks every case's chain in sequence order and rebuilds each event's encoding from its
stored columns (no JSON is re-serialised): a changed byte in any field breaks that event's hash, a
removed or inserted event breaks the sequence and the links, swapped events break both.  Global
positions must run 1..N without a gap.  The projection must agree with a replay of the log, and
the personal data on file with the digests the log last recorded.

What a chain cannot show on its own - a case deleted whole, the tail cut off, an older backup put
back - a checkpoint kept elsewhere can: it records the global position, the event count and a
digest over every case's head as of that position, and ``verify --checkpoint`` recomputes them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker import access_log, subjects
from casetracker.canonical import (
    EVENT_FIELDS,
    EVENT_FORMAT,
    GENESIS,
    LEAF_PREFIX,
    SEPARATOR,
    heads_digest,
)
from casetracker.database import DatabaseInfo, stream
from casetracker.projection import Projector
from casetracker.tables import CASES, EVENTS

CHECKPOINT_FORMAT = "casetracker/checkpoint/1"


@dataclass
class CaseDamage:
    case_id: str
    seq: int | None
    position: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event {self.seq} (position {self.position})" if self.seq is not None else "case"
        return f"{self.case_id}: {where}: {self.problem}"


@dataclass
class Report:
    events: int = 0
    cases: int = 0
    last_position: int = 0
    damaged: list[CaseDamage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # not tied to one case
    checkpoint: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.damaged and not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "cases": self.cases,
            "last_position": self.last_position,
            "damaged": [d.__dict__ for d in self.damaged],
            "problems": self.problems,
            "checkpoint": self.checkpoint,
        }


INTEGER_FIELDS = frozenset({"position", "seq", "workflow_version", "instance"})


def chain_query(dialect: str) -> str:
    """Every event with its encoding rebuilt by the database from the stored columns.

    The concatenation is the one in docs/event-format.md, done in the database's C code; the
    verifier then only hashes.  Ordered by case and sequence, so each chain is walked in turn.
    """
    sep = " || char(31) || " if dialect == "sqlite" else " || chr(31) || "
    fields = sep.join(f"CAST({f} AS TEXT)" if f in INTEGER_FIELDS else f for f in EVENT_FIELDS)
    return (
        "SELECT case_id, seq, position, prev_hash, hash, workflow, workflow_version, instance, "
        f"action, '{EVENT_FORMAT}'{sep}{fields} FROM events ORDER BY case_id, seq"
    )


def verify(
    conn: Connection,
    info: DatabaseInfo,
    projector: Projector,
    checkpoint: dict[str, Any] | None = None,
) -> Report:
    """Check every chain, the global positions, the projection, the subjects and the access log."""
    report = Report()
    at = int(checkpoint["position"]) if checkpoint else 0
    heads_at_checkpoint: list[tuple[str, int, str]] = []
    events_at_checkpoint = 0
    projected = {r.case_id: r for r in conn.execute(sa.select(CASES))}
    personal: dict[str, dict[str, str]] = {}
    damaged_cases: set[str] = set()
    sha256 = hashlib.sha256
    apply = projector.apply
    positions_sum = 0
    case_id: str | None = None
    damaged = False
    prev = GENESIS
    expected_seq = 1
    state: dict[str, str] = {}
    head_before: tuple[str, int, str] | None = None
    last: tuple = ()

    def finish_case() -> None:
        if case_id is None:
            return
        if head_before is not None:
            heads_at_checkpoint.append(head_before)
        if not damaged:
            _compare_projection(report, projected.pop(case_id, None), case_id, last, state)
        else:
            projected.pop(case_id, None)

    def damage(problem: str) -> None:
        nonlocal damaged
        report.damaged.append(CaseDamage(case_id, row[1], row[2], problem))
        damaged_cases.add(case_id)
        damaged = True

    for row in stream(conn, chain_query(conn.dialect.name)):
        if row[0] != case_id:
            finish_case()
            case_id, damaged, prev, expected_seq, state, head_before = (
                row[0], False, GENESIS, 1, {}, None,
            )  # fmt: skip
            report.cases += 1
        last = row
        report.events += 1
        position = row[2]
        positions_sum += position
        if position > report.last_position:
            report.last_position = position
        if position <= at:
            events_at_checkpoint += 1
            head_before = (case_id, row[1], row[4])
        if damaged:
            continue
        if row[1] != expected_seq:
            damage(
                f"sequence jumps from {expected_seq - 1} to {row[1]}: "
                "an event was removed or inserted"
            )
        elif row[3] != prev:
            damage(
                "does not link to the event before it: an event was removed, inserted or reordered"
            )
        elif sha256(LEAF_PREFIX + row[9].encode()).hexdigest() != row[4]:
            damage("its content does not match its hash: the event was altered")
        else:
            try:
                apply(state, row[5], row[6], row[7], row[8])
            except (ValueError, KeyError) as exc:
                damage(f"not a legal step of its workflow: {exc}")
            if '"personal"' in row[9]:
                payload = row[9].split(SEPARATOR)[EVENT_FIELDS.index("payload") + 1]
                personal.setdefault(case_id, {}).update(json.loads(payload).get("personal", {}))
        prev = row[4]
        expected_seq += 1
    finish_case()
    n = report.events
    if n and (positions_sum != n * (n + 1) // 2 or report.last_position != n):
        report.problems.append(_position_gaps(conn, n))
    for case, seq, position, realm in conn.execute(
        sa.select(EVENTS.c.case_id, EVENTS.c.seq, EVENTS.c.position, EVENTS.c.realm)
        .where(EVENTS.c.realm != info.realm)
        .order_by(EVENTS.c.case_id, EVENTS.c.seq)
    ):
        if case not in damaged_cases:
            damaged_cases.add(case)
            report.damaged.append(
                CaseDamage(case, seq, position, f"marked {realm!r} in a {info.realm} database")
            )
    for orphan in sorted(projected):
        report.damaged.append(
            CaseDamage(
                orphan,
                None,
                None,
                "listed in the current-state table but has no events: its events were deleted",
            )
        )
    _check_subjects(conn, report, personal, damaged_cases)
    report.problems.extend(access_log.verify(conn))
    if checkpoint:
        report.checkpoint = _check_checkpoint(
            report, info, checkpoint, events_at_checkpoint, heads_at_checkpoint
        )
    return report


def _compare_projection(report: Report, row: Any, case_id: str, last: tuple, state: dict) -> None:
    if row is None:
        report.damaged.append(
            CaseDamage(case_id, None, None, "missing from the current-state table")
        )
    elif (row.version, row.head_hash, json.loads(row.state)) != (last[1], last[4], state):
        report.damaged.append(
            CaseDamage(
                case_id,
                last[1],
                last[2],
                "the current-state table disagrees with the log (run `casetracker rebuild`)",
            )
        )


def _position_gaps(conn: Connection, count: int) -> str:
    positions = [
        p for (p,) in conn.execute(sa.select(EVENTS.c.position).order_by(EVENTS.c.position))
    ]
    expected = 1
    for p in positions:
        if p != expected:
            return (
                f"global position {expected} is missing (the log jumps to {p}): "
                "an event was removed"
            )
        expected += 1
    return f"global positions do not run 1..{count}"


def _check_subjects(
    conn: Connection, report: Report, latest: dict[str, dict[str, str]], skip: set[str]
) -> None:
    """The personal data on file must match the digests the log recorded last (per case)."""
    for case_id, digests in latest.items():
        if case_id in skip:
            continue
        for problem in subjects.mismatches(conn, case_id, digests):
            report.damaged.append(CaseDamage(case_id, None, None, problem))


def _check_checkpoint(
    report: Report,
    info: DatabaseInfo,
    checkpoint: dict[str, Any],
    events_then: int,
    heads_then: list[tuple[str, int, str]],
) -> dict[str, Any]:
    problems: list[str] = []
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        problems.append("the checkpoint file is not a casetracker checkpoint")
    elif checkpoint.get("database_id") != info.database_id:
        problems.append("the checkpoint was taken of a different database")
    else:
        position = int(checkpoint["position"])
        if report.last_position < position:
            problems.append(
                f"the log ends at position {report.last_position} but the checkpoint saw "
                f"{position}: the tail was cut off or an older backup was restored"
            )
        if events_then != int(checkpoint["events"]):
            problems.append(
                f"the checkpoint counted {checkpoint['events']} events up to position {position}; "
                f"the log now has {events_then}: events or whole cases were removed"
            )
        if heads_digest(heads_then) != checkpoint["heads_digest"]:
            problems.append(
                f"the case heads as of position {position} differ from the checkpoint's: "
                "a case was deleted, rewritten or rolled back"
            )
    report.problems.extend(problems)
    return {"position": checkpoint.get("position"), "ok": not problems, "problems": problems}


def make_checkpoint(conn: Connection, info: DatabaseInfo, created: str) -> dict[str, Any]:
    """A small summary of the whole log for an auditor to keep somewhere else."""
    heads = [
        (r.case_id, r.seq, r.hash)
        for r in conn.execute(
            sa.select(EVENTS.c.case_id, EVENTS.c.seq, EVENTS.c.hash).where(
                sa.tuple_(EVENTS.c.case_id, EVENTS.c.seq).in_(
                    sa.select(EVENTS.c.case_id, sa.func.max(EVENTS.c.seq)).group_by(
                        EVENTS.c.case_id
                    )
                )
            )
        )
    ]
    count, last = conn.execute(sa.select(sa.func.count(), sa.func.max(EVENTS.c.position))).one()
    return {
        "format": CHECKPOINT_FORMAT,
        "database_id": info.database_id,
        "realm": info.realm,
        "position": last or 0,
        "events": count,
        "cases": len(heads),
        "heads_digest": heads_digest(heads),
        "created": created,
    }
