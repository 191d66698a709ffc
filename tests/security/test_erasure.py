"""Free text is personal data: what a person types is erasable, and erased means gone from the
database file, its write-ahead log and its free pages, while verify still says intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command

from casetracker.adapters.access_log import ERASED
from casetracker.adapters.database import make_engine
from casetracker.adapters.schema import alembic_config
from casetracker.services.cases import Casetracker
from tests.helpers import core_engine, new_service
from tests.integration.tamper import rows, tamper

MARKER = "Zebedee-Quarrington-7731"


def _files(url: str) -> list[Path]:
    path = Path(url.removeprefix("sqlite:///"))
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


@pytest.fixture
def noted(db_url):
    """A case whose first note, the reason given for it and the reason given for reading the
    case name the marker; returns (url, case id)."""
    ct = new_service(db_url, role="casework")  # keyed, as every event was before 0027
    case_id = ct.open_case({"name": "A Person"}, "2014-01-01", "opened").case_id
    ct.act(
        case_id, "add_note", {"text": f"spoke to {MARKER} at the desk"}, "2014-01-02",
        justification=f"{MARKER} asked for it", idempotency_key="first note",
    )  # fmt: skip
    ct.act(case_id, "add_note", {"text": "a second note"}, "2014-01-03", idempotency_key="second")
    ct.show(case_id, reason=f"a call from {MARKER}")
    ct.close()
    return db_url, case_id


def _everywhere(url: str) -> str:
    """Every row of every table that could hold what a person typed, as text."""
    tables = ("events", "subjects", "subject_values", "access_log", "access_justifications")
    return " ".join(str(r) for t in tables for r in rows(url, f"SELECT * FROM {t}"))


def test_a_note_is_not_in_the_chain_and_each_note_is_kept(noted):
    url, case_id = noted
    chains = [r[0] for r in rows(url, "SELECT payload FROM events")]
    chains += [r[0] for r in rows(url, "SELECT justification FROM access_log")]
    assert not any(MARKER in text or "second note" in text for text in chains)
    ct = Casetracker(url, role="casework", workflows=core_engine())
    subject = ct.show(case_id, reason="checking the notes").subject or {}
    assert subject["text@2"] == f"spoke to {MARKER} at the desk"
    assert subject["justification@2"] == f"{MARKER} asked for it"
    assert subject["text@3"] == "a second note"
    assert ct.verify().ok
    ct.close()


def test_a_reason_for_reading_is_shown_to_an_auditor_and_verified(noted):
    """The access log hashes a digest of the reason (format 2); the text is shown, and a text
    altered behind the log is found."""
    url, case_id = noted
    reader = Casetracker(url, role="admin", workflows=core_engine())
    reasons = [e.justification for e in reader.access_entries(case_id) if e.action == "show"]
    assert reasons == [f"a call from {MARKER}"]
    assert reader.verify().ok
    reader.close()
    tamper(url, "UPDATE access_justifications SET text = 'nothing to see'")
    reader = Casetracker(url, role="admin", workflows=core_engine())
    assert any("justification" in p for p in reader.verify().problems)
    reader.close()


def test_erasure_leaves_no_byte_of_a_note(noted):
    url, case_id = noted
    admin = Casetracker(url, role="admin", workflows=core_engine())
    admin.act(case_id, "erase_subject", {"legal_basis": f"request of {MARKER}"})
    assert admin.verify().ok
    assert admin.show(case_id, reason="after erasure").subject is None
    admin.close()
    assert MARKER not in _everywhere(url)
    reader = Casetracker(url, role="admin", workflows=core_engine())
    shown = [e.justification for e in reader.access_entries(case_id) if e.action == "show"]
    assert shown[0] == ERASED
    reader.close()
    for path in _files(url) if url.startswith("sqlite") else ():
        assert MARKER.encode() not in path.read_bytes(), path.name


def _migrate(url: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        if revision == "head":
            command.upgrade(cfg, revision)
        else:
            command.downgrade(cfg, revision)
    engine.dispose()


def test_free_text_moves_out_of_the_subject_record_and_every_chain_verifies(noted):
    """Before 0007 each note was a ``text@seq`` key of the case's one subject record; the
    upgrade makes each a row of ``subject_values`` and changes no stored hash."""
    url, case_id = noted
    hashes = rows(url, "SELECT hash FROM events ORDER BY position")
    _migrate(url, "0006")
    (data,) = rows(url, f"SELECT data FROM subjects WHERE case_id = '{case_id}'")[0]
    assert json.loads(data)["text@3"] == "a second note"
    _migrate(url, "head")
    assert rows(url, "SELECT data FROM subjects") == [('{"name":"A Person"}',)]
    assert sorted(rows(url, "SELECT seq, field, value FROM subject_values")) == [
        (2, "justification", json.dumps(f"{MARKER} asked for it")),
        (2, "text", json.dumps(f"spoke to {MARKER} at the desk")),
        (3, "text", '"a second note"'),
    ]
    assert rows(url, "SELECT hash FROM events ORDER BY position") == hashes
    ct = Casetracker(url, role="casework", workflows=core_engine())
    report = ct.verify()
    ct.close()
    # Every chain verifies; the reason given for reading (entry 1, written at head) had no
    # place before 0007, so the downgrade dropped it with its table, and verify says so.
    assert not report.damaged
    assert report.problems == [
        "access log: the justification of entry 1 is gone, but nothing erased it: it was "
        "deleted outside casetracker"
    ]


def test_free_text_is_shown_under_its_field_and_marked_personal(db, run):
    opened = run("--db", db, "--role", "casework", "case", "open", "-f", "name=A Person",
                 "-e", "2014-01-01", "--json")  # fmt: skip
    case_id = opened.json["case_id"]
    noted = run("--db", db, "--role", "casework", "case", "act", case_id, "add_note", "-f",
                f"text=spoke to {MARKER}", "--reason", "asked to", "-e", "2014-01-02")  # fmt: skip
    assert noted.code == 0, noted.err
    shown = run("--db", db, "--role", "casework", "case", "show", case_id, "--reason", "checking")
    assert f"event 2 text: spoke to {MARKER}" in shown.out
    assert "event 2 justification: asked to" in shown.out and "@" not in shown.out
    data = run("--db", db, "--role", "casework", "case", "show", case_id, "--reason", "again",
               "--json").json  # fmt: skip
    assert data["subject"] == {"name": "A Person"}
    assert {"seq": 2, "field": "text", "value": f"spoke to {MARKER}"} in data["free_text"]
    spec = run("workflows", "show", "case", "--json").json
    note = next(a for a in spec["actions"] if a["name"] == "add_note")
    assert note["fields"][0]["personal"] is True
