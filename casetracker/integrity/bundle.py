"""Export bundles: chosen cases' events, a checkpoint over exactly them, and the definitions they
ran under - verifiable on another machine with no database (docs/bundle-format.md).

An inspector who takes a sample away (¶2.1) needs to show later that the records were not
altered after export.  A bundle is JSON Lines: a header line, then one line per event in
(case id, sequence) order.  Every line is canonical JSON, so the file has exactly one byte form;
the events carry every hashed field and their hashes (docs/event-format.md); the header lists
each case's event count and head hash, a checkpoint (a heads digest over the exported cases
only), the serialised workflow definitions the events reference, what verification checks, and
a digest of the header itself.  Any changed byte breaks a hash, a chain link, the layout, the
canonical form or the header digest, and the verifier names the event (by line) where there is one.

That much is self-consistency only: anyone can re-seal an altered bundle.  A bundle of format 2
(issue 15) also carries the database's tree head (a ``casetracker/tree-head/1``, signed when the
exporter has a key) and, on every event line, the RFC 9162 inclusion proof of that event in the
head's tree; its header is signed too.  Checked with the exporter's public key, every event is
shown to be in the log that key signed, and the header (cases, counts, who, why) to be the one
exported: a re-sealed forgery fails, naming the event.

This module imports nothing that touches a database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from casetracker.integrity import merkle, signing, tree_head
from casetracker.integrity.encoding import (
    EVENT_FIELDS,
    GENESIS,
    canonical_json,
    event_hash,
    heads_digest,
)

BUNDLE_FORMAT = "casetracker/bundle/2"
BUNDLE_FORMAT_1 = "casetracker/bundle/1"  # before issue 15: no tree head, no proofs
SELF_CONSISTENCY_ONLY = (
    "checked without a public key, this bundle proves self-consistency only: anyone can "
    "re-seal an altered bundle (give --key to check its signed tree head and proofs)"
)
BUNDLE_CHECKPOINT_FORMAT = "casetracker/bundle-checkpoint/1"
EVENT_FORMAT = "casetracker/event/1"
NEW = "_new"
EVENT_KEYS = (*EVENT_FIELDS, "hash")
PROVEN_EVENT_KEYS = (*EVENT_KEYS, "proof")  # an event line of format 2
SIGNATURE_KEYS = ("signature",)  # outside the header digest, which it signs
_INTEGERS = frozenset({"position", "seq", "workflow_version", "instance"})
SIZE_LIMIT = 1 << 30  # the verifier holds the whole file (and its lines) in memory

CHECKS = (
    "every line is canonical JSON (sorted keys, no insignificant whitespace) ending in LF",
    "the header's header_digest is SHA-256 over the canonical JSON of the header without it",
    "line 2 onwards hold exactly the events the header's case list announces, in case id and "
    "sequence order",
    "each event's hash is SHA-256(0x00 || encoding) of its fields (docs/event-format.md); "
    "a withheld event's line, its 16 event keys, has the digest the header's withheld gives",
    "each case's chain starts at sequence 1 with 64 zeros and links prev_hash to the hash before",
    "positions rise within each case; every event has the bundle's realm",
    "each case's last hash equals its head in the header; the checkpoint's heads digest, event "
    "and case counts and last position match the events",
    "every event's action is a legal step of the bundled workflow definition it names, replayed "
    "from the lifecycle's initial state (or _new for many-instance lifecycles)",
    "with the exporter's public key: the tree head's signature, the header's signature over its "
    "header_digest, and each event's inclusion proof (RFC 9162) against the tree head's root",
)


def spec_dict(spec: Any) -> dict[str, Any]:
    """A workflow definition as plain data: states, and actions with sources, dest and roles."""
    return {
        "name": spec.name,
        "version": spec.version,
        "label": spec.label,
        "initial": spec.initial,
        "many": spec.many,
        "states": [{"name": s.name, "label": s.label, "terminal": s.terminal} for s in spec.states],
        "actions": [
            {
                "name": a.name,
                "label": a.label,
                "sources": list(a.sources),
                "dest": a.dest,
                "roles": [str(r) for r in a.roles],
                "guards": list(a.guards),
                "fields": [
                    {
                        "name": f.name,
                        "type": str(f.type),
                        "required": f.required,
                        "personal": f.personal or f.free_text,  # what a person types too
                        "choices": list(f.choices),
                    }
                    for f in a.fields
                ],
            }
            for a in spec.actions
        ],
    }


def _digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def _line_digest(event: dict[str, Any]) -> str:
    """The digest the header keeps of a withheld event's line (its event keys, without the
    proof): its hash cannot be recomputed from its redacted content, so without it who recorded
    the event, when, and every field left unredacted could be changed under a signed header."""
    return _digest({k: event[k] for k in EVENT_KEYS})


def build(
    events: list[dict[str, Any]],
    specs: Iterable[Any],
    *,
    database_id: str,
    realm: str,
    exported: str,
    exported_by: str,
    reason: str,
    head: dict[str, Any] | None = None,
    proofs: dict[int, list[str]] | None = None,
    key: signing.PrivateKey | None = None,
    withheld: Iterable[tuple[str, int]] = (),
) -> bytes:
    """The bundle's bytes, from events (``RecordedEvent.as_dict()``) in case id, seq order.

    ``head`` (a tree head of the log) and ``proofs`` (each event's inclusion proof in its tree,
    by position) make a bundle of format 2; ``key`` signs its header.  ``withheld`` names the
    events (case id, seq) whose payload was redacted for the exporter (a police-only ACRO
    result, ¶4.32): the header lists them, and a verifier checks them by their stored hash (the
    chain, the case's head and the inclusion proof) rather than by their content.
    """
    events = sorted(events, key=lambda e: (e["case_id"], e["seq"]))
    cases: dict[str, dict[str, Any]] = {}
    for e in events:
        entry = cases.setdefault(e["case_id"], {"case_id": e["case_id"], "events": 0, "head": ""})
        entry["events"] += 1
        entry["head"] = e["hash"]
    used = {(e["workflow"], e["workflow_version"]) for e in events}
    definitions = [spec_dict(s) for s in specs if (s.name, s.version) in used]
    header: dict[str, Any] = {
        "format": BUNDLE_FORMAT if head is not None else BUNDLE_FORMAT_1,
        "event_format": EVENT_FORMAT,
        "database_id": database_id,
        "realm": realm,
        "exported": exported,
        "exported_by": exported_by,
        "reason": reason,
        "cases": list(cases.values()),
        "checkpoint": {
            "format": BUNDLE_CHECKPOINT_FORMAT,
            "cases": len(cases),
            "events": len(events),
            "position": max((e["position"] for e in events), default=0),
            "heads_digest": heads_digest(
                [(c["case_id"], c["events"], c["head"]) for c in cases.values()]
            ),
        },
        "workflows": sorted(definitions, key=lambda d: (d["name"], d["version"])),
        "checks": list(CHECKS),
    }
    hidden = set(withheld)
    if hidden:
        header["withheld"] = [
            {"case_id": e["case_id"], "seq": e["seq"], "digest": _line_digest(e)}
            for e in events
            if (e["case_id"], e["seq"]) in hidden
        ]
    if head is not None:
        header["tree_head"] = head
        if key is not None:
            header["public_key"] = signing.raw_hex(key.public_key())
    header["header_digest"] = _digest(header)
    if head is not None and key is not None:
        header["signature"] = signing.sign(key, signing.bundle_message(header["header_digest"]))
    proven = proofs or {}
    lines = [
        canonical_json(header),
        *(
            canonical_json(
                {k: e[k] for k in EVENT_KEYS}
                | ({"proof": proven[e["position"]]} if head is not None else {})
            )
            for e in events
        ),
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------- verifying


@dataclass
class BundleReport:
    cases: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    proven: bool = False  # checked against a signed tree head with a public key
    note: str = ""
    withheld: int = 0  # events whose content was withheld from the exporter: hash-checked only

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "cases": self.cases,
            "events": self.events,
            "problems": self.problems,
            "proven": self.proven,
            "note": self.note,
            "withheld": self.withheld,
        }


def verify(data: bytes, key: signing.PublicKey | None = None) -> BundleReport:
    """Check a bundle's bytes; each problem names the event (case, sequence, line) it is in.

    With the exporter's public key ``key``, also the signed tree head, the header's signature
    and each event's inclusion proof; without, the report says it proves self-consistency only.
    """
    report = BundleReport()
    if not data.endswith(b"\n"):
        report.problems.append("the file does not end with a line feed: it was cut short")
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    header = _header(lines[0] if lines else b"", report)
    if header is None:
        return report
    head = _tree_head(header, key, report)
    announced = sum(c["events"] for c in header["cases"])
    if len(lines) - 1 != announced:
        report.problems.append(
            f"the header announces {announced} events but the file has {len(lines) - 1} "
            "event lines: events were added or removed"
        )
    layout = list(islice(_layout(header["cases"]), len(lines) - 1))
    specs = {(w["name"], w["version"]): w for w in header["workflows"]}
    withheld = {(w["case_id"], w["seq"]): w.get("digest") for w in header.get("withheld", [])}
    heads: dict[str, tuple[int, str]] = {}
    states: dict[tuple[str, str], str] = {}
    prev: dict[str, tuple[str, int]] = {}
    last_position = 0
    broken: set[str] = set()  # cases with a problem reported: one problem per case, as verify
    for number, raw in enumerate(lines[1:], start=2):
        expected = layout[number - 2] if number - 2 < len(layout) else None
        name = _name(expected, number)
        event = _event(raw, name, report, PROVEN_EVENT_KEYS if "tree_head" in header else None)
        if event is None:
            continue
        report.events += 1
        case_id = event["case_id"]
        report.withheld += (case_id, event["seq"]) in withheld
        in_place = expected is not None and (case_id, event["seq"]) == expected
        if in_place and case_id in broken:
            problem = ""  # after a case's first problem its events are not judged again
        else:
            problem = _check_event(event, expected, header, prev, specs, states, withheld)
            problem = problem or _proof_problem(event, head)
        if problem:
            report.problems.append(f"{name}: {problem}")
            if not in_place:
                continue
            broken.add(case_id)
        # the next event links to this one's stored hash, as in the database verifier
        prev[case_id] = (event["hash"], event["position"])
        heads[case_id] = (event["seq"], event["hash"])
        last_position = max(last_position, event["position"])
    report.cases = len(heads)
    _check_heads(header, heads, last_position, report)
    report.proven = key is not None and head is not None and report.ok
    if key is None:
        report.note = SELF_CONSISTENCY_ONLY
    return report


def _tree_head(
    header: dict[str, Any], key: signing.PublicKey | None, report: BundleReport
) -> dict[str, Any] | None:
    """The bundle's tree head, for its proofs to be checked against, when it is well formed and
    every signature the bundle carries verifies under the public key it carries; with ``key``,
    that key must be the one it carries and the bundle must be signed.  Each failure is a
    problem (and None); a bundle of format 1 has no head, a problem only when a key is given."""
    head: dict[str, Any] | None = header.get("tree_head")
    if head is None:
        if key is not None:
            report.problems.append(
                "header (line 1): this bundle carries no signed tree head, so it proves "
                "self-consistency only"
            )
        return None
    problem = tree_head.head_problem(head)
    if not problem and (head["database_id"], head.get("realm")) != (
        header.get("database_id"),
        header.get("realm"),
    ):
        problem = "it is a tree head of another database or realm"
    carried = signing.public_from_hex(header.get("public_key"))
    if not problem and "public_key" in header:
        if carried is None:
            problem = "public_key is not an Ed25519 public key in hex"
        elif key is not None and signing.key_id(carried) != signing.key_id(key):
            problem = "it was signed by another key"
        else:
            problem = signing.head_signature_problem(head, carried)
            if not problem and signing.signature_problem(
                carried, signing.bundle_message(header["header_digest"]), header.get("signature")
            ):  # the head is still the signer's: the events are checked against it
                report.problems.append(
                    "header (line 1): the header's signature does not verify with its key: "
                    "it was re-sealed"
                )
    elif not problem and key is not None:
        problem = "it is not signed"
    elif not problem and ("signature" in header or "key_id" in head):
        problem = "it carries a signature but no public_key to check it with"
    if problem:
        report.problems.append(f"header (line 1): tree head: {problem}")
        return None
    return head


def _proof_problem(event: dict[str, Any], head: dict[str, Any] | None) -> str:
    """Why an event's inclusion proof does not lead to the tree head's root ('' if it does,
    or if there is no head to check against)."""
    if head is None:
        return ""
    proof = event["proof"]
    if not merkle.verify_inclusion(
        event["position"] - 1, head["position"], event["hash"], proof, head["root"]
    ):
        return (
            "its inclusion proof does not lead to the tree head's root: it is not the event "
            "the log holds at that position"
        )
    return ""


def _layout(cases: list[dict[str, Any]]) -> Iterator[tuple[str, int]]:
    """Where the header puts each event: (case id, sequence), generated as the lines are read,
    so that a header claiming more events than the file holds costs nothing."""
    for case in cases:
        for seq in range(1, case["events"] + 1):
            yield case["case_id"], seq


def _name(expected: tuple[str, int] | None, line: int) -> str:
    if expected is None:
        return f"line {line} (beyond the events the header announces)"
    return f"event {expected[1]} of {expected[0]} (line {line})"


def _canonical_line(raw: bytes) -> dict[str, Any] | str:
    """The parsed line, or a reason it is not one canonical JSON object."""
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return f"not readable JSON ({exc})"
    except ValueError:  # a number of more digits than Python converts (4,300)
        return "not readable JSON: it holds a number too long to read"
    except RecursionError:
        return "nested too deeply to be a bundle line"
    if not isinstance(value, dict):
        return "not a JSON object"
    try:
        canonical = canonical_json(value).encode("utf-8")
    except (RecursionError, ValueError, UnicodeEncodeError):
        return "not in canonical form: it has no canonical JSON"
    if canonical != raw:
        return "not in canonical form: bytes were changed"
    return value


def _header(raw: bytes, report: BundleReport) -> dict[str, Any] | None:
    value = _canonical_line(raw)
    if isinstance(value, str):
        report.problems.append(f"header (line 1): {value}")
        return None
    if value.get("format") not in (BUNDLE_FORMAT, BUNDLE_FORMAT_1):
        report.problems.append(f"header (line 1): not a {BUNDLE_FORMAT} bundle")
        return None
    signature = value.pop("signature", None)
    claimed = value.pop("header_digest", None)
    if claimed != _digest(value):
        report.problems.append("header (line 1): its digest does not match: the header was altered")
        return None
    problem = _header_shape(value)
    if problem:
        report.problems.append(f"header (line 1): malformed ({problem})")
        return None
    value["header_digest"] = claimed
    if signature is not None:
        value["signature"] = signature
    report.header = value
    return value


def _whole(value: Any, least: int = 0) -> bool:
    return type(value) is int and value >= least


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _header_shape(header: dict[str, Any]) -> str:
    """What is wrong with a header whose digest matched (a bundle written wrongly, or crafted:
    anyone can recompute the digest), checked before the verifier reads any of it."""
    cases, checkpoint, workflows = (header.get(k) for k in ("cases", "checkpoint", "workflows"))
    if header.get("event_format") != EVENT_FORMAT:
        return f"event_format must be {EVENT_FORMAT}"
    if (header.get("format") == BUNDLE_FORMAT) != isinstance(header.get("tree_head"), dict):
        return f"a {BUNDLE_FORMAT} bundle, and only one, has a tree_head object"
    if not isinstance(header.get("realm"), str):
        return "realm must be text"
    if not isinstance(cases, list) or not all(
        isinstance(c, dict)
        and isinstance(c.get("case_id"), str)
        and _whole(c.get("events"), 1)
        and isinstance(c.get("head"), str)
        for c in cases
    ):
        return "cases must list case_id, events (at least 1) and head"
    if not isinstance(checkpoint, dict) or not (
        isinstance(checkpoint.get("heads_digest"), str)
        and all(_whole(checkpoint.get(k)) for k in ("events", "cases", "position"))
    ):
        return "checkpoint needs heads_digest, and events, cases and position as whole numbers"
    if not isinstance(workflows, list) or not all(
        isinstance(w, dict)
        and isinstance(w.get("name"), str)
        and _whole(w.get("version"))
        and isinstance(w.get("initial"), str)
        and isinstance(w.get("actions"), list)
        and all(_action_shaped(a) for a in w["actions"])
        for w in workflows
    ):
        return (
            "workflows must give name, version, initial and actions "
            "(each with a name, its sources and dest)"
        )
    withheld = header.get("withheld", [])
    if not isinstance(withheld, list) or not all(
        isinstance(w, dict)
        and set(w) - {"digest"} == {"case_id", "seq"}
        and isinstance(w["case_id"], str)
        and _whole(w["seq"], 1)
        and ("digest" not in w or merkle.is_hash(w["digest"]))
        for w in withheld
    ):
        return (
            "withheld must list case_id, seq (at least 1) and digest (64 lowercase hex digits) "
            "of each withheld event"
        )
    return ""


def _action_shaped(action: Any) -> bool:
    return (
        isinstance(action, dict)
        and isinstance(action.get("name"), str)
        and _texts(action.get("sources"))
        and isinstance(action.get("dest"), str)
    )


def _event(
    raw: bytes, name: str, report: BundleReport, keys: tuple[str, ...] | None = None
) -> dict[str, Any] | None:
    value = _canonical_line(raw)
    if isinstance(value, str):
        report.problems.append(f"{name}: {value}")
        return None
    keys = keys or EVENT_KEYS
    if set(value) != set(keys):
        report.problems.append(f"{name}: its fields are not exactly {', '.join(keys)}")
        return None
    if "proof" in keys and not (
        isinstance(value["proof"], list) and all(isinstance(p, str) for p in value["proof"])
    ):
        report.problems.append(f"{name}: wrong type for proof")
        return None
    bad = [
        k
        for k in EVENT_KEYS
        if not isinstance(value[k], int if k in _INTEGERS else str) or isinstance(value[k], bool)
    ]
    if bad:
        report.problems.append(f"{name}: wrong type for {', '.join(bad)}")
        return None
    return value


def _check_event(
    event: dict[str, Any],
    expected: tuple[str, int] | None,
    header: dict[str, Any],
    prev: dict[str, tuple[str, int]],
    specs: dict[tuple[str, int], dict[str, Any]],
    states: dict[tuple[str, str], str],
    withheld: dict[tuple[str, int], str | None] | None = None,
) -> str:
    if expected is None or (event["case_id"], event["seq"]) != expected:
        return (
            f"holds event {event['seq']} of {event['case_id']} where the header's layout puts "
            "another: events were removed, inserted or reordered"
        )
    values = tuple(event[k] for k in EVENT_FIELDS)
    withheld = withheld or {}
    hidden = (event["case_id"], event["seq"]) in withheld  # redacted: its stored hash stands
    if not hidden and event_hash(values) != event["hash"]:
        return "its content does not match its hash: the event was altered"
    digest = withheld.get((event["case_id"], event["seq"]))
    if digest is not None and _line_digest(event) != digest:  # none: exported before digests
        return "a withheld event whose content is not as exported: the event was altered"
    link, position = prev.get(event["case_id"], (GENESIS, 0))
    if event["prev_hash"] != link:
        return "does not link to the event before it: an event was removed, altered or reordered"
    if event["position"] <= position:
        return f"position {event['position']} does not rise after {position}"
    if event["realm"] != header["realm"]:
        return f"marked {event['realm']!r} in a {header['realm']} bundle"
    spec = specs.get((event["workflow"], event["workflow_version"]))
    if spec is None:
        return f"names {event['workflow']} version {event['workflow_version']}, not in the bundle"
    action = next((a for a in spec["actions"] if a["name"] == event["action"]), None)
    if action is None:
        return f"{event['workflow']} version {event['workflow_version']} has no {event['action']}"
    key = (event["case_id"], f"{event['workflow']}#{event['instance']}")
    current = states.get(key, NEW if event["instance"] else spec["initial"])
    if current not in action["sources"]:
        return f"{event['action']} cannot follow state {current!r} of {key[1]}"
    states[key] = action["dest"]
    return ""


def _check_heads(
    header: dict[str, Any], heads: dict[str, tuple[int, str]], last: int, report: BundleReport
) -> None:
    for case in header["cases"]:
        got = heads.get(case["case_id"])
        if got is None or got != (case["events"], case["head"]):
            report.problems.append(
                f"{case['case_id']}: its chain does not end at the head the header records"
            )
    checkpoint = header["checkpoint"]
    found = [(c, s, h) for c, (s, h) in heads.items()]
    if heads_digest(found) != checkpoint["heads_digest"]:
        report.problems.append("checkpoint: the heads digest does not match the events")
    if (checkpoint["events"], checkpoint["cases"]) != (report.events, len(heads)):
        report.problems.append(
            f"checkpoint: counts {checkpoint['events']} events in {checkpoint['cases']} cases; "
            f"the bundle holds {report.events} in {len(heads)}"
        )
    if checkpoint["position"] != last:
        report.problems.append(f"checkpoint: last position {checkpoint['position']}, found {last}")
