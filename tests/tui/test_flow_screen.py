"""The process map in the reports mode (issue 19): opened with ``m``, drawn from the same graph
as ``casetracker report flow``, busiest paths heavier and the slowest waits marked."""

from __future__ import annotations

from casetracker.adapters.database import DAMAGE_MARKER, sqlite_path
from casetracker.presenters.flow_diagram import map_lines
from casetracker.services.flow import FROM_LOG
from tests.tui.conftest import is_screen, run_async, screen_text, settle, words
from tui.app import CasetrackerApp


def _showing_map(app) -> bool:
    screen = app.screen
    return type(screen).__name__ == "FlowScreen" and screen.graph is not None


async def _open_map(app, pilot) -> None:
    """From the worklist to the reports mode (F5), then its process map (``m``)."""
    await settle(pilot, is_screen(app, "WorklistScreen"))
    await pilot.press("f5")
    await settle(pilot, is_screen(app, "ReportsScreen"))
    await pilot.press("m")
    await settle(pilot, lambda: _showing_map(app))


@run_async
async def test_the_map_opens_from_reports_and_follows_a_lifecycle(demo_url):
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_map(app, pilot)
        screen = app.screen
        screen.year = None  # the demo's cases span several years: the whole log
        screen.load()
        await settle(pilot, lambda: _showing_map(app) and screen.graph.traces > 0)
        graph = screen.graph
        text = screen_text(app)
        assert graph.title in text and "each case" in graph.title
        first, style = map_lines(graph, 120)[0]
        assert first.split("▶")[1].strip()[:40] in text and style.startswith("bold")
        assert "⏳" in text  # the slowest waits are marked
        await pilot.press("l")
        await settle(pilot, lambda: "encounter" in screen.graph.title)
        assert "each encounter instance" in screen_text(app)


@run_async
async def test_a_map_that_cannot_be_caught_up_says_it_was_computed_from_the_log(demo_url):
    """A damaged file refuses every write, the flow table's catch-up too: the map is then
    computed from the log, and the screen says so rather than showing it as usual."""
    database = sqlite_path(demo_url)
    database.with_name(database.name + DAMAGE_MARKER).write_text("found by a test\n")
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_map(app, pilot)
        assert app.screen.graph.from_log == FROM_LOG
        assert words(" ".join(FROM_LOG.split()[:6])) in words(screen_text(app))
