"""How far apart two spellings are: what spelling help and misspelt places both ask."""


def within(a: str, b: str, limit: int) -> bool:
    """Whether a and b are at most `limit` edits apart, a swap of two letters counting as one
    ("steriods" is one edit from "steroids"): optimal string alignment, cut off early."""
    if abs(len(a) - len(b)) > limit:
        return False
    before, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit
