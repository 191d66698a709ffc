"""The lifecycle definitions: ``workflows list|show|diagram|migrate``."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from casetracker.cli.common import LARGEST_INTEGER, JsonOption, emit, state
from casetracker.domain.errors import UsageError
from casetracker.domain.vocabulary import WorkflowSpec, in_sentence

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
            raise UsageError(f"case {case_id} has no {in_sentence(spec.label)} to highlight")
    typer.echo(mermaid(spec, current))


def _spec(name: str, version: int | None) -> WorkflowSpec:
    from casetracker.services.registry import workflow_engine

    flow = workflow_engine()
    if name not in flow.latest:
        raise UsageError(f"unknown lifecycle {name!r} (see `casetracker workflows list`)")
    if version is not None and (name, version) not in flow.specs:
        raise UsageError(f"{name} has no version {version}")
    return flow.spec(name, version)


@workflows_app.command("migrate")
def workflows_migrate(
    ctx: typer.Context,
    workflow: str,
    to: Annotated[
        int, typer.Option("--to", help="The version to move to", min=1, max=LARGEST_INTEGER)
    ],
    case: Annotated[
        list[str] | None, typer.Option("--case", help="Only this case (repeatable); default all")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would differ; record nothing")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Move cases' instances of WORKFLOW to version --to (admins): each instance's history is
    replayed under the new version and every difference shown; without --dry-run one
    migration event is recorded per instance.  Exits 1 if any case could not be moved."""
    from casetracker.services.definition_migration import migrate

    with closing(state(ctx).service()) as ct:
        plans = migrate(ct, workflow, to, case or None, dry_run=dry_run)
        lines: list[str] = []
        for plan in plans:
            if not plan.instances:
                continue
            verdict = "moved" if plan.moved else ("would move" if plan.movable else "NOT movable")
            lines.append(f"{plan.case_id}: {verdict}")
            for found in plan.instances:
                target = found.new_state or "no state"
                lines.append(
                    f"  {found.key}: v{found.from_version} {found.state} -> "
                    f"v{found.to_version} {target}"
                )
                lines.extend(f"    {d}" for d in found.differences)
        if not lines:
            lines = [f"no case has {workflow} on a version before {to}"]
        data = {
            "workflow": workflow,
            "to_version": to,
            "dry_run": dry_run,
            "cases": [
                {
                    "case_id": p.case_id,
                    "movable": p.movable,
                    "moved": p.moved,
                    "instances": [i.__dict__ for i in p.instances],
                }
                for p in plans
                if p.instances
            ],
        }
        emit(data, json_out, lines, ct.realm)
    if any(p.instances and not p.movable for p in plans):
        raise typer.Exit(1)
