"""The state of every lifecycle of a case, in definition order, terminal states dimmed."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from casetracker.domain.case_view import CaseView


def state_label(flow, workflow: str, version: int, state: str) -> tuple[str, bool]:
    spec = flow.specs.get((workflow, version))
    found = spec.state(state) if spec else None
    return (found.label, found.terminal) if found else (state, False)


class LifecycleStates(Static):
    DEFAULT_CSS = """
    LifecycleStates {
        border: round $secondary;
        padding: 0 1;
        height: auto;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = "lifecycles"

    def show(self, flow, view: CaseView, highlight: str = "") -> None:
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True)
        table.add_column()
        order = {name: i for i, name in enumerate(flow.latest)}
        instances = sorted(
            view.instances.values(), key=lambda i: (order.get(i.workflow, 99), i.number)
        )
        for inst in instances:
            label, terminal = state_label(flow, inst.workflow, inst.version, inst.state)
            spec = flow.specs.get((inst.workflow, inst.version))
            name = (spec.label if spec else inst.workflow) + (
                f" #{inst.number}" if inst.number else ""
            )
            style = "bold reverse" if inst.key == highlight else ("dim" if terminal else "")
            table.add_row(Text(name, style=style or "bold"), Text(label, style=style))
        self.update(table if instances else Text("(nothing recorded yet)", style="dim"))
