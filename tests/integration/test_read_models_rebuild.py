"""``casetracker rebuild``'s read models: one fold of the log, in one process or two, gives
exactly the rows that each action and the bulk path wrote (issue 18) - and, for the process
map's ``flow_steps``, which actions do not write on SQLite, the rows its catch-up wrote."""

from __future__ import annotations

import pytest

from casetracker.adapters import flow_model, read_models, workers
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year
from tests.helpers import in_two_processes

TABLES = (
    "worklist",
    "deadlines",
    "mi_arrests",
    "mi_people",
    "mi_referrals",
    "mi_spells",
    "mi_high_harm",
    "flow_steps",
)


@pytest.fixture
def year(tmp_path):
    url = f"sqlite:///{tmp_path / 'year.db'}"
    create_database(url, "demo")
    ct = Casetracker(url, as_user="io.demo")
    generate_year(ct, seed=7, year=2015, arrests=80, workers=1)
    with read_transaction(ct.engine) as conn:
        open_cases = [
            r[0]
            for r in conn.exec_driver_sql(
                'SELECT case_id FROM cases WHERE state LIKE \'%"case":"open"%\' LIMIT 5'
            )
        ]
    for case_id in open_cases:  # rows written by actions too, not only by the bulk path
        ct.act(case_id, "add_note", {"text": "seen at the suite"})
    yield ct
    ct.close()


def _tables(ct: Casetracker) -> dict[str, list[tuple]]:
    """Every read model's rows, ``flow_steps`` caught up with the log first (as its readers
    do)."""
    assert flow_model.catch_up(ct.engine)
    with read_transaction(ct.engine) as conn:
        return {
            t: sorted(tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t}")) for t in TABLES
        }


def _emptied(ct: Casetracker) -> None:
    with write_transaction(ct.engine) as conn:
        for table in TABLES:
            conn.exec_driver_sql(f"DELETE FROM {table}")


def test_one_process_rebuilds_the_rows_kept(year, monkeypatch) -> None:
    kept = _tables(year)
    assert kept["worklist"] and kept["mi_arrests"] and kept["deadlines"]
    monkeypatch.setattr(workers, "PARALLEL_FROM", 2**62)
    _emptied(year)
    assert read_models.rebuild(year.engine, year.flow) == len(_cases(year))
    assert _tables(year) == kept


def test_two_processes_rebuild_the_rows_kept(year, monkeypatch) -> None:
    kept = _tables(year)
    adopted = in_two_processes(monkeypatch)
    _emptied(year)
    assert read_models.rebuild(year.engine, year.flow) == len(_cases(year))
    assert adopted and adopted[0] is not None  # the worker's half was used, not redone here
    assert _tables(year) == kept


def _cases(ct: Casetracker) -> list[str]:
    with read_transaction(ct.engine) as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT case_id FROM cases")]


def _indexes(ct: Casetracker) -> list[tuple]:
    with read_transaction(ct.engine) as conn:
        return sorted(
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index'"
            )
        )


def test_rebuild_leaves_every_index_as_the_schema_made_it(year) -> None:
    """The read models' secondary indexes are dropped while their rows are written and built
    again after: the same indexes, by the same statements, in use by the planner."""
    before = _indexes(year)
    assert any(name == "ix_flow_steps_paths" for _, name, _ in before)
    year.rebuild()
    assert _indexes(year) == before
    with read_transaction(year.engine) as conn:
        plan = " ".join(
            str(r[-1])
            for r in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM worklist WHERE owner = 'x'"
            )
        )
    assert "ix_worklist_owner" in plan


def test_a_failed_rebuild_leaves_tables_and_indexes_as_they_were(year, monkeypatch) -> None:
    kept, indexes = _tables(year), _indexes(year)

    def broken(conn, per_case):
        raise RuntimeError("disk gone")

    fed = read_models._fed()
    flow = next(m for m in fed if m.name == "flow")
    monkeypatch.setattr(
        read_models,
        "_fed",
        lambda: [
            m if m is not flow else read_models.ReadModel(**{**vars(m), "insert": broken})
            for m in fed
        ],
    )
    with pytest.raises(RuntimeError, match="disk gone"):
        read_models.rebuild(year.engine, year.flow)
    assert _tables(year) == kept
    assert _indexes(year) == indexes
