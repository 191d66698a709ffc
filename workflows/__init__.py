"""Every lifecycle definition, every version of it.

A recorded event names the lifecycle and the version it ran under, so old versions stay here
for replay: a new version is appended to ``DEFINITIONS``, never substituted for an older one.
"""

from casetracker.domain.vocabulary import WorkflowSpec
from workflows import (
    acro_check,
    authorisation,
    barrier,
    case_file,
    cid_update,
    detention,
    dva_check,
    encounter,
    etd,
    leave,
    removal,
    reporting,
    status_check,
    work,
)

DEFINITIONS: tuple[WorkflowSpec, ...] = (
    case_file.DEFINITION,
    leave.DEFINITION,
    encounter.DEFINITION,
    status_check.DEFINITION,
    acro_check.DEFINITION,
    dva_check.DEFINITION,
    detention.DEFINITION,
    etd.DEFINITION,
    reporting.DEFINITION,
    removal.DEFINITION,
    barrier.DEFINITION,
    cid_update.DEFINITION,
    work.DEFINITION,
    authorisation.DEFINITION,
)


def get(name: str, version: int) -> WorkflowSpec:
    """One version of one lifecycle; KeyError names what is missing."""
    for spec in DEFINITIONS:
        if spec.name == name and spec.version == version:
            return spec
    raise KeyError(f"no lifecycle {name!r} version {version}")


def latest(name: str) -> WorkflowSpec:
    """The newest version of a lifecycle: the one new instances start under."""
    found = [spec for spec in DEFINITIONS if spec.name == name]
    if not found:
        raise KeyError(f"no lifecycle {name!r}")
    return max(found, key=lambda spec: spec.version)


def names() -> list[str]:
    """Lifecycle names, in definition order, each once."""
    return list(dict.fromkeys(spec.name for spec in DEFINITIONS))
