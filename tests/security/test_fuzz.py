"""Hypothesis throws hostile input at the command line, the verifier and the bundle verifier.

Whatever it sends, the answer is a report or one line: no exception escapes (``CASETRACKER_DEBUG``
is set, so a bug is not hidden as an ``internal error`` line), the exit code is 0, 1 or 2, and a
refused command leaves every table's row count as it was.  Each test runs
``CASETRACKER_FUZZ_EXAMPLES`` examples (default 50), derandomized so CI sees the same ones.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import pwd
import shutil
import sqlite3
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from casetracker.cli import main as cli
from casetracker.integrity import bundle
from casetracker.integrity.encoding import EVENT_FIELDS
from tests.integration.tamper import set_fields, tamper
from tests.security import crafted_bundles as crafted

EXAMPLES = int(os.environ.get("CASETRACKER_FUZZ_EXAMPLES", "50"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ME = pwd.getpwuid(os.geteuid()).pw_name
TABLES = ("events", "cases", "subjects", "users", "worklist")


def invoke(*args: str) -> tuple[int, str, str]:
    """The command line in this process, with a bug's traceback kept (it fails the test)."""
    out, err = io.StringIO(), io.StringIO()
    argv = ["casetracker", *args]
    with (
        mock.patch.object(sys, "argv", argv),
        mock.patch.dict(os.environ, {"CASETRACKER_DEBUG": "1"}),
        redirect_stdout(out),
        redirect_stderr(err),
    ):
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()


def counts(path: str) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> str:
    """A database with two cases, notes recorded under idempotency keys."""
    path = str(tmp_path_factory.mktemp("fuzz") / "base.db")
    roles = "admin,police,ccu,immigration_officer,casework,auditor"
    assert invoke("--db", path, "init", "--roles", roles)[0] == 0
    assert invoke("--db", path, "user", "add", ME, "--roles", roles, "--force", "MPS")[0] == 0
    for name in ("A Person", "B Person"):
        code, _, err = invoke("--db", path, "--role", "police", "case", "open",
                              "-f", f"name={name}", "-e", "2015-01-01")  # fmt: skip
        assert code == 0, err
    for n, case in enumerate(("C-0000001", "C-0000002", "C-0000001")):
        code, _, err = invoke("--db", path, "--role", "police", "case", "act", case, "add_note",
                              "-f", f"text=note {n}", "--idempotency-key", f"k{n}")  # fmt: skip
        assert code == 0, err
    return path


@pytest.fixture
def copy_of(base, tmp_path):
    """A fresh copy for each example (a new name: an old copy's WAL must not apply to it)."""
    made = itertools.count()

    def copy() -> str:
        target = tmp_path / f"fuzzed-{next(made)}.db"
        shutil.copyfile(base, target)
        return str(target)

    return copy


# ------------------------------------------------------------------ command-line arguments

# What a terminal can pass: any text but NUL (argv is C strings), lone surrogates standing for
# bytes that are not UTF-8, control characters, and numbers of any size.
_ARGUMENT_TEXT = st.text(
    st.characters(exclude_characters="\x00", exclude_categories=[]), max_size=40
)
_UNDECODABLE = (
    st.binary(min_size=1, max_size=12).filter(lambda b: b"\x00" not in b).map(os.fsdecode)
)
_CONTROLS = st.text(st.characters(max_codepoint=0x1F, exclude_characters="\x00"), min_size=1)
_NUMBERS = st.one_of(
    st.integers(), st.integers(min_value=2**63 - 2, max_value=2**90), st.just(-(2**70))
).map(str)
ARGUMENT = st.one_of(_ARGUMENT_TEXT, _UNDECODABLE, _CONTROLS, _NUMBERS)

TEMPLATES = [
    ["case", "show", "{a}"],
    ["case", "show", "C-0000001", "--reason", "{a}"],
    ["case", "history", "{a}", "--json"],
    ["case", "actions", "{a}", "--all"],
    ["case", "timeline", "{a}"],
    ["replay", "C-0000001", "--as-of", "{a}"],
    ["replay", "{a}", "--recorded-as-of", "{b}"],
    ["case", "act", "C-0000001", "{a}", "-f", "{b}"],
    ["case", "act", "C-0000001", "add_note", "-f", "text=x", "--expect-version", "{a}"],
    ["case", "act", "C-0000001", "add_note", "-f", "text=x", "--instance", "{a}"],
    ["case", "act", "C-0000001", "add_note", "-f", "text=x", "--idempotency-key", "{a}"],
    ["case", "act", "C-0000001", "add_note", "-f", "text=x", "--reason", "{a}"],
    ["case", "act", "C-0000001", "add_note", "-f", "text=x", "-e", "{a}"],
    ["case", "act", "{a}", "add_note", "-f", "text={b}", "--idempotency-key", "k0"],
    ["case", "open", "-f", "{a}", "-e", "{b}"],
    ["access-log", "{a}", "--limit", "{b}"],
    ["export", "{a}", "--out", "{out}", "--reason", "{b}"],
    ["verify", "--checkpoint", "{a}"],
    ["report", "referrals", "--year", "{a}", "--count", "{b}"],
    ["sample", "--seed", "{a}", "--from", "{b}", "--to", "2015-12-31", "--per-force", "{a}"],
    ["user", "add", "{a}", "--roles", "{b}"],
    ["workflows", "show", "{a}", "--version", "{b}"],
    ["workflows", "diagram", "case", "--case", "{a}", "--instance", "{b}"],
    ["scenario", "fork", "{a}", "--at", "{b}"],
    ["--role", "{a}", "case", "show", "C-0000001"],
    ["--as", "{a}", "case", "history", "C-0000001"],
]


@FUZZ
@given(template=st.sampled_from(TEMPLATES), a=ARGUMENT, b=ARGUMENT)
def test_any_arguments_are_answered_in_one_line(copy_of, tmp_path, template, a, b):
    db = copy_of()
    before = counts(db)
    out = str(tmp_path / "bundle.jsonl")
    args = [part.format(a=a, b=b, out=out) if "{" in part else part for part in template]
    code, stdout, stderr = invoke("--db", db, "--role", "police", *args)
    assert code in (0, 1, 2), (code, stderr)
    assert "Traceback" not in stdout + stderr
    if code:
        assert stderr.startswith("casetracker: ") and len(stderr.splitlines()) == 1, stderr
        assert counts(db) == before


# ------------------------------------------------------------------ the verifier's rows

# A column's new value: SQLite keeps whatever type it is given, whatever the column says.
_SQL_VALUE = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=80),
    st.binary(max_size=40),
    st.binary(min_size=1, max_size=40).map(lambda b: ("invalid-utf8", b)),
)
_COLUMNS = ["position", "case_id", "seq", "step", "stamp", "idempotency_key", "payload",
            "prev_hash", "hash"]  # fmt: skip


def _verify(db: str) -> tuple[int, str, str]:
    before = counts(db)
    code, out, err = invoke("--db", db, "verify", "--json")
    assert "Traceback" not in out + err
    assert counts(db) == before
    return code, out, err


@FUZZ
@given(column=st.sampled_from(_COLUMNS), position=st.integers(1, 5), value=_SQL_VALUE)
def test_any_value_in_any_column_of_the_log_is_reported(copy_of, column, position, value):
    db = copy_of()
    conn = sqlite3.connect(db)
    (original,) = conn.execute(
        f"SELECT {column} FROM events WHERE position = ?", (position,)
    ).fetchone()
    conn.close()
    if isinstance(value, tuple):  # text that is not UTF-8, as a raw write could leave
        statement = f"UPDATE events SET {column} = CAST(:v AS TEXT) WHERE position = :p"
        value = value[1]
    else:
        statement = f"UPDATE events SET {column} = :v WHERE position = :p"
    assume(value != original)
    try:
        tamper(f"sqlite:///{db}", statement, params=[{"v": value, "p": position}])
    except sa.exc.IntegrityError:  # the schema refuses it (NOT NULL, UNIQUE, the rowid's type)
        assume(False)
    code, out, err = _verify(db)
    if code == 0:  # SQLite's column affinity may have stored the same value
        conn = sqlite3.connect(db)
        (stored,) = conn.execute(
            f"SELECT {column} FROM events WHERE position = ?", (position,)
        ).fetchone()
        conn.close()
        assert stored == original, (column, value, out)
    else:
        assert code in (1, 2), err
        if code == 1 and out:
            assert json.loads(out)["ok"] is False


_FIELD_VALUE = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
    st.sampled_from(["", "{", "[]", '{"personal": 1}', "null", "NaN", "\x1f", "0" * 64]),
)


@FUZZ
@given(field=st.sampled_from(EVENT_FIELDS), position=st.integers(1, 5), value=_FIELD_VALUE)
def test_any_field_of_an_event_rewritten_in_place_is_reported(copy_of, field, position, value):
    """A field changed inside the stored columns (``step``, ``stamp``), its hash left alone."""
    db = copy_of()
    try:
        set_fields(f"sqlite:///{db}", position, **{field: value})
    except sa.exc.IntegrityError:
        assume(False)
    code, out, err = _verify(db)
    assert code in (0, 1, 2), err
    if code == 0:  # only a value that encodes as the original did leaves the log intact
        assert json.loads(out)["ok"] is True


# ------------------------------------------------------------------ bundle headers

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_HEADER_PATHS = [
    ("realm",), ("format",), ("cases",), ("checkpoint",), ("workflows",), ("event_format",),
    ("cases", 0), ("cases", 0, "case_id"), ("cases", 0, "events"), ("cases", 0, "head"),
    ("checkpoint", "events"), ("checkpoint", "cases"), ("checkpoint", "position"),
    ("checkpoint", "heads_digest"), ("workflows", 0), ("workflows", 0, "name"),
    ("workflows", 0, "version"), ("workflows", 0, "initial"), ("workflows", 0, "actions"),
    ("workflows", 0, "actions", 0), ("workflows", 0, "actions", 0, "name"),
    ("workflows", 0, "actions", 0, "sources"), ("workflows", 0, "actions", 0, "dest"),
    ("workflows", 0, "actions", 1, "sources"),
]  # fmt: skip


def _replaced(value, path, new, delete):
    if not path:
        return new
    key, rest = path[0], path[1:]
    if isinstance(value, list):
        items = list(value)
        if delete and not rest:
            del items[key]
        else:
            items[key] = _replaced(items[key], rest, new, delete)
        return items
    mapping = dict(value)
    if delete and not rest:
        mapping.pop(key, None)
    else:
        mapping[key] = _replaced(mapping[key], rest, new, delete)
    return mapping


@FUZZ
@given(path=st.sampled_from(_HEADER_PATHS), new=JSON, delete=st.booleans())
def test_any_crafted_header_is_reported(path, new, delete):
    evs = crafted.events()
    header = crafted.header(evs)
    altered = _replaced(header, path, new, delete)
    assume(altered != header)
    report = bundle.verify(crafted.write(altered, evs))
    assert all(isinstance(p, str) for p in report.problems)
    original = _at(header, path)
    if delete or type(new) is not type(original):  # a forger may still make a consistent change
        assert not report.ok, (path, new, delete)


def _at(value, path):
    for key in path:
        value = value[key]
    return value


@FUZZ
@given(
    lines=st.lists(st.binary(max_size=60) | JSON.map(lambda v: json.dumps(v).encode()), max_size=4)
)
def test_any_event_lines_after_a_valid_header_are_reported(lines):
    header = crafted.valid().split(b"\n")[0]
    data = b"\n".join([header, *(line.replace(b"\n", b" ") for line in lines)]) + b"\n"
    report = bundle.verify(data)
    assert not report.ok
    assert all(isinstance(p, str) for p in report.problems)


def test_the_fuzzed_database_is_intact_to_start_with(base):
    assert invoke("--db", base, "verify")[0] == 0
    assert Path(base).exists()
