// Building the page from data without ever parsing data as HTML: every string from the API is
// untrusted (names and ids come from the data set), so it reaches the page as text nodes and
// attribute values only. No innerHTML anywhere in the workspace.

// h("tr", {class: "x", onclick: fn, dataset: {id: 1}}, "text", otherNode, [more, children])
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "dataset") Object.assign(el.dataset, value);
    else if (name === "value" || name === "checked" || name === "selected" || name === "disabled") el[name] = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function byId(id) {
  return document.getElementById(id);
}

// A table from column specs [{label, num?, cell: row => node|string}] and rows.
export function table(columns, rows, options = {}) {
  const head = h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.num ? "num" : null, scope: "col" }, c.label))));
  const body = h("tbody", null, rows.map((row) => {
    const tr = h("tr", null, columns.map((c) => h("td", { class: c.num ? "num" : c.cls || null }, c.cell(row))));
    if (options.rowClass) tr.className = options.rowClass(row) || "";
    return tr;
  }));
  return h("table", { class: options.cls || "data" }, options.caption ? h("caption", null, options.caption) : null, head, body);
}

export function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().slice(0, 16).replace("T", " ");
}

export function num(value, digits = 2) {
  if (value === null || value === undefined || value === "") return "";
  const n = Number(value);
  return Number.isFinite(n) ? n.toFixed(digits) : String(value);
}

export function mono(text, cls = "mono") {
  return h("span", { class: cls }, text ?? "");
}

export function stateBadge(state) {
  return h("span", { class: `state state-${String(state || "new").replace(/[^a-z_]/g, "")}` }, label(state));
}

export function label(state) {
  return String(state ?? "").replaceAll("_", " ");
}

// A message box: kind is "info", "warn" or "error".
export function notice(kind, ...children) {
  return h("div", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, ...children);
}

// Saves a Blob as a file through a temporary link (the browser's own download).
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
