"""A ``--db`` URL mistyped or of another database: it is a malformed request (exit 2, one line),
not an internal error.  SQLAlchemy had looked for a MySQL, Oracle or ``postgres`` driver, or
failed to parse the URL, and the command line reported a bug; the password a URL may hold is
never quoted back."""

from __future__ import annotations

import pytest

URLS = [
    "mysql://user:s3cret@db.example/cases",
    "postgres://user:s3cret@db.example/cases",
    "oracle://user:s3cret@db.example/cases",
    "://nothing",
    "postgresql://user:s3cret@[::1",
    "postgresql://user:s3cret@db.example:port/cases",
]


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("command", [["case", "show", "1"], ["init", "--roles", "admin"]])
def test_a_database_url_casetracker_cannot_open_is_a_usage_error(run, url, command):
    refused = run("--db", url, *command)
    assert refused.code == 2, refused.err
    assert refused.err.startswith("casetracker: the database URL ")
    assert len(refused.err.splitlines()) == 1 and "s3cret" not in refused.err
