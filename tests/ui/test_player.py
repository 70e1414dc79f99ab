"""The call page's player in Debian's Chromium, at desktop (1366x900) and phone (390x844) width, in Finnish
and English: the streamed Opus audio, the transcript following playback word by word, the keys, search
inside the call with hits on the timeline, the zoomable timeline, low-confidence shading, and "back to the
list" keeping the list's filters. One test seeds an 8-minute call and counts the audio bytes the page
transfers before play is pressed.

Screenshots go to ``$PUHETURVA_SCREENSHOTS`` (default: the test's tmp dir), never into the repository.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service.calls.listening_copy import LISTENING_COPIES
from service.store.models import Turn
from tests.ui.conftest import Served, login
from tests.ui.seeding import DATA, CallSpec, TurnSpec, seed_call, stereo_turns
from tests.ui.test_browser import shots

VIEWS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
TEXT = {"fi": {"keys": "Näppäimet", "hits": "Osumia: 1", "conf": "epävarma", "back": "Takaisin listaan"},
        "en": {"keys": "Keys", "hits": "Matches: 1", "conf": "unsure", "back": "Back to the list"}}
UNSURE = {"kaapelivika", "yhteys"}  # words of pbx-2001 given a low ASR probability below


@pytest.fixture(params=[("desktop", "fi"), ("desktop", "en"), ("phone", "fi"), ("phone", "en")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def view(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[Any, str, str]]:
    """A page at the given width, logged in as nobody yet, with script errors and CSP violations failing."""
    width, lang = request.param
    context = browser.new_context(viewport=VIEWS[width], locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    try:
        yield page, width, lang
    finally:
        context.close()
    assert errors == []


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    LISTENING_COPIES.clear()
    yield
    LISTENING_COPIES.clear()


def _login(page: Any, served: Served, lang: str) -> None:
    page.goto(f"{served.base_url}/ui/login?lang={lang}")  # the language is remembered in a cookie
    login(page, served.base_url, "qa-anna")


def _shade_unsure_words(served: Served) -> None:
    """Give the seeded call's words ASR probabilities, two of them low (the seeding stores none)."""
    with served.ctx.db.session() as s:
        for turn in s.scalars(select(Turn).where(Turn.call_id == served.calls["pbx-2001"])):
            turn.words = [w | ({"p": 0.3 if w["text"].strip(".,?") in UNSURE else 0.93}
                               if not w.get("redacted") else {}) for w in turn.words]


def _now(page: Any) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def _at(page: Any, t: float) -> None:
    page.evaluate(f"(() => {{ const a = document.getElementById('player'); a.pause(); a.currentTime = {t}; }})()")
    page.wait_for_function(f"() => Math.abs(document.getElementById('player').currentTime - {t}) < 0.01")


def test_player(served: Served, view: tuple[Any, str, str], tmp_path: Path) -> None:
    page, width, lang = view
    _shade_unsure_words(served)
    _login(page, served, lang)

    # The list's filters travel to the call page's back link.
    page.goto(f"{served.base_url}/ui/calls?queue=tekninen-tuki&q=kaapelivika")
    page.click("a.call-link:text('pbx-2001')")
    page.wait_for_url("**/ui/calls/pbx-2001?client=default")
    back = page.locator("#back-link")
    expect(back).to_have_attribute("href", "/ui/calls?queue=tekninen-tuki&q=kaapelivika")

    # Streamed Opus, metadata only up front; the WAV is a download link.
    player = page.locator("#player")
    assert player.get_attribute("preload") == "metadata"
    assert player.get_attribute("src").startswith("/v1/calls/pbx-2001/audio.ogg")
    assert page.locator("#wav-download").get_attribute("href").startswith("/v1/calls/pbx-2001/audio?")
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    assert abs(float(page.evaluate("document.getElementById('player').duration")) - 38.96) < 0.1

    expect(page.locator("#player-keys")).to_contain_text(TEXT[lang]["keys"])
    expect(page.locator("#conf-legend")).to_contain_text(TEXT[lang]["conf"])
    unsure = page.locator(".turn-text .w.low-conf").all_inner_texts()
    assert {w.strip(".,?") for w in unsure} == UNSURE, unsure
    assert page.locator(".turn-text .w:not(.low-conf)").count() > 20, "sure words are not shaded"

    # Keys, with the focus on the page (not in a text field).
    page.locator("h1").click()
    page.keyboard.press("k")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.press("k")
    page.wait_for_function("() => document.getElementById('player').paused")
    page.keyboard.press(" ")
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.keyboard.press(" ")
    page.wait_for_function("() => document.getElementById('player').paused")
    _at(page, 10)
    page.keyboard.press("l")
    assert abs(_now(page) - 15) < 0.01
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert abs(_now(page) - 5) < 0.01
    page.keyboard.press("Shift+ArrowRight")
    assert abs(_now(page) - 10) < 0.01
    page.keyboard.press("Shift+ArrowLeft")
    assert abs(_now(page) - 5) < 0.01
    page.keyboard.press(">")
    assert page.evaluate("document.getElementById('player').playbackRate") == 1.25
    for _ in range(5):
        page.keyboard.press("<")
    assert page.evaluate("document.getElementById('player').playbackRate") == 0.75
    expect(page.locator("#speed")).to_have_text("0.75×")
    for _ in range(9):
        page.keyboard.press(">")
    assert page.evaluate("document.getElementById('player').playbackRate") == 2
    for _ in range(4):
        page.keyboard.press("<")  # 2× → 1×
    assert page.evaluate("document.getElementById('player').playbackRate") == 1
    chips = sorted({float(t) for t in page.locator(".turn-text .chip[data-t]").evaluate_all(
        "els => els.map(e => e.dataset.t)")})
    _at(page, 0)
    page.keyboard.press("n")
    assert abs(_now(page) - chips[0]) < 0.01, "n: the first redaction"
    page.keyboard.press("n")
    assert abs(_now(page) - chips[1]) < 0.01, "n: the next redaction"
    page.keyboard.press("Shift+N")
    assert abs(_now(page) - chips[0]) < 0.01, "Shift+n: the previous redaction"

    # Follow-along: playing from turn 10 highlights its words one by one and scrolls them into view.
    page.evaluate("window.scrollTo(0, 0)")
    _at(page, 32.1)
    page.keyboard.press("k")
    page.wait_for_function("() => document.querySelector('#turn-10 .w.now') !== null")
    first = page.locator(".turn-text .now").inner_text()
    page.wait_for_function(f"() => {{ const el = document.querySelector('.turn-text .now');"
                           f" return el && el.textContent !== {first!r}; }}")
    assert page.locator(".turn-text .now").count() == 1, "exactly one current word"
    now = page.locator(".turn-text .now")
    box = now.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWS[width]["height"], box
    page.keyboard.press("k")
    page.screenshot(path=str(shots(tmp_path) / f"player-{width}-{lang}-following.png"))

    # Search inside the call: hits in the transcript and on the timeline, Enter jumps to the next.
    page.fill("#call-search", "kaapeli")
    expect(page.locator("#search-hits")).to_have_text(TEXT[lang]["hits"])
    assert page.locator(".turn-text .hit").count() == 1
    assert page.locator("#wave .hit-mark").count() == 1
    hit_t = float(page.locator(".turn-text .hit").get_attribute("data-t"))
    _at(page, 0)
    page.focus("#call-search")
    page.keyboard.press("Enter")
    assert abs(_now(page) - hit_t) < 0.01
    page.keyboard.press("k")  # typed into the search field, not a shortcut
    assert page.input_value("#call-search") == "kaapelik"
    assert page.evaluate("document.getElementById('player').paused")
    page.fill("#call-search", "kaapeli")
    page.screenshot(path=str(shots(tmp_path) / f"player-{width}-{lang}-search.png"), full_page=True)

    # The timeline zooms (keys and buttons, keyboard reachable) and its view follows the playhead.
    scroller = page.locator(".wave-scroll")
    assert scroller.get_attribute("tabindex") == "0"
    scroller.focus()
    page.keyboard.press("+")
    expect(page.locator("#zoom")).to_have_text("2×")
    page.focus("#zoom-in")
    page.keyboard.press("Enter")
    expect(page.locator("#zoom")).to_have_text("4×")
    sizes = scroller.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert sizes[0] >= 3.9 * sizes[1], sizes
    _at(page, 36.0)
    left = scroller.evaluate("el => el.scrollLeft")
    assert left > sizes[0] * 0.5, "the zoomed view moved to the playhead near the end"
    page.locator("h1").click()
    page.keyboard.press("-")
    expect(page.locator("#zoom")).to_have_text("2×")
    page.screenshot(path=str(shots(tmp_path) / f"player-{width}-{lang}-zoomed.png"), full_page=True)
    page.keyboard.press("-")
    expect(page.locator("#zoom")).to_have_text("1×")
    assert page.locator("#zoom-out").is_disabled()
    # The page's top bar is another part's (it overflows at 390 px before this change); the player may not.
    wide = page.evaluate("() => [...document.querySelectorAll('#call *')]"
                         ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
                         " && !e.closest('.wave-scroll, .provenance')).map(e => e.tagName + '.' + e.className)")
    assert wide == [], "nothing of the player or the transcript sticks out sideways"

    # Back to the list, filters kept.
    expect(back).to_have_text(f"← {TEXT[lang]['back']}")
    back.click()
    page.wait_for_url("**/ui/calls?queue=tekninen-tuki&q=kaapelivika")
    assert page.locator("a.call-link").all_inner_texts() == ["pbx-2001"]


def long_call(tmp_path: Path, minutes: float = 8.0) -> CallSpec:
    """The stereo test call repeated to ``minutes`` (audio and turns shifted in time)."""
    with wave.open(str(DATA / "call_stereo.wav")) as w:
        sr, channels, frames = w.getframerate(), w.getnchannels(), w.readframes(w.getnframes())
    pcm = np.frombuffer(frames, dtype="<i2").reshape(-1, channels)
    n = int(minutes * 60 * sr)
    reps = -(-n // len(pcm))
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sr)
        out.writeframes(np.tile(pcm, (reps, 1))[:n].tobytes())
    one = len(pcm) / sr
    turns: list[TurnSpec] = []
    for k in range(reps):
        turns += [replace(t, start=t.start + k * one, end=t.end + k * one) for t in stereo_turns()
                  if t.end + k * one <= n / sr]
    return CallSpec(external_id="pbx-3001", started_at=datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
                    turns=tuple(turns), audio=path)


@pytest.mark.parametrize(("width", "lang"), [("desktop", "fi"), ("phone", "en")])
def test_long_call_transfers_little_audio_before_play(served: Served, browser: Any, tmp_path: Path,
                                                      width: str, lang: str) -> None:
    seed_call(served.ctx.db, served.ctx.blobs, long_call(tmp_path))
    context = browser.new_context(viewport=VIEWS[width], locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(60_000)  # the first request encodes 8 minutes of audio
    audio: list[tuple[str, int, int]] = []

    def on_response(resp: Any) -> None:
        if "/audio" in resp.url:
            audio.append((resp.url, resp.status, int(resp.headers.get("content-length", "0"))))
    try:
        _login(page, served, lang)
        page.on("response", on_response)
        page.goto(f"{served.base_url}/ui/calls/pbx-3001?client=default")
        page.wait_for_function("() => document.getElementById('player').readyState >= 1")
        assert abs(float(page.evaluate("document.getElementById('player').duration")) - 480) < 0.5
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.getElementById('player').paused")
        assert audio, "the player asked for audio"
        assert all("/audio.ogg" in url for url, _, _ in audio), "the WAV is not fetched"
        assert all(status in (200, 206) for _, status, _ in audio), audio
        total = sum(size for _, _, size in audio)
        assert 0 < total < 3_000_000, f"{total} bytes of audio before play"
        assert page.locator(".turn").count() > 100
        page.screenshot(path=str(shots(tmp_path) / f"player-long-{width}-{lang}.png"))
        # Late in the call: seeking there plays by a range request, and the transcript follows.
        page.evaluate("(() => { const a = document.getElementById('player'); a.currentTime = 450; a.play(); })()")
        page.wait_for_function("() => document.getElementById('player').currentTime > 450.5")
        page.wait_for_function("() => { const el = document.querySelector('.turn-text .now');"
                               " if (!el) return false; const r = el.getBoundingClientRect();"
                               " return r.top >= 0 && r.bottom <= window.innerHeight; }")
        assert page.evaluate("window.scrollY") > 3000, "the transcript scrolled down to the playing word"
        assert any(status == 206 for _, status, _ in audio), "seeking used a range request"
    finally:
        context.close()
