// The call list remembers its filters, search and page for this tab, so a call page's "back to the list"
// link returns to the same view (player.js reads it). Only the list's own query string is kept.
(() => {
  "use strict";
  try { sessionStorage.setItem("puheturva.listQuery", window.location.search); } catch (e) { /* storage off */ }
})();
