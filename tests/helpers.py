"""Small builders the tests share."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa

from casetracker.adapters import workers
from casetracker.domain.engine import WorkflowEngine
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from workflows import case_file

CORE_ROLES = ("admin", "police", "immigration_officer", "casework")


def core_engine() -> WorkflowEngine:
    """Only the case-file lifecycle: the store's contract does not depend on any other."""
    return WorkflowEngine([case_file.DEFINITION])


def new_service(
    url: str,
    roles: tuple[str, ...] = CORE_ROLES,
    role: str = "police",
    realm: str = "live",
    workflows: WorkflowEngine | None = None,
) -> Casetracker:
    create_database(url, realm, roles)
    if realm == "live" and "police" in roles:
        police_of(url, "MPS")
    return Casetracker(url, role=role, workflows=workflows or core_engine())


def noted_case(url: str) -> tuple[Casetracker, str]:
    """A caseworker's service that has opened a case and noted on it, so that its cached view
    keeps the subject record's salt; the service and the case id."""
    ct = new_service(url, role="casework")
    case_id = ct.open_case({"name": "A Person"}, "2014-01-01").case_id
    ct.act(case_id, "add_note", {"text": "first"}, "2014-01-02")
    return ct, case_id


def police_of(url: str, force: str) -> None:
    """Make the account that created a live database a police user of ``force`` (a police user
    belongs to one force and sees only its cases, issue 13), as an admin would."""
    from casetracker.adapters.database import write_transaction
    from casetracker.adapters.users import get_user, login_name, save_user
    from casetracker.services.setup import open_database

    engine, _ = open_database(url)
    try:
        with write_transaction(engine) as conn:
            me = get_user(conn, login_name(conn))
            assert me is not None
            save_user(conn, me.name, me.display_name, me.roles, force)
    finally:
        engine.dispose()


def in_two_processes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Make every parallel walk use a worker process from the smallest size, and return the
    list that collects what each worker hands back: a test then shows the worker's half was
    used, not redone in this process."""
    handed_back: list[Any] = []
    real_result = workers.result

    def result(worker: Any) -> Any:
        out = real_result(worker)
        handed_back.append(out)
        return out

    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "result", result)
    return handed_back


@contextmanager
def member_logins(owner: sa.Engine, group: str, logins: Iterable[str]) -> Iterator[None]:
    """The application role ``group`` and ``logins`` as members of it, as a DBA sets them up
    for a live PostgreSQL database; roles belong to the whole server, so they and what they
    own are dropped afterwards."""
    members = list(logins)
    everyone = ", ".join(f'"{name}"' for name in (*members, group))
    with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text(f'CREATE ROLE "{group}" NOLOGIN'))
        for login in members:
            conn.execute(sa.text(f'CREATE ROLE "{login}" LOGIN IN ROLE "{group}"'))
    try:
        yield
    finally:
        with owner.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text(f"DROP OWNED BY {everyone}"))
            conn.execute(sa.text(f"DROP ROLE {everyone}"))


@contextmanager
def member_database(
    owner: sa.Engine, url: str, group: str, users: Iterable[tuple[str, str, tuple[str, ...], str]]
) -> Iterator[None]:
    """A live database at ``url`` set up as docs/postgresql.md says: ``group`` is its
    application role, and each user ``(login, name, roles, force)`` a login member of it,
    registered by an admin; the logins are dropped afterwards (``member_logins``)."""
    from casetracker.adapters.schema import grant_app_role

    listed = list(users)
    with member_logins(owner, group, [login for login, *_ in listed]):
        create_database(url, "live", ("admin",))
        grant_app_role(owner, group)
        admin = Casetracker(url, role="admin", workflows=core_engine())
        for login, name, roles, force in listed:
            admin.save_user(login, name, roles, force)
        admin.close()
        yield


def filed_rows(url: str, case_id: str, tables: Iterable[str]) -> dict[str, list[tuple]]:
    """Every row the case has in each of ``tables`` of a SQLite file, with its rowid (a row
    rewritten gets a new one, so equal results mean nothing was rewritten)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: sorted(
                    tuple(r)
                    for r in conn.exec_driver_sql(
                        f"SELECT rowid, * FROM {table} WHERE case_id = ?", (case_id,)
                    )
                )
                for table in tables
            }
    finally:
        engine.dispose()


def arrested_in_custody(run: Any, db: str, day: str = "2016-03-01") -> str:
    """A case opened by the Met's police user through the command line (``run``, the CLI
    fixture) and its arrest at 10:00 on ``day`` (UK time): a PACE clock running, with the
    deadlines, worklist and report rows that brings; its id."""
    opened = run(
        "--db", db, "--role", "police", "case", "open", "-f", "name=A Person", "-f",
        "force=MPS", "-e", f"{day}T09:00", "--json",
    )  # fmt: skip
    assert opened.code == 0, opened.err
    case_id: str = opened.json["case_id"]
    arrest = run(
        "--db", db, "--role", "police", "case", "act", case_id, "arrest", "-f",
        "offence=theft", "-f", "offence_category=theft", "-f", "force=MPS", "-e",
        f"{day}T10:00",
    )  # fmt: skip
    assert arrest.code == 0, arrest.err
    return case_id


def cold_note(url: str, case_id: str) -> None:
    """A note on the case by a service of its own, as a new process's (every CLI ``case act``):
    nothing of the case kept, its view folded afresh from the log."""
    ct = Casetracker(url, as_user="io.demo")
    try:
        ct.act(case_id, "add_note", {"text": "papers served at the suite"})
    finally:
        ct.close()
