"""Signed tree heads against a database and a bundle that lie (issue 15, items 2, 4 and 6).

Each attack is what someone with write access to the database (or the bundle file) could do,
append-only triggers switched off: rewrite history and re-hash every chain and the stored tree,
cut the tail, delete a case, cut or re-hash the access log, restore an old copy, lie about one
stored subtree; or re-seal an altered bundle.  A tree head signed before the attack, checked with
the public key, must catch each one and say what differs.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from casetracker.adapters import merkle_tree
from casetracker.adapters.database import read_transaction
from casetracker.domain.errors import UsageError
from casetracker.integrity import bundle, merkle, signing, tree_head
from casetracker.integrity.encoding import (
    EVENT_FIELDS,
    GENESIS,
    STORED_FIELDS,
    access_hash,
    canonical_json,
    event_hash,
    hashed_values,
    heads_digest,
    recorded_event,
    stored_hash,
    stored_values,
)
from casetracker.integrity.event_checks import COLUMNS
from casetracker.services import tree_heads
from casetracker.services.cases import Casetracker
from casetracker.services.disclosure import export_bundle
from casetracker.services.setup import create_database
from tests.helpers import CORE_ROLES, core_engine, new_service, police_of
from tests.integration.tamper import rows, tamper
from tests.integration.test_migrations import _KEPT, _start_again, _write_at_0003
from tests.security.test_postgres_forces import forces  # noqa: F401 (a fixture)

EVENTS = 40  # more than 2 blocks of 16: the tree has stored subtrees at levels 4 and 5


@pytest.fixture(autouse=True)
def _own_config(tmp_path, monkeypatch):
    """Keys go to this test's own configuration directory, never the developer's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def keys(tmp_path) -> tuple[Path, signing.PublicKey]:
    made = tree_heads.generate_keys()
    return Path(made["private_key"]), tree_heads.public_key(Path(made["public_key"]))


@pytest.fixture
def log(db_url):
    """A log of 40 events over five cases, and some access-log entries."""
    ct = new_service(db_url, roles=(*CORE_ROLES, "auditor"))
    ids = [ct.open_case({"name": f"P{i}"}, "2014-01-01").case_id for i in range(5)]
    for n in range(7):
        for case_id in ids:
            ct.act(case_id, "add_note", {"text": f"note {n}"}, "2014-02-01")
    for case_id in ids:
        ct.show(case_id)
    yield ct, ids
    ct.close()


def _hashes(url: str, table: str) -> list[str]:
    return [h for (h,) in rows(url, f"SELECT hash FROM {table} ORDER BY position")]


def _damaged(ct: Casetracker, checkpoint: dict[str, Any], key: Any) -> list[str]:
    report = ct.verify(checkpoint, key=key)
    assert not report.ok
    return report.problems


def _rewrite_tree(url: str, table: str) -> None:
    """What a thorough attacker does after changing a log: rebuild its stored tree too."""
    leaves = _hashes(url, table)
    nodes = list(merkle.all_nodes(leaves, merkle_tree.LOWEST_STORED))
    tamper(
        url,
        "DELETE FROM merkle_nodes WHERE tree = :t",
        *["INSERT INTO merkle_nodes VALUES (:t, :l, :i, :h)"] * len(nodes),
        params=[{"t": table}, *({"t": table, "l": lv, "i": ix, "h": h} for lv, ix, h in nodes)],
    )


def test_the_stored_tree_is_the_rfc_tree_of_the_log(log, db_url, keys):
    ct, _ = log
    leaves = _hashes(db_url, "events")
    assert len(leaves) == EVENTS
    head = tree_heads.signed_checkpoint(ct, keys[0])
    assert head["root"] == merkle.root(leaves)
    assert head["access_root"] == merkle.root(_hashes(db_url, "access_log"))
    assert head["access_size"] >= 5
    assert signing.head_signature_problem(head, keys[1]) == ""
    report = ct.verify(head, key=keys[1])
    assert report.ok, report.problems
    assert report.tree == {k: head[k] for k in ("root", "access_size", "access_root")} | {
        "size": EVENTS
    }
    with read_transaction(ct.engine) as conn:
        for index in (0, 15, 16, 31, 39):
            proof = merkle_tree.inclusion_proof(conn, "events", index, EVENTS)
            assert len(proof) <= (EVENTS - 1).bit_length()
            assert merkle.verify_inclusion(index, EVENTS, leaves[index], proof, head["root"])
        for old in (1, 16, 17, 32, 39):
            proof = merkle_tree.consistency_proof(conn, "events", old, EVENTS)
            assert merkle.verify_consistency(
                old, EVENTS, merkle.root(leaves[:old]), head["root"], proof
            )


def test_a_rewritten_and_rehashed_history_fails_the_signed_head(log, db_url, keys):
    ct, _ = log
    checkpoint = tree_heads.signed_checkpoint(ct, keys[0])
    events = rows(db_url, f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY case_id, seq")
    statements, params, prev = [], [], {}
    for row in events:
        event = recorded_event(row)
        if event.seq == 3:
            event = event._replace(actor_user="nobody")
        event = event._replace(prev_hash=prev.get(event.case_id, event.prev_hash))
        stored = dict(zip(STORED_FIELDS, stored_values(hashed_values(event)), strict=True))
        stored["hash"] = stored_hash(tuple(stored.values()))
        prev[event.case_id] = stored["hash"]
        statements.append(
            "UPDATE events SET stamp = :stamp, prev_hash = :prev_hash, hash = :hash "
            "WHERE position = :position"
        )
        params.append(stored)
    tamper(db_url, *statements, params=params)
    _rewrite_tree(db_url, "events")
    ct.rebuild()
    problems = _damaged(ct, checkpoint, keys[1])
    assert any("event log's first 40 entries are not those" in p for p in problems), problems


def test_a_cut_tail_fails_the_signed_head(log, db_url, keys):
    ct, _ = log
    checkpoint = tree_heads.signed_checkpoint(ct, keys[0])
    tamper(db_url, "DELETE FROM events WHERE position > 30")
    _rewrite_tree(db_url, "events")
    ct.rebuild()
    problems = _damaged(ct, checkpoint, keys[1])
    assert any("event log has 30 entries but the checkpoint's tree has 40" in p for p in problems)


def test_a_deleted_case_with_positions_renumbered_fails_the_signed_head(log, db_url, keys):
    """Delete a case and close the gap in the positions, so the log looks whole."""
    ct, ids = log
    checkpoint = tree_heads.signed_checkpoint(ct, keys[0])
    events = [
        recorded_event(r)
        for r in rows(db_url, f"SELECT {', '.join(COLUMNS)} FROM events ORDER BY position")
    ]
    kept = [e for e in events if e.case_id != ids[1]]
    statements = ["DELETE FROM events"]
    params: list[dict] = [{}]
    prev: dict[str, str] = {}
    for position, event in enumerate(kept, 1):
        event = event._replace(position=position, prev_hash=prev.get(event.case_id, GENESIS))
        stored = dict(zip(STORED_FIELDS, stored_values(hashed_values(event)), strict=True))
        stored["hash"] = stored_hash(tuple(stored.values()))
        prev[event.case_id] = stored["hash"]
        statements.append(
            f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES "
            f"({', '.join(':' + c for c in COLUMNS)})"
        )
        params.append(stored)
    tamper(db_url, *statements, params=params)
    _rewrite_tree(db_url, "events")
    tamper(db_url, "DELETE FROM cases WHERE case_id = :c", params=[{"c": ids[1]}])
    ct.rebuild()
    assert not ct.verify(checkpoint, key=keys[1]).ok
    problems = _damaged(ct, checkpoint, keys[1])
    assert any("tail was cut off" in p or "are not those" in p for p in problems), problems


def test_a_cut_access_log_fails_the_signed_head(log, db_url, keys):
    ct, _ = log
    checkpoint = tree_heads.signed_checkpoint(ct, keys[0])
    size = checkpoint["access_size"]
    tamper(db_url, "DELETE FROM access_log WHERE position = :p", params=[{"p": size}])
    problems = _damaged(ct, checkpoint, keys[1])
    assert any(f"access log has {size - 1} entries" in p for p in problems), problems


def test_an_access_log_entry_removed_and_the_rest_rehashed_fails_the_signed_head(log, db_url, keys):
    ct, _ = log
    checkpoint = tree_heads.signed_checkpoint(ct, keys[0])
    fields = '"position", recorded, "user", role, action, case_id, justification, detail, prev_hash'
    entries = rows(db_url, f"SELECT {fields} FROM access_log ORDER BY position")
    statements, params = ["DELETE FROM access_log"], [{}]
    prev = GENESIS
    for position, entry in enumerate(entries[1:], 1):
        values = (position, *entry[1:8], prev)
        prev = access_hash(values)
        statements.append(
            'INSERT INTO access_log ("position", recorded, "user", role, action, case_id, '
            "justification, detail, prev_hash, hash) VALUES "
            "(:p, :r, :u, :ro, :a, :c, :j, :d, :prev, :h)"
        )
        params.append(
            dict(zip(("p", "r", "u", "ro", "a", "c", "j", "d", "prev"), values, strict=True))
            | {"h": prev}
        )
    tamper(db_url, "DELETE FROM access_justifications")
    tamper(db_url, *statements, params=params)
    _rewrite_tree(db_url, "access_log")
    assert not any("access log:" in p for p in ct.verify().problems)  # the chain alone: fine
    problems = _damaged(ct, checkpoint, keys[1])
    assert any("access log has" in p or "access log's first" in p for p in problems), problems


def test_a_restored_older_backup_fails_the_signed_head(tmp_path, keys):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    ct = new_service(url)
    case_id = ct.open_case({"name": "P"}, "2014-01-01").case_id
    for n in range(20):
        ct.act(case_id, "add_note", {"text": f"a{n}"})
    ct.close()
    shutil.copy(tmp_path / "live.db", tmp_path / "backup.db")
    ct = Casetracker(url, role="police", workflows=core_engine())
    for n in range(5):
        ct.act(case_id, "add_note", {"text": f"b{n}"})
    checkpoint = tree_heads.signed_checkpoint(ct, keys[0])
    ct.close()
    shutil.copy(tmp_path / "backup.db", tmp_path / "live.db")
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"live.db{suffix}").unlink(missing_ok=True)
    ct = Casetracker(url, role="police", workflows=core_engine())
    for n in range(8):  # written after the restore: the log is longer again
        ct.act(case_id, "add_note", {"text": f"c{n}"})
    problems = _damaged(ct, checkpoint, keys[1])
    ct.close()
    assert any("event log's first 26 entries are not those" in p for p in problems), problems


def test_a_lying_stored_subtree_is_caught_and_its_proofs_fail(log, db_url, keys):
    ct, _ = log
    leaves = _hashes(db_url, "events")
    true_root = merkle.root(leaves)
    tamper(
        db_url,
        "UPDATE merkle_nodes SET hash = :h WHERE tree = 'events' AND level = 4 AND idx = 0",
        params=[{"h": leaves[0]}],
    )
    problems = ct.verify().problems
    assert any("events tree: the stored subtree at level 4, index 0" in p for p in problems)
    with read_transaction(ct.engine) as conn:
        served_root = merkle_tree.root(conn, "events", 16)
        proof = merkle_tree.inclusion_proof(conn, "events", 20, EVENTS)
        consistency = merkle_tree.consistency_proof(conn, "events", 17, EVENTS)
    assert served_root != merkle.root(leaves[:16])
    assert not merkle.verify_inclusion(20, EVENTS, leaves[20], proof, true_root)
    old_root = merkle.root(leaves[:17])
    assert not merkle.verify_consistency(17, EVENTS, old_root, true_root, consistency)


def test_a_head_signed_by_another_key_or_altered_fails(log, keys, tmp_path):
    ct, _ = log
    other = tree_heads.generate_keys(tmp_path / "other.pem")
    by_other = tree_heads.signed_checkpoint(ct, Path(other["private_key"]))
    problems = _damaged(ct, by_other, keys[1])
    assert any("signed by another key" in p for p in problems)
    mine = tree_heads.signed_checkpoint(ct, keys[0])
    altered = mine | {"created": "2015-01-01T00:00:00Z"}
    assert any("signature is not this key's" in p for p in _damaged(ct, altered, keys[1]))
    unsigned = ct.checkpoint()
    assert any("not signed" in p for p in _damaged(ct, unsigned, keys[1]))
    assert ct.verify(unsigned).ok  # without a key, the head is compared but not its signer


def test_consistency_between_two_heads_offline(log, keys):
    ct, ids = log
    old = tree_heads.signed_checkpoint(ct, keys[0])
    ct.act(ids[0], "add_note", {"text": "later"})
    ct.show(ids[0])
    new = tree_heads.signed_checkpoint(ct, keys[0])
    proof = tree_heads.consistency_proof(ct, old, new)
    assert tree_head.consistency_problems(old, new, proof, keys[1]) == []
    assert (
        tree_head.consistency_problems(old, old, tree_heads.consistency_proof(ct, old, old)) == []
    )
    lies = {
        "swapped": (new, old, proof),
        "wrong sibling": (
            old,
            new,
            proof | {"events": [proof["access_log"][0], *proof["events"][1:]]},
        ),
        "truncated": (old, new, proof | {"events": proof["events"][:-1]}),
        "empty": (old, new, proof | {"access_log": []}),
        "other heads": (old, new, tree_heads.consistency_proof(ct, new, new)),
    }
    for name, (a, b, p) in lies.items():
        assert tree_head.consistency_problems(a, b, p, keys[1]), name
    with pytest.raises(UsageError, match="beyond"):
        tree_heads.consistency_proof(ct, new, old)
    with pytest.raises(UsageError, match="another database"):
        tree_heads.consistency_proof(ct, old, new | {"database_id": "x"})


# ------------------------------------------------------------------------ bundles


def _lines(data: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in data.decode().splitlines()]


def _reseal(lines: list[dict[str, Any]]) -> bytes:
    """What a forger does: re-hash and re-chain every event, recompute the header's case list,
    checkpoint and digest.  The signatures cannot be redone without the key."""
    header, events = lines[0], lines[1:]
    prev: dict[str, str] = {}
    cases: dict[str, dict[str, Any]] = {}
    for e in events:
        e["prev_hash"] = prev.get(e["case_id"], GENESIS)
        e["hash"] = event_hash(tuple(e[k] for k in EVENT_FIELDS))
        prev[e["case_id"]] = e["hash"]
        case = cases.setdefault(e["case_id"], {"case_id": e["case_id"], "events": 0, "head": ""})
        case["events"] += 1
        case["head"] = e["hash"]
    header["cases"] = list(cases.values())
    header["checkpoint"] |= {
        "cases": len(cases),
        "events": len(events),
        "position": max(e["position"] for e in events),
        "heads_digest": heads_digest(
            [(c["case_id"], c["events"], c["head"]) for c in cases.values()]
        ),
    }
    header.pop("signature", None)
    header.pop("header_digest")
    header["header_digest"] = bundle._digest(header)
    return ("\n".join(canonical_json(x) for x in [header, *events]) + "\n").encode()


def test_every_resealed_forgery_of_a_bundle_fails_with_the_key(log, keys, tmp_path):
    ct, ids = log
    auditor = Casetracker(ct.url, role="auditor", workflows=core_engine())
    out = tmp_path / "b.jsonl"
    summary = export_bundle(auditor, ids[:2], "inspection", out)
    auditor.close()
    assert summary["signed"]
    data = out.read_bytes()
    report = bundle.verify(data, keys[1])
    assert report.ok and report.proven, report.problems
    plain = bundle.verify(data)
    assert plain.ok and not plain.proven and "self-consistency only" in plain.note
    original = _lines(data)

    def forged(change) -> list[str]:
        lines = json.loads(json.dumps(original))
        change(lines)
        problems = bundle.verify(_reseal(lines), keys[1]).problems
        assert problems
        return problems

    def payload(lines):
        lines[3]["payload"] = lines[3]["payload"].replace("add_note", "x") + " "

    def cut(lines):
        del lines[7]

    def who(lines):
        lines[0]["exported_by"] = "someone.else"
        lines[0]["reason"] = "no reason"

    def made_up(lines):
        fake = [json.loads(json.dumps(e)) for e in lines[1:] if e["case_id"] == ids[0]]
        for e in fake:
            e["case_id"] = "C-0009999"
        lines.extend(fake)

    for change in (payload, cut, who, made_up):
        problems = forged(change)
        assert any("re-sealed" in p for p in problems), (change.__name__, problems)
    named = forged(payload)
    assert any(p.startswith(f"event 3 of {ids[0]}") and "inclusion proof" in p for p in named)
    assert any("C-0009999" in p and "inclusion proof" in p for p in forged(made_up))
    # a forger who drops the signatures, or signs with a key of their own
    stripped = json.loads(json.dumps(original))
    stripped[0].pop("public_key")
    stripped[0]["tree_head"].pop("signature")
    stripped[0]["tree_head"].pop("key_id")
    assert any("not signed" in p for p in bundle.verify(_reseal(stripped), keys[1]).problems)
    other = tree_heads.generate_keys(tmp_path / "forger.pem")
    forger = tree_heads.signing_key(Path(other["private_key"]))
    resigned = json.loads(json.dumps(original))
    resigned[0]["tree_head"] = signing.sign_head(resigned[0]["tree_head"], forger)
    resigned[0]["public_key"] = signing.raw_hex(forger.public_key())
    assert bundle.verify(_reseal(resigned)).problems  # the header signature is not redone
    assert any("another key" in p for p in bundle.verify(_reseal(resigned), keys[1]).problems)


def test_the_export_entry_records_the_bundles_head_and_digest(log, keys, tmp_path):
    ct, ids = log
    auditor = Casetracker(ct.url, role="auditor", workflows=core_engine())
    out = tmp_path / "b.jsonl"
    summary = export_bundle(auditor, [ids[0]], "inspection", out)
    entries = auditor.access_entries(ids[0], 5)
    auditor.close()
    header = _lines(out.read_bytes())[0]
    detail = json.loads(next(e for e in entries if e.action == "export").detail)
    assert detail["sha256"] == summary["sha256"]
    assert (detail["tree_size"], detail["root"]) == (
        header["tree_head"]["position"],
        header["tree_head"]["root"],
    )


def test_an_unsigned_bundle_says_so_with_a_key(log, tmp_path, keys):
    ct, ids = log
    os.rename(keys[0], tmp_path / "away.pem")  # no key to sign with
    auditor = Casetracker(ct.url, role="auditor", workflows=core_engine())
    out = tmp_path / "b.jsonl"
    assert not export_bundle(auditor, [ids[0]], "inspection", out)["signed"]
    auditor.close()
    assert bundle.verify(out.read_bytes()).ok
    problems = bundle.verify(out.read_bytes(), keys[1]).problems
    assert any("it is not signed" in p for p in problems)


def test_keys_are_written_once_and_privately(tmp_path):
    made = tree_heads.generate_keys(tmp_path / "k" / "signing.pem")
    assert stat.S_IMODE(os.stat(made["private_key"]).st_mode) == 0o600
    before = Path(made["private_key"]).read_bytes()
    with pytest.raises(UsageError, match="already exists"):
        tree_heads.generate_keys(tmp_path / "k" / "signing.pem")
    assert Path(made["private_key"]).read_bytes() == before
    (tmp_path / "bad.pub").write_text("not a key")
    with pytest.raises(UsageError, match="not a public key"):
        tree_heads.public_key(tmp_path / "bad.pub")
    with pytest.raises(UsageError, match="no signing key"):
        tree_heads.signing_key(tmp_path / "none.pem")


def test_an_upgrade_builds_both_trees_without_changing_a_hash(db_url, keys):
    """A log written before revision 0010 (here as revision 0003 kept it) gets its trees from
    `casetracker init`: the head signed before the upgrade still verifies after it."""
    ct = new_service(db_url)  # every event then had an idempotency key (0027 made them optional)
    ids = [ct.open_case({"name": f"P{i}"}, "2014-01-01", f"open {i}").case_id for i in range(3)]
    for n in range(15):
        ct.act(ids[n % 3], "add_note", {"text": f"n{n}"}, "2014-02-01", idempotency_key=f"n{n}")
    for _ in range(20):
        ct.show(ids[0])
    checkpoint = tree_heads.signed_checkpoint(ct, keys[0])
    history = {case_id: ct.store.read_case(case_id) for case_id in ids}
    with ct.engine.connect() as conn:
        tables = {
            t: [dict(r._mapping) for r in conn.exec_driver_sql(f"SELECT * FROM {t}")] for t in _KEPT
        }
    ct.close()
    _start_again(db_url)
    _write_at_0003(db_url, tables, history)
    assert create_database(db_url).upgraded_from == "0003"
    police_of(db_url, "MPS")
    ct = Casetracker(db_url, role="police", workflows=core_engine())
    try:
        report = ct.verify(checkpoint, key=keys[1])
        # the notes' free text is not carried over here, so only the trees' findings count
        tree_problems = [p for p in report.problems if "tree" in p or "checkpoint" in p]
        assert tree_problems == [], report.problems
        assert report.tree["root"] == checkpoint["root"]
        assert report.tree["access_root"] == checkpoint["access_root"]
        stored = rows(db_url, "SELECT level, idx, hash FROM merkle_nodes WHERE tree = 'events'")
        built = merkle.all_nodes(_hashes(db_url, "events"), merkle_tree.LOWEST_STORED)
        assert sorted(stored) == sorted(built) and stored
    finally:
        ct.close()


@pytest.mark.postgres
def test_a_police_login_completes_blocks_over_other_forces_events(forces):  # noqa: F811
    """Row-level security hides West Midlands' events from a Met officer, but the one tree over
    every event still grows when the officer's append completes a block of 16 (migration 0014)."""
    wmp = forces.service(forces.wmp, "police")
    mps = forces.service(forces.mps, "police")
    theirs = wmp.open_case({"name": "W", "force": "WMP"}, "2014-01-01").case_id
    mine = mps.open_case({"name": "M", "force": "MPS"}, "2014-01-01").case_id
    for n in range(20):
        (wmp if n % 2 else mps).act(theirs if n % 2 else mine, "add_note", {"text": f"{n}"})
    wmp.close()
    mps.close()
    auditor = forces.service(forces.auditor, "auditor")
    report = auditor.verify()
    auditor.close()
    assert not [p for p in report.problems if "tree" in p], report.problems
    assert report.tree["size"] == 22
    leaves = [h for (h,) in rows(forces.owner_url, "SELECT hash FROM events ORDER BY position")]
    assert report.tree["root"] == merkle.root(leaves)


def test_a_lying_stored_subtree_is_caught_by_the_worker_process_too(log, db_url, monkeypatch):
    """On a large SQLite log a worker rebuilds the trees beside the chain walk."""
    ct, _ = log
    monkeypatch.setattr("casetracker.adapters.workers.PARALLEL_FROM", 1)
    assert ct.verify().ok
    tamper(
        db_url,
        "UPDATE merkle_nodes SET hash = :h WHERE tree = 'events' AND level = 5 AND idx = 0",
        params=[{"h": "0" * 64}],
    )
    problems = ct.verify().problems
    assert any("events tree: the stored subtree at level 5, index 0" in p for p in problems)
