"""UI strings in Finnish (the default: the reviewers are Finnish) and English, side by side per key.

Keeping both languages in one tuple per key means a string cannot exist in one language only. The language
comes from ``?lang=`` (remembered in a cookie), else the cookie, else ``Accept-Language``, else Finnish.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from babel import Locale
from babel.numbers import format_decimal
from starlette.requests import Request

LANGS = ("fi", "en")
DEFAULT_LANG = "fi"
LANG_COOKIE = "puheturva_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    # frame
    "app.name": ("Puheturva", "Puheturva"),
    "app.tagline": ("Puhelutallenteiden tietosuojakäsittely", "Privacy processing of call recordings"),
    "nav.calls": ("Puhelut", "Calls"),
    "nav.privacy": ("Tietosuoja", "Privacy"),
    "nav.users": ("Käyttäjät", "Users"),
    "nav.logout": ("Kirjaudu ulos", "Log out"),
    "nav.account": ("Oma tili", "My account"),
    "nav.skip": ("Siirry sisältöön", "Skip to content"),
    "nav.lang_other": ("In English", "Suomeksi"),
    "demo.banner": ("Demotila: esimerkkidataa, ei oikeita asiakkaita.",
                    "Demo mode: example data, no real customers."),
    # login
    "login.title": ("Kirjaudu sisään", "Log in"),
    "login.lead": ("Käytä omia henkilökohtaisia tunnuksiasi. Jokainen katselu kirjataan lokiin.",
                   "Use your own personal credentials. Every view is written to the audit log."),
    "login.name": ("Käyttäjätunnus", "User name"),
    "login.password": ("Salasana", "Password"),
    "login.submit": ("Kirjaudu", "Log in"),
    "login.failed": ("Väärä käyttäjätunnus tai salasana, tai tunnus on poistettu käytöstä.",
                     "Wrong user name or password, or the account is disabled."),
    "login.expired": ("Lomake vanheni. Yritä uudelleen.", "The form expired. Please try again."),
    "login.too_many": ("Liian monta epäonnistunutta yritystä. Odota hetki ja yritä uudelleen.",
                       "Too many failed attempts. Wait a moment and try again."),
    "login.logged_out": ("Olet kirjautunut ulos.", "You have logged out."),
    # call list
    "calls.title": ("Puhelut", "Calls"),
    "calls.filters": ("Rajaa", "Filter"),
    "calls.search": ("Hae litteroinneista", "Search transcripts"),
    "calls.search_hint": ("Sanat tai sanan alut, esim. lasku", "Words or word beginnings, e.g. lasku"),
    "calls.date_from": ("Alkaen", "From"),
    "calls.date_to": ("Päättyen", "To"),
    "calls.queue": ("Jono", "Queue"),
    "calls.agent": ("Asiakaspalvelija", "Agent"),
    "calls.reason": ("Yhteydenoton syy", "Call reason"),
    "calls.pii": ("Löydetyt tunnisteet", "Identifiers found"),
    "calls.status": ("Tila", "Status"),
    "calls.retention": ("Säilytys", "Retention"),
    "calls.any": ("Kaikki", "Any"),
    "calls.apply": ("Näytä", "Apply"),
    "calls.reset": ("Tyhjennä", "Clear"),
    "calls.none": ("Ei puheluita näillä ehdoilla.", "No calls match these filters."),
    "calls.count.one": ("{n} puhelu", "{n} call"),
    "calls.count.other": ("{n} puhelua", "{n} calls"),
    "calls.page": ("Sivu {page} / {pages}", "Page {page} of {pages}"),
    "calls.prev": ("Edellinen", "Previous"),
    "calls.next": ("Seuraava", "Next"),
    "calls.col_time": ("Aika", "Time"),
    "calls.col_id": ("Puhelu", "Call"),
    "calls.col_duration": ("Kesto", "Duration"),
    "calls.bad_date": ("Päivämäärä ei kelpaa; käytä muotoa vvvv-kk-pp.", "Invalid date; use yyyy-mm-dd."),
    "retention.legal_hold": ("Lakisääteinen säilytys", "Legal hold"),
    "retention.expiring": ("Poistuu 30 päivän sisällä", "Expiring within 30 days"),
    "retention.restricted": ("Käsittely rajoitettu", "Restricted"),
    "retention.expires_in.one": ("poistuu {n} päivässä", "expires in {n} day"),
    "retention.expires_in.other": ("poistuu {n} päivässä", "expires in {n} days"),
    "retention.processing": ("käsittely kesken", "processing"),
    "retention.until_processed": ("kunnes käsitelty", "until processed"),
    # call view
    "call.back": ("Takaisin listaan", "Back to the list"),
    "call.title": ("Puhelu {id}", "Call {id}"),
    "call.transcript": ("Litterointi", "Transcript"),
    "call.no_turns": ("Puhelua ei ole vielä käsitelty.", "The call has not been processed yet."),
    "call.audio": ("Tunnisteista poistettu tallenne", "Redacted recording"),
    "call.audio_missing": ("Tallenne on poistettu säilytysajan päätyttyä tai sitä ei ole vielä.",
                           "The recording was deleted at the end of its retention, or does not exist yet."),
    "call.audio_processing": ("Puhelu on vielä käsittelyssä. Lataa sivu hetken kuluttua uudelleen.",
                              "The call is still being processed. Reload the page in a moment."),
    "call.waveform": ("Aikajana: puhujavuorot värein, poistetut kohdat varjostettu",
                      "Timeline: speaker turns in colour, redacted ranges shaded"),
    "call.redacted_range": ("Poistettu kohta", "Redacted range"),
    "call.details": ("Tiedot", "Details"),
    "call.started": ("Alkoi", "Started"),
    "call.received": ("Vastaanotettu", "Received"),
    "call.direction": ("Suunta", "Direction"),
    "call.client": ("Lähde", "Source"),
    "call.classifications": ("Luokittelut", "Classifications"),
    "call.score": ("varmuus", "score"),
    "call.model": ("Malli", "Model"),
    "call.no_classifications": ("Ei luokitteluja.", "No classifications."),
    "call.entities": ("Poistetut tunnisteet", "Redacted identifiers"),
    "call.no_entities": ("Tunnisteita ei löytynyt.", "No identifiers found."),
    "call.by_reviewer": ("laadunvarmistajan ilmoittama", "reported by a reviewer"),
    "call.retention": ("Säilytys", "Retention"),
    "call.retain_until": ("Säilytetään asti", "Retained until"),
    "call.policy": ("Sääntö", "Policy"),
    "call.purpose": ("Tarkoitus", "Purpose"),
    "call.legal_basis": ("Peruste", "Legal basis"),
    "call.artefact": ("Tieto", "Artefact"),
    "call.provenance": ("Alkuperä (provenance)", "Provenance"),
    "call.stage": ("Vaihe", "Stage"),
    "call.agent": ("Tekijä", "Agent"),
    "call.keyboard_help": ("Näppäimistö: sarkain vuoroon, ←/→ valitsee sanan, Vaihto+←/→ laajentaa, "
                           "Enter toistaa valitusta kohdasta.",
                           "Keyboard: Tab to a turn, ←/→ selects a word, Shift+←/→ extends, "
                           "Enter plays from the selection."),
    # the player (service/ui/templates/call_player_*.html, static/player.js)
    "player.speed": ("Toistonopeus", "Playback speed"),
    "player.slower": ("Hitaammin", "Slower"),
    "player.faster": ("Nopeammin", "Faster"),
    "player.zoom": ("Aikajanan zoomaus", "Timeline zoom"),
    "player.zoom_in": ("Lähennä aikajanaa", "Zoom the timeline in"),
    "player.zoom_out": ("Loitonna aikajanaa", "Zoom the timeline out"),
    "player.follow": ("Seuraa toistoa", "Follow playback"),
    "player.download_wav": ("Lataa WAV", "Download WAV"),
    "player.search": ("Hae puhelusta", "Search this call"),
    "player.search_hint": ("sana, Enter seuraavaan", "word, Enter for the next"),
    "player.hits": ("Osumia: {n}", "Matches: {n}"),
    "player.keys": ("Näppäimet: välilyönti tai k toista/tauko · j/l tai Vaihto+←/→ ±5 s · < > nopeus · "
                    "n / Vaihto+n seuraava/edellinen poistettu kohta · + / − zoomaa aikajanaa · / hakuun",
                    "Keys: Space or k play/pause · j/l or Shift+←/→ ±5 s · < > speed · "
                    "n / Shift+n next/previous redaction · + / − zoom the timeline · / to search"),
    "player.low_conf_sample": ("epävarma", "unsure"),
    "player.low_conf": ("= puheentunnistus oli epävarma sanasta (alle {pct} %): kuuntele tarkistaaksesi",
                        "= the speech recogniser was unsure of the word (under {pct} %): listen to check"),
    "call.play_from": ("Toista kohdasta {t}", "Play from {t}"),
    "call.reported": ("Ilmoitus tallennettu: kohta poistettiin tekstistä ja tallenteesta.",
                      "Report saved: the range was redacted in the text and the recording."),
    # report a missed identifier
    "report.title": ("Ilmoita puuttuva tunniste", "Report a missed identifier"),
    "report.help": ("Maalaa tunniste vuoron tekstistä, valitse tyyppi ja poista se.",
                    "Select the identifier in a turn's text, choose its type and redact it."),
    "report.selection": ("Valinta", "Selection"),
    "report.none": ("Ei valintaa", "Nothing selected"),
    "report.turn": ("vuoro {n}", "turn {n}"),
    "report.type": ("Tunnisteen tyyppi", "Identifier type"),
    "report.submit": ("Poista tunniste", "Redact identifier"),
    "report.one_turn": ("Valitse tekstiä yhden vuoron sisältä.", "Select text within one turn."),
    "report.error": ("Ilmoitusta ei voitu tallentaa: {reason}", "The report could not be saved: {reason}"),
    # users
    "users.title": ("Käyttäjät", "Users"),
    "users.lead": ("Jokaisella on omat tunnukset. Lisäykset ja käytöstä poistot kirjataan lokiin.",
                   "Everyone has personal credentials. Additions and disablings are audited."),
    "users.name": ("Käyttäjätunnus", "User name"),
    "users.role": ("Rooli", "Role"),
    "users.state": ("Tila", "State"),
    "users.created": ("Luotu", "Created"),
    "users.active": ("Käytössä", "Active"),
    "users.disabled": ("Poistettu käytöstä", "Disabled"),
    "users.disable": ("Poista käytöstä", "Disable"),
    "users.add": ("Lisää käyttäjä", "Add a user"),
    "users.created_once": ("Käyttäjä {name} luotu. Anna kertakäyttöinen salasana hänelle turvallisesti; sitä "
                           "ei näytetä uudelleen. Hän vaihtaa sen ensimmäisellä kirjautumisella ja luo "
                           "API-avaimensa itse.",
                           "User {name} created. Hand over the one-time password securely; it is not shown "
                           "again. They change it at first login and create their own API tokens."),
    "users.temporary_password": ("Kertakäyttöinen salasana", "One-time password"),
    "users.no_privacy_officer": ("Ylläpitäjä ei voi luoda tietosuojavastaavan tunnusta (tehtävien eriyttäminen). "
                                 "Tietosuojavastaavan tunnuksen luo komentorivillä: puheturva users add "
                                 "--role privacy_officer.",
                                 "An administrator cannot create a privacy officer account (separation of "
                                 "duties). Create it on the command line: puheturva users add --role "
                                 "privacy_officer."),
    "users.api_token": ("API-avain", "API token"),
    "users.tokens": ("Voimassa olevat API-avaimet", "Active API tokens"),
    "users.exists": ("Käyttäjätunnus on jo olemassa.", "That user name exists."),
    "users.bad_name": ("Käyttäjätunnus: 2–64 merkkiä a–z, 0–9, . _ @ -",
                       "User name: 2–64 characters a–z, 0–9, . _ @ -"),
    "users.bad_role": ("Tuntematon rooli.", "Unknown role."),
    "users.short_password": ("Salasanassa on oltava vähintään 12 merkkiä.",
                             "The password must be at least 12 characters."),
    "users.disabled_done": ("Käyttäjä {name} poistettu käytöstä; istunnot ja avaimet lakkasivat toimimasta.",
                            "User {name} disabled; their sessions and tokens stopped working."),
    "users.not_self": ("Omaa tunnusta ei voi poistaa käytöstä.", "You cannot disable your own account."),
    # own account
    "account.title": ("Oma tili", "My account"),
    "account.lead": ("Omat API-avaimesi: näet, milloin niitä on käytetty, ja voit mitätöidä ne yksitellen.",
                     "Your own API tokens: see when each was used and revoke them one by one."),
    "account.tokens": ("API-avaimet", "API tokens"),
    "account.label": ("Nimi (mihin avainta käytetään)", "Label (what the token is for)"),
    "account.last_used": ("Viimeksi käytetty", "Last used"),
    "account.expires": ("Vanhenee", "Expires"),
    "account.no_expiry": ("Ei vanhene", "Never"),
    "account.days": ("Voimassa päivää (1–366, tyhjä: kunnes mitätöidään)",
                     "Valid for days (1–366, empty: until revoked)"),
    "account.new_token": ("Luo API-avain", "Create an API token"),
    "account.token_once": ("Uusi API-avain. Kopioi se nyt; sitä ei näytetä uudelleen.",
                           "New API token. Copy it now; it is not shown again."),
    "account.revoke": ("Mitätöi", "Revoke"),
    "account.revoked": ("Avain mitätöity.", "Token revoked."),
    "account.state_revoked": ("Mitätöity", "Revoked"),
    "account.state_expired": ("Vanhentunut", "Expired"),
    "account.no_tokens": ("Ei API-avaimia.", "No API tokens."),
    "account.no_token": ("Avainta ei löytynyt.", "No such token."),
    "account.bad_days": ("Voimassaolo: 1–366 päivää tai tyhjä.", "Validity: 1–366 days or empty."),
    "account.password_title": ("Vaihda salasana", "Change password"),
    "account.password_lead": ("Vähintään 12 merkkiä. Vaihto kirjaa sinut ulos kaikilta muilta laitteilta.",
                              "At least 12 characters. Changing it logs you out on every other device."),
    "account.forced": ("Salasanasi on kertakäyttöinen. Vaihda se ennen kuin jatkat.",
                       "Your password is a one-time password. Change it before you continue."),
    "account.current": ("Nykyinen salasana", "Current password"),
    "account.new": ("Uusi salasana", "New password"),
    "account.confirm": ("Uusi salasana uudelleen", "New password again"),
    "account.change": ("Vaihda salasana", "Change password"),
    "account.changed": ("Salasana vaihdettu. Muut istuntosi päättyivät.",
                        "Password changed. Your other sessions ended."),
    "account.wrong_password": ("Nykyinen salasana on väärä.", "The current password is wrong."),
    "account.mismatch": ("Uudet salasanat eivät täsmää.", "The new passwords do not match."),
    "account.same_password": ("Uuden salasanan on oltava eri kuin nykyisen.",
                              "The new password must differ from the current one."),
    # privacy placeholder
    "privacy.title": ("Tietosuoja", "Privacy"),
    "privacy.lead": ("Rekisteröidyn oikeudet, säilytys ja rekisteriseloste.",
                     "Data-subject rights, retention and the register description."),
    # requests said in calls: the privacy officer's queue (service/api/routes/ui_privacy_items.py)
    "items.title": ("Puheluissa esitetyt pyynnöt", "Requests made in calls"),
    "items.link": ("Puheluissa esitetyt pyynnöt odottavat vahvistusta", "Requests made in calls waiting for review"),
    "items.lead": ("Tunnistettu asiakkaan puheenvuoroista. Mitään ei tehdä ennen kuin vahvistat pyynnön.",
                   "Found in the customer's turns. Nothing is done until you confirm a request."),
    "items.none": ("Ei odottavia pyyntöjä.", "No requests waiting."),
    "items.status.pending": ("Odottaa", "Pending"), "items.status.confirmed": ("Vahvistettu", "Confirmed"),
    "items.status.rejected": ("Hylätty", "Rejected"),
    "items.kind.access": ("Tarkastus", "Access"), "items.kind.erasure": ("Poisto", "Erasure"),
    "items.kind.rectification": ("Oikaisu", "Rectification"),
    "items.kind.restriction": ("Käsittelyn rajoitus", "Restriction"),
    "items.kind.portability": ("Tietojen siirto", "Portability"),
    "items.kind.objection": ("Vastustaminen", "Objection"),
    "items.kind.marketing_prohibition": ("Suoramarkkinointikielto", "Direct-marketing prohibition"),
    "items.kind.marketing_consent": ("Suoramarkkinointilupa", "Direct-marketing consent"),
    "items.channel.phone": ("puhelin", "phone"), "items.channel.sms": ("tekstiviesti", "SMS"),
    "items.channel.email": ("sähköposti", "e-mail"), "items.channel.post": ("posti", "post"),
    "items.channel.all": ("kaikki kanavat", "every channel"),
    "items.call": ("Puhelu", "Call"), "items.turn": ("Puheenvuoro", "Turn"), "items.time": ("Aika", "Time"),
    "items.cues": ("Vihjesanat", "Cue words"), "items.score": ("Varmuus", "Score"),
    "items.confirm": ("Vahvista", "Confirm"), "items.reject": ("Hylkää", "Reject"),
    "items.reason": ("Hylkäyksen syy (ei tunnisteita)", "Why it is rejected (no identifiers)"),
    "items.method": ("Henkilöllisyyden todentamistapa", "How identity was verified"),
    "items.reference": ("Viite todisteeseen (tiketti, päivä)", "Reference to the evidence (ticket, date)"),
    "items.request_help": ("Vahvistus avaa rekisteröidyn pyynnön soittajan tunnisteilla.",
                           "Confirming opens a data-subject request for the caller's identifiers."),
    "items.marketing_help": ("Vahvistus kirjaa valinnan ja lähettää sen asiakasjärjestelmään.",
                             "Confirming records the choice and sends it to the CRM."),
    "items.confirmed": ("Pyyntö vahvistettu.", "The request was confirmed."),
    "items.rejected": ("Pyyntö hylätty.", "The request was rejected."),
    "items.open_request": ("Avaa rekisteröidyn pyyntö", "Open the data-subject request"),
    # errors
    "error.title": ("Virhe", "Error"),
    "error.403": ("Roolillasi ei ole pääsyä tälle sivulle.", "Your role may not open this page."),
    "error.404": ("Sivua tai puhelua ei löytynyt.", "No such page or call."),
    "error.ambiguous_call": ("Usea puhelinjärjestelmä käytti tätä puhelun tunnusta. Avaa puhelu listasta.",
                             "Several telephony systems used this call id. Open the call from the list."),
    "error.csrf": ("Lomakkeen tarkiste puuttui tai vanheni. Lataa sivu uudelleen.",
                   "The form's check token was missing or stale. Reload the page."),
    # vocabularies
    "role.qa_reviewer": ("Laadunvarmistaja", "QA reviewer"),
    "role.privacy_officer": ("Tietosuojavastaava", "Privacy officer"),
    "role.admin": ("Ylläpitäjä", "Administrator"),
    "speaker.agent": ("Asiakaspalvelija", "Agent"),
    "speaker.customer": ("Asiakas", "Customer"),
    "speaker.unknown": ("Puhuja", "Speaker"),
    "status.received": ("Vastaanotettu", "Received"),
    "status.processing": ("Käsittelyssä", "Processing"),
    "status.done": ("Valmis", "Done"),
    "status.failed": ("Epäonnistui", "Failed"),
    "direction.inbound": ("Saapuva", "Inbound"),
    "direction.outbound": ("Lähtevä", "Outbound"),
    "direction.internal": ("Sisäinen", "Internal"),
    "entity.HETU": ("Henkilötunnus", "Personal identity code"),
    "entity.PHONE": ("Puhelinnumero", "Phone number"),
    "entity.EMAIL": ("Sähköposti", "Email"),
    "entity.IBAN": ("Tilinumero", "Bank account"),
    "entity.CARD": ("Maksukortti", "Payment card"),
    "entity.YTUNNUS": ("Y-tunnus", "Business ID"),
    "entity.CUSTOMER_NUMBER": ("Asiakasnumero", "Customer number"),
    "entity.ORDER_NUMBER": ("Tilausnumero", "Order number"),
    "entity.PERSON": ("Nimi", "Name"),
    "entity.ADDRESS": ("Osoite", "Address"),
    "entity.NUMBER": ("Numero", "Number"),
    "reason.laskutus": ("Laskutus", "Billing"),
    "reason.vikailmoitus": ("Vikailmoitus", "Fault report"),
    "reason.tilaus": ("Tilaus", "Order"),
    "reason.irtisanominen": ("Irtisanominen", "Cancellation"),
    "reason.muutto": ("Muutto", "Moving"),
    "reason.reklamaatio": ("Reklamaatio", "Complaint"),
    "reason.tekninen_tuki": ("Tekninen tuki", "Technical support"),
    "reason.tietosuoja": ("Tietosuoja", "Data protection"),
    "reason.muu": ("Muu", "Other"),
    "kind.call_reason": ("Yhteydenoton syy", "Call reason"),
    "kind.pii_category": ("Tietoluokka", "Data category"),
    "kind.rights_request": ("Puhelussa esitetty pyyntö", "Request made in the call"),
    "artefact.rights_items": ("Puhelussa esitetyt pyynnöt", "Requests made in the call"),
    "policy.rights_items": ("Pyyntöjen vahvistus", "Review of requests"),
    "stage.detect_rights": ("Pyyntöjen tunnistus", "Request detection"),
    "artefact.original_audio": ("Alkuperäinen tallenne", "Original recording"),
    "artefact.redacted_audio": ("Tunnisteista poistettu tallenne", "Redacted recording"),
    "artefact.raw_transcript": ("Alkuperäinen litterointi", "Raw transcript"),
    "artefact.redacted_transcript": ("Tunnisteista poistettu litterointi", "Redacted transcript"),
    "artefact.entities": ("Tunnisteiden sijainnit", "Identifier positions"),
    "artefact.classification": ("Luokittelut", "Classifications"),
    # chips: the transcript's placeholder in Finnish (redaction.entities labels), a short word in English
    "chip.HETU": ("HETU", "PIC"),
    "chip.PHONE": ("PUHELIN", "PHONE"),
    "chip.EMAIL": ("SÄHKÖPOSTI", "EMAIL"),
    "chip.IBAN": ("TILINUMERO", "IBAN"),
    "chip.CARD": ("KORTTI", "CARD"),
    "chip.YTUNNUS": ("Y-TUNNUS", "BUSINESS ID"),
    "chip.CUSTOMER_NUMBER": ("ASIAKASNUMERO", "CUSTOMER NO"),
    "chip.ORDER_NUMBER": ("TILAUSNUMERO", "ORDER NO"),
    "chip.PERSON": ("HENKILÖ", "NAME"),
    "chip.ADDRESS": ("OSOITE", "ADDRESS"),
    "chip.NUMBER": ("NUMERO", "NUMBER"),
    # recognisers (the id stays visible as a title)
    "recognizer.address": ("Osoitteen tunnistin", "Address recogniser"),
    "recognizer.card": ("Maksukortin tunnistin", "Payment card recogniser"),
    "recognizer.cue_number": ("Numero vihjesanan jälkeen", "Number after a cue word"),
    "recognizer.digit_run": ("Pitkä numerosarja", "Long run of digits"),
    "recognizer.email": ("Sähköpostin tunnistin", "Email recogniser"),
    "recognizer.hetu": ("Henkilötunnuksen tunnistin", "Personal identity code recogniser"),
    "recognizer.iban": ("Tilinumeron tunnistin", "Bank account recogniser"),
    "recognizer.low_confidence": ("Epävarma puheentunnistus", "Uncertain speech recognition"),
    "recognizer.person": ("Nimen tunnistin", "Name recogniser"),
    "recognizer.phone": ("Puhelinnumeron tunnistin", "Phone number recogniser"),
    "recognizer.ytunnus": ("Y-tunnuksen tunnistin", "Business ID recogniser"),
    "recognizer.human_reviewer": ("Laadunvarmistajan ilmoittama", "Reported by a reviewer"),
    # provenance stages (service/pipeline/stages.py, service/calls/review.py)
    "stage.transcribe": ("Puheentunnistus, kanava {n}", "Speech recognition, channel {n}"),
    "stage.detect_and_redact_text": ("Tunnisteiden tunnistus ja poisto tekstistä",
                                     "Finding and redacting identifiers in the text"),
    "stage.redact_audio": ("Tunnisteiden poisto tallenteesta", "Redacting identifiers in the recording"),
    "stage.self_verify": ("Poiston tarkistus uudella tunnistuksella", "Checking the redaction by re-transcribing"),
    "stage.classify": ("Luokittelu", "Classification"),
    "stage.review:missed_identifier": ("Laadunvarmistajan ilmoittama tunniste", "Identifier reported by a reviewer"),
    # how a classification was made
    "classifier_method.lexicon": ("Sanaston perusteella", "From the word list"),
    "classifier_method.rule": ("Säännön perusteella", "By a rule"),
    "classifier_method.fallback": ("Oletus (ei osumia)", "Default (no matches)"),
    # personal-data categories of a call (models/data/pii_categories_fi.yaml)
    "pii_category.tunnistetiedot": ("Tunnistetiedot", "Identification data"),
    "pii_category.henkilotunnus": ("Henkilötunnus", "Personal identity code"),
    "pii_category.yhteystiedot": ("Yhteystiedot", "Contact details"),
    "pii_category.maksutiedot": ("Maksutiedot", "Payment data"),
    "pii_category.asiakkuustiedot": ("Asiakkuustiedot", "Customer data"),
    "pii_category.yritystiedot": ("Yritystiedot", "Business data"),
    "pii_category.muut_henkilotiedot": ("Muut henkilötiedot", "Other personal data"),
    # retention policies (service/privacy/retention.yaml)
    "policy.raw_audio": ("Alkuperäinen tallenne: poistetaan käsittelyn jälkeen",
                         "Original recording: deleted after processing"),
    "policy.raw_transcript": ("Tunnisteellinen litterointi: ei säilytetä", "Raw transcript: not kept"),
    "policy.raw_audio_kept": ("Alkuperäinen tallenne 30 päivää", "Original recording for 30 days"),
    "policy.raw_transcript_kept": ("Tunnisteellinen litterointi 30 päivää", "Raw transcript for 30 days"),
    "policy.redacted_audio": ("Laadunvarmistuksen tallenne", "Recording for quality assurance"),
    "policy.redacted_transcript": ("Laadunvarmistuksen litterointi", "Transcript for quality assurance"),
    "policy.classifications": ("Tilastointi", "Statistics"),
    "policy.order_evidence": ("Tilauksen todentaminen", "Evidence of an order"),
    "policy.complaint": ("Reklamaation käsittely", "Handling a complaint"),
    # privacy workbench (issue 13): legal hold on the call page, the erased page, rectifications
    "hold.title": ("Lakisääteinen säilytys", "Legal hold"),
    "hold.none": ("Puhelulla ei ole käsin asetettua säilytystä.", "No manual legal hold on this call."),
    "hold.policy": ("Säilytyskäytäntö pitää osan tiedoista; se säilyy, vaikka käsin asetettu poistetaan.",
                    "A retention policy holds some of the data; that stays when the manual hold is lifted."),
    "hold.reason": ("Syy", "Reason"),
    "hold.by": ("Asettaja", "Put on by"),
    "hold.reason_label_on": ("Syy säilytykselle (asia- tai riitanumero, ei tunnisteita)",
                             "Reason for the hold (case or claim number, no identifiers)"),
    "hold.reason_label_off": ("Syy säilytyksen poistolle (ei tunnisteita)",
                              "Reason for lifting the hold (no identifiers)"),
    "hold.put": ("Aseta säilytys", "Put under legal hold"),
    "hold.lift": ("Poista säilytys", "Lift the legal hold"),
    "hold.done_on": ("Puhelu asetettiin lakisääteiseen säilytykseen.", "The call is now under legal hold."),
    "hold.done_off": ("Käsin asetettu säilytys poistettiin.", "The manual legal hold was lifted."),
    "hold.error.length": ("Anna syy (3–500 merkkiä).", "Give a reason (3 to 500 characters)."),
    "hold.error.identifier": ("Syyssä näyttää olevan tunniste. Jätä tunnisteet pois.",
                              "The reason seems to contain an identifier. Leave identifiers out."),
    "erased.title": ("Puhelu poistettu", "Call erased"),
    "erased.text": ("Puhelu {id} poistettiin rekisteröidyn pyynnöstä {date}.",
                    "Call {id} was erased on the data subject's request on {date}."),
    "erased.help": ("Puhelun sisältöä ei ole enää tallessa.", "Nothing of the call's content is kept."),
    "erased.request": ("Näytä pyyntö", "Show the request"),
    "turn.number": ("vuoro {n}", "turn {n}"),
    "correction.label": ("Oikaisu", "Correction"),
    "correction.by": ("Vuoron {n} oikaisu", "Correction of turn {n}"),
    "yes": ("kyllä", "yes"),
    "no": ("ei", "no"),
    # the QA workbench (call page partials qa_*.html, list filters)
    "qa.analytics": ("Keskustelun mittarit", "Conversation measures"),
    "qa.speaker": ("Puhuja", "Speaker"),
    "qa.talk_time": ("Puheaika", "Talk time"),
    "qa.wpm": ("Sanaa/min", "Words/min"),
    "qa.interruptions": ("Keskeytykset", "Interruptions"),
    "qa.interruptions_short": ("Keskeyt.", "Interr."),
    "qa.silence": ("Hiljaisuus", "Silence"),
    "qa.no_analytics": ("Mittareita ei ole laskettu tälle puhelulle.", "No measures were computed for this call."),
    "qa.review": ("Tarkastus", "Review"),
    "qa.reviewed": ("Tarkastettu", "Reviewed"),
    "qa.not_reviewed": ("Ei vielä tarkastettu.", "Not reviewed yet."),
    "qa.comment": ("Kommentti (valinnainen, enintään 500 merkkiä)", "Comment (optional, at most 500 characters)"),
    "qa.mark": ("Merkitse tarkastetuksi", "Mark as reviewed"),
    "qa.update": ("Päivitä kommentti", "Update the comment"),
    "qa.unmark": ("Poista tarkastusmerkintä", "Remove the reviewed mark"),
    "qa.comment_too_long": ("Kommentti on liian pitkä: enintään 500 merkkiä.",
                            "The comment is too long: at most 500 characters."),
    "qa.scorecard": ("Arviointilomake", "Scorecard"),
    "qa.score": ("Pisteet", "Score"),
    "qa.save_score": ("Tallenna arvio", "Save the scores"),
    "qa.score_invalid": ("Vastaa jokaiseen kysymykseen annetuilla vaihtoehdoilla.",
                         "Answer every question with one of the choices given."),
    "qa.answer_yes": ("Kyllä", "Yes"),
    "qa.answer_no": ("Ei", "No"),
    "qa.answer_na": ("Ei koske", "N/A"),
    "qa.flags": ("Turha peitto?", "Redacted needlessly?"),
    "qa.flags_help": ("Ilmoita peitto, joka ei ole tunniste. Mitään ei palauteta näkyviin: tietosuojavastaava "
                      "päättää myöhemmin.",
                      "Report a redaction that is not an identifier. Nothing is unredacted: a privacy officer "
                      "decides later."),
    "qa.flag": ("Ei tunniste", "Not an identifier"),
    "qa.flagged": ("Ilmoitettu: ei tunniste", "Reported: not an identifier"),
    "qa.reason": ("Syy", "Reason"),
    "qa.reason_not_personal": ("Ei henkilötieto", "Not personal data"),
    "qa.reason_public_information": ("Julkinen tieto", "Public information"),
    "qa.reason_company_data": ("Yrityksen tieto", "Company data"),
    "qa.reason_other": ("Muu syy", "Other reason"),
    "qa.unknown_reason": ("Valitse syy listasta.", "Choose a reason from the list."),
    "qa.no_such_redaction": ("Peittoa ei löydy tästä kohdasta.", "There is no redaction at that place."),
    "qa.already_reported": ("Tämä peitto on jo ilmoitettu.", "This redaction is already reported."),
    "qa.col_reviewed": ("Tarkastus", "Review"),
    "qa.filter_reviewed": ("Tarkastus", "Review"),
    "qa.filter_reviewed_yes": ("Tarkastettu", "Reviewed"),
    "qa.filter_reviewed_no": ("Tarkastamatta", "Not reviewed"),
    "qa.filter_interruptions": ("Keskeytyksiä vähintään", "Interruptions at least"),
    "qa.filter_silence": ("Hiljaisuutta vähintään (%)", "Silence at least (%)"),
    "qa.bad_number": ("Keskeytysten on oltava kokonaisluku 0–1000 ja hiljaisuuden prosentti 0–100.",
                      "Interruptions must be a whole number 0–1000 and silence a percentage 0–100."),
}

# A call's ``rights_request`` classifications read "erasure" or "marketing_prohibition:phone": labels made of the
# queue's kind and channel words, so the call page and the queue say the same.
RIGHTS_KINDS = ("access", "erasure", "rectification", "restriction", "portability", "objection",
                "marketing_prohibition", "marketing_consent")
RIGHTS_CHANNELS = ("phone", "sms", "email", "post", "all")
MESSAGES.update({f"rights_request.{k}": MESSAGES[f"items.kind.{k}"] for k in RIGHTS_KINDS})
MESSAGES.update({f"rights_request.{k}:{c}": tuple(  # type: ignore[misc]
    f"{kind} ({channel})" for kind, channel in zip(MESSAGES[f"items.kind.{k}"], MESSAGES[f"items.channel.{c}"],
                                                   strict=True))
    for k in RIGHTS_KINDS if k.startswith("marketing") for c in RIGHTS_CHANNELS})


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def plural_form(lang: str, n: int) -> str:
    """The CLDR plural category of ``n`` in ``lang`` (Babel): ``one`` or ``other`` for Finnish and English.

    Languages differ in which numbers take which form (and some have more forms), so the rule comes from CLDR
    rather than an ``n == 1`` test.
    """
    return str(_locale(lang).plural_form(n))


def plural_key(key: str, lang: str, n: int) -> str:
    """``key.one`` / ``key.other`` (whichever ``n`` takes in ``lang``) when the table has that key's forms."""
    form = f"{key}.{plural_form(lang, n)}"
    return form if form in MESSAGES else f"{key}.other"


def translator(lang: str) -> Callable[..., str]:
    """``t(key, **values)``: the string in ``lang``; an unknown key shows as itself (visible, not fatal).

    A key stored as plural forms (``calls.count.one``, ``calls.count.other``) is counted by its integer ``n``:
    ``t("calls.count", n=1)`` is "1 puhelu", ``n=2`` "2 puhelua"; ``n`` is written the language's way.
    """
    lang = lang if lang in LANGS else DEFAULT_LANG
    i = LANGS.index(lang)

    def t(key: str, **values: object) -> str:
        n = values.get("n")
        if key not in MESSAGES and isinstance(n, int) and f"{key}.other" in MESSAGES:
            key = plural_key(key, lang, n)
            values = {**values, "n": format_decimal(n, locale=lang)}
        pair = MESSAGES.get(key)
        text = pair[i] if pair else key
        return text.format(**values) if values else text

    return t


def label_or(t: Callable[..., str], prefix: str, value: str | None) -> str:
    """A vocabulary value's label (``speaker.agent`` → Asiakaspalvelija), or the value itself if unknown."""
    if value is None:
        return "–"
    key = f"{prefix}.{value}"
    return t(key) if key in MESSAGES else value


def pick_language(request: Request) -> str:
    """``?lang=`` beats the cookie, the cookie beats ``Accept-Language``; Finnish by default."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGS:
        return cookie
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return DEFAULT_LANG
