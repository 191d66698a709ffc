"""The documents are enough: an independent verifier written from docs/event-format.md and
docs/bundle-format.md alone (tests/integration/outsider.py, standard library only) agrees with
casetracker on a real database, its tree heads, proofs, signatures and an exported bundle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casetracker.integrity import bundle
from casetracker.integrity.encoding import canonical_json
from casetracker.services import tree_heads
from casetracker.services.cases import Casetracker
from casetracker.services.disclosure import export_bundle
from tests.helpers import CORE_ROLES, core_engine, new_service
from tests.integration import outsider
from tests.security import crafted_bundles as crafted


@pytest.fixture(autouse=True)
def _own_config(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def test_the_outsider_agrees_on_a_real_database(tmp_path):
    path = tmp_path / "live.db"
    ct = new_service(f"sqlite:///{path}", roles=(*CORE_ROLES, "auditor"))
    keys = tree_heads.generate_keys()
    public_pem = Path(keys["public_key"]).read_text()
    public = outsider.public_key_from_pem(public_pem)
    ids = [ct.open_case({"name": f"P{i}"}, f"2014-01-0{i + 1}").case_id for i in range(3)]
    for n in range(12):
        ct.act(ids[n % 3], "add_note", {"text": f"note {n}"}, "2014-02-01")
    for case_id in ids:
        ct.show(case_id, reason="checking the file")
    old = tree_heads.signed_checkpoint(ct)
    auditor = Casetracker(ct.url, role="auditor", workflows=core_engine())
    out = tmp_path / "sample\x7f.jsonl"  # DEL, written as itself in the access log's detail
    export_bundle(auditor, ids[:2], "inspection sample", out)
    for n in range(20):
        ct.act(ids[0], "add_note", {"text": f"later {n}"}, "2014-03-01")
    new = tree_heads.signed_checkpoint(ct)
    proof = tree_heads.consistency_proof(ct, old, new)
    auditor.close()
    ct.close()

    db = outsider.read_sqlite(str(path))
    events, access = db["events"], db["access"]
    assert outsider.chain_problems(events) == []
    assert outsider.access_problems(access) == []
    assert any("\x7f" in e["detail"] for e in access)
    assert new["database_id"] == db["meta"]["database_id"]
    assert new["realm"] == db["meta"]["realm"] == events[0]["realm"]
    # the tree heads: roots, heads digest, signatures
    assert outsider.root_hex([e["hash"] for e in events]) == new["root"]
    assert outsider.root_hex([a["hash"] for a in access]) == new["access_root"]
    assert new["access_size"] == len(access)
    heads = {e["case_id"]: (e["case_id"], e["seq"], e["hash"]) for e in events}
    assert outsider.heads_digest(list(heads.values())) == new["heads_digest"]
    assert outsider.head_signed(new, public) and outsider.head_signed(old, public)
    assert not outsider.head_signed(new | {"position": new["position"] - 1}, public)
    # the consistency proof file
    assert (proof["old"]["position"], proof["new"]["position"]) == (
        old["position"],
        new["position"],
    )
    assert outsider.verify_consistency(
        old["position"], new["position"], old["root"], new["root"], proof["events"]
    )
    assert outsider.verify_consistency(
        old["access_size"], new["access_size"], old["access_root"], new["access_root"],
        proof["access_log"],
    )  # fmt: skip
    assert not outsider.verify_consistency(
        old["position"], new["position"], old["root"], new["access_root"], proof["events"]
    )
    # the bundle: every check, signatures and proofs included
    data = out.read_bytes()
    assert outsider.bundle_problems(data, public) == []
    assert bundle.verify(data).ok
    header = json.loads(data.split(b"\n")[0])
    export = next(a for a in access if a["action"] == "export")
    detail = json.loads(export["detail"])
    assert (detail["tree_size"], detail["root"]) == (
        header["tree_head"]["position"],
        header["tree_head"]["root"],
    )
    assert detail["tree_size"] == old["position"]  # nothing was appended between the two
    altered = data.replace(b'"seq":2', b'"seq":3', 1)
    assert outsider.bundle_problems(altered, public)
    assert not bundle.verify(altered).ok


def test_del_is_written_as_itself_and_both_verifiers_accept_it():
    value = {"text": "a\x7fb", "tab": "\t", "unit": "\x1f"}
    assert outsider.canonical(value) == canonical_json(value)
    assert "\x7f" in canonical_json(value) and "\\u001f" in canonical_json(value)
    first = crafted.event(1, "0" * 64, "go")
    first["payload"] = canonical_json({"fields": {"why": "rubbed\x7fout"}})
    events = [first | {"hash": outsider.event_hash(first)}]
    events.append(crafted.event(2, events[0]["hash"], "back"))
    data = crafted.write(crafted.header(events), events)
    assert outsider.bundle_problems(data, None) == []
    assert bundle.verify(data).ok, bundle.verify(data).problems


def test_both_verifiers_link_to_the_stored_hash_of_the_event_before():
    """One altered event is one problem, not a cascade over every later event."""
    events = crafted.events()
    events.append(crafted.event(3, events[1]["hash"], "go"))
    events[1] = events[1] | {"actor_user": "someone else"}  # altered, hash kept
    data = crafted.write(crafted.header(events), events)
    ours = bundle.verify(data).problems
    theirs = outsider.bundle_problems(data, None)
    assert len(ours) == 1 and "event 2" in ours[0] and "does not match its hash" in ours[0]
    assert theirs == ["C-0000001 2: hash"]
