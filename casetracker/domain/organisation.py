"""Organisation facts the rules depend on, held as configuration rather than code.

The report describes three forces that work differently: the Metropolitan Police's Nexus
hub-and-spoke model (¶4.13), West Midlands' rota of IOs at central suites (¶4.16) and West
Yorkshire's mixed model (¶4.19).  Whether an IO can see the custody database (¶4.26), ACRO results
(¶4.33–4.35) or CID at the suite (¶4.28), and when IOs are on shift (¶4.21–4.22), all vary by force
and suite and change over time, so they live here rather than in the rules.

Shift hours shipped below are illustrative defaults: the report gives no rosters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum

from casetracker.domain.effective_time import DEFAULT_ZONE


class SuiteModel(StrEnum):
    """How IOs are deployed at a custody suite."""

    NEXUS_HUB_AND_SPOKE = "nexus_hub_and_spoke"  # ¶4.13
    ROTA = "rota"  # ¶4.16
    MIXED = "mixed"  # ¶4.19
    NONE = "none"  # no IO presence: police call CCU or the local ICE office


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

    def covers(self, moment: time) -> bool:
        if self.start <= self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end


@dataclass(frozen=True)
class Suite:
    name: str
    model: SuiteModel = SuiteModel.NONE
    io_shifts: tuple[Shift, ...] = ()
    cid_access: bool = False  # IOs can reach CID at the suite itself (¶4.28)

    def in_io_hours(self, moment: datetime) -> bool:
        """Whether an IO is on shift at the suite then (out-of-hours releases, ¶4.21–4.22).

        A naive ``moment`` is read as local (Europe/London) time.
        """
        local = moment.astimezone(DEFAULT_ZONE) if moment.tzinfo else moment
        return any(shift.covers(local.time()) for shift in self.io_shifts)


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


@dataclass(frozen=True)
class Organisation:
    forces: tuple[Force, ...]

    def force(self, code: str) -> Force | None:
        wanted = code.strip().upper()
        return next((f for f in self.forces if f.code == wanted), None)

    @classmethod
    def default(cls) -> Organisation:
        return cls(_DEFAULT_FORCES)


def _shift(text: str) -> Shift:
    """``"07:00-22:00"`` into a shift."""
    start, _, end = text.partition("-")
    return Shift(time.fromisoformat(start.strip()), time.fromisoformat(end.strip()))


_DAY = (_shift("07:00-22:00"),)

_NAMED_FORCES = (
    Force(
        "MPS",
        "Metropolitan Police Service",
        in_london=True,
        suites=(
            # Croydon and Freshwharf were the London suites inspectors visited (¶2.1); hubs
            # carry embedded IOs with CID on portable computers (¶4.13, ¶4.28).
            Suite("Croydon", SuiteModel.NEXUS_HUB_AND_SPOKE, _DAY, cid_access=True),
            Suite("Freshwharf", SuiteModel.NEXUS_HUB_AND_SPOKE, _DAY, cid_access=True),
        ),
        # London refers every check to CCU (¶3.3, ¶4.7); IOs see custody data through the
        # Nexus police officer (¶4.26).
        policy=DataPolicy(CustodyDbAccess.VIA_NEXUS_OFFICER, AcroSharing.RESTRICTED, False),
    ),
    Force(
        "WMP",
        "West Midlands Police",
        # Perry Barr: IO rota, no CID on site at the time of the inspection (¶4.16, ¶4.28).
        suites=(Suite("Perry Barr", SuiteModel.ROTA, _DAY, cid_access=False),),
        policy=DataPolicy(CustodyDbAccess.VIA_CUSTODY_SERGEANT, AcroSharing.RESTRICTED, True),
    ),
    Force(
        "WYP",
        "West Yorkshire Police",
        # Normanton: the rota suite of a mixed model, CID on two laptops (¶4.19, ¶4.28).
        suites=(Suite("Normanton", SuiteModel.MIXED, _DAY, cid_access=True),),
        policy=DataPolicy(CustodyDbAccess.DIRECT, AcroSharing.ALL, True),
    ),
)

# The other territorial forces of England and Wales and British Transport Police; codes are
# this project's own short forms.  City of London Police is in London, so London rules apply.
_OTHER_FORCES = (
    ("ASP", "Avon and Somerset Constabulary"),
    ("BDP", "Bedfordshire Police"),
    ("BTP", "British Transport Police"),
    ("CAM", "Cambridgeshire Constabulary"),
    ("CHE", "Cheshire Constabulary"),
    ("CLE", "Cleveland Police"),
    ("CUM", "Cumbria Constabulary"),
    ("DER", "Derbyshire Constabulary"),
    ("DCP", "Devon and Cornwall Police"),
    ("DOR", "Dorset Police"),
    ("DUR", "Durham Constabulary"),
    ("DPP", "Dyfed-Powys Police"),
    ("ESX", "Essex Police"),
    ("GLO", "Gloucestershire Constabulary"),
    ("GMP", "Greater Manchester Police"),
    ("GWE", "Gwent Police"),
    ("HAM", "Hampshire Constabulary"),
    ("HER", "Hertfordshire Constabulary"),
    ("HUM", "Humberside Police"),
    ("KEN", "Kent Police"),
    ("LAN", "Lancashire Constabulary"),
    ("LEI", "Leicestershire Police"),
    ("LIN", "Lincolnshire Police"),
    ("MER", "Merseyside Police"),
    ("NOR", "Norfolk Constabulary"),
    ("NWP", "North Wales Police"),
    ("NYP", "North Yorkshire Police"),
    ("NTH", "Northamptonshire Police"),
    ("NMB", "Northumbria Police"),
    ("NOT", "Nottinghamshire Police"),
    ("SWP", "South Wales Police"),
    ("SYP", "South Yorkshire Police"),
    ("STA", "Staffordshire Police"),
    ("SUF", "Suffolk Constabulary"),
    ("SUR", "Surrey Police"),
    ("SUS", "Sussex Police"),
    ("TVP", "Thames Valley Police"),
    ("WAR", "Warwickshire Police"),
    ("WMC", "West Mercia Police"),
    ("WIL", "Wiltshire Police"),
)

_DEFAULT_FORCES = (
    *_NAMED_FORCES,
    Force("COL", "City of London Police", in_london=True),
    *(Force(code, name) for code, name in _OTHER_FORCES),
)
