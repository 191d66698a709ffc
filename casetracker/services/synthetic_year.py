"""``casetracker synth`` on an open database: the refusals first, then the generation.

``casetracker.services.synth`` generates and writes; this is the use case around it, so that
the command line needs neither the event store nor the MI model's organisation.  The refusals
are a separate call so the command can make them before it shows any progress.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from casetracker.adapters.mi_model import default_organisation
from casetracker.domain.errors import Refused
from casetracker.services import synth
from casetracker.services.bulk import BulkResult

if TYPE_CHECKING:
    from casetracker.services.cases import Casetracker


def refuse_synthetic(service: Casetracker, seed: int, year: int) -> None:
    """Refuse synthetic data in a live database, and a seed already generated for ``year``."""
    if service.realm == "live":
        raise Refused(
            "synthetic data goes only into a demo or training database "
            "(casetracker --db FILE init --realm demo)"
        )
    with service.engine.connect() as conn:
        key = synth.idempotency_prefix(seed, year, 0) + "-1"
        if service.store.recorded_for_keys(conn, [(key, "case", "open_case")]):
            raise Refused(f"seed {seed} for {year} was already generated in this database")


def generate_year(
    service: Casetracker,
    *,
    seed: int,
    year: int,
    arrests: int,
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, BulkResult]:
    """Generate ``arrests`` arrests of ``year`` into the database; ``(people, result)``."""
    return synth.run(
        service.store, service.flow, seed=seed, year=year, arrests=arrests,
        org=default_organisation(), workers=workers, progress=progress,
    )  # fmt: skip
