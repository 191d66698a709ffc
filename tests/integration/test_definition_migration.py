"""Moving cases to a new definition version (issue 16 item 5), end to end through the service.

A version 2 of the case file adds an action (``archive_case``).  Today a version-1 case asked
for it is refused cleanly; a dry run lists what would differ and writes no event; the migration
records one event per instance; then the new action works, and verify and rebuild agree with
the log.  Versions that rename a state, drop one with no mapping, or would refuse a recorded
step are planned as such.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from casetracker.adapters import flow_model
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.domain.engine import WorkflowEngine
from casetracker.domain.errors import NotPermitted, Refused, UsageError
from casetracker.domain.vocabulary import ActionSpec, Role, StateSpec, WorkflowSpec
from casetracker.presenters.timeline import build_timeline, timeline_lines
from casetracker.services.cases import Casetracker
from casetracker.services.definition_migration import migrate
from tests.helpers import new_service
from workflows import case_file

V1 = case_file.DEFINITION
ARCHIVE = ActionSpec("archive_case", "Archive", ("closed",), "archived", (Role.ADMIN,))
V2 = replace(
    V1,
    version=2,
    states=(*V1.states, StateSpec("archived", "Archived", terminal=True)),
    actions=(*V1.actions, ARCHIVE),
)


def _renamed(version: int, renamed: dict[str, str]) -> WorkflowSpec:
    """Version ``version``: 'closed' is called 'concluded' (mapped when ``renamed``)."""
    states = tuple(
        StateSpec("concluded", "Concluded") if s.name == "closed" else s for s in V1.states
    )
    actions = tuple(
        replace(
            a,
            sources=tuple("concluded" if s == "closed" else s for s in a.sources),
            dest="concluded" if a.dest == "closed" else a.dest,
        )
        for a in V1.actions
    )
    return replace(V1, version=version, states=states, actions=actions, renamed=renamed)


def _closed_case(url: str) -> str:
    ct = new_service(url, role="admin")
    case_id = ct.open_case({"name": "Versioned Person (synthetic)", "force": "MPS"}).case_id
    ct.act(case_id, "close_case", {"reason": "no further action (synthetic)"}, "2016-06-24")
    ct.close()
    return case_id


def _service(url: str, *specs: WorkflowSpec, role: str = "admin") -> Casetracker:
    return Casetracker(url, role=role, workflows=WorkflowEngine([V1, *specs]))


def test_a_v2_action_works_on_a_v1_case_once_it_is_migrated(sqlite_url):
    case_id = _closed_case(sqlite_url)
    ct = _service(sqlite_url, V2)
    with pytest.raises(Refused, match="version 1 of its lifecycle, which has no action"):
        ct.act(case_id, "archive_case", {}, "2016-06-25")

    planned = migrate(ct, "case", 2, [case_id], dry_run=True)
    assert [(p.case_id, p.movable, p.moved) for p in planned] == [(case_id, True, False)]
    (only,) = planned[0].instances
    assert (only.key, only.from_version, only.to_version, only.new_state) == (
        "case",
        1,
        2,
        "closed",
    )
    assert only.differences == ()
    assert [e.action for e in ct.store.read_case(case_id)][-1] == "close_case"  # nothing written

    done = migrate(ct, "case", 2, [case_id], dry_run=False)
    assert done[0].moved
    last = ct.store.read_case(case_id)[-1]
    assert (last.action, last.workflow_version, last.actor_role) == (
        "migrate_definition",
        2,
        "admin",
    )
    assert last.data["fields"]["migrated_from_version"] == 1

    result = ct.act(case_id, "archive_case", {}, "2016-06-25")
    assert result.state == "archived" and result.events[-1].workflow_version == 2
    assert ct.verify().ok
    history = ct.history(case_id)  # read back, drawn as a timeline, replayed as of a date
    assert timeline_lines(build_timeline(history))
    assert ct.options(case_id)[1]
    assert ct.replay(case_id, as_of="2030-01-01") is not None
    ct.rebuild()
    assert ct.show(case_id).states["case"] == "archived"
    again = migrate(ct, "case", 2, [case_id], dry_run=False)  # nothing left on version 1
    assert again[0].instances == [] and not again[0].moved
    ct.close()


def test_the_process_map_labels_each_step_by_the_version_it_was_recorded_under(sqlite_url):
    """A case's process-map rows from its folded view (``flow_model.rows_for``, and ``change``
    growing them after an action) labelled every step by the version its instance is on now,
    while the rows from the log's stored columns (``fill``, as ``flow_from_log``) label each by
    its event's own: once the case moved to version 2 the two disagreed on its earlier steps.
    Both label each step by its own version."""
    case_id = _closed_case(sqlite_url)
    ct = _service(sqlite_url, V2)
    kept = ct.flow.fold(case_id, ct.store.read_case(case_id))  # on version 1, as an action kept it
    with write_transaction(ct.engine) as conn:
        traces = flow_model.change(conn, kept, None)
    migrate(ct, "case", 2, [case_id], dry_run=False)
    ct.act(case_id, "archive_case", {})  # now: after every step, so the traces grow
    view = ct.replay(case_id)[0]
    derived = sorted(flow_model.rows_for(view))
    assert flow_model.catch_up(ct.engine)  # SQLite: the rows from the stored columns
    with read_transaction(ct.engine) as conn:
        query = "SELECT * FROM flow_steps WHERE case_id = ?"
        filled = sorted(tuple(r) for r in conn.exec_driver_sql(query, (case_id,)).fetchall())
    assert derived == filled
    labels = {r[5] for r in derived if r[1] == flow_model.CASE_TRACE}
    for action in ("open_case", "close_case"):  # version 1's labels, which version 2 lacks
        assert flow_model.label_of("case", 1, action) in labels
        assert flow_model.label_of("case", 2, action) not in labels
    later = [e for e in ct.store.read_case(case_id) if e.seq > kept.version]
    assert [e.action for e in later] == ["migrate_definition", "archive_case"]
    ct.flow.fold_into(kept, later)  # grown by the move and the new action, as an action's view
    assert traces.extend(kept) is not None
    assert sorted(traces.rows()) == derived


def test_a_state_that_no_longer_exists_is_moved_by_its_mapping(sqlite_url):
    case_id = _closed_case(sqlite_url)
    ct = _service(sqlite_url, _renamed(2, {"closed": "concluded"}))
    (plan,) = migrate(ct, "case", 2, [case_id], dry_run=True)
    assert plan.instances[0].differences == ("state closed becomes concluded",)
    assert plan.instances[0].new_state == "concluded"
    migrate(ct, "case", 2, [case_id], dry_run=False)
    assert ct.show(case_id).states["case"] == "concluded"
    assert ct.verify().ok
    ct.close()


def test_a_state_with_no_place_in_the_new_version_is_not_moved(sqlite_url):
    case_id = _closed_case(sqlite_url)
    ct = _service(sqlite_url, _renamed(2, {}))
    before = ct.store.read_case(case_id)
    (plan,) = migrate(ct, "case", 2, [case_id], dry_run=False)
    assert not plan.movable and not plan.moved
    assert any("does not exist in version 2" in d for d in plan.instances[0].differences)
    assert ct.store.read_case(case_id) == before
    ct.close()


def test_a_recorded_step_the_new_rules_would_refuse_is_listed(sqlite_url):
    case_id = _closed_case(sqlite_url)
    stricter = replace(
        V2,
        states=(*V2.states, StateSpec("reviewed", "Reviewed")),
        actions=tuple(
            replace(a, sources=("reviewed",)) if a.name == "close_case" else a for a in V2.actions
        ),
    )
    ct = _service(sqlite_url, stricter)
    (plan,) = migrate(ct, "case", 2, [case_id], dry_run=True)
    differences = plan.instances[0].differences
    assert "event 2: close_case from open — version 2 would refuse it (it needs reviewed)" in (
        differences
    )
    assert "replayed under version 2 the record would be open, not closed" in differences
    ct.close()


def test_refusals_are_clean_and_write_nothing(sqlite_url):
    case_id = _closed_case(sqlite_url)
    ct = _service(sqlite_url, V2)
    before = ct.store.read_case(case_id)
    with pytest.raises(UsageError, match="case has no version 3"):
        migrate(ct, "case", 3, [case_id], dry_run=False)
    with pytest.raises(UsageError, match="no lifecycle 'nope'"):
        migrate(ct, "nope", 2, [case_id], dry_run=False)
    with pytest.raises(Refused):
        migrate(ct, "case", 2, ["C-0999999"], dry_run=False)
    ct.close()
    police = _service(sqlite_url, V2, role="police")
    with pytest.raises(NotPermitted, match="only: admin"):
        migrate(police, "case", 2, [case_id], dry_run=False)
    police.close()
    ct = _service(sqlite_url, V2)
    assert ct.store.read_case(case_id) == before
    ct.close()
