// The workspace shell: sign-in, the session (who, which roles, which views), the left navigation
// and a hash router that renders one view at a time. Views are modules with
// `render(main, params, ctx)`; ctx.alive() turns false when the person has moved on, so a late
// answer never draws over the next view, and ctx.onLeave(fn) cleans up (graphs, charts).

import { ApiError, api, get, onSignedOut, setCsrf } from "./api.js";
import { byId, clear, h, notice } from "./dom.js";

export const state = { session: null, meta: null, idleMinutes: null };

const VIEWS = [
  { key: "alerts", action: "alerts", title: "Alert queue", pattern: /^alerts\/?$/, load: () => import("./queue.js") },
  { key: "alerts", action: "alerts", title: "Dossier", pattern: /^alerts\/(.+)$/, load: () => import("./dossier.js"), hidden: true },
  { key: "explore", action: "explore", title: "Network", pattern: /^explore(?:\/([a-z]+)\/(.+))?$/, load: () => import("./explore.js") },
  { key: "queries", action: "queries", title: "Named queries", pattern: /^queries(?:\/(.+))?$/, load: () => import("./queries.js") },
  { key: "trends", action: "trends", title: "Prevention trends", pattern: /^trends\/?$/, load: () => import("./trends.js") },
  { key: "audit", action: "audit", title: "Audit log", pattern: /^audit\/?$/, load: () => import("./audit.js") },
];

let generation = 0;
let leaving = [];

export function allowed(action) {
  return Boolean(state.session && (state.session.actions || []).includes(action));
}

function route() {
  const raw = location.hash.replace(/^#\/?/, "");
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // a malformed link: no view matches it, and the start page is shown
  }
}

export function go(path) {
  if (location.hash === `#/${path}`) render();
  else location.hash = `#/${path}`;
}

function firstView() {
  return VIEWS.find((v) => !v.hidden && allowed(v.action));
}

function drawNav(current) {
  const nav = byId("nav");
  clear(nav);
  for (const v of VIEWS) {
    if (v.hidden || !allowed(v.action)) continue;
    nav.append(h("a", { href: `#/${v.key}`, "aria-current": current && current.key === v.key ? "page" : null }, v.title));
  }
  nav.hidden = false;
}

function drawWho() {
  const s = state.session;
  byId("who").hidden = !s;
  if (!s) return;
  byId("who-user").textContent = s.user;
  byId("who-roles").textContent = (s.roles || []).join(" + ");
  const run = state.meta && state.meta.run;
  const bits = [];
  if (state.meta) bits.push(`${state.meta.store} store`);
  if (run) {
    bits.push(`scored ${String(run.scored_at || "").slice(0, 16).replace("T", " ")} UTC`);
    if (run.as_of) bits.push(`as of ${String(run.as_of).slice(0, 10)}`);
    bits.push(`${run.alerts} alerts of ${run.employees} employees`);
  }
  byId("run-info").textContent = bits.join(" · ");
}

async function render() {
  const main = byId("view");
  if (!state.session) return;
  for (const fn of leaving) {
    try {
      fn();
    } catch (err) {
      console.warn(err);
    }
  }
  leaving = [];
  const mine = ++generation;
  let path = route();
  let view = VIEWS.find((v) => v.pattern.test(path));
  if (!view) {
    view = firstView();
    if (!view) {
      drawNav(null);
      clear(main).append(notice("warn", "Your role has no view in the workspace. Ask an administrator for the role you need."));
      return;
    }
    history.replaceState(null, "", `#/${view.key}`);
    path = view.key;
  }
  drawNav(view);
  if (!allowed(view.action)) {
    clear(main).append(h("h1", null, view.title), notice("warn", "Your role may not use this view. ", h("a", { href: "#/" }, "Back to your start page.")));
    return;
  }
  const match = view.pattern.exec(path);
  const ctx = { alive: () => mine === generation && state.session !== null, onLeave: (fn) => leaving.push(fn) };
  document.title = `${view.title} · graphrisk workspace`;
  try {
    const module = await view.load();
    if (!ctx.alive()) return;
    clear(main);
    const rendering = module.render(main, match.slice(1), ctx);
    if (document.activeElement === document.body || !main.contains(document.activeElement)) {
      main.focus({ preventScroll: true }); // a screen reader starts at the new view, not at the nav
    }
    await rendering;
  } catch (err) {
    if (!ctx.alive()) return;
    showError(main, err);
  }
}

// An error as a person reads it; a 401 has already sent the page to the sign-in form.
export function showError(main, err) {
  if (err instanceof ApiError && err.status === 401) return;
  const text = err instanceof ApiError ? err.message : `Something went wrong in the page: ${err && err.message}`;
  if (!(err instanceof ApiError)) console.error(err);
  main.append(notice("error", text));
}

export function errorText(err) {
  return err instanceof ApiError ? err.message : String(err && err.message ? err.message : err);
}

function signInForm(message) {
  state.session = null;
  state.meta = null;
  generation++;
  drawWho();
  byId("nav").hidden = true;
  byId("run-info").textContent = "";
  const main = clear(byId("view"));
  const user = h("input", { name: "username", id: "signin-user", autocomplete: "username", required: true });
  const pass = h("input", { name: "password", id: "signin-pass", type: "password", autocomplete: "current-password", required: true });
  const status = h("div", { "aria-live": "polite" }, message ? notice(message.kind, message.text) : null);
  const button = h("button", { type: "submit" }, "Sign in");
  const form = h("form", { class: "form", "aria-labelledby": "signin-title" },
    h("label", { for: "signin-user" }, "User name", user),
    h("label", { for: "signin-pass" }, "Password", pass),
    button);
  form.addEventListener("submit", async (evt) => {
    evt.preventDefault();
    button.disabled = true;
    clear(status);
    try {
      const answer = await api("POST", "/api/login", { body: { username: user.value, password: pass.value }, signingIn: true });
      setCsrf(answer.csrf);
      if (answer.idle_timeout_s) state.idleMinutes = Math.round(answer.idle_timeout_s / 60);
      pass.value = "";
      await startSession();
    } catch (err) {
      button.disabled = false;
      let text = errorText(err);
      if (err instanceof ApiError && err.code === "bad-credentials") text = "Wrong user name or password.";
      status.append(notice("error", text));
      pass.select();
    }
  });
  main.append(h("div", { class: "signin panel" },
    h("h1", { id: "signin-title" }, "Sign in to the workspace"),
    h("p", { class: "muted" }, "Employees are shown by pseudonym. Every dossier you open, every reveal and every change is written to the audit log."),
    status, form));
  user.focus();
}

// The last user signed in on this page: when someone else signs in after a session ended, the
// page starts afresh, so that nothing the previous user typed or opened stays in its memory.
let lastUser = null;

async function startSession() {
  const session = await api("GET", "/api/session", { signingIn: true });
  if (lastUser !== null && lastUser !== session.user) {
    location.reload();
    return;
  }
  lastUser = session.user;
  if (session.idle_timeout_s) state.idleMinutes = Math.round(session.idle_timeout_s / 60);
  setCsrf(session.csrf);
  state.session = session;
  state.meta = null;
  if ((session.actions || []).length) {
    try {
      state.meta = await get("/api/meta");
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
      state.meta = null; // the views say what they miss
    }
  }
  drawWho();
  // a person signing in where the last one left off starts on their own first view instead
  const here = VIEWS.find((v) => v.pattern.test(route()));
  if (here && !allowed(here.action)) {
    const first = firstView();
    history.replaceState(null, "", first ? `#/${first.key}` : "#/");
  }
  await render();
}

async function boot() {
  onSignedOut(() => {
    const idle = state.idleMinutes ? `${state.idleMinutes} minutes` : "a time";
    signInForm({ kind: "warn", text: `Your session has ended: you were signed out after ${idle} without activity, or elsewhere. Sign in again to go on where you were.` });
  });
  byId("sign-out").addEventListener("click", async () => {
    try {
      await api("POST", "/api/logout");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
    setCsrf(null);
    // a fresh page: no dossier, reveal or typed text of this user stays in memory
    sessionStorage.setItem("graphrisk-signed-out", "1");
    state.session = null; // nothing renders (or asks the server) before the page is gone
    history.replaceState(null, "", "#/");
    location.reload();
  });
  window.addEventListener("hashchange", () => render());
  try {
    await startSession();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      const left = sessionStorage.getItem("graphrisk-signed-out");
      sessionStorage.removeItem("graphrisk-signed-out");
      signInForm(left ? { kind: "info", text: "You have signed out." } : null);
    }
    else {
      clear(byId("view")).append(notice("error", errorText(err)));
    }
  }
}

boot();
