"""Each user's main journey through the TUI, driven by keys, checked on screen and in the log."""

from __future__ import annotations

from contextlib import closing

from textual.widgets import OptionList, Select

from casetracker.services.cases import Casetracker
from tests.tui.conftest import run_async, screen_text, settle
from tui.app import CasetrackerApp
from tui.widgets.action_list import SLOT_KEYS, ActionList

SIZE = (120, 40)


def case_ready(app) -> bool:
    screen = app.screen
    return type(screen).__name__ == "CaseScreen" and screen.summary is not None and not screen.busy


async def open_first_row(pilot) -> str:
    app = pilot.app
    await settle(
        pilot, lambda: type(app.screen).__name__ == "WorklistScreen" and bool(app.screen.items)
    )
    case_id = app.screen.items[0].case_id
    await pilot.press("enter")
    await settle(pilot, lambda: case_ready(app))
    return case_id


async def choose(pilot, action: str) -> None:
    """Take an action the way a user does: its number key, or the action list beyond ten."""
    screen = pilot.app.screen
    index = next(i for i, o in enumerate(screen.shown) if o.spec.name == action)
    if index < len(SLOT_KEYS):
        await pilot.press(SLOT_KEYS[index])
    else:
        actions = screen.query_one("#actions", ActionList)
        actions.focus()
        actions.move_cursor(row=index)
        await pilot.press("enter")
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "ActionFormScreen")


async def record(pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(pilot, lambda: type(pilot.app.screen).__name__ in ("ResultScreen", "CaseScreen"))


def states(url: str, case_id: str) -> dict[str, str]:
    with closing(Casetracker(url, as_user="audit.demo")) as reader:
        return reader.show(case_id).states


@run_async
async def test_ccu_handler_records_a_status_check(demo_url):
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=SIZE) as pilot:
        case_id = await open_first_row(pilot)
        labels = " ".join(i.label for i in app.screen_stack[-2].items)
        assert "checked on CID, awaiting result" in labels
        await choose(pilot, "record_lawful_status")
        await record(pilot)
        assert type(app.screen).__name__ == "ResultScreen"
        event = app.screen.result.events[-1]
        assert event.action == "record_lawful_status" and event.actor_user == "ccu.demo"
        shown = screen_text(app)
        assert "Status check #1: Lawfully in the UK" in shown  # the definitions' labels
        assert "status_check#1" not in shown and "lawful_status" not in shown
    assert states(demo_url, case_id)["status_check#1"] == "lawful_status"


@run_async
async def test_io_serves_papers_and_detains(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        case_id = await open_first_row(pilot)
        await choose(pilot, "serve_removal_papers")
        app.screen.query_one("#f-basis", Select).value = "overstayer"
        await record(pilot)
        assert app.screen.result.state == "liable"
        await pilot.press("enter")
        await settle(pilot, lambda: case_ready(app))
        await choose(pilot, "hand_to_immigration")  # the police's hold ends first
        await record(pilot)
        assert app.screen.result.state == "handed_to_immigration"
        await pilot.press("enter")
        await settle(pilot, lambda: case_ready(app) and app.screen.view.version >= 3)
        await choose(pilot, "detain_under_immigration_powers")
        await record(pilot)
        assert app.screen.result.state == "immigration_detention"
        await pilot.press("enter")
        await settle(pilot, lambda: case_ready(app) and app.screen.view.version >= 4)
        assert app.screen.view.instances["detention"].state == "immigration_detention"
    found = states(demo_url, case_id)
    assert found["removal"] == "liable"
    assert found["detention"] == "immigration_detention"


@run_async
async def test_a_blocked_action_shows_its_reasons(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        app.screen.open_case("C-0000001")  # Figure 1: removal deferred by a judicial review
        await settle(pilot, lambda: case_ready(app))
        shown = {o.spec.name: o for o in app.screen.shown}
        assert not shown["set_removal_directions"].allowed
        await choose_blocked(pilot, "set_removal_directions")
        assert type(app.screen).__name__ == "BlockedScreen"
        text = screen_text(app)
        assert "judicial review lodged 2016-06-24 is undecided" in text
        assert "wait for the judicial review to be decided" in text


async def choose_blocked(pilot, action: str) -> None:
    screen = pilot.app.screen
    index = next(i for i, o in enumerate(screen.shown) if o.spec.name == action)
    actions = screen.query_one("#actions", ActionList)
    actions.focus()
    actions.move_cursor(row=index)
    await pilot.press("x")
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "BlockedScreen")


@run_async
async def test_a_conflict_is_explained_and_the_case_reloaded(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        case_id = await open_first_row(pilot)
        seen_version = app.screen.view.version
        await choose(pilot, "serve_removal_papers")
        app.screen.query_one("#f-basis", Select).value = "overstayer"
        with closing(Casetracker(demo_url, as_user="cw.demo")) as other:
            other.act(case_id, "add_note", {"text": "called the custody suite"})
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: case_ready(app) and app.screen.view.version > seen_version)
        messages = [n.message for n in app.notices]
        assert any("add_note by cw.demo" in m and "reloaded" in m for m in messages)
    found = states(demo_url, case_id)
    assert "removal" not in found  # the stale write was refused: nothing recorded


@run_async
async def test_auditor_steps_through_figure_1(demo_url):
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        assert app.current_mode == "audit"
        await pilot.press("o")
        await settle(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        await pilot.press(*"1", "enter")
        await settle(
            pilot, lambda: type(app.screen).__name__ == "AuditScreen" and bool(app.screen.events)
        )
        screen = app.screen
        total = len(screen.events)
        assert screen.index == total - 1 and all(screen.chain)
        await pilot.press("g")  # first event
        await settle(pilot)
        assert screen.index == 0
        for _ in range(3):
            await pilot.press("right_square_bracket")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.index == 2
        shown = screen_text(app)
        assert f"3 of {total}" in shown and "verifies from the first event" in shown
        assert "▶ Overstayer" in shown  # the diagram: the leave lifecycle after record_overstay
        await pilot.press("p")
        await settle(pilot, lambda: screen.index > 2)  # playing steps on by itself
        await pilot.press("p")
        await pilot.press("at")
        await settle(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        await pilot.press(*"2014-01-01", "enter")
        await settle(pilot, lambda: "as of 2014-01-01" in screen.note)
        shown = screen_text(app)
        assert "as of 2014-01-01 (effective)" in shown
        assert screen.query_one("#audit-states")  # the states as they stood then are drawn
        assert "Clear as-of" in shown and "(c: back to now)" in shown
        await pilot.press("c")  # the visible way back from an as-of view
        await settle(pilot, lambda: screen.note == "")
        assert screen.index == total - 1
        assert "Clear as-of" not in screen_text(app)
        await pilot.press("a")
        await settle(pilot, lambda: type(app.screen).__name__ == "AccessLogScreen")
        await settle(pilot, lambda: app.screen.query_one("#access").row_count > 0)
    with closing(Casetracker(demo_url, as_user="audit.demo")) as reader:
        logged = [e.action for e in reader.access_entries("C-0000001") if e.user == "audit.demo"]
    assert "history" in logged and "replay" in logged


@run_async
async def test_trainer_plays_figure_2(demo_url):
    app = CasetrackerApp(demo_url, as_user="trainer.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "TrainScreen")
        scenarios = app.screen.query_one("#scenarios", OptionList)
        await settle(pilot, lambda: scenarios.option_count > 0)
        scenarios.highlighted = next(
            i
            for i in range(scenarios.option_count)
            if scenarios.get_option_at_index(i).id == "figure-2"
        )
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen.result is not None)
        screen = app.screen
        assert not screen.result.failures
        assert "step 1 of" in screen_text(app)
        for _ in range(len(screen.result.outcomes)):
            await pilot.press("right_square_bracket")
        await settle(pilot)
        last = screen.result.outcomes[-1].snapshot.states
        assert last["removal"] == "removed" and last["detention"] == "removed"
        shown = screen_text(app)
        assert "TRAINING" in shown and "removed" in shown


@run_async
async def test_switch_user_returns_to_the_picker(demo_url):
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        app.action_switch_user()
        await settle(pilot, lambda: app.return_value is not None)
    assert app.return_value == "switch-user"


@run_async
async def test_a_date_before_the_case_began_asks_first(demo_url):
    from textual.widgets import Input

    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=SIZE) as pilot:
        case_id = await open_first_row(pilot)
        before = states(demo_url, case_id)
        await choose(pilot, "record_lawful_status")
        app.screen.query_one("#effective", Input).value = "2001-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: type(app.screen).__name__ == "ConfirmScreen")
        assert "before anything else" in screen_text(app)
        await pilot.press("n")
        await settle(pilot, lambda: type(app.screen).__name__ == "ActionFormScreen")
    assert states(demo_url, case_id) == before


@run_async
async def test_switching_is_a_visible_key_and_found_by_sign_and_role(demo_url):
    from textual.command import CommandPalette

    from tui.commands import CasetrackerCommands
    from tui.widgets.key_bar import KeyBar

    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        keys = {i.key: i.description for i in app.screen.query_one(KeyBar).items}
        assert keys.get("f6") == "Switch user"
        assert "f7" not in keys  # ccu.demo holds one role
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        titles = [t for t, _, _ in CasetrackerCommands(app.screen, None)._commands()]
        assert any("sign in" in t for t in titles)
        await pilot.press("escape")
        await pilot.press("f6")
        await settle(pilot, lambda: app.return_value is not None)
    assert app.return_value == "switch-user"


@run_async
async def test_a_user_holding_several_roles_switches_role_with_a_key(demo_url):
    with closing(Casetracker(demo_url, as_user="admin.demo")) as admin:
        admin.save_user("two.hats", "Two Hats (CCU and JOC)", ("ccu", "joc"))
    app = CasetrackerApp(demo_url, as_user="two.hats", role="ccu")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "WorklistScreen")
        assert app.actor.role == "ccu"
        await pilot.press("f7")
        await settle(pilot, lambda: app.return_value is not None)
    assert app.return_value == ("switch-role", "two.hats", "joc")
