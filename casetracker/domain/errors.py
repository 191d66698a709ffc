"""What can go wrong that a user can cause, each with the exit code the CLI gives it.

Exit 2 means the request itself is malformed (usage); exit 1 means a well-formed request was
refused (unknown case, stale version, forbidden action, damaged log).  Every service raises one
of these *before* it writes anything, so a refused request leaves the database as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # an annotation only: ``--help`` starts without the case view's imports
    from casetracker.domain.case_view import Block


class CasetrackerError(Exception):
    exit_code = 1


class UsageError(CasetrackerError):
    """Input that cannot be understood: a bad date, a malformed field, an unknown action name."""

    exit_code = 2


class InstanceNotNamed(UsageError):
    """An action asked of a case without saying which record, when several open ones could
    take it (two encounters in custody): the person is asked to name one, since the latest,
    which a program's call is given, may not be the one they meant."""

    def __init__(self, workflow: str, numbers: list[int], action: str) -> None:
        names = [f"{workflow} #{n}" for n in numbers]
        super().__init__(
            f"{', '.join(names[:-1])} and {names[-1]} are open: "
            f"name the one {action} is for with --instance"
        )


class Refused(CasetrackerError):
    """Understood, but not allowed or not possible now."""


class DatabaseError(Refused):
    """The database is missing, not ours, or from a newer version of casetracker."""


class UnknownCase(Refused):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"unknown case {case_id!r}")
        self.case_id = case_id


class Conflict(Refused):
    """A write based on a stale version: somebody else recorded an event first."""

    def __init__(self, case_id: str, expected: int, actual: int, newer: str) -> None:
        super().__init__(
            f"case {case_id} changed since you loaded it (you had version {expected}, it is now "
            f"{actual}): {newer}; reload the case and try again"
        )
        self.case_id = case_id
        self.expected = expected
        self.actual = actual


class IdempotencyMismatch(Refused):
    """The same idempotency key was used earlier for a different command."""


class NotPermitted(Refused):
    """The actor's role may not do this, or the user may not act as that role."""

    def __init__(self, message: str, blocks: list[Block] | None = None) -> None:
        super().__init__(message)
        self.blocks = blocks or []


class ActionBlocked(Refused):
    """The lifecycle does not allow this action now; ``blocks`` says every reason."""

    def __init__(self, message: str, blocks: list[Block]) -> None:
        super().__init__(message)
        self.blocks = blocks
