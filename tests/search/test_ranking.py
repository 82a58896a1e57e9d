"""Ranking: the order of a page of matches."""

import pytest


def test_the_first_items_in_order_are_those_of_a_full_sort():
    import numpy as np

    from directory.search.ranking import first_in_order as _first_in_order

    rng = np.random.default_rng(8)
    for trial in range(500):
        # Small lists, and lists of thousands (as a broad search matches), where a sample narrows them.
        n = int(rng.integers(0, 200)) if trial % 3 else int(rng.integers(1000, 6000))
        ranks = rng.permutation(n)
        primary = rng.integers(0, 4, n).astype(float) if trial % 2 else rng.random(n)
        if trial % 5 == 0 and n:
            primary[rng.integers(0, n, n // 3)] = np.inf  # no location: last in distance order
        limit = int(rng.integers(1, 50))
        for keys in ((ranks, primary), (ranks,)):
            assert list(_first_in_order(keys, limit)) == list(np.lexsort(keys)[:limit])


def test_a_generation_keeps_per_listing_scores_within_its_budget_and_shares_them_read_only():
    from collections import OrderedDict

    import numpy as np

    from directory.search import bitsets

    view = bitsets.View.__new__(bitsets.View)
    view.size = 1000
    view._arrays = OrderedDict()
    built = []

    def build(v):
        built.append(1)
        return np.ones(v.size)

    first = view.array(("words", "clinic"), build)
    assert view.array(("words", "clinic"), build) is first and len(built) == 1  # made once
    assert view.array(("words", "absent"), lambda v: None) is None
    assert view.array(("words", "absent"), lambda v: built.append(1)) is None and len(built) == 1
    with pytest.raises(ValueError):
        first += 1  # a search must not change what the next one reads
    for n in range(3 * view.arrays_limit()):
        view.array(("words", f"w{n}"), build)
    assert len(view._arrays) == view.arrays_limit() == bitsets.ARRAY_ELEMENTS_PER_VIEW // 1000
