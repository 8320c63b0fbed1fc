// The dossier of one alert, live: the score and its parts in words, the findings on a timeline,
// the evidence table, the network around the employee, the triage panel with its history, and a
// reveal of the identity with a reason (written to the audit log by the server).

import { ApiError, api, get } from "./api.js";
import { allowed, errorText, state } from "./app.js";
import { byId, clear, h, label, mono, notice, num, stateBadge, when } from "./dom.js";
import { graphPanel } from "./graph.js";
import { confirmedShare } from "./queue.js";

const SEVERITIES = ["low", "medium", "high", "critical"];
const SEVERITY_COLOURS = { low: "#7f8c8d", medium: "#d68910", high: "#c0392b", critical: "#6c1010" };
const STATES = ["new", "in_review", "confirmed", "dismissed", "resolved"];

export async function render(main, params, ctx) {
  const pseudonym = params[0];
  const path = `/api/alerts/${encodeURIComponent(pseudonym)}`;
  const dossier = await get(path);
  if (!ctx.alive()) return;
  const page = { main, ctx, path, pseudonym, dossier, charts: [], graph: null };
  ctx.onLeave(() => {
    for (const c of page.charts) c.destroy();
    if (page.graph) page.graph.view.destroy();
  });
  draw(page);
}

function draw(page) {
  const { main, dossier } = page;
  for (const c of page.charts) c.destroy();
  page.charts = [];
  if (page.graph) page.graph.view.destroy();
  page.graph = null;
  clear(main);
  const a = dossier.alert;
  main.append(
    h("p", { class: "crumbs" }, h("a", { href: "#/alerts" }, "← Alert queue")),
    head(page, a),
    notice("info", "For triage by people, not a verdict. Every finding is a look-up in a police system with the path that explains why it was flagged; discuss it with the employee and their representative before drawing conclusions. Knowing someone is never a finding by itself."),
    h("div", { class: "cols" },
      h("div", null, scorePanel(dossier), timelinePanel(page)),
      allowed("triage") ? triagePanel(page) : historyPanel(page)),
    evidencePanel(dossier),
    networkPanel(page));
  const share = h("div");
  main.append(share);
  confirmedShare(share, page.ctx, a.rules && a.rules.length ? a.rules : findingsRules(dossier));
  drawTimeline(page);
  loadGraph(page);
}

function findingsRules(dossier) {
  return [...new Set((dossier.findings || []).map((f) => f.rule))];
}

function head(page, a) {
  const d = page.dossier;
  const facts = h("dl", { class: "facts" },
    h("dt", null, "Rank"), h("dd", null, a.rank === undefined ? "" : `${a.rank}${a.alert === false ? " (below the threshold)" : ""}`),
    h("dt", null, "Peer group"), h("dd", null, a.peer_group ?? ""),
    h("dt", null, "Unit"), h("dd", null, a.unit ?? ""),
    h("dt", null, "Seen"), h("dd", null, `${when(a.first_seen)} – ${when(a.last_seen)} UTC`));
  const box = h("div", { class: "panel" },
    h("div", { class: "dossier-head" },
      h("div", null, h("div", { class: "muted" }, "Dossier"), h("h1", { class: "pseudonym", id: "dossier-title" }, a.pseudonym)),
      h("div", { class: "score", "aria-label": "Risk score" }, num(a.score, 3), h("small", null, " score")),
      h("div", { id: "dossier-state" }, stateBadge(a.state)),
      facts,
      allowed("reveal") && !d.revealed ? h("button", { type: "button", class: "danger", id: "reveal", onclick: () => askReveal(page) }, "Reveal identity…") : null));
  if (d.revealed && d.identity) {
    box.append(h("div", { class: "identity", role: "status", id: "identity" },
      h("strong", null, "Revealed: "), "employee ", mono(d.identity.employee_id), d.identity.name ? ", " : "",
      d.identity.name ? h("span", { class: "identity-name" }, d.identity.name) : null,
      h("span", { class: "muted" }, ` — the reason "${page.reason || ""}" is in the audit log.`)));
  }
  return box;
}

// The reveal: a reason of 8 characters or more, sent as X-Reveal-Reason; the server logs it.
function askReveal(page) {
  const reason = h("textarea", { id: "reveal-reason", required: true, minlength: 8, rows: 3, placeholder: "e.g. case 2026-114: interview with the employee" });
  const status = h("div", { "aria-live": "polite" });
  const go = h("button", { type: "submit", class: "danger" }, "Reveal and log");
  const cancel = h("button", { type: "button", class: "secondary" }, "Cancel");
  const dialog = h("dialog", { "aria-labelledby": "reveal-title" },
    h("form", { method: "dialog", class: "form" },
      h("h2", { id: "reveal-title" }, "Reveal the identity behind ", mono(page.pseudonym)),
      h("p", { class: "muted" }, "Say why you need the real identity. The reason, your name and the time are written to the audit log, which the auditor and the works council read."),
      h("label", { for: "reveal-reason" }, "Reason (at least 8 characters)", reason),
      status,
      h("div", { class: "buttons" }, cancel, go)));
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  dialog.querySelector("form").addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const text = reason.value.trim();
    if (text.length < 8) {
      clear(status).append(notice("error", "Give a reason of at least 8 characters."));
      return;
    }
    go.disabled = true;
    try {
      const revealed = await get(page.path, null, { reveal: text });
      dialog.close();
      if (!page.ctx.alive()) return;
      page.dossier = revealed;
      page.reason = text;
      draw(page);
    } catch (err) {
      go.disabled = false;
      clear(status).append(notice("error", errorText(err)));
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  reason.focus();
}

function scorePanel(d) {
  const panel = h("section", { class: "panel", "aria-labelledby": "parts-title" }, h("h2", { id: "parts-title" }, "Why this score"));
  const parts = d.parts || [];
  if (parts.length) {
    panel.append(h("table", { class: "data parts" },
      h("thead", null, h("tr", null, h("th", null, "Part"), h("th", { class: "num" }, "Points"), h("th", null, "In words"))),
      h("tbody", null, parts.map((p) => h("tr", null, h("td", null, p.part, p.key && p.key !== p.part ? h("div", { class: "mono muted" }, p.key) : null), h("td", { class: "num" }, num(p.points, 3)),
        h("td", null, p.sentence ?? "", (p.evidence || []).length
          ? h("details", { class: "part-evidence" }, h("summary", null, `evidence (${p.evidence.length})`),
            h("ul", null, p.evidence.map((e) => h("li", null, Array.isArray(e) ? e.filter((x) => x !== null && x !== undefined).join(": ") : String(e)))))
          : null)))),
      h("tfoot", null, h("tr", null, h("th", null, "Score"), h("th", { class: "num" }, num(d.alert.score, 3)), h("th", null, "")))));
  } else panel.append(h("p", { class: "muted" }, "No parts recorded for this score."));
  if ((d.reasons || []).length) {
    panel.append(h("h3", null, "Top reasons"), h("ul", { class: "reasons" }, d.reasons.map((r) => h("li", null, r))));
  }
  return panel;
}

function timelinePanel(page) {
  const n = (page.dossier.findings || []).length;
  return h("section", { class: "panel", "aria-labelledby": "timeline-title" },
    h("h2", { id: "timeline-title" }, `Findings over time (${n})`),
    n ? h("div", { class: "chart" }, h("canvas", { id: "timeline-chart", role: "img", "aria-label": "Findings by rule and time; the evidence table below lists them" })) : h("p", { class: "muted" }, "No findings."));
}

function drawTimeline(page) {
  const findings = page.dossier.findings || [];
  const canvas = byId("timeline-chart");
  if (!findings.length || !canvas || !window.Chart) return;
  const points = findings.map((f) => ({ x: Date.parse(f.timestamp), y: String(f.rule), id: f.finding_id, target: `${f.target_type ?? ""} ${f.target_id ?? ""}`, severity: f.severity }))
    .filter((p) => Number.isFinite(p.x));
  const rules = [...new Set(points.map((p) => p.y))].sort();
  const datasets = SEVERITIES.map((s) => ({
    label: s, pointRadius: 5, pointHoverRadius: 7, backgroundColor: SEVERITY_COLOURS[s], borderColor: SEVERITY_COLOURS[s],
    data: points.filter((p) => p.severity === s),
  })).filter((d) => d.data.length);
  const times = points.map((p) => p.x);
  const span = Math.max(...times) - Math.min(...times);
  const tick = span < 3 * 86400000 ? (v) => new Date(v).toISOString().slice(5, 16).replace("T", " ") : (v) => new Date(v).toISOString().slice(0, 10);
  page.charts.push(new window.Chart(canvas, {
    type: "scatter",
    data: { datasets },
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: {
        title: { display: true, text: "By rule and time (UTC); colour: severity" },
        tooltip: { callbacks: { label: (c) => `${new Date(c.raw.x).toISOString().slice(0, 16).replace("T", " ")} ${c.raw.y}: ${c.raw.target}` } },
      },
      scales: { x: { type: "linear", ticks: { callback: tick, maxTicksLimit: 7 } }, y: { type: "category", labels: rules, offset: true } },
      onClick: (_evt, items) => {
        if (!items.length) return;
        const p = datasets[items[0].datasetIndex].data[items[0].index];
        const row = document.querySelector(`tr[data-finding="${CSS.escape(String(p.id))}"]`);
        if (row) {
          document.querySelectorAll("tr.selected").forEach((r) => r.classList.remove("selected"));
          row.classList.add("selected");
          row.scrollIntoView({ block: "center" });
        }
      },
    },
  }));
}

function evidencePanel(d) {
  const findings = [...(d.findings || [])].sort((x, y) => String(x.timestamp).localeCompare(String(y.timestamp)));
  const panel = h("section", { class: "panel", "aria-labelledby": "evidence-title" },
    h("h2", { id: "evidence-title" }, "Evidence"),
    h("p", { class: "muted" }, "One row per finding, oldest first: the look-up and the relation path that explains it."));
  if (!findings.length) {
    panel.append(h("p", { class: "muted" }, "No findings."));
    return panel;
  }
  const path = (steps) => h("div", { class: "chain" }, (steps || []).map((s) => step(s)));
  panel.append(h("div", { class: "scroll" }, h("table", { class: "data evidence", id: "evidence" },
    h("thead", null, h("tr", null, ["Time (UTC)", "Rule", "Severity", "Target", "Case / organisation", "Explained by work", "Evidence path", "Detail"].map((t) => h("th", { scope: "col", class: t === "Explained by work" ? "num" : null }, t)))),
    h("tbody", null, findings.map((f) => h("tr", { class: "finding-row", dataset: { finding: f.finding_id ?? "" } },
      h("td", { class: "mono" }, when(f.timestamp)),
      h("td", null, mono(f.rule)),
      h("td", null, h("span", { class: `sev sev-${SEVERITIES.includes(f.severity) ? f.severity : "low"}` }, f.severity ?? "")),
      h("td", null, f.target_type ? `${f.target_type} ` : "", mono(f.target_id ?? "")),
      h("td", null, f.case_id ? ["case ", mono(f.case_id)] : null, f.case_id && f.organisation_id ? h("br") : null, f.organisation_id ? ["organisation ", mono(f.organisation_id)] : null),
      h("td", { class: "num" }, f.context === null || f.context === undefined ? "" : `${Math.round(Number(f.context) * 100)}%`),
      h("td", null, (f.evidence || []).length ? (f.evidence || []).map((steps, i) => [i ? h("div", { class: "muted" }, "or") : null, path(steps)]) : h("span", { class: "muted" }, "—")),
      h("td", null, f.detail ?? "")))))));
  return panel;
}

// One step of an evidence path: a node [Label, id], or a relationship type ("MEMBER_OF<-" is
// followed backwards).
function step(s) {
  if (Array.isArray(s)) return h("span", { class: "step-node" }, h("span", { class: "muted" }, `${s[0]} `), String(s[1] ?? ""));
  if (s && typeof s === "object") return h("span", { class: "step-node" }, JSON.stringify(s));
  const text = String(s);
  return h("span", { class: "step-rel" }, text.endsWith("<-") ? ` ←${text.slice(0, -2)}– ` : ` –${text}→ `);
}

function networkPanel(page) {
  page.networkSlot = h("div", null, h("p", { class: "muted" }, "Loading the network…"));
  return h("section", { class: "panel", "aria-labelledby": "network-title" },
    h("h2", { id: "network-title" }, "Network around the employee",
      allowed("explore") ? [" ", h("a", { class: "small", href: `#/explore/employee/${encodeURIComponent(page.pseudonym)}` }, "explore from here")] : null),
    page.networkSlot);
}

async function loadGraph(page) {
  try {
    // drawn again after a reveal: the network is the same, so it is not asked for (and logged) twice
    const elements = page.elements || (await get(`${page.path}/graph`, { hops: 1, max_nodes: 150 }));
    page.elements = elements;
    if (!page.ctx.alive() || !page.networkSlot.isConnected) return;
    clear(page.networkSlot);
    const centre = (elements.nodes || []).find((n) => n.data && String(n.data.label) === page.pseudonym);
    page.graph = graphPanel(page.networkSlot, elements, { centre: centre ? String(centre.data.id) : undefined });
  } catch (err) {
    if (page.ctx.alive()) clear(page.networkSlot).append(notice("error", `The network could not be drawn: ${errorText(err)}`));
  }
}

// --- triage --------------------------------------------------------------------------------

function triagePanel(page) {
  const meta = state.meta || {};
  const states = meta.triage_states || STATES;
  const reasons = meta.dismiss_reasons || [];
  const stateSel = h("select", { id: "triage-state", name: "state" }, states.map((s) => h("option", { value: s }, label(s))));
  const reasonSel = h("select", { id: "triage-dismiss-reason", name: "dismiss_reason" },
    h("option", { value: "" }, "choose a reason"), reasons.map((r) => h("option", { value: r }, label(r))));
  const reasonText = h("input", { id: "triage-dismiss-text", name: "dismiss_text", placeholder: "in your own words (optional)" });
  const dismissBox = h("fieldset", { class: "dismiss" }, h("legend", null, "Why dismissed"),
    h("label", { for: "triage-dismiss-reason" }, "Reason", reasonSel), h("label", { for: "triage-dismiss-text" }, "Details", reasonText));
  const people = [...new Set([...(meta.assignees || []), page.dossier.alert.assignee].filter(Boolean))].sort();
  const assignee = h("select", { id: "triage-assignee", name: "assignee" },
    h("option", { value: "" }, "nobody"), people.map((p) => h("option", { value: p }, p)));
  const mine = people.includes(state.session.user)
    ? h("button", { type: "button", class: "secondary", onclick: () => { assignee.value = state.session.user; } }, "Assign to me")
    : null;
  const note = h("textarea", { id: "triage-note", name: "note", rows: 3, placeholder: "What you checked, what you found, what is next" });
  const status = h("div", { id: "triage-status", "aria-live": "polite" });
  const save = h("button", { type: "submit", id: "triage-save" }, "Save");
  const form = h("form", { class: "form triage", "aria-labelledby": "triage-title" },
    h("div", { class: "row" }, h("label", { for: "triage-state" }, "State", stateSel),
      h("label", { for: "triage-assignee" }, "Assignee", h("span", { class: "row" }, assignee, mine))),
    dismissBox,
    h("label", { for: "triage-note" }, "Note", note),
    status,
    h("div", null, save));
  const history = h("ol", { class: "history", id: "triage-history", "aria-label": "History" });
  const panel = h("section", { class: "panel", "aria-labelledby": "triage-title" },
    h("h2", { id: "triage-title" }, "Triage"), form, h("h3", null, "History"), history);

  const fill = (a) => {
    stateSel.value = a.state || "new";
    if (a.assignee && ![...assignee.options].some((o) => o.value === a.assignee)) assignee.append(h("option", { value: a.assignee }, a.assignee));
    assignee.value = a.assignee || "";
    reasonSel.value = "";
    reasonText.value = "";
    dismissBox.hidden = stateSel.value !== "dismissed";
    const badge = byId("dossier-state");
    if (badge) clear(badge).append(stateBadge(a.state));
  };
  stateSel.addEventListener("change", () => { dismissBox.hidden = stateSel.value !== "dismissed"; });
  fill(page.dossier.alert);
  drawHistory(history, page.dossier);

  // After a save or a conflict: the history as the server has it now (the reveal, if any, stays).
  const refresh = async () => {
    try {
      const fresh = await get(page.path);
      if (!page.ctx.alive()) return;
      page.dossier = { ...page.dossier, alert: fresh.alert, history: fresh.history, notes: fresh.notes };
      drawHistory(history, page.dossier);
    } catch (err) {
      if (page.ctx.alive()) status.append(notice("warn", `The history could not be reloaded: ${errorText(err)}`));
    }
  };

  form.addEventListener("submit", async (evt) => {
    evt.preventDefault();
    const a = page.dossier.alert;
    const body = { version: a.version };
    if (stateSel.value !== a.state) body.state = stateSel.value;
    const who = assignee.value.trim() || null;
    if (who !== (a.assignee || null)) body.assignee = who;
    if (body.state === "dismissed") {
      if (!reasonSel.value) {
        clear(status).append(notice("error", "Choose why the alert is dismissed."));
        reasonSel.focus();
        return;
      }
      body.dismiss_reason = reasonSel.value;
      if (reasonText.value.trim()) body.dismiss_text = reasonText.value.trim();
    }
    if (note.value.trim()) body.note = note.value.trim();
    if (Object.keys(body).length === 1) {
      clear(status).append(notice("info", "Nothing to save: change the state or the assignee, or write a note."));
      return;
    }
    save.disabled = true;
    clear(status);
    try {
      const updated = await api("PATCH", page.path, { body });
      if (!page.ctx.alive()) return;
      page.dossier.alert = updated;
      note.value = "";
      fill(updated);
      status.append(notice("ok", `Saved: ${label(updated.state)}${updated.assignee ? `, assigned to ${updated.assignee}` : ""}.`));
      await refresh();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.body.current) {
        // someone else saved first: show what they did, keep what this person typed in the note
        const current = err.body.current;
        page.dossier.alert = current;
        fill(current);
        status.append(notice("warn",
          `Someone else changed this alert while you had it open${current.updated_by ? ` (${current.updated_by}, ${when(current.updated_at)} UTC)` : ""}: `,
          `it is now ${label(current.state)}${current.assignee ? `, assigned to ${current.assignee}` : ""}. `,
          "Nothing of yours was saved. The form shows the current state and your note is kept: check it and save again."));
        await refresh();
      } else if (!(err instanceof ApiError && err.status === 401)) {
        status.append(notice("error", errorText(err)));
      }
    } finally {
      save.disabled = false;
    }
  });
  return panel;
}

// For a role that may read an alert but not change it: the history alone.
function historyPanel(page) {
  const list = h("ol", { class: "history", id: "triage-history", "aria-label": "History" });
  drawHistory(list, page.dossier);
  return h("section", { class: "panel" }, h("h2", null, "Triage history"),
    h("p", { class: "muted" }, `State: ${label(page.dossier.alert.state)}${page.dossier.alert.assignee ? `, assigned to ${page.dossier.alert.assignee}` : ""}.`), list);
}

function drawHistory(list, d) {
  clear(list);
  const items = [];
  const noteEvents = new Set();
  for (const e of d.history || []) {
    let what;
    if (e.field === "note") {
      noteEvents.add(`${e.at}|${e.new ?? e.text}`);
      what = h("span", { class: "note-text" }, `note: ${e.new ?? e.text ?? ""}`);
    } else {
      const value = (v) => (v === null || v === undefined || v === "" ? "—" : label(v));
      what = [`${label(e.field)}: ${value(e.old)} → ${value(e.new)}`, e.text ? h("span", { class: "note-text" }, ` (${e.text})`) : null];
    }
    items.push({ at: e.at, user: e.user, what });
  }
  for (const n of d.notes || []) {
    if (noteEvents.has(`${n.at}|${n.text}`)) continue;
    items.push({ at: n.at, user: n.user, what: h("span", { class: "note-text" }, `note: ${n.text}`) });
  }
  items.sort((x, y) => String(y.at).localeCompare(String(x.at)));
  if (!items.length) {
    list.append(h("li", { class: "muted" }, "No changes yet: the alert is as the scoring left it."));
    return;
  }
  for (const it of items) list.append(h("li", null, h("div", { class: "meta" }, `${when(it.at)} UTC · ${it.user ?? ""}`), h("div", null, it.what)));
}
