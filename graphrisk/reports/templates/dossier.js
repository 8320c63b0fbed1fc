// The dossier page: charts, the network, and evidence rows that highlight their path.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("graphrisk-data").textContent);
  var cy = graphriskGraph("network", data.elements, { centre: data.employee, findingPairs: data.finding_pairs, layout: "cose" });

  function focusFinding(id) {
    var rows = document.querySelectorAll("tr.finding-row");
    for (var i = 0; i < rows.length; i++) rows[i].classList.toggle("selected", rows[i].getAttribute("data-finding") === id);
    var ids = data.findings[id];
    if (!ids) return;
    var nodes = cy.collection();
    ids.forEach(function (n) { nodes = nodes.union(cy.getElementById(n)); });
    var keep = nodes.union(nodes.edgesWith(nodes));
    graphriskFocus(cy, keep);
    cy.animate({ fit: { eles: nodes, padding: 80 } }, { duration: 300 });
  }
  var rows = document.querySelectorAll("tr.finding-row");
  for (var i = 0; i < rows.length; i++) {
    rows[i].addEventListener("click", function () {
      focusFinding(this.getAttribute("data-finding"));
      document.getElementById("network").scrollIntoView({ behavior: "smooth", block: "center" });
    });
  }

  if (data.timeline.length) graphriskTimeline("timeline-chart", data.timeline, data.severities, focusFinding);
  else document.getElementById("timeline-chart").parentNode.innerHTML = "<p class='muted'>No findings to draw.</p>";
  if (data.activity.days.length) {
    graphriskBars("activity-chart", "Look-ups per day (UTC)", data.activity.days, [
      { label: "with a finding", data: data.activity.flagged, colour: "#c0392b" },
      { label: "without", data: data.activity.plain, colour: "#b4bcc6" }
    ], { stacked: true });
  } else document.getElementById("activity-chart").parentNode.innerHTML = "<p class='muted'>No look-ups.</p>";
  if (data.score && document.getElementById("parts-chart")) {
    var parts = Object.keys(data.score.parts);
    if (parts.length) graphriskBars("parts-chart", "Parts of the score", parts, [
      { label: "value", data: parts.map(function (p) { return data.score.parts[p]; }), colour: "#1f5fa8" }
    ], { horizontal: true });
  }
});
