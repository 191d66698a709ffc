"""Recording the organisation file in the log, and reading its history (issue 14).

A version is recorded by an admin: when they run ``casetracker init`` (the file in use then), and
whenever they run ``casetracker organisation record`` after changing the file, optionally with
the moment from which the change applies.  Not on the first write after a change: that writer is
whoever acts next (a custody officer recording an arrest), and a configuration is an
administrator's act, so it is recorded in an administrator's name or not at all.  Until it is,
the rules run on the file in use while the measures follow the versions recorded, and the
releases report says that the file in use is not recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casetracker.adapters import organisation_log
from casetracker.adapters.database import read_transaction
from casetracker.domain import clock
from casetracker.domain.effective_time import EffectiveTimeError, parse
from casetracker.domain.errors import UsageError
from casetracker.domain.organisation import OrganisationHistory
from casetracker.services.actor_session import ActorSession
from casetracker.services.registry import organisation


@dataclass(frozen=True)
class RecordedVersion:
    """What ``record_organisation`` did: the version's position, or 0 when the file in use was
    already the one recorded last."""

    position: int
    digest: str
    source: str
    effective: datetime | None  # in force from; None when nothing was recorded


class OrganisationRecords(ActorSession):
    """The organisation file's versions: recorded by an admin, read by anyone."""

    def organisation_history(self) -> OrganisationHistory:
        with read_transaction(self.engine) as conn:
            return organisation_log.history(conn)

    def record_organisation(self, effective: str | None = None) -> RecordedVersion:
        """Record the file in use as in force from ``effective`` (default now; the first version
        recorded is in force from the beginning): admins only.  A file already recorded last is
        not recorded again (one version per change)."""
        actor = self.require_role(("admin",), "record the organisation file")
        try:
            when = parse(effective, clock.now()).start if effective else None
        except EffectiveTimeError as error:
            raise UsageError(f"--effective: {error}") from None
        org = organisation()
        with self._connections.write() as conn:
            position = organisation_log.record_if_changed(conn, org, actor.user, when)
            at = organisation_log.history(conn).versions[-1].effective if position else when
        return RecordedVersion(position, org.digest, org.source, at)
