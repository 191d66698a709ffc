"""Four eyes on the case screen at 80×24 and 120×40 (pytest-textual-snapshot): a case with its
proposal row, the proposal's form, a proposal waiting for a second Home Office user, the
authorisation asked for, and the proposer refused authorising their own.

Regenerate after an intended change with ``pytest tests/tui/test_four_eyes_snapshots.py
--snapshot-update``, after reading the text diff.
"""

from __future__ import annotations

from contextlib import closing

import pytest

from casetracker.services import four_eyes
from casetracker.services.cases import Casetracker
from tests.tui.conftest import is_screen, settle
from tests.tui.test_four_eyes import CASE, PROPOSE
from tests.tui.test_journeys import case_ready
from tui.app import CasetrackerApp
from tui.widgets.action_list import SLOT_KEYS

SIZES = [(80, 24), (120, 40)]


def _at_the_latest_event(app) -> bool:
    """The case screen has scrolled its timeline to the cursor on the latest event (a busy
    machine can take a frame more for it: the picture waits on it)."""
    timeline = app.screen.query_one("#timeline")
    return timeline.row_count > 0 and timeline.scroll_y == timeline.max_scroll_y


async def _case(pilot) -> None:
    await settle(pilot, lambda: case_ready(pilot.app) and _at_the_latest_event(pilot.app))


async def _propose_form(pilot) -> None:
    await _case(pilot)
    labels = [o.spec.label for o in pilot.app.screen.shown]
    await pilot.press(SLOT_KEYS[labels.index(PROPOSE)])
    await settle(pilot, is_screen(pilot.app, "ActionFormScreen"))


async def _authorise(pilot) -> None:
    await _case(pilot)
    await pilot.press("1")  # the decision rows come first
    await settle(pilot, is_screen(pilot.app, "ConfirmScreen"))


async def _refused(pilot) -> None:
    await _authorise(pilot)
    await pilot.press("y")
    await settle(pilot, is_screen(pilot.app, "BlockedScreen"))


# screen: (who signs in, whether io.demo has proposed the detention first, steps)
SCREENS = {
    "case_propose": ("io.demo", False, _case),
    "propose_form": ("io.demo", False, _propose_form),
    "case_proposed": ("cw.demo", True, _case),
    "authorise_confirm": ("cw.demo", True, _authorise),
    "refused_own": ("io.demo", True, _refused),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(screen, size, demo_url, snap_compare):
    user, proposed, run_before = SCREENS[screen]
    if proposed:
        with closing(Casetracker(demo_url, as_user="io.demo")) as ct:
            four_eyes.propose(ct, CASE, "detain_under_immigration_powers")
    app = CasetrackerApp(demo_url, as_user=user, open_case=CASE)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
