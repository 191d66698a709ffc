"""Proving that nothing in the log was altered, removed, inserted or reordered.

``verify`` walks every case's chain in sequence order and hashes each event's stored columns,
which are its encoding byte for byte (no JSON is re-serialised): a changed byte in any field
breaks that event's hash, a value of a type the store never writes is refused whatever its text,
a removed or inserted event breaks the sequence and the links, swapped events break both.  Global
positions must run 1..N without a gap.  The projection must agree with a replay of the log, and
the personal data on file with the digests the log last recorded.

What a chain cannot show on its own - a case deleted whole, the tail cut off, an older backup put
back - a checkpoint kept elsewhere can: it records the global position, the event count and a
digest over every case's head as of that position, and the roots of the two logs' Merkle trees
(RFC 9162, ``casetracker.adapters.merkle_tree``) with the access log's size: a tree head.
``verify --checkpoint`` recomputes the first three, rebuilds both trees from their entries and
checks a consistency proof from the checkpoint's trees to today's; signed (``checkpoint
--sign``), a checkpoint is evidence the database's owner cannot rewrite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters import (
    access_log,
    merkle_tree,
    organisation_log,
    read_model_check,
    workers,
)
from casetracker.adapters.database import DatabaseInfo, write_transaction
from casetracker.adapters.file_check import PhysicalCheck
from casetracker.adapters.rebuilt_cases import last_position, write_rebuilt_cases
from casetracker.adapters.tables import EVENTS
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.errors import DatabaseError
from casetracker.domain.projection import Projector
from casetracker.integrity import dbapi, merkle, signing, tree_check, tree_head
from casetracker.integrity.batch_checks import check_range
from casetracker.integrity.encoding import heads_digest
from casetracker.integrity.event_checks import Part
from casetracker.integrity.replay import IllegalLog, case_rows, changes, scan_query

CHECKPOINT_FORMAT = tree_head.CHECKPOINT_FORMAT
CHECKPOINT_FORMAT_1 = "casetracker/checkpoint/1"  # before issue 15: no tree head; still checked


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
    tree: dict[str, Any] = field(default_factory=dict)  # both trees as rebuilt from the logs

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
            "tree": self.tree,
        }


def verify(
    conn: Connection,
    info: DatabaseInfo,
    projector: Projector,
    checkpoint: dict[str, Any] | None = None,
    thorough: bool = False,
    key: signing.PublicKey | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check every chain, the global positions, the projection, the subjects and the access log.

    ``progress`` is told the events walked so far and the events in the log, as the chains are
    walked (most of verify's time); the checks after the walk take a few seconds at most.

    On SQLite the file's own structure is checked first (``PRAGMA quick_check``, or the slower
    ``integrity_check`` when ``thorough``): a damaged index can hide rows from a lookup, so that
    a retried idempotency key finds nothing and records a second event, while every chain still
    hashes correctly.

    A large SQLite log is walked by two processes, each over half of the case ids, when the
    machine has the cores; both must see the same snapshot (the log is append-only, so the same
    last position means the same log), or the second half is walked again here.
    """
    physical = PhysicalCheck(conn, thorough)  # beside the walk: SQLite runs it without the GIL
    trees = _TreeCheck(conn)  # beside the walk too, in a worker process on a large SQLite log
    report = Report()
    malformed = "" if checkpoint is None else checkpoint_problem(checkpoint)
    at = checkpoint["position"] if checkpoint is not None and not malformed else 0
    table = projector.replay_table()
    parts = _walk_parts(conn, info, table, at, progress)
    damaged_cases: set[str] = set()
    heads_at_checkpoint: list[tuple[str, int, str]] = []
    events_at_checkpoint = positions_sum = 0
    for part in parts:
        report.events += part.events
        report.cases += part.cases
        report.last_position = max(report.last_position, part.last_position)
        positions_sum += part.positions_sum
        events_at_checkpoint += part.events_at_checkpoint
        heads_at_checkpoint += part.heads_at_checkpoint
        for d in part.damaged:
            report.damaged.append(CaseDamage(d.case_id, d.seq, d.position, d.problem))
            damaged_cases.add(d.case_id)
    for part in parts:
        for d in part.foreign:
            if d.case_id not in damaged_cases:
                damaged_cases.add(d.case_id)
                report.damaged.append(CaseDamage(d.case_id, d.seq, d.position, d.problem))
    for part in parts:
        for orphan in part.orphans:
            report.damaged.append(
                CaseDamage(
                    orphan,
                    None,
                    None,
                    "listed in the current-state table but has no events: its events were deleted",
                )
            )
    report.problems[:0] = physical.problems()
    n = report.events
    if n and (positions_sum != n * (n + 1) // 2 or report.last_position != n):
        report.problems.append(_position_gaps(conn, n))
    for part in parts:  # each part compared its cases' subject records with their digests
        for case_id, problems in part.subjects.items():
            report.damaged.extend(CaseDamage(case_id, None, None, p) for p in problems)
    report.problems.extend(access_log.verify(conn))
    report.problems.extend(organisation_log.verify(conn))
    rebuilt = _rebuilt_trees(trees.result(), report)
    if checkpoint is not None:
        report.checkpoint = _check_checkpoint(
            report, info, checkpoint, malformed, events_at_checkpoint, heads_at_checkpoint
        )
        same = checkpoint.get("database_id") == info.database_id
        if same and not malformed and checkpoint.get("format") == CHECKPOINT_FORMAT:
            before = len(report.checkpoint["problems"])
            _check_tree_head(conn, checkpoint, rebuilt, key, report.checkpoint)
            report.problems.extend(report.checkpoint["problems"][before:])
        elif key is not None and checkpoint.get("format") == CHECKPOINT_FORMAT_1:
            # Written before tree heads, it has nothing a key signed: anyone could have written
            # it from the log as it is now, so it cannot stand for the signature asked for.
            unsigned = (
                f"the checkpoint does not verify with this key: it is not signed "
                f"(a {CHECKPOINT_FORMAT_1} carries no signature)"
            )
            report.checkpoint["problems"].append(unsigned)
            report.checkpoint["ok"] = False
            report.problems.append(unsigned)
    return report


def compare_read_models(
    conn: Connection, flow: WorkflowEngine, report: Report, every_case_seen: bool = True
) -> None:
    """Add to ``report`` each case whose read-model rows differ from what its events derive
    (``read_model_check``; the thorough verify; ``every_case_seen``: whether this session sees
    every case's events).  Only over a log found intact: a damaged case's events are not what
    was recorded, and rows derived from them would mean nothing."""
    if not report.ok:
        report.problems.append(
            "read models not compared with the log: the log itself is damaged (above)"
        )
        return
    for case_id, problem in read_model_check.differences(conn, flow, every_case_seen):
        report.damaged.append(CaseDamage(case_id, None, None, problem))


class _TreeCheck:
    """Both logs' trees rebuilt from their entries and compared with the stored subtrees
    (``integrity.tree_check``): a store that lies about a node is caught here, whatever proof
    it would serve.  On a large SQLite log a worker process does it while the chains are
    walked; its answer counts only if it saw the same log as this transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.worker = None
        if workers.parallel_events(conn):
            self.worker = workers.start("trees", path=conn.engine.url.database)

    def result(self) -> dict[str, tree_check.Checked]:
        try:
            found = workers.result(self.worker)
        finally:
            workers.stop(self.worker)
        sizes = {tree: merkle_tree.size(self.conn, tree) for tree in merkle_tree.TREES}
        if isinstance(found, tuple) and len(found) == 2 and isinstance(found[1], dict):
            checked = found[1]
            if found[0] == sizes[merkle_tree.EVENTS] and all(
                isinstance(checked.get(t), tuple) and checked[t][0] == sizes[t] for t in sizes
            ):
                return checked
        return tree_check.check_trees(self.conn.connection.dbapi_connection)


def _rebuilt_trees(
    checked: dict[str, tree_check.Checked], report: Report
) -> dict[str, tuple[int, str]]:
    """Each tree's size and root as rebuilt, its problems added to the report."""
    rebuilt: dict[str, tuple[int, str]] = {}
    for tree in merkle_tree.TREES:
        size, root, problems = checked[tree]
        rebuilt[tree] = (size, root)
        report.problems.extend(problems)
    report.tree = {
        "size": rebuilt[merkle_tree.EVENTS][0],
        "root": rebuilt[merkle_tree.EVENTS][1],
        "access_size": rebuilt[merkle_tree.ACCESS_LOG][0],
        "access_root": rebuilt[merkle_tree.ACCESS_LOG][1],
    }
    return rebuilt


def _check_tree_head(
    conn: Connection,
    checkpoint: dict[str, Any],
    rebuilt: dict[str, tuple[int, str]],
    key: signing.PublicKey | None,
    outcome: dict[str, Any],
) -> None:
    """The signature (when a key is given), then that each tree of the checkpoint is a prefix
    of the tree the log makes today, by a consistency proof from the stored subtrees checked
    against the root rebuilt from the entries (RFC 9162 §2.1.4)."""
    problems: list[str] = outcome["problems"]
    if key is not None:
        problem = signing.head_signature_problem(checkpoint, key)
        if problem:
            problems.append(f"the checkpoint does not verify with this key: {problem}")
    outcome["signature"] = "not checked (no --key)" if key is None else "checked"
    logs = (
        (merkle_tree.EVENTS, "position", "root", "event log"),
        (merkle_tree.ACCESS_LOG, "access_size", "access_root", "access log"),
    )
    for tree, size_key, root_key, name in logs:
        old, old_root = checkpoint[size_key], checkpoint[root_key]
        new, new_root = rebuilt[tree]
        if new < old:
            problems.append(
                f"the {name} has {new} entries but the checkpoint's tree has {old}: "
                "its tail was cut off or an older backup was restored"
            )
            continue
        try:
            proof = merkle_tree.consistency_proof(conn, tree, old, new)
        except LookupError:
            proof = []
        if not merkle.verify_consistency(old, new, old_root, new_root, proof):
            problems.append(
                f"the {name}'s first {old} entries are not those the checkpoint's tree holds: "
                "an entry was rewritten, removed or reordered, or a case deleted"
            )
    outcome["ok"] = not problems


def _walk_parts(
    conn: Connection,
    info: DatabaseInfo,
    table: Any,
    at: int,
    progress: Callable[[int, int], None] | None = None,
) -> list[Part]:
    """The log walked in one part here, or in two with the upper half in a worker process."""
    log = last_position(conn) if progress else 0
    return workers.in_two_halves(
        conn,
        "chain",
        lambda low, high: _walk_here(
            conn, table, info.realm, at, low, high, _walked(progress, log, low, high)
        ),
        lambda half: half if isinstance(half, Part) else None,
        table=table,
        realm=info.realm,
        at=at,
    )


def _walk_here(
    conn: Connection,
    table: Any,
    realm: str,
    at: int,
    low: str | None,
    high: str | None,
    progress: Callable[[int, int | None], None] | None = None,
) -> Part:
    raw = conn.connection.dbapi_connection
    return check_range(raw, low, high, table, realm, at, progress)


def _walked(
    progress: Callable[[int, int], None] | None, log: int, low: str | None, high: str | None
) -> Callable[[int, int | None], None] | None:
    """``progress`` in events of the whole log (``log``), told the events walked of one range.

    The whole log: as counted.  The lower half, while a worker walks the upper half at the
    same time (the split is at the middle event): scaled to the whole log, so that the rate
    and the time left are the two processes'.  The upper half, walked here after the worker
    failed: after the lower half, which is done.
    """
    if progress is None:
        return None

    def told(done: int, in_range: int | None) -> None:
        if (low is None and high is None) or not in_range:
            progress(min(done, log), log)
        elif low is None:
            progress(min(done * log // in_range, log), log)
        else:
            progress(min(log - in_range + done, log), log)

    return told


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


_CHECKPOINT_COUNTS = ("position", "events")
_LARGEST_POSITION = 2**63 - 1  # a position is a 64-bit SQL integer


def checkpoint_problem(checkpoint: Any) -> str:
    """Why a checkpoint read from a file cannot be compared with the log ('' when it can).

    The file is kept elsewhere and may be damaged or hostile: every value used is checked for
    its type (and a count for the range a database integer holds) before anything reads it.
    """
    if not isinstance(checkpoint, dict):
        return "it is not a JSON object"
    counts: tuple[str, ...] = _CHECKPOINT_COUNTS
    texts: tuple[str, ...] = ("database_id", "heads_digest")
    if checkpoint.get("format") == CHECKPOINT_FORMAT:
        counts += ("access_size",)
        texts += ("root", "access_root")
        for key in ("root", "access_root"):
            if not merkle.is_hash(checkpoint.get(key)):
                return f"{key} must be 64 lowercase hex digits"
    for key in counts:
        value = checkpoint.get(key)
        if type(value) is not int or not 0 <= value <= _LARGEST_POSITION:
            return f"{key} must be a whole number from 0 to {_LARGEST_POSITION}"
    for key in texts:
        if not isinstance(checkpoint.get(key), str):
            return f"{key} must be text"
    return ""


def _check_checkpoint(
    report: Report,
    info: DatabaseInfo,
    checkpoint: dict[str, Any],
    malformed: str,
    events_then: int,
    heads_then: list[tuple[str, int, str]],
) -> dict[str, Any]:
    problems: list[str] = []
    if checkpoint.get("format") not in (CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_1):
        problems.append("the checkpoint file is not a casetracker checkpoint")
    elif malformed:
        problems.append(f"the checkpoint file is malformed: {malformed}")
    elif checkpoint.get("database_id") != info.database_id:
        problems.append("the checkpoint was taken of a different database")
    else:
        position = checkpoint["position"]
        if report.last_position < position:
            problems.append(
                f"the log ends at position {report.last_position} but the checkpoint saw "
                f"{position}: the tail was cut off or an older backup was restored"
            )
        if events_then != checkpoint["events"]:
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


def make_checkpoint(
    conn: Connection,
    info: DatabaseInfo,
    created: str,
    key: signing.PrivateKey | None = None,
) -> dict[str, Any]:
    """A small summary of the whole log for an auditor to keep somewhere else: a tree head
    of both logs, signed when a private key is given."""
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
    count = conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one()
    head = make_tree_head(conn, info, created)
    head |= {
        "format": CHECKPOINT_FORMAT,
        "events": count,
        "cases": len(heads),
        "heads_digest": heads_digest(heads),
    }
    return signing.sign_head(head, key) if key is not None else head


def make_tree_head(
    conn: Connection,
    info: DatabaseInfo,
    created: str,
    key: signing.PrivateKey | None = None,
) -> dict[str, Any]:
    """Both logs' sizes and Merkle roots now (``casetracker/tree-head/1``), signed when a key
    is given: what a bundle carries, in O(log n) reads whatever the log's size."""
    position = merkle_tree.size(conn, merkle_tree.EVENTS)
    access_size = merkle_tree.size(conn, merkle_tree.ACCESS_LOG)
    head = {
        "format": tree_head.TREE_HEAD_FORMAT,
        "database_id": info.database_id,
        "realm": info.realm,
        "position": position,
        "root": merkle_tree.root(conn, merkle_tree.EVENTS, position),
        "access_size": access_size,
        "access_root": merkle_tree.root(conn, merkle_tree.ACCESS_LOG, access_size),
        "created": created,
    }
    return signing.sign_head(head, key) if key is not None else head


def rebuild_projection(
    engine: Engine, flow: WorkflowEngine, progress: Callable[[int], None] | None = None
) -> int:
    """Recompute the ``cases`` table from the log alone; returns the number of cases.

    One pass over the log in (case, sequence) order (``casetracker.integrity.replay``); a large
    SQLite log is split by case id with a worker process.  Only rows that differ from what the
    log says are written.  The write transaction is taken first, so the log cannot move while
    it is read.
    """
    table = flow.replay_table()

    def adopt(half: Any) -> int | None:
        if not (isinstance(half, tuple) and len(half) == 2 and isinstance(half[0], int)):
            return None
        write_rebuilt_cases(conn, *half[1])
        return half[0]

    with write_transaction(engine) as conn:
        try:
            counts = workers.in_two_halves(
                conn,
                "replay",
                lambda low, high: _rebuild_range(conn, table, low, high, progress),
                adopt,
                table=table,
            )
        except IllegalLog as exc:
            raise DatabaseError(f"cannot rebuild: {exc}") from None
        if progress:
            progress(last_position(conn))
    return sum(counts)


def _rebuild_range(
    conn: Connection,
    table: Any,
    low: str | None,
    high: str | None,
    progress: Callable[[int], None] | None,
) -> int:
    """Rebuild the cases in ``[low, high)`` here (written at once: a worker may still be busy
    with the rest, and a later failure rolls this back); returns how many there are."""
    raw = conn.connection.dbapi_connection
    rows = case_rows(dbapi.batches(raw, *scan_query(low, high)), table, progress)
    write_rebuilt_cases(conn, *changes(raw, rows, low, high))
    return len(rows)
