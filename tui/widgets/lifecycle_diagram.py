"""A lifecycle drawn in text: every state, the current one highlighted, and where it can go.

Drawn from the same definition the engine runs (``workflows``), so the picture cannot drift
from the rules.  Terminal states are marked ■; the actions leaving the current state are listed
beneath it, which is what an auditor asks of a step: where was it, and what could follow.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from casetracker.domain.vocabulary import NEW, WorkflowSpec


def render_lifecycle(spec: WorkflowSpec, current: str | None) -> Text:
    text = Text()
    text.append(f"{spec.label} (v{spec.version})\n", style="bold underline")
    states = [(NEW, "(not started)")] if spec.many else []
    states += [(s.name, s.label + (" ■" if s.terminal else "")) for s in spec.states]
    for name, label in states:
        if name == current:
            text.append(f" ▶ {label} \n", style="bold reverse")
            for action in spec.actions:
                if name in action.sources and action.dest != name:
                    dest = spec.state(action.dest)
                    text.append(
                        f"     └ {action.label} → {dest.label if dest else action.dest}\n",
                        style="green",
                    )
        else:
            text.append(f"   {label}\n", style="dim")
    return text


class LifecycleDiagram(Static):
    DEFAULT_CSS = """
    LifecycleDiagram {
        border: round $primary;
        padding: 0 1;
        height: auto;
    }
    """

    def show(self, spec: WorkflowSpec | None, current: str | None, title: str = "") -> None:
        self.border_title = title or "diagram"
        self.update(
            render_lifecycle(spec, current) if spec else Text("(no lifecycle)", style="dim")
        )
