"""``/`` filters the worklist as the user types: once typing pauses, in a worker thread, and a
reply to an older filter never replaces a newer one."""

from __future__ import annotations

import threading

from textual.widgets import Input

from casetracker.adapters import worklist
from casetracker.adapters.database import make_engine
from tests.tui.conftest import run_async, screen_text, settle
from tui.app import CasetrackerApp
from tui.messages import Loaded
from tui.screens import worklist as worklist_screen
from tui.screens.worklist import WorklistScreen

SIZE = (120, 40)


def spy_on_fetches(monkeypatch) -> list[tuple[str, str]]:
    """Record each worklist query (its filter, and the thread it ran in)."""
    calls: list[tuple[str, str]] = []
    real = WorklistScreen._fetch

    def fetch(engine, queue, text, limit):
        calls.append((text, threading.current_thread().name))
        return real(engine, queue, text, limit)

    monkeypatch.setattr(WorklistScreen, "_fetch", staticmethod(fetch))
    return calls


def shows(screen: WorklistScreen, force: str) -> bool:
    """The list is filtered on ``force`` and shows only that force's cases."""
    return (
        screen.filter_text == force
        and bool(screen.items)
        and all(i.force == force.upper() for i in screen.items)
    )


async def custody(pilot) -> tuple[WorklistScreen, str, str]:
    """An immigration officer's first queue (offenders in police custody, every force's: a
    police user sees only their own force's), and two of the forces in it (lower case, as
    typed)."""
    app = pilot.app
    await settle(
        pilot, lambda: type(app.screen).__name__ == "WorklistScreen" and bool(app.screen.items)
    )
    forces = sorted({i.force.lower() for i in app.screen.items})
    assert len(forces) >= 2, "the demo's offenders in custody should be in more than one force"
    return app.screen, forces[0], forces[1]


@run_async
async def test_typing_filters_without_enter(demo_url, monkeypatch):
    calls = spy_on_fetches(monkeypatch)
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        screen, force, _ = await custody(pilot)
        everything = len(screen.items)
        await pilot.press("slash", *force)
        await settle(pilot, lambda: shows(screen, force))
        box = screen.query_one("#filter", Input)
        assert box.has_focus and box.value == force  # still typing: no enter was pressed
        engine = make_engine(demo_url)
        expected = worklist.page(engine, "offender_custody", force)
        engine.dispose()
        assert [i.case_id for i in screen.items] == [i.case_id for i in expected]
        assert 0 < len(screen.items) < everything
        assert f"matching “{force}”" in screen_text(app)
        assert all(thread != threading.main_thread().name for _, thread in calls)
        await pilot.press("escape")
        await settle(pilot, lambda: screen.filter_text == "" and len(screen.items) == everything)
        assert not box.display
        assert screen.focused is screen.query_one("#worklist")  # back on the list, not the tabs
        await pilot.press("enter")
        await settle(pilot, lambda: type(app.screen).__name__ == "CaseScreen")


@run_async
async def test_one_query_per_pause_in_typing(demo_url, monkeypatch):
    calls = spy_on_fetches(monkeypatch)
    monkeypatch.setattr(worklist_screen, "FILTER_DELAY", 1.5)  # longer than three key presses
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        screen, force, _ = await custody(pilot)
        before = len(calls)
        await pilot.press("slash", *force)
        assert len(calls) == before and screen.filter_text == ""  # not yet: still typing
        await settle(pilot, lambda: shows(screen, force))
        assert [text for text, _ in calls[before:]] == [force]


@run_async
async def test_a_reply_to_an_older_filter_is_dropped(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        screen, force, other = await custody(pilot)
        await pilot.press("slash", *force, "enter")
        await settle(pilot, lambda: shows(screen, force))
        assert screen.focused is screen.query_one("#worklist")
        shown = [i.case_id for i in screen.items]
        engine = make_engine(demo_url)
        stale = worklist.page(engine, "offender_custody", other)
        engine.dispose()
        screen.post_message(Loaded("worklist", ("offender_custody", other, stale, len(stale))))
        await settle(pilot)
        assert [i.case_id for i in screen.items] == shown and shows(screen, force)
