"""Live facts of a case: PACE countdowns (ticking), the High Harm flag with the criteria met,
absconder listings, undecided claims and the travel document.  A clock's expiry is in UK local
time, as the case's effective times are.

Computed from the folded case by ``casetracker.domain.case_facts`` every second, so the countdown is
what the guards would see at that moment; nothing here is stored.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from rich.text import Text
from textual.timer import Timer
from textual.widgets import Static

from casetracker.domain import clock
from casetracker.domain.case_facts import Clock, case_facts
from casetracker.domain.case_view import CaseView
from casetracker.presenters.labels import choice_label, lifecycle_label, readable_text
from casetracker.presenters.text import clock_line, counted


class CaseFactsPanel(Static):
    DEFAULT_CSS = """
    CaseFactsPanel {
        border: round $warning;
        padding: 0 1;
        height: auto;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.view: CaseView | None = None
        self.border_title = "clocks and flags"
        self.timer: Timer | None = None

    def on_mount(self) -> None:
        self.timer = self.set_interval(1.0, self.tick)

    def pause(self) -> None:
        """Stop ticking while the case is not on screen (the screen is kept for the next)."""
        if self.timer is not None:
            self.timer.pause()

    def resume(self) -> None:
        """Tick again (``show`` has drawn the case being shown, so no draw is needed now)."""
        if self.timer is not None:
            self.timer.resume()

    def show(self, view: CaseView) -> None:
        self.view = view
        self.tick()

    def _readable(self, found: Clock) -> Clock:
        """The clock with its encounter named by the definition's label ("Encounter #1")."""
        workflow, _, number = found.encounter.partition("#")
        flow = self.app.service.flow  # type: ignore[attr-defined]
        named = lifecycle_label(flow, workflow, int(number) if number.isdecimal() else 0)
        return dataclasses.replace(found, encounter=named)

    def tick(self) -> None:
        if self.view is None:
            return
        facts = case_facts(self.view, clock.now())
        text = Text()
        for c in facts.clocks:
            s = c.status
            style = (
                "bold red"
                if s.expired or (s.running and s.remaining.total_seconds() < 7200)
                else "bold"
            )
            text.append(clock_line(self._readable(c)) + "\n", style=style)
        harm = facts.high_harm
        if harm is not None and harm.met:
            text.append(" HIGH HARM ", style="bold white on red")
            text.append(" (fn 8)\n")
            flow = self.app.service.flow  # type: ignore[attr-defined]
            for criterion in harm.criteria:
                evidence = readable_text(flow, criterion.evidence)
                text.append(f"  • {choice_label(criterion.name)}: {evidence}\n")
        elif harm is not None:
            text.append("High Harm threshold not met\n", style="dim")
        if facts.listed_absconder:
            text.append(
                f"⚑ listed absconder (listed {counted(facts.absconder_listings, 'time')})\n",
                style="bold yellow",
            )
        for claim in facts.pending_claims:
            text.append(f"⚖ pending: {claim}\n", style="yellow")
        if facts.travel_document:
            text.append(facts.travel_document + "\n")
        text.rstrip()
        self.update(text if text.plain else Text("no clocks running, no flags", style="dim"))
