"""The keys that work items (``c`` claim, ``a`` act on marked) are dimmed in audit mode's list of
all cases, where they can do nothing, and pressing one says why (they were shown live and did
nothing, without a word); in a queue of work they are live."""

from __future__ import annotations

from tests.tui.conftest import is_screen, run_async, settle
from tui.app import CasetrackerApp
from tui.widgets.key_bar import KeyBar

SIZE = (120, 40)


def _bar(app) -> dict[str, bool]:
    return {i.key: i.enabled for i in app.screen.query_one(KeyBar).collect()[0]}


@run_async
async def test_claim_and_act_on_marked_are_dimmed_in_audit_mode_and_say_why(demo_url):
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: is_screen(app, "WorklistScreen")() and bool(app.screen.items))
        assert app.current_mode == "audit"
        bar = _bar(app)
        assert bar.get("c") is False and bar.get("a") is False, bar
        for key in ("c", "a", "space"):
            told = len(app.notices)
            await pilot.press(key)
            await settle(pilot)
            assert type(app.screen).__name__ == "WorklistScreen"
            assert [n.message for n in app.notices[told:]] == [
                "audit mode is read-only: claim and act on cases in work mode (F2)"
            ]


@run_async
async def test_claim_is_live_in_a_queue_of_work(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: is_screen(app, "WorklistScreen")() and bool(app.screen.items))
        bar = _bar(app)
        assert bar.get("c") is True and bar.get("a") is True, bar
