"""Attacks on casetracker's promises, each a test that failed before its fix (issue 13)."""

from tests.cli.conftest import db, run  # noqa: F401  (the CLI fixtures, shared)
