"""``casetracker synth``: a synthetic year generated into an open database.

The refusals first (a separate call, so the command can make them before it shows any
progress), then the generation: the plan (``casetracker.services.synthetic_plan``), each
person's case (``casetracker.services.synthetic_arrests``) built and validated in worker
processes, and the writing here, in order.  The command line needs neither the event store nor
the MI model's organisation.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from typing import TYPE_CHECKING

from casetracker.adapters.database import write_transaction
from casetracker.adapters.store import EventStore
from casetracker.domain import clock
from casetracker.domain.errors import Refused
from casetracker.integrity.dbapi import collector_paused
from casetracker.services.bulk import BulkResult, BulkValidator, PreparedCase, pack, unpack, write
from casetracker.services.registry import organisation
from casetracker.services.synthetic_arrests import CaseSteps, horizon_of, idempotency_prefix
from casetracker.services.synthetic_plan import plan, profiles

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
        key = idempotency_prefix(seed, year, 0) + "-1"
        if service.store.recorded_for_keys(conn, [(key, "case", "open_case")]):
            raise Refused(f"seed {seed} for {year} was already generated in this database")


def expected_events(arrests: int) -> int:
    """A rough total for the progress bar (about seven events per arrest)."""
    return math.ceil(arrests * 7.2)


# ---------------------------------------------------------------------------- running

CHUNK = 200  # people per unit of work handed to a worker process


_JOB: dict = {}


def _prepare_chunk(bounds: tuple[int, int]) -> bytes:
    """In a worker: generate and validate people ``[a, b)``; returns them ``bulk.pack``ed."""
    job = _JOB
    validator = job["validator"]
    return pack(
        [
            validator.prepare(CaseSteps(p, job["seed"], job["year"], job["horizon"]).build())
            for p in job["people"][bounds[0] : bounds[1]]
        ]
    )


def generate_year(
    service: Casetracker,
    *,
    seed: int,
    year: int,
    arrests: int,
    workers: int,
    batch_events: int = 20_000,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, BulkResult]:
    """Generate, validate and write ``arrests`` arrests of ``year``; returns ``(people, result)``.

    Workers (forked processes) generate and validate people while this process writes, one
    write transaction per ~``batch_events`` events.  Case ids follow the people's order, so
    the outcome does not depend on the number of workers.
    """
    store = service.store
    now = clock.now()
    people = plan(seed, arrests, profiles(organisation()))
    _JOB.update(
        people=people,
        seed=seed,
        year=year,
        horizon=horizon_of(now),
        validator=BulkValidator(service.flow, store.realm, now),
    )
    chunks = [(a, min(a + CHUNK, len(people))) for a in range(0, len(people), CHUNK)]
    result = BulkResult()
    with collector_paused():
        pool = None
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            pool = multiprocessing.get_context("fork").Pool(workers)
            per_chunk = CHUNK * expected_events(arrests) / len(people)
            ahead = workers + 2 * math.ceil(batch_events / per_chunk)
            packed = _in_order(pool, chunks, ahead)
        else:
            packed = map(_prepare_chunk, chunks)
        try:
            _write(store, packed, batch_events, result, progress)
        finally:
            if pool is not None:
                pool.terminate()
            _JOB.clear()
    return len(people), result


def _in_order(pool: Pool, chunks: list[tuple[int, int]], ahead: int) -> Iterator[bytes]:
    """Prepared chunks in order, with at most ``ahead`` handed out and not yet taken back
    (``generate_year`` allows two write batches' worth, so workers keep busy while a batch is
    written).

    ``Pool.imap`` hands out every chunk at once, so workers faster than the writer pile their
    results up in this process (a year is ~250 MB packed) and then finish early, leaving the
    writer alone on one core; bounded, they wait for it instead.
    """
    waiting: deque[AsyncResult] = deque()
    queue = iter(chunks)
    for bounds in itertools.islice(queue, ahead):
        waiting.append(pool.apply_async(_prepare_chunk, (bounds,)))
    while waiting:
        done = waiting.popleft().get()
        following = next(queue, None)
        if following is not None:
            waiting.append(pool.apply_async(_prepare_chunk, (following,)))
        yield done


def _write(
    store: EventStore,
    packed: Iterable[bytes],
    batch_events: int,
    result: BulkResult,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Write packed chunks in order, one write transaction per ~``batch_events`` events.

    The transactions run on a thread of their own: SQLite's work and the commit's fsync
    release the GIL, so this thread unpacks the next batch meanwhile.  A failure stops the
    run; batches already committed stay (synthetic data).
    """
    batches: queue.Queue[list[PreparedCase] | None] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def writer() -> None:
        while (batch := batches.get()) is not None:
            if not failed:
                try:
                    _write_batch(store, batch, result, progress)
                except BaseException as exc:
                    failed.append(exc)

    thread = threading.Thread(target=writer, name="synth-writer", daemon=True)
    thread.start()
    try:
        pending: list[PreparedCase] = []
        size = 0
        for chunk in packed:
            if failed:
                break
            prepared = unpack(chunk)
            pending.extend(prepared)
            size += sum(len(p.events) for p in prepared)
            if size >= batch_events:
                batches.put(pending)
                pending, size = [], 0
        if pending and not failed:
            batches.put(pending)
    finally:
        batches.put(None)
        thread.join()
    if failed:
        raise failed[0]


def _write_batch(
    store: EventStore,
    batch: list[PreparedCase],
    result: BulkResult,
    progress: Callable[[int, int], None] | None,
) -> None:
    with write_transaction(store.engine) as conn:
        ids = write(conn, store, batch)
    events = sum(len(p.events) for p in batch)
    result.first_case = result.first_case or ids[0]
    result.last_case = ids[-1]
    result.cases += len(ids)
    result.events += events
    if progress:
        progress(len(ids), events)
