"""Finding cases (issue 16 item 4): by the person (name, date of birth, nationality, a PNC or
Home Office reference) and by attributes (force, lifecycle state, date ranges, High Harm,
absconder).  ``casetracker case search`` and the TUI's search screen both call ``search``.

Every search is a logged read with its reason (the access log keeps which kinds of personal
data were searched by, the attribute filters and the case ids found; never the values searched
for, which are personal data the log could not erase: the reason itself is kept erasable like
every justification).  The person is matched through the subject's blind index
(``casetracker.adapters.subject_search``), so an erased person is found by nothing.  Results
name cases and their states, nothing personal: reading the person takes ``case show --reason``.
A police user finds only cases of their own force (each result checked as ``case show`` would
check it; on PostgreSQL row-level security filters the rows first).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.engine import Connection

from casetracker.adapters import access_log, case_search, subject_search
from casetracker.adapters.case_search import Criteria, Found
from casetracker.adapters.database import read_transaction
from casetracker.adapters.store import normalise_case_id
from casetracker.domain.errors import NotPermitted, UsageError
from casetracker.domain.forces import may_see

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker

__all__ = ["Criteria", "Found", "criteria_from", "search"]

SEARCH_ACTION = "search"  # the access-log entry of each search
PAGE = 50
MAX_PAGE = 500


def day_range(start: str, end: str, what: str) -> tuple[str, str]:
    """A range of days given as ISO dates (either may be empty), as the UTC text bounds the
    stored times are compared with: from the start of ``start`` to the end of ``end``."""
    bounds = []
    for text, shift in ((start, 0), (end, 1)):
        text = text.strip()
        if not text:
            bounds.append("")
            continue
        bounds.append((_day(text, what) + timedelta(days=shift)).isoformat())
    if bounds[0] and bounds[1] and bounds[0] >= bounds[1]:
        raise UsageError(f"--{what}: the range ends before it starts")
    return bounds[0], bounds[1]


def _day(text: str, what: str) -> date:
    """An ISO date typed for ``--what``; a usage error if it is not one."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--{what}: {text!r} is not a date (YYYY-MM-DD)") from None


def person_terms(
    name: str = "", dob: str = "", nationality: str = "", identifier: str = ""
) -> tuple[tuple[str, str], ...]:
    """The blind-index terms of what was typed about the person."""
    terms = [("name_word", word) for word in subject_search.name_words(name)]
    if dob.strip():
        terms.append(("dob", _day(dob.strip(), "dob").isoformat()))
    if nationality.strip():
        terms.append(("nationality", subject_search.folded(nationality)))
    if identifier.strip():
        terms.append(("identifier", subject_search.identifier(identifier)))
    if name.strip() and not any(k == "name_word" for k, _ in terms):
        raise UsageError("--name: give at least one word of the name")
    return tuple(dict.fromkeys(terms))


def parse_states(ct: Casetracker, given: list[str]) -> tuple[tuple[str, str], ...]:
    """``lifecycle=state`` pairs, each checked against the definitions."""
    found = []
    for text in given:
        lifecycle, _, state = text.partition("=")
        spec = ct.flow.latest.get(lifecycle.strip())
        versions = [s for (w, _v), s in ct.flow.specs.items() if w == lifecycle.strip()]
        if spec is None or not state.strip():
            names = ", ".join(ct.flow.latest)
            raise UsageError(f"--state {text!r}: give LIFECYCLE=STATE (lifecycles: {names})")
        if not any(s.state(state.strip()) for s in versions):
            known = ", ".join(s.name for s in spec.states)
            raise UsageError(f"--state {text!r}: {lifecycle} has no state {state!r} ({known})")
        found.append((spec.name, state.strip()))
    return tuple(found)


def criteria_from(
    ct: Casetracker,
    *,
    name: str = "",
    dob: str = "",
    nationality: str = "",
    identifier: str = "",
    force: str = "",
    states: list[str] | None = None,
    opened: tuple[str, str] = ("", ""),
    updated: tuple[str, str] = ("", ""),
    arrested: tuple[str, str] = ("", ""),
    high_harm: bool = False,
    absconder: bool = False,
) -> Criteria:
    """The criteria as typed (the command line, the TUI's form), each checked: dates as
    ``YYYY-MM-DD`` day ranges, states against the definitions."""
    return Criteria(
        person=person_terms(name, dob, nationality, identifier),
        force=force.strip().upper(),
        states=parse_states(ct, states or []),
        opened=day_range(*opened, "opened-from/--opened-to"),
        updated=day_range(*updated, "updated-from/--updated-to"),
        arrested=day_range(*arrested, "arrested-from/--arrested-to"),
        high_harm=high_harm,
        absconder=absconder,
    )


def search(
    ct: Casetracker,
    criteria: Criteria,
    reason: str,
    *,
    after: str = "",
    limit: int = PAGE,
) -> list[Found]:
    """Cases meeting every criterion (a page of ``limit``, after case id ``after``), logged as
    one read with ``reason``."""
    reason = " ".join(reason.split())
    if not reason:
        raise UsageError("give a reason for the search (--reason): every search is logged")
    if criteria.empty:
        raise UsageError("give something to search by: the person or an attribute")
    if not 1 <= limit <= MAX_PAGE:
        raise UsageError(f"--limit: from 1 to {MAX_PAGE}")
    after = normalise_case_id(after) if after.strip() else ""
    actor = ct.actor
    if actor.force_bound:
        if not actor.force or (criteria.force and criteria.force.upper() != actor.force):
            message = f"a {actor.force or 'force-less'} officer searches {actor.force} cases only"
            ct._log_refusal(actor, "", SEARCH_ACTION, [message])
            raise NotPermitted(message)
        criteria = dataclasses.replace(criteria, boundary=actor.force)
    found: list[Found] = []
    with read_transaction(ct.engine) as conn:
        cursor = after
        while len(found) < limit:
            batch = case_search.find(conn, criteria, cursor, limit)
            for row in batch:
                if _exact(row, criteria) and _may_see(ct, conn, row.case_id):
                    found.append(row)
            if len(batch) < limit:
                break
            cursor = batch[-1].case_id
    found = found[:limit]
    with ct._connections.write() as conn:
        access_log.append(
            conn, user=actor.user, role=actor.role, action=SEARCH_ACTION, justification=reason,
            detail=_logged(criteria, found),
        )  # fmt: skip
    return found


def _exact(row: Found, criteria: Criteria) -> bool:
    """The projection's states as asked: a lifecycle with several records (encounters, claims)
    matches when any of them is in the state."""
    for lifecycle, state in criteria.states:
        if not any(k.split("#")[0] == lifecycle and v == state for k, v in row.states.items()):
            return False
    return True


def _may_see(ct: Casetracker, conn: Connection, case_id: str) -> bool:
    """A police user's result is checked as ``case show`` checks it (domain.forces)."""
    actor = ct.actor
    if not actor.force_bound:
        return True
    return may_see(actor, ct.flow.fold(case_id, ct.store.read_case(case_id, conn)))


def _logged(criteria: Criteria, found: list[Found]) -> dict[str, object]:
    """What the access log keeps of a search: the kinds of personal data searched by, never
    their values; the attribute filters; the cases found."""
    filters = {
        "force": criteria.force,
        "states": [f"{k}={v}" for k, v in criteria.states],
        "opened": list(criteria.opened),
        "updated": list(criteria.updated),
        "arrested": list(criteria.arrested),
        "high_harm": criteria.high_harm,
        "absconder": criteria.absconder,
        "boundary": criteria.boundary,
    }
    return {
        "by": sorted({kind for kind, _ in criteria.person}),
        "filters": {k: v for k, v in filters.items() if v and v != ["", ""]},
        "found": [f.case_id for f in found],
    }
