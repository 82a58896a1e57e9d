"""From what someone typed to clauses: needs, vocabulary concepts, words, and spelling corrections.

User text is never given to a query parser: it is split into words, so quotes, brackets,
AND/OR/NOT, SQL and emoji are only ever words (or nothing). The words are read in layers:

- a situation ("the condom split", "my mate won't wake up") is a need (`needs.py`): what answers
  it is found through service types and concepts, and the rest of the words only rank;
- a vocabulary phrase is a concept ("tina" is crystal meth), a clause of its own;
- any other word is a clause; words that carry no need ("help", "service", "near me") are filler:
  they rank, but a listing need not hold them.

Misspelt words are corrected (`spelling.py`: never a real English word into a domain word) and the
page says "Showing results for ...".
"""

import re
from dataclasses import dataclass, field

from . import ages, english, needs, spelling, text
from .needs import Need

MAX_CHARS = 300
MAX_WORDS = 24

REQUIRED, OPTIONAL, FILLER = "required", "optional", "filler"
# A concept named beside a need ("my son is drinking": alcohol, beside a worried parent): it never narrows,
# but ranks more than a word beside a need does, saying which of the need's answers is meant.
BESIDE = "beside"
# How people type on a phone: read as the words they stand for ("party n play", "me n my gf").
TEXT_SPEAK = {
    "n": "and", "wiv": "with", "wid": "with", "u": "you", "ur": "your", "r": "are", "cos": "because",
    "coz": "because", "bc": "because", "2day": "today", "2nite": "tonight", "tonite": "tonight",
    "2moro": "tomorrow", "4": "for", "pls": "please", "plz": "please", "thx": "thanks",
    "bf": "boyfriend", "gf": "girlfriend", "bday": "birthday", "ppl": "people", "sum1": "someone",
    "some1": "someone", "any1": "anyone", "ne1": "anyone", "dunno": "don't know", "gonna": "going to",
    "wanna": "want to", "ive": "i have", "im": "i am", "idk": "i don't know", "rn": "right now",
    "asap": "now", "abt": "about", "w": "with", "b4": "before", "l8r": "later", "prob": "problem",
    "probs": "problems", "mins": "minutes", "hrs": "hours", "m8": "mate", "m8s": "mates", "hubby": "husband",
    "cuz": "because", "smth": "something", "sumthin": "something", "thru": "through", "nite": "night",
    "wk": "week", "wks": "weeks", "yr": "year", "yrs": "years",
}
# Words that deny what follows them ("not looking for rehab", "I'm not suicidal but"). Where one is
# part of a situation ("not breathing", "can't stop") the need has read it first and it denies nothing.
NEGATORS = frozenset({"not", "no", "dont", "don't", "didnt", "didn't", "doesnt", "doesn't", "never",
                      "isnt", "isn't", "aint", "nor", "without"})
# A denial reaches this many words on, up to a word that starts another thought ("not gay but ...").
NEGATION_REACH = 4
ENDS_NEGATION = frozenset({"but", "just", "only", "and", "so", "because", "tho", "though", "i", "im",
                           "still", "rather", "instead", "yet"})
# Not knowing is not denying: "I don't know who to talk to" still wants someone to talk to.
DOUBTS = frozenset({"know", "sure", "remember", "rememb", "understand", "mind", "care", "think"})
# Not wanting to catch something is fearing it, not refusing help with it: "don't want to catch HIV"
# still asks about HIV, where "don't want rehab" refuses rehab.
FEARS = frozenset({"catch", "get", "become", "be", "end", "pass", "give", "spread", "lose", "risk", "die"})
# Someone telling what happened to them ("just been told I'm HIV positive and don't know who to talk
# to"): in a sentence this long about a person, the words beside a concept only rank, or such a
# sentence would find nothing for holding one word no listing says.
SENTENCE_WORDS = 6
LONG_SENTENCE = 7  # words: a sentence however it is told ("just moved to London, was on a methadone script")
# Asking for a time most services are shut: an urgent need's answers open around the clock come first.
OUT_OF_HOURS = (" out of hours ", " ooh ", " after hours ", " overnight ", " middle of the night ",
                " at night ", " late at night ", " night time ", " nighttime ")
# Words telling when something happened ("after a weekend on chems", "since friday night"): beside a need
# they rank nothing, or "Night Owls" and "Weekend Walkers" would lead for holding them in their names.
WHEN_STEMS = frozenset(text.stem(w) for w in (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "weekend", "weekends",
    "night", "nights", "tonight", "morning", "mornings", "evening", "evenings", "afternoon", "today",
    "yesterday", "week", "weeks", "day", "days", "month", "months", "year", "years", "ago", "last"))
# Words telling that someone takes a drug ("smoking ice", "a bag of snow", "on speed", "coming down off
# mandy"). Beside a drug said in a word that is also an everyday word or a name, they say it is the drug
# ("speed awareness course" has none, "been on speed for days" has one); and beside a drug they only rank,
# as how it is taken: no listing says "smoking ice", and "smoking" must not decide what is found.
TAKING = frozenset(text.stem(w) for w in (
    "smoke", "smoking", "smoked", "sniff", "sniffing", "sniffed", "snort", "snorting", "snorted", "take",
    "taking", "took", "taken", "doing", "using", "used", "inject", "injecting", "injected", "drop",
    "dropping", "dropped", "neck", "necking", "necked", "pop", "popping", "popped", "bag", "bags", "line",
    "lines", "gram", "grams", "bump", "bumps", "pipe", "vape", "vaping", "buy", "buying", "bought",
    "score", "scoring", "scored", "addicted", "hooked", "habit", "binge", "binging", "bingeing", "dealer",
    "dealers", "plug", "high", "rush", "rushing", "wasted", "mashed", "comedown", "comedowns", "redosing",
    "redose", "dosing"))
# A taking word may stand one of these away from the drug ("a bag of snow", "taking some speed").
TAKING_GAP = frozenset({"of", "some", "a", "much", "more", "too", "loads", "lots", "bit", "few", "the"})
# Said right before a drug, these say it is taken too ("on speed", "off mandy").
TAKING_BEFORE = frozenset({"on", "off"})
# Where a drug is taken ("people smoking spice in my hostel", "doing lines at work"): beside a drug said as
# taken, the place only ranks; the drug is what is asked about.
SETTINGS = frozenset(text.stem(w) for w in (
    "hostel", "hostels", "prison", "jail", "school", "college", "uni", "university", "work", "office", "job",
    "flat", "house", "home", "room", "bedroom", "car", "toilets", "club", "clubs", "rave", "festival", "gym",
    "estate", "block", "shelter", "ward", "hospital", "halls", "street"))
PERSONS = frozenset({"i", "im", "me", "my", "he", "hes", "she", "shes", "him", "her", "his", "we", "our",
                     "they", "their", "them", "mum", "dad", "son", "daughter", "partner", "mate", "friend"})


@dataclass
class Clause:
    concept: str | None = None
    stems: list[str] = field(default_factory=list)  # stems matched in the text fields
    corrected: bool = False
    role: str = REQUIRED  # REQUIRED: a listing must answer it (unless none answers them all)
    # A concept's own words as typed ("crisis cafe" of mental health): they rank, never match.
    rank_stems: list[str] = field(default_factory=list)
    taken: bool = False  # a drug said beside a word telling it is taken ("smoking ice"): not a name


@dataclass
class ParsedText:
    raw: str
    clauses: list[Clause]
    corrections: dict[str, str]  # misspelt word -> corrected stem
    surfaces: dict[str, str]  # corrected stem -> the word as people write it, when known
    highlight_stems: set[str]
    highlight_concepts: set[str]
    needs: list[Need] = field(default_factory=list)  # what the words say someone needs
    # need key -> how many words said it: the need most said is what the search is mostly about
    evidence: dict[str, int] = field(default_factory=dict)
    # concepts the words deny ("not looking for rehab"): never asked for, and ranked lower
    unwanted: set[str] = field(default_factory=set)
    # needs said only by words that said another ("the condom broke": pregnancy risk beside the exposure)
    echoes: set[str] = field(default_factory=set)
    age: int | None = None  # the age someone gave as their own ("im 17"): what leaves it out ranks last

    @property
    def out_of_hours(self) -> bool:
        """Whether the words ask for a time most services are shut ("PEP out of hours", "overnight")."""
        said = " ".join(text.tokens(self.raw))
        return any(phrase in f" {said} " for phrase in OUT_OF_HOURS)

    @property
    def narrowing_needs(self) -> list[Need]:
        """The needs that decide what matches (the others only rank: who a service is for)."""
        return [n for n in self.needs if not n.boost]

    def ambiguous(self, clause: Clause) -> bool:
        """Whether a concept clause was said with an everyday word that is also slang ("crystal")."""
        names = text.vocabulary().names
        return (bool(names) and not clause.taken and len(clause.rank_stems) == 1
                and clause.rank_stems[0] in names.name_words)

    def suggestion(self, texts) -> str | None:
        """Return the corrected query ("did you mean"), finding how corrected words are written."""
        if not self.corrections:
            return None
        surfaces = dict(self.surfaces)
        wanted = {s for s in self.corrections.values() if s not in surfaces}
        for value in texts:
            if not wanted:
                break
            for word in text.tokens(value):
                s = text.stem(word)
                if s in wanted:
                    surfaces[s] = word
                    wanted.discard(s)

        def replace(match):
            word = match.group()
            fixed = surfaces.get(self.corrections.get(word.lower(), ""))
            if fixed is None:
                return word
            return fixed.capitalize() if word[:1].isupper() else fixed

        suggestion = " ".join(re.sub(r"[^\W_]+", replace, self.raw).split())
        return suggestion if suggestion.lower() != " ".join(self.raw.split()).lower() else None


def parse(user_text: str, view, catalogue, correct: bool = True) -> ParsedText:
    """Split user text into clauses against the current index (`view`) and category names.
    With `correct` False, no word is corrected ("search instead for" what was typed)."""
    raw = (user_text or "")[:MAX_CHARS]
    vocabulary, layer = text.vocabulary(), needs.layer()
    typed = text.cased_tokens(raw)[: MAX_WORDS * 2]
    # Text-speak is read only outside the vocabulary's phrases: "tier 4" and "4-MMC" keep their 4.
    phrased = {i for _, first, last in vocabulary.concepts_in([t.lower() for t in typed], typed)
               if last - first > 1 for i in range(first, last)}
    cased = [word for i, token in enumerate(typed)
             for word in ([token] if i in phrased else _as_written(token))]
    if correct:  # a phrase typed as one word ("sexualhealth") is its words
        cased = [part for word in cased
                 for part in spelling.split_joined(word, view, vocabulary, catalogue, layer) or [word]]
    words = [w.lower() for w in cased]
    stems = [text.stem(w) for w in words]
    corrections: dict[str, str] = {}
    surfaces: dict[str, str] = {}
    alternatives: dict[int, list[str]] = {}
    for i, fixed in (spelling.phrase_fixes(words, stems, vocabulary) if correct else {}).items():
        surfaces[fixed] = vocabulary.words.get(fixed, fixed)
        corrections[words[i]], alternatives[i], stems[i] = fixed, [fixed], fixed
    for i, word in enumerate(words):
        if i in alternatives or not correct or not spelling.needs_spelling(word, stems[i], layer):
            continue
        if spelling.known(word, stems[i], view, vocabulary, catalogue, layer):
            continue
        candidates = spelling.candidates(word, stems[i], view, vocabulary, catalogue, layer, surfaces)
        if candidates:
            corrections[word] = candidates[0]
            alternatives[i] = candidates
            stems[i] = candidates[0]
    skip = vocabulary.names.positions(words, stems, cased) if vocabulary.names else frozenset()
    # A denial alone is never slang ("no" is not "NOS", nitrous oxide); in a phrase it may be one
    # ("no appointment needed").
    concepts = [(c, first, last) for c, first, last in vocabulary.concepts_in_stems(stems, skip, words)
                if last - first > 1 or words[first] not in NEGATORS]
    concepts = _how_taken_is_the_drug(concepts, words, stems, layer.groups.get("drug", frozenset()))
    found = layer.find(stems, {c for c, _, _ in concepts})
    # A vocabulary phrase is read whole: "clean works" (needles) is not "getting clean" (a withdrawal).
    phrases = [(c, set(range(first, last))) for c, first, last in concepts if last - first > 1]
    found = [(need, positions) for need, positions in found
             if not any(positions & span and not span <= positions and c not in need.concepts
                        for c, span in phrases)]
    said = set().union(*(positions for _, positions in found)) if found else set()
    denied = _denied(words, stems, said)
    if not any(i not in denied and words[i] not in NEGATORS and text.is_indexable(w)
               and (stems[i] not in layer.filler or i in said) for i, w in enumerate(words)):
        denied = set()  # nothing else is asked ("NOT Kestrel"): the words are what is looked for
    found = [(need, positions) for need, positions in found
             if not _is_denied(need, positions, concepts, denied)]
    # Denying a label is not refusing the help ("drink less, but I'm not an alcoholic"): a concept is unwanted
    # only when every mention of it is denied.
    unwanted = ({c for c, first, last in concepts if set(range(first, last)) <= denied}
                - {c for c, first, last in concepts if not set(range(first, last)) <= denied})
    concepts = [span for span in concepts if span[0] not in unwanted]
    said = set().union(*(positions for _, positions in found)) if found else set()
    narrowing = any(not need.boost for need, _ in found)
    # What someone drinks or takes, beside a need, says which of its answers is meant ("my son is drinking":
    # an alcohol service for families), except beside danger to the body, which A&E answers whatever it was.
    substances = layer.groups.get("drug", frozenset()) | {"alcohol"}
    # Beside an urgent need what was taken is only how it happened ("raped after drinking"): it ranks nothing.
    taken = substances if any(need.urgent for need, _ in found) else set()
    # A question of mixing two things ("drug: any" in needs.txt: "is it risky to mix ket with drink",
    # "xannies and codeine together ok?") is a drugs line's whatever they are: the drugs named only rank, as
    # words beside a need do, and drink beside a drug, what it was mixed with, ranks nothing (alcohol services
    # do not answer it). One drug named ("safe dose of mandy") still says which answers are meant.
    asked = [need for need, _ in found if not need.boost]
    named_substances = {c for c, _, _ in concepts if c in substances}
    mixing = bool(asked) and all(need.any_drug for need in asked) and len(named_substances) > 1
    mixer = {"alcohol"} if mixing else set()
    if taken or any(_emergency_first(need) for need, _ in found):
        substances = set()
    # Who a service is for ("gay", "young") ranks, and narrows only when it is all that was asked.
    nudging = {c for need, _ in found if need.boost for c in need.concepts}
    # A sentence about someone that names what the directory knows is about that (see SENTENCE_WORDS).
    about = _is_sentence(words) and any(c not in nudging for c, _, _ in concepts)
    if all(c in nudging for c, _, _ in concepts) and not _other_words(words, stems, concepts, layer):
        nudging = set()
    # Beside a concept the directory knows, an everyday word ("doing way too much snow") only ranks;
    # not beside a concept said in everyday words too ("speed awareness course" is about driving).
    drugs = layer.groups.get("drug", frozenset())
    taking = {first for c, first, last in concepts if c in drugs and _taken(words, stems, first, last)}
    subject = any(c not in nudging and (first in taking or not all(english.is_common(words[i])
                                                                   for i in range(first, last)))
                  for c, first, last in concepts)
    covered = set(said) | denied
    clauses: list[Clause] = []
    highlight_stems: set[str] = set()
    for concept, first, last in concepts:
        span = set(range(first, last))
        covered |= span
        literal = [stems[i] for i in range(first, last) if text.is_indexable(words[i])]
        # What is drunk or taken, said in the need's own words ("drink less"), still says which answers
        # are meant (an alcohol service); anything else the need said is the need.
        beside = narrowing and concept in substances and not mixing
        if span & said and not beside or concept in taken or concept in mixer:
            highlight_stems.update(literal)
            continue  # the need says it, or it only tells how it happened
        # Found through the concept alone: a listing that has the word only in a name ("Tina's
        # Kitchen") was not tagged with the concept, and must not match it.
        where = bool(taking) and concept not in drugs and all(stems[i] in SETTINGS for i in span)
        role = BESIDE if beside else OPTIONAL if narrowing or concept in nudging or where else REQUIRED
        # Beside a need, a concept's words that are also names rank nothing: "Tina Brown" is not tina.
        named = role == BESIDE and vocabulary.names and any(s in vocabulary.names.name_words for s in literal)
        clauses.append(Clause(concept=concept, corrected=any(i in alternatives for i in span), role=role,
                              rank_stems=[] if named else literal, taken=first in taking))
        highlight_stems.update(literal)
    for i, word in enumerate(words):
        if i in covered or not text.is_indexable(word) or word in NEGATORS:
            continue
        if narrowing and stems[i] in WHEN_STEMS:
            continue  # when it happened, beside a need, is not what to look for (when.py reads asked times)
        clause_stems = alternatives.get(i, [stems[i]])
        everyday = subject and _everyday(word, stems[i], vocabulary, catalogue)
        everyday = everyday or bool(taking) and stems[i] in TAKING | SETTINGS  # how and where ("smoking ice")
        # A word of a named concept's own phrases says more of it ("LARC fit": "coil fitting"): it ranks.
        everyday = everyday or any(stems[i] in vocabulary.stems_of.get(c, ()) for c, _, _ in concepts)
        role = (FILLER if stems[i] in layer.filler else OPTIONAL if narrowing or about or everyday
                else REQUIRED)
        clauses.append(Clause(stems=clause_stems, corrected=i in alternatives, role=role))
        if role != FILLER:
            highlight_stems.update(clause_stems)
    if not highlight_stems and not found:  # only filler ("support"): show where it is said
        highlight_stems = {s for c in clauses for s in c.stems}
    clauses = _dedupe(clauses)[:MAX_WORDS]
    return ParsedText(raw, clauses, corrections, surfaces, highlight_stems,
                      {c.concept for c in clauses if c.concept}, [need for need, _ in found],
                      {need.key: max(1, len(positions)) for need, positions in found}, unwanted=unwanted,
                      echoes={need.key for need, positions in found
                              if any(other is not need and positions <= others for other, others in found)},
                      age=ages.stated(raw))


def _denied(words: list[str], stems: list[str], said: set[int]) -> set[int]:
    """Return the positions of the words a denial reaches ("not [looking for rehab]"), leaving out
    denials that are part of a need ("not breathing", "no condom")."""
    denied: set[int] = set()
    for i, word in enumerate(words):
        if word not in NEGATORS or i in said:
            continue
        for j in range(i + 1, min(len(words), i + 1 + NEGATION_REACH)):
            if words[j] in ENDS_NEGATION:
                break
            if stems[j] in DOUBTS or words[j] in DOUBTS or words[j] in FEARS:
                break
            denied.add(j)
    return denied


def _is_denied(need: Need, positions: set[int], concepts, denied: set[int]) -> bool:
    """Whether every word that said a need was denied ("I'm not suicidal", "not gay but"). Where a
    need was said with a drug and what is done about it, denying the doing denies the need: "cut
    down on g, not stop" is not withdrawal."""
    spans = {i for c, first, last in concepts if c in need.concepts for i in range(first, last)}
    told = positions - spans or positions | spans
    return bool(told) and told <= denied


def _emergency_first(need: Need) -> bool:
    return bool(need.finds) and need.finds[0].parts[0][0] == "emergency-care"


def _is_sentence(words: list[str]) -> bool:
    return len(words) >= LONG_SENTENCE or len(words) >= SENTENCE_WORDS and any(w in PERSONS for w in words)


def _taken(words: list[str], stems: list[str], first: int, last: int) -> bool:
    """Whether a drug said at words[first:last] stands beside a word telling it is taken (see TAKING)."""
    before = [first - 1] + ([first - 2] if first >= 2 and words[first - 1] in TAKING_GAP else [])
    if first >= 1 and words[first - 1] in TAKING_BEFORE:
        return True
    return any(0 <= i < len(words) and stems[i] in TAKING for i in [*before, last])


def _how_taken_is_the_drug(concepts, words: list[str], stems: list[str], drugs) -> list:
    """Leave out a phrase that ends on the word telling how a drug is taken: "quit smoking weed" is not
    tobacco's "quit smoking"."""
    took = {i for c, first, last in concepts if c in drugs and _taken(words, stems, first, last)
            for i in (first - 1, first - 2)}
    return [(c, first, last) for c, first, last in concepts
            if c in drugs or not (last - 1 in took and stems[last - 1] in TAKING)]


def _as_written(typed: str) -> list[str]:
    spelt_out = TEXT_SPEAK.get(typed.lower())
    return text.cased_tokens(spelt_out) if spelt_out else [typed]


def _other_words(words, stems, concepts, layer) -> bool:
    """Whether any word outside the concepts carries meaning (is neither filler nor a stop word)."""
    covered = {i for _, first, last in concepts for i in range(first, last)}
    return any(i not in covered and text.is_indexable(w) and stems[i] not in layer.filler
               for i, w in enumerate(words))


def _everyday(word: str, s: str, vocabulary, catalogue) -> bool:
    """Whether a word is one of English's most used and none of the directory's own (the needs layer's
    words are everyday ones: where they said a need, they were read as it). A word only inside the
    vocabulary's longer phrases ("time" of "first time", "sleep" of "nowhere to sleep") is everyday alone."""
    return english.is_common(word) and (s,) not in vocabulary.phrases and s not in catalogue.stems


def _dedupe(clauses: list[Clause]) -> list[Clause]:
    seen, out = set(), []
    for clause in clauses:
        key = (clause.concept, tuple(clause.stems))
        if key not in seen:
            seen.add(key)
            out.append(clause)
    return out
