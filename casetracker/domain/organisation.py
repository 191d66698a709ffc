"""Organisation facts the rules depend on, held as configuration rather than code.

The report describes forces that work differently: the Metropolitan Police's hub-and-spoke
model (¶4.13), West Midlands' rota of IOs at two central suites (¶4.16) and West Yorkshire's
rota suite beside one embedded IO (¶4.19).  Whether an IO can see the custody database (¶4.26),
ACRO results (¶4.33–4.35) or CID at the suite (¶4.28), who may run a DVA check (¶4.36–4.37),
and when IOs are on shift (¶4.21–4.22), all vary by force, suite and role and change over time
(Recommendations 2 and 3), so they are read from the organisation file
(``casetracker.domain.organisation_file``, docs/organisation.md) rather than written in the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum

from casetracker.domain.effective_time import DEFAULT_ZONE


class SuiteModel(StrEnum):
    """How IOs are deployed at a custody suite (¶4.13–4.19)."""

    HUB = "hub"  # IOs embedded; offenders without criminal matters are brought here (¶4.13)
    SPOKE = "spoke"  # IOs from a hub come when needed (¶4.13)
    ROTA = "rota"  # a central suite covered by IOs on a rota (¶4.16, ¶4.19)
    EMBEDDED = "embedded"  # one IO embedded at a local station (¶4.19)
    CALL_OUT = "call_out"  # no IO presence: police call CCU or the local ICE office (¶4.17)


class CustodyDbAccess(StrEnum):
    """How IOs learn who is in police custody (¶4.26)."""

    DIRECT = "direct"  # West Yorkshire
    VIA_NEXUS_OFFICER = "via_nexus_officer"  # London
    VIA_CUSTODY_SERGEANT = "via_custody_sergeant"  # West Midlands
    NONE = "none"


class AcroSharing(StrEnum):
    """Whether IOs may view ACRO results of checks the police requested (¶4.32–4.35)."""

    ALL = "all"  # West Yorkshire shares every result (¶4.35)
    RESTRICTED = "restricted"  # only HOSOL results reach IOs, through PNC (¶4.32)


@dataclass(frozen=True)
class Shift:
    """IO cover at a suite, local time; ``end`` before ``start`` means it runs past midnight."""

    start: time
    end: time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def covers(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


class DvaAccess(StrEnum):
    """How a role gets a DVA passport check (¶4.36–4.37, Recommendation 3c)."""

    DIRECT = "direct"
    VIA_CCU = "via_ccu"
    NONE = "none"


@dataclass(frozen=True)
class Suite:
    name: str
    model: SuiteModel = SuiteModel.CALL_OUT
    io_shifts: tuple[Shift, ...] = ()
    cid_access: bool = False  # IOs can reach CID at the suite itself (¶4.28)
    custody_db: CustodyDbAccess | None = None  # None: the force's policy (¶4.26)

    def in_io_hours(self, moment: datetime) -> bool:
        """Whether an IO is on shift at the suite then (out-of-hours releases, ¶4.21–4.22).

        A naive ``moment`` is read as local (Europe/London) time.
        """
        local = moment.astimezone(DEFAULT_ZONE) if moment.tzinfo else moment
        return any(shift.covers(local.time()) for shift in self.io_shifts)

    @property
    def shift_pattern(self) -> str:
        """The suite's IO shifts as written in the organisation file, for grouping reports."""
        return ", ".join(str(s) for s in self.io_shifts) or "no IO shifts"


@dataclass(frozen=True)
class DataPolicy:
    custody_db: CustodyDbAccess = CustodyDbAccess.NONE
    acro_sharing: AcroSharing = AcroSharing.RESTRICTED
    io_status_checks: bool = True  # IOs may run status checks locally (¶4.7, ¶4.10–4.11, ¶4.27)


@dataclass(frozen=True)
class Force:
    code: str
    name: str
    in_london: bool = False
    suites: tuple[Suite, ...] = ()
    policy: DataPolicy = field(default_factory=DataPolicy)

    def suite(self, name: str) -> Suite | None:
        wanted = name.strip().lower()
        return next((s for s in self.suites if s.name.lower() == wanted), None)

    def suite_key(self, suite: Suite) -> str:
        """Where the suite's table is in the organisation file, for messages that cite it."""
        return f"forces.{self.code}.suites[{self.suites.index(suite)}]"

    def custody_db_at(self, suite: Suite | None) -> CustodyDbAccess:
        """How IOs learn who is in custody at the suite: its own setting, else the force's
        (¶4.26)."""
        if suite is not None and suite.custody_db is not None:
            return suite.custody_db
        return self.policy.custody_db


@dataclass(frozen=True)
class Organisation:
    forces: tuple[Force, ...]
    dva_access: tuple[tuple[str, DvaAccess], ...] = ()  # (role, access)
    source: str = ""  # the file it was read from
    digest: str = ""  # sha256 of that file's bytes, recorded in the log when it changes
    content: str = field(default="", repr=False)  # the parsed file as canonical JSON
    # Detention and removal directions need a second Home Office user's authorisation
    # (``[four_eyes] home_office``, default on; casetracker.domain.four_eyes).
    home_office_four_eyes: bool = True

    def force(self, code: str) -> Force | None:
        wanted = code.strip().upper()
        return next((f for f in self.forces if f.code == wanted), None)

    def dva(self, role: str) -> DvaAccess:
        return dict(self.dva_access).get(role, DvaAccess.NONE)


@dataclass(frozen=True)
class OrganisationVersion:
    """An organisation file recorded in the log: in force from ``effective`` (UTC)."""

    effective: datetime
    organisation: Organisation
    recorded: str
    recorded_by: str


@dataclass(frozen=True)
class OrganisationHistory:
    """The recorded versions of the organisation file, so that a measure of a past moment uses
    the configuration in force then (Recommendations 2 and 3 measured over time)."""

    versions: tuple[OrganisationVersion, ...] = ()

    def in_force(self, moment: datetime) -> Organisation | None:
        """The version in force at ``moment``: the last to take effect at or before it.  Before
        the first recorded version, the first (the oldest configuration known); None when
        nothing is recorded."""
        if not self.versions:
            return None
        ordered = sorted(self.versions, key=lambda v: v.effective)  # stable: recording order
        found = ordered[0]
        for version in ordered:
            if version.effective <= moment:
                found = version
        return found.organisation

    def in_force_now(self) -> Organisation | None:
        """The version that took effect last (None when nothing is recorded)."""
        if not self.versions:
            return None
        latest = max(enumerate(self.versions), key=lambda iv: (iv[1].effective, iv[0]))
        return latest[1].organisation

    @property
    def latest_digest(self) -> str:
        """The digest of the version recorded last ("" when none is)."""
        return self.versions[-1].organisation.digest if self.versions else ""
