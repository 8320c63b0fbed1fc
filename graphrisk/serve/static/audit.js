// The audit view (auditor, admin): search the log by user, subject and date, and verify its hash
// chain. Who looked at whose dossier, who revealed whom and why, who changed which alert.

import { get } from "./api.js";
import { errorText } from "./app.js";
import { clear, h, mono, notice, when } from "./dom.js";

const last = { user: "", subject: "", from: "", to: "", limit: "200" };

export async function render(main, _params, ctx) {
  const user = h("input", { id: "audit-user", value: last.user, autocomplete: "off" });
  const subject = h("input", { id: "audit-subject", value: last.subject, class: "mono", placeholder: "EMP-…", autocomplete: "off" });
  const from = h("input", { id: "audit-from", type: "date", value: last.from });
  const to = h("input", { id: "audit-to", type: "date", value: last.to });
  const limit = h("input", { id: "audit-limit", type: "number", min: 1, max: 10000, value: last.limit });
  const form = h("form", { class: "toolbar", role: "search", "aria-label": "Search the audit log" },
    h("label", { for: "audit-user" }, "User", user), h("label", { for: "audit-subject" }, "Subject", subject),
    h("label", { for: "audit-from" }, "From", from), h("label", { for: "audit-to" }, "Until", to),
    h("label", { for: "audit-limit" }, "At most", limit),
    h("button", { type: "submit", id: "audit-search" }, "Search"));
  const verifyButton = h("button", { type: "button", class: "secondary", id: "audit-verify" }, "Verify the chain");
  const verdict = h("div", { id: "audit-verdict", "aria-live": "polite" });
  const body = h("div");
  main.append(h("h1", null, "Audit log"),
    h("div", { class: "panel" }, form, h("div", { class: "toolbar" }, verifyButton), verdict),
    body);

  verifyButton.addEventListener("click", async () => {
    verifyButton.disabled = true;
    clear(verdict);
    try {
      const v = await get("/api/audit/verify");
      if (!ctx.alive()) return;
      verdict.append(v.ok
        ? notice("ok", `The chain is intact: ${v.entries} entries, each chained to the one before, ending where the head says.`)
        : notice("error", `The chain is broken${v.problem ? `: ${v.problem}` : ""} (${v.entries} entries read).`));
    } catch (err) {
      if (ctx.alive()) verdict.append(notice("error", errorText(err)));
    } finally {
      verifyButton.disabled = false;
    }
  });

  const load = async () => {
    Object.assign(last, { user: user.value.trim(), subject: subject.value.trim(), from: from.value, to: to.value, limit: limit.value });
    clear(body).append(h("p", { class: "muted" }, "Searching…"));
    try {
      const answer = await get("/api/audit", last);
      if (!ctx.alive()) return;
      clear(body).append(entriesTable(answer.entries || [], answer.total, last.subject));
    } catch (err) {
      if (ctx.alive()) clear(body).append(notice("error", errorText(err)));
    }
  };
  form.addEventListener("submit", (evt) => { evt.preventDefault(); load(); });
  await load();
}

function list(value) {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

// What the entry did beyond its action: the query, its parameters, a triage change.
function details(e) {
  const bits = [];
  if (e.query) bits.push(`query ${e.query}`);
  if (e.params && typeof e.params === "object" && Object.keys(e.params).length) bits.push(JSON.stringify(e.params));
  else if (e.params) bits.push(String(e.params));
  if (e.rows !== undefined && e.rows !== null) bits.push(`${e.rows} rows`);
  if (e.os_user && e.os_user !== e.user) bits.push(`OS user ${e.os_user}`);
  for (const k of Object.keys(e).sort()) {
    if (["seq", "time", "user", "os_user", "role", "command", "action", "outcome", "subjects", "reveal_reason", "query", "params", "cypher", "rows", "key", "prev", "hash"].includes(k)) continue;
    const v = e[k];
    if (v === null || v === undefined || v === "") continue;
    bits.push(`${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  }
  return bits.join(" · ");
}

function entriesTable(entries, total, searched) {
  const more = typeof total === "number" && total > entries.length ? ` of ${total} (raise “At most” to see more)` : "";
  const wrap = h("section", { class: "panel" }, h("p", { class: "muted" }, `${entries.length}${more} entr${entries.length === 1 && !more ? "y" : "ies"}, newest first.`));
  if (!entries.length) return wrap;
  const sorted = [...entries].sort((a, b) => (b.seq ?? 0) - (a.seq ?? 0));
  wrap.append(h("div", { class: "scroll tall" }, h("table", { class: "data audit", id: "audit-table", dataset: { subject: searched || "" } },
    h("thead", null, h("tr", null, ["#", "Time (UTC)", "User", "Role", "What", "Outcome", "Subjects", "Reveal reason", "Details"].map((t) => h("th", { scope: "col", class: t === "#" ? "num" : null }, t)))),
    h("tbody", null, sorted.map((e) => {
      // the subject searched for first, so that it is among the few shown
      const key = String(searched || "").replaceAll("-", "").toUpperCase();
      const subjects = list(e.subjects).map(String).sort((a, b) =>
        Number(b.replaceAll("-", "").toUpperCase() === key) - Number(a.replaceAll("-", "").toUpperCase() === key));
      return h("tr", { dataset: { command: e.command ?? "", action: e.action ?? "" } },
        h("td", { class: "num" }, String(e.seq ?? "")),
        h("td", { class: "mono" }, when(e.time)),
        h("td", null, e.user ?? ""),
        h("td", null, e.role ?? ""),
        h("td", null, mono(e.command ?? e.action ?? ""), e.command && e.action ? h("div", { class: "muted" }, `right: ${e.action}`) : null),
        h("td", null, e.outcome ?? ""),
        h("td", { class: "subjects" }, subjects.slice(0, 3).map((s) => h("div", null, mono(s))),
          subjects.length > 3 ? h("div", { class: "muted" }, `and ${subjects.length - 3} more`) : null),
        h("td", { class: "reason" }, e.reveal_reason ?? ""),
        h("td", { class: "details" }, details(e)));
    })))));
  return wrap;
}
