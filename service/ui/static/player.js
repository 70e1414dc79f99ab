// The call page's player: the transcript follows playback (current word highlighted, auto-scroll), keys for
// play/pause, ±5 s, speed and next/previous redaction, search inside the call with hits on the timeline, a
// zoomable timeline that follows the playhead, and a "back to the list" link that keeps the list's view.
(() => {
  "use strict";
  const root = document.getElementById("call");
  const back = document.getElementById("back-link");
  try {
    const q = sessionStorage.getItem("puheturva.listQuery");
    if (back && q && q.startsWith("?")) back.href = `/ui/calls${q}`;
  } catch (e) { /* storage off: the bare list */ }
  const audio = document.getElementById("player");
  if (!root || !audio) return;
  const wave = document.getElementById("wave");
  const duration = parseFloat(root.dataset.duration) || 0;
  const tokens = [...document.querySelectorAll(".turn-text .w[data-t], .turn-text .chip[data-t]")]
    .filter((el) => Number.isFinite(parseFloat(el.dataset.t)))
    .sort((a, b) => parseFloat(a.dataset.t) - parseFloat(b.dataset.t));
  const times = tokens.map((el) => parseFloat(el.dataset.t));
  const redactions = [...new Set([...document.querySelectorAll(".turn-text .chip[data-t]")]
    .map((el) => parseFloat(el.dataset.t)).filter(Number.isFinite))].sort((a, b) => a - b);
  const follow = document.getElementById("follow");

  function seekTo(t) {
    const end = Number.isFinite(audio.duration) ? audio.duration : duration;
    audio.currentTime = Math.max(0, Math.min(t, end || t));
  }
  function toggle() {
    if (audio.paused) { const p = audio.play(); if (p && p.catch) p.catch(() => {}); } else audio.pause();
  }

  // --- follow-along: the word being said, scrolled into view -----------------------------------------
  let current = null;
  function lastAtOrBefore(list, t) {  // index of the last value <= t (binary search), -1 if none
    let lo = 0, hi = list.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= t) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }
  function inView(el) {
    const r = el.getBoundingClientRect();
    const player = document.querySelector(".player");
    const top = player && getComputedStyle(player).position === "sticky" ? player.getBoundingClientRect().bottom : 0;
    return r.top >= top && r.bottom <= window.innerHeight;
  }
  function onTime() {
    const t = audio.currentTime;
    const i = lastAtOrBefore(times, t);
    let word = i >= 0 ? tokens[i] : null;
    if (word && t >= parseFloat(word.closest(".turn").dataset.end)) word = null;  // between turns
    if (word !== current) {
      if (current) current.classList.remove("now");
      if (word) word.classList.add("now");
      current = word;
      if (word && follow && follow.checked && !audio.paused && !inView(word)) {
        word.scrollIntoView({ block: "center", behavior: "auto" });
      }
    }
    followPlayhead(t);
  }
  audio.addEventListener("timeupdate", onTime);
  audio.addEventListener("seeked", onTime);

  // --- speed ----------------------------------------------------------------------------------------
  const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const speedOut = document.getElementById("speed");
  function setSpeed(step) {
    const i = SPEEDS.indexOf(audio.playbackRate);
    const next = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (i < 0 ? 1 : i) + step))];
    audio.playbackRate = next;
    if (speedOut) speedOut.textContent = `${next}×`;
  }
  const click = (id, fn) => { const el = document.getElementById(id); if (el) el.addEventListener("click", fn); };
  click("speed-down", () => setSpeed(-1));
  click("speed-up", () => setSpeed(1));

  // --- redactions: next / previous --------------------------------------------------------------------
  function jumpRedaction(dir) {
    const t = audio.currentTime;
    const target = dir > 0 ? redactions.find((r) => r > t + 0.05)
      : [...redactions].reverse().find((r) => r < t - 0.05);
    if (target !== undefined) seekTo(target);
  }

  // --- zoomable timeline ------------------------------------------------------------------------------
  const ZOOMS = [1, 2, 4, 8, 16];
  let zoom = 1;
  let scroller = null;
  if (wave) {
    scroller = document.createElement("div");
    scroller.className = "wave-scroll";
    scroller.tabIndex = 0;
    scroller.setAttribute("role", "group");
    scroller.setAttribute("aria-label", wave.getAttribute("aria-label") || "");
    wave.parentNode.insertBefore(scroller, wave);
    scroller.appendChild(wave);
  }
  const zoomOut = document.getElementById("zoom-out");
  const zoomIn = document.getElementById("zoom-in");
  const zoomOutput = document.getElementById("zoom");
  function setZoom(step) {
    if (!wave) return;
    const i = ZOOMS.indexOf(zoom);
    zoom = ZOOMS[Math.max(0, Math.min(ZOOMS.length - 1, i + step))];
    if (zoom === 1) {
      wave.style.width = "";
      wave.style.height = "";
      wave.removeAttribute("preserveAspectRatio");
    } else {
      if (!wave.dataset.h) wave.dataset.h = String(wave.getBoundingClientRect().height);
      wave.setAttribute("preserveAspectRatio", "none");
      wave.style.height = `${wave.dataset.h}px`;
      wave.style.width = `${zoom * 100}%`;
    }
    wave.classList.toggle("zoomed", zoom > 1);
    if (zoomOutput) zoomOutput.textContent = `${zoom}×`;
    if (zoomOut) zoomOut.disabled = zoom === ZOOMS[0];
    if (zoomIn) zoomIn.disabled = zoom === ZOOMS[ZOOMS.length - 1];
    followPlayhead(audio.currentTime, true);
  }
  function followPlayhead(t, force) {
    if (!scroller || zoom === 1 || duration <= 0) return;
    const x = (Math.min(t, duration) / duration) * scroller.scrollWidth;
    const left = scroller.scrollLeft, width = scroller.clientWidth;
    if (force || x < left || x > left + width * 0.9) scroller.scrollLeft = Math.max(0, x - width * 0.25);
  }
  click("zoom-in", () => setZoom(1));
  click("zoom-out", () => setZoom(-1));

  // --- search inside the call ---------------------------------------------------------------------------
  const search = document.getElementById("call-search");
  const hitsOut = document.getElementById("search-hits");
  const words = [...document.querySelectorAll(".turn-text .w, .turn-text .chip")];
  let hits = [];
  const fold = (s) => s.toLocaleLowerCase().normalize("NFC");
  function runSearch() {
    hits.forEach((el) => el.classList.remove("hit", "hit-current"));
    if (wave) wave.querySelectorAll(".hit-mark").forEach((m) => m.remove());
    const q = fold(search.value.trim());
    hits = q.length < 2 ? [] : words.filter((el) => fold(el.textContent).includes(q));
    hits.forEach((el) => el.classList.add("hit"));
    if (hitsOut) hitsOut.textContent = q.length < 2 ? "" : search.dataset.msgHits.replace("{n}", String(hits.length));
    if (!wave || duration <= 0) return;
    const width = wave.viewBox.baseVal.width;
    const height = wave.viewBox.baseVal.height;
    for (const el of hits) {
      const t = parseFloat(el.dataset.t || el.closest(".turn").dataset.start);
      if (!Number.isFinite(t)) continue;
      const mark = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      mark.setAttribute("class", "hit-mark");
      mark.setAttribute("x", String(Math.max(0, (t / duration) * width - 1.5)));
      mark.setAttribute("y", "0");
      mark.setAttribute("width", "3");
      mark.setAttribute("height", String(height - 16));
      mark.dataset.t = String(t);
      wave.appendChild(mark);
    }
  }
  function nextHit() {
    if (!hits.length) return;
    const t = audio.currentTime;
    const timeOf = (el) => parseFloat(el.dataset.t || el.closest(".turn").dataset.start);
    const next = hits.find((el) => timeOf(el) > t + 0.05) || hits[0];
    hits.forEach((el) => el.classList.remove("hit-current"));
    next.classList.add("hit-current");
    seekTo(timeOf(next));
    next.scrollIntoView({ block: "center" });
  }
  if (search) {
    search.addEventListener("input", runSearch);
    search.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") { ev.preventDefault(); nextHit(); }
      if (ev.key === "Escape") { search.value = ""; runSearch(); search.blur(); }
    });
  }

  // --- keys ------------------------------------------------------------------------------------------
  const TEXT_FIELD = "input, textarea, select, [contenteditable], [contenteditable=''], [contenteditable=true]";
  document.addEventListener("keydown", (ev) => {
    if (ev.defaultPrevented || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const target = ev.target;
    if (target && target.closest && target.closest(TEXT_FIELD)) return;
    const onControl = target && target.closest && target.closest("button, a, summary, audio");
    const actions = {
      " ": onControl ? null : toggle, k: toggle,
      j: () => seekTo(audio.currentTime - 5), l: () => seekTo(audio.currentTime + 5),
      "<": () => setSpeed(-1), ">": () => setSpeed(1),
      n: () => jumpRedaction(1), N: () => jumpRedaction(-1),
      "+": () => setZoom(1), "=": () => setZoom(1), "-": () => setZoom(-1),
      "/": () => { if (search) search.focus(); },
    };
    let act = actions[ev.key];
    if (ev.shiftKey && ev.key === "ArrowLeft") act = () => seekTo(audio.currentTime - 5);
    if (ev.shiftKey && ev.key === "ArrowRight") act = () => seekTo(audio.currentTime + 5);
    if (!act) return;
    ev.preventDefault();
    act();
  });
})();
