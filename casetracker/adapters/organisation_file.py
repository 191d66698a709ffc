"""The organisation file in force: the one ``casetracker locate`` shows, read from disk once per
process and parsed by the domain (``casetracker.domain.organisation_file``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from casetracker import paths
from casetracker.domain.organisation import Organisation
from casetracker.domain.organisation_file import OrganisationFileError, parse


@cache
def configured() -> Organisation:
    """The organisation in the file ``casetracker locate`` shows, read once per process."""
    return load(paths.organisation_file())


def load(path: Path) -> Organisation:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise OrganisationFileError(f"{path}: cannot read the organisation file: {error}") from None
    return parse(data, str(path))
