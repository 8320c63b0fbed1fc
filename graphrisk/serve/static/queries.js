// Named queries: the query library (cypher/queries/*.cypher), a form per query made from its
// header's parameters, the result as a table, and the same result as CSV.

import { api, filenameOf, get } from "./api.js";
import { errorText, go, state } from "./app.js";
import { append, clear, download, h, notice } from "./dom.js";

const INPUT = { int: "number", integer: "number", float: "number", number: "number", date: "date", datetime: "datetime-local", bool: "checkbox", boolean: "checkbox" };

// the library, read once per signed-in user (every read is an audit entry)
let library = { user: null, queries: null };

export async function render(main, params, ctx) {
  if (library.user !== state.session.user || !library.queries) {
    library = { user: state.session.user, queries: await get("/api/queries") };
  }
  const queries = library.queries;
  if (!ctx.alive()) return;
  const name = params[0] || "";
  const list = h("ul", { class: "query-list" }, (queries || []).map((q) => h("li", null,
    h("a", { href: `#/queries/${encodeURIComponent(q.name)}`, "aria-current": q.name === name ? "page" : null }, q.title || q.name))));
  const body = h("div");
  append(main, [h("h1", null, "Named queries"),
    state.meta && state.meta.store === "embedded"
      ? notice("warn", "Named queries are Cypher: they run on a Neo4j store. This workspace serves the embedded store, so a query answers why it cannot run; the network view works on both.")
      : null,
    h("div", { class: "cols queries" }, h("section", { class: "panel", "aria-label": "Query library" }, h("h2", null, "Library"), list), body)]);
  const query = (queries || []).find((q) => q.name === name);
  if (!query) {
    body.append(h("div", { class: "panel muted" }, name ? `There is no query named ${name}.` : "Choose a query from the library."));
    if (!name && queries && queries.length) go(`queries/${encodeURIComponent(queries[0].name)}`);
    return;
  }
  body.append(queryForm(query, ctx));
}

function inputFor(p) {
  const type = INPUT[String(p.type || "").toLowerCase()] || "text";
  const el = h("input", { id: `param-${p.name}`, name: p.name, type, required: p.required && type !== "checkbox" });
  if (type === "datetime-local") el.step = 1;
  if (p.default !== undefined && p.default !== null && p.default !== "none") {
    if (type === "checkbox") el.checked = String(p.default).toLowerCase() === "true";
    else el.value = String(p.default);
  }
  return el;
}

function valueOf(p, el) {
  if (el.type === "checkbox") return el.checked;
  if (el.value === "") return undefined;
  if (el.type === "number") return Number(el.value);
  return el.value;
}

function queryForm(query, ctx) {
  const inputs = (query.params || []).map((p) => ({ p, el: inputFor(p) }));
  const limit = h("input", { id: "query-limit", type: "number", min: 1, max: 100000, value: 500 });
  const result = h("div", { class: "result", "aria-live": "polite" });
  const run = h("button", { type: "submit", id: "query-run" }, "Run");
  const csv = h("button", { type: "button", class: "secondary", id: "query-csv" }, "Download CSV");
  const form = h("form", { class: "form", "aria-labelledby": "query-title" },
    inputs.length ? h("div", { class: "row" }, inputs.map(({ p, el }) =>
      h("label", { for: el.id }, `${p.name}${p.required ? " *" : ""} (${p.type || "text"})`, el))) : h("p", { class: "muted" }, "This query takes no parameters."),
    h("div", { class: "row" }, h("label", { for: "query-limit" }, "At most rows", limit)),
    h("div", null, run, " ", csv));
  const collect = () => {
    const values = {};
    for (const { p, el } of inputs) {
      const v = valueOf(p, el);
      if (v !== undefined) values[p.name] = v;
    }
    return { params: values, limit: Number(limit.value) || undefined };
  };
  form.addEventListener("submit", async (evt) => {
    evt.preventDefault();
    run.disabled = true;
    clear(result).append(h("p", { class: "muted" }, "Running…"));
    try {
      const answer = await api("POST", `/api/queries/${encodeURIComponent(query.name)}`, { body: collect() });
      if (!ctx.alive()) return;
      clear(result).append(resultTable(answer));
    } catch (err) {
      if (ctx.alive()) clear(result).append(notice("error", errorText(err)));
    } finally {
      run.disabled = false;
    }
  });
  csv.addEventListener("click", async () => {
    if (!form.reportValidity()) return;
    try {
      const response = await api("POST", `/api/queries/${encodeURIComponent(query.name)}`, { body: collect(), accept: "text/csv", raw: true });
      download(await response.blob(), filenameOf(response, `${query.name}.csv`));
    } catch (err) {
      if (ctx.alive()) clear(result).append(notice("error", errorText(err)));
    }
  });
  return h("section", { class: "panel" },
    h("h2", { id: "query-title" }, query.title || query.name),
    query.description ? h("p", { class: "muted" }, query.description) : null,
    form, result);
}

function cell(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function resultTable(answer) {
  const columns = answer.columns || [];
  const rows = answer.rows || [];
  const wrap = h("div", null,
    h("p", { class: "muted" }, `${rows.length} row${rows.length === 1 ? "" : "s"}${answer.truncated ? " (cut at the limit: raise it or narrow the query)" : ""}.`));
  if (!rows.length) return wrap;
  wrap.append(h("div", { class: "scroll" }, h("table", { class: "data results" },
    h("thead", null, h("tr", null, columns.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", null, rows.map((r) => h("tr", null, (Array.isArray(r) ? r : columns.map((c) => r[c])).map((v) => h("td", { class: typeof v === "number" ? "num" : null }, cell(v)))))))));
  return wrap;
}
