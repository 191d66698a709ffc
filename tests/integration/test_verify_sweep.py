"""The verifier's fast sweep: on an intact log it gives the walk's summary; on a damaged one the
report is the walk's, word for word (the sweep may only say "not sure", never hide damage)."""

from __future__ import annotations

from unittest import mock

import pytest

from casetracker.chain_sweep import _sweep_range, access_log_intact, check_range
from casetracker.chain_walk import Part
from casetracker.database import read_transaction
from casetracker.driver_rows import undecoded_text
from tests.helpers import new_service
from tests.integration.tamper import tamper


@pytest.fixture
def service(db_url):
    """Cases of different lengths, interleaved, with personal data and a correction."""
    ct = new_service(db_url)
    ids = [ct.open_case({"name": f"Person {i}"}, "2014-01-01").case_id for i in range(5)]
    for n in range(4):
        for i, case_id in enumerate(ids):
            if n < i:
                ct.act(case_id, "add_note", {"text": f"note {n}"}, "2014-02-01")
    yield ct
    ct.close()


def _sweep(ct, at: int = 0) -> Part | None:
    with read_transaction(ct.engine) as conn:
        raw = conn.connection.dbapi_connection
        with undecoded_text(raw):
            return _sweep_range(raw, None, None, ct.flow.replay_table(), ct.info.realm, at)


def _walk(ct, at: int = 0) -> Part:
    with (
        read_transaction(ct.engine) as conn,
        mock.patch("casetracker.chain_sweep._sweep_range", return_value=None),
    ):
        raw = conn.connection.dbapi_connection
        return check_range(raw, None, None, ct.flow.replay_table(), ct.info.realm, at)


def _summary(part: Part) -> dict:
    return {
        "events": part.events,
        "cases": part.cases,
        "last_position": part.last_position,
        "positions_sum": part.positions_sum,
        "events_at_checkpoint": part.events_at_checkpoint,
        "heads_at_checkpoint": sorted(part.heads_at_checkpoint),
        "damaged": part.damaged,
        "orphans": part.orphans,
        "subjects": part.subjects,
    }


def _check(ct, at: int = 0) -> Part:
    with read_transaction(ct.engine) as conn:
        raw = conn.connection.dbapi_connection
        return check_range(raw, None, None, ct.flow.replay_table(), ct.info.realm, at)


@pytest.mark.parametrize("at", [0, 7, 15])
def test_on_an_intact_log_the_sweep_gives_exactly_the_walks_summary(service, at):
    swept = _sweep(service, at)
    assert swept is not None
    assert swept.events == 15 and swept.cases == 5
    assert len(swept.personal) == 5  # the subjects' digests were collected
    assert _summary(_check(service, at)) == _summary(_walk(service, at))


def test_a_changed_subject_record_is_found_by_either_path(service, db_url):
    tamper(db_url, "UPDATE subjects SET data = replace(data, 'Person 3', 'Person X')")
    assert _sweep(service) is not None  # the chains themselves are intact
    swept, walked = _check(service), _walk(service)
    assert (
        swept.subjects
        == walked.subjects
        == {"C-0000004": ["subject field 'name' does not match the log"]}
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET payload = payload || ' ' WHERE position = 9",
        "UPDATE events SET actor_role = 'x' WHERE position = 1",
        "UPDATE events SET hash = prev_hash WHERE position = 15",
        "DELETE FROM events WHERE position = 6",
        "UPDATE events SET seq = 9 WHERE position = 15",
        "UPDATE events SET realm = 'demo' WHERE position = 3",
        "UPDATE cases SET state = '{}' WHERE case_id = 'C-0000002'",
        "UPDATE cases SET version = 1 WHERE case_id = 'C-0000005'",
        "DELETE FROM cases WHERE case_id = 'C-0000004'",
        "INSERT INTO cases SELECT 'C-0000099', version, head_hash, head_position, opened, "
        "updated, state FROM cases WHERE case_id = 'C-0000001'",
        "UPDATE events SET action = 'open_case' WHERE position = 14",
    ],
)
def test_the_sweep_is_unsure_of_every_damaged_log(service, db_url, statement):
    tamper(db_url, statement)
    assert _sweep(service) is None
    assert not service.verify().ok


def _access_log_intact(ct) -> bool:
    with read_transaction(ct.engine) as conn:
        return access_log_intact(conn.connection.dbapi_connection)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET justification = 'x' WHERE position = 2",
        "UPDATE access_log SET position = 9 WHERE position = 3",
        "DELETE FROM access_log WHERE position = 2",
        "UPDATE access_log SET prev_hash = hash WHERE position = 2",
    ],
)
def test_the_access_log_sweep_passes_an_intact_log_and_nothing_else(service, db_url, statement):
    for case_id in ("C-0000001", "C-0000002", "C-0000003"):
        service.show(case_id)
    assert _access_log_intact(service)
    tamper(db_url, statement)
    assert not _access_log_intact(service)
    assert any(p.startswith("access log:") for p in service.verify().problems)
