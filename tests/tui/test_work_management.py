"""Owners, bulk work and work that arrives unasked, on the worklist screen (issue 16).

Every wait is on a condition (``settle``): new work is written by another service while the
screen is open, and the test waits until the screen shows it, never for a length of time.
"""

from __future__ import annotations

import json
import re
from contextlib import closing

import pytest
from textual.widgets import Input

from casetracker.services import work
from casetracker.services.cases import Casetracker
from tests.tui.conftest import run_async, screen_text, settle
from tests.tui.test_journeys import SIZE, case_ready, choose
from tui.app import CasetrackerApp
from tui.screens import worklist as worklist_screen

QUEUE = "offender_custody"


@pytest.fixture(autouse=True)
def _quick_polls(monkeypatch) -> None:
    """Ask the change feed often, so that the conditions below come soon (not a wait)."""
    monkeypatch.setattr(worklist_screen, "POLL_SECONDS", 0.05)


async def _worklist(pilot) -> None:
    app = pilot.app
    await settle(
        pilot, lambda: type(app.screen).__name__ == "WorklistScreen" and bool(app.screen.items)
    )


def _held(app, case_id: str) -> str:
    return next(i.owner for i in app.screen.items if i.case_id == case_id)


@run_async
async def test_work_recorded_elsewhere_shows_without_a_key_press(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await _worklist(pilot)
        first = app.screen.items[0]
        assert "held by" not in screen_text(app)
        with closing(Casetracker(demo_url, as_user="admin.demo")) as admin:
            work.reassign(admin, first.case_id, QUEUE, first.item, "cw.demo")
        await settle(pilot, lambda: _held(app, first.case_id) == "cw.demo")
        assert "held by cw.demo" in screen_text(app)


@run_async
async def test_claim_shows_in_my_work_and_releases(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await _worklist(pilot)
        first = app.screen.items[0]
        await pilot.press("c")
        await settle(pilot, lambda: _held(app, first.case_id) == "io.demo")
        app.screen.action_pick(len(app.screen.queues) - 1)  # "My work" is the last tab
        await settle(pilot, lambda: app.screen.queue.name == "mine" and bool(app.screen.items))
        assert [(i.case_id, i.queue) for i in app.screen.items] == [(first.case_id, QUEUE)]
        await pilot.press("c")  # it is mine: c gives it back
        await settle(pilot, lambda: app.screen.items == [])


@run_async
async def test_one_action_on_marked_cases_each_checked_on_its_own(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await _worklist(pilot)
        cases = [i.case_id for i in app.screen.items[:2]]
        await pilot.press("space", "down", "space")
        assert app.screen.marked == {f"{i.case_id}/{i.item}" for i in app.screen.items[:2]}
        assert screen_text(app).count("✓") == 2
        await pilot.press("a")
        await settle(pilot, lambda: type(app.screen).__name__ == "CommandPalette")
        offered = [title for title, _, _ in app.screen_stack[-2].bulk_commands()]
        assert offered and not any("Take no further action" in t for t in offered), offered
        await pilot.press("escape")
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        # What the palette offers may be refused by the time it is recorded (another user
        # acts first): each case is still checked on its own, as with one it never offered.
        app.screen.bulk_form(cases, "take_no_further_action")
        await settle(pilot, lambda: type(app.screen).__name__ == "ActionFormScreen")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: type(app.screen).__name__ == "BlockedScreen")
        shown = screen_text(app)
        assert "Not recorded on 2 cases" in shown
        assert all(case_id in shown for case_id in cases)
        assert "may not take no further action" in shown  # each case its own reason
    for case_id in cases:
        with closing(Casetracker(demo_url, as_user="audit.demo")) as reader:
            actions = [e.action for e in reader.history(case_id)]
        assert "take_no_further_action" not in actions


@run_async
async def test_acting_on_an_item_someone_else_holds_asks_first(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await _worklist(pilot)
        first = app.screen.items[0]
        with closing(Casetracker(demo_url, as_user="admin.demo")) as admin:
            work.reassign(admin, first.case_id, QUEUE, first.item, "cw.demo")
        await settle(pilot, lambda: _held(app, first.case_id) == "cw.demo")
        await pilot.press("enter")
        await settle(pilot, lambda: case_ready(app))
        await choose(pilot, "record_seen_by_io")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert "held by cw.demo" in screen_text(app)
        await pilot.press("y")
        await settle(pilot, lambda: type(app.screen).__name__ == "ResultScreen")
        event = app.screen.result.events[-1]
        assert event.action == "record_seen_by_io"
        assert json.loads(event.payload)["held_by"] == [{"owner": "cw.demo", "queue": QUEUE}]


@run_async
async def test_a_supervisor_sees_every_queue_and_reassigns(demo_url):
    with closing(Casetracker(demo_url, as_user="admin.demo")) as admin:
        admin.save_user("sup.demo", "Sam Demo (supervisor)", ("supervisor",))
    app = CasetrackerApp(demo_url, as_user="sup.demo")
    async with app.run_test(size=SIZE) as pilot:
        await _worklist(pilot)
        assert app.screen.queue.name == "status_check"  # every queue, in their order
        app.screen.action_pick(next(i for i, q in enumerate(app.screen.queues) if q.name == QUEUE))
        await settle(pilot, lambda: app.screen.queue.name == QUEUE and bool(app.screen.items))
        first = app.screen.items[0]
        await pilot.press("R")
        await settle(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        app.screen.query_one("#prompt", Input).value = "io.demo"
        await pilot.press("enter")
        await settle(pilot, lambda: _held(app, first.case_id) == "io.demo")


@run_async
async def test_the_last_column_shows_the_deadline_the_queue_is_ordered_by(demo_url):
    """A custody queue counts down the PACE clock, but is ordered by each item's nearest
    deadline (an IO's last shift may come first): without that column the list looked out of
    order to a new user (PACE left 13 h, then 7 h)."""
    from tui.widgets.work_table import WorkTable, next_deadline

    app = CasetrackerApp(demo_url, as_user="pc.demo")
    async with app.run_test(size=SIZE) as pilot:
        await _worklist(pilot)
        items = app.screen.items
        deadlines = [i.deadline for i in items]
        assert deadlines == sorted(deadlines) and len(set(deadlines)) > 1
        assert any(i.deadline != i.due for i in items)  # so the first column alone misleads
        table = app.screen.query_one(WorkTable)
        assert "next deadline" in screen_text(app)
        for row, item in enumerate(items[: table.row_count]):
            # the minutes shown may have ticked on since the row was drawn: compare within one
            shown = re.search(r"in (?:(\d+) h )?(\d+) min$", table.row_text(row).rstrip())
            assert shown is not None, table.row_text(row)
            minutes = int(shown[1] or 0) * 60 + int(shown[2])
            expected = re.search(r"in (?:(\d+) h )?(\d+) min$", next_deadline(item).plain)
            assert expected is not None
            assert abs(int(expected[1] or 0) * 60 + int(expected[2]) - minutes) <= 1


@run_async
async def test_at_80_columns_the_next_deadline_stays_on_screen_in_short(demo_url):
    """At 80 columns the column the queue is ordered by had been left out, so the IO's
    custody queue (PACE left 4 h, 10 h, ...) gave no sign why it was in that order: it is
    kept, its times written short ("ext. PACE in 2h24") and the item's words cut instead."""
    from casetracker.presenters.labels import deadline_label
    from tui.widgets.work_table import WorkTable

    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        await _worklist(pilot)
        items = app.screen.items
        table = app.screen.query_one(WorkTable)
        assert "next deadline" in screen_text(app)
        assert table.row_count == len(items) > 1
        for row, item in enumerate(items):
            shown = table.row_text(row).rstrip()
            label = re.escape(deadline_label(item.deadline_kind, short=True))
            assert re.search(rf"{label} in \d+h\d\d$", shown), shown
            assert len(shown) <= 80


@run_async
async def test_the_next_deadline_says_which_clock_runs_out(demo_url):
    """The column said when, not what: a PACE limit, an IO's last shift before a likely release
    or the point to ask for an extension each call for different work, so each row names the
    kind of its item's nearest deadline (a status check's is its arrest's)."""
    from casetracker.adapters.organisation_file import configured
    from casetracker.domain.deadlines import to_do
    from casetracker.presenters.labels import deadline_label
    from tui.widgets.work_table import WorkTable

    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await _worklist(pilot)
        app.screen.action_pick(next(i for i, q in enumerate(app.screen.queues) if q.name == QUEUE))
        await settle(pilot, lambda: app.screen.queue.name == QUEUE and bool(app.screen.items))
        items = app.screen.items
        table = app.screen.query_one(WorkTable)
        with closing(Casetracker(demo_url, as_user="audit.demo")) as auditor:
            for row, item in enumerate(items[: table.row_count]):
                view = auditor.replay(item.case_id)[0]
                nearest = next(d for d in to_do(view, configured()) if d.item == item.item)
                assert item.deadline_kind == nearest.kind, item
                shown = table.row_text(row).rstrip()
                assert re.search(
                    rf"{re.escape(deadline_label(nearest.kind))} in [\d hmin]+$", shown
                )
        assert table.row_count
