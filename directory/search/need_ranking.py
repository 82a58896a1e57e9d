"""What answering a need adds to a listing's score (see `needs.py` and `ranking.py`).

A need lists the ways it is answered, best first. A listing scores for the best way it answers
(not for every way: a drug service that mentions families in passing is not a family service),
and, through a concept, by how much it says so: a night shelter named as one outranks a recovery
service that mentions housing once. What the need `also` names adds less, and a need that says
who someone is ("gay", "young") only nudges.
"""

import numpy as np

from . import bitsets

# What the first way of answering a need adds; each later way adds a little less.
FINDS = 3.0
ALSO = 1.0
BOOST = 2.0  # who a service is for ("gay", "young"): one nudge, however many ways it says so
STEP = 0.15  # how much less each later way of answering counts
K1 = 1.2  # as BM25's: how quickly saying a concept again stops adding
LESSER = 0.5  # the least a need said less than another counts, as a share of what it would


def add_scores(scores: np.ndarray, view, need_sets, strength, evidence: dict[str, int],
               specific: np.ndarray | float = 1.0, echoes: frozenset[str] | set[str] = frozenset()) -> int:
    """Add each need's score to `scores`; return the documents that best answer an urgent need.
    `strength(concept)` gives each document's term-frequency part for a concept (0 where absent);
    `evidence` how many words said each need; `specific` how specifically each listing is one kind
    of service (a sexual health clinic answers "burning when I pee" more surely than a chemsex service
    that also counts as sexual health); `echoes` the needs said only by another's words.

    With several needs, the one said most leads: "the condom broke, can she get the morning after
    pill" is mostly about emergency contraception, so the exposure's A&E departments do not come first."""
    urgent = 0
    particular = [s for s in need_sets if not s.need.boost and not s.need.general]
    most = max((evidence.get(s.need.key, 1) for s in particular or need_sets if not s.need.boost), default=1)
    # Who a service is for ranks it among the best answers to what was asked, not above them: a young
    # people's drug service is not the answer to "my dad hits my mum, I'm 14" for being for the young.
    answering = -1 if all(s.need.boost for s in need_sets) else 0
    for sets in need_sets:
        if not sets.need.boost:
            answering |= sets.best
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
        answer = np.maximum(_best_way(view, sets.finds, FINDS, strength),
                            _best_way(view, sets.also, ALSO, strength))
        scores += max(LESSER, said / most) * answer * specific
        if sets.need.urgent and said == most:  # open around the clock and among the best answers
            urgent |= sets.best if sets.need.life else _answering_the_rest(sets, particular, echoes)
    return urgent


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
    for part in finding.parts:
        values = bitsets.to_array(part.other_bits, view.size).astype(float)
        if part.concept_bits:
            said = np.minimum(strength(part.concept) / (K1 + 1), 1)  # towards 1 the more it says it
            # By its words alone, half to all of the way; with its kind of service too, a little over.
            values = np.where(values > 0, 1 + 0.25 * said, np.where(said > 0, 0.5 + 0.5 * said, 0))
        result = values if result is None else np.minimum(result, values)
    return result if result is not None else np.zeros(view.size)
