// tradeoff: a little progressive enhancement. Every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Sign-up: send the browser's timezone instead of the UTC default.
  for (const input of document.querySelectorAll("input[data-detect-timezone]")) {
    try {
      const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (tz) input.value = tz;
    } catch (_) { /* keep UTC */ }
  }
  // Forms that destroy data ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
});
