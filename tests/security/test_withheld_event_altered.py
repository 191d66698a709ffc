"""An event withheld from a bundle's exporter (a police-only ACRO result, ¶4.32) cannot be
altered in a signed bundle while it still verifies.

Such an event's content is redacted, so its stored hash cannot be recomputed from it and the
verifier had checked it by its chain, its case's head and its inclusion proof alone: who
recorded it, in which role, when, and every field left unredacted could be changed in the file
and ``verify --bundle --key`` still said the bundle was proven.  The signed header now holds
the digest of each withheld event's line as exported.
"""

from __future__ import annotations

import json
from contextlib import closing

import pytest

from casetracker.integrity import bundle, signing
from casetracker.integrity.encoding import canonical_json
from casetracker.services import disclosure
from casetracker.services.cases import Casetracker
from casetracker.services.setup import create_database


@pytest.fixture
def exported(tmp_path, monkeypatch) -> tuple[bytes, signing.Ed25519PublicKey]:
    """A demo database's Met case with a police-only ACRO result, exported by an admin (no
    police reader) in a signed bundle; and the public key."""
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    create_database(url, "demo")
    with closing(Casetracker(url, as_user="pc.demo")) as police:
        case_id = police.open_case({"name": "Sam Synthetic"}, "2015-06-01T10:00").case_id
        police.act(case_id, "arrest", {"offence": "theft", "offence_category": "theft",
                                       "force": "MPS"}, "2015-06-01T10:05")  # fmt: skip
        police.act(case_id, "request_acro_check", {"force": "MPS", "country": "Synthland"},
                   "2015-06-01T11:00")  # fmt: skip
        police.act(case_id, "record_non_hosol_result",
                   {"conviction_categories": ["fraud_or_forgery"]}, "2015-06-03T09:00",
                   instance=1)  # fmt: skip
    private_pem, public_pem = signing.new_key_pair()
    monkeypatch.setattr(disclosure, "signing_key_if_any", lambda: signing.private_key(private_pem))
    out = tmp_path / "admin.bundle"
    with closing(Casetracker(url, as_user="admin.demo")) as admin:
        disclosure.export_bundle(admin, [case_id], "disclosure check (synthetic)", out)
    return out.read_bytes(), signing.public_key(public_pem)


def _altered(data: bytes, change: dict) -> bytes:
    header, *events = [json.loads(line) for line in data.decode().splitlines()]
    hidden = {(w["case_id"], w["seq"]) for w in header["withheld"]}
    for event in events:
        if (event["case_id"], event["seq"]) in hidden:
            event.update(change)
    return "".join(canonical_json(line) + "\n" for line in (header, *events)).encode()


def test_the_exported_bundle_is_proven(exported):
    data, key = exported
    report = bundle.verify(data, key)
    assert report.ok and report.proven and report.withheld == 1, report.problems


@pytest.mark.parametrize(
    "change",
    [
        {"actor_user": "someone.else"},
        {"actor_role": "immigration_officer"},
        {"effective": "2015-06-02T09:00:00Z"},
        {"recorded": "2015-06-02T09:00:00.000000Z"},
        {"idempotency_key": "another"},
        {"payload": '{"fields":{"conviction_categories":["homicide"]}}'},  # a result made up
    ],
    ids=lambda c: next(iter(c)),
)
def test_a_withheld_event_altered_in_the_file_is_caught(exported, change):
    data, key = exported
    report = bundle.verify(_altered(data, change), key)
    assert not report.ok and not report.proven
