"""The worklist read model: what each role has to do next, most urgent first, fast at a
million cases.

The queues and their items are the domain's (``casetracker.domain.queues``); this module files
cases under them.  A queue's question — e.g. which immigration offenders in police custody will
be released first (the PACE deadline, ¶4.21: people released before an IO saw them) — answered
by folding every case would take minutes, so each case's rows are derived from its view in the
same transaction as every event (``replace``, a read model) and read back as one index range
scan (``page``).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from casetracker.adapters.database import driver_sql, read_transaction, write_transaction
from casetracker.adapters.kept_rows import same_rows
from casetracker.adapters.organisation_file import configured
from casetracker.adapters.report_tables import MI_ARRESTS
from casetracker.adapters.tables import CASES, EVENTS, WORKLIST
from casetracker.domain import clock, four_eyes
from casetracker.domain.case_view import CaseView, Instance
from casetracker.domain.deadlines import CASE, OFFENDER_STATES, recorded, to_do
from casetracker.domain.ownership import holders
from casetracker.domain.queues import ALL_CASES, MY_WORK, NEVER, WorkItem, case_force
from casetracker.domain.rules import cid_update, claims, deportation, high_harm, nationality
from casetracker.domain.rules.custody_clock import pace_clock
from casetracker.domain.rules.field_values import as_text
from casetracker.domain.vocabulary import WorkflowSpec, in_sentence

# ---------------------------------------------------------------------- deriving rows


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _started(instance: Instance) -> str:
    return _utc(instance.started.effective.start) if instance.started else NEVER


def _last(instance: Instance) -> str:
    return _utc(instance.history[-1].effective.start) if instance.history else NEVER


def _spec(instance: Instance) -> WorkflowSpec:
    from workflows import get

    return get(instance.workflow, instance.version)


def _state_label(instance: Instance) -> str:
    found = _spec(instance).state(instance.state)
    return found.label if found else instance.state


def _named(instance: Instance) -> str:
    """The record as its definition names it: "Encounter #1", "Status check #2"."""
    return _spec(instance).record_label(instance.number)


def _encounter_of(view: CaseView, check: Instance) -> Instance | None:
    try:
        number = int(str(check.fields.get("encounter")))
    except ValueError:
        return None
    return view.instances.get(f"encounter#{number}")


_CHECK_WAITING = {
    "requested": "awaiting CID check",
    "cid_checked": "checked on CID, awaiting result",
    "immigration_offender": "immigration offender: refer on",
    "known_absconder": "known absconder: refer on",
}
_OFFENDER_RESULTS = OFFENDER_STATES


def rows_for(view: CaseView) -> list[WorkItem]:
    """Every worklist row a case belongs in now, with its holder and its item's nearest
    deadline still to do, so an overdue one sorts first (pure but for the organisation file,
    read once a process, and the clock).

    The rows read, of the case's own record, its state and its force alone (``case_force``,
    ``outstanding``), of every step the nationality flag alone (``nationality.flagged``), and
    of the clock whether each open proposal has lapsed: a custody item's PACE deadline is
    where the clock runs out, whenever it is read.  So they are kept on the view with those
    and the case's other records (``CaseView.records_besides``), and given again while all
    are as they were: most actions (a note) add a step to the case's own record and change
    none of its rows, which every action had derived again only to find them equal."""
    now = clock.now()
    opened = view.one(CASE)
    basis = (
        view.case_id,
        configured(),
        (opened.state, opened.fields.get("force")) if opened is not None else None,
        nationality.flagged(view),
        tuple(proposal.lapsed(now) for proposal in four_eyes.open_proposals(view)),
        view.records_besides(CASE),
    )
    kept = view.derived.get(_DERIVED)
    if kept is None or kept[0] != basis:
        kept = view.derived[_DERIVED] = (basis, _derived_rows(view, now))
    return list(kept[1])


_DERIVED = "worklist_rows"


def _derived_rows(view: CaseView, now: datetime) -> list[WorkItem]:
    rows = _rows_for(view, now)
    if not rows:  # most cases most of the time: no owner or deadline to find
        return rows
    held = holders(view)
    soonest: dict[str, tuple[str, str]] = {}  # item: (due, kind)
    for found in to_do(view, configured()):
        soonest.setdefault(found.item, (found.due_text, found.kind))
    for check in view.of("status_check"):  # its person's arrest: see ``_check_deadline``
        _check_deadline(view, check, soonest)
    if not held and not soonest:
        return rows
    return [
        dataclasses.replace(
            row,
            owner=held.get((row.queue, row.item), ""),
            deadline=due,
            deadline_kind=kind,
        )
        for row in rows
        for due, kind in [soonest.get(row.item, (NEVER, ""))]
    ]


def _check_deadline(view: CaseView, check: Instance, soonest: dict[str, tuple[str, str]]) -> None:
    """A status check with no deadline of its own falls due with the arrest it is about: the
    person is still in custody, and the PACE clock or an IO's last shift before release
    (¶4.21) says how long is left to act on the referral.  So the CCU's and the JOC's queues
    open on referrals whose person can still be dealt with, not on ones years old."""
    encounter = _encounter_of(view, check)
    if encounter is not None and encounter.key in soonest:
        soonest.setdefault(check.key, soonest[encounter.key])


def _rows_for(view: CaseView, now: datetime) -> list[WorkItem]:
    rows: list[WorkItem] = []
    force = case_force(view)
    case_id = view.case_id

    def add(queue: str, instance: Instance, due: str, label: str, where: str = "") -> None:
        rows.append(WorkItem(queue, case_id, instance.key, due, where or force, label[:200]))

    offenders: dict[str, Instance] = {}
    for check in view.of("status_check"):
        encounter = _encounter_of(view, check)
        where = as_text(encounter.fields.get("force")).upper() if encounter else force
        route = check.started.action if check.started else ""
        if check.state in _CHECK_WAITING:
            ccu = route == "refer_to_ccu"
            queue = "status_check" if ccu else "local_check"
            via = "via CCU" if ccu else "local referral"
            label = f"{_named(check)} {_CHECK_WAITING[check.state]} ({via})"
            add(queue, check, _started(check), label, where)
        if check.state == "referred_to_joc":
            add("joc", check, _last(check), f"{_named(check)}: assess", where)
        if check.state in _OFFENDER_RESULTS and encounter is not None:
            offenders[encounter.key] = check
    harm: list = []  # assessed once, and only for an offender in custody
    for encounter in view.of("encounter"):
        if encounter.state != "in_custody":
            continue
        status = pace_clock(encounter, now)
        due = _utc(status.deadline) if status.deadline else NEVER
        offence = as_text(encounter.fields.get("offence")) or "immigration offence"
        where = as_text(encounter.fields.get("force")).upper() or force
        add("custody", encounter, due, f"{_named(encounter)}: {offence}", where)
        found = offenders.get(encounter.key)
        if found is not None:
            kind = as_text(found.fields.get("offender_kind")).replace("_", " ")
            seen = encounter.first("record_seen_by_io") is not None
            parts = [
                _named(encounter),
                kind or found.state.replace("_", " "),
                "seen by an IO" if seen else "NOT yet seen by an IO",
            ]
            if not harm:
                harm.append(high_harm.assess(view))
            if harm[0].met:
                parts.insert(0, "HIGH HARM")
            add("offender_custody", encounter, due, " · ".join(parts), where)
    etd = view.one("etd")
    if etd is not None and etd.state not in ("unassessed", "passport_held", "issued"):
        add("etd", etd, _last(etd), f"ETD: {in_sentence(_state_label(etd))}")
    reporting = view.one("reporting")
    if reporting is not None and reporting.state in ("listed_absconder", "reencountered"):
        listed = reporting.last("list_as_absconder")
        due = _utc(listed.effective.start) if listed else _last(reporting)
        add("absconder", reporting, due, _state_label(reporting))
    removal = view.one("removal")
    if removal is not None and removal.state in ("liable", "directions_set", "attempt_frustrated"):
        label = _state_label(removal)
        due = _last(removal)
        when = (
            as_text(removal.fields.get("removal_date")) if removal.state == "directions_set" else ""
        )
        if when:
            try:
                due = _utc(datetime.combine(date.fromisoformat(when), datetime.min.time(), UTC))
                label = f"Removal directions set for {when}"
            except ValueError:
                pass
        add("removal", removal, due, label)
    for claim in view.of("barrier"):
        if claim.state == "lodged":
            add("barrier", claim, _started(claim), claims.describe(claim) + ", undecided")
    if removal is None or removal.state == "not_liable":
        for instance, reason in deportation.grounds_by_instance(view):
            add("criminal_casework", instance, _last(instance), f"consider deportation: {reason}")
        for check in view.of("status_check"):  # the team prioritises enforcement (¶3.4, ¶3.6)
            referral = check.last("refer_to_high_harm_team") or check.last(
                "police_refer_to_high_harm_team"
            )
            if check.state == "referred_to_high_harm_team" and referral is not None:
                by = "the JOC" if referral.action == "refer_to_high_harm_team" else "the police"
                label = f"{_named(check)}: High Harm, referred by {by}"
                add("high_harm_team", check, _utc(referral.effective.start), label)
    mismatch = nationality.flagged(view)
    if mismatch is not None and mismatch[0]:
        _, key, step = mismatch
        label = f"verified nationality differs from the claimed one (event {step.seq})"
        add("nationality_mismatch", view.instances[key], _utc(step.effective.start), label)
    # Decided by a second person (issue 16); a lapsed one leaves once tick has recorded it.
    for proposal in four_eyes.open_proposals(view):
        if proposal.lapsed(now) and proposal.key in _recorded_items(view):
            continue
        queue = four_eyes.queue_for(proposal.action)
        what = _proposed(view, proposal.action, proposal.target)
        label = f"proposal #{proposal.number}: {what} by {proposal.proposed_by}"
        add(queue, view.instances[proposal.key], _utc(proposal.lapses_at), label)
    rows.extend(_checks_asked(view, case_id, force))
    rows.extend(_io_paperwork(view, case_id, force, now))
    return rows


def _proposed(view: CaseView, action: str, target: str) -> str:
    """A four-eyes proposal's action and record by their labels ("authorise a PACE extension
    for Encounter #1")."""
    record = view.instances.get(target)
    if record is None:
        return f"{action} for {target}"
    found = _spec(record).action(action)
    return f"{in_sentence(found.label) if found else action} for {_named(record)}"


def _recorded_items(view: CaseView) -> set[str]:
    """The items whose deadlines tick has recorded as passed."""
    return {key.split("@")[1] for key in recorded(view) if key.count("@") >= 2}


def _checks_asked(view: CaseView, case_id: str, force: str) -> list[WorkItem]:
    """DVA checks asked of CCU (¶4.37) and ACRO checks awaiting their answer (¶4.31); an ACRO
    item is filed under the force that asked, so a police user sees their own force's."""
    rows = []
    for dva in view.of("dva_check"):
        if dva.state == "awaiting_ccu" and dva.started is not None:
            asked = dva.started.actor_role.replace("_", " ")
            label = f"{_named(dva)} asked by {asked}: run it or decline"
            rows.append(WorkItem("dva_requests", case_id, dva.key, _started(dva), force, label))
        elif dva.state == "checking" and dva.last("run_requested_dva_check") is not None:
            label = f"{_named(dva)} run: record what it found"
            rows.append(WorkItem("dva_requests", case_id, dva.key, _last(dva), force, label))
    for acro in view.of("acro_check"):
        if acro.state != "requested" or acro.started is None:
            continue
        who = "police" if acro.started.action == "request_acro_check" else "the Home Office"
        label = f"{_named(acro)} asked by {who}: result awaited"
        where = as_text(acro.fields.get("force")).upper() or force
        rows.append(WorkItem("acro_awaited", case_id, acro.key, _started(acro), where, label))
    return rows


def _io_paperwork(view: CaseView, case_id: str, force: str, now: datetime) -> list[WorkItem]:
    """Referrals an IO holds with CID not yet updated, and papers CID produced not yet served
    (¶4.27); due when the person's PACE clock runs out while the police hold them, as papers
    must reach them before they leave."""
    rows = []

    def due(check: Instance | None, since: str) -> str:
        encounter = _encounter_of(view, check) if check is not None else None
        if encounter is not None and encounter.state == "in_custody":
            deadline = pace_clock(encounter, now).deadline
            if deadline is not None:
                return _utc(deadline)
        return since

    for check in cid_update.awaiting_update(view):
        label = f"{_named(check)}: CID to update ({in_sentence(_state_label(check))})"
        rows.append(
            WorkItem("io_paperwork", case_id, check.key, due(check, _last(check)), force, label)
        )
    for update in view.of("cid_update"):
        if update.state != "papers_to_serve":
            continue
        number = as_text(update.fields.get("status_check"))
        checked = view.instances.get(f"status_check#{number}")
        about = _named(checked) if checked is not None else f"status check #{number}"
        label = f"{cid_update.papers_named(update)} to serve ({about})"
        rows.append(
            WorkItem("io_paperwork", case_id, update.key, due(checked, _last(update)), force, label)
        )
    return rows


# ---------------------------------------------------------------------- keeping it current


def _row_dict(row: WorkItem) -> dict[str, str]:
    search = f"{row.case_id} {row.force} {row.label}".lower()[:300]
    return {
        "queue": row.queue,
        "case_id": row.case_id,
        "item": row.item,
        "due": row.due,
        "force": row.force,
        "label": row.label,
        "search": search,
        "owner": row.owner,
        "deadline": row.deadline,
        "deadline_kind": row.deadline_kind,
    }


_Q_DELETE = "DELETE FROM worklist WHERE case_id = ?"
_Q_INSERT = (
    "INSERT INTO worklist (queue, case_id, item, due, force, label, search, owner, deadline, "
    "deadline_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


_Q_ROWS = (
    "SELECT queue, case_id, item, due, force, label, search, owner, deadline, deadline_kind "
    "FROM worklist WHERE case_id = ?"
)


def unchanged(conn: Connection, case_id: str, rows: list[WorkItem]) -> bool:
    """Whether the table already holds exactly ``rows`` for the case (in any order): a view
    folded afresh from the log then writes nothing (one indexed read instead of a delete and
    an insert of every row)."""
    filed = list(map(tuple, driver_sql(conn, _Q_ROWS, (case_id,), "worklist").fetchall()))
    return same_rows(filed, [tuple(_row_dict(r).values()) for r in rows])


def replace(conn: Connection, case_id: str, rows: list[WorkItem]) -> None:
    """Read model: replace a case's rows, in the transaction that recorded its new events.

    Plain SQL on the driver's cursor, as the store does: this runs inside every action.
    """
    driver_sql(conn, _Q_DELETE, (case_id,), "worklist")
    if rows:
        driver_sql(conn, _Q_INSERT, [tuple(_row_dict(r).values()) for r in rows], "worklist")


def insert_rows(conn: Connection, rows: Iterable[WorkItem]) -> int:
    """Bulk insert rows for cases that have none yet (generated data, rebuilds)."""
    batch = [_row_dict(r) for r in rows]
    if batch:
        conn.execute(WORKLIST.insert(), batch)
    return len(batch)


def rebuild(engine: Engine, flow, progress: Callable[[int], None] | None = None) -> int:
    """Recompute every row from the log (the table is derived, like the projection)."""
    from casetracker.adapters.case_stream import case_views

    count = 0
    with write_transaction(engine) as conn:
        conn.execute(WORKLIST.delete())
        batch: list[WorkItem] = []
        for view in case_views(conn, flow, progress):
            batch.extend(rows_for(view))
            count += 1
            if len(batch) > 20_000:
                insert_rows(conn, batch)
                batch = []
        insert_rows(conn, batch)
    return count


# ---------------------------------------------------------------------- reading


def page(
    engine: Engine,
    queue: str,
    text: str = "",
    limit: int = 200,
    *,
    force: str | None = None,
    owner: str = "",
) -> list[WorkItem]:
    """One page of a queue, soonest deadline first, then most urgent; ``text`` filters on case
    id, force and label, ``force`` (a police user's) keeps only that force's rows, and
    ``owner`` is whose items "My work" lists.

    A filter that is a case id or a force code is matched exactly (an index range); anything
    else is a substring of the row's search text (a scan of the queue in urgency order that
    stops at ``limit`` matches: fast for common words, slower for rare ones).
    """
    if queue == ALL_CASES.name:
        return _all_cases(engine, text, limit)
    columns = sa.select(
        WORKLIST.c.queue,
        WORKLIST.c.case_id,
        WORKLIST.c.item,
        WORKLIST.c.due,
        WORKLIST.c.force,
        WORKLIST.c.label,
        WORKLIST.c.owner,
        WORKLIST.c.deadline,
        WORKLIST.c.deadline_kind,
    )
    if queue == MY_WORK.name:  # every queue's items the user holds (ix_worklist_owner)
        query = columns.where(WORKLIST.c.owner == (owner or "-"))
    else:
        query = columns.where(WORKLIST.c.queue == queue)
    query = query.order_by(WORKLIST.c.deadline, WORKLIST.c.due, WORKLIST.c.case_id).limit(limit)
    if force is not None:
        query = query.where(WORKLIST.c.force == force)
    wanted = text.strip().lower()
    if wanted.startswith("c-") and wanted[2:].isdigit():
        query = query.where(WORKLIST.c.case_id == wanted.upper())
    elif _is_force(wanted):
        query = query.where(WORKLIST.c.force == wanted.upper())
    elif wanted:
        query = query.where(WORKLIST.c.search.contains(wanted, autoescape=True))
    with read_transaction(engine) as conn:
        return [WorkItem(*row) for row in conn.execute(query)]


def _is_force(text: str) -> bool:
    from casetracker.adapters.organisation_file import configured

    return bool(text) and configured().force(text) is not None


def count(
    engine: Engine, queue: str, cap: int = 1000, *, force: str | None = None, owner: str = ""
) -> int:
    """How many rows a queue holds (only ``force``'s, when given), counting no further than
    ``cap`` (shown as "1000+")."""
    if queue == ALL_CASES.name:
        inner = sa.select(CASES.c.case_id).limit(cap).subquery()
    else:
        rows = sa.select(WORKLIST.c.case_id).where(
            WORKLIST.c.owner == (owner or "-")
            if queue == MY_WORK.name
            else WORKLIST.c.queue == queue
        )
        if force is not None:
            rows = rows.where(WORKLIST.c.force == force)
        inner = rows.limit(cap).subquery()
    with read_transaction(engine) as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(inner)).scalar() or 0)


def _all_cases(engine: Engine, text: str, limit: int) -> list[WorkItem]:
    """Auditors, trainers and admins see every case, the last changed first (the list shows
    when each changed; ties in case-id order)."""
    query = (
        sa.select(CASES.c.case_id, CASES.c.updated, CASES.c.state)
        .order_by(CASES.c.updated.desc(), CASES.c.case_id.desc())
        .limit(limit)
    )
    wanted = text.strip().upper()
    if wanted:
        query = query.where(CASES.c.case_id.startswith(wanted, autoescape=True))
    with read_transaction(engine) as conn:
        rows = conn.execute(query).all()
        forces = _forces(conn, [r.case_id for r in rows])
    return [
        WorkItem(
            ALL_CASES.name,
            r.case_id,
            "case",
            r.updated,
            forces.get(r.case_id, ""),
            state_summary(json.loads(r.state)),
        )
        for r in rows
    ]


def state_summary(state: dict[str, str]) -> str:
    """A case in one line from its projection: where the person is, and removal."""
    parts = []
    arrests = sum(1 for key in state if key.startswith("encounter#"))
    if arrests:
        parts.append(f"{arrests} arrest{'s' if arrests > 1 else ''}")
    for key in ("detention", "removal", "reporting"):
        if key in state:
            parts.append(f"{key}: {state[key].replace('_', ' ')}")
    return " · ".join(parts)


def _forces(conn: Connection, case_ids: list[str]) -> dict[str, str]:
    """Each case's force, as ``case_force`` gives it: its latest arrest's (in the report
    tables, kept for every case with an arrest, open or finished), else the one it was opened
    with (from its first event)."""
    if not case_ids:
        return {}
    arrests = conn.execute(
        sa.select(MI_ARRESTS.c.case_id, MI_ARRESTS.c.force)
        .where(MI_ARRESTS.c.case_id.in_(case_ids))
        .order_by(MI_ARRESTS.c.case_id, MI_ARRESTS.c.encounter)
    )
    found = {case_id: force.upper() for case_id, force in arrests if force}
    openings = conn.execute(
        sa.select(EVENTS.c.case_id, EVENTS.c.payload).where(
            EVENTS.c.case_id.in_(case_ids), EVENTS.c.seq == 1
        )
    )
    for case_id, payload in openings:
        if case_id not in found:
            force = as_text(json.loads(payload).get("fields", {}).get("force"))
            found[case_id] = force.upper()
    return found
