// The interactive network: Cytoscape.js draws and lays out the graph (zoom, pan, drag are
// Cytoscape's own); this file only styles it, shows details on hover, and offers a layout choice,
// a search box and a legend. Node colour follows the node's type; nodes and relationships of
// findings get a red outline.
var GRAPHRISK_COLOURS = {
  Employee: "#1f5fa8", Person: "#27ae60", Access: "#95a5a6", Case: "#8e44ad", Organisation: "#e67e22",
  Unit: "#34495e", Area: "#7f8c8d", Address: "#16a085", Vehicle: "#2e86c1", Action: "#d35400",
  Shift: "#bdc3c7", Collapsed: "#ecf0f1"
};
var GRAPHRISK_HIDDEN_KEYS = { id: 1, label: 1, type: 1, key: 1, finding: 1, source: 0, target: 0 };

function graphriskStyle() {
  var style = [
    { selector: "node", style: {
      "background-color": "#999", "label": "data(label)", "font-size": 9, "color": "#1d2733",
      "text-valign": "bottom", "text-margin-y": 3, "width": 22, "height": 22,
      "text-wrap": "ellipsis", "text-max-width": 130, "border-width": 1, "border-color": "#fff" } },
    { selector: "node[type = 'Access']", style: { "width": 12, "height": 12, "font-size": 7, "shape": "round-rectangle" } },
    { selector: "node[type = 'Shift']", style: { "width": 10, "height": 10, "font-size": 7 } },
    { selector: "node[type = 'Case']", style: { "shape": "round-rectangle", "width": 26, "height": 20 } },
    { selector: "node[type = 'Organisation']", style: { "shape": "hexagon", "width": 30, "height": 30 } },
    { selector: "node[type = 'Unit'], node[type = 'Area']", style: { "shape": "diamond" } },
    { selector: "node[type = 'Collapsed']", style: {
      "shape": "round-rectangle", "border-style": "dashed", "border-color": "#7f8c8d", "border-width": 1,
      "width": 30, "height": 14, "color": "#5b6775", "font-style": "italic" } },
    { selector: "node.centre", style: { "width": 38, "height": 38, "font-size": 12, "font-weight": "bold",
      "border-width": 3, "border-color": "#14243a" } },
    { selector: "node[?finding]", style: { "border-width": 4, "border-color": "#c0392b" } },
    { selector: "edge", style: {
      "width": 1.2, "line-color": "#b4bcc6", "target-arrow-color": "#b4bcc6", "target-arrow-shape": "triangle",
      "arrow-scale": 0.7, "curve-style": "bezier", "font-size": 7, "color": "#5b6775",
      "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
    { selector: "edge.finding-edge", style: { "line-color": "#e57368", "target-arrow-color": "#e57368", "width": 2.2 } },
    { selector: "edge.show-label, edge:selected", style: { "label": "data(label)" } },
    { selector: ".faded", style: { "opacity": 0.15 } },
    { selector: "node.focus", style: { "border-width": 6, "border-color": "#ff8c00" } },
    { selector: "edge.focus", style: { "line-color": "#ff8c00", "target-arrow-color": "#ff8c00", "width": 3, "label": "data(label)" } },
    { selector: "node.match", style: { "border-width": 5, "border-color": "#f1c40f" } }
  ];
  Object.keys(GRAPHRISK_COLOURS).forEach(function (t) {
    style.push({ selector: "node[type = '" + t + "']", style: { "background-color": GRAPHRISK_COLOURS[t] } });
  });
  return style;
}

function graphriskLayout(name, centre) {
  if (name === "breadthfirst") return { name: "breadthfirst", roots: centre ? [centre] : undefined, spacingFactor: 0.9, animate: false };
  if (name === "concentric") return { name: "concentric", animate: false, minNodeSpacing: 18,
    concentric: function (n) { var h = n.data("hop"); return h === undefined || h < 0 ? 0 : 10 - h; }, levelWidth: function () { return 1; } };
  if (name === "circle" || name === "grid") return { name: name, animate: false };
  return { name: "cose", animate: false, randomize: true, nodeRepulsion: function () { return 9000; },
    idealEdgeLength: function () { return 55; }, numIter: 1500, nodeDimensionsIncludeLabels: false };
}

function graphriskEscape(text) {
  return String(text).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; });
}

function graphriskTip(data) {
  var rows = "";
  Object.keys(data).sort().forEach(function (k) {
    if (GRAPHRISK_HIDDEN_KEYS[k] || data[k] === null || data[k] === undefined || data[k] === "") return;
    rows += "<tr><td>" + graphriskEscape(k) + "</td><td>" + graphriskEscape(data[k]) + "</td></tr>";
  });
  var head = data.source ? graphriskEscape(data.type) : graphriskEscape(data.type) + " <b>" + graphriskEscape(data.label) + "</b>";
  return head + (data.finding ? " <b>(finding)</b>" : "") + (rows ? "<table>" + rows + "</table>" : "");
}

// Draws `elements` ({nodes, edges} of Cytoscape element data) into the element with id `prefix`,
// with its tools (ids prefix-layout, prefix-fit, prefix-search, prefix-legend, prefix-tip).
function graphriskGraph(prefix, elements, options) {
  options = options || {};
  var container = document.getElementById(prefix);
  var cy = cytoscape({
    container: container, elements: elements, style: graphriskStyle(),
    minZoom: 0.05, maxZoom: 4
  });
  if (options.centre) cy.getElementById(options.centre).addClass("centre");
  var findingNodes = {};
  cy.nodes("[?finding]").forEach(function (n) { findingNodes[n.id()] = true; });
  (options.findingPairs || []).forEach(function (pair) {
    cy.edges().forEach(function (e) {
      if ((e.source().id() === pair[0] && e.target().id() === pair[1]) || (e.source().id() === pair[1] && e.target().id() === pair[0])) e.addClass("finding-edge");
    });
  });

  var tip = document.getElementById(prefix + "-tip");
  cy.on("mouseover", "node, edge", function (evt) {
    if (!tip) return;
    tip.innerHTML = graphriskTip(evt.target.data());
    tip.style.display = "block";
    if (evt.target.isEdge()) evt.target.addClass("show-label");
  });
  cy.on("mousemove", function (evt) {
    if (!tip || tip.style.display !== "block") return;
    tip.style.left = (evt.renderedPosition.x + 14) + "px";
    tip.style.top = (evt.renderedPosition.y + 14) + "px";
  });
  cy.on("mouseout", "node, edge", function (evt) {
    if (tip) tip.style.display = "none";
    evt.target.removeClass("show-label");
  });
  cy.on("tap", function (evt) { if (evt.target === cy) graphriskFocus(cy, null); });
  cy.on("tap", "node", function (evt) { graphriskFocus(cy, evt.target.closedNeighborhood()); });

  var select = document.getElementById(prefix + "-layout");
  function run(name) {
    var layout = cy.layout(graphriskLayout(name, options.centre));
    layout.one("layoutstop", function () {
      cy.fit(undefined, 25);
      var status = document.getElementById("graphrisk-status");
      if (status) {
        status.setAttribute("data-nodes", String(cy.nodes().length));
        status.setAttribute("data-edges", String(cy.edges().length));
        status.setAttribute("data-findings", String(Object.keys(findingNodes).length));
        status.setAttribute("data-ready", "1");
      }
    });
    layout.run();
  }
  if (select) select.addEventListener("change", function () { run(select.value); });
  var fit = document.getElementById(prefix + "-fit");
  if (fit) fit.addEventListener("click", function () { graphriskFocus(cy, null); cy.fit(undefined, 25); });
  var search = document.getElementById(prefix + "-search");
  if (search) search.addEventListener("input", function () {
    var q = search.value.trim().toLowerCase();
    cy.nodes().removeClass("match");
    if (!q) return;
    var hits = cy.nodes().filter(function (n) { return String(n.data("label")).toLowerCase().indexOf(q) >= 0 || n.id().toLowerCase().indexOf(q) >= 0; });
    hits.addClass("match");
    if (hits.length) cy.animate({ fit: { eles: hits, padding: 60 } }, { duration: 250 });
  });
  var legend = document.getElementById(prefix + "-legend");
  if (legend) {
    var counts = {};
    cy.nodes().forEach(function (n) { counts[n.data("type")] = (counts[n.data("type")] || 0) + 1; });
    legend.innerHTML = Object.keys(counts).sort().map(function (t) {
      return "<span><i style='background:" + (GRAPHRISK_COLOURS[t] || "#999") + "'></i>" + graphriskEscape(t) + " " + counts[t] + "</span>";
    }).join("") + "<span><i style='background:#fff;border:3px solid #c0392b'></i>in a finding</span>";
  }
  run(options.layout || (select ? select.value : "cose"));
  return cy;
}

// Fades everything but `keep` (a Cytoscape collection); null shows all again.
function graphriskFocus(cy, keep) {
  cy.elements().removeClass("faded focus");
  if (!keep || !keep.length) return;
  cy.elements().not(keep).addClass("faded");
  keep.addClass("focus");
}
