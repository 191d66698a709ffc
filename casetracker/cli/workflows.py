"""The lifecycle definitions: ``workflows list|show|diagram``."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from casetracker.cli.common import LARGEST_INTEGER, JsonOption, emit, state
from casetracker.domain.errors import UsageError
from casetracker.domain.vocabulary import WorkflowSpec

workflows_app = typer.Typer(
    help="The lifecycle definitions and their diagrams.", no_args_is_help=True
)


@workflows_app.command("list")
def workflows_list(json_out: JsonOption = False) -> None:
    """Every lifecycle, its version and what it covers."""
    from casetracker.services.registry import workflow_engine

    specs = list(workflow_engine().latest.values())
    data = {
        "workflows": [
            {
                "name": w.name,
                "version": w.version,
                "label": w.label,
                "many": w.many,
                "states": len(w.states),
                "actions": len(w.actions),
                "cites": w.cites,
            }
            for w in specs
        ]
    }
    lines = [f"{w.name:<14} v{w.version}  {w.label:<34} {w.cites}" for w in specs]
    emit(data, json_out, lines)


@workflows_app.command("show")
def workflows_show(
    name: str,
    version: Annotated[
        int | None,
        typer.Option(help="A given version (default: latest)", min=0, max=LARGEST_INTEGER),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """States, actions, roles, fields and guards of one lifecycle."""
    from casetracker.presenters.text import spec_json, spec_lines

    spec = _spec(name, version)
    emit(spec_json(spec), json_out, spec_lines(spec))


@workflows_app.command("diagram")
def workflows_diagram(
    ctx: typer.Context,
    name: str,
    case_id: Annotated[
        str | None, typer.Option("--case", help="Highlight this case's state")
    ] = None,
    instance: Annotated[
        int | None,
        typer.Option(help="Which encounter / claim of the case", min=0, max=LARGEST_INTEGER),
    ] = None,
) -> None:
    """The lifecycle as a Mermaid state diagram, a case's current state highlighted."""
    from casetracker.domain.case_view import instance_key
    from casetracker.presenters.diagrams import mermaid

    spec = _spec(name, None)
    current = None
    if case_id:
        with closing(state(ctx).service()) as ct:
            view, _ = ct.replay(case_id)
        found = view.of(name)
        if instance is not None:
            found = [i for i in found if i.key == instance_key(name, instance)]
        if found:
            spec, current = ct.flow.spec(name, found[-1].version), found[-1].state
        elif not spec.many:
            current = spec.initial  # nothing recorded yet: the lifecycle is where it starts
        else:
            raise UsageError(f"case {case_id} has no {spec.label.lower()} to highlight")
    typer.echo(mermaid(spec, current))


def _spec(name: str, version: int | None) -> WorkflowSpec:
    from casetracker.services.registry import workflow_engine

    flow = workflow_engine()
    if name not in flow.latest:
        raise UsageError(f"unknown lifecycle {name!r} (see `casetracker workflows list`)")
    if version is not None and (name, version) not in flow.specs:
        raise UsageError(f"{name} has no version {version}")
    return flow.spec(name, version)
