"""Person names from three sources, because each fails where another works.

* spaCy NER finds names in cased text (13/13 inflected) but none in lower-case ASR output (0/14,
  FINDINGS.md).
* The Voikko lexicon knows first names and surnames in any case: a first name followed by a surname or place
  name ("marja leinoselle", "pekka nieminen") is a person when at least one of the words can be nothing but
  a name.
* Cue phrases ("nimeni on", "täällä soittaa", "soittelen … asiasta") announce a name even when the ASR
  mangled it beyond any dictionary: after a cue, words the lexicon does not know, or knows only as proper
  nouns, are the name.
* When the cue itself is garbled away ("Tymäpäinmätä läsojta pekkäniä minen." for "hyvää päivää täällä
  soittaa Pekka Nieminen"), what is left is the shape of an introduction: a short sentence of greeting,
  introduction or garbled words, ending in two words no dictionary knows, one of them a name with an ASR
  slip ("pekkäniä" ~ Pekka). Ordinary words are known to Voikko, so such a pair is defensible as a name; in
  the 144 call transcripts no such pair occurs.

And a lone name with no cue before "kiitos, hei" at the end of a call is dropped: a first name alone is
weak evidence there, and it is what Whisper makes of "Selvä, kiitos, hei" ("Selma, kiitos hei").
"""

from __future__ import annotations

from itertools import pairwise

from redaction.numbers import classify_word
from redaction.recognizers.base import AnalysisContext, Recognizer
from redaction.recognizers.cues import FILLERS, CueMatch
from redaction.spoken import Token, fold, similarity
from redaction.types import Explanation, Span

PROPER = frozenset({"etunimi", "sukunimi", "paikannimi", "nimi"})
PERSONAL = frozenset({"etunimi", "sukunimi"})
# Words that are names in Voikko but, in a Finnish telco contact centre, almost always mean something else:
# operator brands ("Elisan liittymä") and greetings.
NOT_NAMES = frozenset({"elisa", "elisan", "elisalle", "elisalta", "elisaan", "elisalla", "telia", "telian",
                       "dna", "dnan", "moi", "moikka", "hei", "terve"})
# Colloquial function words Voikko does not know; after a name cue they must not pass for unknown names.
COLLOQUIAL = frozenset({
    "mun", "sun", "mä", "sä", "mää", "sää", "tää", "toi", "noi", "nää", "sit", "sitte", "niinku", "niiku",
    "mut", "ku", "et", "oon", "oot", "mulle", "sulle", "multa", "sulta", "mulla", "sulla", "meiän", "teiän",
    "tos", "tossa", "tost", "vaa", "kans", "semmonen", "tommonen", "joo", "juu", "okei", "ok", "nii", "öö",
    "ää", "hmm", "niin", "no", "eli", "siis", "tota", "toota", "voisko", "voiks", "saisko", "ois", "olis",
    "pitäis", "pitäs",
})
# Nouns in the nominative that follow a first name in speech without being a surname: "kiitos Pekka"
# is thanks, "Jenni puhelimessa" is someone on the phone (and not nominative anyway).
NOT_SURNAMES = frozenset({"kiitos", "kiitoksia", "asiakas", "asia", "hei", "moi", "terve", "täällä", "tässä",
                          "puhelin", "numero", "lasku", "liittymä", "netti", "sopimus", "tilaus", "vika",
                          "vaan", "vai", "mutta", "sekä", "myös", "sitten"})
SURNAME_CASES = frozenset({"nimento", "omanto"})
SURNAME_CASES_AFTER_NAME = SURNAME_CASES | {"osanto", "ulkotulento", "ulkoeronto"}
SURNAME_ENDINGS = ("nen", "sen", "selle", "selta", "sella", "sesta", "seen", "sena")  # folded
# Cues that follow the name they announce ("sopimus on Mikko Laaksosen nimissä"), folded.
POSTPOSED_CUES = frozenset({"nimissa", "nimiin", "nimeen", "perhe", "perheen", "perheella", "perheelle",
                            "perheelta", "perheessa"})
SURNAME_WORD_CLASSES = frozenset({"nimisana", "laatusana", "nimisana_laatusana"})
PLACE_CASES = frozenset({"sisaolento", "sisaeronto", "sisatulento", "ulkoolento", "ulkoeronto", "ulkotulento"})
COMPANY_FORMS = frozenset({"oy", "oyj", "ab", "abp", "ky", "tmi", "ry", "ay", "osk", "as", "ltd", "inc",
                           "gmbh", "kommandiittiyhtiö", "osakeyhtiö"})
# A strong cue makes even an unknown lower-case word a name; a weak one ("olen", "soitan") needs a word that
# could be a name in the lexicon ("olen tyytymätön" and "olen Salosta" are not introductions).
STRONG_CUE_FORMS = frozenset({"nimenion", "nimion", "nimi", "nimeni", "taallasoittaa", "taallaon",
                              "taallapuhuu", "tilaajaon", "tilaaja", "nimella", "nimelle", "nimissa",
                              "liittymanomistaja", "omistajaon", "yhteyshenkilo", "yhteyshenkilona",
                              "herra", "rouva", "neiti", "etunimi", "etunimeni", "etunimion", "sukunimi",
                              "sukunimeni", "sukunimion", "etunimensa", "sukunimensa"})
# Greetings and introduction words that open a caller's introduction ("hyvää päivää, täällä soittaa …").
INTRO_WORDS = frozenset({"hei", "moi", "moikka", "terve", "päivää", "päivä", "huomenta", "iltaa", "hyvää",
                         "hyvä", "täällä", "tässä", "soittaa", "soittelee", "puhuu", "olen", "oon", "nimeni",
                         "nimi"})
MAX_INTRO_WORDS = 4  # "hyvää päivää täällä soittaa": an introduction before the name is short
MAX_GARBLED_WORDS = 4  # a garbled name the ASR cut into pieces: "pekkä nia minen"
INTRO_FUZZY = ("päivää", "huomenta", "soittaa", "soittelee", "täällä", "nimeni")  # long enough to match fuzzily
# What a call ends with; a lone name followed by nothing else is "Selvä" misheard, not the caller's name.
CLOSING_WORDS = frozenset({"kiitos", "kiitti", "kiitoksia", "paljon", "hei", "heippa", "heido", "moi",
                           "moikka", "näkemiin", "kuulemiin", "ja"})
SENTENCE_END = frozenset(".!?\n")
NAME_SIMILARITY = 0.75  # a garbled word this close to a dictionary first name/surname is that name
SUGGESTIONS = 5  # the lexicon's best spelling suggestions looked at for a misspelt name
SCORE_NER = 0.85
SCORE_CUE = 0.85
SCORE_PAIR = 0.8
SCORE_SINGLE = 0.7
SCORE_GARBLED = 0.6
SCORE_LONE_SURNAME = 0.55
LONE_SURNAME_LEN = 7
MIN_FUSED_PART = 4  # each name of a fused "Johannakuisma"
MIN_LEN = 3


class PersonRecognizer(Recognizer):
    name = "person"
    entities = ("PERSON",)

    def analyze(self, ctx: AnalysisContext) -> list[Span]:
        spans = []
        for start, end, label in ctx.entities():
            trimmed = self._trim_ner(ctx, start, end) if label == "PERSON" else None
            if trimmed is not None:
                spans.append(Span("PERSON", *trimmed, SCORE_NER, self.name,
                                  Explanation(self.name, "spaCy NER PERSON", SCORE_NER)))
        if ctx.lexicon is not None:
            spans += self._lexicon_names(ctx)
        spans = [s for s in spans if not _lone_name_at_goodbye(ctx, s) and not _company_after(ctx, s)]
        if ctx.lexicon is not None:
            spans += self._garbled_names(ctx) + self._surname_shaped_pairs(ctx) + self._fused_names(ctx)
        for cue in ctx.cues:
            if cue.cue.kind == "person":
                span = self._after_cue(ctx, cue) if fold(ctx.text[cue.start:cue.end]) not in POSTPOSED_CUES \
                    else self._before_cue(ctx, cue)
                if span is not None:
                    spans.append(span)
        return spans

    def _before_cue(self, ctx: AnalysisContext, cue: CueMatch) -> Span | None:
        """The name before "nimissä"/"nimiin" ("liittymä on johan laineen nimissä"): up to three words that
        are names, name-like or unknown, right before the cue."""
        toks = ctx.tokens
        names: list[Token] = []
        i = cue.first - 1
        while i >= 0 and len(names) < 3 and ctx.text[toks[i].end:toks[i + 1].start].strip(" -") == "":
            tok = toks[i]
            classes = self._classes(ctx, tok)
            if not (classes & PROPER or self._name_part(ctx, tok)) or tok.lower in FILLERS:
                break
            names.insert(0, tok)
            i -= 1
        if not names:
            return None
        return Span("PERSON", names[0].start, names[-1].end, SCORE_CUE, self.name, Explanation(
            self.name, "name before a cue", SCORE_CUE, context_cue=cue.cue.canonical))

    # ------------------------------------------------------------------------------------------ lexicon

    def _classes(self, ctx: AnalysisContext, tok: Token) -> frozenset[str]:
        if tok.lower in NOT_NAMES or tok.lower in COLLOQUIAL or not tok.text.isalpha():
            return frozenset({"nimisana"})
        classes = ctx.word_classes(tok.text)
        return classes if classes is not None else frozenset()

    def _lexicon_names(self, ctx: AnalysisContext) -> list[Span]:
        toks, spans, i = ctx.tokens, [], 0
        while i < len(toks):
            group = self._name_group(ctx, i)
            if not group:
                i += 1
                continue
            classes = [self._classes(ctx, t) for t in group]
            second_first = "etunimi" in classes[1] if len(group) >= 2 else False
            if len(group) >= 3 and ctx.text[group[1].end:group[2].start] == "-":
                second_first = False  # "lilja heino-pasanen": the second word starts the surname
            if second_first and not classes[0] <= PROPER:
                i += 1  # "päivää Pekka …": an ordinary word that is also a name, before a real first name
                continue
            only_proper = any(c and c <= PROPER and c & PERSONAL for c in classes) or (
                len(group) >= 2 and "etunimi" in classes[0] and self._surname_part(ctx, group))
            capitalised = all(t.text[:1].isupper() for t in group) and group[0].index > 0
            if len(group) >= 2 and (only_proper or capitalised):
                score, pattern = SCORE_PAIR, "first name + surname (lexicon)"
            elif len(group) == 1 and only_proper and _person_word(ctx, group[0]):
                score, pattern = SCORE_SINGLE, "name-only word (lexicon)"
            else:
                i += 1
                continue
            spans.append(Span("PERSON", group[0].start, group[-1].end, score, self.name,
                              Explanation(self.name, pattern, score)))
            i = group[-1].index + 1
        return spans

    def _name_group(self, ctx: AnalysisContext, i: int) -> list[Token]:
        """First name(s) and an optional surname starting at token ``i``; or a lone surname."""
        toks = ctx.tokens
        if len(toks[i].text) < MIN_LEN:
            return []
        classes = self._classes(ctx, toks[i])
        if "etunimi" not in classes:
            return [toks[i]] if "sukunimi" in classes else []
        group = [toks[i]]
        # "Jenni" can be nothing but a name; "Anna" is also a verb, "Lilja" a flower: after those the
        # surname needs more evidence than being a noun.
        unambiguous = classes <= PROPER
        j = i + 1
        while j < len(toks) and len(group) < 3 and ctx.text[toks[j - 1].end:toks[j].start] == " ":
            surname_end = self._surname_end(ctx, j, unambiguous)
            nxt = self._classes(ctx, toks[j])
            hyphenated = surname_end is not None and surname_end > j
            if "etunimi" in nxt and "sukunimi" not in nxt and len(group) < 2 and not hyphenated:
                group.append(toks[j])  # a second first name ("Anna Maria …")
            elif surname_end is not None:
                group.extend(toks[j:surname_end + 1])  # the surname ends the name
                break
            else:
                break
            j += 1
        return group

    def _surname_end(self, ctx: AnalysisContext, j: int, unambiguous: bool) -> int | None:
        """Index of the last token of a surname starting at token ``j`` right after a first name, or None.

        A hyphenated surname ("karhu-jaakkola", "Heino-Pasanen") is one surname when one part is a name
        or unknown. A single word is a surname when the lexicon says so, when no dictionary knows it
        ("salomäki" as the ASR spells it), or — after an unambiguous first name — when it reads as a noun in
        the nominative or genitive (Finnish surnames are often ordinary words: Laine, Karhu, Salomaa).
        """
        toks = ctx.tokens
        parts = [toks[j]]
        while parts[-1].index + 1 < len(toks) and len(parts) < 3 and ctx.text[
                parts[-1].end:toks[parts[-1].index + 1].start] == "-":
            parts.append(toks[parts[-1].index + 1])
        if len(parts) > 1:
            if all(t.text.isalpha() for t in parts) and any(self._name_part(ctx, t) for t in parts):
                return parts[-1].index
            return None
        tok = toks[j]
        if not tok.text.isalpha() or len(tok.text) < MIN_LEN or tok.lower in NOT_SURNAMES:
            return None
        classes = self._classes(ctx, tok)
        if classes & {"sukunimi", "etunimi"} or (classes and classes <= PROPER) or self._name_part(ctx, tok):
            return j
        if self._surname_reading(ctx, tok):
            return j  # "marjo salmi": a place name in the nominative after a first name
        # Full names inflect on the surname: "Ritva Salmelle", "Petteri Haveriselta" (to, from Salmi,
        # Haverinen). Locative cases stay out: "Jenni töissä", "Pekka lomalla" are people somewhere.
        if unambiguous and classes & SURNAME_WORD_CLASSES and ctx.word_cases(tok.text) & SURNAME_CASES_AFTER_NAME:
            return j
        return None

    def _surname_part(self, ctx: AnalysisContext, group: list[Token]) -> bool:
        """After a first name, words that read as a surname: a surname (or place name, as the lexicon
        files many surnames) in the nominative or genitive, or a hyphenated pair ("kuronen-saarinen")."""
        rest = group[1:]
        hyphenated = any(ctx.text[a.end:b.start] == "-" for a, b in pairwise(group))
        return (hyphenated and any(self._name_part(ctx, t) for t in rest)) or self._surname_reading(ctx, rest[-1])

    def _given_name_before_surname(self, ctx: AnalysisContext, words: list[Token]) -> bool:
        """A capitalised word inside a sentence, right before a surname, is a first name the lexicon lacks
        ("Vahvistan: Armas Ojala": armas = dear)."""
        first = words[0]
        return (len(words) >= 2 and first.text[:1].isupper() and _sentence_start(ctx, first) != first.index
                and self._surname_reading(ctx, words[1]))

    def _surname_reading(self, ctx: AnalysisContext, tok: Token) -> bool:
        """A surname reading that can stand after a first name: "mäkinen" (also hilly), or a name the
        lexicon files as a place ("niemisen") but not in a place case ("tampereella")."""
        readings = ctx.lexicon.readings(tok.text) if ctx.lexicon is not None else frozenset()
        return any(cls == "sukunimi" or (cls == "paikannimi" and case in SURNAME_CASES)
                   for cls, case in readings)

    def _name_part(self, ctx: AnalysisContext, tok: Token) -> bool:
        """A name by the lexicon, or a word no dictionary knows and that reads as no number."""
        classes = self._classes(ctx, tok)
        if classes & PERSONAL:
            return True
        return (not classes and len(tok.text) >= MIN_LEN and tok.text.isalpha()
                and classify_word(tok.text) is None)

    def _trim_ner(self, ctx: AnalysisContext, start: int, end: int) -> tuple[int, int] | None:
        """Drop ordinary words at the edges of an NER person ("päivää Pekka Nieminen"); None if nothing is
        left.

        NER on ASR text takes sentence-initial capitals and greetings for names; the lexicon knows better.
        """
        words = [t for t in ctx.tokens if t.start >= start and t.end <= end]
        if any(t.lower in COMPANY_FORMS for t in words[1:]):
            return None  # "Karvinen Ky": NER took the company form into the name
        if ctx.lexicon is None or not words:
            return start, end

        def ordinary(tok: Token) -> bool:
            classes = self._classes(ctx, tok)
            return (bool(classes) and not classes & PROPER) or _numeral(tok)

        while words and ordinary(words[0]) and not self._given_name_before_surname(ctx, words):
            words.pop(0)
        while words and ordinary(words[-1]):
            words.pop()
        if len(words) == 1 and not _person_word(ctx, words[0]):
            return None
        return (words[0].start, words[-1].end) if words else None

    # ------------------------------------------------------------------------------------------ garbled

    def _garbled_names(self, ctx: AnalysisContext) -> list[Span]:
        """Non-dictionary words ending an introduction, one of them close to a known name.

        The ASR cuts a garbled name into pieces ("pekkä nia minen" for Pekka Nieminen): the name is the
        last two to four words of the sentence, at least two of them name-shaped and the others short
        fragments no dictionary knows.
        """
        spans = []
        for b in ctx.tokens:
            if not _ends_sentence(ctx, b):
                continue
            group = self._trailing_name_group(ctx, b)
            # The shortest tail that holds two name-shaped words and follows an introduction.
            for k in range(len(group) - 1, -1, -1):
                tail = group[k:]
                shaped = [t for t in tail if self._name_shaped(ctx, t)]
                if len(shaped) < 2 or not self._name_shaped(ctx, tail[0]):
                    continue
                unknown = any(not self._classes(ctx, t) for t in shaped)
                evidence = any(self._classes(ctx, t) & PERSONAL or _fuzzy_name(ctx, t) or _surname_shaped(ctx, t)
                               for t in shaped)
                if unknown and evidence and _in_introduction(ctx, tail[0]):
                    spans.append(Span("PERSON", tail[0].start, b.end, SCORE_GARBLED, self.name, Explanation(
                        self.name, "unknown words ending an introduction, close to a known name",
                        SCORE_GARBLED)))
                    break
        return spans

    def _surname_shaped_pairs(self, ctx: AnalysisContext) -> list[Span]:
        """A word no dictionary knows with a Finnish surname's ending (-nen, -sen, -selle …) right after
        another unknown or name word: "tiin haklainen", "ma vibitanen". Real words ending so are adjectives
        the lexicon knows ("ensimmäinen"); an unknown one is most likely a surname the ASR bent."""
        spans = []
        for a, b in pairwise(ctx.tokens):
            if ctx.text[a.end:b.start].strip(" ,") or not _surname_shaped(ctx, b, min_len=5):
                continue
            if self._name_shaped(ctx, a) or _fragment(ctx, a):
                spans.append(Span("PERSON", a.start, b.end, SCORE_GARBLED, self.name, Explanation(
                    self.name, "unknown word with a surname ending after a name-shaped word", SCORE_GARBLED)))
        # Alone, one the lexicon can spell into a known name ("… on ne saamolainen" -> Savolainen) is a
        # surname; a fusion of words ("Laskuolinen" = lasku oli neljä…) spells into none.
        spans += [Span("PERSON", t.start, t.end, SCORE_LONE_SURNAME, self.name, Explanation(
            self.name, "unknown word with a surname ending", SCORE_LONE_SURNAME))
            for t in ctx.tokens if _surname_shaped(ctx, t, min_len=LONE_SURNAME_LEN) and _fuzzy_name(ctx, t)]
        return spans

    def _fused_names(self, ctx: AnalysisContext) -> list[Span]:
        """A word no dictionary knows that is a first name run into a name ("Johannakuisma",
        "pekkavirtanen"): the ASR wrote a caller's two names as one word. A compound of a name and a word
        ("Tuulikaappi") has no name after the cut."""
        spans = []
        for t in ctx.tokens:
            if len(t.text) < 2 * MIN_FUSED_PART or not t.text.isalpha() or ctx.word_classes(t.text) != frozenset():
                continue
            for cut in range(MIN_FUSED_PART, len(t.text) - MIN_FUSED_PART + 1):
                first, rest = t.text[:cut].capitalize(), t.text[cut:].capitalize()
                if "etunimi" in (ctx.word_classes(first) or ()) and _personal_name(ctx, rest):
                    spans.append(Span("PERSON", t.start, t.end, SCORE_GARBLED, self.name, Explanation(
                        self.name, "a first name and a name written as one word", SCORE_GARBLED)))
                    break
        return spans

    def _trailing_name_group(self, ctx: AnalysisContext, last: Token) -> list[Token]:
        """Up to four words before and including ``last``, each name-shaped or a short unknown fragment,
        starting and ending on a name-shaped one."""
        group: list[Token] = []
        tok = last
        while len(group) < MAX_GARBLED_WORDS:
            if not (self._name_shaped(ctx, tok) or _fragment(ctx, tok)):
                break
            group.insert(0, tok)
            if tok.index == 0 or ctx.text[ctx.tokens[tok.index - 1].end:tok.start] != " ":
                break
            tok = ctx.tokens[tok.index - 1]
        while group and not self._name_shaped(ctx, group[0]):
            group.pop(0)
        return group if group and self._name_shaped(ctx, group[-1]) else []

    def _name_shaped(self, ctx: AnalysisContext, tok: Token) -> bool:
        """Unknown to the lexicon, or known only as a person's name; no number word, no colloquial word."""
        if len(tok.text) < MIN_LEN or not tok.text.isalpha() or classify_word(tok.text) is not None:
            return False
        classes = self._classes(ctx, tok)
        return not classes or (classes <= PROPER and bool(classes & PERSONAL))

    # ------------------------------------------------------------------------------------------ cues

    def _after_cue(self, ctx: AnalysisContext, cue: CueMatch) -> Span | None:
        toks = ctx.tokens
        # A garbled cue ("päällä soitta") was long enough to be a strong one: only long cues match fuzzily.
        cue_words = fold("".join(t.text for t in toks[cue.first:cue.last + 1]))
        strong = cue_words in STRONG_CUE_FORMS or cue.score < 1.0
        i = cue.last + 1
        while i < len(toks) and toks[i].lower in FILLERS and toks[i].lower not in ("ja", "se"):
            i += 1
        cue_starts = {c.first for c in ctx.cues}
        names: list[Token] = []
        while i < len(toks) and len(names) < 4 and toks[i].index not in cue_starts:
            tok = toks[i]
            if names and ctx.text[names[-1].end:tok.start].strip(" ") not in ("", ",", "-"):
                break
            # A capitalised word right after a first name is its surname even when it is also a common
            # word ("Antti Rinteen": rinne = slope).
            first = bool(names) and "etunimi" in self._classes(ctx, names[-1])
            after_first = first and (tok.text[:1].isupper() or self._surname_end(ctx, i, True) is not None)
            if not (after_first or self._name_like(ctx, tok, strong=strong or bool(names))):
                # "nimi on armas lehtola": a first name the lexicon lacks, before a surname it knows
                nxt = toks[i + 1] if i + 1 < len(toks) else None
                if not (strong and not names and nxt is not None and tok.text.isalpha()
                        and ctx.text[tok.end:nxt.start] == " " and self._surname_reading(ctx, nxt)):
                    break
            names.append(tok)
            if ctx.text[tok.end:tok.end + 1] == "-":
                i += 1
                continue  # a hyphenated name goes on ("karhu-jaakkola", "Marja-Leena")
            if len(names) == 2 and not all("etunimi" in self._classes(ctx, t) for t in names):
                break  # first name + surname: a third word is something else ("Tiina Laine Salosta")
            i += 1
        if not names:
            return None
        return Span("PERSON", names[0].start, names[-1].end, SCORE_CUE, self.name, Explanation(
            self.name, "name after a cue", SCORE_CUE, context_cue=cue.cue.canonical))

    def _name_like(self, ctx: AnalysisContext, tok: Token, *, strong: bool) -> bool:
        if len(tok.text) < MIN_LEN or not tok.text.isalpha() or _numeral(tok):
            return False
        if ctx.lexicon is None:
            return tok.text[:1].isupper()
        classes = self._classes(ctx, tok)
        if not classes:
            return strong or tok.text[:1].isupper()
        if strong:
            return bool(classes & PROPER)
        return bool(classes & PERSONAL)


def _person_word(ctx: AnalysisContext, tok: Token) -> bool:
    """Whether a lone word NER took for a person may be one: the lexicon knows it as a first name or
    surname, and not in a place case ("Kokkolassa" is a town's inessive). Capitalised common nouns
    ("Maanmittauslaitoksen", "Verohallinnolta") and unknown words ("Traficomin", a router "Inteno") standing
    alone are institutions, brands and sentence starts far more often than surnames; a lone surname after a
    cue ("herra Koski") is found by the cue rule."""
    readings = ctx.lexicon.readings(tok.text) if ctx.lexicon is not None else frozenset()
    place = any(cls == "paikannimi" and case in PLACE_CASES for cls, case in readings)
    return not place and any(cls in PERSONAL for cls, _case in readings)


def _numeral(tok: Token) -> bool:
    reading = classify_word(tok.text)
    return reading is not None and reading.kind in ("digit", "number") and reading.certainty != "guess"


def _company_after(ctx: AnalysisContext, span: Span) -> bool:
    """A name followed by a company form ("Kallio Virtanen As Oy", "Meriläinen Tmi") names a company."""
    following = [t for t in ctx.tokens if t.start >= span.end][:3]
    for tok in following:  # "Konttinen Pakarinen Oy": the company form may come after more names
        if tok.lower in COMPANY_FORMS:
            return True
        if not (tok.text[:1].isupper() or (ctx.word_classes(tok.text) or frozenset()) & PERSONAL):
            return False
    return False


def _surname_shaped(ctx: AnalysisContext, tok: Token, min_len: int = 6) -> bool:
    """Unknown to the lexicon and ending like a Finnish surname ("vibitanen", "haklainen", "korhoselle")."""
    return (len(tok.text) >= min_len and tok.text.isalpha() and fold(tok.text).endswith(SURNAME_ENDINGS)
            and not ctx.word_classes(tok.text) and _not_a_number(tok.text))


def _not_a_number(word: str) -> bool:
    """No number reading, or only a guess ("heikisen" ~ yhdeksän is a bent Heikkisen, not a nine)."""
    reading = classify_word(word)
    return reading is None or reading.certainty == "guess"


def _fragment(ctx: AnalysisContext, tok: Token) -> bool:
    """A two- or three-letter piece no dictionary knows and that reads as no number ("nia")."""
    return (2 <= len(tok.text) <= 3 and tok.text.isalpha() and not ctx.word_classes(tok.text)
            and classify_word(tok.text) is None)


def _fuzzy_name(ctx: AnalysisContext, tok: Token) -> bool:
    """True when the word is a first name or surname with an ASR slip: a prefix of it with umlauts kept or
    dropped ("pekkäniä" -> "Pekka"), or a lexicon suggestion for it ("korhose" -> "Korhosen"), close enough
    to the whole word. Suggestions only for words of five letters or more: short ones resolve to anything."""
    word = tok.lower
    for form in dict.fromkeys((word, fold(word))):
        for n in range(len(form), 3, -1):
            prefix = form[:n]
            if similarity(word, prefix) < NAME_SIMILARITY:
                break  # shorter prefixes are only less similar
            if _personal_name(ctx, prefix.capitalize()):
                return True
    if len(word) < 5:
        return False
    return any(similarity(word, s) >= NAME_SIMILARITY and _personal_name(ctx, s)
               for s in ctx.suggestions(word)[:SUGGESTIONS])


def _personal_name(ctx: AnalysisContext, word: str) -> bool:
    return bool((ctx.word_classes(word) or frozenset()) & PERSONAL)


def _sentence_start(ctx: AnalysisContext, tok: Token) -> int:
    """Index of the first token of ``tok``'s sentence."""
    i = tok.index
    while i > 0 and not any(c in SENTENCE_END for c in ctx.text[ctx.tokens[i - 1].end:ctx.tokens[i].start]):
        i -= 1
    return i


def _ends_sentence(ctx: AnalysisContext, tok: Token) -> bool:
    nxt = ctx.tokens[tok.index + 1] if tok.index + 1 < len(ctx.tokens) else None
    return nxt is None or any(c in SENTENCE_END for c in ctx.text[tok.end:nxt.start])


def _in_introduction(ctx: AnalysisContext, tok: Token) -> bool:
    """The words of the sentence before ``tok`` read as an introduction: one to four of them, each a
    greeting/introduction word, a filler, or a word no dictionary knows (a garbled greeting: "Tymäpäinmätä
    läsojta"), and not fillers only. "Alueella ronka pelimika." (alueella on kaapelivika) is no
    introduction."""
    before = ctx.tokens[_sentence_start(ctx, tok):tok.index]
    if not 1 <= len(before) <= MAX_INTRO_WORDS:
        return False
    # Words of three letters or fewer say little either way: the ASR cuts garbles into such pieces, and
    # some of them happen to be words ("Tymäpäin mä pää läsojta" for "hyvää päivää täällä soittaa").
    telling = [t for t in before if len(t.text) > 3]
    intro = [_intro_word(t) or not ctx.word_classes(t.text) for t in telling]
    return any(intro) and all(i or t.lower in FILLERS or t.lower in COLLOQUIAL for i, t in zip(
        intro, telling, strict=True))


def _intro_word(tok: Token) -> bool:
    return tok.lower in INTRO_WORDS or (len(tok.text) >= 6 and any(
        similarity(tok.text, w) >= NAME_SIMILARITY for w in INTRO_FUZZY))


def _lone_name_at_goodbye(ctx: AnalysisContext, span: Span) -> bool:
    """A one-word name opening a sentence of nothing but closing words to the end of the text."""
    words = [t for t in ctx.tokens if t.start >= span.start and t.end <= span.end]
    if len(words) != 1 or _sentence_start(ctx, words[0]) != words[0].index:
        return False
    rest = ctx.tokens[words[0].index + 1:]
    return bool(rest) and all(t.lower in CLOSING_WORDS for t in rest)
