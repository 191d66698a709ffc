"""The query behind ``casetracker case search``: cases by their subject and by their attributes.

By person: the subject's blind index (``casetracker.adapters.subject_search``), one index range
per term, intersected.  By attributes, from what is already kept for every case: the projection
(``cases``: lifecycle states, when opened and last changed), the arrests' report rows
(``mi_arrests``: force, arrest time), the High Harm rows (``mi_high_harm``) and the worklist's
absconder queue (``worklist``: every listed absconder, one index range).  Results come in
case-id order, a page at a time (``after``: the last case id of the page before).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters import subject_search
from casetracker.adapters.report_tables import MI_ARRESTS, MI_HIGH_HARM
from casetracker.adapters.tables import CASES, WORKLIST
from casetracker.adapters.worklist import state_summary

# The worklist files every listed absconder here (``worklist.rows_for``: a listing stands,
# re-encountered or not, until new directions, as ``domain.rules.absconder`` says; Figure 1),
# in the same transaction as each action and again by ``rebuild``.
ABSCONDER_QUEUE = "absconder"


@dataclass(frozen=True)
class Criteria:
    """What to look for; every criterion given must hold."""

    person: tuple[tuple[str, str], ...] = ()  # (kind, normalised value): subject_search.terms
    force: str = ""  # a case with an arrest by this force
    states: tuple[tuple[str, str], ...] = ()  # (lifecycle instance key, state)
    opened: tuple[str, str] = ("", "")  # UTC text range, either end open
    updated: tuple[str, str] = ("", "")
    arrested: tuple[str, str] = ("", "")
    high_harm: bool = False
    absconder: bool = False
    # A police user's force: cases with an arrest by it, or with no arrest at all (whose
    # opening force the service then checks, as domain.forces.case_forces does).
    boundary: str = ""

    @property
    def empty(self) -> bool:
        return self == Criteria()


@dataclass(frozen=True)
class Found:
    """One case found: nothing personal, only what the projection says."""

    case_id: str
    opened: str
    updated: str
    summary: str
    states: dict[str, str] = field(default_factory=dict)


def _state_is(conn: Connection, key: str, state: str) -> sa.ColumnElement[bool]:
    """The projection's canonical JSON holds ``"key":"state"`` for the instance in that state.

    Found by the text's position (``instr``, ``strpos``), not ``LIKE``: an exact byte match
    with nothing to escape, and a rare state's scan of every case at 1 M cases took 183 ms
    against LIKE's 218 ms (warm, SQLite)."""
    text = json.dumps({key: state}, separators=(",", ":"))[1:-1]
    position = sa.func.instr if conn.dialect.name == "sqlite" else sa.func.strpos
    return position(CASES.c.state, text) > 0


def _between(column: sa.ColumnElement[str], span: tuple[str, str]) -> list[sa.ColumnElement]:
    low, high = span
    return [c for c in ((column >= low) if low else None, (column < high) if high else None) if
            c is not None]  # fmt: skip


def find(conn: Connection, criteria: Criteria, after: str = "", limit: int = 50) -> list[Found]:
    """Up to ``limit`` cases meeting every criterion, in case-id order after ``after``."""
    query = sa.select(CASES.c.case_id, CASES.c.opened, CASES.c.updated, CASES.c.state)
    conditions: list[sa.ColumnElement[bool]] = []
    if criteria.person:
        conditions.append(CASES.c.case_id.in_(subject_search.matching(conn, list(criteria.person))))
    # The arrests asked for, as a set of case ids: one pass over the report rows, not a probe
    # per case (a month of one force's arrests at 1 M cases: 61 ms against 263 ms).
    arrests = _between(MI_ARRESTS.c.arrested_at, criteria.arrested)
    if criteria.force:
        arrests.append(MI_ARRESTS.c.force == criteria.force.upper())
    if arrests:
        conditions.append(CASES.c.case_id.in_(sa.select(MI_ARRESTS.c.case_id).where(*arrests)))
    if criteria.boundary:
        ours = sa.exists().where(
            MI_ARRESTS.c.case_id == CASES.c.case_id, MI_ARRESTS.c.force == criteria.boundary
        )
        none = ~sa.exists().where(MI_ARRESTS.c.case_id == CASES.c.case_id)
        conditions.append(sa.or_(ours, none))
    for key, state in criteria.states:
        conditions.append(_state_is(conn, key, state))
    if criteria.absconder:
        # The queue's case ids, an index range of pk_worklist in case-id order: the
        # projection's states would be a scan of every case (264 ms at 1 M cases, none found).
        listed = sa.select(WORKLIST.c.case_id).where(WORKLIST.c.queue == ABSCONDER_QUEUE)
        conditions.append(CASES.c.case_id.in_(listed))
    conditions += _between(CASES.c.opened, criteria.opened)
    conditions += _between(CASES.c.updated, criteria.updated)
    if criteria.high_harm:  # as the absconders: the set's ids, not a probe of every case
        conditions.append(CASES.c.case_id.in_(sa.select(MI_HIGH_HARM.c.case_id)))
    if after:
        conditions.append(CASES.c.case_id > after)
    rows = conn.execute(query.where(*conditions).order_by(CASES.c.case_id).limit(limit))
    found = []
    for case_id, opened, updated, state in rows:
        states = json.loads(state)
        found.append(Found(case_id, opened, updated, state_summary(states), states))
    return found
