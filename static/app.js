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
  // The card browser: one box ticks every card of the page.
  for (const all of document.querySelectorAll("input[data-select-all]")) {
    all.addEventListener("change", () => {
      for (const box of all.form.querySelectorAll('input[name="cards"]')) box.checked = all.checked;
    });
  }
  // A year heatmap wider than a phone opens on its latest weeks, at the right.
  for (const heatmap of document.querySelectorAll("figure.chart-heatmap")) {
    heatmap.scrollLeft = heatmap.scrollWidth;
  }
  quizTopics();
  examClock();
  studyKeys();
});

// Exam clock: count the time left down as m:ss. The server is the authority: an answer after
// the deadline is refused and the attempt closes, so at zero the page reloads to show that.
function examClock() {
  const clock = document.querySelector("[data-seconds-left] [data-clock]");
  if (!clock) return;
  const end = Date.now() + Number(clock.parentElement.dataset.secondsLeft) * 1000;
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    clock.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    if (left === 0) {
      window.clearInterval(timer);
      window.setTimeout(() => window.location.reload(), 1500);
    }
  };
  const timer = window.setInterval(tick, 1000);
  tick();
}

// Quiz form: show only the chosen deck's topics (without JS every deck's are listed, and the
// server ignores none of them, so a hidden deck's ticks are disabled rather than sent).
function quizTopics() {
  for (const form of document.querySelectorAll("form[data-quiz-form]")) {
    const deck = form.querySelector("select[name=deck]");
    if (!deck) continue;
    const sync = () => {
      for (const set of form.querySelectorAll("fieldset[data-deck]")) {
        const shown = set.dataset.deck === deck.value;
        set.hidden = !shown;
        for (const input of set.querySelectorAll("input")) input.disabled = !shown;
      }
    };
    deck.addEventListener("change", sync);
    sync();
  }
}

// Study: Space/Enter reveals, 1-4 grade, U undoes. Without JS the same actions are links
// and buttons.
function studyKeys() {
  const study = document.querySelector("[data-study]");
  if (!study) return;
  const back = study.querySelector("[data-back]");
  const answers = study.querySelector("[data-answers]");
  const revealLink = study.querySelector("[data-reveal]");
  let sent = false;
  const revealed = () => answers && !answers.hidden;
  const reveal = () => {
    if (!answers) return;
    back.hidden = false;
    answers.hidden = false;
    const wrap = study.querySelector("[data-reveal-wrap]");
    if (wrap) wrap.hidden = true;
    const good = answers.querySelector('form[data-rating="3"] button');
    if (good) good.focus();
  };
  const submit = (form) => {
    if (!form || sent) return;
    sent = true; // one answer per card: a double press must not send twice
    form.submit();
  };
  if (revealLink) {
    revealLink.addEventListener("click", (event) => { event.preventDefault(); reveal(); });
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select") return;
    const key = event.key;
    if (key === " " || key === "Enter") {
      event.preventDefault();
      if (answers && !revealed()) reveal();
      else if (revealed()) submit(answers.querySelector('form[data-rating="3"]'));
    } else if (["1", "2", "3", "4"].includes(key) && revealed()) {
      event.preventDefault();
      submit(answers.querySelector(`form[data-rating="${key}"]`));
    } else if (key === "u" || key === "U") {
      event.preventDefault();
      submit(study.querySelector("form[data-undo]"));
    }
  });
}
