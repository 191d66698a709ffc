"""The case screen is kept and reused from case to case (opening one is then fast): nothing of
the last case may show through, its first paint is its final one, and on a narrow terminal the
case and its actions take turns on the screen."""

from __future__ import annotations

import asyncio

from textual import events

from tests.tui.conftest import run_async, screen_text, settle
from tests.tui.test_journeys import case_ready
from tui.app import CasetrackerApp
from tui.messages import Loaded
from tui.widgets.action_list import SLOT_KEYS, ActionList
from tui.widgets.key_bar import KeyBar
from tui.widgets.timeline import Timeline

SIZE = (120, 40)


async def worklist(pilot):
    app = pilot.app
    await settle(
        pilot, lambda: type(app.screen).__name__ == "WorklistScreen" and bool(app.screen.items)
    )
    return app.screen


async def open_row(pilot, row: int):
    screen = await worklist(pilot)
    screen.query_one("#worklist").move_cursor(row=row)
    case_id = screen.items[row].case_id
    await pilot.press("enter")
    await settle(pilot, lambda: case_ready(pilot.app) and pilot.app.screen.case_id == case_id)
    return pilot.app.screen


@run_async
async def test_the_next_case_shows_nothing_of_the_last(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        first = await open_row(pilot, 0)
        await pilot.press("s")
        await settle(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        await pilot.press(*"identity check", "enter")
        await settle(pilot, lambda: app.screen is first and first.subject is not None)
        assert "Synthland" in screen_text(app)  # the value may wrap in a narrow column
        first.query_one(ActionList).move_cursor(row=3)
        await pilot.press("escape")
        second = await open_row(pilot, 1)
        assert second is first  # the same screen, shown again
        assert second.subject is None
        text = screen_text(app)
        assert second.case_id in text and "personal data withheld" in text
        assert "Synthland" not in text
        assert second.query_one(Timeline).row_count == len(second.summary.events)
        assert second.query_one(ActionList).cursor_row == 0
        assert second.query_one(ActionList).has_focus
        keys = {i.key for i in second.query_one(KeyBar).items}
        allowed = [str(n + 1) for n, o in enumerate(second.shown[:9]) if o.allowed]
        assert set(allowed) <= keys


@run_async
async def test_the_first_paint_of_a_case_is_its_last(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await open_row(pilot, 0)
        await pilot.press("escape")
        screen = await worklist(pilot)
        screen.query_one("#worklist").move_cursor(row=1)
        wanted = screen.items[1].case_id
        await pilot.pause()
        app.post_message(events.Key("enter", "\r"))  # no waiting for the app to fall idle
        while not (case_ready(app) and app.screen.case_id == wanted):
            await asyncio.sleep(0.001)
        painted = asyncio.Event()
        app.call_after_refresh(painted.set)
        await painted.wait()
        first = screen_text(app)
        await settle(pilot)
        assert first == screen_text(app)
        assert wanted in first


@run_async
async def test_a_reply_for_the_last_case_is_dropped(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        first = await open_row(pilot, 0)
        old = (first.summary, first.view, first.options)
        old_epoch = first.epoch
        await pilot.press("escape")
        second = await open_row(pilot, 1)
        second.post_message(Loaded("case", old, old_epoch))
        await settle(pilot)
        assert second.summary.case_id == second.case_id != old[0].case_id
        assert old[0].case_id not in screen_text(app)


@run_async
async def test_at_80_columns_the_case_and_its_actions_take_turns(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_row(pilot, 0)
        timeline, actions = screen.query_one(Timeline), screen.query_one(ActionList)
        assert timeline.has_focus and timeline.display and not actions.is_on_screen
        assert "tab switches" in screen_text(app)
        await pilot.press("tab")
        await settle(pilot)
        assert actions.has_focus and actions.is_on_screen and not timeline.is_on_screen
        text = screen_text(app)
        label = screen.shown[0].spec.label
        assert label in text  # at full width, the first action's label is not cut
        await pilot.press("tab")
        await settle(pilot)
        assert timeline.has_focus and timeline.is_on_screen
        index = next(i for i, o in enumerate(screen.shown[:9]) if o.allowed)
        await pilot.press(str(index + 1))  # number keys act from the case pane too
        await settle(pilot, lambda: type(app.screen).__name__ == "ActionFormScreen")


@run_async
async def test_a_click_on_a_key_in_the_key_bar_presses_it(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_row(pilot, 0)
        bar = screen.query_one(KeyBar)
        why = next(item for item in bar.items if item.key == "x")
        await pilot.click(KeyBar, offset=(why.start + 1, 0))
        await settle(pilot, lambda: type(app.screen).__name__ == "BlockedScreen")


@run_async
async def test_narrowing_the_terminal_keeps_the_focused_half_on_screen(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_row(pilot, 0)
        timeline, actions = screen.query_one(Timeline), screen.query_one(ActionList)
        await pilot.press("tab")
        await settle(pilot)
        assert timeline.has_focus and actions.is_on_screen  # wide: both are shown
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert timeline.has_focus and timeline.is_on_screen and not actions.is_on_screen
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert timeline.is_on_screen and actions.is_on_screen


@run_async
async def test_the_number_keys_are_the_actions_shown_now(demo_url):
    """The ten number keys are declared once; each is named by the action in its slot now, and
    a slot with no action has no key: in the key bar, in help, and when pressed."""
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=SIZE) as pilot:
        case = await open_row(pilot, 0)
        case.shown = case.shown[:3]
        case.bind_actions()
        await settle(pilot)
        labels = [(SLOT_KEYS[i], o.spec.label) for i, o in enumerate(case.shown)]
        items = case.query_one(KeyBar).collect()[0]
        assert [(i.key, i.description) for i in items if i.key in SLOT_KEYS] == labels
        await pilot.press("question_mark")
        await settle(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        assert [(keys, what) for keys, what, _ in app.screen.rows if keys in SLOT_KEYS] == labels
        await pilot.press("escape")
        await settle(pilot, lambda: case_ready(app))
        await pilot.press(SLOT_KEYS[3])
        await settle(pilot)
        assert app.screen is case
