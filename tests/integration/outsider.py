"""An independent verifier, written from docs/event-format.md and docs/bundle-format.md alone:
the documents' executable check (issue 15 item 5).

It uses the Python standard library only and imports nothing from casetracker, so where it and
casetracker agree, the documents were enough.  It covers event and access-log hashes and links,
canonical JSON, bundles (header digest, heads digest, layout), the Merkle tree (RFC 9162 root,
inclusion and consistency proofs), tree heads and Ed25519 signatures (RFC 8032, section 5.1.7,
in pure Python: slow, and fine for a check).
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from typing import Any

US = "\x1f"
ZEROS = "0" * 64
EVENT_FIELDS = (
    "position", "case_id", "seq", "realm", "workflow", "workflow_version", "instance", "action",
    "actor_user", "actor_role", "effective", "recorded", "idempotency_key", "payload", "prev_hash",
)  # fmt: skip
ACCESS_FIELDS = (
    "position", "recorded", "user", "role", "action", "case_id", "justification", "detail",
    "prev_hash",
)  # fmt: skip


# ------------------------------------------------------------------ encodings (event-format.md)


def canonical(value: Any) -> str:
    """Keys sorted, `,` and `:`, UTF-8 as itself, U+0000-U+001F escaped, DEL as itself."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def leaf(text: str) -> str:
    return hashlib.sha256(b"\x00" + text.encode("utf-8")).hexdigest()


def event_hash(event: dict[str, Any]) -> str:
    return leaf(US.join(["casetracker/event/1", *(str(event[f]) for f in EVENT_FIELDS)]))


def access_hash(entry: dict[str, Any]) -> str:
    j = entry["justification"]
    digest = (
        j.startswith("hmac-sha256:")
        and len(j) == 76
        and all(c in "0123456789abcdef" for c in j[12:])
    )
    tag = "casetracker/access/2" if digest else "casetracker/access/1"
    return leaf(US.join([tag, *(str(entry[f]) for f in ACCESS_FIELDS)]))


def heads_digest(heads: list[tuple[str, int, str]]) -> str:
    h = hashlib.sha256(b"casetracker/heads/1")
    for case_id, seq, head in sorted(heads):
        h.update(f"{US}{case_id}{US}{seq}{US}{head}".encode())
    return h.hexdigest()


def chain_problems(events: list[dict[str, Any]]) -> list[str]:
    """Per case in seq order: seq 1.., prev_hash = the stored hash before, hash = own."""
    problems: list[str] = []
    prev: dict[str, tuple[int, str]] = {}
    for e in sorted(events, key=lambda e: (e["case_id"], e["seq"])):
        seq, link = prev.get(e["case_id"], (0, ZEROS))
        if e["seq"] != seq + 1:
            problems.append(f"{e['case_id']} {e['seq']}: sequence")
        if e["prev_hash"] != link:
            problems.append(f"{e['case_id']} {e['seq']}: link")
        if event_hash(e) != e["hash"]:
            problems.append(f"{e['case_id']} {e['seq']}: hash")
        prev[e["case_id"]] = (e["seq"], e["hash"])
    return problems


# ------------------------------------------------------------------ a database, read directly


def _split(row: sqlite3.Row) -> dict[str, Any]:
    realm, workflow, version, instance, action = row["step"].split(US)
    user, role, effective, recorded = row["stamp"].split(US)
    return {
        "position": row["position"], "case_id": row["case_id"], "seq": row["seq"],
        "realm": realm, "workflow": workflow, "workflow_version": int(version),
        "instance": int(instance), "action": action, "actor_user": user, "actor_role": role,
        "effective": effective, "recorded": recorded, "idempotency_key": row["idempotency_key"],
        "payload": row["payload"], "prev_hash": row["prev_hash"], "hash": row["hash"],
    }  # fmt: skip


def read_sqlite(path: str) -> dict[str, Any]:
    """Events, access-log entries, realm and database id of a SQLite database file."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    try:
        events = [_split(r) for r in db.execute("SELECT * FROM events ORDER BY position")]
        access = [dict(r) for r in db.execute("SELECT * FROM access_log ORDER BY position")]
        meta = {r["key"]: r["value"] for r in db.execute("SELECT key, value FROM meta")}
    finally:
        db.close()
    return {"events": events, "access": access, "meta": meta}


def access_problems(entries: list[dict[str, Any]]) -> list[str]:
    problems, prev = [], ZEROS
    for n, e in enumerate(entries, 1):
        if e["position"] != n or e["prev_hash"] != prev or access_hash(e) != e["hash"]:
            problems.append(f"access entry {e['position']}")
        prev = e["hash"]
    return problems


# ------------------------------------------------------------------ RFC 9162 Merkle trees


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def mth(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return _node(mth(leaves[:k]), mth(leaves[k:]))


def root_hex(hex_leaves: list[str]) -> str:
    return mth([bytes.fromhex(h) for h in hex_leaves]).hex()


def verify_inclusion(index: int, size: int, leaf_hex: str, proof: list[str], root: str) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, bytes.fromhex(leaf_hex)
    for p_hex in proof:
        p = bytes.fromhex(p_hex)
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = _node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn //= 2
                sn //= 2
        else:
            r = _node(r, p)
        fn //= 2
        sn //= 2
    return sn == 0 and r.hex() == root


def verify_consistency(m: int, n: int, old: str, new: str, proof: list[str]) -> bool:
    """RFC 9162 section 2.1.4.2 (with the documented cases of sizes 0 and equal sizes)."""
    if m == 0:
        return old == hashlib.sha256(b"").hexdigest() and not proof
    if m == n:
        return old == new and not proof
    if m > n or not proof:
        return False
    path = [bytes.fromhex(h) for h in proof]
    if m & (m - 1) == 0:
        path.insert(0, bytes.fromhex(old))
    fn, sn = m - 1, n - 1
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = _node(c, fr), _node(c, sr)
            while fn % 2 == 0 and fn != 0:
                fn //= 2
                sn //= 2
        else:
            sr = _node(sr, c)
        fn //= 2
        sn //= 2
    return fr.hex() == old and sr.hex() == new and sn == 0


# ------------------------------------------------------------------ Ed25519 (RFC 8032 5.1.7)

_P = 2**255 - 19
_Q = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % _P
    bb = (y1 + x1) * (y2 + x2) % _P
    cc = 2 * t1 * t2 * _D % _P
    dd = 2 * z1 * z2 % _P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(s: int, point: tuple[int, ...]) -> tuple[int, ...]:
    out: tuple[int, ...] = (0, 1, 1, 0)
    while s:
        if s & 1:
            out = _add(out, point)
        point = _add(point, point)
        s >>= 1
    return out


def _x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    return _P - x if (x & 1) != sign else x


def _point(raw: bytes) -> tuple[int, ...] | None:
    y = int.from_bytes(raw, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _x(_GY, 0)
assert _GX is not None
_G = (_GX, _GY, 1, _GX * _GY % _P)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    a, r = _point(public), _point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _Q:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % _Q
    left, right = _mul(s, _G), _add(r, _mul(k, a))
    return (left[0] * right[2] - right[0] * left[2]) % _P == 0 and (
        left[1] * right[2] - right[1] * left[2]
    ) % _P == 0


def public_key_from_pem(pem: str) -> bytes:
    """The raw key of a `PUBLIC KEY` PEM file: 12 fixed bytes, then the 32 of the key."""
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    der = base64.b64decode(body)
    assert der[:12] == bytes.fromhex("302a300506032b6570032100"), "not an Ed25519 public key"
    return der[12:]


def head_signed(head: dict[str, Any], public: bytes) -> bool:
    if head.get("key_id") != hashlib.sha256(public).hexdigest():
        return False
    unsigned = {k: v for k, v in head.items() if k not in ("key_id", "signature")}
    message = f"casetracker/tree-head-signature/1{US}{canonical(unsigned)}".encode()
    return ed25519_verify(public, message, bytes.fromhex(head["signature"]))


# ------------------------------------------------------------------ bundles (bundle-format.md)


def bundle_problems(data: bytes, public: bytes | None) -> list[str]:
    """Every check of bundle-format.md's list; with the exporter's key, 8 and 9 too."""
    problems: list[str] = []
    if not data.endswith(b"\n"):
        return ["no final LF"]
    lines = data[:-1].split(b"\n")
    objects = [json.loads(line) for line in lines]
    for n, (line, obj) in enumerate(zip(lines, objects, strict=True), 1):
        if canonical(obj).encode() != line:
            problems.append(f"line {n}: not canonical")
    header, events = objects[0], objects[1:]
    unsealed = {k: v for k, v in header.items() if k not in ("header_digest", "signature")}
    if hashlib.sha256(canonical(unsealed).encode()).hexdigest() != header["header_digest"]:
        problems.append("header digest")
    layout = [(c["case_id"], s) for c in header["cases"] for s in range(1, c["events"] + 1)]
    if layout != [(e["case_id"], e["seq"]) for e in events]:
        problems.append("layout")
    bare = [{k: v for k, v in e.items() if k != "proof"} for e in events]
    problems += chain_problems(bare)
    heads = {e["case_id"]: (e["seq"], e["hash"]) for e in events}
    cp = header["checkpoint"]
    if heads_digest([(c, s, h) for c, (s, h) in heads.items()]) != cp["heads_digest"]:
        problems.append("heads digest")
    if (cp["events"], cp["cases"], cp["position"]) != (
        len(events),
        len(heads),
        max(e["position"] for e in events),
    ):
        problems.append("checkpoint counts")
    head = header.get("tree_head")
    if head is not None:
        for e in events:
            if not verify_inclusion(e["position"] - 1, head["position"], e["hash"], e["proof"],
                                    head["root"]):  # fmt: skip
                problems.append(f"{e['case_id']} {e['seq']}: inclusion proof")
    if public is not None:
        if head is None or header.get("public_key") != public.hex():
            problems.append("not signed by this key")
        else:
            if not head_signed(head, public):
                problems.append("tree head signature")
            message = f"casetracker/bundle-signature/1{US}{header['header_digest']}".encode()
            if not ed25519_verify(public, message, bytes.fromhex(header["signature"])):
                problems.append("header signature")
    return problems
