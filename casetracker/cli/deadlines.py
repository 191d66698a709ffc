"""``casetracker due`` and ``casetracker tick``: deadlines as data, and the clock that records them.

``due`` lists the pending deadlines (the same read model ``tick`` reads), each in UK time and
how far off or how long ago, as a worklist says it (``--json``: the UTC instants); ``tick``
records each one that has fallen due as a system event and is meant for cron or a systemd timer
(contrib/systemd/): run it as often as you like, from as many machines as you like, as a user
registered in any role; a missed run is caught up by the next, each deadline once.
"""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from casetracker.cli.common import LARGEST_INTEGER, JsonOption, emit, state


def due_cmd(
    ctx: typer.Context,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only those due by now, which a tick will record")
    ] = False,
    limit: Annotated[
        int, typer.Option(help="Deadlines listed, soonest first", min=1, max=LARGEST_INTEGER)
    ] = 200,
    json_out: JsonOption = False,
) -> None:
    """List the deadlines not yet recorded as passed, soonest first (a police user: their
    force's)."""
    from casetracker.domain import clock
    from casetracker.domain.clock import parse_recorded
    from casetracker.presenters.text import recorded_time
    from casetracker.presenters.urgency import deadline_words
    from casetracker.services.work import due

    with closing(state(ctx).service()) as ct:
        now = clock.now()
        rows = due(ct, now if overdue else None, limit)
        data = {"deadlines": [row._asdict() for row in rows]}
        lines = [
            f"{recorded_time(r.due)} ({deadline_words('', parse_recorded(r.due), now).text})  "
            f"{r.case_id}  {r.item}  {r.force}  {r.kind}: {r.label}"
            for r in rows
        ]
        emit(data, json_out, lines or ["no deadline pending"], ct.realm)


def tick_cmd(ctx: typer.Context, json_out: JsonOption = False) -> None:
    """Record, as the user system, every deadline that has passed and is not yet recorded.

    The user system is the deadline clock, whom nobody signs in as: tick itself is run by a
    registered user (any role), whom the access log names: in a live database
    your own account; in a demo or training database a seeded user, e.g. `casetracker --as
    admin.demo tick`.  A case that cannot be recorded is named on stderr, every other case is
    still recorded, and the exit is 1."""
    from casetracker.presenters.text import counted, recorded_time
    from casetracker.services.work import tick

    with closing(state(ctx).service()) as ct:
        result = tick(ct)
        data = {
            "now": result.now,
            "cases": result.cases,
            "recorded": [
                {"case_id": case_id, "deadline": d.key, "kind": d.kind, "item": d.item,
                 "due": d.due_text}
                for case_id, d in result.recorded
            ],
        }  # fmt: skip
        lines = [
            f"{case_id}  {recorded_time(d.due_text)}  {d.item}  {d.label}"
            for case_id, d in result.recorded
        ]
        lines.append(
            f"tick at {recorded_time(result.now, seconds=True)}: "
            f"{counted(len(result.recorded), 'deadline')} recorded as passed"
        )
        data["not_recorded"] = [{"case_id": c, "reason": why} for c, why in result.failed]
        emit(data, json_out, lines, ct.realm)
    for case_id, why in result.failed:  # one line each, for cron's mail; the rest was recorded
        typer.echo(f"casetracker: tick could not record {case_id}: {why}", err=True)
    if result.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the commands to the main application."""
    app.command("due")(due_cmd)
    app.command("tick")(tick_cmd)
