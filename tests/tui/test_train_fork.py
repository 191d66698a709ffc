"""A training fork is continued in the TUI: ``c`` after ``f`` opens the training database at
its user picker and then the fork, where a user of any role acts on it; F6 keeps it open."""

from __future__ import annotations

from contextlib import closing

from textual.widgets import Input, OptionList

from casetracker.services.cases import Casetracker
from casetracker.services.training.sandbox import default_training_url
from tests.tui.conftest import run_async, screen_text, settle
from tests.tui.test_journeys import case_ready, choose, record
from tui.app import CasetrackerApp, Run, next_run

SIZE = (120, 40)


@run_async
async def test_a_fork_made_in_train_mode_is_continued_in_the_tui(demo_url):
    app = CasetrackerApp(demo_url, as_user="trainer.demo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: type(app.screen).__name__ == "TrainScreen")
        screen = app.screen
        scenarios = screen.query_one("#scenarios", OptionList)
        await settle(pilot, lambda: scenarios.option_count > 0)
        ids = [scenarios.get_option_at_index(i).id for i in range(scenarios.option_count)]
        scenarios.highlighted = ids.index("figure-2")
        await pilot.press("enter")
        await settle(pilot, lambda: screen.result is not None)
        assert "Continue fork" not in screen_text(app)  # nothing forked yet
        await pilot.press("right_square_bracket", "right_square_bracket", "f")
        await settle(pilot, lambda: bool(screen.fork_id))
        assert "Continue fork" in screen_text(app)
        assert any("press c to continue it here" in n.message for n in app.notices)
        await pilot.press("c")
        await settle(pilot, lambda: app.return_value is not None)
    fork = screen.fork_id
    training = default_training_url()
    assert app.return_value == ("continue-fork", training, fork)
    run = next_run(app.return_value, Run(demo_url, "trainer.demo"))
    assert run == Run(training, None, None, fork)  # the training database's user picker

    # a user picked there (here: the immigration officer) lands on the fork and acts on it
    with closing(Casetracker(training, as_user="audit.demo")) as reader:
        before = len(reader.history(fork))
    again = CasetrackerApp(run.url, "io.demo", None, run.open_case)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: case_ready(again) and again.screen.case_id == fork)
        assert "TRAINING" in screen_text(again)
        await choose(pilot, "add_note")
        again.screen.query_one("#f-text", Input).value = "what if the ETD had been refused?"
        await record(pilot)
        await settle(
            pilot, lambda: case_ready(again) or type(again.screen).__name__ == "ResultScreen"
        )
        again.action_switch_user()
        await settle(pilot, lambda: again.return_value is not None)
    with closing(Casetracker(training, as_user="audit.demo")) as reader:
        events = reader.history(fork)
    assert len(events) == before + 1 and events[-1].action == "add_note"
    assert events[-1].actor_user == "io.demo"
    # F6 there: the picker again, the fork still the case to open
    assert next_run(again.return_value, run) == Run(training, None, None, fork)
