"""Export bundles verify offline; every kind of one-byte change in every field fails, naming the
event (``_telling_positions`` says which bytes stand for the rest, and is itself tested)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from casetracker.adapters import access_log
from casetracker.adapters.database import read_transaction
from casetracker.domain.errors import UnknownCase, UsageError
from casetracker.integrity import bundle
from casetracker.services.disclosure import export_bundle


def _cases_with_many_lifecycles(service, count: int) -> list[str]:
    with read_transaction(service.engine) as conn:
        rows = conn.exec_driver_sql(
            "SELECT case_id FROM mi_spells WHERE kind = 'immigration_detention' "
            "ORDER BY case_id LIMIT ?",
            (count,),
        ).all()
    return [r[0] for r in rows]


def test_bundle_verifies_offline_and_logs_the_disclosure(service, tmp_path):
    ids = _cases_with_many_lifecycles(service, 3)
    out = tmp_path / "b.jsonl"
    summary = export_bundle(service, ids, "inspection sample 2016", out)
    report = bundle.verify(out.read_bytes())
    assert report.ok, report.problems
    assert (report.cases, report.events) == (3, summary["events"])
    header = json.loads(out.read_bytes().split(b"\n")[0])
    assert header["checkpoint"]["cases"] == 3
    assert {w["name"] for w in header["workflows"]} >= {"case", "encounter", "detention"}
    with read_transaction(service.engine) as conn:
        logged = [e for e in access_log.entries(conn, limit=10) if e.action == "export"]
    assert sorted(e.case_id for e in logged[-3:]) == ids
    assert {e.justification for e in logged[-3:]} == {"inspection sample 2016"}


HEX = b"0123456789abcdef"


def _character(byte: int) -> str:
    for name, first, last in (("digit", 0x30, 0x39), ("lower", 0x61, 0x7A), ("upper", 0x41, 0x5A)):
        if first <= byte <= last:
            return name
    return f"{byte:#04x}"  # punctuation, a quote, a backslash, a byte of UTF-8: itself


def _kind(byte: int) -> str:
    """What a one-bit flip of ``byte`` does to it: a digit or letter becomes which kind of
    character (and a hex digit or not); any other byte is a kind of its own."""
    changed = byte ^ 0x01
    return f"{_character(byte)}->{_character(changed)}{' hex' if changed in HEX else ''}"


def _telling_positions(line: bytes, start: int) -> list[int]:
    """Positions in one event line whose one-bit flip is each a different kind of damage.

    Every byte outside a JSON string (braces, brackets, colons, commas, quotes, the digits of
    integers, the line feed) is kept.  Within each string (every key, every value, every proof
    hash, the escaped JSON of the payload) a byte is kept for each kind of character it holds
    (``_kind``; an escaped character apart from an unescaped one) at its first, last and any
    middle place; the other bytes of that string are flips of the same kind at the same kind of
    place in the same field, which the verifier meets by the same path (the line is no longer
    canonical JSON, or a hashed field, a link or a proof differs).
    """
    kept: list[int] = []
    seen: set[tuple[int, str, bool, str]] = set()
    string = -1  # the index of the string the byte is in (-1: outside every string)
    count = 0  # strings begun so far
    escaped = inside = False
    for offset, byte in enumerate(line):
        if not inside:
            kept.append(start + offset)
            if byte == 0x22:  # an opening quote
                inside, string, count, first = True, count, count + 1, offset + 1
            continue
        if byte == 0x22 and not escaped:  # the closing quote
            kept.append(start + offset)
            inside = False
            continue
        last = line[offset + 1] == 0x22 and (byte != 0x5C or escaped)
        place = "first" if offset == first else "last" if last else "middle"
        kind = (string, _kind(byte), escaped, place)
        if kind not in seen:
            seen.add(kind)
            kept.append(start + offset)
        escaped = byte == 0x5C and not escaped
    return kept


def test_the_telling_positions_keep_every_structural_byte_and_each_kind_in_each_string():
    """The sampler behind the byte-flip test: were it to keep only the bytes outside strings,
    that test would still pass while checking no field's content."""
    line = b'{"ab":"xxxxyz","n":12,"e":"a\\"b"}\n'
    kept = set(_telling_positions(line, 100))
    strings = [(line.index(text), text) for text in (b'"ab"', b'"xxxxyz"', b'"n"', b'"e"')]
    strings.append((line.index(b'"a\\'), b'"a\\"b"'))
    inside = {at + i for at, text in strings for i in range(1, len(text) - 1)}
    assert {100 + i for i in range(len(line)) if i not in inside} <= kept  # all structure
    for at, text in strings:  # the first and last place of every string's content
        assert {100 + at + 1, 100 + at + len(text) - 2} <= kept, text
    xs = line.index(b"xxxx")
    assert 100 + xs + 1 in kept and 100 + xs + 2 not in kept  # one middle "x" stands for all
    escape = line.index(b"\\")
    assert {100 + escape, 100 + escape + 1} <= kept  # the escape and the quote it escapes


def test_every_kind_of_changed_byte_fails_naming_the_event(service, tmp_path):
    """Every kind of one-byte change in every field of every event line (``_telling_positions``:
    a few hundred of each line's 1,700 bytes), and every 29th byte of the (large, digested)
    header."""
    out = tmp_path / "one.jsonl"
    with read_transaction(service.engine) as conn:
        small = conn.exec_driver_sql(
            "SELECT case_id FROM cases WHERE version BETWEEN 6 AND 8 ORDER BY case_id LIMIT 1"
        ).scalar()
    export_bundle(service, [small], "check", out)
    data = out.read_bytes()
    header_end = data.index(b"\n")
    line_of = [0] * len(data)
    line = 1
    for i, byte in enumerate(data):
        line_of[i] = line
        line += byte == 0x0A
    positions = [*range(0, header_end, 29), header_end]
    start = header_end + 1
    for raw in data[start:].split(b"\n")[:-1]:
        positions += _telling_positions(raw + b"\n", start)
        start += len(raw) + 1
    assert len(positions) == len(set(positions)) and start == len(data)
    for i in positions:
        changed = bytearray(data)
        changed[i] ^= 0x01
        report = bundle.verify(bytes(changed))
        assert not report.ok, f"byte {i} changed unnoticed"
        where = line_of[i]
        named = [p for p in report.problems if p.startswith("event ") and f"(line {where})" in p]
        if where >= 2 and data[i] != 0x0A:
            assert named, (i, report.problems)
        elif where == 1:
            assert any(p.startswith("header") for p in report.problems), (i, report.problems)


def test_the_verifier_needs_no_database(tmp_path, service):
    out = tmp_path / "b.jsonl"
    export_bundle(service, _cases_with_many_lifecycles(service, 1), "check", out)
    code = (
        "import sys, casetracker.integrity.bundle as b; "
        f"r = b.verify(open({str(out)!r}, 'rb').read()); "
        "assert r.ok, r.problems; assert 'sqlalchemy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_export_needs_a_reason_and_known_cases(service, tmp_path):
    with read_transaction(service.engine) as conn:
        before = len(access_log.entries(conn))
    with pytest.raises(UsageError, match="--reason"):
        export_bundle(service, ["C-0000001"], "", tmp_path / "x.jsonl")
    with pytest.raises(UnknownCase):
        export_bundle(service, ["C-0000001", "C-9999999"], "audit", tmp_path / "x.jsonl")
    with read_transaction(service.engine) as conn:
        assert len(access_log.entries(conn)) == before
    assert not (tmp_path / "x.jsonl").exists()
