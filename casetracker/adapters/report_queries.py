"""The queries of the management-information reports and of the inspection's sample, over the MI
tables (``casetracker.adapters.report_tables``).

Each function is one query in SQLAlchemy Core and returns plain rows; what the rows mean (rates,
totals, the report's notes) is ``casetracker.services.reports``'s business.  The indexes of the
report tables are laid out for these queries (the referrals report reads one covering index).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from casetracker.adapters.report_tables import (
    MI_ARRESTS,
    MI_HIGH_HARM,
    MI_PEOPLE,
    MI_REFERRALS,
    MI_SPELLS,
)

Row = Sequence[Any]


def _count_if(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """How many rows meet ``condition`` (NULL counts as not)."""
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _people_counts(p: sa.Subquery) -> tuple[sa.ColumnElement[int], ...]:
    """Over rows of calls ``c``, local IO ``i`` and local ICE ``o`` referrals and referrals
    after an IO's sweep ``s``: the rows, and those with each route, found by a sweep, with a
    local route, and with none."""
    c, i, o = p.c.c, p.c.i, p.c.o
    return (
        sa.func.count(),
        _count_if(c > 0),
        _count_if(i > 0),
        _count_if(o > 0),
        _count_if(p.c.s > 0),
        _count_if(i + o > 0),
        _count_if(c + i + o == 0),
    )


def referral_calls(conn: Connection, year: int, groups: Sequence[str]) -> list[Row]:
    """Per force, arrests of the nationality ``groups`` in ``year``: ``(force, arrests, CCU
    calls, local IO referrals, local ICE referrals, arrests referred after an IO's sweep of the
    custody list found them, arrests not referred)``."""
    a = MI_ARRESTS.c
    query = (
        sa.select(
            a.force,
            sa.func.count(),
            sa.func.sum(a.ccu_calls),
            sa.func.sum(a.local_io_referrals),
            sa.func.sum(a.local_ice_referrals),
            sa.func.sum(a.sweep_referrals),
            _count_if(a.route == "none"),
        )
        .where(a.year == year, a.nationality_group.in_(groups))
        .group_by(a.force)
        .order_by(a.force)
    )
    return list(conn.execute(query).all())


def referral_people(conn: Connection, year: int) -> list[Row]:
    """Per force, people arrested in ``year``: ``(force, people, with a CCU call, with a local
    IO referral, with a local ICE referral, found by an IO's sweep, with either local route, not
    referred)``."""
    m = MI_PEOPLE.c
    p = (
        sa.select(
            m.force,
            m.ccu_calls.label("c"),
            m.local_io_referrals.label("i"),
            m.local_ice_referrals.label("o"),
            m.sweep_referrals.label("s"),
        )
        .where(m.year == year)
        .subquery("p")
    )
    query = sa.select(p.c.force, *_people_counts(p)).group_by(p.c.force).order_by(p.c.force)
    return list(conn.execute(query).all())


def someone_spans_forces(conn: Connection, year: int) -> bool:
    """Whether a person was arrested in ``year`` by more than one force."""
    m = MI_PEOPLE.c
    query = (
        sa.select(m.case_id)
        .where(m.year == year)
        .group_by(m.case_id)
        .having(sa.func.count() > 1)
        .limit(1)
    )
    return conn.execute(query).first() is not None


def referral_people_total(conn: Connection, year: int, excluded: Sequence[str] = ()) -> Row:
    """The counts of ``referral_people`` over every force but ``excluded``, each person once."""
    m = MI_PEOPLE.c
    inner = sa.select(
        sa.func.sum(m.ccu_calls).label("c"),
        sa.func.sum(m.local_io_referrals).label("i"),
        sa.func.sum(m.local_ice_referrals).label("o"),
        sa.func.sum(m.sweep_referrals).label("s"),
    ).where(m.year == year)
    if excluded:
        inner = inner.where(m.force.not_in(excluded))
    p = inner.group_by(m.case_id).subquery("p")
    return conn.execute(sa.select(*_people_counts(p))).one()


def release_moments(conn: Connection, year: int | None) -> list[Row]:
    """Offenders who left police custody (arrested in ``year``, or any year), by force, suite,
    the moment they left and what is known of it: ``(force, suite, left_at, before an IO saw
    them, Home Office had dealt with them, in IO hours as written, how many)``.  The releases
    report works out IO hours from ``left_at`` under the organisation in force then; rows
    written before migration 0013 have no ``left_at`` and keep the ``in_io_hours`` they had."""
    a = MI_ARRESTS.c
    keys = (a.force, a.suite, a.left_at, a.released_before_io, a.home_office_acted, a.in_io_hours)
    query = sa.select(*keys, sa.func.count()).where(a.offender, a.released)
    if year is not None:
        query = query.where(a.year == year)
    return list(conn.execute(query.group_by(*keys).order_by(*keys)).all())


def _spells(kind: str, year: int | None) -> list[sa.ColumnElement[bool]]:
    s = MI_SPELLS.c
    return [s.kind == kind, *([s.year == year] if year is not None else [])]


def ended_spell_seconds(conn: Connection, kind: str, year: int | None) -> list[float]:
    """How long each ended spell of ``kind`` (starting in ``year``, or any) lasted, shortest
    first."""
    s = MI_SPELLS.c
    query = (
        sa.select(s.seconds).where(*_spells(kind, year), s.seconds.is_not(None)).order_by(s.seconds)
    )
    return list(conn.execute(query).scalars())


def open_spells(conn: Connection, kind: str, year: int | None) -> int:
    """How many spells of ``kind`` (starting in ``year``, or any) have not ended."""
    s = MI_SPELLS.c
    query = sa.select(sa.func.count()).where(*_spells(kind, year), s.seconds.is_(None))
    return int(conn.execute(query).scalar() or 0)


def high_harm_counts(conn: Connection) -> list[Row]:
    """``(criterion, cases meeting it)``, by criterion."""
    h = MI_HIGH_HARM.c
    query = sa.select(h.criterion, sa.func.count()).group_by(h.criterion).order_by(h.criterion)
    return list(conn.execute(query).all())


def high_harm_cases(conn: Connection) -> int:
    """Cases meeting any High Harm criterion."""
    query = sa.select(sa.func.count(sa.distinct(MI_HIGH_HARM.c.case_id)))
    return int(conn.execute(query).scalar() or 0)


def referred_cases(
    conn: Connection,
    force: str,
    low: str,
    high: str,
    *,
    offenders_only: bool,
    route: str | None,
) -> list[str]:
    """Distinct cases with a referral from ``force`` at ``[low, high)``, optionally only those
    that found an offender, or by one route, in case id order."""
    r = MI_REFERRALS.c
    query = (
        sa.select(r.case_id)
        .distinct()
        .where(r.force == force, r.referred_at >= low, r.referred_at < high)
    )
    if offenders_only:
        query = query.where(r.offender)
    if route:
        query = query.where(r.route == route)
    return list(conn.execute(query.order_by(r.case_id)).scalars())
