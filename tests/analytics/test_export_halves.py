"""``export-log`` of a whole large SQLite log is written by two processes (issue 19 item 5):
the file is the one a single process writes, byte for byte (XES, OCEL 2.0 JSON) or row for row
(OCEL 2.0 SQLite), with the worker's half adopted, not written again here; a worker that fails
costs only time."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from casetracker.adapters import workers
from casetracker.services import process_log
from casetracker.services.cases import Casetracker
from casetracker.services.process_export import export_log, request
from casetracker.services.process_formats import FORMATS, OCEL2_SQLITE
from tests.helpers import in_two_processes


def _export(url: str, fmt: str, out: Path) -> dict[str, Any]:
    ct = Casetracker(url, as_user="audit.demo")
    try:
        return export_log(ct, request(fmt, out, "two halves"))
    finally:
        ct.close()


def _content(path: Path, fmt: str) -> Any:
    if fmt != OCEL2_SQLITE:
        return path.read_bytes()
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: db.execute(f'SELECT * FROM "{t}" ORDER BY 1, 2').fetchall() for t in tables}
    finally:
        db.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_processes_write_the_file_one_writes(year, tmp_path, monkeypatch, fmt) -> None:
    monkeypatch.setattr(process_log.secrets, "token_bytes", lambda n: b"k" * n)  # one key
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2**62)
    one = _export(year.url, fmt, tmp_path / f"one.{fmt}")

    adopted = in_two_processes(monkeypatch)
    two = _export(year.url, fmt, tmp_path / f"two.{fmt}")
    assert adopted and adopted[0] is not None  # the worker's half was used, not redone here
    assert 0 < adopted[0][1]["counts"][1] < two["events"]  # and it held some, not all
    assert (two["cases"], two["events"], two["objects"]) == (
        one["cases"], one["events"], one["objects"],
    )  # fmt: skip
    assert _content(tmp_path / f"two.{fmt}", fmt) == _content(tmp_path / f"one.{fmt}", fmt)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no part left


def test_a_failed_worker_costs_only_time(year, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(process_log.secrets, "token_bytes", lambda n: b"k" * n)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2**62)
    one = _export(year.url, "xes", tmp_path / "one.xes")
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "result", lambda worker: None)
    two = _export(year.url, "xes", tmp_path / "two.xes")
    assert two["events"] == one["events"]
    assert (tmp_path / "two.xes").read_bytes() == (tmp_path / "one.xes").read_bytes()


def test_json_events_are_the_text_json_dumps_writes(year, tmp_path) -> None:
    """The OCEL 2.0 JSON writer puts each event's text together from pieces: it must be what
    ``json.dumps`` of the event's object writes, character for character."""
    out = tmp_path / "year.json"
    _export(year.url, "ocel2-json", out)
    lines = out.read_text(encoding="utf-8").split("\n")
    events = lines[lines.index('"events": [') + 1 : lines.index("],")]
    assert len(events) > 1000
    for line in events:
        text = line.removesuffix(",")
        assert json.dumps(json.loads(text), ensure_ascii=False) == text


@pytest.mark.postgres
def test_postgresql_exports_in_one_process(pg_url, tmp_path) -> None:
    """On PostgreSQL the whole log is read in one process (a server-side cursor): every
    event is written, in each format."""
    from casetracker.adapters.database import read_transaction
    from casetracker.services.setup import create_database
    from casetracker.services.synthetic_year import generate_year

    create_database(pg_url, "demo")
    admin = Casetracker(pg_url, as_user="admin.demo")
    try:
        generate_year(admin, seed=3, year=2015, arrests=30, workers=1)
        with read_transaction(admin.engine) as conn:
            events = conn.exec_driver_sql("SELECT count(*) FROM events").scalar_one()
    finally:
        admin.close()
    for fmt in FORMATS:
        summary = _export(pg_url, fmt, tmp_path / f"pg.{fmt}")
        assert summary["events"] == events > 0
