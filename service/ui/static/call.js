// The call view: play the redacted recording, seek from turns, words and the timeline, and report a missed
// identifier from a text selection. Plain browser JavaScript, no build step, no third-party code.
(() => {
  "use strict";
  const root = document.getElementById("call");
  if (!root) return;
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  const audio = document.getElementById("player");
  const wave = document.getElementById("wave");
  const playhead = document.getElementById("playhead");
  const transcript = document.querySelector(".turns");
  const duration = parseFloat(root.dataset.duration) || 0;

  // --- audio ------------------------------------------------------------------------------------------
  // The element streams the Ogg/Opus listening copy by HTTP ranges (preload="metadata"); seeking waits for
  // the metadata only. The WAV is a download link (player.js adds the keys, search and zoom).
  let ready = null;
  function loadAudio() {
    if (!audio || !audio.getAttribute("src")) return Promise.reject(new Error("no audio"));
    if (!ready) {
      ready = audio.readyState >= 1 ? Promise.resolve()
        : new Promise((resolve) => audio.addEventListener("loadedmetadata", () => resolve(), { once: true }));
    }
    return ready;
  }

  function seek(t) {
    if (!audio || !Number.isFinite(t)) return;
    loadAudio().then(() => {
      audio.currentTime = Math.max(0, t);
      const p = audio.play();
      if (p && p.catch) p.catch(() => {});
    }).catch(() => {});
  }

  let playing = null;
  function onTime() {
    const t = audio.currentTime;
    if (playhead && duration > 0) {
      const x = String((Math.min(t, duration) / duration) * wave.viewBox.baseVal.width);
      playhead.setAttribute("x1", x);
      playhead.setAttribute("x2", x);
    }
    let current = null;
    for (const turn of document.querySelectorAll(".turn")) {
      if (t >= parseFloat(turn.dataset.start) && t < parseFloat(turn.dataset.end)) current = turn;
    }
    if (current !== playing) {
      if (playing) playing.classList.remove("playing");
      if (current) current.classList.add("playing");
      playing = current;
    }
  }
  if (audio) audio.addEventListener("timeupdate", onTime);

  if (wave && duration > 0) {
    wave.addEventListener("click", (ev) => {
      const box = wave.getBoundingClientRect();
      seek(((ev.clientX - box.left) / box.width) * duration);
    });
  }

  // --- clicking a turn or a word seeks there ----------------------------------------------------------
  if (transcript) {
    transcript.addEventListener("click", (ev) => {
      const sel = window.getSelection();
      if (sel && !sel.isCollapsed && transcript.contains(sel.anchorNode)) return; // selecting, not seeking
      const timed = ev.target.closest("[data-t]");
      const turn = ev.target.closest(".turn");
      if (timed && timed.dataset.t !== "None") seek(parseFloat(timed.dataset.t));
      else if (turn) seek(parseFloat(turn.dataset.start));
    });
  }

  // --- selection → character offsets in the stored turn text ----------------------------------------
  const form = document.getElementById("report-form");
  const info = document.getElementById("sel-info");
  const submit = document.getElementById("report-submit");
  const typeSelect = document.getElementById("report-type");
  const errorBox = document.getElementById("report-error");
  let picked = null;

  const elementOf = (node) => (node.nodeType === 1 ? node : node.parentElement);
  const turnTextOf = (node) => { const el = elementOf(node); return el ? el.closest(".turn-text") : null; };

  // Every child of .turn-text is a segment with data-s/data-e: offsets in the stored text, whatever is shown.
  function offsetOf(container, node, offset) {
    if (node === container) {
      const kids = container.children;
      if (offset >= kids.length) return kids.length ? Number(kids[kids.length - 1].dataset.e) : 0;
      return Number(kids[offset].dataset.s);
    }
    const seg = elementOf(node).closest("[data-s]");
    if (!seg || !container.contains(seg)) return null;
    const s = Number(seg.dataset.s);
    const e = Number(seg.dataset.e);
    if (node.nodeType === 1 || seg.classList.contains("chip")) return offset > 0 ? e : s;
    return Math.min(e, s + offset);
  }

  function readSelection() {
    const sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
    const range = sel.getRangeAt(0);
    const a = turnTextOf(range.startContainer);
    const b = turnTextOf(range.endContainer);
    if (!a && !b) return null; // a selection elsewhere on the page
    if (a !== b) return { error: true };
    const start = offsetOf(a, range.startContainer, range.startOffset);
    const end = offsetOf(a, range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return null;
    return { el: a, turn: Number(a.dataset.turn), start, end };
  }

  function words(p) {
    return [...p.el.querySelectorAll(".w, .chip")].filter(
      (w) => Number(w.dataset.s) < p.end && p.start < Number(w.dataset.e));
  }

  function showPicked() {
    document.querySelectorAll(".picked").forEach((w) => w.classList.remove("picked"));
    if (!picked) {
      info.textContent = form.dataset.msgNone;
      submit.disabled = true;
      return;
    }
    const covered = words(picked);
    covered.forEach((w) => w.classList.add("picked"));
    const text = covered.map((w) => w.textContent).join(" ");
    info.textContent = `${form.dataset.msgTurn.replace("{n}", String(picked.turn + 1))}: «${text}»`;
    submit.disabled = covered.length === 0;
  }

  if (form) {
    document.addEventListener("selectionchange", () => {
      const p = readSelection();
      if (p === null) return; // keep the last pick while focus moves to the form
      errorBox.hidden = true;
      if (p.error) {
        picked = null;
        showPicked();
        info.textContent = form.dataset.msgOneTurn;
        return;
      }
      picked = p;
      showPicked();
    });

    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (!picked) return;
      submit.disabled = true;
      fetch(form.dataset.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ turn: picked.turn, start: picked.start, end: picked.end, type: typeSelect.value }),
      })
        .then(async (r) => {
          const body = await r.json().catch(() => ({}));
          if (!r.ok) throw new Error(body.detail || String(r.status));
          return body;
        })
        .then((body) => {
          const next = new URL(window.location.href);  // keeps ?client= (call ids are unique per client only)
          next.searchParams.set("reported", "1");
          next.hash = `turn-${body.turn}`;
          window.location.assign(next.toString());
        })
        .catch((err) => {
          errorBox.textContent = form.dataset.msgError.replace("{reason}", err.message);
          errorBox.hidden = false;
          submit.disabled = false;
        });
    });
  }

  // --- keyboard: ←/→ pick a word, Shift extends, Enter or Space plays from it -------------------------
  const cursor = new WeakMap();
  if (transcript) {
    transcript.addEventListener("keydown", (ev) => {
      const el = ev.target.closest && ev.target.closest(".turn-text");
      if (!el) return;
      const toks = [...el.querySelectorAll(".w, .chip")];
      if (!toks.length) return;
      const st = cursor.get(el) || { anchor: -1, focus: -1 };
      if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
        ev.preventDefault();
        const dir = ev.key === "ArrowRight" ? 1 : -1;
        const focus = st.focus < 0 ? (dir > 0 ? 0 : toks.length - 1)
          : Math.min(toks.length - 1, Math.max(0, st.focus + dir));
        const anchor = ev.shiftKey && st.anchor >= 0 ? st.anchor : focus;
        cursor.set(el, { anchor, focus });
        const lo = Math.min(anchor, focus);
        const hi = Math.max(anchor, focus);
        window.getSelection().setBaseAndExtent(toks[lo], 0, toks[hi], toks[hi].childNodes.length);
        toks[focus].scrollIntoView({ block: "nearest" });
      } else if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        const tok = st.focus >= 0 ? toks[st.focus] : null;
        const t = tok && tok.dataset.t ? tok.dataset.t : el.closest(".turn").dataset.start;
        seek(parseFloat(t));
      }
    });
  }
})();
