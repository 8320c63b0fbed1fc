// Charts drawn with Chart.js: a findings timeline, stacked bars, a histogram.
var GRAPHRISK_SEVERITY_COLOURS = { low: "#7f8c8d", medium: "#d68910", high: "#c0392b", critical: "#6c1010" };
var GRAPHRISK_PALETTE = ["#1f5fa8", "#c0392b", "#27ae60", "#8e44ad", "#d68910", "#16a085", "#e67e22", "#34495e",
  "#7f8c8d", "#2e86c1", "#a93226", "#117864"];

function graphriskDay(ms) { return new Date(ms).toISOString().slice(0, 10); }

// One point per finding: x the time, y the rule, colour the severity.
function graphriskTimeline(canvasId, points, severities, onClick) {
  var rules = [];
  points.forEach(function (p) { if (rules.indexOf(p.rule) < 0) rules.push(p.rule); });
  rules.sort();
  var datasets = severities.map(function (s) {
    return {
      label: s, pointRadius: 5, pointHoverRadius: 7,
      backgroundColor: GRAPHRISK_SEVERITY_COLOURS[s], borderColor: GRAPHRISK_SEVERITY_COLOURS[s],
      data: points.filter(function (p) { return p.severity === s; }).map(function (p) {
        return { x: p.t, y: p.rule, target: p.target, finding: p.finding };
      })
    };
  }).filter(function (d) { return d.data.length; });
  var times = points.map(function (p) { return p.t; });
  var span = Math.max.apply(null, times) - Math.min.apply(null, times);
  var tick = span < 3 * 86400000
    ? function (v) { return new Date(v).toISOString().slice(5, 16).replace("T", " "); }
    : function (v) { return graphriskDay(v); };
  return new Chart(document.getElementById(canvasId), {
    type: "scatter",
    data: { datasets: datasets },
    options: {
      animation: false, maintainAspectRatio: false,
      plugins: {
        title: { display: true, text: "Findings by rule and time (colour: severity)" },
        tooltip: { callbacks: { label: function (ctx) {
          var r = ctx.raw; return new Date(r.x).toISOString().slice(0, 16).replace("T", " ") + " " + r.y + ": " + r.target;
        } } }
      },
      scales: {
        x: { type: "linear", ticks: { callback: tick, maxTicksLimit: 8 } },
        y: { type: "category", labels: rules, offset: true }
      },
      onClick: function (evt, items) {
        if (onClick && items.length) onClick(datasets[items[0].datasetIndex].data[items[0].index].finding);
      }
    }
  });
}

// Bars per label; `series` is [{label, data, colour}], stacked when asked.
function graphriskBars(canvasId, title, labels, series, options) {
  options = options || {};
  return new Chart(document.getElementById(canvasId), {
    type: "bar",
    data: { labels: labels, datasets: series.map(function (s, i) {
      return { label: s.label, data: s.data, backgroundColor: s.colour || GRAPHRISK_PALETTE[i % GRAPHRISK_PALETTE.length] };
    }) },
    options: {
      animation: false, maintainAspectRatio: false, indexAxis: options.horizontal ? "y" : "x",
      plugins: { title: { display: true, text: title }, legend: { display: series.length > 1 } },
      scales: { x: { stacked: !!options.stacked }, y: { stacked: !!options.stacked, beginAtZero: true, ticks: { precision: options.horizontal ? undefined : 0 } } }
    }
  });
}
