"""``casetracker export-log``: the event log for process-mining tools (PM4Py, ProM, Disco,
Celonis) in IEEE 1849 XES or OCEL 2.0 (JSON or SQLite), for auditors and admins (issue 19).

An export is a disclosure: it needs a reason, only the disclosing roles may make one, and it is
recorded in the access log (one entry for the whole export: format, period, sample, counts, the
file's name and SHA-256, and whether actor names were given).  The file is written under a
temporary name beside ``out`` from one read snapshot, and takes its name only once the entry is
committed; if anything fails first, the temporary file is removed and nothing is logged.  What
the file holds, and what it leaves out, is in ``casetracker.services.process_log`` and
docs/process-mining.md.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from casetracker.adapters import access_log, workers
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.adapters.event_scan import rows_between
from casetracker.adapters.store import normalise_case_id
from casetracker.domain import clock
from casetracker.domain.errors import UsageError
from casetracker.services.cases import Casetracker
from casetracker.services.disclosure import DISCLOSING_ROLES
from casetracker.services.process_formats import (
    FORMATS,
    OCEL2_JSON,
    OCEL2_SQLITE,
    XES,
    Counts,
    OcelJsonWriter,
    OcelSqliteWriter,
    Vocabulary,
    Writer,
    XesWriter,
    write_all,
)
from casetracker.services.process_log import Period, Pseudonyms, Shaper, cases, shaped
from casetracker.services.registry import organisation


@dataclass(frozen=True)
class LogExport:
    """What to export: the format, the file, why, and optionally a period and a sample."""

    fmt: str
    out: Path
    reason: str
    first: date | None = None
    last: date | None = None
    case_ids: tuple[str, ...] | None = None  # a sample; None for every case
    reveal_actors: str = ""  # why actor names are needed; empty keeps pseudonyms


def request(
    fmt: str,
    out: Path,
    reason: str,
    start: str = "",
    end: str = "",
    case_ids: Sequence[str] | None = None,
    reveal_actors: str = "",
) -> LogExport:
    """Check what the user typed; every problem is a usage error naming the option."""
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not reason.strip():
        raise UsageError("--reason is required: an export is a disclosure and is logged")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {out}: no directory {out.parent}")
    if out.exists():
        raise UsageError(f"{out} exists: an export never overwrites a file")
    first, last = _day(start, "--from"), _day(end, "--to")
    if first and last and last < first:
        raise UsageError(f"--to {last} is before --from {first}")
    ids = None
    if case_ids is not None:
        ids = tuple(dict.fromkeys(normalise_case_id(c) for c in case_ids if c.strip()))
        if not ids:
            raise UsageError("the sample names no case")
    return LogExport(fmt, out, reason.strip(), first, last, ids, reveal_actors.strip())


def _day(text: str, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} {text!r} is not a day such as 2015-06-01") from None


def sample_case_ids(data: bytes, source: str) -> list[str]:
    """The case ids of a sample file: the JSON ``casetracker sample --json`` prints (its
    ``cases``, per force) or plain text, one id per line (``#`` starts a comment)."""
    import json

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{source} is not UTF-8 text") from None
    if text.lstrip().startswith("{"):
        try:
            found = json.loads(text).get("cases")
        except (ValueError, AttributeError, RecursionError):
            found = None
        if not isinstance(found, dict) or not all(isinstance(v, list) for v in found.values()):
            raise UsageError(f"{source}: not the JSON of `casetracker sample --json` (no cases)")
        return [str(c) for ids in found.values() for c in ids]
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def export_log(ct: Casetracker, req: LogExport) -> dict[str, Any]:
    """Write the export and log it; returns a summary (counts, bytes, seconds, events/s)."""
    actor = ct.require_role(DISCLOSING_ROLES, "export the event log")
    started = clock.now()
    partial = req.out.with_name(f".{req.out.name}.partial-{os.getpid()}")
    try:
        with read_transaction(ct.engine) as conn:
            if req.case_ids is not None:
                _refuse_unknown(ct, conn, req.case_ids)
            shaper = Shaper(ct.flow, organisation(), Pseudonyms(reveal=bool(req.reveal_actors)))
            counts = _write(req, partial, ct, conn, shaper)
        digest = _sha256(partial)
        size = partial.stat().st_size
        with write_transaction(ct.engine) as conn:
            access_log.append(
                conn,
                user=actor.user,
                role=actor.role,
                action="export_log",
                justification=req.reason
                + (f"; actor names asked for: {req.reveal_actors}" if req.reveal_actors else ""),
                detail={
                    "format": req.fmt,
                    "file": req.out.name,
                    "sha256": digest,
                    "from": req.first.isoformat() if req.first else "",
                    "to": req.last.isoformat() if req.last else "",
                    "sample": len(req.case_ids) if req.case_ids is not None else "all",
                    "cases": counts.cases,
                    "events": counts.events,
                    "objects": counts.objects,
                    "actors": "named" if req.reveal_actors else "pseudonymised",
                },
            )
            os.replace(partial, req.out)  # inside: a failed rename rolls the entry back
    finally:
        partial.unlink(missing_ok=True)
    seconds = (clock.now() - started).total_seconds()
    return {
        "out": str(req.out),
        "format": req.fmt,
        "cases": counts.cases,
        "events": counts.events,
        "objects": counts.objects,
        "bytes": size,
        "sha256": digest,
        "seconds": round(seconds, 2),
        "events_per_second": round(counts.events / seconds) if seconds else None,
        "actors": "named" if req.reveal_actors else "pseudonymised",
    }


def _period(req: LogExport) -> Period:
    return Period(req.first, req.last)


def _refuse_unknown(ct: Casetracker, conn: Any, case_ids: tuple[str, ...]) -> None:
    for case_id in case_ids:
        ct.store.case_head(case_id, conn)  # UnknownCase, before anything is written


def _write(req: LogExport, path: Path, ct: Casetracker, conn: Any, shaper: Shaper) -> Counts:
    vocab = Vocabulary.of(ct.flow)
    if req.fmt == OCEL2_SQLITE:
        database = OcelSqliteWriter(path, vocab)
        try:
            return _feed(database, req, ct, conn, shaper)
        except BaseException:
            database.abandon()
            raise
    writer: Writer
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        if req.fmt == XES:
            writer = XesWriter(handle, f"casetracker {ct.realm} event log")
        else:
            assert req.fmt == OCEL2_JSON
            writer = OcelJsonWriter(handle, vocab)
        return _feed(writer, req, ct, conn, shaper)


def _feed(writer: Writer, req: LogExport, ct: Casetracker, conn: Any, shaper: Shaper) -> Counts:
    """Every case through ``writer``, then its ending.

    A whole large SQLite log is written in two halves by case id, as ``verify`` and
    ``rebuild`` read it (``workers.in_two_halves``): a worker process writes the upper half as
    a part (``process_formats.write_range``, with this export's pseudonym key) while this one
    writes the lower half, then the part is appended (``Writer.adopt``), so the file is the
    one a single process writes.  Shaping and writing each event in Python, not reading it,
    is what an export's time goes on (issue 19 item 5)."""
    period = _period(req)
    if req.case_ids is not None:
        return write_all(writer, cases(conn, shaper, req.case_ids, period))
    raw = conn.connection.dbapi_connection

    def here(low: str | None, high: str | None) -> int:
        for events in shaped(rows_between(raw, low, high), shaper, period):
            writer.case(events)
        return 0

    def adopt(part: Any) -> int | None:
        if not (isinstance(part, dict) and part.get("format") == req.fmt):
            return None
        writer.adopt(part)
        return 0

    with tempfile.TemporaryDirectory(prefix=".export-", dir=req.out.parent) as parts:
        workers.in_two_halves(
            conn, "export_log", here, adopt, fmt=req.fmt, part=parts,
            key=shaper.pseudonyms.key, reveal=shaper.pseudonyms.reveal,
            definitions=list(ct.flow.definitions), names=(shaper.forces, shaper.suites),
            first=req.first, last=req.last,
        )  # fmt: skip
    writer.finish()
    return writer.counts


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
