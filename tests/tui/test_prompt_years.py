"""A report's or the process map's year typed too large for the database (``99999999999999999999``):
the TUI had passed it to the query and the app stopped with an ``OverflowError``; a year outside
1..9999, as the command line's ``--year`` takes, is not taken."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.tui.conftest import run_async, settle
from tui.app import CasetrackerApp

HUGE = "9" * 23


async def _answer(pilot, text: str) -> None:
    await pilot.press("y")
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "PromptScreen")
    pilot.app.screen.query_one("#prompt", Input).value = text
    await pilot.press("enter")
    await settle(pilot)


@pytest.mark.parametrize("year", [HUGE, "0", "10000"])
@run_async
async def test_a_report_year_past_the_years_is_not_taken(demo_url, year):
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        await pilot.press("f5")
        await settle(pilot, lambda: type(app.screen).__name__ == "ReportsScreen")
        before = app.screen.year
        await _answer(pilot, year)
        assert type(app.screen).__name__ == "ReportsScreen" and app.return_value is None
        assert app.screen.year == before
        await pilot.press("m")
        await settle(pilot, lambda: type(app.screen).__name__ == "FlowScreen")
        await _answer(pilot, HUGE)
        assert type(app.screen).__name__ == "FlowScreen" and app.return_value is None
