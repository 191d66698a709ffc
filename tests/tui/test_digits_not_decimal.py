"""The TUI's prompts given text that ``str.isdigit`` calls digits and ``int`` cannot read
(``²``): the case id of "Open case…" and a report's year had been passed to ``int`` and the app
stopped with a traceback (the command line's side: tests/security/test_digits_not_decimal.py)."""

from __future__ import annotations

from textual.widgets import Input

from tests.tui.conftest import run_async, settle
from tui.app import CasetrackerApp


async def _answer(pilot, key: str, text: str) -> None:
    await pilot.press(key)
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "PromptScreen")
    pilot.app.screen.query_one("#prompt", Input).value = text
    await pilot.press("enter")
    await settle(pilot)


@run_async
async def test_the_tui_takes_a_superscript_case_id_without_stopping(demo_url):
    app = CasetrackerApp(demo_url, as_user="pc.demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        await _answer(pilot, "o", "²")
        assert type(app.screen).__name__ == "WorklistScreen" and app.return_value is None


@run_async
async def test_the_tui_takes_a_superscript_report_year_without_stopping(demo_url):
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        await pilot.press("f5")
        await settle(pilot, lambda: type(app.screen).__name__ == "ReportsScreen")
        await _answer(pilot, "y", "²")
        assert type(app.screen).__name__ == "ReportsScreen" and app.return_value is None
