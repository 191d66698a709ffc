"""The training sandbox: a database marked as training, the story's clock, and what-if forks.

A trainer's database is created with realm ``training`` in its own metadata (``schema.initialise``
never changes a database's realm afterwards), every event in it carries that realm in its hash,
and every output says TRAINING.  Scenarios and forks refuse any other database before they
touch it, so a class can never write to live (or demo) records.

**The story's clock.**  Recorded times come from ``casetracker.domain.clock``; in a training run the
clock is set, step by step, to when the step happened, so an auditor's ``--recorded-as-of`` on a
scenario case reads like a record kept at the time.  Each step is recorded at the start of its
effective time, one second after the step before it (never earlier), or at the ``recorded:`` time
the scenario gives to show a late entry.  The one exception is an entry the report lists out of
its date order (Figure 1's human-rights claim): it is recorded at its own date, so the entries
after it keep their times and the timeline flags it alone.  The system clock is restored
afterwards, whatever happens, and this clock is never used on a live database.

**Forks.**  ``fork`` answers "what if he had reported?": a new case in the same training
database whose opening event says, in its recorded justification, which case and event it was
forked from; then copies of that case's events up to the fork point (same actions, fields,
effective times, acting roles); the trainer then continues it differently with ``case act``.
The source case is not changed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from casetracker import paths
from casetracker.domain import clock
from casetracker.domain.errors import Refused, UsageError
from casetracker.domain.events import JUSTIFICATION, RecordedEvent, personal_name
from casetracker.domain.identity import SEEDED_USERS, seeded_user
from casetracker.domain.queues import case_force
from casetracker.domain.vocabulary import NEW
from casetracker.presenters.timeline import AT_EVENT, FORK_MARK, FORKED_FROM
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database, open_database

TRAINING = "training"


class NotTraining(Refused):
    """A scenario or fork aimed at a database that is not marked as training."""


def require_training(url: str) -> None:
    """Refuse, before writing anything, any database whose metadata does not say training."""
    engine, info = open_database(url)
    engine.dispose()
    if info.realm != TRAINING:
        raise NotTraining(
            f"refused: this is a {info.realm} database; scenarios and forks run only in a "
            "training database (`casetracker init --realm training --db FILE`, or leave out "
            "--db to use the default training database)"
        )


def ensure_training(url: str) -> None:
    """Create the training database if there is none at ``url``; refuse anything else."""
    from casetracker.adapters.database import sqlite_path

    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is not None and not path.exists():
        create_database(url, TRAINING)
    require_training(url)


def default_training_url() -> str:
    """The URL of the training database kept in the data directory (``casetracker.paths``)."""
    return paths.database_url(str(paths.training_db_path()))


def fork_in_training(case_id: str, at_event: int, why: str = "") -> tuple[str, int]:
    """``fork`` in the default training database: what the TUI's train mode forks into."""
    return fork(default_training_url(), case_id, at_event, why)


def fresh_sandbox(directory: Path) -> str:
    """A new, empty training database in ``directory`` (for ``scenario check``)."""
    url = f"sqlite:///{directory / 'sandbox.db'}"
    create_database(url, TRAINING)
    return url


class Actors:
    """One service per role, acting as that role's seeded training user (the police officer of
    ``force``, the force the story's case is opened for)."""

    def __init__(self, url: str, force: str = "") -> None:
        self.url = url
        self.force = force
        self._by_role: dict[str, Casetracker] = {}

    def as_role(self, role: str) -> Casetracker:
        found = self._by_role.get(role)
        if found is None:
            if role not in SEEDED_USERS:
                raise UsageError(f"unknown role {role!r}")
            found = Casetracker(self.url, as_user=seeded_user(role, self.force), role=role)
            self._by_role[role] = found
        return found

    def close(self) -> None:
        for service in self._by_role.values():
            service.close()
        self._by_role.clear()


class StoryClock:
    """Sets the process clock to each step's recording moment (training databases only)."""

    def __init__(self) -> None:
        self.last: datetime | None = None

    def stamp(self, start: datetime, given: datetime | None, out_of_order: bool) -> datetime:
        """Choose and set the recorded time of the next step; returns it."""
        if given is not None:
            moment = given if self.last is None else max(given, self.last + timedelta(seconds=1))
        elif out_of_order:
            moment = start
        else:
            moment = start if self.last is None else max(start, self.last + timedelta(seconds=1))
        if given is not None or not out_of_order:
            self.last = moment
        fixed = moment.astimezone(UTC)
        clock.set_clock(lambda: fixed)
        return fixed


@contextlib.contextmanager
def story_clock() -> Iterator[StoryClock]:
    """The story's clock for one run; the clock in force before is back afterwards, even on
    error (the system clock, or a test's frozen one)."""
    before = clock.source()
    try:
        yield StoryClock()
    finally:
        clock.set_clock(before)


def fork(url: str, case_id: str, at_event: int, why: str = "") -> tuple[str, int]:
    """Fork ``case_id`` after its event ``at_event`` into a new training case.

    Returns the new case id and the number of events copied.  Refused (nothing written) in a
    database that is not training, for an unknown case, or for an event it does not have.
    """
    require_training(url)
    actors = Actors(url)
    try:
        reader = actors.as_role("trainer")
        source = reader.show(case_id, reason="training fork: copying the case")
        actors.force = case_force(source.view)  # its police steps are that force's officer's
        events = source.events
        if not 1 <= at_event <= len(events):
            raise UsageError(f"{case_id} has events 1 to {len(events)}; cannot fork at {at_event}")
        subject = source.subject or {}
        opening = events[0]
        note = f"{FORK_MARK}{case_id} at event {at_event}" + (f": {why}" if why else "")
        opened = actors.as_role(opening.actor_role).act(
            None,
            opening.action,
            _values(opening, subject),
            opening.effective,
            justification=note,
            provenance={FORKED_FROM: case_id, AT_EVENT: at_event},
        )
        new_id = opened.case_id
        for event in events[1:at_event]:
            actors.as_role(event.actor_role).act(
                new_id,
                event.action,
                _values(event, subject),
                event.effective,
                instance=None if _starts(reader, event) else event.instance or None,
            )
        return new_id, at_event - 1
    finally:
        actors.close()


def continue_hint(location: str, case_id: str) -> str:
    """The command that continues a fork, runnable as printed: ``--as`` a seeded user (a
    training database knows no operating-system account), and ``-e`` where the story stands,
    the copy of the event it was forked at, since an action given no time is dated now, years
    after the story, when every clock on the case has run out.  ``location`` is the training
    database as ``--db`` takes it."""
    url = paths.database_url(location)
    with contextlib.closing(Casetracker(url, as_user=seeded_user("trainer"))) as reader:
        story = reader.history(case_id)[-1].effective
    return (
        f"`casetracker --db {location} --as {seeded_user('immigration_officer')} case act "
        f"{case_id} ACTION -e {story}` (its story stands at {story}: without -e the action is "
        f"dated now; `case actions {case_id}` lists what may follow, and another role acts "
        "as its seeded user, e.g. --as pc.demo)"
    )


def _starts(service: Casetracker, event: RecordedEvent) -> bool:
    """Whether the event started a new instance (the copy must start one too)."""
    spec = service.flow.spec(event.workflow, event.workflow_version).action(event.action)
    return spec is not None and NEW in spec.sources


def _values(event: RecordedEvent, subject: dict[str, Any]) -> dict[str, Any]:
    """The event's fields again, personal ones from the subject record (they are not in the log)."""
    data = event.data
    values = dict(data.get("fields", {}))
    for key in data.get("personal", {}):
        name = personal_name(key)[0]
        if key in subject and name != JUSTIFICATION:  # the actor's reason, not a field
            values[name] = subject[key]
    return values
