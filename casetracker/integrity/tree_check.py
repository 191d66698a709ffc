"""Rebuild a log's Merkle tree from its entries and compare it with the stored subtrees.

What ``casetracker verify`` does for each tree (``casetracker.adapters.merkle_tree`` keeps them):
the stored subtrees are a cache for proofs, never trusted, so a store that lies about a node is
caught here.  Plain DBAPI and the standard library only, so a worker process
(``casetracker.adapters.workers``, task ``trees``) can run it beside the chain walk.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from itertools import chain, zip_longest
from operator import itemgetter
from typing import Any

from casetracker.integrity import dbapi, merkle

LOWEST_STORED = 4  # subtrees of 16 leaves and up are stored; migration 0010 froze this too
TREES = ("events", "access_log")
_FIRSTS = functools.partial(map, itemgetter(0))  # a batch of rows -> their first values
# Stored subtrees in the order ``TreeBuilder`` makes them: by the leaf they end at, then level.
_STORED_IN_ORDER = (
    "SELECT level, idx, hash FROM merkle_nodes WHERE tree = ? ORDER BY ((idx + 1) << level), level"
)

Checked = tuple[int, str, list[str]]  # (size, root, problems); root '' when it cannot be built


def check_trees(raw: Any) -> dict[str, Checked]:
    """``check_stored_tree`` of both logs (the worker's task)."""
    return {tree: check_stored_tree(raw, tree) for tree in TREES}


def check_stored_tree(raw: Any, tree: str) -> Checked:
    """The tree rebuilt from every leaf: ``(size, root, problems)``, where problems name the
    first stored subtree that differs from the one the leaves make (a lying or damaged tree),
    or one that covers no entries.

    ``raw`` is a DBAPI connection.  Two streams, the leaves in position order and the stored
    subtrees in the order they are built, are compared as they come, so memory stays flat.
    """
    builder = merkle.TreeBuilder(LOWEST_STORED)
    query = f"SELECT hash FROM {tree} ORDER BY position"
    leaves = chain.from_iterable(map(_FIRSTS, dbapi.batches(raw, query)))
    stored = (r for rows in dbapi.batches(raw, _STORED_IN_ORDER, (tree,)) for r in rows)
    problems: list[str] = []
    made_nodes = builder.add(leaves)
    with dbapi.collector_paused():
        try:
            _compare(tree, made_nodes, stored, problems)
            for _ in made_nodes:  # after a difference: the rest of the leaves, for the root
                pass
            root = builder.root()
        except (TypeError, ValueError):  # a hash that is not hex text: the walk names the event
            problems.append(
                f"{tree} tree: an entry near position {builder.leaves} holds no SHA-256 hash, "
                "so the tree cannot be rebuilt"
            )
            return builder.leaves, "", problems
    return builder.leaves, root, problems


def _compare(
    tree: str,
    made_nodes: Iterator[tuple[int, int, str]],
    stored: Iterator[tuple[Any, ...]],
    problems: list[str],
) -> None:
    """The first stored subtree that is not the one the leaves make, as a problem."""
    for made, kept in zip_longest(made_nodes, stored):
        if made is None:
            problems.append(
                f"{tree} tree: a stored subtree (level {kept[0]}, index {kept[1]}) covers "
                "entries the log does not have"
            )
            break
        if kept is None or tuple(kept) != made:
            problems.append(
                f"{tree} tree: the stored subtree at level {made[0]}, index {made[1]} does not "
                "match the entries it covers"
            )
            break
