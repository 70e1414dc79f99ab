"""Person names from three sources, because each fails where another works.

* spaCy NER finds names in cased text (13/13 inflected) but none in lower-case ASR output (0/14,
  FINDINGS.md).
* The Voikko lexicon knows first names and surnames in any case: a first name followed by a surname or place
  name ("marja leinoselle", "pekka nieminen") is a person when at least one of the words can be nothing but
  a name.
* Cue phrases ("nimeni on", "täällä soittaa", "soittelen … asiasta") announce a name even when the ASR
  mangled it beyond any dictionary: after a cue, words the lexicon does not know, or knows only as proper
  nouns, are the name.
"""

from __future__ import annotations

from redaction.recognizers.base import AnalysisContext, Recognizer
from redaction.recognizers.cues import FILLERS, CueMatch
from redaction.spoken import Token, fold
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
    "ää", "hmm", "niin", "no", "eli", "siis", "tota", "toota",
})
# A strong cue makes even an unknown lower-case word a name; a weak one ("olen", "soitan") needs a word that
# could be a name in the lexicon ("olen tyytymätön" and "olen Salosta" are not introductions).
STRONG_CUE_FORMS = frozenset({"nimenion", "nimion", "nimi", "nimeni", "taallasoittaa", "taallaon",
                              "taallapuhuu", "tilaajaon", "tilaaja", "nimella", "nimelle", "nimissa",
                              "liittymanomistaja", "omistajaon", "yhteyshenkilo", "yhteyshenkilona"})
SCORE_NER = 0.85
SCORE_CUE = 0.85
SCORE_PAIR = 0.8
SCORE_SINGLE = 0.7
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
        for cue in ctx.cues:
            if cue.cue.kind == "person":
                span = self._after_cue(ctx, cue)
                if span is not None:
                    spans.append(span)
        return spans

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
            if len(group) >= 2 and not classes[0] <= PROPER and "etunimi" in classes[1]:
                i += 1  # "päivää Pekka …": an ordinary word that is also a name, before a real first name
                continue
            only_proper = any(c and c <= PROPER and c & PERSONAL for c in classes)
            capitalised = all(t.text[:1].isupper() for t in group) and group[0].index > 0
            if len(group) >= 2 and (only_proper or capitalised):
                score, pattern = SCORE_PAIR, "first name + surname (lexicon)"
            elif len(group) == 1 and only_proper:
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
        j = i + 1
        while j < len(toks) and len(group) < 3 and ctx.text[toks[j - 1].end:toks[j].start] == " ":
            nxt = self._classes(ctx, toks[j])
            if "etunimi" in nxt and len(group) < 2 and "sukunimi" not in nxt:
                group.append(toks[j])  # a second first name ("Anna Maria …")
            elif nxt & {"sukunimi", "etunimi"} or (nxt and nxt <= PROPER):
                group.append(toks[j])  # the surname ends the name ("Nieminen" is only a place name in Voikko)
                break
            else:
                break
            j += 1
        return group

    def _trim_ner(self, ctx: AnalysisContext, start: int, end: int) -> tuple[int, int] | None:
        """Drop ordinary words at the edges of an NER person ("päivää Pekka Nieminen"); None if nothing is
        left.

        NER on ASR text takes sentence-initial capitals and greetings for names; the lexicon knows better.
        """
        words = [t for t in ctx.tokens if t.start >= start and t.end <= end]
        if ctx.lexicon is None or not words:
            return start, end

        def ordinary(tok: Token) -> bool:
            classes = self._classes(ctx, tok)
            return bool(classes) and not classes & PROPER

        while words and ordinary(words[0]):
            words.pop(0)
        while words and ordinary(words[-1]):
            words.pop()
        return (words[0].start, words[-1].end) if words else None

    # ------------------------------------------------------------------------------------------ cues

    def _after_cue(self, ctx: AnalysisContext, cue: CueMatch) -> Span | None:
        toks = ctx.tokens
        # A garbled cue ("päällä soitta") was long enough to be a strong one: only long cues match fuzzily.
        cue_words = fold("".join(t.text for t in toks[cue.first:cue.last + 1]))
        strong = cue_words in STRONG_CUE_FORMS or cue.score < 1.0
        i = cue.last + 1
        while i < len(toks) and toks[i].lower in FILLERS and toks[i].lower not in ("ja", "se"):
            i += 1
        names: list[Token] = []
        while i < len(toks) and len(names) < 3:
            tok = toks[i]
            if names and ctx.text[names[-1].end:tok.start].strip(" ") not in ("", ","):
                break
            # A capitalised word right after a first name is its surname even when it is also a common
            # word ("Antti Rinteen": rinne = slope).
            after_first = bool(names) and tok.text[:1].isupper() and "etunimi" in self._classes(
                ctx, names[-1])
            if not (after_first or self._name_like(ctx, tok, strong=strong or bool(names))):
                break
            names.append(tok)
            if len(names) == 2 and not all("etunimi" in self._classes(ctx, t) for t in names):
                break  # first name + surname: a third word is something else ("Tiina Laine Salosta")
            i += 1
        if not names:
            return None
        return Span("PERSON", names[0].start, names[-1].end, SCORE_CUE, self.name, Explanation(
            self.name, "name after a cue", SCORE_CUE, context_cue=cue.cue.canonical))

    def _name_like(self, ctx: AnalysisContext, tok: Token, *, strong: bool) -> bool:
        if len(tok.text) < MIN_LEN or not tok.text.isalpha():
            return False
        if ctx.lexicon is None:
            return tok.text[:1].isupper()
        classes = self._classes(ctx, tok)
        if not classes:
            return strong or tok.text[:1].isupper()
        if strong:
            return bool(classes & PROPER)
        return bool(classes & PERSONAL)
