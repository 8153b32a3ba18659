// barge console: the few parts of the pages that move. Everything else is
// plain server-rendered HTML.
"use strict";

// Dashboard: swap in a freshly rendered #live every few seconds.
function liveDashboard(el) {
  const url = el.dataset.live;
  const tick = async () => {
    try {
      const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (r.ok) el.innerHTML = await r.text();
    } catch (e) { /* the server is away for a moment: try again */ }
    setTimeout(tick, 3000);
  };
  setTimeout(tick, 3000);
}

// Job page: tail the log (into pre, when the page shows one) and keep the
// status badge current.
function tailLog(pre) {
  const url = pre.dataset.log;
  const showLog = pre.tagName === "PRE";
  const status = document.getElementById("status");
  const reason = document.getElementById("status-reason");
  let after = "";
  const ended = (st) => st === "SUCCEEDED" || st === "FAILED";
  // As the page was drawn: a job that ends before the first poll still
  // gets the reload that shows how it ended.
  let wasFinished = status ? ended(status.textContent) : null;
  const tick = async () => {
    let delay = 1000;
    try {
      const r = await fetch(url + (url.includes("?") ? "&" : "?") + "after=" + encodeURIComponent(after),
        { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } });
      if (r.ok) {
        const page = await r.json();
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        if (showLog) {
          for (const e of page.events) pre.append(e.message + "\n");
          if (atBottom) pre.scrollTop = pre.scrollHeight;
        }
        after = page.next;
        if (status && status.textContent !== page.status) {
          status.textContent = page.status;
          status.className = "badge s-" + page.status;
        }
        if (reason) reason.textContent = page.statusReason || "";
        const finished = ended(page.status);
        if (showLog && !url.includes("attempt=") && page.attempt !== Number(pre.dataset.attempt)) {
          // Another attempt started: show it, in the attempts table too.
          location.reload();
          return;
        }
        if (wasFinished === false && finished) {
          // The job just ended: reload once for its attempts and exit code.
          location.reload();
          return;
        }
        wasFinished = finished;
        if (page.done) return;
        if (page.events.length > 0) delay = 200;
      }
    } catch (e) { /* try again */ }
    setTimeout(tick, delay);
  };
  tick();
}

document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  if (live) liveDashboard(live);
  const log = document.getElementById("log") || document.getElementById("follow");
  if (log) tailLog(log);
});
