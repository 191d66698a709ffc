"""Four eyes on the case screen (issue 16): one user proposes an action from the case, another
(after F6) authorises it there; the proposer asking to authorise their own is refused by the
service in its words, and nothing is written."""

from __future__ import annotations

from contextlib import closing

from casetracker.services.cases import Casetracker
from tests.tui.conftest import run_async, screen_text, settle
from tests.tui.test_journeys import case_ready
from tui.app import CasetrackerApp, Run, next_run
from tui.screens.case_four_eyes import StepSpec
from tui.widgets.action_list import SLOT_KEYS

SIZE = (120, 40)
CASE = "C-0000005"  # at liberty: a Home Office user may detain (a second one authorises)
PROPOSE = "Propose detain under immigration powers, needs a second HO user"


def _events(url: str) -> list[tuple[str, str, str]]:
    with closing(Casetracker(url, as_user="audit.demo")) as reader:
        return [(e.workflow, e.action, e.actor_user) for e in reader.history(CASE)]


def _row(app, label: str) -> int:
    labels = [o.spec.label for o in app.screen.shown]
    assert label in labels, labels
    return labels.index(label)


def _is(app, name: str):
    return lambda: type(app.screen).__name__ == name


async def _take(pilot, label: str) -> None:
    """Press the number key of the row labelled ``label`` (it must have one: allowed)."""
    await pilot.press(SLOT_KEYS[_row(pilot.app, label)])


async def _back_to_case(pilot) -> None:
    app = pilot.app
    await settle(pilot, _is(app, "ResultScreen"))
    await pilot.press("escape")
    await settle(pilot, lambda: case_ready(app))


@run_async
async def test_propose_switch_user_and_a_second_home_office_user_authorises(demo_url):
    before = _events(demo_url)
    app = CasetrackerApp(demo_url, as_user="io.demo", open_case=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await _take(pilot, PROPOSE)
        await settle(pilot, _is(app, "ActionFormScreen"))
        await pilot.press("ctrl+s")
        await _back_to_case(pilot)
        recorded = [n.message for n in app.notices if n.title == CASE]
        assert recorded[-1].endswith("Authorisation #1: Proposed, awaiting authorisation")
        shown = [o.spec.label for o in app.screen.shown]
        assert shown[:2] == [
            "Authorise detain under immigration powers, proposed by you",
            "Withdraw your proposal to detain under immigration powers",
        ]
        again = app.screen.shown[shown.index(PROPOSE)]  # one undecided proposal at a time
        assert [b.reason for b in again.blocks] == [
            "detain_under_immigration_powers for detention is already proposed and undecided"
        ]
        await pilot.press("f6")
        await settle(pilot, lambda: app.return_value is not None)
    assert _events(demo_url) == [
        *before,
        ("authorisation", "propose_action", "io.demo"),
    ]

    run = next_run(app.return_value, Run(demo_url, "io.demo", None, CASE))
    assert run == Run(demo_url, None, None, CASE)  # the picker again, the case kept
    second = CasetrackerApp(run.url, "cw.demo", run.role, run.open_case)
    async with second.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(second))
        label = "Authorise detain under immigration powers, proposed by io.demo"
        assert second.screen.shown[0].spec.label == label
        assert "Decline detain under immigration powers, proposed by io.demo" in screen_text(second)
        await _take(pilot, label)
        await settle(pilot, _is(second, "ConfirmScreen"))
        await pilot.press("y")
        await _back_to_case(pilot)
        told = [n.message for n in second.notices if n.title == CASE]
        assert told[-1] == (
            "Recorded: Detain under immigration powers → Detention: In immigration detention"
        )
        assert not any(isinstance(o.spec, StepSpec) for o in second.screen.shown)  # decided
    assert _events(demo_url) == [
        *before,
        ("authorisation", "propose_action", "io.demo"),
        ("authorisation", "authorise_proposal", "cw.demo"),
        ("detention", "detain_under_immigration_powers", "cw.demo"),
    ]


@run_async
async def test_the_proposer_is_refused_authorising_their_own_and_nothing_is_written(demo_url):
    app = CasetrackerApp(demo_url, as_user="io.demo", open_case=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await _take(pilot, PROPOSE)
        await settle(pilot, _is(app, "ActionFormScreen"))
        await pilot.press("ctrl+s")
        await _back_to_case(pilot)
        proposed = _events(demo_url)
        await _take(pilot, "Authorise detain under immigration powers, proposed by you")
        await settle(pilot, _is(app, "ConfirmScreen"))
        await pilot.press("y")
        await settle(pilot, _is(app, "BlockedScreen"))
        shown = screen_text(app)
        assert "Not recorded" in shown
        assert "io.demo proposed Authorisation #1: the same person may not authorise it" in shown
        assert "ask a second Home Office user" in shown
        await pilot.press("escape")
        await settle(pilot, lambda: case_ready(app))
        assert app.screen.shown[0].spec.label.startswith("Authorise detain")  # still waiting
    assert _events(demo_url) == proposed
