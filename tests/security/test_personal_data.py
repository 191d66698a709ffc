"""Verify never crashes on personal data it did not write: each kind of damage is a report.

Someone with write access to the database can store an event whose hash they recomputed, or a
subject record in any form; a tamper-evident checker must name that damage, never fail on it.
"""

from __future__ import annotations

import pytest

from casetracker.integrity.encoding import STORED_FIELDS, stored_hash
from casetracker.integrity.event_checks import COLUMNS
from tests.helpers import new_service
from tests.integration.tamper import rows, tamper


@pytest.fixture
def case(db_url):
    """A case whose name is on file and whose last event is a note; returns (service, id)."""
    ct = new_service(db_url)
    case_id = ct.open_case({"name": "A Person"}, "2014-01-01").case_id
    ct.act(case_id, "add_note", {"text": "a note"}, "2014-01-02")
    assert ct.verify().ok
    yield ct, case_id
    ct.close()


def _forge_last_payload(url: str, case_id: str, payload: str) -> None:
    """Replace the case's last event's payload and recompute its hash, as an attacker with the
    database could; the projection's head is moved along so only the payload is wrong."""
    query = f"SELECT {', '.join(COLUMNS)} FROM events WHERE case_id = '{case_id}' ORDER BY seq"
    stored = dict(zip(COLUMNS, rows(url, query)[-1], strict=True))
    stored["payload"] = payload
    stored["hash"] = stored_hash(tuple(stored[f] for f in STORED_FIELDS))
    tamper(
        url,
        "UPDATE events SET payload = :payload, hash = :hash WHERE position = :position",
        "UPDATE cases SET head_hash = :hash WHERE case_id = :case_id",
        params=[stored, stored],
    )


@pytest.mark.parametrize(
    "payload",
    [
        '{"fields":{},"personal":["x"]}',
        '{"fields":{},"personal":"x"}',
        '{"fields":{},"personal":{"text":1}}',
        '["personal"]',
        '{"personal"',
    ],
    ids=["a-list", "a-string", "a-digest-not-text", "not-an-object", "not-json"],
)
def test_personal_digests_not_an_object_are_reported(case, db_url, payload):
    ct, case_id = case
    _forge_last_payload(db_url, case_id, payload)
    report = ct.verify()
    assert not report.ok
    assert any(
        d.case_id == case_id and "personal-data digests" in d.problem for d in report.damaged
    )


@pytest.mark.parametrize(
    ("assignment", "words"),
    [
        ("data = 'not json'", "not a JSON object"),
        ("data = '[1, 2]'", "not a JSON object"),
        ("data = '{\"name\": NaN}'", "never writes"),
        ("salt = 'not hex'", "salt"),
        ("salt = NULL", "salt"),
    ],
    ids=["not-json", "a-list", "nan", "non-hex-salt", "no-salt"],
)
def test_damaged_subject_records_are_reported(case, db_url, assignment, words):
    ct, case_id = case
    tamper(db_url, f"UPDATE subjects SET {assignment} WHERE case_id = :c", params=[{"c": case_id}])
    report = ct.verify()
    assert not report.ok
    assert any(d.case_id == case_id and words in d.problem for d in report.damaged)
