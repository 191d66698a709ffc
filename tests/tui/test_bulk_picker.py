"""``a`` on marked worklist rows offers the actions allowed on those cases, by their labels, in
the palette (it had asked for an internal name such as ``add_note``), and the form then says
how many cases it is for, not a "new" record."""

from __future__ import annotations

from contextlib import closing

from textual.command import CommandList
from textual.widgets import Input, Label

from casetracker.services.cases import Casetracker
from tests.tui.conftest import is_screen, run_async, settle, words
from tui.app import CasetrackerApp

SIZE = (120, 40)


@run_async
async def test_act_on_marked_picks_an_allowed_action_by_its_label(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: is_screen(app, "WorklistScreen")() and bool(app.screen.items))
        screen = app.screen
        items = screen.items
        second = next(i for i, item in enumerate(items) if item.case_id != items[0].case_id)
        cases = {items[0].case_id, items[second].case_id}
        await pilot.press("space")
        screen.query_one("#worklist").move_cursor(row=second)
        await pilot.press("space")
        await pilot.press("a")
        await settle(pilot, is_screen(app, "CommandPalette"))
        hits = app.screen.query_one(CommandList)
        await settle(pilot, lambda: hits.option_count > 0)
        found = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert any("Add a note — 2 cases" in hit for hit in found), found
        await pilot.press(*"add a note")
        await settle(pilot, lambda: "Add a note" in str(hits.get_option_at_index(0).prompt))
        await pilot.press("enter")
        await settle(pilot, is_screen(app, "ActionFormScreen"))
        title = words(str(app.screen.query_one(".dialog-title", Label).render()))
        assert title == "Add a note — 2 cases"
        app.screen.query_one("#f-text", Input).value = "seen on the bulk round"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: any("2 of 2 cases recorded" in n.message for n in app.notices))
    with closing(Casetracker(demo_url, as_user="io.demo")) as ct:
        for case_id in cases:
            assert ct.history(case_id)[-1].action == "add_note"
