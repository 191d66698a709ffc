"""Cases: ``case open|act|show|history|actions|timeline``, and ``replay``."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated, Any

import typer

from casetracker.cli.common import (
    LARGEST_INTEGER,
    EffectiveOption,
    FieldOption,
    JsonOption,
    emit,
    exact_text,
    one_line_text,
    require_acting_role,
    state,
)
from casetracker.services.registry import organisation

case_app = typer.Typer(help="Open cases, act on them, read them.", no_args_is_help=True)


@case_app.command("open")
def case_open(
    ctx: typer.Context,
    field: FieldOption = None,
    effective: EffectiveOption = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(help="Retry-safe key: a repeat is recorded once", callback=exact_text),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Open a case for a person (personal fields are kept erasable, outside the hash chain)."""
    from casetracker.domain.fields import parse_assignments

    values = parse_assignments(field or [])
    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        result = ct.open_case(values, effective, idempotency_key)
        emit(act_json(result), json_out, f"opened {result.case_id}", ct.realm)


@case_app.command("act")
def case_act(
    ctx: typer.Context,
    case_id: str,
    action: str,
    field: FieldOption = None,
    effective: EffectiveOption = None,
    instance: Annotated[
        int | None,
        typer.Option(
            help="Which encounter / claim (default: the one the action fits)",
            min=0,
            max=LARGEST_INTEGER,
        ),
    ] = None,
    expect_version: Annotated[
        int | None,
        typer.Option(
            help="Refuse if the case has moved past this version", min=0, max=LARGEST_INTEGER
        ),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(help="Retry-safe key: a repeat is recorded once", callback=exact_text),
    ] = None,
    reason: Annotated[
        str, typer.Option(help="Justification recorded with the event", callback=one_line_text)
    ] = "",
    json_out: JsonOption = False,
) -> None:
    """Record an action on a case, if its lifecycle allows it now."""
    from casetracker.domain.fields import parse_assignments

    values = parse_assignments(field or [])
    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        result = ct.act(
            case_id,
            action,
            values,
            effective,
            expected_version=expect_version,
            instance=instance,
            idempotency_key=idempotency_key,
            justification=reason,
        )
        event = result.events[-1]
        note = " (already recorded: idempotent retry)" if result.replayed else ""
        line = (
            f"{result.case_id} event {event.seq}: {action} -> {result.instance} is {result.state}"
        )
        emit(act_json(result), json_out, line + note, ct.realm)


@case_app.command("show")
def case_show(
    ctx: typer.Context,
    case_id: str,
    reason: Annotated[
        str | None,
        typer.Option(
            help="Why you need the personal data (logged); without it, it is withheld",
            callback=one_line_text,
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """The case now: every lifecycle's state, clocks and flags."""
    from casetracker.presenters.text import summary_json, summary_lines

    with closing(state(ctx).service()) as ct:
        summary = ct.show(case_id, reason)
        emit(summary_json(summary), json_out, summary_lines(summary), ct.realm)


@case_app.command("history")
def case_history(ctx: typer.Context, case_id: str, json_out: JsonOption = False) -> None:
    """Every event of the case, in the order recorded, with both times."""
    from casetracker.presenters.text import event_line

    with closing(state(ctx).service()) as ct:
        events = ct.history(case_id)
        emit(
            {"case_id": case_id, "events": [e.as_dict() for e in events]},
            json_out,
            [event_line(e) for e in events],
            ct.realm,
        )


@case_app.command("actions")
def case_actions(
    ctx: typer.Context,
    case_id: str,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list, with reasons, what only other roles may do")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """What you may do now, and for everything else, every reason it is blocked."""
    from casetracker.presenters.text import options_json, options_lines

    with closing(state(ctx).service()) as ct:
        view, options = ct.options(case_id)
        emit(
            options_json(view, options, ct.actor.role),
            json_out,
            options_lines(options, show_all),
            ct.realm,
        )


def replay(
    ctx: typer.Context,
    case_id: str,
    as_of: Annotated[
        str | None, typer.Option(help="State as it was on this effective date")
    ] = None,
    recorded_as_of: Annotated[
        str | None, typer.Option(help="What the record said at this moment")
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Rebuild a case from its log, as of an effective date or a recorded moment."""
    from casetracker.presenters.text import view_json, view_lines
    from casetracker.presenters.timeline import figures_lines, replay_figures

    with closing(state(ctx).service()) as ct:
        view, events = ct.replay(case_id, as_of, recorded_as_of)
        figures = replay_figures(
            view, events, ct.flow, ct.realm, as_of, recorded_as_of, organisation()
        )
        data = {
            "case_id": case_id,
            "as_of": as_of,
            "recorded_as_of": recorded_as_of,
            "events": len(events),
            **view_json(view),
            "figures": figures.as_dict(),
        }
        lines = [f"{case_id}: {len(events)} events", *view_lines(view), *figures_lines(figures)]
        emit(data, json_out, lines, ct.realm)


@case_app.command("timeline")
def case_timeline(ctx: typer.Context, case_id: str, json_out: JsonOption = False) -> None:
    """The case in effective-time order; entries recorded out of sequence or backdated are
    flagged with both times, and the derived figures follow."""
    from casetracker.domain import clock
    from casetracker.presenters.timeline import (
        build_timeline,
        derive_figures,
        figures_as_at,
        figures_lines,
        forked_from,
        timeline_lines,
    )

    with closing(state(ctx).service()) as ct:
        events = ct.history(case_id)
        entries = build_timeline(events)
        view = ct.flow.fold(case_id, events)
        as_at = figures_as_at(ct.realm, events, clock.now())
        figures = derive_figures(view, events, as_at, ct.flow, organisation())
        fork = forked_from(events)
        data = {
            "case_id": case_id,
            "forked_from": {"case_id": fork[0], "at_event": fork[1]} if fork else None,
            "entries": [e.as_dict() for e in entries],
            "figures": figures.as_dict(),
        }
        head = [f"{case_id}: {len(entries)} entries in effective-time order (! = flagged)"]
        if fork:
            head.append(f"training fork of {fork[0]} at event {fork[1]}")
        lines = [*head, *timeline_lines(entries), *figures_lines(figures)]
        emit(data, json_out, lines, ct.realm)


def act_json(result: Any) -> dict[str, Any]:
    return {
        "case_id": result.case_id,
        "instance": result.instance,
        "state": result.state,
        "replayed": result.replayed,
        "events": [e.as_dict() for e in result.events],
    }


def register(app: typer.Typer) -> None:
    """Add ``replay`` to the main application (the ``case`` group is added as ``case_app``)."""
    app.command()(replay)
