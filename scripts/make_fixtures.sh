#!/usr/bin/env bash
# Regenerates the committed audio fixtures in tests/data/ from the dialogue written below.
#
# Why synthetic speech: real call recordings are personal data and cannot live in a repository. espeak-ng's
# Finnish voice is intelligible enough for Whisper base (CER ~12% at 16 kHz) and fully reproducible, so the
# tests can name the exact words and identifiers that must disappear. Every identifier here is fictitious
# (the henkilötunnus values are test numbers that pass the checksum; the people and streets are made up).
#
# Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox) and the project's .venv (PyAV writes the
# mp3/m4a/opus variants, the broken-input corpus and fixtures.json). Output is byte-for-byte repeatable:
# dither off, Ogg serial numbers fixed, no encoder version strings.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
OUT=tests/data
for tool in espeak-ng sox bc; do
  command -v "$tool" >/dev/null || { echo "make_fixtures: $tool is not installed" >&2; exit 1; }
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT" "$OUT/bad"

# speak TEXT OUT.wav [EFFECTS...]: Finnish at 145 wpm, resampled to 16 kHz mono 16-bit, -1 dB like the dev clips.
speak() {
  local text=$1 out=$2; shift 2
  espeak-ng -v fi -s 145 -w "$TMP/raw.wav" "$text"
  sox -D "$TMP/raw.wav" -r 16000 -c 1 -b 16 "$out" gain -1 "$@"
}
# espeak-ng pads ~0.2 s of silence at both ends; a call turn should start and end where the voice does
TRIM=(silence 1 0.02 0.3% reverse silence 1 0.02 0.3% reverse)

# --- single-identifier clips: id | identifier type | gold value | spoken text ---------------------------
CLIPS=(
  "hetu|HETU|150376-456D|hetu on yksi viisi nolla kolme seitsemän kuusi viiva neljä viisi kuusi dee"
  "phone|PHONE|0507654321|numeroni on nolla viisi nolla, seitsemän kuusi viisi, neljä kolme kaksi yksi"
  "name|PERSON|Liisa Korhonen|asiakkaan nimi on Liisa Korhonen ja hän soittaa laskusta"
  "clean|NONE|-|laajakaistayhteys katkeilee iltaisin, ja reititin pitää käynnistää uudelleen"
)
: >"$TMP/clips.tsv"
for row in "${CLIPS[@]}"; do
  IFS='|' read -r id typ gold text <<<"$row"
  speak "$text" "$OUT/$id.wav"
  printf '%s\t%s\t%s\t%s\n' "$id" "$typ" "$gold" "$text" >>"$TMP/clips.tsv"
done

# --- the same clean clip in other containers/codecs (sox writes these; PyAV adds mp3/m4a/opus) ----------
sox -D "$OUT/clean.wav" -r 8000 -e u-law "$OUT/clean_mulaw8k.wav"
sox -D "$OUT/clean.wav" -r 8000 -e a-law "$OUT/clean_alaw8k.wav"
sox -D "$OUT/clean.wav" -r 8000 -t ul "$OUT/clean_8k.ul"        # raw headerless G.711 μ-law, as PBXs store it
sox -D "$OUT/clean.wav" "$OUT/clean.flac"
sox -R -D "$OUT/clean.wav" -C 3 "$OUT/clean.ogg"   # -R: repeatable Ogg serial number

# --- call_stereo.wav: agent on channel 0 (A), customer on channel 1 (C), turns alternate in time ----------
# speaker | spoken text | gold identifiers in the turn (TYPE=value;...)
CALL=(
  "A|Kuituverkon asiakaspalvelu, miten voin auttaa?|"
  "C|Laajakaista ei toimi, yhteys katkesi eilen.|"
  "A|Kertoisitteko nimenne?|"
  "C|Nimeni on Matti Virtanen.|PERSON=Matti Virtanen"
  "A|Entä henkilötunnus?|"
  "C|Yksi kolme yksi nolla viisi kaksi viiva kolme nolla kahdeksan tee.|HETU=131052-308T"
  "A|Ja puhelinnumero?|"
  "C|Nolla neljä nolla, yksi kaksi kolme, neljä viisi kuusi seitsemän.|PHONE=0401234567"
  "A|Mikä on asennusosoite?|"
  "C|Koivukuja kolme, nolla kaksi yksi kaksi nolla Espoo.|ADDRESS=Koivukuja 3, 02120 Espoo"
  "A|Alueella on kaapelivika. Korjaus valmistuu huomenna.|"
  "C|Selvä, kiitos, hei.|"
)
GAP=0.3   # seconds of silence on both channels after each turn
: >"$TMP/call.tsv"
t=0.5
sox -D -n -r 16000 -c 2 -b 16 "$TMP/call_000.wav" trim 0 "$t"   # lead-in silence
i=0
for row in "${CALL[@]}"; do
  IFS='|' read -r who text ids <<<"$row"
  i=$((i + 1))
  speak "$text" "$TMP/turn.wav" "${TRIM[@]}"
  dur=$(soxi -D "$TMP/turn.wav")
  if [[ $who == A ]]; then mix="1 0"; ch=0; else mix="0 1"; ch=1; fi
  # shellcheck disable=SC2086  # $mix is two words on purpose
  sox -D "$TMP/turn.wav" "$TMP/call_$(printf %03d "$i").wav" remix $mix pad 0 "$GAP"
  printf '%s\t%s\t%s\t%s\t%s\n' "$ch" "$t" "$(echo "$t + $dur" | bc -l)" "$text" "$ids" >>"$TMP/call.tsv"
  t=$(echo "$t + $dur + $GAP" | bc -l)
done
sox -D "$TMP"/call_*.wav -b 16 "$OUT/call_stereo.wav"

"$PY" scripts/make_fixtures.py "$OUT" "$TMP/clips.tsv" "$TMP/call.tsv"
du -ch "$OUT"/*.* "$OUT"/bad/* | tail -n 1

# --- subject_call.wav: a customer gives a henkilötunnus and an e-mail (data-subject request test) --------
# The slow test in tests/service/test_subjects_e2e.py finds this call by the spoken HETU. Whisper base is
# weak on espeak-ng: this wording, speed and order (HETU first, "aa" as the century sign, 2 s pause) is the
# one of a dozen tried whose transcript reads back as a valid HETU (130212A4321, a fictitious number). The
# e-mail (pekka.nieminen@example.fi) comes out garbled; it is still detected and redacted, not indexed.
speak "henkilötunnukseni on yksi kolme nolla kaksi yksi kaksi aa neljä kolme kaksi yksi" "$TMP/subj_hetu.wav"
speak "sähköposti on pekka piste nieminen ät example piste fi" "$TMP/subj_email.wav"
sox -D -n -r 16000 -c 1 -b 16 "$TMP/subj_gap.wav" trim 0 2.0
sox -D "$TMP/subj_hetu.wav" "$TMP/subj_gap.wav" "$TMP/subj_email.wav" "$OUT/subject_call.wav"

# --- rights_call.wav: a spoken access request (issue 14), agent on channel 0, customer on channel 1 --------
# tests/service/test_rights_spoken.py runs the real pipeline on it. Of the request phrasings tried, espeak-ng
# + Whisper base keep this one's cue words ("haluaisin tietää mitä tietoja minusta") at 100, 130 and 160 wpm;
# every marketing prohibition tried came out garbled (the negation lost), so that one stays a scripted test.
speak "Asiakaspalvelu, miten voin auttaa?" "$TMP/rq_agent.wav" "${TRIM[@]}"
speak "Hei. Haluaisin tietää mitä tietoja minusta on tallennettu teidän järjestelmiin." "$TMP/rq_cust.wav" "${TRIM[@]}"
sox -D "$TMP/rq_agent.wav" "$TMP/rq_a.wav" remix 1 0 pad 0.5 0.3
sox -D "$TMP/rq_cust.wav" "$TMP/rq_c.wav" remix 0 1 pad 0 0.5
sox -D "$TMP/rq_a.wav" "$TMP/rq_c.wav" -b 16 "$OUT/rights_call.wav"
