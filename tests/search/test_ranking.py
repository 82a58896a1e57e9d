"""Ranking: the order of a page of matches."""


def test_the_first_items_in_order_are_those_of_a_full_sort():
    import numpy as np

    from directory.search.ranking import first_in_order as _first_in_order

    rng = np.random.default_rng(8)
    for trial in range(500):
        n = int(rng.integers(0, 200))
        ranks = rng.permutation(n)
        primary = rng.integers(0, 4, n).astype(float) if trial % 2 else rng.random(n)
        if trial % 5 == 0 and n:
            primary[rng.integers(0, n, n // 3)] = np.inf  # no location: last in distance order
        limit = int(rng.integers(1, 50))
        for keys in ((ranks, primary), (ranks,)):
            assert list(_first_in_order(keys, limit)) == list(np.lexsort(keys)[:limit])
