"""The key of the mode one is in goes back to its first screen: F2 on a case in work mode is
the worklist again (it did nothing, and the number key pressed next, meaning a queue, took the
case's action of that number), F3 on a case's history in audit mode the list of all cases."""

from __future__ import annotations

from tests.tui.conftest import is_screen, run_async, settle
from tests.tui.test_journeys import case_ready, open_first_row
from tui.app import CasetrackerApp

SIZE = (120, 40)


@run_async
async def test_f2_on_a_case_in_work_mode_returns_to_the_worklist(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await open_first_row(pilot)
        await pilot.press("f2")
        await settle(pilot, is_screen(app, "WorklistScreen"))
        assert len(app.screen_stack) == 1
        await pilot.press("1")  # the first queue, not the case's first action
        await settle(pilot)
        assert type(app.screen).__name__ == "WorklistScreen"
        assert app.screen.queue is app.screen.queues[0]


@run_async
async def test_f2_leaves_an_open_form_alone(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await open_first_row(pilot)
        await pilot.press("1")
        await settle(pilot, is_screen(app, "ActionFormScreen"))
        await pilot.press("f2")
        await settle(pilot)
        assert type(app.screen).__name__ == "ActionFormScreen"  # nothing typed is dropped
        await pilot.press("escape")
        await settle(pilot, lambda: case_ready(app))


@run_async
async def test_f3_on_a_history_in_audit_mode_returns_to_all_cases(demo_url):
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: is_screen(app, "WorklistScreen")() and bool(app.screen.items))
        await pilot.press("enter")
        await settle(pilot, is_screen(app, "AuditScreen"))
        await pilot.press("f3")
        await settle(pilot, is_screen(app, "WorklistScreen"))
        assert app.current_mode == "audit" and len(app.screen_stack) == 1
