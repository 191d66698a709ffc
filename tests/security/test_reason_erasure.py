"""Every reason given for reading is erasable, not only a case's (issue 13: free text is
personal data).

Before: a sample's reason (a read of no one case) was kept beside its access-log entry with
nothing that could ever erase it, and an export's reason, kept beside the entry of each case it
took, outlived the erasure of any one of those cases beside all the others.  Now an admin
erases a case-less reason by its entry (``casetracker erase-reason``), and an erasure takes the
reason of every export of the case with it; what remains is the digest, and verify still says
intact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casetracker.adapters.access_log import ERASED
from casetracker.domain.errors import NotPermitted, UsageError
from casetracker.services import sampling
from casetracker.services.cases import Casetracker
from casetracker.services.disclosure import draw_sample, export_bundle
from casetracker.services.reason_erasure import erase_reason
from casetracker.services.setup import create_database
from tests.integration.tamper import rows
from tests.mi.conftest import build

MARKER = "Quennell-Ashdown-4417"


def _kept_anywhere(url: str) -> bool:
    """Whether the marker is in any row, or (SQLite) any byte of the file, its WAL or free pages."""
    tables = ("events", "subject_values", "access_log", "access_justifications")
    if any(MARKER in str(r) for t in tables for r in rows(url, f"SELECT * FROM {t}")):
        return True
    if not url.startswith("sqlite"):
        return False
    path = Path(url.removeprefix("sqlite:///"))
    files = (path, Path(f"{path}-wal"))
    return any(MARKER.encode() in p.read_bytes() for p in files if p.exists())


def _reasons(ct: Casetracker, action: str) -> list[tuple[int, str]]:
    found = ct.access_entries(limit=None)
    return [(e.position, e.justification) for e in found if e.action == action]


def test_a_samples_reason_is_erased_by_an_admin(tmp_path):
    year = build(str(tmp_path / "year.db"), 600)
    auditor = Casetracker(year.url, as_user="audit.demo")
    request = sampling.request("MPS", 1, "2015-01-01", "2015-12-31", False, seed=1)
    drawn = draw_sample(auditor, request, f"a complaint from {MARKER}")
    ((position, reason),) = _reasons(auditor, "sample")
    assert reason == f"a complaint from {MARKER}"
    with pytest.raises(NotPermitted):
        erase_reason(auditor, position)  # an auditor reads the log; an admin erases
    auditor.close()
    admin = Casetracker(year.url, as_user="admin.demo")
    admin.show(drawn.cases["MPS"][0], reason="checking the sample")
    shown = [p for p, _ in _reasons(admin, "show")]
    for wrong in (*shown, 10**9):  # a case's reason goes with its subject; no such entry
        with pytest.raises(UsageError):
            erase_reason(admin, wrong)
    assert _kept_anywhere(year.url)
    erase_reason(admin, position)
    assert _reasons(admin, "sample") == [(position, ERASED)]
    assert [e.detail for e in admin.access_entries(limit=None) if e.action == "erase-reason"] == [
        f'{{"position":{position}}}'
    ]
    assert admin.verify().ok
    admin.close()
    assert not _kept_anywhere(year.url)


def test_an_exports_reason_goes_with_any_case_it_took(db_url, tmp_path):
    create_database(db_url, "demo")
    admin = Casetracker(db_url, as_user="admin.demo")
    taken = [admin.open_case({"name": f"Person {n}"}, "2015-06-01").case_id for n in range(2)]
    export_bundle(admin, taken, f"a request naming {MARKER}", tmp_path / "bundle.jsonl")
    assert [r for _, r in _reasons(admin, "export")] == [f"a request naming {MARKER}"] * 2
    admin.act(taken[0], "erase_subject", {"legal_basis": "Article 17"}, "2015-06-02")
    assert [r for _, r in _reasons(admin, "export")] == [ERASED, ERASED]
    assert admin.verify().ok
    admin.close()
    assert not _kept_anywhere(db_url)
