"""Cases: ``case open|act|claim|release|reassign|propose|authorise|reject|search|show|history|
actions|timeline``, and ``replay``."""

from __future__ import annotations

import dataclasses
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
    idempotency_key_text,
    one_line_text,
    require_acting_role,
    state,
)
from casetracker.domain.errors import UsageError
from casetracker.services.case_refs import resolve_case_ref
from casetracker.services.registry import organisation

case_app = typer.Typer(help="Open cases, act on them, read them.", no_args_is_help=True)


@case_app.command("open")
def case_open(
    ctx: typer.Context,
    field: FieldOption = None,
    effective: EffectiveOption = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            help="Retry-safe key: a repeat is recorded once", callback=idempotency_key_text
        ),
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
    case_ids: Annotated[
        list[str], typer.Argument(help="One case id or several (each its own event)")
    ],
    action: str,
    field: FieldOption = None,
    effective: EffectiveOption = None,
    instance: Annotated[
        int | None,
        typer.Option(
            help="Which encounter / claim (needed when several open ones could take the action)",
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
        typer.Option(
            help="Retry-safe key: a repeat is recorded once (with several cases, once per case)",
            callback=idempotency_key_text,
        ),
    ] = None,
    reason: Annotated[
        str, typer.Option(help="Justification recorded with the event", callback=one_line_text)
    ] = "",
    take_over: Annotated[
        bool,
        typer.Option(
            "--take-over",
            help="Act even on an item someone else holds (the event records whose it was)",
        ),
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Record an action on a case, or on several cases (each checked, recorded or refused on its
    own; exit 1 if any is refused), if its lifecycle allows it now."""
    from casetracker.domain.fields import parse_assignments
    from casetracker.services.work import act_on_each, case_keys

    values = parse_assignments(field or [])
    several = len(case_ids) > 1
    if several and (expect_version is not None or instance is not None):
        raise UsageError("--expect-version and --instance name one case's: give one case id")
    case_keys(idempotency_key, case_ids)  # each case's key (KEY/CASE), refused before opening
    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        if not several:
            result = ct.act(
                case_ids[0],
                action,
                values,
                effective,
                expected_version=expect_version,
                instance=instance,
                idempotency_key=idempotency_key,
                justification=reason,
                take_over=take_over,
                name_instance=True,
            )
            emit(act_json(result), json_out, _act_line(result, action), ct.realm)
            return
        outcomes = act_on_each(
            ct,
            case_ids,
            action,
            values,
            effective,
            take_over=take_over,
            idempotency_key=idempotency_key,
            justification=reason,
            name_instance=True,
        )
        data = {
            "action": action,
            "cases": [
                {"case_id": o.case_id, **act_json(o.result)}
                if o.result
                else {"case_id": o.case_id, "refused": o.error}
                for o in outcomes
            ],
        }
        lines = [_act_line(o.result, action) if o.result else o.error for o in outcomes]
        done = sum(1 for o in outcomes if o.done)
        lines.append(f"{action}: {done} of {len(outcomes)} cases recorded")
        emit(data, json_out, lines, ct.realm)
        if done < len(outcomes):
            raise typer.Exit(1)


def _act_line(result: Any, action: str) -> str:
    event = result.events[-1]
    note = " (already recorded: idempotent retry)" if result.replayed else ""
    return (
        f"{result.case_id} event {event.seq}: {action} -> {result.instance} is {result.state}"
        + note
    )


QueueOption = Annotated[
    str, typer.Option("--queue", help="The queue the item is in, e.g. custody", callback=exact_text)
]
ItemOption = Annotated[
    str | None,
    typer.Option(
        "--item",
        help="The item as `worklist` names it, e.g. 'Encounter #2' or encounter#2 (default: the "
        "case's one item there)",
        callback=exact_text,
    ),
]
VersionOption = Annotated[
    int | None,
    typer.Option(help="Refuse if the case has moved past this version", min=0, max=LARGEST_INTEGER),
]


def _named_or_only_item(ct: Any, case_id: str, queue: str, item: str | None, attempted: str) -> str:
    """The item ``--item`` names, or else the case's one item in ``queue``: claim, release and
    reassign pick the item they act on by one rule."""
    from casetracker.presenters.labels import item_key
    from casetracker.services.work import item_in_queue

    return item_key(ct.flow, item) if item else item_in_queue(ct, case_id, queue, attempted)


@case_app.command("claim")
def case_claim(
    ctx: typer.Context,
    case_id: str,
    queue: QueueOption,
    item: ItemOption = None,
    expect_version: VersionOption = None,
    json_out: JsonOption = False,
) -> None:
    """Take a work item as your own: it shows in your "My work" queue."""
    from casetracker.domain.ownership import CLAIM
    from casetracker.presenters.labels import item_label
    from casetracker.services.work import claim

    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        found = _named_or_only_item(ct, case_id, queue, item, CLAIM)
        result = claim(ct, case_id, queue, found, expected_version=expect_version)
        line = f"{result.case_id}: you hold {item_label(ct.flow, found)} in {queue}"
        emit(act_json(result), json_out, line, ct.realm)


@case_app.command("release")
def case_release(
    ctx: typer.Context,
    case_id: str,
    queue: QueueOption,
    item: ItemOption = None,
    expect_version: VersionOption = None,
    json_out: JsonOption = False,
) -> None:
    """Give a work item you hold back to its queue."""
    from casetracker.domain.ownership import RELEASE
    from casetracker.presenters.labels import item_label
    from casetracker.services.work import release

    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        found = _named_or_only_item(ct, case_id, queue, item, RELEASE)
        result = release(ct, case_id, queue, found, expected_version=expect_version)
        line = f"{result.case_id}: {item_label(ct.flow, found)} in {queue} released"
        emit(act_json(result), json_out, line, ct.realm)


@case_app.command("reassign")
def case_reassign(
    ctx: typer.Context,
    case_id: str,
    queue: QueueOption,
    to: Annotated[str, typer.Option("--to", help="The user who will hold it", callback=exact_text)],
    item: ItemOption = None,
    expect_version: VersionOption = None,
    json_out: JsonOption = False,
) -> None:
    """Give a work item to someone (supervisors and admins)."""
    from casetracker.domain.ownership import REASSIGN
    from casetracker.presenters.labels import item_label
    from casetracker.services.work import reassign

    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        found = _named_or_only_item(ct, case_id, queue, item, REASSIGN)
        result = reassign(ct, case_id, queue, found, to, expected_version=expect_version)
        line = f"{result.case_id}: {item_label(ct.flow, found)} in {queue} reassigned to {to}"
        emit(act_json(result), json_out, line, ct.realm)


ProposalOption = Annotated[
    int, typer.Option("--proposal", help="The proposal's number", min=1, max=LARGEST_INTEGER)
]


@case_app.command("propose")
def case_propose(
    ctx: typer.Context,
    case_id: str,
    action: str,
    field: FieldOption = None,
    effective: EffectiveOption = None,
    instance: Annotated[
        int | None,
        typer.Option(
            help="Which encounter (default: the one the action fits)", min=1, max=LARGEST_INTEGER
        ),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Propose an action under four eyes (a PACE extension, detention, removal directions) for
    another person to authorise."""
    from casetracker.domain.fields import parse_assignments
    from casetracker.services.four_eyes import propose

    values = parse_assignments(field or [])
    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        result = propose(ct, case_id, action, values, effective, target=instance)
        line = f"{result.case_id}: {action} proposed as {result.instance}, awaiting authorisation"
        emit(act_json(result), json_out, line, ct.realm)


@case_app.command("authorise")
def case_authorise(
    ctx: typer.Context,
    case_id: str,
    proposal: ProposalOption,
    effective: EffectiveOption = None,
    json_out: JsonOption = False,
) -> None:
    """Authorise another person's proposal: the authorisation and the action are recorded
    together, both as yours."""
    from casetracker.services.four_eyes import authorise

    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        result = authorise(ct, case_id, proposal, effective)
        action = result.events[-1].action
        line = f"{result.case_id}: proposal #{proposal} authorised; {action} recorded"
        emit(act_json(result), json_out, line, ct.realm)


@case_app.command("reject")
def case_reject(
    ctx: typer.Context,
    case_id: str,
    proposal: ProposalOption,
    reason: Annotated[str, typer.Option(help="Why (kept erasable, outside the chain)")],
    json_out: JsonOption = False,
) -> None:
    """Reject a proposal (or withdraw your own)."""
    from casetracker.services.four_eyes import reject

    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        result = reject(ct, case_id, proposal, reason)
        emit(act_json(result), json_out, f"{result.case_id}: proposal #{proposal} rejected",
             ct.realm)  # fmt: skip


DayOption = Annotated[str, typer.Option(help="A day, YYYY-MM-DD", callback=exact_text)]


@case_app.command("search")
def case_search(
    ctx: typer.Context,
    reason: Annotated[
        str, typer.Option(help="Why you search (logged, kept erasable)", callback=one_line_text)
    ],
    name: Annotated[str, typer.Option(help="Words of the person's name, all of them")] = "",
    dob: Annotated[str, typer.Option(help="Date of birth, YYYY-MM-DD")] = "",
    nationality: Annotated[str, typer.Option(help="Nationality, claimed or verified")] = "",
    identifier: Annotated[str, typer.Option(help="A PNC, CID, passport or HO reference")] = "",
    force: Annotated[str, typer.Option(help="A case with an arrest by this force")] = "",
    lifecycle_state: Annotated[
        list[str] | None,
        typer.Option("--state", help="LIFECYCLE=STATE, e.g. detention=immigration_detention"),
    ] = None,
    opened_from: DayOption = "",
    opened_to: DayOption = "",
    updated_from: DayOption = "",
    updated_to: DayOption = "",
    arrested_from: DayOption = "",
    arrested_to: DayOption = "",
    high_harm: Annotated[bool, typer.Option("--high-harm", help="High Harm cases only")] = False,
    absconder: Annotated[bool, typer.Option("--absconder", help="Listed absconders only")] = False,
    after: Annotated[str, typer.Option(help="The last case id of the page before")] = "",
    limit: Annotated[int, typer.Option(help="Cases a page", min=1, max=500)] = 50,
    json_out: JsonOption = False,
) -> None:
    """Find cases by the person (name, date of birth, nationality, reference) and by attributes;
    every criterion given must hold.  The search is logged with its reason; the results name
    cases, not people (read one with `case show --reason`)."""
    from casetracker.presenters.text import recorded_date
    from casetracker.services import search

    with closing(state(ctx).service()) as ct:
        require_acting_role(ctx, ct)
        criteria = search.criteria_from(
            ct,
            name=name,
            dob=dob,
            nationality=nationality,
            identifier=identifier,
            force=force,
            states=lifecycle_state,
            opened=(opened_from, opened_to),
            updated=(updated_from, updated_to),
            arrested=(arrested_from, arrested_to),
            high_harm=high_harm,
            absconder=absconder,
        )
        found = search.search(ct, criteria, reason, after=after, limit=limit)
        lines = [
            f"{f.case_id}  opened on record {recorded_date(f.opened)}  {f.summary}" for f in found
        ] or ["no case found"]
        if len(found) == limit:
            lines.append(f"more: --after {found[-1].case_id}")
        data = {"cases": [dataclasses.asdict(f) for f in found]}
        emit(data, json_out, lines, ct.realm)


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
        require_acting_role(ctx, ct)  # as for case act: what is shown depends on the role
        summary = ct.show(resolve_case_ref(ct.engine, case_id), reason)
        emit(summary_json(summary), json_out, summary_lines(summary), ct.realm)


@case_app.command("history")
def case_history(ctx: typer.Context, case_id: str, json_out: JsonOption = False) -> None:
    """Every event of the case, in the order recorded, with both times."""
    from casetracker.presenters.text import event_line

    with closing(state(ctx).service()) as ct:
        case_id = resolve_case_ref(ct.engine, case_id)
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
        view, options = ct.options(resolve_case_ref(ct.engine, case_id))
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
    from casetracker.presenters.text import counted, view_json, view_lines
    from casetracker.presenters.timeline import figures_lines, replay_figures

    with closing(state(ctx).service()) as ct:
        case_id = resolve_case_ref(ct.engine, case_id)
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
        head = f"{case_id}: {counted(len(events), 'event')}"
        lines = [head, *view_lines(view), *figures_lines(figures)]
        emit(data, json_out, lines, ct.realm)


@case_app.command("timeline")
def case_timeline(
    ctx: typer.Context,
    case_id: str,
    json_out: JsonOption = False,
    chart: Annotated[
        bool,
        typer.Option(
            "--chart",
            help="Draw each lifecycle over time instead of listing the entries (a strip per "
            "lifecycle, states coloured, ! where an entry was recorded out of sequence)",
        ),
    ] = False,
) -> None:
    """The case in effective-time order; entries recorded out of sequence or backdated are
    flagged with both times, and the derived figures follow."""
    if chart and json_out:
        raise UsageError("--chart draws for a person to read: give --chart or --json, not both")
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
        case_id = resolve_case_ref(ct.engine, case_id)
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
        many = f"{len(entries):,} {'entry' if len(entries) == 1 else 'entries'}"
        head = [f"{case_id}: {many} in effective-time order (! = flagged)"]
        if fork:
            head.append(f"training fork of {fork[0]} at event {fork[1]}")
        if chart:
            from casetracker.cli.charts import timeline_chart
            from casetracker.presenters.lifecycle_strip import strip_layout

            drawn = timeline_chart(strip_layout(ct.flow, view, events, as_at))
            head[0] = f"{case_id}: each lifecycle over effective time"
            lines = [*head, "", *drawn, "", *figures_lines(figures)]
        else:
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
