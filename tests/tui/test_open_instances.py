"""Two encounters open on one case (two arrests, both in custody): the case screen offers each
encounter's actions once per encounter, named by it in the list, the key bar and the ``/``
palette, and taking one acts on that encounter, not on the latest."""

from __future__ import annotations

from contextlib import closing

from textual.command import CommandList

from casetracker.services.cases import Casetracker
from tests.tui.conftest import is_screen, run_async, screen_text, settle
from tests.tui.test_journeys import case_ready
from tui.app import CasetrackerApp
from tui.widgets.action_list import SLOT_KEYS
from tui.widgets.key_bar import KeyBar

SIZE = (120, 40)
ARREST = {"offence": "theft", "offence_category": "theft", "force": "MPS"}
RELEASE = "Release from police custody"


def _twice_arrested(url: str) -> str:
    """A new case of the Met's with two arrests recorded, both encounters in custody."""
    with closing(Casetracker(url, as_user="pc.demo")) as ct:
        case_id = ct.open_case({"name": "A Person", "force": "MPS"}, "2026-11-26T08:00").case_id
        ct.act(case_id, "arrest", ARREST, "2026-11-26T09:00")
        ct.act(case_id, "arrest", ARREST, "2026-11-26T10:00")
    return case_id


def _states(url: str, case_id: str) -> dict[str, str]:
    with closing(Casetracker(url, as_user="pc.demo")) as ct:
        view, _ = ct.options(case_id)
    return {key: i.state for key, i in view.instances.items() if key.startswith("encounter#")}


@run_async
async def test_each_open_encounter_is_released_from_its_own_row(demo_url):
    case_id = _twice_arrested(demo_url)
    app = CasetrackerApp(demo_url, as_user="pc.demo", open_case=case_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        screen = app.screen
        rows = [(o.spec.name, o.number) for o in screen.shown]
        assert ("release_without_charge", 2) in rows, rows
        first = rows.index(("release_without_charge", 1))
        key = SLOT_KEYS[first]
        bar = {i.key: i.description for i in screen.query_one(KeyBar).items}
        assert bar.get(key) == f"{RELEASE} — Encounter #1", bar
        assert f"{RELEASE} — Encounter #2" in screen_text(app)
        await pilot.press(key)
        await settle(pilot, is_screen(app, "ActionFormScreen"))
        assert "Encounter #1" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot, is_screen(app, "ResultScreen"))
    assert _states(demo_url, case_id) == {"encounter#1": "released", "encounter#2": "in_custody"}


@run_async
async def test_the_palette_finds_the_first_encounters_release(demo_url):
    case_id = _twice_arrested(demo_url)
    app = CasetrackerApp(demo_url, as_user="pc.demo", open_case=case_id)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        titles = [title for title, _, _ in app.screen.action_commands()]
        assert f"case: {RELEASE} — Encounter #1" in titles, titles
        assert f"case: {RELEASE} — Encounter #2" in titles, titles
        await pilot.press("slash")
        await settle(pilot, is_screen(app, "CommandPalette"))
        await pilot.press(*"release encounter #1")
        hits = app.screen.query_one(CommandList)
        await settle(pilot, lambda: hits.option_count > 0)
        found = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert f"{RELEASE} — Encounter #1" in found[0], found
        await pilot.press("enter")
        await settle(pilot, is_screen(app, "ActionFormScreen"))
        assert app.screen.option.number == 1
