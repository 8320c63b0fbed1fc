// Records the page's own errors (and console errors and warnings) into #graphrisk-errors, so that a
// person sees them at the top of the page and a headless browser test reads them from the DOM.
(function () {
  var seen = [];
  function show() {
    var el = document.getElementById("graphrisk-errors");
    if (!el) return;
    el.textContent = seen.join("\n");
    el.setAttribute("data-count", String(seen.length));
    if (seen.length) el.hidden = false;
  }
  function record(kind, args) {
    var parts = [];
    for (var i = 0; i < args.length; i++) {
      var a = args[i];
      parts.push(a && a.stack ? String(a.stack) : String(a));
    }
    seen.push(kind + ": " + parts.join(" "));
    show();
  }
  window.addEventListener("error", function (e) { record("error", [e.message + " (" + e.filename + ":" + e.lineno + ")"]); });
  document.addEventListener("securitypolicyviolation", function (e) { record("blocked", [e.violatedDirective + " " + e.blockedURI]); });
  window.addEventListener("unhandledrejection", function (e) { record("unhandled rejection", [e.reason]); });
  ["error", "warn"].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      record("console." + level, arguments);
      return original.apply(console, arguments);
    };
  });
  document.addEventListener("DOMContentLoaded", show);
})();
