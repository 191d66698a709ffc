"""Auditors' disclosures through the service layer: sampled case lists and export bundles.

A bundle is redacted for its exporter as every read is: an ACRO result the police keep to
themselves (¶4.32, ¶4.35) shows in a non-police exporter's bundle as withheld, its event keeping
its stored hash and listed in the header as withheld (docs/bundle-format.md).

Both are logged in the access log in the same transaction as the read that serves them (Data
Protection Act 2018 s.62 expects logs of disclosure, not only of change): an export needs a
stated reason and records one entry per case; a sample records its parameters and seed.

A bundle carries a tree head of the log (signed with the key of ``casetracker keys generate``
when there is one) and each event's inclusion proof; each export entry records that head's size
and root and the SHA-256 of the bundle's bytes, so the disclosure itself can be proved later.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from casetracker.adapters import access_log, merkle_tree
from casetracker.adapters.database import write_transaction
from casetracker.adapters.store import normalise_case_id
from casetracker.domain import clock
from casetracker.domain.errors import Refused, UsageError
from casetracker.integrity import bundle
from casetracker.services import sampling
from casetracker.services.cases import AUDITING_ROLES, Casetracker
from casetracker.services.integrity import make_tree_head
from casetracker.services.tree_heads import signing_key_if_any

# Exports and samples serve inspection and disclosure (¶2.1): not a caseworker's task.
DISCLOSING_ROLES = AUDITING_ROLES  # who may see who looked may also disclose


def export_bundle(ct: Casetracker, case_ids: list[str], reason: str, out: Path) -> dict:
    """Write a bundle of the cases to ``out``; returns a summary.  Nothing is logged on failure."""
    if not reason.strip():
        raise UsageError("--reason is required: an export is a disclosure and is logged")
    # C-0000042, c-42 and 42 name the same case, as in every other command.
    ids = sorted(dict.fromkeys(normalise_case_id(c) for c in case_ids if c.strip()))
    if not ids:
        raise UsageError("name at least one case to export")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write {out}: no directory {out.parent}")
    if out.exists() or out.is_symlink():  # the database itself, or a bundle kept as evidence
        raise UsageError(f"{out} exists: an export never overwrites a file")
    actor = ct.require_role(DISCLOSING_ROLES, "export cases")
    key = signing_key_if_any()
    with write_transaction(ct.engine) as conn:  # the read and its log entries commit together
        events, withheld = [], []
        for case_id in ids:  # redacted for the exporter like every read (¶4.32, ¶4.35)
            stored = ct.store.read_case(case_id, conn)
            shown, _ = ct.as_shown(stored, ct.flow.fold(case_id, stored))
            events += [e.as_dict() for e in shown]
            withheld += [(e.case_id, e.seq) for e, s in zip(stored, shown, strict=True) if e != s]
        exported = clock.utc_now_text()
        head = make_tree_head(conn, ct.info, exported, key)
        positions = [e["position"] for e in events]
        proofs = merkle_tree.inclusion_proofs(
            conn, merkle_tree.EVENTS, [p - 1 for p in positions], head["position"]
        )
        data = bundle.build(
            events,
            ct.flow.specs.values(),
            database_id=ct.info.database_id,
            realm=ct.realm,
            exported=exported,
            exported_by=actor.user,
            reason=reason,
            head=head,
            proofs=dict(zip(positions, proofs, strict=True)),
            key=key,
            withheld=withheld,
        )
        # the disclosure itself provable later: which tree head, which bytes
        proof_of = {
            "tree_size": head["position"],
            "root": head["root"],
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        salt = secrets.token_hex(32)  # one digest of the reason for the whole disclosure:
        for case_id in ids:  # the erasure of any case it took erases the reason (subjects.erase)
            access_log.append(
                conn,
                user=actor.user,
                role=actor.role,
                action="export",
                case_id=case_id,
                justification=reason,
                detail={"bundle": out.name, "cases": len(ids), "events": len(events), **proof_of},
                salt=salt,
            )
        _write_new(out, data)  # inside: a bundle not written rolls its log entries back
    return {
        "out": str(out),
        "cases": len(ids),
        "events": len(events),
        "bytes": len(data),
        "signed": key is not None,
        **proof_of,
    }


def _write_new(out: Path, data: bytes) -> None:
    """Write ``data`` as ``out`` whole or not at all (a partial file beside it, then renamed), as
    ``export-log`` does; a failure is one line, not an internal error."""
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    try:
        partial.write_bytes(data)
        os.replace(partial, out)
    except OSError as exc:
        raise Refused(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def draw_sample(ct: Casetracker, req: sampling.SampleRequest, reason: str = "") -> sampling.Sample:
    """Draw and log a sample (parameters, seed, population sizes and the cases chosen)."""
    actor = ct.require_role(DISCLOSING_ROLES, "draw an inspection sample")
    with write_transaction(ct.engine) as conn:
        return sampling.draw(conn, req, actor, reason)
