"""Document sets as Python ints (bit n = document n), cached per index segment and generation.

Filters and facet counts are AND/OR of these and `int.bit_count()`, so counting a facet value is
one popcount instead of a pass over the matches. Whoosh segments never change once written (only
their deletions do), so per-segment sets are built once per process and reused by every later
generation; a generation's global sets are the segments' sets shifted to their offsets. Ranking
and distances work on whole NumPy arrays by document number (`to_array`, `View.rank_array`,
`View.metres_from`).
"""

import math
from collections import OrderedDict

import numpy as np

from .documents import TEXT_FIELDS, Listing, decode_listing, decode_meta, opening_ranges

EARTH_RADIUS_M = 6_371_008.8
# Decoded listings kept per segment: about 4 KB each, so up to 64 MB per process for the largest
# directories; reading one again from its segment costs more than the rest of its card.
LISTINGS_PER_SEGMENT = 16384
# The other per-segment caches: a term's document set, ranking's per-term parts, a term's weights,
# and "open at" sets (a minute's answer is asked for again all that minute, by every search).
POSTINGS_PER_SEGMENT = 4096
DERIVED_PER_SEGMENT = 512
WEIGHTS_PER_SEGMENT = 512
OPEN_AT_PER_SEGMENT = 4
# Combined sets (any-of, values, lengths) one index generation remembers.
MEMO_PER_VIEW = 2048
# Per-document arrays (a word's score in every text field) one generation remembers, in array
# elements all told: 32 MB of them, so a hundred thousand listings keep forty.
ARRAY_ELEMENTS_PER_VIEW = 4_000_000


def from_ids(ids, size: int) -> int:
    """Return the set of document numbers `ids` as an int."""
    buf = bytearray((size >> 3) + 1)
    for i in ids:
        buf[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buf, "little")


def to_array(bits: int, size: int) -> np.ndarray:
    """Return a set of document numbers as a boolean array of `size` (for whole-set arithmetic)."""
    raw = np.frombuffer(bits.to_bytes((size >> 3) + 1, "little"), dtype=np.uint8)
    return np.unpackbits(raw, bitorder="little")[:size].view(bool)


def project(lat: float, lon: float) -> tuple[float, float]:
    """Return (x, y) in radians scaled to metres, before the longitude is scaled by cos(latitude)."""
    return math.radians(lon) * EARTH_RADIUS_M, math.radians(lat) * EARTH_RADIUS_M


def _remember(cache: OrderedDict, key, value, limit: int):
    cache[key] = value
    if len(cache) > limit:
        cache.popitem(last=False)
    return value


class SegmentData:
    """What is derived from one immutable segment: posting sets and the per-document column."""

    def __init__(self, reader):
        self.size = reader.doc_count_all()
        self._postings: OrderedDict = OrderedDict()
        self._listings: OrderedDict = OrderedDict()
        self._derived: OrderedDict = OrderedDict()
        ids, names, points, openings, lengths = [], [], [], [], []
        if "meta" in reader.schema:
            column = reader.column_reader("meta")
            for i in range(self.size):
                raw = column[i]
                if raw:
                    service_id, name, length, coords, opening = decode_meta(raw)
                else:
                    service_id, name, length, coords, opening = "", "", (0,) * len(TEXT_FIELDS), (), ""
                ids.append(service_id)
                lengths.append(length)
                names.append(name)
                points.append(tuple(project(lat, lon) for lat, lon in coords))
                openings.append(opening)
        # Per text field, each document's length in terms (for BM25's length normalisation).
        self.lengths = {name: [n[i] for n in lengths] for i, name in enumerate(TEXT_FIELDS)}
        self._weights: OrderedDict = OrderedDict()
        self.ids = ids
        self.names = names
        self.points = points
        # Every document's opening times as [start, end) minutes of the week, in three arrays, so
        # "open at" is one vectorised comparison however many timetables there are.
        ranges = [(i, start, end) for i, opening in enumerate(openings) if opening
                  for start, end in opening_ranges(opening)]
        self._opening = tuple(np.asarray([r[k] for r in ranges], dtype=np.int64) for k in range(3))
        # The documents with any listed hours: "open now" can say how many others it cannot judge.
        self.timed = from_ids({r[0] for r in ranges}, self.size)
        self._open_at: OrderedDict = OrderedDict()
        self._values: dict[str, frozenset[str]] = {}

    def open_at(self, minute: int) -> int:
        """Return the documents of this segment open at `minute` of the week."""
        bits = self._open_at.get(minute)
        if bits is None:
            docs, starts, ends = self._opening
            open_now = np.zeros(self.size + 1, dtype=bool)
            open_now[docs[(starts <= minute) & (minute < ends)]] = True
            packed = np.packbits(open_now, bitorder="little").tobytes()
            # A few minutes are enough: every search in a minute asks about the same one.
            bits = _remember(self._open_at, minute, int.from_bytes(packed, "little"), OPEN_AT_PER_SEGMENT)
        return bits

    def values(self, reader, field: str) -> frozenset[str]:
        """Return the distinct terms of a keyword field in this segment."""
        found = self._values.get(field)
        if found is None:
            found = self._values[field] = frozenset(t.decode("utf-8") for t in reader.lexicon(field))
        return found

    def derived(self, key, build, *args):
        """Return `build(*args)`, computed once per key for this segment (for values only it determines)."""
        found = self._derived.get(key)
        if found is None:
            found = _remember(self._derived, key, build(*args), DERIVED_PER_SEGMENT)
        return found

    def weights(self, reader, field: str, term: str) -> dict[int, float]:
        """Return {document: term frequency} for a term in this segment."""
        key = (field, term)
        found = self._weights.get(key)
        if found is None:
            found = dict(reader.postings(field, term).items_as("weight")) if (field, term) in reader else {}
            _remember(self._weights, key, found, WEIGHTS_PER_SEGMENT)
        return found

    def listing(self, reader, local: int) -> Listing | None:
        """Return the listing stored with a document (decoded once: a segment never changes)."""
        found = self._listings.get(local)
        if found is None:
            raw = reader.stored_fields(local).get("listing")
            if raw is None:
                return None
            found = _remember(self._listings, local, decode_listing(raw), LISTINGS_PER_SEGMENT)
        return found

    def postings(self, reader, field: str, term: str) -> int:
        key = (field, term)
        bits = self._postings.get(key)
        if bits is None:
            if (field, term) in reader:
                bits = from_ids(reader.postings(field, term).all_ids(), self.size)
            else:
                bits = 0
            _remember(self._postings, key, bits, POSTINGS_PER_SEGMENT)
        return bits


class View:
    """One generation of the index as seen by this process: its searcher and its cached sets."""

    def __init__(self, searcher, segment_cache: dict):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = []
        live = 0
        for reader, offset in self.reader.leaf_readers():
            if reader.segment() is None:  # an empty index has one reader without segments
                continue
            segid = reader.segment().segment_id()
            data = segment_cache.get(segid)
            if data is None:
                data = segment_cache[segid] = SegmentData(reader)
            segment_live = (1 << data.size) - 1
            if reader.has_deletions():
                segment_live &= ~from_ids(reader.segment().deleted_docs(), data.size)
            live |= segment_live << offset
            self.leaves.append((reader, offset, data))
        self.size = self.reader.doc_count_all()
        self.live = live
        self._memo: OrderedDict = OrderedDict()
        self._ids = None
        self._names = None
        self._name_ranks = None
        self._point_arrays = None
        self._points = None
        self._arrays: OrderedDict = OrderedDict()

    def _remember(self, key, value, limit=MEMO_PER_VIEW):
        self._memo[key] = value
        if len(self._memo) > limit:
            self._memo.popitem(last=False)
        return value

    def term(self, field: str, term: str) -> int:
        """Return the documents (live or not) holding `term` in `field`."""
        key = ("t", field, term)
        bits = self._memo.get(key)
        if bits is None:
            bits = 0
            for reader, offset, data in self.leaves:
                local = data.postings(reader, field, term)
                if local:
                    bits |= local << offset
            self._remember(key, bits)
        return bits

    def any_of(self, field: str, terms) -> int:
        bits = 0
        for t in terms:
            bits |= self.term(field, t)
        return bits

    def doc_frequency(self, field: str, term: str) -> int:
        return (self.term(field, term) & self.live).bit_count()

    def values(self, field: str) -> list[str]:
        """Return the distinct terms of a keyword field."""
        key = ("v", field)
        found = self._memo.get(key)
        if found is None:
            terms = frozenset().union(*(data.values(reader, field) for reader, _, data in self.leaves))
            found = self._remember(key, sorted(terms))
        return found

    def average_length(self, field: str) -> float:
        key = ("avg", field)
        found = self._memo.get(key)
        if found is None:
            total = sum(sum(data.lengths[field]) for _, _, data in self.leaves)
            found = self._remember(key, max(1.0, total / max(1, self.size)))
        return found

    def listing(self, docnum: int) -> Listing | None:
        """Return the listing stored with a document (see `documents.encode_listing`)."""
        for reader, offset, data in self.leaves:
            if offset <= docnum < offset + data.size:
                return data.listing(reader, docnum - offset)
        return None

    @property
    def ids(self) -> list[str]:
        """Each document's service id, by document number."""
        if self._ids is None:
            self._ids = [i for _, _, data in self.leaves for i in data.ids]
        return self._ids

    @property
    def names(self) -> list[str]:
        if self._names is None:
            self._names = [n for _, _, data in self.leaves for n in data.names]
        return self._names

    @property
    def rank_array(self) -> np.ndarray:
        """Each document's place in name order (ties by document number), for sorting."""
        if self._name_ranks is None:
            names = self.names
            ranks = np.empty(len(names), dtype=np.int64)
            ranks[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
            self._name_ranks = ranks
        return self._name_ranks

    @property
    def points(self) -> list[tuple]:
        if self._points is None:
            self._points = [p for _, _, data in self.leaves for p in data.points]
        return self._points

    def open_at(self, minute: int) -> int:
        """Return the documents open at `minute` of the week."""
        key = ("open", minute)
        bits = self._memo.get(key)
        if bits is None:
            bits = 0
            for _, offset, data in self.leaves:  # per segment, so a new generation adds only its own
                bits |= data.open_at(minute) << offset
            self._remember(key, bits)
        return bits

    def derived(self, key, build):
        """Return `build(self)`, made once per generation of the index (what every search would
        otherwise work out again from the same postings)."""
        key = ("derived", key)
        if key not in self._memo:
            return self._remember(key, build(self))
        return self._memo[key]

    def array(self, key, build) -> np.ndarray | None:
        """Return `build(self)`, a per-document array (or None) made once per generation of the index,
        like `derived`, but under a budget of its own: each holds a number per document."""
        arrays = self._arrays
        if key in arrays:
            arrays.move_to_end(key)
            return arrays[key]
        found = arrays[key] = build(self)
        if found is not None:
            found.flags.writeable = False  # shared by every search of the generation
        if len(arrays) > self.arrays_limit():
            arrays.popitem(last=False)
        return found

    def arrays_limit(self) -> int:
        return max(8, ARRAY_ELEMENTS_PER_VIEW // max(1, self.size))

    def around_the_clock(self) -> int:
        """Return the documents open at any hour: in the small hours of every day of the week."""
        key = ("24h",)
        bits = self._memo.get(key)
        if bits is None:
            bits = self.live
            for day in range(7):
                bits &= self.open_at(day * 24 * 60 + 3 * 60 + 30)
            self._remember(key, bits)
        return bits

    @property
    def timed(self) -> int:
        """Return the documents (live or not) that list any opening hours."""
        key = ("timed",)
        bits = self._memo.get(key)
        if bits is None:
            bits = 0
            for _, offset, data in self.leaves:
                bits |= data.timed << offset
            self._remember(key, bits)
        return bits

    def metres_from(self, lat: float, lon: float) -> np.ndarray:
        """Return each document's approximate distance in metres to its nearest location (inf if none)."""
        if self._point_arrays is None:
            owners = np.asarray([d for d, pts in enumerate(self.points) for _ in pts], dtype=np.int64)
            flat = [p for pts in self.points for p in pts]
            # Points are in document order: each document's run starts where its number first appears.
            docs, firsts = np.unique(owners, return_index=True)
            xs, ys = np.asarray([x for x, _ in flat]), np.asarray([y for _, y in flat])
            # Most listings have one place or none: then no per-document minimum is needed, and when
            # every listing has exactly one, the distances are the answer as they stand.
            places = "one each" if len(docs) == self.size == len(flat) else (
                "at most one" if len(docs) == len(flat) else "several")
            self._point_arrays = (docs, firsts, xs, ys, places)
        docs, firsts, xs, ys, places = self._point_arrays
        if not len(docs):
            return np.full(self.size, np.inf)
        x0, y0 = project(lat, lon)
        # sqrt(dx² + dy²) in place: np.hypot guards against overflow that metres never reach, at
        # three times the cost.
        apart = xs - x0
        apart *= math.cos(math.radians(lat))
        apart *= apart
        dy = ys - y0
        dy *= dy
        apart += dy
        np.sqrt(apart, out=apart)
        if places == "one each":
            return apart
        metres = np.full(self.size, np.inf)
        metres[docs] = apart if places == "at most one" else np.minimum.reduceat(apart, firsts)
        return metres

    def within(self, lat: float, lon: float, metres: float) -> int:
        """Return the documents with a location within `metres` of the point."""
        key = ("near", round(lat, 5), round(lon, 5), round(metres))
        bits = self._memo.get(key)
        if bits is None:
            near = np.flatnonzero(self.metres_from(lat, lon) <= metres)
            bits = self._remember(key, from_ids(near.tolist(), self.size))
        return bits
