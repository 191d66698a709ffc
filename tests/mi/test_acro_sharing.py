"""ACRO sharing is enforced on every read (issue 14, item 4; ¶4.32–4.35, fn 20).

In a force that keeps results below the Serious Offence List to the police (MPS, WMP), an
immigration officer sees that such a result exists, never its content; in West Yorkshire, which
shares every result (¶4.35), the IO reads it.  The police read their own results everywhere.
"""

from __future__ import annotations

import json
from contextlib import closing

import pytest

from casetracker.domain.errors import NotPermitted
from casetracker.domain.rules.acro_redaction import POLICE_ONLY
from casetracker.services.cases import Casetracker
from casetracker.services.disclosure import export_bundle
from casetracker.services.setup import create_database

CONTENT = "fraud_or_forgery"  # a conviction abroad below the Serious Offence List


@pytest.fixture
def url(tmp_path) -> str:
    found = f"sqlite:///{tmp_path / 'cases.db'}"
    create_database(found, "demo")  # pc.demo (MPS), pc.wyp, io.demo, audit.demo, ...
    return found


def _with_police_result(url: str, officer: str, force: str) -> str:
    with closing(Casetracker(url, as_user=officer)) as police:
        case_id = police.open_case({"name": "Sam Synthetic"}, "2015-06-01T10:00").case_id
        police.act(case_id, "arrest", {"offence": "theft", "offence_category": "theft",
                                       "force": force}, "2015-06-01T10:05")  # fmt: skip
        police.act(case_id, "request_acro_check", {"force": force, "country": "Synthland"},
                   "2015-06-01T11:00")  # fmt: skip
        police.act(case_id, "record_non_hosol_result", {"conviction_categories": [CONTENT]},
                   "2015-06-03T09:00", instance=1)  # fmt: skip
    return case_id


def _everything_read(service: Casetracker, case_id: str) -> str:
    summary = service.show(case_id)
    view, _ = service.options(case_id)
    replayed, chosen = service.replay(case_id, as_of="2015-06-04")
    return json.dumps(
        [
            [e.payload for e in summary.events],
            [e.payload for e in service.history(case_id)],
            [e.payload for e in chosen],
            [i.fields for i in (summary.view.instances | view.instances).values()],
            [i.fields for i in replayed.instances.values()],
            [s.fields for _, s in summary.view.steps],
            repr(summary.facts),
        ],
        default=str,
        ensure_ascii=False,
    )


def test_an_io_sees_that_a_police_only_result_exists_not_its_content(url) -> None:
    case_id = _with_police_result(url, "pc.demo", "MPS")
    with closing(Casetracker(url, as_user="io.demo")) as io:
        shown = _everything_read(io, case_id)
        assert CONTENT not in shown
        assert POLICE_ONLY in shown
        assert io.show(case_id).states["acro_check#1"] == "non_hosol_result"  # it exists
    with closing(Casetracker(url, as_user="pc.demo")) as police:
        assert CONTENT in _everything_read(police, case_id)


def test_west_yorkshire_shares_every_result_with_its_ios(url) -> None:
    case_id = _with_police_result(url, "pc.wyp", "WYP")
    with closing(Casetracker(url, as_user="io.demo")) as io:
        assert CONTENT in _everything_read(io, case_id)


def test_an_io_cannot_export_the_stored_events(url, tmp_path) -> None:
    """Exports serve inspection and disclosure (¶2.1): auditors and admins only."""
    case_id = _with_police_result(url, "pc.demo", "MPS")
    with closing(Casetracker(url, as_user="io.demo")) as io, pytest.raises(NotPermitted):
        export_bundle(io, [case_id], "check", tmp_path / "out.bundle")


def test_the_cli_case_show_and_history_redact_too(url, run) -> None:
    case_id = _with_police_result(url, "pc.demo", "MPS")
    path = url.removeprefix("sqlite:///")
    for command in (["show", case_id, "--json"], ["history", case_id, "--json"]):
        out = run("--db", path, "--as", "io.demo", "case", *command)
        assert out.code == 0, out.err
        assert CONTENT not in out.out and "police-only ACRO result" in out.out


def _lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_bytes().decode().splitlines()]


def test_an_export_is_redacted_like_every_other_read_and_still_verifies(url, tmp_path) -> None:
    """Issue 14 item 4 (export): an admin is no police reader (¶4.32), so their bundle of a Met
    case shows that the police-only result exists, not its content; the withheld event keeps
    its stored hash, so its chain, its case's head and its inclusion proof still check."""
    from casetracker.integrity.bundle import verify

    case_id = _with_police_result(url, "pc.demo", "MPS")
    out = tmp_path / "admin.bundle"
    with closing(Casetracker(url, as_user="admin.demo")) as admin:
        export_bundle(admin, [case_id], "disclosure check (synthetic)", out)
    header, *events = _lines(out)
    payloads = json.dumps([e["payload"] for e in events], ensure_ascii=False)
    assert CONTENT not in payloads and POLICE_ONLY in payloads
    (result,) = [e for e in events if e["action"] == "record_non_hosol_result"]
    (hidden,) = header["withheld"]  # with the digest of its line as exported
    assert (hidden["case_id"], hidden["seq"], len(hidden["digest"])) == (case_id, result["seq"], 64)
    report = verify(out.read_bytes())
    assert report.ok, report.problems
    assert report.withheld == 1
    # a withheld event is checked by its hash only; altering any other event is still caught
    from casetracker.integrity.encoding import canonical_json

    arrest = next(e for e in events if e["action"] == "arrest")
    arrest["payload"] = arrest["payload"].replace('"theft"', '"knife"')
    altered = "".join(canonical_json(line) + "\n" for line in (header, *events))
    assert arrest["payload"].count("knife") and not verify(altered.encode()).ok


def test_an_auditor_and_a_sharing_force_export_the_content(url, tmp_path) -> None:
    met = _with_police_result(url, "pc.demo", "MPS")
    wyp = _with_police_result(url, "pc.wyp", "WYP")  # ¶4.35: shared with the Home Office
    with closing(Casetracker(url, as_user="audit.demo")) as auditor:
        export_bundle(auditor, [met], "inspection (synthetic)", tmp_path / "audit.bundle")
    with closing(Casetracker(url, as_user="admin.demo")) as admin:
        export_bundle(admin, [wyp], "disclosure (synthetic)", tmp_path / "wyp.bundle")
    for name in ("audit.bundle", "wyp.bundle"):
        header, *events = _lines(tmp_path / name)
        assert CONTENT in "".join(e["payload"] for e in events) and "withheld" not in header
