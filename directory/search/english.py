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


@cache
def _words() -> frozenset[str]:
    words = set()
    with resources.files("symspellpy").joinpath(DICTIONARY).open(encoding="utf-8") as lines:
        for line in lines:
            word, _, count = line.partition(" ")
            if count and int(count) >= MINIMUM_COUNT:
                words.add(word)
    return frozenset(words)


def is_word(word: str) -> bool:
    """Whether a lower-case word is an English word."""
    return word in _words()
