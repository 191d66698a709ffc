"""Four eyes on the case screen (issue 16): one user proposes an action from the case, another
(after F6) authorises it there; the proposer asking to authorise their own is refused by the
service in its words, and nothing is written.  In a live database the action itself is dimmed
(it needs the second person) and its proposal offered; a police officer not marked a
superintendent is refused a PACE extension, one so marked authorises it, and a proposal is
declined with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from textual.widgets import Label, Static

from casetracker.adapters import users
from casetracker.adapters.database import write_transaction
from casetracker.domain import clock
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database, open_database
from tests.tui.conftest import is_screen, run_async, screen_text, settle, words
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


async def _take(pilot, label: str) -> None:
    """Press the number key of the row labelled ``label`` (it must have one: allowed)."""
    await pilot.press(SLOT_KEYS[_row(pilot.app, label)])


async def _back_to_case(pilot) -> None:
    app = pilot.app
    await settle(pilot, is_screen(app, "ResultScreen"))
    await pilot.press("escape")
    await settle(pilot, lambda: case_ready(app))


async def _propose(pilot, label: str) -> None:
    """Take the row ``label``, save its form as it comes and return to the case."""
    await _take(pilot, label)
    await settle(pilot, is_screen(pilot.app, "ActionFormScreen"))
    await pilot.press("ctrl+s")
    await _back_to_case(pilot)


@run_async
async def test_propose_switch_user_and_a_second_home_office_user_authorises(demo_url):
    before = _events(demo_url)
    app = CasetrackerApp(demo_url, as_user="io.demo", open_case=CASE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await _propose(pilot, PROPOSE)
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
        await settle(pilot, is_screen(second, "ConfirmScreen"))
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
        await _propose(pilot, PROPOSE)
        proposed = _events(demo_url)
        await _take(pilot, "Authorise detain under immigration powers, proposed by you")
        await settle(pilot, is_screen(app, "ConfirmScreen"))
        await pilot.press("y")
        await settle(pilot, is_screen(app, "BlockedScreen"))
        shown = screen_text(app)
        assert "Not recorded" in shown
        assert "io.demo proposed Authorisation #1: the same person may not authorise it" in shown
        assert "ask a second Home Office user" in shown
        assert [n.title for n in app.notices if n.title == "refused"] == []  # said once: here
        await pilot.press("escape")
        await settle(pilot, lambda: case_ready(app))
        assert app.screen.shown[0].spec.label.startswith("Authorise detain")  # still waiting
    assert _events(demo_url) == proposed


# A live database: the person is the operating-system account, so a test becomes another person
# by answering ``os_account`` for them, as a second login would (tests/integration/
# test_four_eyes.py does the same).
ARRESTED = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
PERSON = [""]
EXTEND = "Propose extend detention by 12 hours, needs a superintendent"


@pytest.fixture
def live_url(sqlite_url, tmp_path, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    clock.set_clock(lambda: ARRESTED + timedelta(hours=1))
    create_database(sqlite_url, "live", ("admin",))
    engine, _ = open_database(sqlite_url)
    with write_transaction(engine) as conn:
        users.save_user(conn, "pc.one", "PC One", ("police",), "MPS")
        users.save_user(conn, "pc.two", "PC Two", ("police",), "MPS")
        users.save_user(conn, "supt.one", "Supt One", ("police",), "MPS", superintendent=True)
    engine.dispose()
    monkeypatch.setattr(users, "os_account", lambda: PERSON[0])
    PERSON[0] = "pc.one"
    with closing(Casetracker(sqlite_url)) as ct:
        case_id = ct.open_case({"name": "A Person", "force": "MPS"}, "2026-01-01").case_id
        arrest = {"offence": "theft", "offence_category": "theft", "force": "MPS",
                  "custody_suite": "Croydon"}  # fmt: skip
        ct.act(case_id, "arrest", arrest, ARRESTED.isoformat())
    yield sqlite_url
    clock.set_clock(None)


def _live_events(url: str) -> list[tuple[str, str]]:
    with closing(Casetracker(url)) as reader:
        return [(e.action, e.actor_user) for e in reader.history("C-0000001")]


def _as(url: str, person: str) -> CasetrackerApp:
    PERSON[0] = person
    return CasetrackerApp(url, open_case="C-0000001")


@run_async
async def test_a_pace_extension_in_a_live_database_needs_a_superintendent(live_url):
    app = _as(live_url, "pc.one")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        direct = next(o for o in app.screen.shown if o.spec.name == "extend_detention")
        assert not direct.allowed  # it needs the second person: the case screen says so
        assert any(b.rule == "four_eyes" for b in direct.blocks)
        await _take(pilot, EXTEND)
        await settle(pilot, is_screen(app, "ActionFormScreen"))
        assert "Superintendent's authority" not in screen_text(app)  # the authoriser's part
        await pilot.press("ctrl+s")
        await _back_to_case(pilot)
    proposed = _live_events(live_url)
    assert proposed[-1] == ("propose_action", "pc.one")

    app = _as(live_url, "pc.two")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await _take(pilot, "Authorise extend detention by 12 hours, proposed by pc.one")
        await settle(pilot, is_screen(app, "ConfirmScreen"))
        body = app.screen.body  # the dialog wraps it: read what it was given
        assert body.endswith(
            "It needs a superintendent (a police user so marked), never the proposer."
        )
        await pilot.press("y")
        await settle(pilot, is_screen(app, "BlockedScreen"))
        assert "pc.two is not marked a superintendent" in screen_text(app)
    assert _live_events(live_url) == proposed

    app = _as(live_url, "supt.one")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await _take(pilot, "Authorise extend detention by 12 hours, proposed by pc.one")
        await settle(pilot, is_screen(app, "ConfirmScreen"))
        await pilot.press("y")
        await _back_to_case(pilot)
    assert _live_events(live_url) == [
        *proposed,
        ("authorise_proposal", "supt.one"),
        ("extend_detention", "supt.one"),
    ]


@run_async
async def test_a_proposal_is_declined_with_a_reason(live_url):
    app = _as(live_url, "pc.one")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await _propose(pilot, EXTEND)
    app = _as(live_url, "supt.one")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await _take(pilot, "Decline extend detention by 12 hours, proposed by pc.one")
        await settle(pilot, is_screen(app, "PromptScreen"))
        await pilot.press(*"not needed yet", "enter")
        await _back_to_case(pilot)
        steps = [o.spec.step for o in app.screen.shown if isinstance(o.spec, StepSpec)]
        assert steps == ["propose_action"]  # decided: only proposing it again is left
    with closing(Casetracker(live_url)) as reader:
        last = reader.history("C-0000001")[-1]
        subject = reader.show("C-0000001", "test: the reason recorded").subject
    assert (last.action, last.actor_user) == ("reject_proposal", "supt.one")
    assert subject is not None and "not needed yet" in subject.values()  # free text: erasable


def _rendered(widget) -> str:
    """The lines a widget draws, as they are wrapped on screen, without the screen around it."""
    return " ".join(strip.text for strip in widget.render_lines(widget.size.region))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@run_async
async def test_why_not_points_at_the_propose_row_where_the_cli_names_its_command(live_url, size):
    """In a live database the dimmed extension's "why not" says to propose it with the row
    beside it, by its label and number key, not with the command line's command, which the
    command line still gives (issue 16 item 3)."""
    app = _as(live_url, "pc.one")
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: case_ready(app))
        key = SLOT_KEYS[_row(app, EXTEND)]
        await pilot.press("x")
        await settle(pilot, is_screen(app, "BlockedScreen"))
        given = [b for _, blocks in app.screen.sections for b in blocks if b.lifted_by]
        assert [b.remedy for b in given] == [
            f"propose it for another person to authorise: “{EXTEND}” in the list, key {key}"
        ]
        shown = words(" ".join(_rendered(w) for w in app.screen.query(Static)))
        assert "casetracker case propose" not in shown
        assert f"“{EXTEND}” in the list, key {key}" in shown
    with closing(Casetracker(live_url)) as ct:
        _, options = ct.options("C-0000001")
    direct = next(o for o in options if o.spec.name == "extend_detention")
    assert [b.remedy for b in direct.blocks if b.lifted_by] == [
        "propose it (`casetracker case propose CASE extend_detention`) for another person to "
        "authorise"
    ]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
@run_async
async def test_the_proposal_forms_title_is_whole(demo_url, size):
    """A title longer than the dialog wraps inside it (at 80 columns it was cut at "C-")."""
    app = CasetrackerApp(demo_url, as_user="io.demo", open_case=CASE)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: case_ready(app))
        await _take(pilot, PROPOSE)
        await settle(pilot, is_screen(app, "ActionFormScreen"))
        title = app.screen.query_one(".dialog-title", Label)
        dialog = title.parent
        assert title.region.right <= dialog.content_region.right  # nothing clipped
        assert words(_rendered(title)) == f"{PROPOSE} — {CASE} · Detention"
        assert title.size.height == (2 if size[0] < 120 else 1)
