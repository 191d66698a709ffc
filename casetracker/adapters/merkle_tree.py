"""The logs' Merkle trees in the database: kept on append, read for roots and proofs.

Each log (``events``, ``access_log``) is the leaf list of one RFC 9162 tree: its entries' hashes
in position order, which are already RFC 9162 leaf hashes.  ``merkle_nodes`` stores the hash of
every complete perfect subtree of ``2 ** LOWEST_STORED`` leaves and more (migration 0010).  An
append completes a stored subtree only once in 16 entries, so most appends read and write
nothing here; the rest read the few subtrees the new ones rest on and insert one or two rows,
in the caller's transaction, so the tree never disagrees with a committed log.  A root or a
proof reads O(log n) stored subtrees in one statement and at most two blocks of 16 leaves.

The tree is checked, not trusted: ``casetracker verify`` recomputes every stored subtree from
the leaves (``casetracker.integrity.tree_check``), so a store that lies about a node is caught
there, and a proof it serves is checked against a root computed from the leaves or signed
earlier.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from casetracker.adapters import bulk_insert
from casetracker.adapters.database import driver_sql
from casetracker.domain.errors import DatabaseError
from casetracker.integrity import merkle, tree_check

LOWEST_STORED = tree_check.LOWEST_STORED
EVENTS, ACCESS_LOG = TREES = tree_check.TREES
_COLUMNS = ("tree", "level", "idx", "hash")
_INSERT = f"INSERT INTO merkle_nodes ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?)"
_LEAVES = {
    tree: f"SELECT hash FROM {tree} WHERE position > ? AND position <= ? ORDER BY position"
    for tree in TREES
}
# PostgreSQL: whatever rows the login may see (migration 0014), the leaves are every entry's.
_LEAVES_ON_POSTGRESQL = "SELECT leaf_hash FROM casetracker_leaf_hashes(?, ?, ?)"
_NODE = "SELECT level, idx, hash FROM merkle_nodes WHERE tree = ? AND level = ? AND idx = ?"
_SIZE = {tree: f"SELECT coalesce(max(position), 0) FROM {tree}" for tree in TREES}


class _Reader:
    """Stored nodes and leaf hashes of one tree, read on ``conn``'s transaction."""

    def __init__(self, conn: Connection, tree: str) -> None:
        self.conn = conn
        self.tree = tree

    def nodes(self, wanted: list[merkle.Node]) -> dict[merkle.Node, str]:
        """The stored hashes of ``wanted``, in one statement of primary-key lookups."""
        query = " UNION ALL ".join([_NODE] * len(wanted))
        params = [x for level, index in wanted for x in (self.tree, level, index)]
        rows = driver_sql(self.conn, query, tuple(params), "merkle").fetchall()
        return {(level, index): value for level, index, value in rows}

    def leaves(self, start: int, end: int) -> list[str]:
        params: tuple[object, ...]
        if self.conn.dialect.name == "postgresql":
            query, params = _LEAVES_ON_POSTGRESQL, (self.tree, start, end)
        else:
            query, params = _LEAVES[self.tree], (start, end)
        rows = driver_sql(self.conn, query, params, "merkle").fetchall()
        if len(rows) != end - start:
            raise LookupError(f"the {self.tree} log lacks entries {start + 1}..{end}")
        return [h for (h,) in rows]


def append(conn: Connection, tree: str, old_size: int, hashes: list[str]) -> None:
    """Extend ``tree`` by the leaf hashes of the entries just inserted at ``old_size + 1`` on,
    in the same transaction as they were."""
    if (old_size + len(hashes)) >> LOWEST_STORED == old_size >> LOWEST_STORED:
        return  # ``merkle.extend``'s own first test, before setting up its reads: 15 in 16
    reader = _Reader(conn, tree)
    try:
        made = merkle.extend(old_size, hashes, LOWEST_STORED, reader.nodes, reader.leaves)
    except LookupError as exc:
        raise DatabaseError(
            f"the {tree} log and its Merkle tree are out of step ({exc}): run `casetracker verify`"
        ) from None
    if len(made) >= bulk_insert.COPY_FROM:  # a bulk append's
        bulk_insert.insert_rows(conn, "merkle_nodes", _COLUMNS, [(tree, *node) for node in made])
    elif made:
        rows = [(tree, level, index, value) for level, index, value in made]
        driver_sql(conn, _INSERT, rows if len(rows) > 1 else rows[0], "merkle")


def size(conn: Connection, tree: str) -> int:
    """How many leaves the tree has: its log's last position."""
    return int(driver_sql(conn, _SIZE[tree], (), "merkle").fetchone()[0])


def root(conn: Connection, tree: str, at: int) -> str:
    """The root of the tree of the first ``at`` entries."""
    reader = _Reader(conn, tree)
    return merkle.tree_root(at, LOWEST_STORED, reader.nodes, reader.leaves)


def inclusion_proof(conn: Connection, tree: str, index: int, at: int) -> list[str]:
    """PATH(index, D[at]): the proof that entry ``index + 1`` is in the tree of ``at``."""
    reader = _Reader(conn, tree)
    ranges = merkle.inclusion_ranges(index, at)
    return merkle.subtree_hashes(ranges, LOWEST_STORED, reader.nodes, reader.leaves)


def inclusion_proofs(conn: Connection, tree: str, indexes: list[int], at: int) -> list[list[str]]:
    """``inclusion_proof`` for each index, the subtrees they share read once."""
    reader = _Reader(conn, tree)
    plans = [merkle.inclusion_ranges(i, at) for i in indexes]
    flat = [r for plan in plans for r in plan]
    unique = list(dict.fromkeys(flat))
    cache: dict[tuple[int, int], str] = {}
    for chunk in range(0, len(unique), 200):
        part = unique[chunk : chunk + 200]
        cache.update(
            zip(
                part,
                merkle.subtree_hashes(part, LOWEST_STORED, reader.nodes, reader.leaves),
                strict=True,
            )
        )
    return [[cache[r] for r in plan] for plan in plans]


def consistency_proof(conn: Connection, tree: str, old: int, new: int) -> list[str]:
    """PROOF(old, D[new]): that the tree of ``old`` entries is a prefix of that of ``new``."""
    if old == 0:
        return []
    reader = _Reader(conn, tree)
    ranges = merkle.consistency_ranges(old, new)
    return merkle.subtree_hashes(ranges, LOWEST_STORED, reader.nodes, reader.leaves)
