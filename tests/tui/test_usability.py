"""What a new user tripped over on ``casetracker demo``: each test drives the app by keys, as
they did, and checks what the screen then says."""

from __future__ import annotations

from casetracker.presenters.labels import roles_label
from tests.tui.conftest import run_async, screen_text, settle
from tests.tui.test_journeys import case_ready, open_first_row
from tui.app import CasetrackerApp
from tui.widgets.action_list import SLOT_KEYS, WORKED_FROM_QUEUES, why_dimmed
from tui.widgets.key_bar import KeyBar

WIDE = (120, 40)
SMALL = (80, 24)


def named(app, name: str):
    return lambda: type(app.screen).__name__ == name


@run_async
async def test_numbers_take_allowed_actions_and_other_roles_actions_are_one_key_away(demo_url):
    # The JOC's first case has a blocked action its role may take (a High Harm referral).
    app = CasetrackerApp(demo_url, as_user="joc.demo")
    async with app.run_test(size=WIDE) as pilot:
        await open_first_row(pilot)
        case = app.screen
        assert all(o.role_allows for o in case.shown)  # another role's actions are hidden
        index = next(i for i, o in enumerate(case.shown) if not o.allowed)
        option = case.shown[index]
        bar = {i.key: i for i in case.query_one(KeyBar).items}
        allowed = [o for o in case.shown if o.allowed][: len(SLOT_KEYS)]
        assert [bar[SLOT_KEYS[i]].enabled for i in range(len(allowed))] == [True] * len(allowed)
        assert SLOT_KEYS[index] not in bar or index >= len(allowed)  # a dimmed one: no number
        actions = case.query_one("#actions")
        actions.focus()
        actions.move_cursor(row=index)
        await pilot.press("enter")  # enter on a dimmed action says why, as x does
        await settle(pilot, named(app, "BlockedScreen"))
        text = screen_text(app)
        assert f"Why not: {option.spec.label}" in text
        assert option.blocks[0].reason[:60] in text  # a long reason wraps in the box
        await pilot.press("escape")
        await settle(pilot, lambda: case_ready(app))
        hidden = sum(  # owners, deadlines, four-eyes proposals: worked from their queues
            1
            for o in case.options
            if o.state_allows and not o.role_allows and o.workflow not in WORKED_FROM_QUEUES
        )
        assert f"o: {hidden} for other roles" in screen_text(app)
        await pilot.press("o")
        await settle(pilot, lambda: any(not o.role_allows for o in case.shown))
        others = [o for o in case.shown if not o.role_allows]
        assert len(others) == hidden and case.shown[-len(others) :] == others  # listed last
        assert all(why_dimmed(o) == f"for {roles_label(o.spec.roles)}" for o in others)
        assert "(for " in screen_text(app)  # each names the roles that may take it
        await pilot.press("o")
        await settle(pilot, lambda: all(o.role_allows for o in case.shown))
        await pilot.press(SLOT_KEYS[0])  # an allowed action's number takes it
        await settle(pilot, named(app, "ActionFormScreen"))


async def audit_case(pilot, case_id: str):
    app = pilot.app
    await settle(pilot, named(app, "WorklistScreen"))
    app.screen.open_case(case_id)
    await settle(pilot, lambda: named(app, "AuditScreen")() and bool(app.screen.events))
    return app.screen


@run_async
async def test_recorded_times_are_shown_in_uk_time_like_the_effective_times(demo_url):
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=WIDE) as pilot:
        screen = await audit_case(pilot, "C-0000001")
        last = screen.events[-1]
        assert (last.effective, last.recorded) == ("2016-06-24", "2016-06-23T23:00:01.000000Z")
        text = screen_text(app)
        assert "2016-06-24 00:00:01 BST" in text and "2016-06-23T23:00:01Z" not in text
        assert "happened (UK)" in text and "recorded (UK)" in text
        row = screen.query_one("#audit-timeline").lines[-1].plain
        assert "2016-06-24 00:00" in row and "2016-06-23" not in row
        await pilot.press("a")
        await settle(
            pilot,
            lambda: named(app, "AccessLogScreen")() and app.screen.query_one("#access").row_count,
        )
        text = screen_text(app)
        assert "recorded (UK)" in text and "2026-11-26 12:00:00 GMT" in text
        assert "1 entry · this reading has been logged too" in text  # not "1 entries"


@run_async
async def test_the_pace_expiry_is_in_uk_time(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=WIDE) as pilot:
        await open_first_row(pilot)
        clocks = str(app.screen.query_one("#facts").render())
        assert "expires" in clocks and "GMT" in clocks and "UTC" not in clocks


@run_async
async def test_the_audit_panel_shows_what_an_event_recorded(demo_url):
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=WIDE) as pilot:
        screen = await audit_case(pilot, "C-0000001")
        await pilot.press("g", *["right_square_bracket"] * 3)  # event 4: the arrest of 2013
        await settle(pilot)
        text = screen_text(app)
        assert "4 of 78" in text and "Arrest" in text
        assert "Offence category" in text and "possession of a false instrument" in text
        await pilot.press(*["right_square_bracket"] * 2)  # event 6: nationality recorded
        await settle(pilot)
        text = screen_text(app)
        assert "Nationality group" in text and "non EEA" in text
        assert "Nationality (as claimed): kept out of the log" in text
        assert screen.events[5].data["personal"]["nationality"] not in text  # no digest shown


@run_async
async def test_the_audit_panel_scrolls_at_80_by_24(demo_url):
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=SMALL) as pilot:
        screen = await audit_case(pilot, "C-0000001")
        await pilot.press("g", *["right_square_bracket"] * 5)
        await settle(pilot)
        text = screen_text(app)
        assert "6 of 78" in text and "Claimed or verified" in text
        assert screen.query_one("#audit-timeline").region.height >= 4
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is screen.query_one("#audit-event-box")
        await pilot.press("end")
        await settle(pilot)
        text = screen_text(app)
        assert "Nationality (as claimed): kept out of the log" in text and "previous" in text
        await pilot.press("right_square_bracket")  # still steps; the next event shows from its top
        await settle(pilot)
        assert "7 of 78" in screen_text(app)
        assert screen.query_one("#audit-event-box").scroll_y == 0


async def train_screen(pilot):
    app = pilot.app
    await settle(
        pilot,
        lambda: named(app, "TrainScreen")() and app.screen.query_one("#scenarios").option_count,
    )
    return app.screen


@run_async
async def test_after_a_scenario_plays_the_keyboard_still_moves_through_the_list(demo_url):
    app = CasetrackerApp(demo_url, as_user="trainer.demo")
    async with app.run_test(size=WIDE) as pilot:
        screen = await train_screen(pilot)
        scenarios = screen.query_one("#scenarios")
        names = [scenarios.get_option_at_index(i).id for i in range(scenarios.option_count)]
        await pilot.press("enter")
        await settle(pilot, lambda: screen.result is not None)
        assert screen.result.scenario.name == names[0]
        await pilot.press("right_square_bracket")  # stepping through it does not take the list
        down = names.index("figure-2")  # wherever the shipped scenarios put it
        await pilot.press(*"j" * down, "enter")
        await settle(pilot, lambda: screen.result.scenario.name != names[0])
        assert screen.result.scenario.name == "figure-2"
        await pilot.press("down", "k", "G")
        await settle(pilot)
        assert scenarios.highlighted == len(names) - 1


@run_async
async def test_help_in_train_mode_lists_only_the_keys_a_user_has(demo_url):
    app = CasetrackerApp(demo_url, as_user="trainer.demo")
    async with app.run_test(size=WIDE) as pilot:
        await train_screen(pilot)
        await pilot.press("question_mark")
        await settle(pilot, named(app, "HelpScreen"))
        rows = app.screen.rows
        assert ("[", "Previous step", "train.prev") in rows
        assert ("↓ j", "Next row", "list.down") in rows
        assert all(binding for _, _, binding in rows)  # all ours, every one remappable
        text = screen_text(app)
        for internal in ("help_quit", "left_square_bracket", "Scroll Up", "Focus Next"):
            assert internal not in text


@run_async
async def test_a_key_taken_from_an_app_binding_is_reported(demo_url):
    from tests.tui.test_keys import warnings, write_config

    write_config('[keys]\n"audit.prev" = "q"\n')
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=WIDE) as pilot:
        screen = await audit_case(pilot, "C-0000001")
        told = "\n".join(warnings(app))
        assert "'audit.prev' takes 'q' from 'app.quit' (Leave casetracker)" in told
        assert "in AuditScreen, q now does Previous event, no longer Leave casetracker" in told
        last = screen.index
        await pilot.press("q")  # what the report says happens
        await settle(pilot)
        assert screen.index == last - 1 and app.is_running


@run_async
async def test_reports_show_the_rates_at_80_by_24(demo_url):
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, named(app, "WorklistScreen"))
        await pilot.press("f5")
        await settle(
            pilot,
            lambda: (
                named(app, "ReportsScreen")() and app.screen.query_one("#report-table").row_count
            ),
        )
        screen = app.screen
        data = screen.data
        columns = data.columns
        rates = [columns.index(c) for c in ("ccu_rate", "local_rate", "not_referred_rate")]
        text = screen_text(app)
        for heading in ("CCU %", "local %", "none %"):
            assert heading in text
        table = screen.query_one("#report-table")
        await pilot.press("G")  # the totals are the last rows, reachable by keys
        await settle(pilot)
        assert table.cursor_row == table.row_count - 1
        text = screen_text(app)
        for row in data.rows:
            if row[0] in ("All forces", "Outside London"):
                assert row[0] in text
                shown = [f"{100 * row[i]:.1f}%" for i in rates]
                line = next(line for line in text.splitlines() if row[0] in line)
                assert all(value in line for value in shown), (line, shown)


@run_async
async def test_every_case_can_be_reached_from_all_cases(demo_url, monkeypatch):
    from tui.screens import worklist

    monkeypatch.setattr(worklist, "PAGE", 10)  # the demo's 26 cases are three pages
    app = CasetrackerApp(demo_url, as_user="audit.demo")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, lambda: named(app, "WorklistScreen")() and bool(app.screen.items))
        screen = app.screen
        total = screen.total
        assert len(screen.items) == 10 < total
        assert "cases (rows 1–10 read: ↓ past the last reads more)" in screen_text(app)
        for _ in range(5):
            await pilot.press("G")  # past the last row read: the next page is read
            await settle(pilot)
        # the last changed first: the case studies, their stories over years ago, come last
        assert len(screen.items) == total and screen.items[-1].case_id == "C-0000002"
        assert [i.due for i in screen.items] == sorted((i.due for i in screen.items), reverse=True)
        text = screen_text(app)
        assert "changed (UK)" in text and "min ago" not in text
        row = screen.query_one("#worklist").lines[-1].plain
        assert "2015-10-05 00:00" in row  # Figure 2's last event was recorded then
        await pilot.press("slash", "2", "enter")  # a number is the case of that number
        await settle(pilot, lambda: screen.filter_text == "2" and len(screen.items) == 1)
        assert screen.items[0].case_id == "C-0000002"
        await pilot.press("enter")
        await settle(pilot, lambda: named(app, "AuditScreen")() and bool(app.screen.events))
        assert app.screen.case_id == "C-0000002"


@run_async
async def test_action_names_fit_at_120_columns(demo_url):
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=WIDE) as pilot:
        await open_first_row(pilot)
        labels = [o.spec.label for o in app.screen.shown[: len(SLOT_KEYS)] if o.allowed]
        longest = max(labels, key=len)
        assert len(longest) > 50
        assert longest in screen_text(app)


@run_async
async def test_waiting_times_give_hours_and_minutes(demo_url):
    import re

    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, lambda: named(app, "WorklistScreen")() and bool(app.screen.items))
        text = screen_text(app)
        assert re.search(r"\b\d+ h \d\d min ago", text)
        assert not re.search(r"\b\d+ h \d\d ago", text)


@run_async
async def test_g_and_shift_g_in_the_user_picker(demo_url):
    app = CasetrackerApp(demo_url)
    async with app.run_test(size=SMALL) as pilot:
        users = app.screen.query_one("#users")
        await settle(pilot, lambda: users.option_count > 0)
        await pilot.press("G")
        await settle(pilot)
        assert users.highlighted == users.option_count - 1
        await pilot.press("k", "g", "j")
        await settle(pilot)
        assert users.highlighted == 1


@run_async
async def test_only_an_auditor_is_offered_the_access_log(demo_url):
    for user, offered in (("io.demo", False), ("audit.demo", True)):
        app = CasetrackerApp(demo_url, as_user=user)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, lambda app=app: type(app.screen).__name__ == "WorklistScreen")
            app.screen.open_case("C-0000001")
            await settle(
                pilot,
                lambda app=app: (
                    type(app.screen).__name__ in ("CaseScreen", "AuditScreen")
                    and bool(getattr(app.screen, "case_id", ""))
                ),
            )
            assert app.screen.check_action("access_log", ()) is offered
            titles = [title for title, _, _ in app.screen.commands()]
            assert ("view: access log" in titles) is offered


@run_async
async def test_help_on_the_worklist_lists_a_number_key_for_each_queue_the_role_has(demo_url):
    app = CasetrackerApp(demo_url, as_user="ccu.demo")
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot, lambda: named(app, "WorklistScreen")() and bool(app.screen.items))
        count = len(app.screen.queues)
        assert count < 9  # the CCU has four queues: keys 5 to 9 pick none
        await pilot.press("question_mark")
        await settle(pilot, named(app, "HelpScreen"))
        queue_keys = [keys for keys, _, binding in app.screen.rows if "queue" in binding]
        assert queue_keys == [str(n) for n in range(1, count + 1)]
        switch = [binding for _, _, binding in app.screen.rows if binding == "app.switch_role"]
        assert switch == []  # one role: f7 has no other to switch to


@run_async
async def test_every_allowed_action_is_found_by_name_from_a_key_on_screen(demo_url):
    """Past the tenth, an allowed action had no number key and was reached only by tabbing
    into the list: ``/`` (in the key bar, at 80 columns too) opens the palette with the
    case's actions alone, and a few letters of one past the tenth take it."""
    from textual.command import CommandPalette

    from tui.commands import CaseActions

    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SMALL) as pilot:
        await open_first_row(pilot)
        case = app.screen
        allowed = [o for o in case.shown if o.allowed]
        assert len(allowed) > len(SLOT_KEYS)
        bar = {i.key: i for i in case.query_one(KeyBar).items}
        assert "slash" in bar and bar["slash"].enabled
        assert "/ Find " in screen_text(app).splitlines()[-1]
        await pilot.press("slash")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        titles = [t for t, _, _ in CaseActions(case, None)._commands()]  # as the palette asks
        assert len(titles) == len(case.shown)
        beyond = allowed[len(SLOT_KEYS)]
        assert any(t.startswith(f"case: {beyond.spec.label} (") for t in titles)
        await pilot.press(*beyond.spec.label)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, named(app, "ActionFormScreen"))
        assert app.screen.option is beyond


@run_async
async def test_a_blank_required_field_is_named_by_the_labels_on_the_form(demo_url):
    """The form said "add_note needs field 'text' (Note)": the action's id, not its label."""
    from tests.tui.test_journeys import choose

    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=WIDE) as pilot:
        await open_first_row(pilot)
        await choose(pilot, "add_note")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert named(app, "ActionFormScreen")()
        assert "✗ Add a note needs Note (field 'text')" in screen_text(app)
