"""``same_rows``: the same rows in any order, each as many times."""

from casetracker.adapters.kept_rows import same_rows


def test_rows_in_any_order_are_the_same_and_counted() -> None:
    a, b = ("C-1", "x", None), ("C-1", "y", 2.5)
    assert same_rows([], [])
    assert same_rows([a, b], [a, b])
    assert same_rows([b, a], [a, b])
    assert not same_rows([a, a], [a, b])
    assert not same_rows([a], [a, a])
    assert not same_rows([a, b], [a])
