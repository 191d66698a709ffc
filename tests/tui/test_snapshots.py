"""Every screen at 80×24 and 120×40 (pytest-textual-snapshot), clock frozen, cursors still.

Regenerate after an intended change with ``pytest tests/tui --snapshot-update`` and look at
the report before committing the new SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from casetracker import paths
from tests.tui.conftest import settle
from tests.tui.test_journeys import case_ready
from tui.app import CasetrackerApp

SIZES = [(80, 24), (120, 40)]
CONFIG = Path("/home/user/.config/casetracker/config.toml")


def named(app, name: str):
    return lambda: type(app.screen).__name__ == name


async def _worklist(pilot) -> None:
    app = pilot.app
    await settle(pilot, lambda: named(app, "WorklistScreen")() and bool(app.screen.items))


async def _case(pilot) -> None:
    await _worklist(pilot)
    await pilot.press("enter")
    await settle(pilot, lambda: case_ready(pilot.app))


async def _case_actions(pilot) -> None:
    """At 80 columns tab shows the actions pane; at 120 it moves focus to the timeline."""
    await _case(pilot)
    await pilot.press("tab")
    await settle(pilot)


async def _form(pilot) -> None:
    await _case(pilot)
    screen = pilot.app.screen
    index = next(i for i, o in enumerate(screen.shown) if o.spec.name == "serve_removal_papers")
    await pilot.press(str(index + 1))
    await settle(pilot, named(pilot.app, "ActionFormScreen"))


async def _blocked(pilot) -> None:
    await _case(pilot)
    await pilot.press("x")
    await settle(pilot, named(pilot.app, "BlockedScreen"))


async def _audit(pilot) -> None:
    app = pilot.app
    await settle(pilot, named(app, "WorklistScreen"))
    app.screen.open_case("C-0000001")
    await settle(pilot, lambda: named(app, "AuditScreen")() and bool(app.screen.events))
    await pilot.press("g", *["right_square_bracket"] * 6)
    await settle(pilot)


async def _access_log(pilot) -> None:
    await _audit(pilot)
    await pilot.press("a")
    await settle(
        pilot,
        lambda: (
            named(pilot.app, "AccessLogScreen")()
            and pilot.app.screen.query_one("#access").row_count > 0
        ),
    )


async def _train(pilot) -> None:
    app = pilot.app
    await settle(
        pilot,
        lambda: (
            named(app, "TrainScreen")()
            and app.screen.query_one("#scenarios", OptionList).option_count > 0
        ),
    )


async def _reports(pilot) -> None:
    app = pilot.app
    await settle(pilot, named(app, "WorklistScreen"))
    await pilot.press("f5")
    await settle(
        pilot,
        lambda: (
            named(app, "ReportsScreen")() and app.screen.query_one("#report-table").row_count > 0
        ),
    )


async def _help(pilot) -> None:
    await _worklist(pilot)
    await pilot.press("question_mark")
    await settle(pilot, named(pilot.app, "HelpScreen"))


async def _case_strip(pilot) -> None:
    """Figure 1's lifecycles over time, its misplaced claim marked."""
    from tui.screens.case import CaseScreen

    app = pilot.app
    await settle(pilot, named(app, "WorklistScreen"))
    await app.push_screen(CaseScreen("C-0000001"))
    await settle(pilot, lambda: case_ready(app))
    app.screen.query_one("#strip").scroll_visible(animate=False, top=True)
    await settle(pilot)


async def _admin(pilot) -> None:
    app = pilot.app
    await settle(pilot, lambda: named(app, "AdminScreen")() and bool(app.screen.users))


async def _user_form(pilot) -> None:
    await _admin(pilot)
    await pilot.press("j", "j", "j", "j", "j", "j", "enter")  # pc.demo, a police user
    await settle(pilot, named(pilot.app, "UserFormScreen"))


async def _start(pilot) -> None:
    app = pilot.app
    await settle(pilot, lambda: app.screen.query_one("#users", OptionList).option_count > 0)


SCREENS = {
    "start": (None, _start),
    "worklist": ("io.demo", _worklist),
    "case": ("io.demo", _case),
    "case_actions": ("io.demo", _case_actions),
    "case_strip": ("io.demo", _case_strip),
    "action_form": ("io.demo", _form),
    "blocked": ("io.demo", _blocked),
    "audit": ("audit.demo", _audit),
    "access_log": ("audit.demo", _access_log),
    "train": ("trainer.demo", _train),
    "reports": ("ccu.demo", _reports),
    "help": ("ccu.demo", _help),
    "admin": ("admin.demo", _admin),
    "user_form": ("admin.demo", _user_form),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(screen, size, demo_url, snap_compare, monkeypatch):
    # The help screen names the config file; the test's own lives in a numbered tmp dir.
    monkeypatch.setattr(paths, "config_file", lambda: CONFIG)
    user, run_before = SCREENS[screen]
    app = CasetrackerApp(demo_url, as_user=user)
    assert snap_compare(app, terminal_size=size, run_before=run_before)
