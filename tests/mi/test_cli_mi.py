"""The MI commands as a user types them, and every error a user can cause."""

from __future__ import annotations

import csv
import io

import pytest

from casetracker.adapters import mi_model
from casetracker.adapters.database import read_transaction
from casetracker.domain.identity import seeded_user
from casetracker.services.cases import Casetracker
from tests.cli.conftest import snapshot
from tests.mi.conftest import build


@pytest.fixture
def small(tmp_path):
    return build(str(tmp_path / "small.db"), 600, seed=4, workers=1)


def _tables(url: str) -> dict[str, list[tuple]]:
    ct = Casetracker(url, as_user="admin.demo")
    try:
        with read_transaction(ct.engine) as conn:
            return {
                t: sorted(conn.exec_driver_sql(f"SELECT * FROM {t}").all())
                for t in ("mi_arrests", "mi_referrals", "mi_spells", "mi_high_harm", "worklist")
            }
    finally:
        ct.close()


def test_reports_in_every_format_say_their_unit(run, small):
    db = small.path
    for count in ("calls", "people"):
        out = run("--db", db, "--as", "audit.demo", "report", "referrals", "--year", "2015",
                  "--count", count, "--format", "csv")  # fmt: skip
        assert out.code == 0, out.err
        rows = list(csv.DictReader(io.StringIO(out.out)))
        assert rows and {r["unit"] for r in rows} == {count}
        table = run("--db", db, "--as", "audit.demo", "report", "referrals", "--year", "2015",
                    "--count", count)  # fmt: skip
        assert f"counted as {count.upper()}" in table.out
    for name in ("releases", "durations", "high-harm"):
        out = run("--db", db, "--as", "audit.demo", "report", name, "--format", "json")
        assert out.code == 0 and out.json["rows"], (name, out.err)


def test_bad_report_options_are_usage_errors(run, small):
    bad_count = run("--db", small.path, "report", "referrals", "--year", "2015", "--count", "x")
    bad_format = run("--db", small.path, "report", "high-harm", "--format", "xml")
    assert (bad_count.code, bad_format.code) == (2, 2)
    assert "fn 13" in bad_count.err and len(bad_format.err.strip().splitlines()) == 1


def test_rebuild_recomputes_what_the_bulk_path_wrote(run, small):
    written = _tables(small.url)
    assert written["worklist"], "the bulk path fills the worklist as act() would"
    assert run("--db", small.path, "--as", "admin.demo", "rebuild").code == 0
    assert _tables(small.url) == written


def test_each_action_keeps_the_tables_current(small):
    with read_transaction(Casetracker(small.url, as_user="audit.demo").engine) as conn:
        case_id, number, force = conn.exec_driver_sql(
            "SELECT case_id, encounter, force FROM mi_arrests WHERE route = 'none' "
            "AND (NOT released OR left_by IN ('remand', 'bail_to_court')) "
            "ORDER BY case_id LIMIT 1"  # a person at court may be referred too
        ).one()
    ct = Casetracker(small.url, as_user=seeded_user("police", force))  # that force's officer
    try:
        ct.act(case_id, "refer_to_local_io", {"encounter": number}, "2015-12-31T10:00")
    finally:
        ct.close()
    live = _tables(small.url)
    mi_model.rebuild(Casetracker(small.url, as_user="admin.demo").engine, ct.flow)
    assert _tables(small.url) == live
    assert any(r[0] == case_id and r[7] == "local_io" for r in live["mi_arrests"])


def test_synth_refuses_a_live_database_and_a_repeated_seed(run, db, small):
    before = snapshot(db)
    live = run("--db", db, "synth", "--arrests", "10")
    assert live.code == 1 and "demo or training" in live.err
    assert snapshot(db) == before
    again = run("--db", small.path, "--as", "admin.demo", "synth", "--arrests", "10", "--seed", "4")
    assert again.code == 1 and "already generated" in again.err
    year = run("--db", small.path, "--as", "admin.demo", "synth", "--year", "3000")
    assert year.code == 2


def test_synth_command_prints_a_synthetic_summary(run, tmp_path):
    path = str(tmp_path / "demo.db")
    assert run("--db", path, "init", "--realm", "demo").code == 0
    out = run("--db", path, "--as", "admin.demo", "synth", "--arrests", "50", "--workers", "1")
    assert out.code == 0, out.err
    assert out.out.startswith("SYNTHETIC data: 50 arrests")
    assert run("--db", path, "--as", "admin.demo", "verify").code == 0


def test_sample_and_export_errors(run, small, tmp_path):
    db = small.path
    before = snapshot(db)
    no_seed = run("--db", db, "--as", "audit.demo", "sample", "--from", "2015-06-01",
                  "--to", "2015-11-30")  # fmt: skip
    bad_force = run("--db", db, "--as", "audit.demo", "sample", "--forces", "XYZ", "--seed", "1",
                    "--from", "2015-06-01", "--to", "2015-11-30")  # fmt: skip
    bad_date = run("--db", db, "--as", "audit.demo", "sample", "--seed", "1", "--from", "June",
                   "--to", "2015-11-30")  # fmt: skip
    no_reason = run("--db", db, "--as", "audit.demo", "export", "C-0000001", "--out",
                    str(tmp_path / "b.jsonl"))  # fmt: skip
    unknown = run("--db", db, "--as", "audit.demo", "export", "C-9999999", "--out",
                  str(tmp_path / "b.jsonl"), "--reason", "audit")  # fmt: skip
    codes = [r.code for r in (no_seed, bad_force, bad_date, no_reason, unknown)]
    assert codes == [2, 2, 2, 2, 1]
    assert all(len(r.err.strip().splitlines()) == 1 for r in (no_seed, bad_force, no_reason))
    assert snapshot(db) == before


def test_export_then_verify_bundle_on_the_command_line(run, small, tmp_path):
    out = tmp_path / "b.jsonl"
    done = run("--db", small.path, "--as", "audit.demo", "export", "C-0000002", "C-0000003",
               "--out", str(out), "--reason", "inspection")  # fmt: skip
    assert done.code == 0, done.err
    assert run("verify", "--bundle", str(out)).code == 0  # no --db needed
    data = bytearray(out.read_bytes())
    data[-20] ^= 0x01
    out.write_bytes(bytes(data))
    damaged = run("verify", "--bundle", str(out))
    assert damaged.code == 1 and "DAMAGED event" in damaged.out
    assert run("verify", "--bundle", str(tmp_path / "none.jsonl")).code == 2
