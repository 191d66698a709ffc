"""The Merkle tree against RFC 9162's test tree, against its own recursive definition, and
against proofs that lie (wrong siblings, another index, a size off by one, a truncated proof,
an empty tree, a tree of one).

The vectors are the eight leaves of the RFC 6962/9162 test tree and the expected roots and
proofs published with Certificate Transparency's reference implementations (the happy-path
vectors of transparency-dev/merkle's testdata), as data: no code of theirs is used.
"""

from __future__ import annotations

from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casetracker.integrity import merkle

LEAF_DATA = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
             "606162636465666768696a6b6c6d6e6f"]  # fmt: skip
LEAVES = [sha256(b"\x00" + bytes.fromhex(d)).hexdigest() for d in LEAF_DATA]
ROOT_8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"

INCLUSION = [  # (index, size, root, proof)
    (0, 1, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", []),
    (0, 8, ROOT_8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ROOT_8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
     ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
     ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip

CONSISTENCY = [  # (old, new, old root, new root, proof)
    (1, 8, LEAVES[0], ROOT_8,
     ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef", ROOT_8,
     ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
     ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (6, 7, "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
     "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
     ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]  # fmt: skip


class Tree:
    """A tree kept as this project stores it: leaves apart, nodes of ``lowest`` levels up."""

    def __init__(self, lowest: int = 2) -> None:
        self.lowest = lowest
        self.leaf_hashes: list[str] = []
        self.stored: dict[merkle.Node, str] = {}
        self.reads = 0

    def nodes(self, wanted: list[merkle.Node]) -> dict[merkle.Node, str]:
        self.reads += 1
        return {n: self.stored[n] for n in wanted if n in self.stored}

    def leaves(self, start: int, end: int) -> list[str]:
        self.reads += 1
        return self.leaf_hashes[start:end]

    def append(self, hashes: list[str]) -> None:
        made = merkle.extend(len(self.leaf_hashes), hashes, self.lowest, self.nodes, self.leaves)
        self.leaf_hashes += hashes
        self.stored.update({(level, index): h for level, index, h in made})

    def root(self, size: int | None = None) -> str:
        size = len(self.leaf_hashes) if size is None else size
        return merkle.tree_root(size, self.lowest, self.nodes, self.leaves)

    def inclusion(self, index: int, size: int) -> list[str]:
        ranges = merkle.inclusion_ranges(index, size)
        return merkle.subtree_hashes(ranges, self.lowest, self.nodes, self.leaves)

    def consistency(self, old: int, new: int) -> list[str]:
        ranges = merkle.consistency_ranges(old, new)
        return merkle.subtree_hashes(ranges, self.lowest, self.nodes, self.leaves)


def leaves(n: int) -> list[str]:
    return [sha256(b"\x00" + i.to_bytes(8, "big")).hexdigest() for i in range(n)]


def test_the_rfc_test_tree_has_the_published_roots_and_proofs():
    tree = Tree(lowest=1)
    for leaf in LEAVES:
        tree.append([leaf])
    assert merkle.root(LEAVES) == ROOT_8 == tree.root()
    for index, size, root, proof in INCLUSION:
        assert tree.root(size) == root
        assert tree.inclusion(index, size) == proof
        assert merkle.verify_inclusion(index, size, LEAVES[index], proof, root)
    for old, new, old_root, new_root, proof in CONSISTENCY:
        assert tree.consistency(old, new) == proof
        assert merkle.verify_consistency(old, new, old_root, new_root, proof)


def test_the_empty_tree_and_the_tree_of_one():
    assert merkle.root([]) == sha256(b"").hexdigest() == Tree().root()
    assert Tree().root(0) == merkle.EMPTY_ROOT
    one = leaves(1)
    assert merkle.verify_inclusion(0, 1, one[0], [], one[0])
    assert not merkle.verify_inclusion(0, 0, one[0], [], merkle.EMPTY_ROOT)  # nothing in it
    assert not merkle.verify_inclusion(1, 1, one[0], [], one[0])
    assert not merkle.verify_inclusion(0, 1, one[0], [one[0]], one[0])  # a proof too long
    assert merkle.verify_consistency(0, 1, merkle.EMPTY_ROOT, one[0], [])
    assert not merkle.verify_consistency(0, 1, one[0], one[0], [])  # not the empty root
    assert merkle.verify_consistency(1, 1, one[0], one[0], [])
    assert not merkle.verify_consistency(1, 1, one[0], LEAVES[1], [])
    with pytest.raises(ValueError, match="not in a tree"):
        merkle.inclusion_ranges(0, 0)
    with pytest.raises(ValueError, match="no consistency proof"):
        merkle.consistency_ranges(0, 3)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(1, 40), min_size=1, max_size=6),
    st.integers(1, 3),
    st.data(),
)
def test_stored_tree_matches_the_definition_and_its_proofs_verify(batches, lowest, data):
    tree = Tree(lowest)
    all_leaves = leaves(sum(batches))
    done = 0
    for b in batches:  # appended in batches of any size, as actions and bulk imports do
        tree.append(all_leaves[done : done + b])
        done += b
    n = len(all_leaves)
    new = data.draw(st.integers(1, n))
    old = data.draw(st.integers(1, new))
    index = data.draw(st.integers(0, new - 1))
    roots = {s: merkle.root(all_leaves[:s]) for s in (old, new)}
    assert tree.root(new) == roots[new]
    proof = tree.inclusion(index, new)
    assert len(proof) <= (new - 1).bit_length()
    assert merkle.verify_inclusion(index, new, all_leaves[index], proof, roots[new])
    cproof = tree.consistency(old, new)
    assert merkle.verify_consistency(old, new, roots[old], roots[new], cproof)
    # every lie is caught
    for i in range(len(proof)):
        bad = [*proof[:i], LEAVES[0] if proof[i] != LEAVES[0] else LEAVES[1], *proof[i + 1 :]]
        assert not merkle.verify_inclusion(index, new, all_leaves[index], bad, roots[new])
    if proof:
        assert not merkle.verify_inclusion(index, new, all_leaves[index], proof[:-1], roots[new])
        assert not merkle.verify_inclusion(index, new, all_leaves[index], proof[1:], roots[new])
    other = (index + 1) % new
    if other != index:
        assert not merkle.verify_inclusion(other, new, all_leaves[index], proof, roots[new])
        assert not merkle.verify_inclusion(index, new, all_leaves[other], proof, roots[new])
    # a size off by one: the signed head binds size and root, so the proof meets the other root
    if new < n:
        bigger = merkle.root(all_leaves[: new + 1])
        assert not merkle.verify_inclusion(index, new + 1, all_leaves[index], proof, bigger)
    if new - 1 > index:
        smaller = merkle.root(all_leaves[: new - 1])
        assert not merkle.verify_inclusion(index, new - 1, all_leaves[index], proof, smaller)
    if old < new:
        assert not merkle.verify_consistency(old, new, roots[old], roots[new], cproof[:-1])
        assert not merkle.verify_consistency(old, new, roots[new], roots[old], cproof)
        assert not merkle.verify_consistency(old + 1, new, roots[old], roots[new], cproof)
        if new < n:  # the head's size off by one, with that size's root
            bigger = merkle.root(all_leaves[: new + 1])
            assert not merkle.verify_consistency(old, new + 1, roots[old], bigger, cproof)
        for i in range(len(cproof)):
            bad = [*cproof[:i], LEAVES[2], *cproof[i + 1 :]]
            if bad != cproof:
                assert not merkle.verify_consistency(old, new, roots[old], roots[new], bad)


def test_an_append_reads_and_writes_little():
    tree = Tree(lowest=4)
    tree.append(leaves(1000))
    before = tree.reads
    quiet = 0
    for leaf in leaves(64):
        reads = tree.reads
        tree.append([leaf])
        quiet += tree.reads == reads
    assert quiet >= 60  # 60 of 64 appends complete no stored subtree and read nothing
    assert tree.reads - before <= 8
    assert len(tree.stored) < 1064 // 8


def test_malformed_proofs_are_false_not_errors():
    root = merkle.root(LEAVES)
    for proof in ([""], ["zz" * 32], [LEAVES[1].upper()], [LEAVES[1] + "00"]):
        assert not merkle.verify_inclusion(0, 8, LEAVES[0], proof, root)
        assert not merkle.verify_consistency(1, 8, LEAVES[0], root, proof)
    assert not merkle.verify_inclusion(-1, 8, LEAVES[0], [], root)
    assert not merkle.verify_consistency(3, 2, root, root, [])


@pytest.mark.parametrize("n", [0, 1, 15, 16, 17, 100, 257])
def test_building_a_whole_tree_stores_what_appends_store(n):
    tree = Tree(lowest=4)
    for leaf in leaves(n):
        tree.append([leaf])
    built = {(level, index): h for level, index, h in merkle.all_nodes(leaves(n), 4)}
    assert built == tree.stored


@pytest.mark.parametrize("n", [0, 1, 5, 16, 33, 100])
def test_a_builder_gives_the_root_of_every_leaf_it_took(n):
    builder = merkle.TreeBuilder(4)
    list(builder.add(leaves(n)))
    assert builder.root() == merkle.root(leaves(n))
    assert builder.leaves == n
