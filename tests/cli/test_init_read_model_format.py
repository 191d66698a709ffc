"""``casetracker init`` derives the read models again when they were derived by an older
release's rules (``read_model_format``): an action rewrites only its own case's rows, so rows
an older release derived would otherwise stay as it left them."""

from __future__ import annotations

import pytest

from casetracker.adapters import read_model_format
from casetracker.adapters.database import read_transaction, write_transaction
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database
from casetracker.services.synthetic_year import generate_year

DERIVED = ("worklist", "deadlines", "mi_arrests")


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'year.db'}"
    assert not create_database(url, "demo").read_models_rederived
    ct = Casetracker(url, as_user="io.demo")
    generate_year(ct, seed=3, year=2015, arrests=40, workers=1)
    ct.close()
    return url


def _rows(url: str) -> dict[str, list[tuple]]:
    ct = Casetracker(url, as_user="io.demo")
    try:
        with read_transaction(ct.engine) as conn:
            return {
                t: sorted(tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t}"))
                for t in DERIVED
            }
    finally:
        ct.close()


def _as_an_older_release_left_it(url: str) -> None:
    """Rows unlike this release's derivation, and no format recorded (releases before it)."""
    ct = Casetracker(url, as_user="io.demo")
    try:
        with write_transaction(ct.engine) as conn:
            conn.exec_driver_sql("UPDATE worklist SET due = '1999-01-01T00:00:00Z'")
            conn.exec_driver_sql("DELETE FROM mi_arrests")
            conn.exec_driver_sql("DELETE FROM meta WHERE key = 'read_models_format'")
    finally:
        ct.close()


def test_a_new_database_records_this_releases_rules(url):
    ct = Casetracker(url, as_user="io.demo")
    try:
        with read_transaction(ct.engine) as conn:
            assert read_model_format.recorded(conn) == read_model_format.FORMAT
    finally:
        ct.close()
    assert not create_database(url, "demo").read_models_rederived  # nothing to do again


def test_init_derives_again_what_an_older_release_derived(url):
    derived = _rows(url)
    assert derived["worklist"] and derived["mi_arrests"]
    _as_an_older_release_left_it(url)
    assert _rows(url) != derived
    assert create_database(url, "demo").read_models_rederived
    assert _rows(url) == derived
    assert not create_database(url, "demo").read_models_rederived


def test_the_command_says_so(url, run):
    _as_an_older_release_left_it(url)
    path = url.removeprefix("sqlite:///")
    said = run("--db", path, "init")
    assert said.code == 0, said.err
    assert "derived again by this release's rules" in said.out
    again = run("--db", path, "init")
    assert again.code == 0 and "derived again" not in again.out
