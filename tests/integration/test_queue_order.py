"""Queues open on what can still be acted on: a status check referred while its person is in
custody falls due with that arrest's deadline (PACE, an IO before release), and the list of
every case shows the last changed first."""

from __future__ import annotations

from contextlib import closing
from datetime import UTC, datetime

import sqlalchemy as sa

from casetracker.adapters import worklist
from casetracker.adapters.organisation_file import configured
from casetracker.domain import clock
from casetracker.domain.deadlines import outstanding
from casetracker.domain.queues import ALL_CASES, NEVER
from casetracker.services.cases import Casetracker
from casetracker.services.demo import build_demo

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_referred_checks_fall_due_with_their_arrest_and_cases_list_by_change(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    clock.set_clock(lambda: NOW)
    try:
        build_demo(url, 60)
        with closing(Casetracker(url, as_user="audit.demo")) as auditor:
            joc = worklist.page(auditor.engine, "joc")
            assert joc, "the demo refers some checks to the JOC"
            in_custody = 0
            for row in joc:
                view = auditor.replay(row.case_id)[0]
                check = view.instances[row.item]
                arrest = f"encounter#{check.fields['encounter']}"
                found = outstanding(view, configured())
                due = sorted(d.due_text for d in found if d.item == arrest)
                assert row.deadline == (due[0] if due else NEVER), row
                in_custody += bool(due)
            assert in_custody, "some referred person is still in custody"
            assert [r.deadline for r in joc] == sorted(r.deadline for r in joc)
            assert joc[0].deadline != NEVER  # not Figure 1's checks of 2013
            assert joc[0].case_id != "C-0000001"

            listed = worklist.page(auditor.engine, ALL_CASES.name)
            with auditor.engine.connect() as conn:
                changed = conn.execute(
                    sa.text(
                        "SELECT case_id, updated FROM cases ORDER BY updated DESC, case_id DESC"
                    )
                ).all()
            assert [(r.case_id, r.due) for r in listed] == [tuple(c) for c in changed]
            assert listed[0].due > listed[-1].due
    finally:
        clock.set_clock(None)
