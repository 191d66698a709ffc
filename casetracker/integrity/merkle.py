"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0) over a log, and its proofs.

Why: a hash chain shows that nothing inside it was changed, but not that nothing was cut off
its end or that a log someone holds today extends the one they were shown yesterday.  A tree
head (size and root) kept elsewhere can: an inclusion proof shows one entry is in the tree of
that head, a consistency proof that the tree of an older head is a prefix of a newer one, each
with about log2(n) hashes, and each checked with no database.

Hashing is RFC 9162 §2.1.1 exactly: a leaf is ``SHA-256(0x00 || entry)`` - the hash every
event and access-log entry already has (``casetracker.integrity.encoding``) - and an interior
node is ``SHA-256(0x01 || left || right)`` over the raw 32-byte hashes; the root of an empty
tree is ``SHA-256()``.  Proofs are RFC 9162's PATH (§2.1.3.1) and SUBPROOF (§2.1.4.1), and the
verifiers follow §2.1.3.2 and §2.1.4.2.

Hashes are lowercase hex text everywhere outside this module's arithmetic, as in the logs.

Storage does not live here: this module only says which subtrees a proof or an append needs
(``perfect_parts``, ``inclusion_ranges``, ``consistency_ranges``, ``completed_nodes``) and how
to combine their hashes, so that the store reads O(log n) stored subtree hashes per proof.
Nothing here imports a database driver.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from hashlib import sha256
from itertools import islice

NODE_PREFIX = b"\x01"
EMPTY_ROOT = sha256(b"").hexdigest()
HASH_BYTES = 32

Range = tuple[int, int]  # leaves [start, end), 0-based
Node = tuple[int, int]  # (level, index): leaves [index * 2**level, (index + 1) * 2**level)


def node_hash(left: str, right: str) -> str:
    """The interior node over two children given as hex: ``SHA-256(0x01 || left || right)``."""
    return sha256(NODE_PREFIX + bytes.fromhex(left) + bytes.fromhex(right)).hexdigest()


def _largest_power_below(n: int) -> int:
    """The largest power of two strictly smaller than ``n`` (``n`` > 1): RFC 9162's k."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[str]) -> str:
    """MTH(D[n]) by the RFC's recursive definition: the reference the stored tree must match."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _largest_power_below(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def fold(hashes: Sequence[str]) -> str:
    """The root over consecutive perfect subtrees of strictly decreasing size (a range's
    ``perfect_parts``), folded from the right, which is what MTH makes of them."""
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def perfect_parts(start: int, end: int) -> list[Node]:
    """``[start, end)`` as the perfect aligned subtrees MTH splits it into, left to right.

    Every range a proof or a root asks for starts on a multiple of a power of two at least as
    large as its own largest part, so the parts shrink from left to right and ``fold`` of
    their hashes is the range's MTH.
    """
    parts: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start & ((1 << level) - 1):
            level -= 1
        parts.append((level, start >> level))
        start += 1 << level
    return parts


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The subtrees whose hashes make PATH(index, D[size]), from the leaf upwards."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    out: list[Range] = []
    start, end = 0, size
    while end - start > 1:
        k = _largest_power_below(end - start)
        if index < start + k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
    return out[::-1]


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The subtrees whose hashes make PROOF(old, D[new]) (RFC 9162 §2.1.4.1), in order."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from a tree of {old} to one of {new}")
    if old == new:
        return []
    out: list[Range] = []
    start, end, m, complete = 0, new, old, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                out.append((start, end))
            break
        k = _largest_power_below(n)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start, m, complete = start + k, m - k, False
    return out[::-1]


def completed_nodes(old: int, added: int, lowest: int) -> tuple[list[Node], list[Node]]:
    """Which stored subtrees an append of ``added`` leaves to a tree of ``old`` completes.

    Only subtrees of ``lowest`` levels and above are stored (smaller ones are computed from
    the leaves).  Returns ``(frontier, completed)``: the stored nodes of the old tree that the
    new ones are built on (to read), and the new nodes, children before parents.
    """
    new = old + added
    frontier = [(j, (old >> j) - 1) for j in range(new.bit_length()) if j >= lowest]
    frontier = [(j, i) for j, i in frontier if (old >> j) & 1 and (new >> j) != (old >> j)]
    completed: list[Node] = []
    for level in range(lowest, new.bit_length()):
        completed += [(level, i) for i in range(old >> level, new >> level)]
    completed.sort(key=lambda node: ((node[1] + 1) << node[0], node[0]))
    return sorted(frontier, reverse=True), completed


def subtree_hashes(
    ranges: Sequence[Range],
    lowest: int,
    nodes: Callable[[list[Node]], dict[Node, str]],
    leaves: Callable[[int, int], list[str]],
) -> list[str]:
    """The hash of each range, from stored nodes (``lowest`` levels and up) and leaf hashes.

    ``nodes`` returns the stored hashes of the nodes asked (one read for all of them);
    ``leaves(start, end)`` the leaf hashes of ``[start, end)``.  Parts below ``lowest`` are
    computed from their leaves, at most ``2**lowest`` of them each.
    """
    plans = [perfect_parts(s, e) for s, e in ranges]
    wanted = sorted({p for plan in plans for p in plan if p[0] >= lowest})
    stored = nodes(wanted) if wanted else {}
    out: list[str] = []
    for plan in plans:
        hashes: list[str] = []
        for level, index in plan:
            if level >= lowest:
                found = stored.get((level, index))
                if found is None:
                    raise LookupError(f"the tree has no stored node at level {level}, {index}")
                hashes.append(found)
            else:
                start = index << level
                hashes.append(root(leaves(start, start + (1 << level))))
        out.append(fold(hashes))
    return out


def extend(
    old: int,
    added: Sequence[str],
    lowest: int,
    nodes: Callable[[list[Node]], dict[Node, str]],
    leaves: Callable[[int, int], list[str]],
) -> list[tuple[int, int, str]]:
    """The stored subtrees ``(level, index, hash)`` that appending the leaf hashes ``added``
    to a tree of ``old`` leaves completes, children before parents.

    Reads (through ``nodes`` and ``leaves``, as in ``subtree_hashes``) only the old tree's
    frontier nodes the new ones rest on, and the leaves of a partly filled lowest block: most
    appends complete nothing and read nothing.
    """
    if lowest < 1:
        raise ValueError("leaves are stored by their log, not as nodes")
    if (old + len(added)) >> lowest == old >> lowest:
        return []  # still inside the same lowest block: 15 appends in 16 stop here
    frontier, completed = completed_nodes(old, len(added), lowest)
    if not completed:
        return []
    known = nodes(frontier) if frontier else {}
    if len(known) != len(frontier):
        raise LookupError(f"the tree of {old} leaves lacks stored nodes it must have")
    block_start = (old >> lowest) << lowest
    before = leaves(block_start, old) if block_start < old else []
    out: list[tuple[int, int, str]] = []
    for level, index in completed:
        if level == lowest:
            start = index << level
            span = [
                before[i - block_start] if i < old else added[i - old]
                for i in range(start, start + (1 << level))
            ]
            value = perfect_root(span)
        else:
            value = node_hash(known[(level - 1, 2 * index)], known[(level - 1, 2 * index + 1)])
        known[(level, index)] = value
        out.append((level, index, value))
    return out


_CHUNK = 4096  # leaves hashed together by ``TreeBuilder`` (a multiple of every block size used)


def _block_roots(leaves: Sequence[str], lowest: int) -> list[str]:
    """The roots of consecutive blocks of ``2 ** lowest`` leaves (``len(leaves)`` a multiple)."""
    if not leaves:
        return []
    raw = bytes.fromhex("".join(leaves))
    if len(raw) != HASH_BYTES * len(leaves):
        raise ValueError("a leaf is not a SHA-256 hash")
    level = [raw[i : i + HASH_BYTES] for i in range(0, len(raw), HASH_BYTES)]
    for _ in range(lowest):
        level = [
            sha256(NODE_PREFIX + a + b).digest()
            for a, b in zip(level[::2], level[1::2], strict=True)
        ]
    return [h.hex() for h in level]


def perfect_root(leaves: Sequence[str]) -> str:
    """MTH of a power-of-two number of leaves, hashed level by level on raw bytes (the hot
    loop of building and checking a whole tree)."""
    raw = bytes.fromhex("".join(leaves))
    if len(raw) != HASH_BYTES * len(leaves):
        raise ValueError("a leaf is not a SHA-256 hash")
    level = [raw[i : i + HASH_BYTES] for i in range(0, len(raw), HASH_BYTES)]
    while len(level) > 1:
        level = [
            sha256(NODE_PREFIX + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)
        ]
    return level[0].hex()


class TreeBuilder:
    """Builds a whole tree in one pass over its leaves, holding O(log n) hashes: the stored
    subtrees ``extend`` writes one append at a time, for an upgrade, and the root, for a check.
    """

    def __init__(self, lowest: int) -> None:
        self.lowest = lowest
        self.size = 0
        self._block: list[str] = []
        self._stack: list[tuple[int, int, str]] = []  # complete subtrees, largest first

    def add(self, leaves: Iterable[str]) -> Iterator[tuple[int, int, str]]:
        """Take ``leaves`` (in log order); yield each stored subtree ``(level, index, hash)``
        they complete, children before parents.  Whole blocks are hashed a few thousand
        leaves at a time, level by level, so a check of a large log pays little per leaf."""
        full = 1 << self.lowest
        source = iter(leaves)
        while chunk := list(islice(source, _CHUNK)):
            if self._block:
                need = full - len(self._block)
                self._block.extend(chunk[:need])
                chunk = chunk[need:]
                if len(self._block) == full:
                    yield from self._push(perfect_root(self._block))
                    self._block = []
            whole = len(chunk) - len(chunk) % full
            for block_root in _block_roots(chunk[:whole], self.lowest):
                yield from self._push(block_root)
            self._block.extend(chunk[whole:])

    def _push(self, block_root: str) -> Iterator[tuple[int, int, str]]:
        """A completed lowest block, and every subtree it completes above it."""
        stack = self._stack
        node = (self.lowest, self.size >> self.lowest, block_root)
        self.size += 1 << self.lowest
        yield node
        stack.append(node)
        while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
            right = stack.pop()
            left = stack.pop()
            node = (right[0] + 1, right[1] >> 1, node_hash(left[2], right[2]))
            yield node
            stack.append(node)

    def root(self) -> str:
        """The root of every leaf taken so far."""
        hashes = [h for _, _, h in self._stack]
        if self._block:
            hashes.append(root(self._block))
        return fold(hashes) if hashes else EMPTY_ROOT

    @property
    def leaves(self) -> int:
        return self.size + len(self._block)


def all_nodes(leaves: Iterable[str], lowest: int) -> Iterator[tuple[int, int, str]]:
    """Every stored subtree of the tree over ``leaves``, children before parents."""
    return TreeBuilder(lowest).add(leaves)


def tree_root(
    size: int,
    lowest: int,
    nodes: Callable[[list[Node]], dict[Node, str]],
    leaves: Callable[[int, int], list[str]],
) -> str:
    """The root of the first ``size`` leaves, from O(log n) stored subtrees and at most one
    partly filled lowest block of leaves."""
    if size == 0:
        return EMPTY_ROOT
    return subtree_hashes([(0, size)], lowest, nodes, leaves)[0]


# ------------------------------------------------------------------------- verifying


def is_hash(value: object) -> bool:
    return (
        type(value) is str
        and len(value) == 2 * HASH_BYTES
        and all(c in "0123456789abcdef" for c in value)
    )


def verify_inclusion(index: int, size: int, leaf: str, proof: Sequence[str], root_: str) -> bool:
    """RFC 9162 §2.1.3.2: whether ``proof`` shows leaf ``index`` (0-based) hashing to ``leaf``
    in the tree of ``size`` whose root is ``root_``.  Any malformed input is simply False."""
    if not (type(index) is int and type(size) is int and 0 <= index < size):
        return False
    if not (is_hash(leaf) and is_hash(root_) and all(is_hash(p) for p in proof)):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root_


def verify_consistency(
    old: int, new: int, old_root: str, new_root: str, proof: Sequence[str]
) -> bool:
    """RFC 9162 §2.1.4.2: whether ``proof`` shows the tree of ``old`` leaves with ``old_root``
    is a prefix of the tree of ``new`` leaves with ``new_root``.  Malformed input is False.

    Equal sizes need an empty proof and equal roots; an empty old tree is a prefix of any tree
    (with an empty proof), as the RFC leaves it to the caller.
    """
    if not (type(old) is int and type(new) is int and 0 <= old <= new):
        return False
    if not (is_hash(old_root) and is_hash(new_root) and all(is_hash(p) for p in proof)):
        return False
    if old == 0:
        return old_root == EMPTY_ROOT and not proof
    if old == new:
        return old_root == new_root and not proof
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # a power of two: the old root is the first node of the path
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
