// The alert queue: every employee at or above the threshold and the top N, by pseudonym. Filters
// go to the server (unit, rule, state, assignee); sorting is by column, on the page. A row opens
// its dossier; the pseudonym is a link, so the queue works from the keyboard.

import { get } from "./api.js";
import { errorText, go, state } from "./app.js";
import { clear, h, label, mono, notice, num, stateBadge, when } from "./dom.js";

const filters = { unit: "", rule: "", state: "", mine: false, all: false };
let sort = { key: "rank", dir: 1 };

const COLUMNS = [
  { key: "rank", label: "#", num: true, cell: (a) => String(a.rank ?? "") },
  { key: "pseudonym", label: "Pseudonym", cell: (a) => h("a", { href: `#/alerts/${encodeURIComponent(a.pseudonym)}`, class: "pseudonym" }, a.pseudonym) },
  { key: "score", label: "Score", num: true, cell: (a) => num(a.score, 1) },
  { key: "state", label: "State", cell: (a) => stateBadge(a.state) },
  { key: "assignee", label: "Assignee", cell: (a) => a.assignee ?? "" },
  { key: "peer_group", label: "Peer group", cls: "wrap",
    cell: (a) => String(a.peer_group ?? "").split("|").flatMap((part, i) => (i ? ["|", h("wbr"), part] : [part])) },
  { key: "unit", label: "Unit", cell: (a) => a.unit ?? "" },
  { key: "reasons", label: "Top reasons", cls: "reasons", sortable: false, cell: (a) => {
    const reasons = a.reasons || [];
    return h("div", { class: "reason-clamp", title: reasons.join("\n") }, reasons[0] ?? "",
      reasons.length > 1 ? h("span", { class: "muted" }, ` (+${reasons.length - 1} more)`) : null);
  } },
  { key: "rules", label: "Rules", sortable: false, cell: (a) => {
    const rules = a.rules || [];
    return h("span", { class: "tag", title: rules.join(", ") }, rules.length === 1 ? rules[0] : `${rules.length} rules`);
  } },
  { key: "updated_at", label: "Updated", cell: (a) => h("span", { title: a.updated_at ? `${when(a.updated_at)} UTC by ${a.updated_by ?? "?"}` : "" }, when(a.updated_at).slice(5)) },
];

function compare(a, b) {
  const x = a[sort.key];
  const y = b[sort.key];
  if (x === y) return (a.rank ?? 0) - (b.rank ?? 0);
  if (x === null || x === undefined) return 1;
  if (y === null || y === undefined) return -1;
  const r = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
  return r * sort.dir;
}

function select(name, text, options, value) {
  const el = h("select", { name, id: `filter-${name}` },
    h("option", { value: "" }, "all"),
    options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.text)));
  return { el, label: h("label", { for: `filter-${name}` }, text, el) };
}

export async function render(main, _params, ctx) {
  const meta = state.meta || {};
  const unit = select("unit", "Unit", (meta.units || []).map((u) => ({ value: u, text: u })), filters.unit);
  const rule = select("rule", "Rule", (meta.rules || []).map((r) => ({ value: r.name, text: r.title ? `${r.name}: ${r.title}` : r.name })), filters.rule);
  const st = select("state", "State", (meta.triage_states || ["new", "in_review", "confirmed", "dismissed", "resolved"]).map((s) => ({ value: s, text: label(s) })), filters.state);
  const mine = h("input", { type: "checkbox", id: "filter-mine", checked: filters.mine });
  const all = h("input", { type: "checkbox", id: "filter-all", checked: filters.all });
  const count = h("span", { class: "muted", "aria-live": "polite" });
  const holder = h("div", { class: "scroll tall" });
  const share = h("div");
  main.append(
    h("h1", null, "Alert queue"),
    h("div", { class: "toolbar", role: "search" }, unit.label, rule.label, st.label,
      h("label", { class: "inline", for: "filter-mine" }, "Assigned to me", mine),
      h("label", { class: "inline", for: "filter-all", title: "Alerts that are no longer in the latest scoring run keep their state" }, "Also dropped out", all),
      count),
    h("div", { class: "panel" }, holder),
    share);

  let alerts = [];
  const draw = () => {
    clear(holder);
    if (!alerts.length) {
      holder.append(h("p", { class: "muted" }, "No alerts match these filters."));
      return;
    }
    const rows = [...alerts].sort(compare);
    const head = h("tr", null, COLUMNS.map((c) => {
      const th = h("th", { scope: "col", class: c.num ? "num" : c.cls || null });
      if (c.sortable === false) th.append(c.label);
      else {
        th.setAttribute("aria-sort", sort.key === c.key ? (sort.dir > 0 ? "ascending" : "descending") : "none");
        th.append(h("button", { type: "button", class: "sort", onclick: () => {
          sort = sort.key === c.key ? { key: c.key, dir: -sort.dir } : { key: c.key, dir: c.key === "score" ? -1 : 1 };
          draw();
        } }, c.label));
      }
      return th;
    }));
    const body = h("tbody", null, rows.map((a) => {
      const tr = h("tr", { class: `row-link${a.alert === false ? " below" : ""}${a.in_latest_run === false ? " dropped" : ""}`, dataset: { pseudonym: a.pseudonym } },
        COLUMNS.map((c) => h("td", { class: c.num ? "num" : c.cls || null }, c.cell(a))));
      tr.addEventListener("click", (evt) => {
        if (evt.target.closest("a, button")) return;
        go(`alerts/${encodeURIComponent(a.pseudonym)}`);
      });
      return tr;
    }));
    holder.append(h("table", { class: "data queue", "aria-label": "Alerts" }, h("thead", null, head), body));
  };

  const load = async () => {
    filters.unit = unit.el.value;
    filters.rule = rule.el.value;
    filters.state = st.el.value;
    filters.mine = mine.checked;
    filters.all = all.checked;
    count.textContent = "loading…";
    try {
      const answer = await get("/api/alerts", {
        unit: filters.unit, rule: filters.rule, state: filters.state,
        assignee: filters.mine ? state.session.user : "", all: filters.all ? "true" : "",
      });
      if (!ctx.alive()) return;
      alerts = Array.isArray(answer) ? answer : answer.alerts || [];
      const above = alerts.filter((a) => a.alert !== false).length;
      count.textContent = `${alerts.length} shown, ${above} at or above the threshold`;
      draw();
    } catch (err) {
      if (!ctx.alive()) return;
      count.textContent = "";
      clear(holder).append(notice("error", errorText(err)));
    }
  };
  for (const el of [unit.el, rule.el, st.el, mine, all]) el.addEventListener("change", load);
  await load();
  if (ctx.alive()) await confirmedShare(share, ctx);
}

// Each rule's confirmed share over the last year, as Purview shows it beside its alerts.
export async function confirmedShare(holder, ctx, highlight) {
  try {
    const rows = await get("/api/rules/confirmed-share");
    if (!ctx.alive()) return;
    clear(holder);
    const list = (rows || []).filter((r) => !highlight || highlight.includes(r.rule));
    const panel = h("div", { class: "panel confirmed-share" },
      h("h2", null, highlight ? "Rules that fired, and how often they were right" : "Confirmed share by rule"),
      h("p", { class: "muted" }, "Confirmed ÷ (confirmed + dismissed), over alerts closed in the last 365 days."));
    if (!list.length) panel.append(h("p", { class: "muted" }, "No closed alerts for these rules yet."));
    else {
      panel.append(h("table", { class: "data" },
        h("thead", null, h("tr", null, h("th", null, "Rule"), h("th", { class: "num" }, "Confirmed"), h("th", { class: "num" }, "Dismissed"), h("th", { class: "num" }, "Confirmed share"))),
        h("tbody", null, list.map((r) => h("tr", null,
          h("td", null, mono(r.rule)),
          h("td", { class: "num" }, String(r.confirmed ?? 0)),
          h("td", { class: "num" }, String(r.dismissed ?? 0)),
          h("td", { class: "num" }, r.share === null || r.share === undefined ? "–" : `${(r.share * 100).toFixed(0)}%`))))));
    }
    holder.append(panel);
  } catch (err) {
    if (ctx.alive()) clear(holder).append(notice("warn", `Confirmed share: ${errorText(err)}`));
  }
}
