"""Lifecycle diagrams in Mermaid, drawn by ``transitions`` from the same definitions.

A diagram is built on demand (one small GraphMachine per drawing, never per case in the hot
path), with the case's current state highlighted when one is given.
"""

from __future__ import annotations

from typing import Any, cast

from transitions.extensions import GraphMachine

from casetracker.domain.vocabulary import NEW, WorkflowSpec


class _Drawing:
    """The throwaway model the diagram machine draws."""


def mermaid(spec: WorkflowSpec, current: str | None = None) -> str:
    """A ``stateDiagram-v2`` of the lifecycle; ``current`` is drawn as the active state."""
    states = [{"name": s.name, "label": s.label} for s in spec.states]
    if spec.many:
        states.insert(0, {"name": NEW, "label": "(new)"})
    model = _Drawing()
    machine = GraphMachine(
        model=model,
        states=[s["name"] for s in states],
        transitions=[
            {"trigger": a.name, "source": list(a.sources), "dest": a.dest, "label": a.name}
            for a in spec.actions
        ],
        initial=NEW if spec.many else spec.initial,
        auto_transitions=False,
        graph_engine="mermaid",
        show_state_attributes=False,
        title=f"{spec.label} (v{spec.version})",
    )
    if current is not None and current != machine.initial:
        machine.set_state(current, model=model)
    text = cast(Any, model).get_graph(force_new=True).draw(None)  # added by GraphMachine
    if current is None:  # a definition on its own has no current state to mark
        text = text.replace(" s_active\n", " s_default\n")
    for state in states:  # show each state's human label instead of its identifier
        name = state["name"]
        text = text.replace(f'state "{name}" as {name}', f'state "{state["label"]}" as {name}')
    return text
