// Network exploration for the liaison and the analyst: start from an employee, person, case or
// organisation; expand a node (double click, or the button); filter by relationship type and time;
// find paths between two nodes; export the view as GraphML, GEXF or JSON. Large neighbourhoods
// come back capped and say so.

import { api, filenameOf, get } from "./api.js";
import { errorText, state } from "./app.js";
import { append, clear, download, h, mono, notice } from "./dom.js";
import { graphPanel, kindOf } from "./graph.js";

const KINDS = ["employee", "person", "case", "organisation", "vehicle", "address"];
// graphrisk/analyst: every relationship type, and those shown unless asked (the rest is structure)
const ALL_TYPES = ["LIVES_AT", "IS_PERSON", "WORKS_IN", "PERFORMED", "TARGETED", "JUSTIFIED_BY", "REGISTERED_TO",
  "OWNED_BY", "ASSIGNED_TO", "SUBJECT_OF", "PLANS", "RELATED_TO", "MEMBER_OF",
  "PART_OF", "SERVES", "LIVES_IN", "IN_AREA", "REGISTERED_IN", "WORKED"];
const STRUCTURAL = new Set(["PART_OF", "SERVES", "LIVES_IN", "IN_AREA", "REGISTERED_IN", "WORKED"]);

// the form keeps its values when the person leaves and comes back
const last = { kind: "employee", id: "", hops: "1", max_nodes: "150", since: "", until: "", types: null, from: "", to: "" };

// "Person:P4" -> {kind: "person", id: "P4"}
export function parseNodeId(nodeId, data) {
  const text = String(nodeId);
  const at = text.indexOf(":");
  const kind = (data && kindOf(data)) || (at > 0 ? text.slice(0, at) : "");
  return { kind: kind.toLowerCase(), id: at > 0 ? text.slice(at + 1) : text };
}

export async function render(main, params, ctx) {
  // #/explore/KIND/ID (from a dossier) starts there at once
  const [startKind, startId] = params || [];
  if (startKind && KINDS.includes(startKind) && startId) Object.assign(last, { kind: startKind, id: startId });
  const types = (state.meta && state.meta.relationship_types) || ALL_TYPES;
  const chosen = new Set(last.types || types.filter((t) => !STRUCTURAL.has(t)));
  const kind = h("select", { id: "explore-kind" }, KINDS.map((k) => h("option", { value: k, selected: k === last.kind }, k)));
  const id = h("input", { id: "explore-id", value: last.id, required: true, placeholder: "EMP-…, P123, C42, O7", class: "mono" });
  const hops = h("input", { id: "explore-hops", type: "number", min: 1, max: 3, value: last.hops });
  const maxNodes = h("input", { id: "explore-max", type: "number", min: 10, max: 2000, step: 10, value: last.max_nodes });
  const since = h("input", { id: "explore-since", type: "date", value: last.since });
  const until = h("input", { id: "explore-until", type: "date", value: last.until });
  const boxes = types.map((t) => h("input", { type: "checkbox", value: t, checked: chosen.has(t) }));
  const typeSet = h("fieldset", { class: "types" }, h("legend", null, "Relationship types"),
    h("div", { class: "checks" }, boxes.map((b) => h("label", null, b, b.value))));
  const start = h("button", { type: "submit", id: "explore-go" }, "Explore");
  const form = h("form", { class: "form", "aria-label": "Explore the network" },
    h("div", { class: "row" },
      h("label", { for: "explore-kind" }, "Start from", kind), h("label", { for: "explore-id" }, "Id or pseudonym", id),
      h("label", { for: "explore-hops" }, "Hops", hops), h("label", { for: "explore-max" }, "At most nodes", maxNodes),
      h("label", { for: "explore-since" }, "From date", since), h("label", { for: "explore-until" }, "Until date", until)),
    typeSet, h("div", null, start));

  const from = h("input", { id: "path-from", value: last.from, placeholder: "Employee:EMP-… or Person:P4", class: "mono" });
  const to = h("input", { id: "path-to", value: last.to, placeholder: "Organisation:O7", class: "mono" });
  const maxHops = h("input", { id: "path-hops", type: "number", min: 1, max: 6, value: 4 });
  const pathForm = h("form", { class: "form", "aria-label": "Paths between two nodes" },
    h("div", { class: "row" }, h("label", { for: "path-from" }, "From", from), h("label", { for: "path-to" }, "To", to),
      h("label", { for: "path-hops" }, "At most hops", maxHops)),
    h("div", null, h("button", { type: "submit", id: "path-go" }, "Find paths"),
      " ", h("span", { class: "muted" }, "Click a node in the graph, then “use as from / to”.")));

  const status = h("div", { "aria-live": "polite" });
  const selected = h("div", { class: "selected muted" }, "No node selected.");
  const paths = h("div", { class: "paths" });
  const graphSlot = h("div", { class: "graph-slot" });
  main.append(
    h("h1", null, "Network"),
    h("div", { class: "cols3" }, h("section", { class: "panel" }, h("h2", null, "Explore"), form),
      h("section", { class: "panel" }, h("h2", null, "Paths"), pathForm, paths)),
    status,
    h("section", { class: "panel", "aria-label": "Graph" }, selected, graphSlot));

  let graph = null;
  let current = null; // the selected node's data
  ctx.onLeave(() => graph && graph.view.destroy());

  const filters = () => {
    const picked = boxes.filter((b) => b.checked).map((b) => b.value);
    last.types = picked;
    return { types: picked.join(","), since: since.value, until: until.value };
  };

  const exportButtons = () => h("span", { class: "export" }, "Export: ",
    ["graphml", "gexf", "json"].map((f) => h("button", { type: "button", class: "secondary", dataset: { format: f }, onclick: () => exportView(f) }, f.toUpperCase())));

  const show = (elements, centre) => {
    if (graph) graph.view.destroy();
    clear(graphSlot);
    graph = graphPanel(graphSlot, elements, {
      centre, onSelect: select, onExpand: expand, canExpand: expandable, tools: exportButtons(),
      hint: "Double click a node to expand it; click one to select it.",
    });
    select(null);
  };

  function select(data) {
    current = data;
    clear(selected);
    if (!data) {
      selected.append("No node selected. Click one to expand it or use it in a path.");
      return;
    }
    append(selected, ["Selected: ", kindOf(data), " ", mono(data.label ?? data.id), " ",
      expandable(data) ? h("button", { type: "button", class: "secondary", id: "expand", onclick: () => expand(current) }, "Expand") : null, " ",
      h("button", { type: "button", class: "secondary", onclick: () => { from.value = String(current.id); } }, "Use as from"), " ",
      h("button", { type: "button", class: "secondary", onclick: () => { to.value = String(current.id); } }, "Use as to")]);
  }

  async function expand(data) {
    if (!data || !graph) return;
    const node = parseNodeId(data.id, data);
    if (!expandable(data)) {
      clear(status).append(notice("info", `A ${kindOf(data) || "node"} cannot be a starting point: expand an employee, person, case, organisation, vehicle or address.`));
      return;
    }
    clear(status).append(notice("info", `Expanding ${node.kind} ${node.id}…`));
    try {
      const more = await get("/api/explore", { kind: node.kind, id: node.id, hops: 1, max_nodes: maxNodes.value, ...filters() });
      if (!ctx.alive()) return;
      const added = graph.view.merge(more);
      graph.refresh(more);
      clear(status).append(notice(more.capped ? "warn" : "info",
        `${added} new node${added === 1 ? "" : "s"} around ${node.kind} ${node.id}.`,
        more.capped ? ` Capped: ${more.total_nodes ?? "more"} nodes around it; narrow the types or dates.` : ""));
    } catch (err) {
      if (ctx.alive()) clear(status).append(notice("error", errorText(err)));
    }
  }

  async function exportView(format) {
    if (!graph) return;
    try {
      const response = await api("POST", "/api/export", { body: { format, elements: graph.view.elements() }, raw: true });
      const blob = await response.blob();
      download(blob, filenameOf(response, `graphrisk-view.${format === "json" ? "json" : format}`));
      clear(status).append(notice("ok", `Exported the view as ${format.toUpperCase()}.`));
    } catch (err) {
      if (ctx.alive()) clear(status).append(notice("error", errorText(err)));
    }
  }

  form.addEventListener("submit", async (evt) => {
    evt.preventDefault();
    Object.assign(last, { kind: kind.value, id: id.value.trim(), hops: hops.value, max_nodes: maxNodes.value, since: since.value, until: until.value });
    if (!last.id) return;
    start.disabled = true;
    clear(status).append(notice("info", "Loading…"));
    try {
      const elements = await get("/api/explore", { kind: kind.value, id: last.id, hops: hops.value, max_nodes: maxNodes.value, ...filters() });
      if (!ctx.alive()) return;
      clear(status);
      const centre = (elements.nodes || []).find((n) => parseNodeId(n.data.id, n.data).id.toLowerCase() === last.id.toLowerCase() || String(n.data.label) === last.id);
      show(elements, centre ? String(centre.data.id) : undefined);
      if (!(elements.nodes || []).length) status.append(notice("warn", "Nothing found around that node with these filters."));
    } catch (err) {
      if (ctx.alive()) clear(status).append(notice("error", errorText(err)));
    } finally {
      start.disabled = false;
    }
  });

  if (startKind && startId) form.requestSubmit();

  pathForm.addEventListener("submit", async (evt) => {
    evt.preventDefault();
    last.from = from.value.trim();
    last.to = to.value.trim();
    if (!last.from || !last.to) return;
    clear(paths).append(h("p", { class: "muted" }, "Searching…"));
    try {
      const answer = await get("/api/paths", { from: last.from, to: last.to, max_hops: maxHops.value, types: filters().types });
      if (!ctx.alive()) return;
      clear(paths);
      const found = answer.paths || [];
      if (!found.length) {
        paths.append(notice("warn", `No path of at most ${maxHops.value} hops with these relationship types.`));
        return;
      }
      paths.append(h("p", null, `${found.length} path${found.length === 1 ? "" : "s"}:`),
        h("ol", { class: "chain" }, found.map((p, i) => h("li", null,
          h("button", { type: "button", class: "link path-pick", onclick: () => graph && graph.view.highlight(nodeIds(p)) }, `path ${i + 1}`), " ",
          pathText(p)))));
      show(answer.elements || { nodes: [], edges: [] });
      graph.view.highlight(nodeIds(found[0]));
    } catch (err) {
      if (ctx.alive()) clear(paths).append(notice("error", errorText(err)));
    }
  });
}

// The kinds /api/explore starts from; look-ups, units and collapsed groups are not among them.
function expandable(data) {
  return KINDS.includes(kindOf(data).toLowerCase());
}

function nodeIds(path) {
  return (path.nodes || []).map((n) => String(typeof n === "object" ? (n.data ? n.data.id : n.id) : n));
}

function pathText(path) {
  if (path.chain) return mono(path.chain);
  const nodes = path.nodes || [];
  const edges = path.edges || [];
  const parts = [];
  nodes.forEach((n, i) => {
    const d = typeof n === "object" ? (n.data || n) : { id: n };
    parts.push(mono(String(d.label ?? d.id)));
    if (i < edges.length) {
      const e = typeof edges[i] === "object" ? (edges[i].data || edges[i]) : { type: edges[i] };
      parts.push(h("span", { class: "muted" }, ` –${e.type ?? ""}– `));
    }
  });
  return parts;
}
