"""What answering a need adds to a listing's score (see `needs.py` and `ranking.py`).

A need lists the ways it is answered, best first. A listing scores for the best way it answers
(not for every way: a drug service that mentions families in passing is not a family service),
and, through a concept, by how much it says so: a night shelter named as one outranks a recovery
service that mentions housing once. What the need `also` names adds less, and a need that says
who someone is ("gay", "young") only nudges.
"""

import numpy as np

from .. import clock, hours
from . import bitsets

# What the first way of answering a need adds; each later way adds a little less.
FINDS = 3.0
ALSO = 1.0
BOOST = 2.0  # who a service is for ("gay", "young"): one nudge, however many ways it says so
STEP = 0.15  # how much less each later way of answering counts
K1 = 1.2  # as BM25's: how quickly saying a concept again stops adding
LESSER = 0.5  # the least a need said less than another counts, as a share of what it would
# With several needs: each has at least ROOM answers on the first PAGE, placed from place ROOM_AFTER + 1;
# a listing scoring at least COVERS of the need's best answer counts as one.
PAGE, ROOM, ROOM_AFTER, COVERS = 10, 2, 2, 0.5
# How much a need's answer depends on a listing being only the kinds of help the need names (as
# ranking.SPECIFIC did for every kind).
OTHER_KINDS = 0.2
# Danger now: what answers the need best comes before what only helps, however near or wordy that is.
ANSWERS_FIRST = 200.0
# A service only for some people, for someone who did not say they are one of them (see `_fit`).
FOR_SOME = 0.85
EVERYONE = "everyone"
# Except services for gay and bi men: chemsex services are all theirs, and chemsex says who is asking.
MEN = "gay-bi-msm"


def add_scores(scores: np.ndarray, view, need_sets, strength, evidence: dict[str, int],
               specific: np.ndarray | float = 1.0, echoes: frozenset[str] | set[str] = frozenset(),
               among: int = -1, out_of_hours: bool = False) -> int:
    """Add each need's score to `scores`; return the documents that best answer an urgent need.
    `strength(concept)` gives each document's term-frequency part for a concept (0 where absent);
    `evidence` how many words said each need; `specific` an array when how specifically a listing is
    the kind of help asked for counts (see `_fit_kinds`: a sexual health clinic answers "burning when I
    pee" more surely than a chemsex service that also counts as sexual health); `echoes` the needs said
    only by another's words; `among` the documents the search shows; `out_of_hours` whether the words
    ask for out of hours ("PEP OOH").

    With several needs, the one said most leads: "the condom broke, can she get the morning after
    pill" is mostly about emergency contraception, so the exposure's A&E departments do not come first."""
    if not need_sets:  # most searches name no need: nothing to add, and nothing to work out for it
        return 0
    urgent = 0
    particular = [s for s in need_sets if not s.need.boost and not s.need.general]
    most = max((evidence.get(s.need.key, 1) for s in particular or need_sets if not s.need.boost), default=1)
    # Who a service is for ranks it among the best answers to what was asked, not above them: a young
    # people's drug service is not the answer to "my dad hits my mum, I'm 14" for being for the young.
    answering = -1 if all(s.need.boost for s in need_sets) else 0
    for sets in need_sets:
        if not sets.need.boost:
            answering |= sets.best
    room: dict[str, np.ndarray] = {}
    answers_first = 0
    # What a particular need rules out ("STI symptoms": not a postal test) a general one does not lift.
    ruled_out = 0
    for sets in particular:
        ruled_out |= sets.excluded
    fit = _fit(view, need_sets)
    for sets in need_sets:
        if sets.need.boost:
            scores += BOOST * bitsets.to_array(sets.best & answering, view.size)
            continue
        # "Told I'm HIV positive and don't know who to talk to" is about the diagnosis, however many words
        # the wish to talk took.
        said = LESSER * most if sets.need.general and particular else evidence.get(sets.need.key, 1)
        # A danger to life leads however briefly it was said ("every time I come down I feel suicidal").
        said = most if sets.need.life else said
        # What answers it best counts, not every way it answers: a domestic abuse helpline is
        # not a better answer to abuse than a local domestic abuse service for also being a helpline.
        answer = _answer(view, sets, strength)
        answer = answer * _fit_kinds(view, sets.need) if isinstance(specific, np.ndarray) else answer
        answer = answer * fit
        if sets.need.general and ruled_out:
            answer = answer * ~bitsets.to_array(ruled_out, view.size)
        scores += max(LESSER, said / most) * answer
        # Room on the first page for each need said about as much as the most said: not for "hostel" in
        # "stuck myself on a used needle clearing up at the hostel".
        if (sets in particular and sets.need.key not in echoes and said >= LESSER * most
                and not any(s.need.life for s in particular)):
            room[sets.need.key] = answer
        if sets.need.urgent and said == most:  # open now and among the best answers
            answers_first |= sets.best
            if sets.need.life:
                urgent |= sets.best & view.around_the_clock()
            else:
                candidates = _answering_the_rest(sets, particular, echoes) & among
                urgent |= _first_open(view, sets, candidates, out_of_hours)
    if answers_first:
        scores += ANSWERS_FIRST * bitsets.to_array(answers_first & among & view.live, view.size)
    if len(room) > 1:
        _make_room(scores, room, bitsets.to_array(among & view.live, view.size))
    return urgent


def _fit_kinds(view, need) -> np.ndarray:
    """Return, per document, how specifically it is the kind of help a need asks for: 1 when every kind of
    service it is is one the need names, less the more other kinds it is (see `OTHER_KINDS`). A clinic that
    is sexual health and HIV testing answers "want an HIV test" as fully as one that is only sexual health;
    a chemsex service that also counts as sexual health answers "burning when I pee" less surely."""
    return view.derived(("fit_kinds", need.key), lambda v: _kinds_fit(v, need))


def _kinds_fit(view, need) -> np.ndarray:
    types = view.values("service_type")
    named = {raw for finding in need.finds for raw, _ in finding.parts if raw in types}
    helping = {raw for finding in need.also for raw, _ in finding.parts if raw in types} - named
    others = np.zeros(view.size)
    for code in types:
        if code not in named:  # what only helps too ("also") counts as half another kind
            share = 0.5 if code in helping else 1.0
            others += share * bitsets.to_array(view.term("service_type", code), view.size)
    return (1 - OTHER_KINDS) + OTHER_KINDS / (1 + others)


def _fit(view, need_sets) -> np.ndarray:
    """Return, per document, how well who it is for fits what the words said: a service only for some
    people (young people, women, gay and bi men) answers someone who did not say they are one a little
    less well than a service for everyone. Said ("I'm 16", "gay"), it fits in full."""
    claimed = 0
    for sets in need_sets:
        if sets.need.boost:
            claimed |= sets.any
    for_some = view.live & ~view.term("audience", EVERYONE) & ~view.term("audience", MEN) & ~claimed
    return np.where(bitsets.to_array(for_some, view.size), FOR_SOME, 1.0)


def _make_room(scores: np.ndarray, answers: dict[str, np.ndarray], shown: np.ndarray) -> None:
    """Give each need said beside another a place on the first page: after "kicked out and using every
    day" the drug services that answer the using must not fill the page before any housing help. What
    answers every need already leads (it scores for each); the best answers to a need with no room are
    lifted to just after the first two. Beside a danger to life nothing is (see `add_scores`)."""
    if len(answers) < 2:
        return
    shown = np.flatnonzero(shown)
    if len(shown) <= PAGE:
        return
    for answer in answers.values():
        mine = shown[answer[shown] > 0]
        if not len(mine):
            continue
        strong = mine[answer[mine] >= COVERS * answer[mine].max()]
        page = set(shown[np.argsort(-scores[shown], kind="stable")[:PAGE]].tolist())
        missing = ROOM - sum(1 for d in strong.tolist() if d in page)
        if missing <= 0:
            continue
        bar = np.sort(scores[shown])[::-1][ROOM_AFTER]
        chosen = [d for d in strong[np.lexsort((-scores[strong], -answer[strong]))].tolist() if d not in page]
        for i, d in enumerate(chosen[:missing]):  # just above the third: ahead of any tie that fills the page
            scores[d] = max(scores[d], bar + 0.001 * (missing - i))


def _first_open(view, sets, candidates: int, out_of_hours: bool) -> int:
    """Return the candidates answering an urgent need in the best way that is open now. PEP is a
    sexual health clinic's job while it is open and A&E's out of hours (BASHH): on a weekday afternoon
    the clinic that gives PEP leads, on a Sunday night (or asked for out of hours) the A&E that does,
    never a pharmacy open late."""
    open_now = view.around_the_clock() if out_of_hours else view.open_at(hours.minute_of_week(clock.now()))
    for finding in sets.finds:
        if finding.bits & candidates & open_now:
            return finding.bits & candidates & open_now
    return 0


def _answering_the_rest(urgent, particular, echoes) -> int:
    """Return which of an urgent need's best answers also best answer every other particular need
    said: after "no condom on Saturday, and I need the morning after pill too" a clinic open now
    answers both, where the A&E open all night answers one. Only a danger to life outranks that, and a
    need said only by the urgent need's own words ("the condom broke") is not another need said."""
    best = urgent.best
    for sets in particular:
        if sets is not urgent and not sets.need.urgent and sets.need.key not in echoes:
            best &= sets.best
    return best


def _answer(view, sets, strength) -> np.ndarray:
    """Return, per document, how well it answers a need in its best way: the same for every search of
    an index generation that says the need, so worked out once for it."""
    def build(_view):
        return np.maximum(_best_way(view, sets.finds, FINDS, strength),
                          _best_way(view, sets.also, ALSO, strength))

    if sets.made_from is None:
        return build(view)
    # The need itself by identity too: a layer read again (tests swap it) may reuse a key.
    return view.array(("need answer", sets.need.key, id(sets.need), sets.made_from), build)


def _best_way(view, findings, weight: float, strength) -> np.ndarray:
    best = np.zeros(view.size)
    for position, finding in enumerate(findings):
        if not finding.bits:
            continue
        factor = weight * max(0.5, 1 - STEP * position)
        best = np.maximum(best, factor * _how_well(view, finding, strength))
    return best


def _how_well(view, finding, strength) -> np.ndarray:
    """Return, per document, how well it answers one way (0 to 1.25): every part must hold."""
    result = None
    combined = len(finding.parts) > 1
    for part in finding.parts:
        values = bitsets.to_array(part.other_bits, view.size).astype(float)
        if part.concept_bits:
            said = np.minimum(strength(part.concept) / (K1 + 1), 1)  # towards 1 the more it says it
            # Only where the concept part holds: what the need rules out ("not:") was taken from its bits,
            # and saying the concept must not bring it back.
            said = np.where(bitsets.to_array(part.concept_bits, view.size), said, 0)
            # By its words alone, half to all of the way; with its kind of service too, a little over.
            # Beside another part ("sexual-health + pep") saying it at all is what singles the listing
            # out: a clinic that says once that it gives PEP answers an exposure in full.
            alone = np.where(said > 0, (1 + 0.25 * said) if combined else 0.5 + 0.5 * said, 0)
            values = np.where(values > 0, 1 + 0.25 * said, alone)
        result = values if result is None else np.minimum(result, values)
    return result if result is not None else np.zeros(view.size)
