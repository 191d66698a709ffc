"""An IO's daily work around custody: sweeps of custody lists (¶3.5, ¶4.3, ¶4.5), transfers to
hub and central suites (¶4.13, ¶4.16, ¶4.19), CID updates and papers (¶4.27), and the queues
that list them."""

from __future__ import annotations

import dataclasses

import pytest

from casetracker.adapters.mi_model import rows_for as mi_rows
from casetracker.adapters.worklist import rows_for
from casetracker.domain.organisation import Force, Suite, SuiteModel
from casetracker.domain.rules.custody_suite import suite_at
from casetracker.domain.rules.io_coverage import io_coverage
from tests.unit.view_builder import Refused, ViewBuilder

IO = "immigration_officer"


def _arrest(builder: ViewBuilder, force: str = "WMP", suite: str = "Wolverhampton") -> None:
    fields = {"offence": "theft", "offence_category": "theft", "force": force}
    builder.act("encounter", "new", "arrest", {**fields, "custody_suite": suite},
                "2016-01-05T18:00:00Z")  # fmt: skip
    builder.act("encounter", 1, "record_nationality",
                {"nationality_group": "eea", "nationality_basis": "claimed"},
                "2016-01-05T18:10:00Z")  # fmt: skip


def _reasons(builder: ViewBuilder, *args, **kwargs) -> str:
    return " | ".join(str(b) for b in builder.blocks(*args, **kwargs))


def _queue(builder: ViewBuilder, queue: str) -> list[tuple[str, str, str]]:
    return [(r.item, r.force, r.label) for r in rows_for(builder.view) if r.queue == queue]


# ---------------------------------------------------------------- sweeps (¶3.5, ¶4.3, ¶4.5)


def test_a_sweep_finds_someone_nobody_referred_and_the_referral_counts_as_found_by_it() -> None:
    builder = ViewBuilder()
    _arrest(builder, suite="Perry Barr")
    builder.act("encounter", 1, "record_found_in_custody_sweep", effective="2016-01-05T19:00:00Z",
                role=IO)  # fmt: skip
    builder.act("status_check", "new", "refer_to_local_io", {"encounter": 1},
                "2016-01-05T19:05:00Z", role=IO)  # fmt: skip
    (arrest,) = mi_rows(builder.view, builder.org).arrests
    assert arrest[18] == 1  # sweep_referrals
    assert (arrest[9], arrest[7]) == (1, "local_io")  # also counted under the check's route
    assert mi_rows(builder.view, builder.org).people[0][-1] == 1


def test_a_sweep_does_not_record_someone_already_referred() -> None:
    builder = ViewBuilder()
    _arrest(builder, suite="Perry Barr")
    builder.act("status_check", "new", "refer_to_ccu", {"encounter": 1}, "2016-01-05T18:20:00Z")
    reasons = _reasons(builder, "encounter", 1, "record_found_in_custody_sweep", role=IO,
                       effective="2016-01-05T19:00:00Z")  # fmt: skip
    assert "encounter #1 was already referred (status check #1, refer_to_ccu)" in reasons


def test_no_sweep_where_ios_cannot_see_who_is_in_custody() -> None:
    builder = ViewBuilder()
    _arrest(builder, force="GMP", suite="Central")
    reasons = _reasons(builder, "encounter", 1, "record_found_in_custody_sweep", role=IO,
                       effective="2016-01-05T19:00:00Z")  # fmt: skip
    assert "IOs cannot see who is in custody at Greater Manchester Police" in reasons
    assert "forces.GMP.custody_db = none, ¶4.26" in reasons


@pytest.mark.parametrize("force", ["MPS", "WMP", "WYP"])  # through a Nexus officer, a sergeant,
def test_the_three_visited_forces_ios_can_sweep(force: str) -> None:  # or directly (¶4.26)
    builder = ViewBuilder()
    _arrest(builder, force=force, suite="")
    assert builder.blocks("encounter", 1, "record_found_in_custody_sweep", role=IO,
                          effective="2016-01-05T19:00:00Z") == []  # fmt: skip


# ---------------------------------------------------------------- transfers (¶4.13–4.19)


def test_a_transfer_moves_the_encounter_and_a_release_counts_at_the_suite_left() -> None:
    builder = ViewBuilder()
    _arrest(builder)  # an unconfigured local station: IO hours unknown there
    builder.act("encounter", 1, "transfer_to_suite", {"custody_suite": "Perry Barr"},
                "2016-01-05T20:00:00Z")  # fmt: skip
    encounter = builder.act("encounter", 1, "release_without_charge",
                            effective="2016-01-06T05:00:00Z")  # fmt: skip
    assert suite_at(encounter) == "Perry Barr" and suite_at(encounter, 1) == "Wolverhampton"
    found = io_coverage(encounter, builder.org)
    assert (found.held_at, found.suite, found.in_io_hours) == ("Perry Barr", "Perry Barr", False)
    assert mi_rows(builder.view, builder.org).arrests[0][3] == "Perry Barr"


def test_a_release_before_the_transfer_of_a_later_custody_counts_where_it_happened() -> None:
    builder = ViewBuilder()
    _arrest(builder)
    builder.act("encounter", 1, "bail", effective="2016-01-05T20:00:00Z")
    builder.act("encounter", 1, "rearrest", effective="2016-01-20T10:00:00Z")
    builder.act("encounter", 1, "transfer_to_suite", {"custody_suite": "Perry Barr"},
                "2016-01-20T11:00:00Z")  # fmt: skip
    found = io_coverage(builder.view.instances["encounter#1"], builder.org)
    assert (found.left_by, found.held_at, found.in_io_hours) == ("bail", "Wolverhampton", None)


@pytest.mark.parametrize(
    ("force", "suite", "reason"),
    [
        ("WMP", "Croydon", "Croydon is not a custody suite of West Midlands Police in the "
         "organisation file — name one of Perry Barr"),
        ("WMP", "Perry Barr", "encounter #1 is already held at Perry Barr"),
        ("GMP", "Central", "Greater Manchester Police has no hub or central suite"),
    ],
)  # fmt: skip
def test_a_transfer_goes_to_a_central_suite_of_the_same_force(force, suite, reason) -> None:
    builder = ViewBuilder()
    _arrest(builder, force=force, suite="Perry Barr" if force == "WMP" else "Central")
    reasons = _reasons(builder, "encounter", 1, "transfer_to_suite", {"custody_suite": suite},
                       "2016-01-05T19:00:00Z")  # fmt: skip
    assert reason in reasons


def test_a_transfer_to_a_spoke_station_is_refused() -> None:
    org = ViewBuilder().org
    spoke = Suite("Sidestreet", SuiteModel.SPOKE)
    forces = tuple(
        dataclasses.replace(f, suites=(*f.suites, spoke)) if f.code == "MPS" else f
        for f in org.forces
    )
    builder = ViewBuilder(dataclasses.replace(org, forces=forces))
    _arrest(builder, force="MPS", suite="Croydon")
    reasons = _reasons(builder, "encounter", 1, "transfer_to_suite",
                       {"custody_suite": "Sidestreet"}, "2016-01-05T19:00:00Z")  # fmt: skip
    assert "Sidestreet is a spoke suite (forces.MPS.suites[2].model)" in reasons
    assert "name one of Croydon, Freshwharf" in reasons
    assert isinstance(forces[0], Force)


# ---------------------------------------------------------------- CID and papers (¶4.27)


def _offender_taken_up(builder: ViewBuilder) -> None:
    _arrest(builder, suite="Perry Barr")
    builder.act("status_check", "new", "refer_to_local_io", {"encounter": 1},
                "2016-01-05T18:20:00Z")  # fmt: skip
    builder.act("status_check", 1, "check_cid", {}, "2016-01-05T18:30:00Z", role=IO)
    builder.act("status_check", 1, "record_immigration_offender",
                {"offender_kind": "overstayer"}, "2016-01-05T18:40:00Z", role=IO)  # fmt: skip


def test_cid_is_updated_only_on_a_referral_an_io_holds_and_with_what_was_done() -> None:
    builder = ViewBuilder()
    _offender_taken_up(builder)
    update = {"status_check": 1, "action_taken": ["reporting_directions"]}
    assert "status check #1 is immigration offender, not with an IO" in _reasons(
        builder, "cid_update", "new", "update_cid", update, "2016-01-05T19:00:00Z", IO
    )
    builder.act("status_check", 1, "take_up_locally", effective="2016-01-05T18:45:00Z", role=IO)
    assert _queue(builder, "io_paperwork") == [
        ("status_check#1", "WMP", "Status check #1: CID to update (taken up by the local IO)")
    ]
    assert "this record shows no reporting directions since status check #1 began" in _reasons(
        builder, "cid_update", "new", "update_cid", update, "2016-01-05T19:00:00Z", IO
    )
    builder.act("reporting", 0, "issue_reporting_directions", {}, "2016-01-05T19:00:00Z", IO)
    papers = {**update, "papers": ["reporting_instructions"]}
    wrong = {**papers, "action_taken": ["no_further_immigration_action"]}
    assert "reporting instructions come from reporting directions" in _reasons(
        builder, "cid_update", "new", "update_cid_with_papers", wrong, "2016-01-05T19:10:00Z", IO
    )
    builder.act("cid_update", "new", "update_cid_with_papers", papers, "2016-01-05T19:10:00Z", IO)
    ((item, _, label),) = _queue(builder, "io_paperwork")
    assert (item, label) == ("cid_update#1", "reporting instructions to serve (Status check #1)")
    builder.act("cid_update", 1, "serve_cid_papers", {}, "2016-01-05T19:20:00Z", IO)
    assert _queue(builder, "io_paperwork") == []
    nothing = {"status_check": 7, "action_taken": []}
    with pytest.raises(Refused, match="there is no status check #7"):
        builder.act("cid_update", "new", "update_cid", nothing, "2016-01-05T19:30:00Z", IO)


# ---------------------------------------------------------------- the other queues


def test_dva_acro_and_high_harm_queues() -> None:
    builder = ViewBuilder()
    _arrest(builder, force="WYP", suite="Normanton")
    builder.act("leave", 0, "record_british_claim", {}, "2016-01-05T18:15:00Z", "police")
    builder.act("dva_check", "new", "ask_ccu_for_dva_check",
                {"reasonable_doubt": "accent and no documents", "requested_by": "IO 12"},
                "2016-01-05T18:20:00Z", IO)  # fmt: skip
    assert _queue(builder, "dva_requests") == [
        (
            "dva_check#1",
            "WYP",
            "DVA passport check #1 asked by immigration officer: run it or decline",
        )
    ]
    builder.act("dva_check", 1, "run_requested_dva_check", {}, "2016-01-05T18:30:00Z", "ccu")
    assert (
        _queue(builder, "dva_requests")[0][2] == "DVA passport check #1 run: record what it found"
    )
    builder.act("dva_check", 1, "record_passport_record_found", {}, "2016-01-05T18:40:00Z", "ccu")
    assert _queue(builder, "dva_requests") == []
    builder.act("acro_check", "new", "request_acro_check", {"force": "wyp", "country": "X"},
                "2016-01-05T18:50:00Z")  # fmt: skip
    assert _queue(builder, "acro_awaited") == [
        ("acro_check#1", "WYP", "ACRO check #1 asked by police: result awaited")
    ]
    builder.act("acro_check", 1, "record_acro_no_record", {}, "2016-01-20", "police")
    assert _queue(builder, "acro_awaited") == []


def test_the_high_harm_team_sees_referrals_until_enforcement_begins() -> None:
    builder = ViewBuilder()
    fields = {"offence": "wounding", "offence_category": "gbh", "force": "WMP"}
    builder.act("encounter", "new", "arrest", {**fields, "custody_suite": "Perry Barr"},
                "2016-01-05T18:00:00Z")  # fmt: skip
    builder.act("status_check", "new", "refer_to_ccu", {"encounter": 1}, "2016-01-05T18:20:00Z")
    builder.act("status_check", 1, "police_refer_to_high_harm_team", {}, "2016-01-05T18:30:00Z")
    assert _queue(builder, "high_harm_team") == [
        ("status_check#1", "WMP", "Status check #1: High Harm, referred by the police")
    ]
    builder.act("leave", 0, "record_leave",
                {"leave_type": "visitor", "valid_from": "2014-01-01", "valid_to": "2014-07-01"},
                "2016-01-06T09:00:00Z", IO)  # fmt: skip
    builder.act("leave", 0, "record_overstay", {}, "2016-01-06T09:05:00Z", IO)
    builder.act("removal", 0, "serve_removal_papers", {"basis": "overstayer"}, "2016-01-06", IO)
    assert _queue(builder, "high_harm_team") == []
