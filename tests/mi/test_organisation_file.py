"""The organisation file: live configuration, checked with errors that name file, line and key
(issue 14; docs/organisation.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casetracker import paths
from casetracker.adapters.organisation_file import load
from casetracker.domain.organisation import CustodyDbAccess, DvaAccess, SuiteModel
from casetracker.domain.organisation_file import OrganisationFileError, parse

SHIPPED = paths.shipped_organisation_file()
ASSUMPTIONS = Path(__file__).parents[2] / "docs" / "assumptions.md"

SMALL = b"""format = 1

[dva_access]
police = "direct"

[forces.MPS]
name = "Metropolitan Police Service"
in_london = true

[[forces.MPS.suites]]
name = "Croydon"
model = "hub"
io_shifts = ["07:00-19:00", "19:00-07:00"]

[[forces.MPS.suites]]
name = "Brixton"
model = "hubb"
"""


def test_the_shipped_file_gives_the_three_inspected_forces() -> None:
    org = load(SHIPPED)
    assert len(org.forces) == 44 and org.source == str(SHIPPED) and len(org.digest) == 64
    assert org.force("MPS").suite("Croydon").model == SuiteModel.HUB
    assert org.force("WMP").suite("Perry Barr").model == SuiteModel.ROTA
    assert org.force("WYP").suite("Normanton").model == SuiteModel.ROTA
    assert org.dva("police") == DvaAccess.DIRECT
    assert org.dva("immigration_officer") == DvaAccess.VIA_CCU  # ¶4.37


def test_a_bad_value_names_the_file_the_line_and_the_key() -> None:
    with pytest.raises(OrganisationFileError) as raised:
        parse(SMALL, "org.toml")
    assert str(raised.value).startswith("org.toml:17: forces.MPS.suites[1].model: 'hubb'")


@pytest.mark.parametrize(
    ("edit", "line", "key"),
    [
        (b'police = "direct"', 4, "dva_access.police"),
        (b"in_london = true", 8, "forces.MPS.in_london"),
        (b'io_shifts = ["07:00-19:00", "19:00-07:00"]', 13, "forces.MPS.suites[0].io_shifts"),
    ],
)
def test_each_kind_of_mistake_is_placed(edit: bytes, line: int, key: str) -> None:
    broken = {
        b'police = "direct"': b'police = "sometimes"',
        b"in_london = true": b'in_london = "yes"',
        b'io_shifts = ["07:00-19:00", "19:00-07:00"]': b'io_shifts = ["7 till 7"]',
    }[edit]
    text = SMALL.replace(b'model = "hubb"', b'model = "spoke"').replace(edit, broken)
    with pytest.raises(OrganisationFileError, match=rf"^org.toml:{line}: {re.escape(key)}: "):
        parse(text, "org.toml")


def test_an_unknown_key_and_a_syntax_error_are_placed_too() -> None:
    with pytest.raises(OrganisationFileError, match=r"^org.toml:8: forces.MPS.in_londn: unknown"):
        parse(SMALL.replace(b"in_london", b"in_londn"), "org.toml")
    with pytest.raises(OrganisationFileError, match=r"^org.toml: .*line 6"):
        parse(SMALL.replace(b"[forces.MPS]", b"[forces.MPS"), "org.toml")


def test_a_dva_access_line_must_name_a_role() -> None:
    """The rules read DVA access per role (¶4.36–4.37): a misspelt role would silently give that
    role no access, so it is an error at its line."""
    text = SMALL.replace(b'model = "hubb"', b'model = "spoke"')
    placed = r"^org.toml:4: dva_access.polise: 'polise' is "
    with pytest.raises(OrganisationFileError, match=placed):
        parse(text.replace(b"police = ", b"polise = "), "org.toml")


def test_custody_database_access_at_a_suite_overrides_the_force() -> None:
    """¶4.26 gives each force's way; a suite may differ (its own custody_db line)."""
    text = SMALL.replace(b'model = "hubb"', b'model = "spoke"\ncustody_db = "direct"')
    text = text.replace(b"in_london = true", b'in_london = true\ncustody_db = "via_nexus_officer"')
    mps = parse(text, "org.toml").force("MPS")
    assert mps is not None
    assert mps.custody_db_at(mps.suite("Croydon")) == CustodyDbAccess.VIA_NEXUS_OFFICER
    assert mps.custody_db_at(mps.suite("Brixton")) == CustodyDbAccess.DIRECT
    assert mps.custody_db_at(None) == CustodyDbAccess.VIA_NEXUS_OFFICER
    assert mps.suite_key(mps.suite("Brixton")) == "forces.MPS.suites[1]"


def test_a_night_shift_from_the_file_covers_the_small_hours() -> None:
    org = parse(SMALL.replace(b'model = "hubb"', b'model = "spoke"'), "org.toml")
    croydon = org.force("MPS").suite("Croydon")
    assert croydon.shift_pattern == "07:00-19:00, 19:00-07:00"
    assert croydon.in_io_hours(__import__("datetime").datetime(2016, 3, 6, 3, 0))


def test_the_file_in_use_is_chosen_by_the_environment(monkeypatch, tmp_path) -> None:
    own = tmp_path / "org.toml"
    own.write_bytes(SMALL.replace(b'model = "hubb"', b'model = "spoke"'))
    monkeypatch.setenv(paths.ENV_ORGANISATION, str(own))
    assert paths.organisation_file() == own
    assert [f.code for f in load(paths.organisation_file()).forces] == ["MPS"]


def test_every_assumed_value_of_the_shipped_file_is_listed_in_docs_assumptions() -> None:
    """Where the report is silent, the shipped file says so, and docs/assumptions.md lists it."""
    text = SHIPPED.read_text()
    listed = ASSUMPTIONS.read_text()
    assumed = re.findall(r"^assumed = \[(.*)\]$", text, flags=re.M)
    assert assumed, "the shipped file marks its assumptions"
    for keys in assumed:
        for key in re.findall(r'"(\w+)"', keys):
            assert f"organisation file `{key}`" in listed, key
