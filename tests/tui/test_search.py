"""The TUI's search screen (issue 16 item 4): opened from the worklist's palette entry, it
finds a case by its person's name through the service (logged with the reason), and enter opens
it; a search without a reason is refused on the form, in the command line's words.  And a
four-eyes proposal authorised from its queue (item 3).  Waits are on conditions only."""

from __future__ import annotations

from contextlib import closing

from textual.widgets import DataTable, Input, Static

from casetracker.services import four_eyes
from casetracker.services.cases import Casetracker
from tests.tui.conftest import run_async, settle
from tests.tui.test_journeys import SIZE, case_ready
from tui.app import CasetrackerApp
from tui.widgets.work_table import WorkTable


def _name_of(url: str, case_id: str) -> str:
    with closing(Casetracker(url, as_user="io.demo")) as ct:
        subject = ct.show(case_id, reason="test set-up").subject
    assert subject is not None
    return str(subject["name"])


@run_async
async def test_a_case_found_by_name_opens(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(
            pilot, lambda: type(app.screen).__name__ == "WorklistScreen" and bool(app.screen.items)
        )
        wanted = app.screen.items[0].case_id
        name = _name_of(demo_url, wanted)
        entry = next(c for c in app.screen.commands() if c[0] == "case: search…")
        entry[1]()
        await settle(pilot, lambda: type(app.screen).__name__ == "SearchScreen")
        form = app.screen
        form.query_one("#s-name", Input).value = name
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: "reason" in str(form.query_one("#s-status", Static).render()))
        assert form.query_one("#s-results", DataTable).row_count == 0
        form.query_one("#s-reason", Input).value = "identity check"
        await pilot.press("ctrl+s")
        table = form.query_one("#s-results", DataTable)
        await settle(pilot, lambda: table.row_count > 0)
        keys = [str(k.value) for k in table.rows]
        assert wanted in keys
        table.move_cursor(row=keys.index(wanted))
        await pilot.press("enter")
        await settle(pilot, lambda: case_ready(app))
        assert app.screen.case_id == wanted
    with closing(Casetracker(demo_url, as_user="audit.demo")) as ct:
        searches = [e for e in ct.access_entries(None, 500) if e.action == "search"]
    assert [(e.user, e.justification != "") for e in searches] == [("io.demo", True)]


@run_async
async def test_a_proposal_is_authorised_from_its_queue(demo_url):
    """Four eyes in the TUI (issue 16 item 3): another Home Office user's proposal, in the queue
    of proposals, authorised from the palette; the detention is recorded as theirs."""
    with closing(Casetracker(demo_url, as_user="io.demo")) as ct:
        case_id = ct.open_case({"name": "Pat Example (synthetic)", "force": "MPS"}).case_id
        four_eyes.propose(ct, case_id, "detain_under_immigration_powers")
    app = CasetrackerApp(demo_url, as_user="cw.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        screen = app.screen
        index = next(i for i, q in enumerate(screen.queues) if q.name == "authorise_home_office")
        screen.action_pick(index)
        await settle(
            pilot,
            lambda: (
                screen.queue.name == "authorise_home_office"
                and any(i.case_id == case_id for i in screen.items)
            ),
        )
        row = next(n for n, i in enumerate(screen.items) if i.case_id == case_id)
        screen.query_one(WorkTable).move_cursor(row=row)
        entry = next(c for c in screen.commands() if c[0] == "case: authorise proposal")
        entry[1]()
        await settle(pilot, lambda: not any(i.case_id == case_id for i in screen.items))
    with closing(Casetracker(demo_url, as_user="cw.demo")) as ct:
        last = ct.store.read_case(case_id)[-2:]
    assert [(e.action, e.actor_user) for e in last] == [
        ("authorise_proposal", "cw.demo"),
        ("detain_under_immigration_powers", "cw.demo"),
    ]
