"""Damaged or hostile input is answered with a report or one line (exit 1 or 2), never a
traceback, at a cost bounded by the input's size (issue 13, "no crash on any input")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from casetracker.integrity import bundle
from tests.cli.conftest import snapshot
from tests.security import crafted_bundles as crafted

BIG = str(2**64 + 1)


def _one_line(result, code: int, message: str, stream: str = "err") -> None:
    text = getattr(result, stream)
    assert result.code == code, result.out + result.err
    assert message in text
    assert "Traceback" not in result.out + result.err
    if stream == "err":
        assert len(result.err.strip().splitlines()) == 1, result.err


def _open(run, db) -> str:
    opened = run("--db", db, "--role", "police", "case", "open", "-f", "name=A Person",
                 "-e", "2015-01-01", "--json")  # fmt: skip
    assert opened.code == 0, opened.err
    return opened.json["case_id"]


# ------------------------------------------------------------------ checkpoint files


def _checkpoint(run, db, tmp_path) -> dict:
    out = tmp_path / "good.json"
    assert run("--db", db, "checkpoint", "--out", str(out)).code == 0
    return json.loads(out.read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"position": None}, "position must be a whole number"),
        ({"position": "12"}, "position must be a whole number"),
        ({"position": 2**70}, "position must be a whole number"),
        ({"position": True}, "position must be a whole number"),
        ({"events": [1]}, "events must be a whole number"),
        ({"heads_digest": 7}, "heads_digest must be text"),
        ({"database_id": {}}, "database_id must be text"),
    ],
    ids=["none", "text", "past-64-bits", "bool", "list", "digest-number", "id-object"],
)
def test_a_malformed_checkpoint_is_reported(db, run, tmp_path, change, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**_checkpoint(run, db, tmp_path), **change}))
    result = run("--db", db, "verify", "--checkpoint", str(path))
    _one_line(result, 1, f"the checkpoint file is malformed: {message}", "out")


def test_a_checkpoint_without_its_position_is_reported(db, run, tmp_path):
    """``KeyError: 'position'`` before."""
    saved = _checkpoint(run, db, tmp_path)
    del saved["position"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(saved))
    result = run("--db", db, "verify", "--checkpoint", str(path))
    _one_line(result, 1, "position must be a whole number", "out")


def test_an_empty_checkpoint_is_not_taken_for_none(db, run, tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("{}")
    result = run("--db", db, "verify", "--checkpoint", str(path))
    _one_line(result, 1, "not a casetracker checkpoint", "out")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[1, 2]", "is not a checkpoint"),
        (b"not json", "is not valid JSON"),
        (b"\xff\xfe{}", "is not valid JSON"),
        (b"[" * 100_000, "nested too deeply"),
        (b" " * (2 << 20), "not a checkpoint"),
    ],
    ids=["list", "text", "not-utf8", "deep", "huge"],
)
def test_a_checkpoint_that_is_not_one_is_a_usage_error(db, run, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    _one_line(run("--db", db, "verify", "--checkpoint", str(path)), 2, message)


# ------------------------------------------------------------------ bundles


def _verify_bundle(run, tmp_path, data: bytes):
    path = tmp_path / "b.jsonl"
    path.write_bytes(data)
    return run("verify", "--bundle", str(path))


def _without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def _header_changes():
    """(name, function of a header) for the crafted headers that crashed or could."""

    def case(change):
        return lambda h: {**h, "cases": [{**h["cases"][0], **change}]}

    def action(change):
        def altered(h):
            w = h["workflows"][0]
            return {**h, "workflows": [{**w, "actions": [{**w["actions"][0], **change}]}]}

        return altered

    return {
        "no-realm": lambda h: _without(h, "realm"),
        "no-event-format": lambda h: _without(h, "event_format"),
        "realm-number": lambda h: {**h, "realm": 5},
        "no-head": lambda h: {**h, "cases": [_without(h["cases"][0], "head")]},
        "events-text": case({"events": "2"}),
        "events-bool": case({"events": True}),
        "events-negative": case({"events": -3}),
        "case-id-list": case({"case_id": ["C"]}),
        "no-sources": lambda h: {
            **h,
            "workflows": [
                {
                    **h["workflows"][0],
                    "actions": [_without(h["workflows"][0]["actions"][0], "sources")],
                }
            ],
        },
        "sources-number": action({"sources": 7}),
        "dest-list": action({"dest": ["b"]}),
        "workflow-name-list": lambda h: {**h, "workflows": [{**h["workflows"][0], "name": ["w"]}]},
        "checkpoint-list": lambda h: {**h, "checkpoint": []},
        "cases-object": lambda h: {**h, "cases": {}},
    }


@pytest.mark.parametrize("name", list(_header_changes()))
def test_a_crafted_bundle_header_is_reported(run, tmp_path, name):
    evs = crafted.events()
    data = crafted.write(_header_changes()[name](crafted.header(evs)), evs)
    result = _verify_bundle(run, tmp_path, data)
    _one_line(result, 1, "header (line 1): malformed", "out")
    assert "NOT intact" in result.out


def test_the_crafted_bundle_is_otherwise_valid(run, tmp_path):
    result = _verify_bundle(run, tmp_path, crafted.valid())
    assert result.code == 0, result.out
    assert "intact" in result.out


@pytest.mark.parametrize(
    "line",
    [b"[" * 50_000 + b"]" * 50_000, b'{"a":NaN}', b'{"a":1e999}'],
    ids=["deep", "nan", "infinite"],
)
def test_an_unreadable_event_line_is_reported(run, tmp_path, line):
    lines = crafted.valid().split(b"\n")
    lines[1] = line
    result = _verify_bundle(run, tmp_path, b"\n".join(lines))
    _one_line(result, 1, "event 1 of C-0000001 (line 2)", "out")


CLAIM = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20))
from casetracker.integrity import bundle
report = bundle.verify(sys.stdin.buffer.read())
print(report.problems[0])
"""


def test_a_header_claiming_a_billion_events_costs_nothing(tmp_path):
    """Before: the layout of 10⁹ (case, seq) pairs was built first, 3 GB for an 8.6 KB file."""
    evs = crafted.events()
    head = crafted.header(evs)
    head["cases"] = [{**head["cases"][0], "events": 10**9}]
    data = crafted.write(head, evs)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run(
        [sys.executable, "-c", CLAIM], input=data, capture_output=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert "announces 1000000000 events but the file has 2" in done.stdout.decode()


def test_a_bundle_over_the_size_limit_is_refused_unread(run, tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "SIZE_LIMIT", 100)
    _one_line(_verify_bundle(run, tmp_path, crafted.valid()), 2, "over 100 bytes")


# ------------------------------------------------------------------ command-line arguments


def test_control_characters_in_an_idempotency_key_are_a_usage_error(db, run):
    case = _open(run, db)
    before = snapshot(db)
    result = run("--db", db, "--role", "police", "case", "act", case, "add_note",
                 "-f", "text=x", "--idempotency-key", "k\x01")  # fmt: skip
    _one_line(result, 2, "'--idempotency-key': must not contain control characters")
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "command",
    [["case", "show", "C-0000001"], ["export", "C-0000001", "--out", "b.jsonl"]],
    ids=["show", "export"],
)
def test_control_characters_in_a_reason_are_a_usage_error(db, run, command):
    _open(run, db)
    result = run("--db", db, "--role", "police", *command, "--reason", "because\x07")
    _one_line(result, 2, "'--reason': must not contain control characters")


@pytest.mark.parametrize("option", ["--role", "--as"])
def test_control_characters_in_a_role_or_user_are_a_usage_error(db, run, option):
    """``--role $'\\x1f'`` was a ValueError from logging the refusal."""
    result = run("--db", db, option, "police\x1f", "case", "show", "C-0000001")
    _one_line(result, 2, f"'{option}': must not contain control characters")


def test_an_error_quoting_a_line_break_stays_one_line(db, run, tmp_path):
    result = run("--db", db, "verify", "--checkpoint", "a\nb\x1ec")
    _one_line(result, 2, "no such file: a\\nb\\x1ec")


def test_line_breaks_in_a_reason_are_whitespace(db, run):
    case = _open(run, db)
    result = run("--db", db, "--role", "police", "case", "show", case, "--reason", "a\nb\tc")
    assert result.code == 0, result.err


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["case", "act", "C-0000001", "add_note", "-f", "text=x", "--expect-version", BIG],
         "--expect-version"),
        (["case", "act", "C-0000001", "add_note", "-f", "text=x", "--instance", BIG], "--instance"),
        (["access-log", "--limit", BIG], "--limit"),
        (["access-log", "--limit", "-1"], "--limit"),
        (["report", "referrals", "--year", BIG], "--year"),
    ],
    ids=["expect-version", "instance", "limit", "negative-limit", "year"],
)  # fmt: skip
def test_integers_past_64_bits_are_a_usage_error(db, run, args, option):
    """``OverflowError: Python int too large to convert to SQLite INTEGER`` before."""
    _open(run, db)
    before = snapshot(db)
    result = run("--db", db, "--role", "police", *args)
    _one_line(result, 2, f"Invalid value for '{option}'")
    assert snapshot(db) == before


def test_a_case_id_that_is_not_utf8_is_a_usage_error(db, run, tmp_path):
    """A non-UTF-8 byte reaches Python as a lone surrogate, which no database can hold."""
    _open(run, db)
    out = str(tmp_path / "b.jsonl")
    undecodable = os.fsdecode(b"C-\xff")
    result = run("--db", db, "--role", "police", "export", undecodable, "--out", out,
                 "--reason", "r")  # fmt: skip
    _one_line(result, 2, "(C-\\xff) is not valid UTF-8")


def test_an_unexpected_error_is_one_line_unless_debugging(db, run, monkeypatch, capsys):
    from casetracker.cli import integrity

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(integrity, "counted", broken)
    with pytest.raises(RuntimeError):
        run("--db", db, "verify")
    monkeypatch.delenv("CASETRACKER_DEBUG", raising=False)
    from casetracker.cli import main as cli

    monkeypatch.setattr(sys, "argv", ["casetracker", "--db", db, "verify"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("casetracker: internal error (RuntimeError: a bug)")
    assert "Traceback" not in err


# ------------------------------------------------------------------ import, scenarios, TUI


HEADER = (
    "person_ref,name,nationality_group,force,arrested_at,offence,offence_category,referral_route"
)


def test_a_csv_field_over_128_kib_is_a_usage_error(db, run, tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text(f"{HEADER}\np1,{'x' * 140_000},EU,MPS,2015-01-01,theft,acquisitive,ccu\n")
    before = snapshot(db)
    result = run("--db", db, "--role", "police", "import", str(path))
    _one_line(result, 2, "line 2: not readable CSV (field larger than field limit")
    assert snapshot(db) == before


BOMB = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BOMB.encode(), "line 1: anchors and aliases (& and *) are not allowed"),
        ("name: café\n".encode("latin-1"), "not UTF-8 text"),
        (b"a: " + b"[" * 40 + b"]" * 40, "nested more than 32 levels deep"),
        (b"a: [" + b"x, " * 400_000 + b"x]", "too large for a scenario"),
    ],
    ids=["alias-bomb", "latin-1", "deep", "huge"],
)
def test_a_hostile_scenario_file_is_refused_before_it_is_built(run, tmp_path, content, message):
    """Before: the alias bomb took 2.5 GB and 90 s; Latin-1 raised UnicodeDecodeError."""
    path = tmp_path / "hostile.yaml"
    path.write_bytes(content)
    result = run("scenario", "check", str(path))
    _one_line(result, 2, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[keys]\n"a" = "caf\xe9"\n'.encode("latin-1"), "is not UTF-8 text"),
        (b"x = " + b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"x = " + b"{a=" * 3000 + b"1" + b"}" * 3000, "nested too deeply"),
        (b"# " + b"x" * (2 << 20), "is over"),
    ],
    ids=["latin-1", "deep-arrays", "deep-tables", "huge"],
)
def test_a_hostile_tui_config_is_ignored_with_a_warning(tmp_path, content, message):
    """Before: the TUI died at start-up; now the default keys are used and the problem shown."""
    from tui.config import load_keys

    path = tmp_path / "config.toml"
    path.write_bytes(content)
    found = load_keys(path)
    assert found.keymap == {}
    assert len(found.problems) == 1 and message in found.problems[0]
    assert "the default keys are in use" in found.problems[0]
