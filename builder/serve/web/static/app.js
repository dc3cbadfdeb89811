// brewkit serve: the daemon's page. The server renders it; this script
// refreshes its live parts every 2 s from /ui/live, streams the log of
// the job shown, and sends Retry and Cancel with the token of the tab.
"use strict";
(() => {
  const POLL_MS = 2000;
  const LOG_MAX = 2 << 20; // characters of log kept on screen
  const TOKEN_KEY = "brewkit-token";
  const $ = (id) => document.getElementById(id);

  // ---- the token ----------------------------------------------------
  const token = () => sessionStorage.getItem(TOKEN_KEY) || "";
  const auth = (headers = {}) => (token() ? { ...headers, Authorization: "Bearer " + token() } : headers);

  function showToken() {
    $("token-state").textContent = token() ? "a token is set for this tab" : "no token";
  }
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const v = $("token").value.trim();
    if (v) sessionStorage.setItem(TOKEN_KEY, v);
    $("token").value = "";
    showToken();
    clearNotice();
    refresh();
    restartLog();
  });
  $("token-forget").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showToken();
  });

  // ---- notices ------------------------------------------------------
  function notice(text, kind) {
    const n = $("notice");
    n.textContent = text;
    n.className = "notice " + kind;
    n.hidden = false;
  }
  function clearNotice() {
    $("notice").hidden = true;
  }

  // errorText explains an answer that is not a success, the server's
  // own words included.
  async function errorText(resp, what) {
    let msg = "";
    try {
      const body = await resp.text();
      try { msg = JSON.parse(body).error || body; } catch { msg = body; }
    } catch { /* no body */ }
    msg = (msg || "").trim();
    switch (resp.status) {
      case 401: return `${what}: 401 Unauthorized: this needs an API token; enter yours above.` + (msg ? ` (${msg})` : "");
      case 403: return `${what}: 403 Forbidden: ` + (msg || "the token is not allowed to do this.");
      default: return `${what}: ${resp.status} ${resp.statusText}` + (msg ? `: ${msg}` : "");
    }
  }

  // ---- the live parts -----------------------------------------------
  let refreshing = false;
  let timer = 0;

  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    clearTimeout(timer);
    try {
      const resp = await fetch("/ui/live" + location.search, { headers: auth(), cache: "no-store" });
      if (!resp.ok) {
        $("conn").textContent = "not updated";
        if (resp.status === 401 || resp.status === 403) notice(await errorText(resp, "Reading the server"), "error");
        return;
      }
      const tpl = document.createElement("template");
      tpl.innerHTML = await resp.text();
      for (const part of tpl.content.querySelectorAll("[data-live]")) {
        const old = document.getElementById(part.id);
        // Not under the user's hands: an open select would close.
        if (old && !(part.id === "filters" && old.contains(document.activeElement))) old.replaceWith(part);
      }
      $("conn").textContent = "updated " + new Date().toLocaleTimeString();
      followShownJob();
    } catch (err) {
      $("conn").textContent = "connection lost; retrying";
    } finally {
      refreshing = false;
      if (!document.hidden) timer = setTimeout(refresh, POLL_MS);
    }
  }
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });

  // ---- navigation without a reload ----------------------------------
  function go(search, push) {
    history[push ? "pushState" : "replaceState"](null, "", search ? search : location.pathname);
    refresh();
  }
  // The filters are a form the server renders again: listen on the
  // document.
  function applyFilters() {
    const q = new URLSearchParams(new FormData($("filters")));
    for (const [k, v] of [...q]) if (!v) q.delete(k);
    go(q.toString() ? "?" + q : "", false);
  }
  document.addEventListener("change", (e) => {
    if (e.target.closest("#filters")) applyFilters();
  });
  document.addEventListener("submit", (e) => {
    if (e.target.id !== "filters") return;
    e.preventDefault();
    applyFilters();
  });
  document.addEventListener("click", (e) => {
    const a = e.target.closest("a.job-link, a.state-link");
    if (a && !e.ctrlKey && !e.metaKey && !e.shiftKey && e.button === 0) {
      e.preventDefault();
      const url = new URL(a.href);
      go(url.search, true);
      const st = new URLSearchParams(url.search).get("state") || "";
      if ($("filters")) $("filters").elements.state.value = st;
      if (a.classList.contains("job-link")) {
        const panel = $("live-job");
        if (panel && window.matchMedia("(max-width: 1099px)").matches) window.scrollTo({ top: 0 });
      }
      return;
    }
    const b = e.target.closest("button[data-action]");
    if (b) act(b);
  });
  window.addEventListener("popstate", refresh);

  // ---- Retry and Cancel ---------------------------------------------
  async function act(button) {
    const { action, job } = button.dataset;
    const what = button.getAttribute("aria-label") || (action === "retry" ? "Retry " : "Cancel ") + job;
    button.disabled = true;
    try {
      const resp = await fetch(jobURL(job) + "/" + action, { method: "POST", headers: auth() });
      if (resp.ok) notice(`${what}: accepted.`, "ok");
      else notice(await errorText(resp, what), "error");
    } catch (err) {
      notice(`${what}: the server did not answer (${err}).`, "error");
    } finally {
      button.disabled = false;
      refresh();
    }
  }

  // jobURL is the API URL of a job: its id is SOURCE/ARCH.
  const jobURL = (id) => "/api/v1/jobs/" + id.split("/").map(encodeURIComponent).join("/");

  // ---- the log of the job shown -------------------------------------
  const RUNNING = new Set(["queued", "waiting", "running"]);
  let log = { job: "", ctl: null, ended: true, state: "" };

  // followShownJob streams the log of the job the page shows: a new
  // job, or the same job running again after its stream ended.
  function followShownJob() {
    const part = $("live-job");
    const job = (part && part.dataset.job) || "";
    const state = (part && part.dataset.state) || "";
    $("log-panel").hidden = !job;
    if (!job) {
      stopLog();
      log = { job: "", ctl: null, ended: true, state: "" };
      return;
    }
    // A job that runs again gets a stream again; one stuck queued does
    // not get one every poll.
    const again = log.ended && RUNNING.has(state) && (state !== log.state || state === "running");
    if (job !== log.job || again) startLog(job);
    log.state = state;
  }

  function restartLog() {
    if (log.job) startLog(log.job);
  }

  function stopLog() {
    if (log.ctl) log.ctl.abort();
    log.ctl = null;
  }

  function startLog(job) {
    stopLog();
    const ctl = new AbortController();
    log = { job, ctl, ended: false, state: log.job === job ? log.state : "" };
    const pre = $("log");
    pre.textContent = "";
    shown = 0;
    $("log-plain").href = jobURL(job) + "/log";
    $("log-state").textContent = "connecting";
    streamLog(job, ctl).catch((err) => {
      if (ctl.signal.aborted) return;
      $("log-state").textContent = "stream lost: " + err.message;
      log.ended = true;
    });
  }

  async function streamLog(job, ctl) {
    const resp = await fetch(jobURL(job) + "/log", {
      headers: auth({ Accept: "text/event-stream" }), signal: ctl.signal, cache: "no-store",
    });
    if (!resp.ok) {
      $("log-state").textContent = await errorText(resp, "The log");
      log.ended = true;
      return;
    }
    $("log-state").textContent = "live";
    const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    let ev = { name: "", data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, "");
        buf = buf.slice(nl + 1);
        if (line === "") {
          if (ev.data.length) onEvent(ev.name, ev.data.join("\n"));
          ev = { name: "", data: [] };
        } else if (line.startsWith("event:")) {
          ev.name = line.slice(6).trim();
        } else if (line.startsWith("data:")) {
          ev.data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
        } // a comment (": heartbeat") or a field we do not use
      }
    }
    if (log.ctl === ctl && !log.ended) {
      $("log-state").textContent = "stream closed";
      log.ended = true;
    }
  }

  function onEvent(name, data) {
    const pre = $("log");
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
    if (name === "") {
      append(pre, data + "\n");
    } else if (name === "attempt") {
      let n = "";
      try { n = JSON.parse(data).attempt; } catch { /* keep going */ }
      append(pre, `── attempt ${n || "?"} ──\n`, "attempt");
    } else if (name === "end") {
      let st = "";
      try { st = JSON.parse(data).state; } catch { /* keep going */ }
      append(pre, `── the job ended: ${st || "over"} ──\n`, "end");
      $("log-state").textContent = "ended: " + (st || "over");
      log.ended = true;
      log.state = st;
    }
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  let shown = 0; // characters in the log on screen

  function append(pre, text, cls) {
    let node = document.createTextNode(text);
    if (cls) {
      const span = document.createElement("span");
      span.className = cls;
      span.appendChild(node);
      node = span;
    }
    pre.appendChild(node);
    shown += text.length;
    while (shown > LOG_MAX && pre.firstChild) {
      shown -= pre.firstChild.textContent.length;
      pre.removeChild(pre.firstChild);
    }
  }

  showToken();
  followShownJob();
  timer = setTimeout(refresh, POLL_MS);
})();
