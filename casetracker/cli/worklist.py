"""``casetracker worklist``: the queues the TUI shows, for scripts.

Each queue of the acting role (``casetracker.domain.queues.queues_for``), read through the same
service as the TUI's worklist screen (``casetracker.services.worklists``), so a police user sees
only their force's items here as there; its times are in the TUI's words
(``casetracker.presenters.urgency``: "PACE left 23 h 55 min"), ``--json`` keeps the instants.
"""

from __future__ import annotations

from contextlib import closing
from datetime import datetime
from typing import Annotated

import typer

from casetracker.cli.common import LARGEST_INTEGER, JsonOption, State, emit, exact_text, state
from casetracker.domain import clock
from casetracker.domain.queues import WorkItem, queues_for
from casetracker.presenters.labels import item_label
from casetracker.presenters.urgency import next_deadline, urgency
from casetracker.services import worklists


def worklist_cmd(
    ctx: typer.Context,
    role: Annotated[
        str | None,
        typer.Option(
            "--role", help="The role whose queues to list (one you hold)", callback=exact_text
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(help="Items listed per queue, most urgent first", min=1, max=LARGEST_INTEGER),
    ] = 200,
    json_out: JsonOption = False,
) -> None:
    """List the work items of each queue of the role you act in ("My work" first: the items
    you hold), soonest deadline first, then most urgent."""
    given = state(ctx)
    acting = State(given.db, given.as_user, role or given.role)
    with closing(acting.service()) as ct:
        queues = queues_for(ct.actor.role)
        found = {q.name: worklists.page(ct, q.name, limit=limit) for q in queues}
        data = {
            "role": ct.actor.role,
            "queues": [
                {
                    "name": q.name,
                    "title": q.title,
                    "due_means": q.due_means,
                    "count": worklists.count(ct, q.name),
                    "items": [
                        {
                            "case_id": i.case_id,
                            "item": i.item,
                            "item_label": item_label(ct.flow, i.item),
                            "due": None if i.due_time is None else i.due,
                            "force": i.force,
                            "label": i.label,
                            "owner": i.owner or None,
                            "deadline": None if i.deadline_time is None else i.deadline,
                            "deadline_kind": i.deadline_kind or None,
                        }
                        for i in found[q.name]
                    ],
                }
                for q in queues
            ],
        }
        now = clock.now()
        lines: list[str] = []
        for queue in queues:
            items = found[queue.name]
            lines.append(f"{queue.title} ({len(items)})")
            lines += [
                f"  {i.case_id}  {item_label(ct.flow, i.item)}  {i.force}  {queue.due_means} "
                f"{urgency(i, queue.countdown, now).words}  {i.label}"
                + (_next_deadline(i, now) if i.deadline_time else "")
                + (f"  [held by {i.owner}]" if i.owner else "")
                for i in items
            ]
        emit(data, json_out, lines, ct.realm)


def _next_deadline(item: WorkItem, now: datetime) -> str:
    """Which deadline comes next and when, in the TUI's words ("next deadline: PACE limit in
    3 h 10 min"): which clock is running out, not only when."""
    return f"  [next deadline: {next_deadline(item, now).words}]"


def register(app: typer.Typer) -> None:
    """Add the command to the main application."""
    app.command("worklist")(worklist_cmd)
