"""The management-information tables (migration 0002), described for queries.

They are read models: derived from the log by ``casetracker.adapters.mi_model`` in the same
transaction as each event, recomputed by ``casetracker report rebuild``, and never evidence.  Times
are the UTC start of the event's effective time (``2015-06-21T14:30:00Z``); ``year`` is the local
(Europe/London) calendar year of that start, the year the report's 2015 figures count by.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from casetracker.adapters.tables import table_of


class MiArrest(SQLModel, table=True):
    """One arrest (an encounter) and how it was referred and ended (¶4.8–4.12, ¶4.21)."""

    __tablename__ = "mi_arrests"
    __table_args__ = (
        # Covering the referrals report: one index range scan, no table lookups.
        sa.Index(
            "ix_mi_arrests_referrals",
            "year", "force", "nationality_group", "route", "ccu_calls", "local_io_referrals",
            "local_ice_referrals", "sweep_referrals",
        ),
    )  # fmt: skip

    case_id: str = Field(primary_key=True, max_length=64)
    encounter: int = Field(primary_key=True)
    force: str = Field(max_length=16)
    suite: str = Field(max_length=128)
    arrested_at: str = Field(max_length=32)
    year: int
    nationality_group: str = Field(max_length=16)
    route: str = Field(max_length=32)  # first referral's route, or "none"
    ccu_calls: int
    local_io_referrals: int
    local_ice_referrals: int
    offender: bool  # a status check found an immigration offender or a known absconder
    released: bool
    seen_by_io: bool
    released_before_io: bool
    in_io_hours: bool | None  # at release; None when no configured suite or no exact time
    # The action that ended police custody, or ""; whether the Home Office had dealt with them
    # before they left (Figure 1).  Server defaults: rows written before migration 0008.
    left_by: str = Field(
        default="", max_length=32, sa_column_kwargs={"server_default": sa.text("''")}
    )
    home_office_acted: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # Referrals an IO started after finding the person on a custody list (¶4.3, migration 0011).
    sweep_referrals: int = Field(default=0, sa_column_kwargs={"server_default": sa.text("0")})
    # When they left police custody (canonical effective text; "" if not, or before 0013), so
    # the releases report can use the organisation in force then.
    left_at: str = Field(
        default="", max_length=64, sa_column_kwargs={"server_default": sa.text("''")}
    )


class MiPerson(SQLModel, table=True):
    """One person's arrests as a foreign national by one force in one year, and their referrals
    by route: counting people (fn 13) is then a plain count of rows."""

    __tablename__ = "mi_people"
    __table_args__ = (
        sa.Index(
            "ix_mi_people_referrals",
            "year", "force", "ccu_calls", "local_io_referrals", "local_ice_referrals",
            "sweep_referrals",
        ),
    )  # fmt: skip

    case_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    force: str = Field(primary_key=True, max_length=16)
    arrests: int
    ccu_calls: int
    local_io_referrals: int
    local_ice_referrals: int
    sweep_referrals: int = Field(default=0, sa_column_kwargs={"server_default": sa.text("0")})


class MiReferral(SQLModel, table=True):
    """One referral for a status check: a call to CCU or a local referral (fn 13)."""

    __tablename__ = "mi_referrals"
    __table_args__ = (
        sa.Index("ix_mi_referrals_force_time", "force", "referred_at"),
        sa.Index("ix_mi_referrals_year_force", "year", "force"),
    )

    case_id: str = Field(primary_key=True, max_length=64)
    status_check: int = Field(primary_key=True)
    encounter: int
    force: str = Field(max_length=16)
    route: str = Field(max_length=32)
    referred_at: str = Field(max_length=32)
    year: int
    nationality_group: str = Field(max_length=16)
    result: str = Field(max_length=64)  # the result action, "" while pending
    offender: bool


class MiSpell(SQLModel, table=True):
    """A timed spell: status-check or ETD turnaround, immigration detention, absconding."""

    __tablename__ = "mi_spells"
    __table_args__ = (sa.Index("ix_mi_spells_durations", "kind", "year", "seconds"),)

    case_id: str = Field(primary_key=True, max_length=64)
    kind: str = Field(primary_key=True, max_length=32)
    number: int = Field(primary_key=True)
    started: str = Field(max_length=32)
    ended: str | None = Field(default=None, max_length=32)
    seconds: float | None = None
    year: int


class MiHighHarm(SQLModel, table=True):
    """One High Harm criterion (fn 8) a case meets, with the evidence that meets it."""

    __tablename__ = "mi_high_harm"
    __table_args__ = (sa.Index("ix_mi_high_harm_criterion", "criterion"),)

    case_id: str = Field(primary_key=True, max_length=64)
    criterion: str = Field(primary_key=True, max_length=64)
    force: str = Field(max_length=16)
    evidence: str = Field(sa_type=sa.Text)


class FlowStep(SQLModel, table=True):
    """One step of one trace (a case, or a lifecycle instance) with the step before it: the
    process map's read model (migration 0017, ``casetracker.adapters.flow_model``)."""

    __tablename__ = "flow_steps"
    __table_args__ = (
        sa.PrimaryKeyConstraint("case_id", "trace", "instance", "step", name="pk_flow_steps"),
        # report flow: a trace kind's rows grouped by pair, each pair's waits in order (a
        # percentile is a seek and a skip), holding every column the report reads or filters
        # by, so it never reads the table.
        sa.Index(
            "ix_flow_steps_paths",
            "trace",
            "previous",
            "activity",
            "wait_s",
            "year",
            "approximate",
            "case_id",
        ),
        # the key is the table (migration 0019): each action's two rows write one b-tree less
        {"sqlite_with_rowid": False},
    )

    case_id: str = Field(primary_key=True, max_length=64)
    trace: str = Field(primary_key=True, max_length=32)  # "" the whole case, else a lifecycle
    instance: int = Field(primary_key=True)  # the lifecycle instance's number (0 for a case)
    step: int = Field(primary_key=True)  # 0-based position in effective-time order
    year: int  # local year the trace starts in
    activity: str = Field(max_length=200)
    previous: str | None = Field(default=None, max_length=200)  # NULL: the trace's first step
    wait_s: float | None = None  # seconds since the previous step's start
    approximate: bool  # effective time a day, a month or a range


MI_ARRESTS = table_of(MiArrest)
MI_PEOPLE = table_of(MiPerson)
MI_REFERRALS = table_of(MiReferral)
MI_SPELLS = table_of(MiSpell)
MI_HIGH_HARM = table_of(MiHighHarm)
MI_TABLES = (MI_ARRESTS, MI_PEOPLE, MI_REFERRALS, MI_SPELLS, MI_HIGH_HARM)
FLOW_STEPS = table_of(FlowStep)
