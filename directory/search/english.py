"""Which words are English: so spelling help corrects typing mistakes, never a real word.

The word list is symspellpy's bundled English frequency dictionary (82,765 words with their counts
in Google Books, MIT licence), read from the installed package: nothing is fetched. A word someone
types that is in it ("wake", "hit", "thrown") is taken as meant, even when it is one letter from a
word the directory knows ("make", "HIV"); only words that are neither English nor the directory's
own are corrected.
"""

from functools import cache
from importlib import resources

DICTIONARY = "frequency_dictionary_en_82_765.txt"
# The rarest entries are mostly misspellings and fragments found in scanned books.
MINIMUM_COUNT = 5_000
# The dictionary is in order of use: its first thousand words are the everyday ones ("way", "rock",
# "home"), which beside a word the directory knows say little about which listing is meant.
COMMON_RANK = 1_000


@cache
def _words() -> frozenset[str]:
    words = set()
    with resources.files("symspellpy").joinpath(DICTIONARY).open(encoding="utf-8") as lines:
        for line in lines:
            word, _, count = line.partition(" ")
            if count and int(count) >= MINIMUM_COUNT:
                words.add(word)
    return frozenset(words)


@cache
def _common() -> frozenset[str]:
    with resources.files("symspellpy").joinpath(DICTIONARY).open(encoding="utf-8") as lines:
        return frozenset(line.partition(" ")[0] for _, line in zip(range(COMMON_RANK), lines, strict=False))


def is_word(word: str) -> bool:
    """Whether a lower-case word is an English word."""
    return word in _words()


def is_common(word: str) -> bool:
    """Whether a lower-case word is one of the thousand English words most used."""
    return word in _common()
