"""A form for one action, built from its definition: one typed input per field.

The workflow definition is the only place an action's fields are stated, so the form, the CLI
and the service validate alike (``casetracker.domain.fields``).  Everything is checked before the
form closes — each field's type, the required ones, and the effective time (defaulting to now, never
in the future) — and the screen that opened it records the action with the version it showed,
so a concurrent change is caught as a conflict instead of overwritten.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from casetracker.domain import clock
from casetracker.domain.effective_time import EffectiveTime, EffectiveTimeError, parse
from casetracker.domain.engine import Option
from casetracker.domain.errors import UsageError
from casetracker.domain.fields import validate_fields
from casetracker.domain.vocabulary import FieldSpec, FieldType
from casetracker.presenters.labels import lifecycle_label

EFFECTIVE_HELP = "when it happened: now, 2016-06-24T09:30, 2016-06-24, 2010-12 or a range A..B"


def field_widget(spec: FieldSpec) -> Any:
    wid = f"f-{spec.name}"
    if spec.type == FieldType.BOOLEAN:
        return Checkbox(spec.label or spec.name, id=wid)
    if spec.type == FieldType.CHOICE:
        return Select([(c.replace("_", " "), c) for c in spec.choices], id=wid, allow_blank=True)
    placeholder = {
        FieldType.DATE: "YYYY-MM-DD",
        FieldType.DATETIME: "YYYY-MM-DDTHH:MM",
        FieldType.INTEGER: "a whole number",
        FieldType.CHOICES: "comma separated: " + ", ".join(spec.choices),
        FieldType.TEXT_LIST: "comma separated",
    }.get(spec.type, "")
    kind: Literal["integer", "text"] = "integer" if spec.type == FieldType.INTEGER else "text"
    return Input(placeholder=placeholder, id=wid, type=kind)


class ActionFormScreen(ModalScreen[tuple[dict[str, Any], str] | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close without recording"),
        Binding("ctrl+s", "submit", "Record", id="form.submit", tooltip="Check and record"),
    ]
    HELP = (
        "Fill the fields (* = required) and the effective time, then ctrl+s or the Record "
        "button.  Nothing is written until every value checks out."
    )

    def __init__(
        self,
        option: Option,
        case_id: str,
        opened: EffectiveTime | None = None,
        record: str | None = None,
    ) -> None:
        """``record``: the record named in the title, when not the option's own ("" for none:
        an action on several cases is on whichever record each case has)."""
        super().__init__()
        self.option = option
        self.case_id = case_id
        self.opened = opened  # when the case's first event happened: earlier is likely a slip
        self.record = record

    def _record(self) -> str:
        """The record the action is on, as the actions pane names it ("Encounter #1")."""
        if self.record is not None:
            return self.record
        flow = self.app.service.flow  # type: ignore[attr-defined]
        return lifecycle_label(flow, self.option.workflow, self.option.number)

    def compose(self) -> ComposeResult:
        spec = self.option.spec
        with Vertical(classes="dialog wide", id="action-form"):
            record = self._record()
            where = f"{self.case_id} · {record}" if record else self.case_id
            yield Label(f"{spec.label} — {where}", classes="dialog-title")
            notes = " · ".join(
                p for p in (spec.help, f"report: {spec.cites}" if spec.cites else "") if p
            )
            if notes:
                yield Static(Text(notes, style="italic"), classes="dialog-note")
            with VerticalScroll(id="form-fields"):
                for field in spec.fields:
                    if field.type != FieldType.BOOLEAN:
                        star = " *" if field.required else ""
                        yield Label(Text(f"{field.label or field.name}{star}", style="bold"))
                    yield field_widget(field)
                    if field.help:
                        yield Static(Text(field.help, style="dim"), classes="field-help")
                yield Label(Text("Effective time *", style="bold"))
                yield Input(value="now", id="effective", placeholder=EFFECTIVE_HELP)
                yield Static(Text(EFFECTIVE_HELP, style="dim"), classes="field-help")
            if spec.irreversible:
                yield Static(
                    Text("⚠ irreversible: you will be asked to confirm", style="bold yellow")
                )
            yield Static("", id="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Record (ctrl+s)", variant="primary", id="submit")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        first = self.query("#form-fields Input, #form-fields Select, #form-fields Checkbox").first()
        first.focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field in self.option.spec.fields:
            widget = self.query_one(f"#f-{field.name}")
            if isinstance(widget, Checkbox):
                if widget.value:
                    out[field.name] = True
            elif isinstance(widget, Select):
                if not widget.is_blank():
                    out[field.name] = widget.value
            elif isinstance(widget, Input) and widget.value.strip():
                out[field.name] = widget.value.strip()
        return out

    def check(self) -> tuple[dict[str, Any], str] | str:
        """The values and effective time, or the first problem in words."""
        values = self.values()
        try:
            validate_fields(self.option.spec, values)
        except UsageError as exc:
            return str(exc)
        effective = self.query_one("#effective", Input).value.strip() or "now"
        try:
            parse(effective, clock.now())
        except EffectiveTimeError as exc:
            return str(exc)
        return values, effective

    def action_submit(self) -> None:
        checked = self.check()
        error = self.query_one("#form-error", Static)
        if isinstance(checked, str):
            error.update(Text(f"✗ {checked}", style="bold red"))
            return
        error.update("")
        warnings = []
        when = parse(checked[1], clock.now())
        if self.opened is not None and when.end <= self.opened.start:
            warnings.append(
                f"It is dated {when.display()}, before anything else on {self.case_id} "
                f"(which starts {self.opened.display()})."
            )
        if self.option.spec.irreversible:
            warnings.append(f"{self.case_id}: the event is permanent in the case's hash chain.")
        if not warnings:
            self.dismiss(checked)
            return
        from tui.screens.confirm import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.dismiss(checked)

        title = "this cannot be undone" if self.option.spec.irreversible else "check the date"
        self.app.push_screen(
            ConfirmScreen(f"{self.option.spec.label}: {title}", " ".join(warnings)), confirmed
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "submit":
            self.action_submit()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "effective":
            self.action_submit()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(None)
