"""Audit mode: step through a case's history, read-only (Dolphie's replay mode).

At each step the auditor sees the event (both times, who, what it recorded, the payload's hash
and the link to the one before), whether the chain verifies up to that event (the service's
walk of the case, ``casetracker.services.case_integrity``, as ``verify`` walks), every
lifecycle's state as it then stood, and the diagram of the lifecycle the event moved with its
state highlighted.  What an event recorded is its payload's ``fields``; personal data never
enters the log (``casetracker.adapters.subjects``), so for those the panel says which were kept out
rather than showing their digests.  The panel scrolls (tab reaches it) when the terminal is
too small for it all.
``[`` and ``]`` step, ``p`` plays, ``@`` jumps to the case as of an effective date (what was
true then) and ``R`` to the record as it stood at a moment (what the record said then); such
a view says so in the event panel, and ``c`` (shown in the key bar only then) goes back to the
case as it stands now.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from casetracker.domain.events import RecordedEvent
from casetracker.presenters.labels import (
    RULE_LABELS,
    choice_label,
    field_label,
    lifecycle_label,
    readable_text,
    role_label,
)
from casetracker.presenters.text import effective_text, recorded_time
from casetracker.services.case_integrity import CaseCheck, verify_case
from tui.messages import Loaded
from tui.screens.base import SessionScreen
from tui.widgets.lifecycle_diagram import LifecycleDiagram
from tui.widgets.lifecycle_states import LifecycleStates
from tui.widgets.timeline import Timeline, action_label


def payload_rows(event: RecordedEvent, flow: Any = None) -> list[tuple[str, Text | Table]]:
    """The rows of the event panel that say what the event recorded: its fields, the personal
    fields kept out of the log (named, never their digests), the reason given, the rules it
    was checked against and where a copy came from.  Given the definitions (``flow``), fields
    are named as the event's action labels them (``reason`` is "Reason" on one action, "Why
    the record was wrong" on another), rules by their labels, and a choice such as
    ``fraud_or_forgery`` is read out ("fraud or forgery"); the stored identifiers are in the
    CLI's ``case history --json``."""
    payload = event.data

    def name_of(name: str) -> str:
        if flow is None:
            return _spaced(name)
        return field_label(flow, event.workflow, event.workflow_version, event.action, name)

    rows: list[tuple[str, Text | Table]] = []
    fields = payload.get("fields") or {}
    if fields:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column()
        for name, value in fields.items():
            shown = _value(value)
            if isinstance(value, str) and _CHOICE.fullmatch(value):
                shown = choice_label(value)  # a choice, e.g. fraud_or_forgery, non_eea
            elif isinstance(value, str | list) and flow is not None:
                shown = readable_text(flow, shown)
            table.add_row(name_of(name), Text(shown, style="bold"))
        rows.append(("fields", table))
    else:
        rows.append(("fields", Text("none recorded", style="dim italic")))
    personal = payload.get("personal") or {}
    if personal:
        names = ", ".join(name_of(name) for name in personal)
        rows.append(
            (
                "personal",
                Text.assemble(
                    (names, "bold"),
                    ": kept out of the log — the event holds only salted digests; the values "
                    "are in the erasable subject record",
                ),
            )
        )
    if payload.get("justification"):
        rows.append(("reason", Text(str(payload["justification"]))))
    if payload.get("checked"):
        checked = [RULE_LABELS.get(rule, _spaced(rule)) for rule in payload["checked"]]
        rows.append(("checked", Text("; ".join(checked), style="dim")))
    if payload.get("provenance"):
        rows.append(("from", Text(_value(payload["provenance"]), style="dim")))
    return rows


_CHOICE = re.compile(r"[a-z]+(_[a-z]+)*")


def _spaced(name: str) -> str:
    return name.replace("_", " ")


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class AuditScreen(SessionScreen):
    AUTO_FOCUS = "#audit-timeline"
    HELP = (
        "Read-only history.  [ and ] step back and forward, p plays and pauses, g/G go to the "
        "first and last event, @ shows the case as of an effective date, R as the record "
        "stood at a moment, c clears that view; a opens the access log.  The panel at the top "
        "shows what the event recorded; tab moves to it, and ↑/↓ scroll it when it does not fit."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "left_square_bracket", "step(-1)", "Back", id="audit.prev", tooltip="Previous event"
        ),
        Binding(
            "right_square_bracket", "step(1)", "Forward", id="audit.next", tooltip="Next event"
        ),
        Binding("p", "play", "Play/pause", id="audit.play", tooltip="Play the history"),
        Binding(
            "at", "as_of", "As of…", id="audit.as_of", tooltip="The case as of an effective date"
        ),
        Binding(
            "R",
            "recorded_as_of",
            "Recorded as of…",
            id="audit.recorded_as_of",
            tooltip="The record as it stood then",
        ),
        Binding(
            "c",
            "clear_as_of",
            "Clear as-of",
            id="audit.clear_as_of",
            tooltip="Back from an as-of view to the case as it stands now",
        ),
        Binding("a", "access_log", "Access log", id="audit.access", tooltip="Who read this case"),
    ]

    def __init__(self, case_id: str) -> None:
        super().__init__()
        self.case_id = case_id
        self.TITLE_TEXT = f"audit {case_id} (read-only)"
        self.events: list[RecordedEvent] = []
        self.chain: list[bool] = []
        self.index = 0
        self.timer: Any = None
        self.note = ""

    def compose(self) -> ComposeResult:
        yield self.header()
        with VerticalScroll(id="audit-event-box", classes="panel"):
            yield Static("", id="audit-event")
        with Horizontal(id="audit-middle"):
            with VerticalScroll(id="audit-states-box"):
                yield LifecycleStates(id="audit-states")
            with VerticalScroll(id="audit-diagram-box"):
                yield LifecycleDiagram(id="audit-diagram")
        yield Timeline(id="audit-timeline")
        yield self.footer()

    def on_mount(self) -> None:
        self.loading = True
        self.run_db("history", self._read, self.service, self.case_id)

    @staticmethod
    def _read(service: Any, case_id: str) -> tuple[list[RecordedEvent], CaseCheck]:
        """The history (a logged read) and the service's check of the case's chain."""
        return service.history(case_id), verify_case(service, case_id)

    def on_loaded(self, message: Loaded) -> None:
        if message.what == "history":
            self.loading = False
            self.events, check = message.data
            self.chain = [check.verifies_through(e.seq) for e in self.events]
            self.query_one(Timeline).show(self.service.flow, self.events)
            self.go(len(self.events) - 1)
            self.query_one(Timeline).focus()
        elif message.what == "replay":
            view, chosen, label = message.data
            last = chosen[-1].seq if chosen else 0
            self.set_note(f"{label}: {len(chosen)} of {len(self.events)} events")
            index = next((i for i, e in enumerate(self.events) if e.seq == last), 0)
            self.go(index, view)

    def go(self, index: int, view: Any = None) -> None:
        if not self.events:
            return
        self.index = max(0, min(index, len(self.events) - 1))
        flow = self.service.flow
        event = self.events[self.index]
        if view is None:
            self.set_note("")
            view = flow.fold(self.case_id, self.events[: self.index + 1], strict=False)
        key = event.workflow if not event.instance else f"{event.workflow}#{event.instance}"
        self.query_one(LifecycleStates).show(flow, view, highlight=key)
        instance = view.instances.get(key)
        spec = flow.specs.get((event.workflow, event.workflow_version))
        self.query_one(LifecycleDiagram).show(
            spec,
            instance.state if instance else None,
            lifecycle_label(flow, event.workflow, event.instance or 0),
        )
        self.query_one("#audit-event", Static).update(self.describe(event))
        self.query_one("#audit-event-box", VerticalScroll).scroll_home(animate=False)
        timeline = self.query_one(Timeline)
        if timeline.row_count:
            timeline.move_cursor(row=self.index, reveal=True)

    def describe(self, event: RecordedEvent) -> Table:
        """What an auditor asks of an event, most asked first (what, who, when, whether the
        chain holds and the event's hash, what it recorded), the previous hash last: at 80×24
        the rest scrolls."""
        ok = self.chain[self.index]
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        grid.add_row(
            "event",
            Text.assemble(
                (f"{event.seq} of {len(self.events)}", "bold"),
                ("  ", ""),
                (action_label(self.service.flow, event), "bold"),
            ),
        )
        grid.add_row("by", f"{event.actor_user} ({role_label(event.actor_role)})")
        grid.add_row("happened", effective_text(event.effective))
        grid.add_row(
            "recorded",
            Text.assemble(
                recorded_time(event.recorded, seconds=True),
                (f"  (stored {event.recorded})", "dim"),
            ),
        )
        grid.add_row(
            "chain",
            Text("✓ verifies from the first event to this one", style="bold green")
            if ok
            else Text("✗ DOES NOT VERIFY: altered or out of order", style="bold white on red"),
        )
        grid.add_row("hash", Text(event.hash, style="bold"))  # near the top: seen at 80×24 too
        if self.note:
            grid.add_row(
                "view",
                Text.assemble((self.note, "bold yellow"), ("  (c: back to now)", "dim")),
            )
        for label, value in payload_rows(event, self.service.flow):
            grid.add_row(label, value)
        grid.add_row("previous", event.prev_hash)
        return grid

    # ------------------------------------------------------------ keys

    def action_step(self, step: int) -> None:
        self.go(self.index + step)

    def on_row_table_row_highlighted(self, event: Timeline.RowHighlighted) -> None:
        """The user moved along the timeline (j/k, g/G); events from our own moves, which
        arrive after the cursor has moved on, are ignored."""
        current = self.query_one(Timeline).cursor_row
        if self.events and event.cursor_row == current and current != self.index:
            self.go(current)

    def action_play(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
            self.notify("paused", timeout=1.5)
            return
        if self.index >= len(self.events) - 1:
            self.go(0)
        self.timer = self.set_interval(0.8, self._tick)

    def _tick(self) -> None:
        if self.index >= len(self.events) - 1:
            if self.timer is not None:
                self.timer.stop()
            self.timer = None
            return
        self.go(self.index + 1)

    def _ask(self, title: str, placeholder: str, recorded: bool) -> None:
        from tui.screens.prompt import PromptScreen

        def asked(value: str | None) -> None:
            if value and value.strip():
                self.run_db(
                    "replay", self._replay, self.service, self.case_id, value.strip(), recorded
                )

        self.app.push_screen(PromptScreen(title, placeholder), asked)

    @staticmethod
    def _replay(service: Any, case_id: str, when: str, recorded: bool) -> tuple[Any, Any, str]:
        if recorded:
            view, chosen = service.replay(case_id, recorded_as_of=when)
            return view, chosen, f"the record as it stood at {when}"
        view, chosen = service.replay(case_id, as_of=when)
        return view, chosen, f"as of {when} (effective)"

    def action_as_of(self) -> None:
        self._ask("The case as of an effective date", "e.g. 2014-01-01 or 2016-06", False)

    def action_recorded_as_of(self) -> None:
        self._ask("The record as it stood at a moment", "e.g. 2026-11-26T12:00", True)

    def set_note(self, note: str) -> None:
        """Say which view the panel shows ("" for the case event by event); the key bar offers
        ``c`` only while an as-of view is shown."""
        if note != self.note:
            self.note = note
            self.refresh_bindings()

    def action_clear_as_of(self) -> None:
        """Leave an as-of view: the case as it stands now, at its last event."""
        if self.note:
            self.go(len(self.events) - 1)
            self.notify("the case as it stands now", timeout=3)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "access_log":
            return self.may_read_access_log
        if action == "clear_as_of":
            return bool(self.note)
        return True

    def action_access_log(self) -> None:
        from tui.screens.access_log import AccessLogScreen

        self.app.push_screen(AccessLogScreen(self.case_id))

    def commands(self) -> list[tuple[str, Any, str]]:
        return [
            ("audit: play", self.action_play, "play the history, one event at a time"),
            ("audit: as of a date…", self.action_as_of, "what was true on a date"),
            ("audit: recorded as of…", self.action_recorded_as_of, "what the record said then"),
            *(
                [("audit: clear as-of view", self.action_clear_as_of, "the case as it is now")]
                if self.note
                else []
            ),
            *(
                [("view: access log", self.action_access_log, "who read this case")]
                if self.may_read_access_log
                else []
            ),
        ]
