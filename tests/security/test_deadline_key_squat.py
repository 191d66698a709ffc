"""A tick's idempotency keys cannot be taken first by somebody else.

``casetracker tick`` records each passed deadline under a key anyone can work out (``deadline:``
and the SHA-256 of the case and the deadline: ``services.work.idempotency_key``), so that two
machines ticking at once record it once.  A caseworker who recorded a note under that key first
made every later tick refused ("already used for another request") at that case's batch: no
deadline of it, or of any case after it, was ever recorded as passed again.  The key's prefix is
now the tick's alone: the command line refuses it, and on PostgreSQL, where a member can insert
an event through psql, the database refuses any other event carrying it (migration 0029).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from casetracker.domain import clock
from casetracker.domain.deadlines import Deadline
from casetracker.domain.errors import NotPermitted
from casetracker.services import work
from casetracker.services.cases import Casetracker
from tests.helpers import arrested_in_custody
from tests.security.test_postgres_privileges import Logins, logins  # noqa: F401 - the fixture

NOW = datetime(2016, 3, 3, 12, tzinfo=UTC)


def _tick_key(row: dict) -> str:
    due = datetime.fromisoformat(row["due"].replace("Z", "+00:00"))
    return work.idempotency_key(row["case_id"], Deadline(row["kind"], row["item"], due, ""))


def _arrests(run, db) -> list[str]:
    """Two arrests of 1 March 2016 still in police custody; the clock two days later."""
    clock.set_clock(lambda: NOW)
    opened = []
    for _ in range(2):
        opened.append(arrested_in_custody(run, db))
    return opened


@pytest.mark.parametrize("command", ["act", "open"])
def test_a_deadline_key_given_first_does_not_stop_the_tick(run, db, command):
    cases = _arrests(run, db)
    due = run("--db", db, "due", "--overdue", "--json").json["deadlines"]
    key = _tick_key(next(d for d in due if d["case_id"] == cases[0]))
    squat = (
        ["case", "act", cases[0], "add_note", "-f", "text=x"]
        if command == "act"
        else ["case", "open", "-f", "name=B Person", "-f", "force=MPS"]
    )
    taken = run("--db", db, "--role", "police", *squat, "--idempotency-key", key)
    assert taken.code == 2 and "kept for" in taken.err, (taken.code, taken.err)
    ticked = run("--db", db, "tick", "--json")
    assert ticked.code == 0, ticked.err
    assert len(ticked.json["recorded"]) == 4
    assert run("--db", db, "due", "--overdue", "--json").json["deadlines"] == []


@pytest.mark.postgres
def test_a_member_cannot_take_a_deadline_key_in_the_database(
    logins: Logins,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The service refuses such a key first (below); without that check the database must
    # refuse it too, as it refuses a member typing the insert into psql (migration 0029).
    monkeypatch.setattr("casetracker.services.cases.check_request_key", lambda key: None)
    clock.set_clock(lambda: datetime(2016, 3, 1, 12, tzinfo=UTC))
    ct = Casetracker(logins.url(logins.member), role="casework")
    case_id = ct.open_case({"name": "Alex Example"}, "2016-01-01").case_id
    ct.act(case_id, "issue_reporting_directions", {"first_report_on": "2016-03-01"}, "2016-02-01")
    clock.set_clock(lambda: datetime(2016, 3, 5, tzinfo=UTC))
    row = next(r for r in work.due(ct) if r.case_id == case_id)
    key = _tick_key(row._asdict())
    with pytest.raises(NotPermitted, match="kept for"):  # the service as psql would be
        ct.act(case_id, "add_note", {"text": "x"}, idempotency_key=key)
    assert [(c, d.kind) for c, d in work.tick(ct).recorded] == [(case_id, "first_report")]
    last = ct.store.read_case(case_id)[-1]
    assert (last.actor_user, last.idempotency_key) == ("system", key)
    ct.close()


def test_the_service_refuses_a_ticks_key_whoever_calls_it(tmp_path) -> None:
    """Not only the CLI: any caller of the service (the TUI, an integration) is refused, and
    nothing is written."""
    from casetracker.adapters.database import read_transaction
    from casetracker.domain.errors import UsageError
    from casetracker.services.setup import create_database

    url = f"sqlite:///{tmp_path / 'svc.db'}"
    create_database(url, "demo")
    ct = Casetracker(url, as_user="pc.demo")
    try:
        with pytest.raises(UsageError, match="kept for the passed deadlines"):
            ct.open_case({"name": "A Person", "force": "MPS"}, idempotency_key="deadline:x")
        with read_transaction(ct.engine) as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM events").scalar() == 0
    finally:
        ct.close()
