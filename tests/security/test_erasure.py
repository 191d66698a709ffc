"""Free text is personal data: what a person types is erasable, and erased means gone from the
database file, its write-ahead log and its free pages, while verify still says intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from casetracker.services.cases import Casetracker
from tests.helpers import core_engine, new_service
from tests.integration.tamper import rows

MARKER = "Zebedee-Quarrington-7731"


def _files(url: str) -> list[Path]:
    path = Path(url.removeprefix("sqlite:///"))
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


@pytest.fixture
def noted(db_url):
    """A case whose note and whose closing reason name the marker; returns (url, case id)."""
    ct = new_service(db_url, role="casework")
    case_id = ct.open_case({"name": "A Person"}, "2014-01-01").case_id
    ct.act(case_id, "add_note", {"text": f"spoke to {MARKER} at the desk"}, "2014-01-02")
    ct.act(case_id, "add_note", {"text": "a second note"}, "2014-01-03")
    ct.close()
    return db_url, case_id


def test_a_note_is_not_in_the_chain_and_each_note_is_kept(noted):
    url, case_id = noted
    payloads = " ".join(r[0] for r in rows(url, "SELECT payload FROM events"))
    assert MARKER not in payloads and "second note" not in payloads
    ct = Casetracker(url, role="casework", workflows=core_engine())
    subject = ct.show(case_id, reason="checking the notes").subject or {}
    assert subject["text@2"] == f"spoke to {MARKER} at the desk"
    assert subject["text@3"] == "a second note"
    assert ct.verify().ok
    ct.close()


def test_erasure_leaves_no_byte_of_a_note(noted):
    url, case_id = noted
    admin = Casetracker(url, role="admin", workflows=core_engine())
    admin.act(case_id, "erase_subject", {"legal_basis": f"request of {MARKER}"})
    assert admin.verify().ok
    assert admin.show(case_id, reason="after erasure").subject is None
    admin.close()
    assert not any(MARKER in str(r) for r in rows(url, "SELECT * FROM subjects"))
    assert not any(MARKER in str(r) for r in rows(url, "SELECT * FROM events"))
    for path in _files(url) if url.startswith("sqlite") else ():
        assert MARKER.encode() not in path.read_bytes(), path.name
