"""Both nationalities through the service (issue 14 item 8): the claimed one (told at arrest or by
the person) and the verified one (status check, ETD, CID) are kept in the erasable subject
record, shown side by side, and their mismatch is a flag in the log that the worklist and the
case's facts read, without the values themselves."""

from __future__ import annotations

from contextlib import closing

from casetracker.presenters.text import summary_json, summary_lines
from casetracker.services import worklists
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from tests.helpers import police_of

ROLES = ("admin", "police", "immigration_officer", "ccu")


def _case(url: str) -> str:
    create_database(url, "live", ROLES)
    police_of(url, "WMP")
    with closing(Casetracker(url, role="police")) as police:
        opened = police.open_case({"name": "Nat Person (synthetic)", "nationality": "Indian",
                                   "force": "WMP"}, "2016-01-01T09:00")  # fmt: skip
        case_id = opened.case_id
        arrest = {"offence": "theft", "offence_category": "theft", "force": "WMP"}
        police.act(case_id, "arrest", arrest, "2016-01-01T10:00")
    with closing(Casetracker(url, role="immigration_officer")) as io:
        io.act(
            case_id, "record_nationality",
            {"verified_nationality": "Pakistani", "nationality_group": "non_eea",
             "nationality_basis": "verified"},
            "2016-01-01T11:00", instance=1,
        )  # fmt: skip
    return case_id


def test_both_are_kept_shown_and_the_mismatch_flagged(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'nat.db'}"
    case_id = _case(url)
    with closing(Casetracker(url, role="immigration_officer")) as io:
        shown = io.show(case_id, reason="identity check (synthetic)")
        data = summary_json(shown)
        lines = summary_lines(shown)
        rows = worklists.page(io, "nationality_mismatch")
    assert data["subject"]["nationality"] == "Indian"
    assert data["subject"]["verified_nationality"] == "Pakistani"
    assert data["facts"]["nationality_mismatch"] is True
    assert "  nationality (claimed): Indian" in lines
    assert "  nationality (verified): Pakistani" in lines
    assert any("NATIONALITY MISMATCH" in line for line in lines)
    assert [r.case_id for r in rows] == [case_id]
    assert "Indian" not in rows[0].label and "Pakistani" not in rows[0].label


def test_erasure_takes_both_values_and_leaves_the_flag(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'nat.db'}"
    case_id = _case(url)
    with closing(Casetracker(url, role="admin")) as admin:
        admin.act(case_id, "erase_subject", {"legal_basis": "synthetic erasure request"})
        shown = admin.show(case_id, reason="audit (synthetic)")
    data = summary_json(shown)
    assert data["subject_erased"] and not data["subject"]
    assert data["facts"]["nationality_mismatch"] is True
