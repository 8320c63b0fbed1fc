// A page with one interactive graph (graphrisk export ... --out FILE.html).
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("graphrisk-data").textContent);
  graphriskGraph("graph", data.elements, { centre: data.centre });
});
