"""The TUI's search screen (issue 16 item 4): opened from the worklist's palette entry, it finds a
case by its person's name through the service (logged with the reason), and enter opens it; a
search without a reason is refused on the form, in the command line's words.  Waits are on
conditions only."""

from __future__ import annotations

from contextlib import closing

from textual.widgets import DataTable, Input, Static

from casetracker.services.cases import Casetracker
from tests.tui.conftest import run_async, settle
from tests.tui.test_journeys import SIZE, case_ready
from tui.app import CasetrackerApp


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
