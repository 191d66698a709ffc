"""A service keeps the subject record's salt with its cached view of a case, so that a note needs
no read of the record first; the insert of its text still asks the record itself.  These attacks
change the record behind a kept view (as someone with the database could, below every check):
an erased record still refuses the note, and a record whose salt is not the one kept gets its
digest made with the salt it has."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from casetracker.adapters import subjects
from casetracker.domain.errors import Refused
from casetracker.integrity.personal_digests import digest
from tests.helpers import new_service, noted_case
from tests.integration.tamper import erase_behind, resalt_behind, rows, salt_of

MARKER = "Philippa-Quennell-4410"
ROOT = Path(__file__).resolve().parents[2]


def test_a_note_on_a_record_erased_behind_a_kept_view_is_refused(db_url):
    ct, case_id = noted_case(db_url)
    erase_behind(db_url, case_id)
    with pytest.raises(Refused, match="was erased"):
        ct.act(case_id, "add_note", {"text": MARKER}, "2014-01-04")
    ct.close()
    assert not any(MARKER in str(r) for r in rows(db_url, "SELECT * FROM subject_values"))
    assert rows(db_url, "SELECT count(*) FROM events")[0][0] == 2


def test_a_note_is_digested_with_the_salt_the_record_has(db_url):
    ct, case_id = noted_case(db_url)
    salt = "ab" * 32
    resalt_behind(db_url, case_id, salt)
    ct.act(case_id, "add_note", {"text": MARKER}, "2014-01-04")
    ct.close()
    (payload,) = rows(db_url, "SELECT payload FROM events WHERE seq = 3")[0]
    assert json.loads(payload)["personal"] == {"text@3": digest(salt, "text@3", MARKER)}


def _kept_salts() -> set[str]:
    """The salts whose keyed digest this process keeps (``subjects`` keeps one per salt)."""
    return set(subjects._digesters)


def test_an_erasure_leaves_no_keyed_digest_of_its_salt_in_memory(db_url):
    ct, case_id = noted_case(db_url)
    salt = salt_of(db_url, case_id)
    assert salt in _kept_salts()  # the note's digest was keyed once and kept
    admin = new_service(db_url, role="admin")
    admin.act(case_id, "erase_subject", {"legal_basis": "the subject asked"})
    admin.close()
    assert salt not in _kept_salts()
    ct.close()


def test_a_salt_erased_by_another_process_is_dropped_at_the_next_note(db_url):
    ct, case_id = noted_case(db_url)
    salt = salt_of(db_url, case_id)
    erase_behind(db_url, case_id)
    with pytest.raises(Refused, match="was erased"):
        ct.act(case_id, "add_note", {"text": MARKER}, "2014-01-04")
    assert salt not in _kept_salts()
    ct.close()


def test_a_salt_erased_by_another_process_goes_with_the_view_that_held_it(db_url):
    """A real erasure elsewhere moves the case's head, so this process folds the case afresh
    (its view no longer holds the salt) and its next note is refused by the case's state
    before any write: the salt's keyed digest must go with the old view, not stay for the
    life of the process."""
    ct, case_id = noted_case(db_url)
    salt = salt_of(db_url, case_id)
    assert salt in _kept_salts()
    erase = (
        "import sys; from tests.helpers import new_service; "
        "admin = new_service(sys.argv[1], role='admin'); "
        "admin.act(sys.argv[2], 'erase_subject', {'legal_basis': 'the subject asked'}); "
        "admin.close()"
    )
    subprocess.run(
        [sys.executable, "-c", erase, db_url, case_id],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
        timeout=300,
    )
    with pytest.raises(Refused, match="erased"):  # the case's state refuses it first
        ct.act(case_id, "add_note", {"text": MARKER}, "2014-01-04")
    assert salt not in _kept_salts()
    ct.close()
