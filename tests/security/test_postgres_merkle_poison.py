"""A member of the application role cannot plant a Merkle tree node ahead of the log.

``merkle_nodes`` caches the hash of each complete subtree of 16 leaves or more, written by the
append that completes it.  The application role may insert into it (docs/postgresql.md), so a
member could insert, through psql, the node of a subtree not yet complete: when the log
reached it, the append that completes it met that row (the table's primary key), failed, and
so did every later attempt at that position - nobody could record an event (or, for the
access log's tree, read a case) again, and the append-only triggers keep the row.  Migration
0030 refuses such a node.
"""

from __future__ import annotations

import pytest

from casetracker.services.cases import Casetracker
from tests.helpers import core_engine
from tests.security.test_postgres_privileges import (  # noqa: F401 - logins is the fixture
    REFUSED,
    Logins,
    _verify,
    logins,
)

pytestmark = pytest.mark.postgres
_PLANT = "INSERT INTO merkle_nodes (tree, level, idx, hash) VALUES (%s, %s, %s, %s)"


@pytest.mark.parametrize(
    ("tree", "level", "index"),
    [("events", 4, 0), ("access_log", 4, 0), ("events", 40, 0), ("events", 3, 0), ("x", 4, 0)],
)
def test_a_node_the_log_has_not_completed_is_refused(
    logins: Logins,  # noqa: F811
    tree: str,
    level: int,
    index: int,
) -> None:
    with logins.psql(logins.member) as conn, conn.cursor() as cur, pytest.raises(REFUSED):
        cur.execute(_PLANT, (tree, level, index, "ab" * 32))


def test_the_log_grows_past_its_first_block_after_an_attempt(logins: Logins) -> None:  # noqa: F811
    with logins.psql(logins.member) as conn, conn.cursor() as cur:
        try:
            cur.execute(_PLANT, ("events", 4, 0, "ab" * 32))
        except REFUSED:
            conn.rollback()
    ct = Casetracker(logins.url(logins.member), role="casework", workflows=core_engine())
    try:
        for number in range(17):
            ct.open_case({"name": f"Person {number}"}, "2016-01-01")
    finally:
        ct.close()
    with logins.psql(logins.member) as conn:
        stored = conn.execute("SELECT count(*) FROM merkle_nodes WHERE tree = 'events'")
        assert stored.fetchone() == (1,)  # the first block's node, written by the append
    assert _verify(logins) == []
