"""Train mode: play one of the report's case studies step by step, with narration.

Picking a scenario plays it into the training database (``casetracker.services.training.player``:
every step through the real service, as the role's seeded training user, so the rules are the live
ones); the trainer then steps through the outcomes with ``[`` and ``]`` or plays them with
``p``: the narration and the report paragraph it comes from, every lifecycle's state, the
clocks, and why removal is or is not possible yet.  ``f`` forks the case at the current step
(``casetracker.services.training.sandbox.fork``) to try "what if?" in the training database,
and ``c`` continues the fork there: the app opens the training database's user picker, and the
fork once a user (any role) is picked; F6 picks another user with the fork kept open.
Everything on this screen is marked TRAINING.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option as ListOption

from casetracker import paths
from casetracker.domain.deadlines import WORK
from casetracker.presenters.labels import label_of, readable_text, record_state, role_label
from casetracker.presenters.text import counted
from tui.messages import Failed, Loaded
from tui.screens.base import SessionScreen
from tui.widgets.pick_list import PickList


class TrainScreen(SessionScreen):
    AUTO_FOCUS = "#scenarios"
    TITLE_TEXT = "train"
    HELP = (
        "Pick a case study and press enter: it is played into the TRAINING database.  Then [ "
        "and ] step, p plays, f forks the case at this step to try another course."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket", "step(-1)", "Back", id="train.prev", tooltip="Previous step"
        ),
        Binding("right_square_bracket", "step(1)", "Forward", id="train.next", tooltip="Next step"),
        Binding("p", "play", "Play/pause", id="train.play", tooltip="Play the steps"),
        Binding("f", "fork", "Fork here", id="train.fork", tooltip="Fork the case at this step"),
        Binding(
            "c",
            "continue_fork",
            "Continue fork",
            id="train.continue_fork",
            tooltip="Open the fork just made in the training database, as a user you pick",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.result: Any = None
        self.index = 0
        self.timer: Any = None
        self.fork_id = ""  # the last fork made here, which c continues

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static(
            "TRAINING — synthetic case studies, played into the training database",
            id="train-banner",
        )
        with Horizontal(id="train-body"):
            yield PickList(id="scenarios", help="plays the highlighted scenario")
            with VerticalScroll(id="train-main"):
                yield Static(
                    "Pick a scenario on the left and press enter.", id="train-step", classes="panel"
                )
                yield Static("", id="train-state", classes="panel")
        yield self.footer()

    def on_mount(self) -> None:
        self.run_db("scenarios", self._list)

    @staticmethod
    def _list() -> list[tuple[str, str]]:
        from casetracker.services.training.scenarios import available, load

        return [(name, load(name).title) for name in available()]

    def on_loaded(self, message: Loaded) -> None:
        if message.what == "scenarios":
            options = self.query_one("#scenarios", OptionList)
            for name, title in message.data:
                options.add_option(
                    ListOption(Text.assemble((name, "bold"), "\n", (title, "dim")), id=name)
                )
            if options.option_count:
                options.highlighted = 0
        elif message.what == "play":
            self.played()
            self.result = message.data
            self.go(0)
        elif message.what == "fork":
            new_id, copied, hint = message.data
            self.fork_id = new_id
            self.refresh_bindings()
            self.notify(
                f"forked as {new_id} in the training database ({counted(copied, 'event')} "
                f"copied): press c to continue it here, or outside the TUI with {hint}",
                title="TRAINING fork",
                timeout=12,
            )

    def on_failed(self, message: Failed) -> None:
        if message.what == "play":
            self.played()
        super().on_failed(message)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Play it; only the story pane shows it is busy, so the list keeps the keyboard."""
        self.query_one("#train-main").loading = True
        self.run_db("play", self._play, event.option.id)

    def played(self) -> None:
        """The play is over: the list has the keyboard again (j/k, enter plays another)."""
        self.query_one("#train-main").loading = False
        self.query_one("#scenarios", OptionList).focus()

    @staticmethod
    def _play(name: str) -> Any:
        from casetracker.services.training.player import play_in_training

        return play_in_training(name)

    def go(self, index: int) -> None:
        if self.result is None or not self.result.outcomes:
            return
        outcomes = self.result.outcomes
        self.index = max(0, min(index, len(outcomes) - 1))
        outcome = outcomes[self.index]
        step = outcome.step
        flow = self.service.flow
        text = Text()
        text.append(f"{self.result.scenario.title}\n", style="bold")
        text.append(f"step {step.number} of {outcome.total}", style="bold reverse")
        text.append(
            f"  {step.effective.display()}  ·  {role_label(step.role)}: "
            f"{label_of(flow, step.action)}\n"
        )
        if step.narration:
            text.append(step.narration + "\n", style="italic")
        if step.cites:
            text.append(f"report: {step.cites}\n", style="dim")
        if outcome.refusal:
            text.append(
                f"refused, as the report's facts require: {readable_text(flow, outcome.refusal)}\n",
                style="yellow",
            )
        for line in outcome.failed:
            text.append(f"✗ {readable_text(flow, line)}\n", style="bold red")
        if outcome.held:
            text.append(f"✓ {counted(len(outcome.held), 'expectation')} held\n", style="green")
        panel = self.query_one("#train-step", Static)
        panel.border_title = f"TRAINING · {outcome.case_id}"
        panel.update(text)
        snap = outcome.snapshot
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        for key, state in snap.states.items():
            if key.partition("#")[0] == WORK:
                continue  # who holds an item: bookkeeping, not the story
            grid.add_row(*record_state(flow, key, state))
        for line in snap.clocks:
            grid.add_row("clock", readable_text(flow, line))
        for action, reasons in snap.removal_blocks.items():
            grid.add_row(label_of(flow, action), "; ".join(readable_text(flow, r) for r in reasons))
        state = self.query_one("#train-state", Static)
        state.border_title = "where the case stands"
        state.update(grid)

    def action_step(self, step: int) -> None:
        self.go(self.index + step)

    def action_play(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
            return
        if self.result is None:
            return
        self.timer = self.set_interval(1.2, self._tick)

    def _tick(self) -> None:
        if self.result is None or self.index >= len(self.result.outcomes) - 1:
            if self.timer is not None:
                self.timer.stop()
            self.timer = None
            return
        self.go(self.index + 1)

    def action_fork(self) -> None:
        if self.result is None:
            self.notify("play a scenario first", severity="warning")
            return
        outcome = self.result.outcomes[self.index]
        at = outcome.seq or max((o.seq or 0) for o in self.result.outcomes[: self.index + 1])
        self.run_db("fork", self._fork, outcome.case_id, at)

    @staticmethod
    def _fork(case_id: str, at: int) -> tuple[str, int, str]:
        """The fork, and the command line that continues it outside the TUI (in the worker:
        finding where its story stands reads the database)."""
        from casetracker.services.training.sandbox import continue_hint, fork_in_training

        new_id, copied = fork_in_training(case_id, at, "forked in the TUI")
        return new_id, copied, continue_hint(str(paths.training_db_path()), new_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "continue_fork":
            return bool(self.fork_id)
        return True

    def action_continue_fork(self) -> None:
        """Open the training database at its user picker, then the fork (``run_tui`` opens
        the app again there, so the header, the user and every rule are the training ones)."""
        if not self.fork_id:
            self.notify("fork a case first (f)", severity="warning")
            return
        from casetracker.services.training.sandbox import default_training_url

        self.app.exit(("continue-fork", default_training_url(), self.fork_id))

    def commands(self) -> list[tuple[str, Any, str]]:
        return [
            ("train: play", self.action_play, "play the steps"),
            ("train: fork here", self.action_fork, "fork the case at this step"),
            *(
                [(f"train: continue fork {self.fork_id}", self.action_continue_fork, "act on it")]
                if self.fork_id
                else []
            ),
        ]
