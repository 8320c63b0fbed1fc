// The interactive network, as the HTML dossier draws it (graphrisk/reports/templates/graph.js):
// colour by node type, findings outlined in red, hover details, focus on tap. Cytoscape.js is the
// vendored global `cytoscape`; it draws labels on a canvas, so they are text by construction, and
// the hover box is built with text nodes.

import { clear, h } from "./dom.js";

export const COLOURS = {
  Employee: "#1f5fa8", Person: "#27ae60", Access: "#95a5a6", Case: "#8e44ad", Organisation: "#e67e22",
  Unit: "#34495e", Area: "#7f8c8d", Address: "#16a085", Vehicle: "#2e86c1", Action: "#d35400",
  Shift: "#bdc3c7", Collapsed: "#ecf0f1",
};
const HIDDEN = new Set(["id", "label", "type", "kind", "key", "finding", "source", "target"]);

// A node's type (its label). The server sends it as `type` and `kind`; `type` first, since a node's
// own properties may hold a `kind` of their own (an organisation's "drug network").
export function kindOf(data) {
  return String(data.type || data.kind || "");
}

function style() {
  const s = [
    { selector: "node", style: {
      "background-color": "#999", label: "data(label)", "font-size": 9, color: "#1d2733",
      "text-valign": "bottom", "text-margin-y": 3, width: 22, height: 22,
      "text-wrap": "ellipsis", "text-max-width": 130, "border-width": 1, "border-color": "#fff" } },
    { selector: "node.k-Access", style: { width: 12, height: 12, "font-size": 7, shape: "round-rectangle" } },
    { selector: "node.k-Shift", style: { width: 10, height: 10, "font-size": 7 } },
    { selector: "node.k-Case", style: { shape: "round-rectangle", width: 26, height: 20 } },
    { selector: "node.k-Organisation", style: { shape: "hexagon", width: 30, height: 30 } },
    { selector: "node.k-Unit, node.k-Area", style: { shape: "diamond" } },
    { selector: "node.k-Collapsed", style: {
      shape: "round-rectangle", "border-style": "dashed", "border-color": "#7f8c8d", "border-width": 1,
      width: 30, height: 14, color: "#5b6775", "font-style": "italic" } },
    { selector: "node.centre", style: { width: 38, height: 38, "font-size": 12, "font-weight": "bold",
      "border-width": 3, "border-color": "#14243a" } },
    { selector: "node[?finding]", style: { "border-width": 4, "border-color": "#c0392b" } },
    { selector: "edge", style: {
      width: 1.2, "line-color": "#b4bcc6", "target-arrow-color": "#b4bcc6", "target-arrow-shape": "triangle",
      "arrow-scale": 0.7, "curve-style": "bezier", "font-size": 7, color: "#5b6775", label: "",
      "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
    { selector: "edge.show-label, edge:selected", style: { label: "data(type)" } },
    { selector: ".faded", style: { opacity: 0.15 } },
    { selector: "node.focus", style: { "border-width": 6, "border-color": "#ff8c00" } },
    { selector: "edge.focus, edge.path", style: { "line-color": "#ff8c00", "target-arrow-color": "#ff8c00", width: 3, label: "data(type)" } },
    { selector: "node.path", style: { "border-width": 5, "border-color": "#ff8c00" } },
    { selector: "node.match", style: { "border-width": 5, "border-color": "#f1c40f" } },
    { selector: "node:selected", style: { "overlay-color": "#1f5fa8", "overlay-opacity": 0.25, "overlay-padding": 6 } },
  ];
  for (const [t, colour] of Object.entries(COLOURS)) s.push({ selector: `node.k-${t}`, style: { "background-color": colour } });
  return s;
}

export function layout(name, centre) {
  if (name === "breadthfirst") return { name, roots: centre ? [centre] : undefined, spacingFactor: 0.9, animate: false };
  if (name === "concentric") return { name, animate: false, minNodeSpacing: 18, levelWidth: () => 1,
    concentric: (n) => { const hop = n.data("hop"); return hop === undefined || hop < 0 ? 0 : 10 - hop; } };
  if (name === "circle" || name === "grid") return { name, animate: false };
  return { name: "cose", animate: false, randomize: true, nodeRepulsion: () => 9000, idealEdgeLength: () => 55,
    numIter: 500, nodeDimensionsIncludeLabels: false };
}

// Element data as sent to Cytoscape: every node labelled, every edge with an id unique in the
// view (the server numbers edges per answer, so merging two answers needs ids of our own).
export function normalise(elements, options = {}) {
  const nodes = (elements.nodes || []).map((n) => {
    const data = { ...n.data };
    data.id = String(data.id);
    if (data.label === undefined || data.label === null || data.label === "") data.label = data.id;
    else data.label = String(data.label);
    return { data };
  });
  const seen = new Set();
  const edges = [];
  for (const e of elements.edges || []) {
    const data = { ...e.data };
    const base = [data.source, data.type, data.target, data.since || data.timestamp || ""].join("|");
    let id = base;
    for (let i = 2; seen.has(id); i++) id = `${base}#${i}`;
    seen.add(id);
    data.id = id;
    edges.push({ data });
  }
  const ids = new Set(nodes.map((n) => n.data.id));
  return { nodes, edges: options.keepDangling ? edges : edges.filter((e) => ids.has(String(e.data.source)) && ids.has(String(e.data.target))) };
}

function classify(eles) {
  eles.nodes().forEach((n) => {
    const k = kindOf(n.data());
    if (COLOURS[k]) n.addClass(`k-${k}`);
  });
}

function tipContent(tip, data, isEdge) {
  clear(tip);
  tip.append(isEdge ? String(data.type || "relationship") : `${kindOf(data)} `);
  if (!isEdge) tip.append(h("b", null, String(data.label ?? data.id)));
  if (data.finding) tip.append(h("b", null, " (finding)"));
  const rows = Object.keys(data).sort()
    .filter((k) => !HIDDEN.has(k) && data[k] !== null && data[k] !== undefined && data[k] !== "")
    .map((k) => h("tr", null, h("td", null, k), h("td", null, typeof data[k] === "object" ? JSON.stringify(data[k]) : String(data[k]))));
  if (rows.length) tip.append(h("table", null, h("tbody", null, rows)));
}

// Draws `elements` into `container` (an element that will hold the canvas and a hover box).
// options: centre (node id), layout name, onSelect(node data | null), onExpand(node data).
export function drawGraph(container, elements, options = {}) {
  clear(container);
  const canvas = h("div", { class: "graph", "data-testid": "graph" });
  const tip = h("div", { class: "tip", role: "tooltip" });
  container.append(canvas, tip);
  const cy = window.cytoscape({ container: canvas, elements: normalise(elements), style: style(), minZoom: 0.05, maxZoom: 4 });
  classify(cy.elements());
  if (options.centre) cy.getElementById(options.centre).addClass("centre");
  cy.on("mouseover", "node, edge", (evt) => {
    tipContent(tip, evt.target.data(), evt.target.isEdge());
    tip.style.display = "block";
    if (evt.target.isEdge()) evt.target.addClass("show-label");
  });
  cy.on("mousemove", (evt) => {
    if (tip.style.display !== "block") return;
    tip.style.left = `${evt.renderedPosition.x + 14}px`;
    tip.style.top = `${evt.renderedPosition.y + 14}px`;
  });
  cy.on("mouseout", "node, edge", (evt) => {
    tip.style.display = "none";
    evt.target.removeClass("show-label");
  });
  cy.on("tap", (evt) => {
    if (evt.target === cy) {
      focus(cy, null);
      if (options.onSelect) options.onSelect(null);
    }
  });
  cy.on("tap", "node", (evt) => {
    focus(cy, evt.target.closedNeighborhood());
    if (options.onSelect) options.onSelect(evt.target.data());
  });
  if (options.onExpand) cy.on("dbltap", "node", (evt) => options.onExpand(evt.target.data()));
  const view = {
    cy,
    run(name) {
      const l = cy.layout(layout(name || options.layout || "cose", options.centre));
      l.one("layoutstop", () => {
        cy.fit(undefined, 25);
        if (cy.zoom() > 1.6) {
          cy.zoom(1.6);
          cy.center();
        }
        container.dataset.ready = "1";
        container.dataset.nodes = String(cy.nodes().length);
      });
      l.run();
    },
    // Adds new elements (already present ones are kept), lays out again; answers the added count.
    merge(more) {
      // edge ids are made from their ends, type and date, so an edge seen twice is added once
      const fresh = normalise(more, { keepDangling: true });
      const isNew = (e) => cy.getElementById(e.data.id).empty();
      const added = cy.add(fresh.nodes.filter(isNew).map((e) => ({ group: "nodes", data: e.data })));
      const ends = (e) => !cy.getElementById(e.data.source).empty() && !cy.getElementById(e.data.target).empty();
      added.merge(cy.add(fresh.edges.filter((e) => isNew(e) && ends(e)).map((e) => ({ group: "edges", data: e.data }))));
      classify(added);
      view.run();
      return added.nodes().length;
    },
    // The view as plain element data (what POST /api/export takes).
    elements() {
      return {
        nodes: cy.nodes().map((n) => ({ data: n.data() })),
        edges: cy.edges().map((e) => ({ data: e.data() })),
      };
    },
    highlight(nodeIds) {
      cy.elements().removeClass("path");
      const nodes = cy.collection();
      let sel = nodes;
      for (const id of nodeIds) sel = sel.union(cy.getElementById(id));
      sel.addClass("path");
      sel.edgesWith(sel).addClass("path");
      if (sel.length) cy.animate({ fit: { eles: sel, padding: 60 } }, { duration: 250 });
    },
    destroy() {
      cy.destroy();
    },
  };
  view.run(options.layout);
  return view;
}

// Fades everything but `keep`; null shows all again.
export function focus(cy, keep) {
  cy.elements().removeClass("faded focus");
  if (!keep || !keep.length) return;
  cy.elements().not(keep).addClass("faded");
  keep.addClass("focus");
}

// The legend: one swatch per node type in the view, with its count.
export function legend(el, view) {
  clear(el);
  const counts = {};
  view.cy.nodes().forEach((n) => {
    const k = kindOf(n.data()) || "other";
    counts[k] = (counts[k] || 0) + 1;
  });
  for (const k of Object.keys(counts).sort()) {
    const swatch = h("i");
    swatch.style.background = COLOURS[k] || "#999";
    el.append(h("span", null, swatch, `${k} ${counts[k]}`));
  }
  const ring = h("i", { class: "ring" });
  el.append(h("span", null, ring, "in a finding"));
}

function capText(shown, total) {
  return typeof total === "number" && total > shown
    ? `Capped: ${shown} of ${total} nodes are shown. `
    : "Capped: some neighbours are left out or collapsed into one node. ";
}

// A graph panel in `parent`: tools (layout, find, fit), the canvas, the legend and a capped notice.
// It is put into the page before Cytoscape draws: Cytoscape measures its container.
export function graphPanel(parent, elements, options = {}) {
  const holder = h("div", { class: "graph-wrap" });
  const legendEl = h("div", { class: "legend" });
  const layoutSelect = h("select", { "aria-label": "Layout" },
    h("option", { value: "cose" }, "force-directed"),
    h("option", { value: "breadthfirst" }, "tree from the centre"),
    h("option", { value: "concentric" }, "rings by hop"),
    h("option", { value: "circle" }, "circle"));
  const search = h("input", { type: "search", placeholder: "find a node (id or name)", "aria-label": "Find a node" });
  const fit = h("button", { type: "button", class: "secondary" }, "Show all");
  const capped = h("div", { class: "capped-slot" });
  const listing = h("details", { class: "node-list" });
  const panel = h("div", { class: "graph-panel" },
    capped,
    h("div", { class: "graph-tools" }, h("label", null, "Layout ", layoutSelect), search, fit,
      options.tools || null,
      h("span", { class: "muted" }, options.hint || "Scroll to zoom, drag to move, hover for details, click a node to focus on it.")),
    holder, legendEl, listing);
  parent.append(panel);
  const view = drawGraph(holder, elements, options);
  const refresh = (els) => {
    clear(capped);
    if (els.capped) {
      capped.append(h("div", { class: "notice notice-warn capped", role: "status" },
        capText((els.nodes || []).length, els.total_nodes),
        "Narrow it down with a relationship type or a time window, or expand one node at a time.",
        (els.notes || []).length ? h("ul", null, els.notes.map((n) => h("li", null, n))) : null));
    } else if ((els.notes || []).length) {
      capped.append(h("div", { class: "notice", role: "status" }, h("ul", null, els.notes.map((n) => h("li", null, n)))));
    }
    legend(legendEl, view);
    nodeList(listing, view, options);
  };
  refresh(elements);
  layoutSelect.addEventListener("change", () => view.run(layoutSelect.value));
  fit.addEventListener("click", () => { focus(view.cy, null); view.cy.fit(undefined, 25); });
  search.addEventListener("input", () => {
    const q = search.value.trim().toLowerCase();
    view.cy.nodes().removeClass("match");
    if (!q) return;
    const hits = view.cy.nodes().filter((n) => String(n.data("label")).toLowerCase().includes(q) || n.id().toLowerCase().includes(q));
    hits.addClass("match");
    if (hits.length) view.cy.animate({ fit: { eles: hits, padding: 60 } }, { duration: 250 });
  });
  return { panel, view, refresh };
}

// The nodes of the view as a table: what the canvas shows, for the keyboard and screen readers,
// with the same actions as a click (select) and a double click (expand).
function nodeList(el, view, options) {
  const open = el.open;
  clear(el);
  const nodes = view.cy.nodes().map((n) => n.data()).sort((a, b) => kindOf(a).localeCompare(kindOf(b)) || String(a.label).localeCompare(String(b.label)));
  el.append(h("summary", null, `Nodes in this view (${nodes.length})`));
  const rows = nodes.map((d) => h("tr", { dataset: { node: d.id } },
    h("td", null, kindOf(d)),
    h("td", { class: "mono" }, String(d.label ?? d.id)),
    h("td", null, d.finding ? "in a finding" : ""),
    h("td", null,
      options.onSelect ? h("button", { type: "button", class: "secondary", onclick: () => {
        const node = view.cy.getElementById(d.id);
        view.cy.elements().unselect();
        node.select();
        focus(view.cy, node.closedNeighborhood());
        options.onSelect(node.data());
      } }, "Select") : null, " ",
      options.onExpand && (!options.canExpand || options.canExpand(d))
        ? h("button", { type: "button", class: "secondary", onclick: () => options.onExpand(view.cy.getElementById(d.id).data()) }, "Expand")
        : null)));
  el.append(h("div", { class: "scroll" }, h("table", { class: "data nodes" },
    h("thead", null, h("tr", null, h("th", null, "Type"), h("th", null, "Node"), h("th", null, ""), h("th", null, ""))),
    h("tbody", null, rows))));
  el.open = open;
}
