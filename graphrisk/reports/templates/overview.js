// The overview page: the distribution and the findings per rule over time.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("graphrisk-data").textContent);
  var h = data.histogram;
  graphriskBars("histogram-chart", h.title, h.labels, [{ label: "employees", data: h.counts, colour: "#1f5fa8" }]);
  var r = data.rules_over_time;
  graphriskBars("rules-chart", "Findings per day (UTC), stacked by rule", r.days, r.series, { stacked: true });
  var status = document.getElementById("graphrisk-status");
  status.setAttribute("data-charts", String(Chart.instances ? Object.keys(Chart.instances).length : 0));
  status.setAttribute("data-ready", "1");
});
